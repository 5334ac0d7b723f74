package models_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kam-analytics/kam/models"
)

// @compression pins a column's method in the stored table, through full and
// incremental builds; a malformed annotation, or one on a view, is an error
// naming the file.
func TestCompressionPinned(t *testing.T) {
	db := loadFixture(t, "receivables")
	// client_id is left to DuckDB, which stores so few rows uncompressed
	assertStored := func() {
		t.Helper()
		if _, err := db.Exec("CHECKPOINT"); err != nil {
			t.Fatal(err)
		}
		assertRows(t, db, `SELECT DISTINCT column_name, compression FROM pragma_storage_info('core.core_receivable_applications')
            WHERE segment_type = 'VARCHAR' AND column_name IN ('credit_id', 'invoice_id', 'client_id') ORDER BY ALL`,
			[]string{"client_id Uncompressed", "credit_id FSST", "invoice_id FSST"})
	}
	build(t, db, models.Options{AsOf: date("2026-03-31")})
	assertStored()
	ingestDir(t, db, "receivables/corrections")
	build(t, db, models.Options{AsOf: date("2026-04-15")})
	assertStored()

	for _, tc := range []struct{ file, sql, wantErr string }{
		{"core/x.sql", "-- @compression: id zstd\nselect 1 as id", "core/x.sql: @compression: \"id zstd\""},
		{"core/x.sql", "-- @compression: id\nselect 1 as id", "core/x.sql: @compression: \"id\""},
		{"core/x.sql", "-- @materialize: view\n-- @compression: id fsst\nselect 1 as id", "core/x.sql: @compression: only a table"},
	} {
		_, _, err := models.Parse(fstest.MapFS{tc.file: {Data: []byte(tc.sql)}})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q: got error %v, want one containing %q", tc.sql, err, tc.wantErr)
		}
	}
}
