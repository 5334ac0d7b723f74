package models_test

import (
	"context"
	"testing"

	"github.com/kam-analytics/kam/models"
)

// An as-of query of a dated mart gives exactly what the build wrote for
// that date: the whole mart as of the build's date, and, for marts that keep
// a snapshot per month end, that snapshot as of an earlier month end.
func TestQueryAsOfMatchesBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated company")
	}
	db := generate(t, 20000)
	build(t, db, models.Options{AsOf: date(genAsOf)})
	for _, mart := range models.DatedMarts() {
		snapshots := columnsOf(t, db, "SELECT * FROM marts."+mart+" LIMIT 0")[0] == "as_of"
		days := []string{genAsOf}
		if snapshots {
			days = append(days, "2026-09-30", "2025-06-30")
		}
		for _, day := range days {
			q, err := models.QueryAsOf(context.Background(), db, mart, models.Options{AsOf: date(day)})
			if err != nil {
				t.Fatalf("%s as of %s: %v", mart, day, err)
			}
			built := "SELECT * FROM marts." + mart
			if snapshots {
				built += " WHERE as_of = DATE '" + day + "'"
			}
			got, want := fingerprintOf(t, db, q), fingerprintOf(t, db, built)
			// the canonical CSV company names every payer: no payment is left unmatched
			if got != want || want[:2] == "0 " && mart != "unmatched_payments" {
				t.Errorf("%s as of %s: query %s, built %s", mart, day, got, want)
			}
		}
	}
}
