package models_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
)

// loadFixture ingests testdata/<dir>/<entity>.csv into a fresh warehouse.
func loadFixture(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db := emptyWarehouse(t)
	ingestDir(t, db, dir)
	return db
}

// emptyWarehouse opens a new warehouse in a temporary folder.
func emptyWarehouse(t *testing.T) *sql.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// ingestDir ingests testdata/<dir>/<entity>.csv into db, as later files
// of the same sources: rows with existing keys replace the old ones.
func ingestDir(t *testing.T, db *sql.DB, dir string) {
	t.Helper()
	abs, _ := filepath.Abs(filepath.Join("testdata", dir))
	ingestFrom(t, db, abs)
}

// ingestCSV ingests body as one more file of entity, as a later load would.
func ingestCSV(t *testing.T, db *sql.DB, entity, body string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, entity+".csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ingestFrom(t, db, dir)
}

// ingestFrom ingests the <entity>.csv files of the folder abs into db.
func ingestFrom(t *testing.T, db *sql.DB, abs string) {
	t.Helper()
	l := &ingest.Loader{DB: db, BaseDir: abs}
	var sources []ingest.Source
	for _, e := range warehouse.Entities {
		if _, err := os.Stat(filepath.Join(abs, e.Name+".csv")); err == nil {
			sources = append(sources, ingest.Source{Name: e.Name, Entity: e.Name, Files: e.Name + ".csv"})
		}
	}
	for _, r := range l.Run(context.Background(), sources) {
		if r.Err != nil || r.Quarantined > 0 {
			t.Fatalf("fixture %s: %v (quarantined %d)", r.File, r.Err, r.Quarantined)
		}
	}
}

func rowsOf(t testing.TB, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	_, got, _, err := warehouse.ScanStrings(rows, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range got {
		out = append(out, strings.Join(r, " "))
	}
	return out
}

func assertRows(t testing.TB, db *sql.DB, q string, want []string) {
	t.Helper()
	got := rowsOf(t, db, q)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s\ngot:\n%s\nwant:\n%s", q, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func date(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }

// build runs models.Build and fails the test on an error.
func build(t testing.TB, db *sql.DB, opt models.Options) *models.Result {
	t.Helper()
	res, err := models.Build(context.Background(), db, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// columnsOf lists the columns of a query's result.
func columnsOf(t testing.TB, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	return cols
}
