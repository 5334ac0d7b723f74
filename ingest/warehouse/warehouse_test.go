package warehouse_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// openTemp opens a new warehouse in the test's temporary directory.
func openTemp(t *testing.T) *sql.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestTableExists(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.Exec("CREATE VIEW marts.a_view AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, c := range []struct {
		schema, name string
		want         bool
	}{
		{"main", "managers", true}, {"marts", "a_view", true}, {"meta", "quarantine", true},
		{"marts", "no_such_mart", false}, {"no_such_schema", "managers", false}, {"main", `x'; DROP TABLE main.managers; --`, false},
	} {
		// inside a transaction: a miss must leave it usable
		got, err := warehouse.TableExists(ctx, tx, c.schema, c.name)
		if err != nil || got != c.want {
			t.Errorf("TableExists(%q, %q) = %v, %v; want %v", c.schema, c.name, got, err, c.want)
		}
	}
	if ok, err := warehouse.TableExists(ctx, tx, "main", "managers"); !ok || err != nil {
		t.Errorf("after the look-ups the transaction cannot read: %v, %v", ok, err)
	}
}

// InsertRows writes every row exactly, across statements, NULLs and casts
// included, and refuses a row that does not fit the placeholders.
func TestInsertRows(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	if _, err := db.Exec("CREATE TABLE marts.t (id INTEGER, day DATE, amount DECIMAL(18,2), note VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for i := 1; i <= 1201; i++ { // three statements of at most 500 rows
		var note any
		if i%2 == 0 {
			note = "it's #" + strconv.Itoa(i)
		}
		rows = append(rows, []any{i, "2026-10-31", strconv.Itoa(i) + ".01", note})
	}
	if err := warehouse.InsertRows(ctx, db, "INSERT INTO marts.t VALUES", "(?, ?::DATE, ?::DECIMAL(18,2), ?)", rows); err != nil {
		t.Fatal(err)
	}
	var n, ids, notes int
	var sum, days string
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT id), sum(amount)::VARCHAR, count(note), string_agg(DISTINCT day::VARCHAR, ',')
        FROM marts.t WHERE note IS NULL OR note = 'it''s #' || id`).Scan(&n, &ids, &sum, &notes, &days); err != nil {
		t.Fatal(err)
	}
	// Σ i.01 for i = 1..1201 = 1201·1202/2 + 12.01
	if n != 1201 || ids != 1201 || sum != "721813.01" || notes != 600 || days != "2026-10-31" {
		t.Errorf("got %d rows, %d ids, sum %s, %d notes, days %s; want 1201, 1201, 721813.01, 600, 2026-10-31", n, ids, sum, notes, days)
	}
	err := warehouse.InsertRows(ctx, db, "INSERT INTO marts.t VALUES", "(?, ?::DATE, ?, ?)", [][]any{{1, "2026-10-31", "1"}})
	if err == nil || !strings.Contains(err.Error(), "row 1 has 3 values for 4 placeholders") {
		t.Errorf("a short row: got %v", err)
	}
}
