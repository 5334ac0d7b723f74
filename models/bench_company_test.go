package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/gen"
	"github.com/kam-analytics/kam/ingest/warehouse"
)

// heldDay says which rows of the kam gen company are the benchmark's "one
// more day": the rows of the transaction entities dated that day. They are
// moved aside before the full build and put back, as a new load, before the
// incremental one.
var heldDay = []struct{ table, dated string }{
	{"order_lines", "order_date = $day OR shipped_on = $day"},
	{"invoices", "invoice_date = $day"},
	{"payments", "paid_on = $day"},
	{"returns", "return_date = $day"},
	{"activities", "planned_on = $day OR done_on = $day"},
	{"deals", "opened_on = $day OR closed_on = $day"},
	{"competitor_notes", "noted_on = $day"},
}

// heldLoadID marks the put-back rows as a load after every earlier one.
const heldLoadID = 999_999_999

// genCompany is the company issue 4 measures on: `kam gen --order-lines
// lines` up to the day after genAsOf, ingested as `kam ingest` would load
// it (every canonical CSV through the Loader). The last day's rows are
// held back; putBack returns them and says how many order lines they hold.
func genCompany(b *testing.B, lines int) (db *sql.DB, putBack func(context.Context) (int64, error)) {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	day := date(genAsOf).AddDate(0, 0, 1)
	started := time.Now()
	if _, err := gen.Write(ctx, dir, gen.Options{Seed: 1, OrderLines: int64(lines), AsOf: day}); err != nil {
		b.Fatal(err)
	}
	generated := time.Since(started)
	db, err := warehouse.Open(ctx, filepath.Join(dir, "kam.duckdb"), warehouse.Settings{Threads: 2, MemoryLimit: "3GB"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	var sources []ingest.Source
	for _, e := range warehouse.Entities {
		sources = append(sources, ingest.Source{Name: e.Name, Entity: e.Name, Files: e.Name + "/*.csv", Format: "csv"})
	}
	l := &ingest.Loader{DB: db, BaseDir: dir, Now: func() time.Time { return day }}
	var quarantined int64
	for _, r := range l.Run(ctx, sources) {
		if r.Status == ingest.StatusFailed {
			b.Fatalf("ingest %v", r.Err)
		}
		quarantined += r.Quarantined
	}
	b.Logf("kam gen %d lines in %.1fs, ingested in %.1fs (%d rows quarantined)", lines, generated.Seconds(),
		(time.Since(started) - generated).Seconds(), quarantined)

	literal := "DATE '" + day.Format("2006-01-02") + "'"
	for _, h := range heldDay {
		where := strings.ReplaceAll(h.dated, "$day", literal)
		for _, q := range []string{
			fmt.Sprintf("CREATE TABLE main.held_%s AS SELECT * FROM main.%s WHERE %s", h.table, h.table, where),
			fmt.Sprintf("DELETE FROM main.%s WHERE %s", h.table, where),
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatalf("%s: %v", q, err)
			}
		}
	}
	putBack = func(ctx context.Context) (int64, error) {
		for _, h := range heldDay {
			for _, q := range []string{
				fmt.Sprintf("INSERT INTO main.%s SELECT * REPLACE (%d AS _load_id) FROM main.held_%s", h.table, heldLoadID, h.table),
				"DROP TABLE main.held_" + h.table,
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					return 0, fmt.Errorf("%s: %w", q, err)
				}
			}
		}
		var n int64
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM main.order_lines WHERE _load_id = ?", heldLoadID).Scan(&n)
		return n, err
	}
	return db, putBack
}
