package models_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/kam-analytics/kam/models"
)

// @compression pins a column's method in the stored table, through full and
// incremental builds; a method or a column the model does not have is an
// error naming the file.
func TestCompressionPinned(t *testing.T) {
	db := loadFixture(t, "receivables")
	storedAs := func() []string {
		t.Helper()
		if _, err := db.Exec("CHECKPOINT"); err != nil {
			t.Fatal(err)
		}
		return rowsOf(t, db, `SELECT DISTINCT column_name, compression FROM pragma_storage_info('core.core_receivable_applications')
            WHERE segment_type = 'VARCHAR' AND column_name IN ('credit_id', 'invoice_id', 'client_id') ORDER BY ALL`)
	}
	build(t, db, models.Options{AsOf: date("2026-03-31")})
	// client_id is left to DuckDB, which stores so few rows uncompressed
	want := []string{"client_id Uncompressed", "credit_id FSST", "invoice_id FSST"}
	if got := storedAs(); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("after a full build: %q, want %q", got, want)
	}
	ingestDir(t, db, "receivables/corrections")
	build(t, db, models.Options{AsOf: date("2026-04-15")})
	if got := storedAs(); strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("after an incremental build: %q, want %q", got, want)
	}

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
