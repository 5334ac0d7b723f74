package ingest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// bankFixture returns the path of a public test file under ../../shared/data
// (read in place, never copied into the project). Missing data skips the
// test locally and fails it in CI.
func bankFixture(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("shared test data: %v", err)
		}
		t.Skipf("shared test data not here: %v", err)
	}
	return p
}

func bankWarehouse(t testing.TB) *sql.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// bankRows runs a query whose columns are all text-castable and returns
// each row joined with " | ".
func bankRows(t testing.TB, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	_, out, _, err := warehouse.ScanStrings(rows, 0)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	lines := make([]string, len(out))
	for i, r := range out {
		lines[i] = strings.Join(r, " | ")
	}
	return lines
}

func bankCount(t testing.TB, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func bankWrite(t testing.TB, dir, name string, body []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, body, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
