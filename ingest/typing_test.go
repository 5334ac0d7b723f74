package ingest

import (
	"database/sql"
	"testing"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// TestTypedSelectValues pins how SQL types one value of each type: what it
// accepts (and as what) and why it rejects the rest.
func TestTypedSelectValues(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ru := Source{Name: "ru", Decimal: ",", Thousands: " ", DateFormat: "%d.%m.%Y"}
	for _, tc := range []struct {
		src         Source
		typ         wh.Type
		in          string
		want, error string
	}{
		{Source{}, wh.Int, "30", "30", ""},
		{Source{}, wh.Int, "30.0", "30", ""},
		{Source{}, wh.Int, " 007 ", "7", ""},
		{Source{}, wh.Int, "1.5", "", `v "1.5" is not a whole number`},
		{Source{}, wh.Int, "0x10", "", `v "0x10" is not a whole number`},
		{Source{}, wh.Int, "1e3", "", `v "1e3" is not a whole number`},
		{Source{}, wh.Decimal, "1.23450", "1.2345", ""},
		{Source{}, wh.Decimal, "-.5", "-0.5000", ""},
		{Source{}, wh.Decimal, "1.23456", "", `v "1.23456" has more than 4 decimal places`},
		{Source{}, wh.Decimal, "1e3", "", `v "1e3" is not a number`},
		{Source{}, wh.Decimal, "1_000", "", `v "1_000" is not a number`},
		{Source{}, wh.Decimal, "100000000000000", "", `v "100000000000000" is not a number`},
		{ru, wh.Decimal, "1\u00a0234\u202f567,8", "1234567.8000", ""},
		{ru, wh.Decimal, "1.5", "1.5000", ""},
		{Source{}, wh.Date, "2026-01-31T10:00:00+03:00", "2026-01-31", ""},
		{Source{}, wh.Date, "infinity", "", `v "infinity" is not a date (expected YYYY-MM-DD)`},
		{Source{}, wh.Date, "epoch", "", `v "epoch" is not a date (expected YYYY-MM-DD)`},
		{ru, wh.Date, "1.2.2026", "2026-02-01", ""},
		{ru, wh.Date, "2026-02-01 00:00:00", "2026-02-01", ""},
		{ru, wh.Date, "Infinity", "", `v "Infinity" is not a date (expected %d.%m.%Y)`},
		{Source{}, wh.Bool, "Да", "true", ""},
		{Source{}, wh.Bool, "maybe", "", `v "maybe" is not true/false`},
		{Source{}, wh.Text, "\u00a0 a b\u3000", "a b", ""},
		{Source{}, wh.Text, " ", "", "v is required"},
	} {
		ent := &wh.Entity{Name: "t", Key: []string{"v"}, Fields: []wh.Field{{Name: "v", Type: tc.typ, Required: true}}}
		q, err := typedSelect(&tc.src, ent, staged{relation: "(SELECT 1::BIGINT AS _rank, 1::BIGINT AS _line, ?::VARCHAR AS v)", columns: []string{"v"}})
		if err != nil {
			t.Fatal(err)
		}
		var got, reason sql.NullString
		if err := db.QueryRow("SELECT v::VARCHAR, _reason FROM ("+q+")", tc.in).Scan(&got, &reason); err != nil {
			t.Fatalf("%s %q: %v", tc.typ, tc.in, err)
		}
		if tc.error != "" {
			if reason.String != tc.error {
				t.Errorf("%s %q (source %q): reason %q, want %q", tc.typ, tc.in, tc.src.Name, reason.String, tc.error)
			}
			continue
		}
		if reason.Valid || got.String != tc.want {
			t.Errorf("%s %q (source %q) = %q (reason %q), want %q", tc.typ, tc.in, tc.src.Name, got.String, reason.String, tc.want)
		}
	}
}
