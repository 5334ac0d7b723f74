package ingest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/kam-analytics/kam/ingest"
)

// load loads one file and checks what every load must satisfy: it did not
// fail, its counts reconcile, and the warehouse holds exactly the rows and
// quarantine entries it reports.
func load(t *testing.T, db *sql.DB, l *ingest.Loader, src ingest.Source, path string) ingest.FileResult {
	t.Helper()
	if err := src.Validate(); err != nil {
		t.Fatalf("Validate(%s): %v", src.Name, err)
	}
	res := l.LoadFile(context.Background(), &src, path)
	if res.Err != nil {
		t.Fatalf("LoadFile(%s): %v", path, res.Err)
	}
	checkCounts(t, db, res)
	return res
}

func checkCounts(t *testing.T, db *sql.DB, res ingest.FileResult) {
	t.Helper()
	if res.Status != ingest.StatusLoaded {
		return
	}
	if sum := res.Loaded + res.Replaced + res.Quarantined + res.Filtered; res.Read != sum {
		t.Errorf("%s: read %d != loaded %d + replaced %d + quarantined %d + filtered %d", res.File, res.Read, res.Loaded, res.Replaced, res.Quarantined, res.Filtered)
	}
	var rows, quarantined, runs int64
	if err := db.QueryRow("SELECT count(*) FROM main."+res.Entity+" WHERE _load_id = ?", res.LoadID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM meta.quarantine WHERE load_id = ?", res.LoadID).Scan(&quarantined); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM meta.load_runs WHERE load_id = ? AND rows_read = ? AND rows_loaded = ?
        AND rows_quarantined = ? AND rows_filtered = ? AND rows_replaced = ?`, res.LoadID, res.Read, res.Loaded, res.Quarantined, res.Filtered, res.Replaced).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if rows != res.Loaded || quarantined != res.Quarantined || runs != 1 {
		t.Errorf("%s: warehouse has %d rows and %d quarantined of load %d (load_runs match: %d), result says %d and %d",
			res.File, rows, quarantined, res.LoadID, runs, res.Loaded, res.Quarantined)
	}
}
