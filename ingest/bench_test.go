package ingest_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// BenchmarkIngest10M loads KAM_BENCH_LINES (default 10 M) canonical order
// lines twice, each time into a fresh warehouse in a fresh process: with
// DuckDB's own `CREATE TABLE AS SELECT * FROM read_csv(file)` and with kam's
// LoadFile (hash, ledger, typing, quarantine, dedupe, upsert, one
// transaction). Both timings include a final CHECKPOINT. It reports both
// times, their ratio (target ≤ 1.2) and kam's peak RSS (target ≤ 1.5 GB).
// KAM_BENCH_FILE loads an existing canonical file instead, e.g. one written
// by `kam gen --order-lines 10000000`.
func BenchmarkIngest10M(b *testing.B) {
	n := int64(10_000_000)
	if s := os.Getenv("KAM_BENCH_LINES"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v <= 0 {
			b.Fatalf("KAM_BENCH_LINES=%q: want a positive number of lines", s)
		}
		n = v
	}
	dir := b.TempDir()
	file := os.Getenv("KAM_BENCH_FILE")
	if file == "" {
		// Generated in a child process, so that DuckDB's memory for it is
		// not this process's while the loads run.
		file = filepath.Join(dir, "order_lines.csv")
		runHelper(b, "gen", file, "", fmt.Sprintf("KAM_HELPER_LINES=%d", n))
	}
	st, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base, basePeak := runHelper(b, "read_csv", file, filepath.Join(dir, fmt.Sprintf("duckdb-%d.duckdb", i)))
		kam, kamPeak := runHelper(b, "kam", file, filepath.Join(dir, fmt.Sprintf("kam-%d.duckdb", i)))
		if kam.Rows != base.Rows {
			b.Fatalf("kam loaded %d rows, read_csv %d", kam.Rows, base.Rows)
		}
		ratio := kam.Seconds / base.Seconds
		fmt.Printf("ingest %d lines (%.0f MB): read_csv %.2f s (process CPU %.1f s, peak %.0f MiB), kam %.2f s (process CPU %.1f s, peak %.0f MiB), ratio %.2f\n",
			kam.Rows, float64(st.Size())/1e6, base.Seconds, base.CPU, float64(basePeak)/(1<<20), kam.Seconds, kam.CPU, float64(kamPeak)/(1<<20), ratio)
		fmt.Printf("  kam: read %.2f s (Go: decode, split, type, write Parquet), write %.2f s (DuckDB inserts, checks), commit %.2f s, checkpoint %.2f s\n",
			kam.Phases["read"], kam.Phases["write"], kam.Phases["commit"], kam.Seconds-kam.Phases["read"]-kam.Phases["write"]-kam.Phases["commit"])
		b.ReportMetric(base.Seconds, "s-read_csv")
		b.ReportMetric(kam.Seconds, "s-kam")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(float64(kamPeak)/(1<<20), "MiB-kam-peak")
		b.ReportMetric(float64(kam.Rows)/kam.Seconds, "rows/s")
	}
}

// writeCanonicalOrders writes n canonical order lines with DuckDB's COPY:
// about four lines per order, orders in date order over two years, 20,000
// clients, 5,000 SKUs, a manager on every 20th order, shipments on 90 % of
// lines, a refusal on one line in 50. Keys (order_id, line_no) are unique.
func writeCanonicalOrders(path string, n int64) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	q := fmt.Sprintf(`COPY (
    WITH l AS (SELECT i, i // 4 + 1 AS o FROM range(%d) t(i))
    SELECT
        'ORD-' || lpad(o::VARCHAR, 8, '0') AS order_id,
        i %% 4 + 1 AS line_no,
        DATE '2024-11-01' + CAST(o * 730 // (%d // 4 + 1) AS INTEGER) AS order_date,
        'C' || lpad((hash(o) %% 20000)::VARCHAR, 5, '0') AS client_id,
        CASE WHEN o %% 20 = 0 THEN 'M' || lpad((o %% 50)::VARCHAR, 3, '0') END AS manager_id,
        'SKU-' || lpad((hash(i) %% 5000)::VARCHAR, 4, '0') AS sku,
        1 + hash(i * 3) %% 40 AS qty,
        ((100 + hash(i * 7) %% 500000) / 100)::DECIMAL(12, 2) AS price,
        CASE WHEN i %% 10 <> 0 THEN 1 + hash(i * 3) %% 40 END AS shipped_qty,
        CASE WHEN i %% 10 <> 0 THEN DATE '2024-11-01' + CAST(o * 730 // (%d // 4 + 1) + hash(o) %% 5 AS INTEGER) END AS shipped_on,
        CASE WHEN i %% 50 = 7 THEN 1 END AS refused_qty,
        CASE WHEN i %% 50 = 7 THEN 'damaged in transit' END AS refusal_reason
    FROM l ORDER BY i
) TO %s (HEADER, DELIMITER ',')`, n, n, n, warehouse.QuoteString(path))
	_, err = db.Exec(q)
	return err
}
