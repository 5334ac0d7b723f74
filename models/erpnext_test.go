package models_test

import (
	"context"
	"testing"

	"github.com/kam-analytics/kam/models"
)

// ERPNext's receivables-ageing scenarios (../shared/docs/erpnext-ageing-scenarios.md)
// restated in kam's rules (testdata/erpnext): an unnamed payment pays the oldest
// due debit instead of waiting as an advance, and a debit due on the as-of date is
// not due. Every client has payment terms of 0 days except RB1 (30). T = 2026-03-10.
//
//	R07 (A7)  a payment of 1000 with no invoice: an advance, balance -1000.
//	R09 (A9)  I09A 100 is paid by P09; RT09 credits I09A again: 100 overflows into
//	          the pool, which pays I09B (02-15). On 02-12 the 100 is an advance.
//	R12 (A12) a credit invoice of -100 names nothing: it pays 100 of I12 (300, due
//	          02-01): 200 open, 37 days on T.
//	R16 (A16) I16 100 due T is not due on T; RT16 (10, no invoice) takes it to 90;
//	          P16 (80, dated T+1) is not seen on T. On T+1: 100 - 80 - 10 = 10, 1 day.
//	R17 (A16) I17 100; P17 pays 110 on T+1: on T+1 the 10 over is an advance.
//	R28 (A28) I28 100 due 03-01, paid 99.99: 0.01 stays open (9 days on T).
//	R30 (A30) P30 40 (03-09) names I30 dated T+1: an advance on T, then 60 open.
//	RB1 (B1)  IB1 200 due 03-31; PB1A 50 names nothing (03-02: 150 open), PB1B 125
//	          names IB1 (03-05): 25 open, not due.
func TestReceivablesERPNextScenarios(t *testing.T) {
	ctx := context.Background()
	db := loadFixture(t, "erpnext")
	opt := models.Options{AsOf: date("2026-03-11")}
	build(t, db, opt)
	asOf := func(day string) string {
		t.Helper()
		o := opt
		o.AsOf = date(day)
		q, err := models.QueryAsOf(ctx, db, "receivables_ageing", o)
		if err != nil {
			t.Fatalf("QueryAsOf(receivables_ageing, %s): %v", day, err)
		}
		return "SELECT " + ageingCols + " FROM (" + q + ") ORDER BY client_id"
	}
	assertRows(t, db, asOf("2026-03-10"), []string{
		"2026-03-10 R07 M1 0.00 0.00 0.00 0.00 0.00 1000.00 -1000.00",
		"2026-03-10 R09 M1 0.00 0.00 0.00 0.00 0.00 0.00 0.00",
		"2026-03-10 R12 M1 0.00 0.00 200.00 0.00 0.00 0.00 200.00",
		"2026-03-10 R16 M1 90.00 0.00 0.00 0.00 0.00 0.00 90.00",
		"2026-03-10 R17 M1 100.00 0.00 0.00 0.00 0.00 0.00 100.00",
		"2026-03-10 R28 M1 0.00 0.01 0.00 0.00 0.00 0.00 0.01",
		"2026-03-10 R30 M1 0.00 0.00 0.00 0.00 0.00 40.00 -40.00",
		"2026-03-10 RB1 M1 25.00 0.00 0.00 0.00 0.00 0.00 25.00",
	})
	// T+1 is the build date: the built mart holds it.
	assertRows(t, db, "SELECT "+ageingCols+" FROM receivables_ageing WHERE as_of = '2026-03-11' ORDER BY client_id", []string{
		"2026-03-11 R07 M1 0.00 0.00 0.00 0.00 0.00 1000.00 -1000.00",
		"2026-03-11 R09 M1 0.00 0.00 0.00 0.00 0.00 0.00 0.00",
		"2026-03-11 R12 M1 0.00 0.00 200.00 0.00 0.00 0.00 200.00",
		"2026-03-11 R16 M1 0.00 10.00 0.00 0.00 0.00 0.00 10.00",
		"2026-03-11 R17 M1 0.00 0.00 0.00 0.00 0.00 10.00 -10.00",
		"2026-03-11 R28 M1 0.00 0.01 0.00 0.00 0.00 0.00 0.01",
		"2026-03-11 R30 M1 60.00 0.00 0.00 0.00 0.00 0.00 60.00",
		"2026-03-11 RB1 M1 25.00 0.00 0.00 0.00 0.00 0.00 25.00",
	})
	// Only R09 and R12 have documents by 02-12.
	assertRows(t, db, asOf("2026-02-12"), []string{
		"2026-02-12 R09 M1 0.00 0.00 0.00 0.00 0.00 100.00 -100.00",
		"2026-02-12 R12 M1 0.00 300.00 0.00 0.00 0.00 0.00 300.00",
	})
	assertRows(t, db, "SELECT * FROM ("+asOf("2026-03-03")+") WHERE client_id = 'RB1'", []string{
		"2026-03-03 RB1 M1 150.00 0.00 0.00 0.00 0.00 0.00 150.00",
	})
}
