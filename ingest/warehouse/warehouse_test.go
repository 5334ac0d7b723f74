package warehouse_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

func TestTableExists(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
