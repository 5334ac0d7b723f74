package models

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// createTableAs declares pinned columns with their method and refuses a
// pinned column the query does not return, naming it.
func TestCreateTableAsPinnedColumns(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := "SELECT 'INV-' || i AS \"invoice id\", i::DECIMAL(18, 4) AS amount FROM range(3) t(i)"
	if err := createTableAs(ctx, db, "main.pinned", query, []ColumnCompression{{"invoice id", "uncompressed"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	var typ, method string
	if err := db.QueryRow(`SELECT data_type FROM information_schema.columns WHERE table_name = 'pinned' AND column_name = 'amount'`).Scan(&typ); err != nil || typ != "DECIMAL(18,4)" {
		t.Errorf("amount is %q (%v), want DECIMAL(18,4)", typ, err)
	}
	if err := db.QueryRow(`SELECT compression FROM pragma_storage_info('main.pinned') WHERE column_name = 'invoice id' AND segment_type = 'VARCHAR'`).Scan(&method); err != nil || method != "Uncompressed" {
		t.Errorf("invoice id stored as %q (%v), want Uncompressed", method, err)
	}
	err = createTableAs(ctx, db, "main.other", query, []ColumnCompression{{"invoice_no", "fsst"}, {"amount", "uncompressed"}, {"client", "fsst"}})
	if err == nil || !strings.Contains(err.Error(), "@compression names client, invoice_no, which the model does not have") {
		t.Errorf("got %v", err)
	}
}
