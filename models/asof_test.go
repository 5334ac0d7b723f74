package models_test

import (
	"context"
	"errors"
	"strings"
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

// An as-of query mixes live data with built tables, so it refuses to run
// when data was loaded since the last build: the new payment would reach
// some models and not others.
func TestQueryAsOfRefusesUnbuiltData(t *testing.T) {
	db := loadFixture(t, "receivables")
	build(t, db, models.Options{AsOf: date("2026-03-31")})
	if _, err := models.QueryAsOf(context.Background(), db, "receivables_ageing", models.Options{AsOf: date("2026-03-31")}); err != nil {
		t.Fatalf("QueryAsOf after the build: %v", err)
	}
	// a note the receivables do not read changes nothing for them
	ingestCSV(t, db, "competitor_notes", "noted_on,client_id,category,competitor,share_pct\n2026-03-30,A,Food,Rival,20\n")
	if _, err := models.QueryAsOf(context.Background(), db, "receivables_ageing", models.Options{AsOf: date("2026-03-31")}); err != nil {
		t.Errorf("QueryAsOf after a competitor note: %v", err)
	}
	ingestCSV(t, db, "payments", "payment_id,paid_on,client_id,amount\nPAY-N,2026-03-30,A,100\n")
	_, err := models.QueryAsOf(context.Background(), db, "receivables_ageing", models.Options{AsOf: date("2026-03-31")})
	if !errors.Is(err, models.ErrNotBuilt) || !strings.Contains(err.Error(), "payments changed since the last build, so run `kam build` first") {
		t.Errorf("QueryAsOf after a load: %v, want an error asking for kam build", err)
	}
}
