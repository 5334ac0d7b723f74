package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// writeParquet writes rows of (string, int64, date, decimal, bool) cells
// and reads them back with DuckDB as text.
func parquetRoundTrip(t testing.TB, db *sql.DB, rows [][]pqValue) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := newPQWriter(f, []string{"s", "i", "d", "m", "b"}, []pqKind{pqString, pqInt64, pqDate, pqDecimal, pqBool})
	for _, r := range rows {
		if err := w.writeRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	q, err := db.QueryContext(context.Background(), fmt.Sprintf(`SELECT concat_ws('|', coalesce(s, '∅'), coalesce(i::VARCHAR, '∅'), coalesce(d::VARCHAR, '∅'),
        coalesce(m::VARCHAR, '∅'), coalesce(b::VARCHAR, '∅'), typeof(m), typeof(d)) FROM read_parquet('%s')`, path))
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	defer q.Close()
	var out []string
	for q.Next() {
		var s string
		if err := q.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := q.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParquetWriter(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	null := pqValue{null: true}
	rows := [][]pqValue{
		{{b: []byte("Альфа, \"ООО\"")}, {i: -42}, {i: 20484}, {i: 12345678}, {i: 1}},
		{null, null, null, null, null},
		{{b: []byte("")}, {i: 1 << 62}, {i: -1}, {i: -5}, {i: 0}},
	}
	got := parquetRoundTrip(t, db, rows)
	want := []string{
		`Альфа, "ООО"|-42|2026-01-31|1234.5678|true|DECIMAL(18,4)|DATE`,
		`∅|∅|∅|∅|∅|DECIMAL(18,4)|DATE`,
		`|4611686018427387904|1969-12-31|-0.0005|false|DECIMAL(18,4)|DATE`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("read back\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Several row groups, nulls in every position of the bit-packed levels.
	var many [][]pqValue
	for i := range 3*pqRowGroupRows + 17 {
		r := []pqValue{{b: []byte(fmt.Sprint(i))}, {i: int64(i)}, {i: int64(i % 1000)}, {i: int64(i)}, {i: int64(i % 2)}}
		if i%3 == 0 {
			r[1] = null
		}
		if i%7 == 0 {
			r[0], r[4] = null, null
		}
		many = append(many, r)
	}
	got = parquetRoundTrip(t, db, many)
	if len(got) != len(many) {
		t.Fatalf("read back %d rows, want %d", len(got), len(many))
	}
	for _, i := range []int{0, 1, 2, 3, 6, 7, 8, 122879, 122880, 122881, len(many) - 1} {
		s, n, b := fmt.Sprint(i), fmt.Sprint(i), fmt.Sprint(i%2 == 1)
		if i%3 == 0 {
			n = "∅"
		}
		if i%7 == 0 {
			s, b = "∅", "∅"
		}
		m := fmt.Sprintf("%d.%04d", i/10000, i%10000)
		want := strings.Join([]string{s, n, "", m, b, "DECIMAL(18,4)", "DATE"}, "|")
		if g := got[i]; !strings.HasPrefix(g, s+"|"+n+"|") || !strings.Contains(g, "|"+m+"|"+b+"|") {
			t.Errorf("row %d = %q, want %q (date aside)", i, g, want)
		}
	}
}
