package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
)

// The receivables fixture (testdata/receivables), hand-computed. Terms: A 30
// days, B 0, C 14, D 10, E 0; F and G share one INN.
//
//	A: INV-A1 01-10 1000 (due 01-10+30 = 02-09); INV-A2 02-05 500 (due 02-20 given);
//	   INV-A3 03-01 3000, corrected to 300 by a re-sent row (due 03-31).
//	   PAY-A1 02-01 400 names A1; PAY-A2 02-25 700 names A2: 500 settles it,
//	   200 overflows to the pool; PAY-A3 03-05 250 names nothing: pool.
//	B: PAY-B1 01-15 1000 names INV-B1, dated 01-20: an advance until 01-20, then
//	   800 settles B1 and 200 overflows; PAY-B2 01-25 100 unnamed; INV-B2 02-10 500;
//	   RET-B1 02-15 100 names no invoice: it reduces the oldest open one (pool).
//	C: INV-C1 01-05 700 (due 01-19); RET-C1 01-10 100 names C1; INV-C2 03-20 200 (due 04-03).
//	D: PAY-D1 02-10 150 has no client_id, INN 7701000004 = D's: pays INV-D1 02-01 150;
//	   PAY-D2 03-10 50, same INN, unnamed: an advance.
//	E: eight invoices with terms 0, due on their date; on 03-31 they are
//	   0, 1, 30, 31, 60, 61, 90 and 91 days overdue with amounts 1, 2, 4, ..., 128.
//	PAY-X1 (INN of no client) and PAY-X2 (INN of F and G) stay unmatched.
const ageingCols = `as_of, client_id, coalesce(manager_id, '-'), not_due::decimal(18,2), overdue_1_30::decimal(18,2),
    overdue_31_60::decimal(18,2), overdue_61_90::decimal(18,2), overdue_90_plus::decimal(18,2), advance::decimal(18,2), balance::decimal(18,2)`

func TestReceivablesAgeing(t *testing.T) {
	db := loadFixture(t, "receivables")
	opt := models.Options{AsOf: date("2026-04-15")}
	build(t, db, opt)

	// Snapshots: every month end from the first document's month (E90, E91 in
	// December 2025) to the last before as-of, and as-of.
	assertRows(t, db, `SELECT DISTINCT as_of FROM receivables_ageing ORDER BY 1`, []string{
		"2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-15",
	})
	assertRows(t, db, "SELECT "+ageingCols+" FROM receivables_ageing WHERE as_of <= '2026-03-31' ORDER BY as_of, client_id", []string{
		// 12-31: E90 is due today (0 days: not due), E91 1 day overdue.
		"2025-12-31 E M2 64.00 128.00 0.00 0.00 0.00 0.00 192.00",
		// 01-31: A1 due 02-09, not due. B: B1 settled by PAY-B1 on 01-20; pool = 200
		// overflow + 100 PAY-B2 = 300 with nothing open: advance 300. C1 700 - 100 = 600
		// is 12 days overdue. D has no document yet. E: E60, E61 1 and 2 days (16 + 32),
		// E90, E91 31 and 32 days (64 + 128).
		"2026-01-31 A M1 1000.00 0.00 0.00 0.00 0.00 0.00 1000.00",
		"2026-01-31 B M1 0.00 0.00 0.00 0.00 0.00 300.00 -300.00",
		"2026-01-31 C M2 0.00 600.00 0.00 0.00 0.00 0.00 600.00",
		"2026-01-31 E M2 0.00 48.00 192.00 0.00 0.00 0.00 240.00",
		// 02-28: A1 1000 - 400 named = 600, pool 200 (A2's overflow) → 400 open, 19 days.
		// B2 500 - pool 400 (200 + 100 + RET-B1 100) = 100, 18 days. C1 40 days.
		// D: D1 paid through the INN: 0. E: E31 is due today; E60/E61 29/30 days;
		// E90/E91 59/60 days.
		"2026-02-28 A M1 0.00 400.00 0.00 0.00 0.00 0.00 400.00",
		"2026-02-28 B M1 0.00 100.00 0.00 0.00 0.00 0.00 100.00",
		"2026-02-28 C M2 0.00 0.00 600.00 0.00 0.00 0.00 600.00",
		"2026-02-28 D M2 0.00 0.00 0.00 0.00 0.00 0.00 0.00",
		"2026-02-28 E M2 8.00 48.00 192.00 0.00 0.00 0.00 248.00",
		// 03-31: A pool = 200 + 250 = 450 goes to A1 first (due 02-09): 600 - 450 = 150,
		// 50 days; A3 (3000 before the correction) is due today. B2 49 days. C1 71 days,
		// C2 due 04-03. D: PAY-D2 50 is an advance. E: 0 days → not due (1); 1, 30 days
		// → 1-30 (2 + 4); 31, 60 → 31-60 (8 + 16); 61, 90 → 61-90 (32 + 64); 91 → 90+ (128).
		"2026-03-31 A M1 3000.00 0.00 150.00 0.00 0.00 0.00 3150.00",
		"2026-03-31 B M1 0.00 0.00 100.00 0.00 0.00 0.00 100.00",
		"2026-03-31 C M2 200.00 0.00 0.00 600.00 0.00 0.00 800.00",
		"2026-03-31 D M2 0.00 0.00 0.00 0.00 0.00 50.00 -50.00",
		"2026-03-31 E M2 1.00 6.00 24.00 96.00 128.00 0.00 255.00",
	})

	// The corrected INV-A3 (300 instead of 3000) replaces the old row.
	ingestDir(t, db, "receivables/corrections")
	build(t, db, opt)
	assertRows(t, db, "SELECT "+ageingCols+" FROM receivables_ageing WHERE as_of >= '2026-03-31' ORDER BY as_of, client_id", []string{
		"2026-03-31 A M1 300.00 0.00 150.00 0.00 0.00 0.00 450.00",
		"2026-03-31 B M1 0.00 0.00 100.00 0.00 0.00 0.00 100.00",
		"2026-03-31 C M2 200.00 0.00 0.00 600.00 0.00 0.00 800.00",
		"2026-03-31 D M2 0.00 0.00 0.00 0.00 0.00 50.00 -50.00",
		"2026-03-31 E M2 1.00 6.00 24.00 96.00 128.00 0.00 255.00",
		// 04-15: A1 65 days, A3 15 days; B2 64 days; C1 86 days, C2 12 days;
		// E: 15, 16 → 1-30 (1 + 2); 45, 46 → 31-60 (4 + 8); 75, 76 → 61-90 (16 + 32);
		// 105, 106 → 90+ (64 + 128).
		"2026-04-15 A M1 0.00 300.00 0.00 150.00 0.00 0.00 450.00",
		"2026-04-15 B M1 0.00 0.00 0.00 100.00 0.00 0.00 100.00",
		"2026-04-15 C M2 0.00 200.00 0.00 600.00 0.00 0.00 800.00",
		"2026-04-15 D M2 0.00 0.00 0.00 0.00 0.00 50.00 -50.00",
		"2026-04-15 E M2 0.00 3.00 12.00 48.00 192.00 0.00 255.00",
	})
	assertRows(t, db, `SELECT as_of, client_id, document_id, amount::decimal(18,2), applied_named_amount::decimal(18,2),
            applied_pool_amount::decimal(18,2), open_amount::decimal(18,2), due_date, days_overdue, bucket
        FROM receivables_open_invoices WHERE as_of = '2026-03-31' AND client_id IN ('A', 'B') ORDER BY ALL`, []string{
		"2026-03-31 A INV-A1 1000.00 400.00 450.00 150.00 2026-02-09 50 overdue_31_60",
		"2026-03-31 A INV-A3 300.00 0.00 0.00 300.00 2026-03-31 0 not_due",
		"2026-03-31 B INV-B2 500.00 0.00 400.00 100.00 2026-02-10 49 overdue_31_60",
	})
	assertRows(t, db, `SELECT payment_id, payer_inn, amount::decimal(18,2), reason FROM unmatched_payments ORDER BY 1`, []string{
		"PAY-X1 7799999999 1234.56 unmatched_inn",
		"PAY-X2 7701000099 99.00 ambiguous_inn",
	})

	// DSO on 03-31 = balance / billed in the 90 days after 12-31 × 90:
	// A 450 / (1000 + 500 + 300) × 90 = 22.5; B 100 / 1300 × 90 = 6.92; C 800 / 900 × 90 = 80;
	// D balance -50 → 0; E 255 / 63 (E90, E91 fall on or before 12-31) × 90 = 364.29;
	// M1 (A, B) 550 / 3100 × 90 = 15.97; M2 (C, D, E) 1005 / 1113 × 90 = 81.27;
	// company 1555 / 4213 × 90 = 33.22.
	assertRows(t, db, `SELECT level, coalesce(manager_id, '-'), coalesce(client_id, '-'), balance::decimal(18,2), billed_90d::decimal(18,2), dso_days
        FROM receivables_dso WHERE as_of = '2026-03-31' ORDER BY level, 2, 3`, []string{
		"client M1 A 450.00 1800.00 22.5",
		"client M1 B 100.00 1300.00 6.9",
		"client M2 C 800.00 900.00 80.0",
		"client M2 D -50.00 150.00 0.0",
		"client M2 E 255.00 63.00 364.3",
		"company - - 1555.00 4213.00 33.2",
		"manager M1 - 550.00 3100.00 16.0",
		"manager M2 - 1005.00 1113.00 81.3",
	})

	// Credit control. 01-31: A owes exactly its limit 1000 (utilisation 1, not over);
	// C owes 600 against 500 (1.2, over); C1 is 12 days past due and 26 days old,
	// beyond C's tolerance of 14 + 7 = 21 days. 02-28: A1 is 19 days past due and
	// 49 days old > 30 + 7.
	assertRows(t, db, `SELECT as_of, client_id, utilisation, oldest_overdue_days, oldest_overdue_age_days, tolerance_days, is_over_limit, is_beyond_tolerance
        FROM credit_control WHERE as_of IN ('2026-01-31', '2026-02-28') AND client_id IN ('A', 'C') ORDER BY ALL`, []string{
		"2026-01-31 A 1.0000 0 0 37 false false",
		"2026-01-31 C 1.2000 12 26 21 true true",
		"2026-02-28 A 0.4000 19 49 37 false true",
		"2026-02-28 C 1.2000 40 54 21 true true",
	})
}

func TestReceivablesAsOfAnyDate(t *testing.T) {
	ctx := context.Background()
	db := loadFixture(t, "receivables")
	ingestDir(t, db, "receivables/corrections")
	opt := models.Options{AsOf: date("2026-04-15")}
	build(t, db, opt)
	before := rowsOf(t, db, "SELECT count(*), sum(balance) FROM receivables_ageing")

	asOf := func(mart, day string, o models.Options) string {
		t.Helper()
		o.AsOf = date(day)
		q, err := models.QueryAsOf(ctx, db, mart, o)
		if err != nil {
			t.Fatalf("QueryAsOf(%s, %s): %v", mart, day, err)
		}
		return q
	}
	// 02-20: A1 600 is 11 days overdue, A2 500 due today. B: pool 200 + 100 + 100
	// leaves 100 of B2 (10 days). C1 32 days. D1 paid on 02-10. E31 is not invoiced yet;
	// E60/E61 21/22 days, E90/E91 51/52 days.
	assertRows(t, db, "SELECT "+ageingCols+" FROM ("+asOf("receivables_ageing", "2026-02-20", opt)+") ORDER BY client_id", []string{
		"2026-02-20 A M1 500.00 600.00 0.00 0.00 0.00 0.00 1100.00",
		"2026-02-20 B M1 0.00 100.00 0.00 0.00 0.00 0.00 100.00",
		"2026-02-20 C M2 0.00 0.00 600.00 0.00 0.00 0.00 600.00",
		"2026-02-20 D M2 0.00 0.00 0.00 0.00 0.00 0.00 0.00",
		"2026-02-20 E M2 0.00 48.00 192.00 0.00 0.00 0.00 240.00",
	})
	// 01-17: PAY-B1 came before INV-B1 (01-20): B has an advance of 1000 and nothing
	// open. A1 is not due until 02-09; C1 (600 after RET-C1) until 01-19.
	assertRows(t, db, "SELECT "+ageingCols+" FROM ("+asOf("receivables_ageing", "2026-01-17", opt)+") ORDER BY client_id", []string{
		"2026-01-17 A M1 1000.00 0.00 0.00 0.00 0.00 0.00 1000.00",
		"2026-01-17 B M1 0.00 0.00 0.00 0.00 0.00 1000.00 -1000.00",
		"2026-01-17 C M2 600.00 0.00 0.00 0.00 0.00 0.00 600.00",
		"2026-01-17 E M2 0.00 192.00 0.00 0.00 0.00 0.00 192.00",
	})
	// A month end computed on demand equals the built snapshot.
	assertRows(t, db, "SELECT "+ageingCols+" FROM ("+asOf("receivables_ageing", "2026-03-31", opt)+") ORDER BY client_id",
		rowsOf(t, db, "SELECT "+ageingCols+" FROM receivables_ageing WHERE as_of = '2026-03-31' ORDER BY client_id"))

	// Other bucket limits rename and reorder the columns: [15, 45] on 03-31 for E:
	// 0 days → not due 1; 1 → 1-15 (2); 30, 31 → 16-45 (4 + 8); 60..91 → 45+ (240).
	custom := opt
	custom.AgeingBuckets = []int{15, 45}
	q := asOf("receivables_ageing", "2026-03-31", custom)
	if got, want := strings.Join(columnsOf(t, db, q), ","), "as_of,client_id,client_name,manager_id,not_due,overdue_1_15,overdue_16_45,overdue_45_plus,advance,balance"; got != want {
		t.Errorf("receivables_ageing columns with buckets [15, 45] = %s, want %s", got, want)
	}
	assertRows(t, db, "SELECT client_id, not_due::decimal(18,2), overdue_1_15::decimal(18,2), overdue_16_45::decimal(18,2), overdue_45_plus::decimal(18,2) FROM ("+q+") WHERE client_id = 'E'",
		[]string{"E 1.00 2.00 12.00 240.00"})

	// Ageing by invoice date on 03-31: A1 80 days since 01-10, A3 30 days;
	// C1 85 days, C2 11 days.
	byInvoice := opt
	byInvoice.AgeingBasis = "invoice_date"
	assertRows(t, db, "SELECT "+ageingCols+" FROM ("+asOf("receivables_ageing", "2026-03-31", byInvoice)+") WHERE client_id IN ('A', 'C') ORDER BY client_id", []string{
		"2026-03-31 A M1 0.00 300.00 0.00 150.00 0.00 0.00 450.00",
		"2026-03-31 C M2 0.00 200.00 0.00 600.00 0.00 0.00 800.00",
	})

	// The open invoices and credit control as of a date work the same way.
	assertRows(t, db, "SELECT client_id, document_id, open_amount::decimal(18,2), bucket FROM ("+asOf("receivables_open_invoices", "2026-02-20", opt)+") WHERE client_id IN ('A', 'B') ORDER BY ALL", []string{
		"A INV-A1 600.00 overdue_1_30",
		"A INV-A2 500.00 not_due",
		"B INV-B2 100.00 overdue_1_30",
	})
	if _, err := models.QueryAsOf(ctx, db, "credit_control", models.Options{AsOf: date("2026-02-20")}); err != nil {
		t.Errorf("QueryAsOf(credit_control): %v", err)
	}
	// Payments after the date are not known yet: PAY-X2 came on 02-13.
	assertRows(t, db, "SELECT payment_id FROM ("+asOf("unmatched_payments", "2026-02-12", opt)+")", []string{"PAY-X1"})
	if _, err := models.QueryAsOf(ctx, db, "core_receivables_allocation", models.Options{AsOf: date("2026-02-20")}); err == nil {
		t.Error("QueryAsOf(core_receivables_allocation) succeeded, want an error: it is no mart")
	}

	// Nothing built was touched.
	if after := rowsOf(t, db, "SELECT count(*), sum(balance) FROM receivables_ageing"); strings.Join(after, "") != strings.Join(before, "") {
		t.Errorf("receivables_ageing after QueryAsOf = %v, want %v", after, before)
	}
}

// The as-of query runs on a read-only warehouse (kam export opens one) and
// needs no session variables.
func TestReceivablesAsOfReadOnly(t *testing.T) {
	ctx := context.Background()
	db := loadFixture(t, "receivables")
	build(t, db, models.Options{AsOf: date("2026-04-15")})
	var path string
	if err := db.QueryRow("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").Scan(&path); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := warehouse.Open(ctx, path, warehouse.Settings{Threads: 2, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	q, err := models.QueryAsOf(ctx, ro, "receivables_ageing", models.Options{AsOf: date("2026-02-20")})
	if err != nil {
		t.Fatal(err)
	}
	assertRows(t, ro, "SELECT client_id, balance::decimal(18,2) FROM ("+q+") ORDER BY 1", []string{
		"A 1100.00", "B 100.00", "C 600.00", "D 0.00", "E 240.00",
	})
}

// The overdue tolerance is payment terms + overdue_grace_days: C1 (terms 14)
// is 26 days old on 01-31, beyond 14 + 0 and 14 + 7 but within 14 + 30.
func TestCreditControlGraceDays(t *testing.T) {
	for _, c := range []struct {
		grace int
		want  string
	}{{0, "C 14 true"}, {7, "C 21 true"}, {30, "C 44 false"}} {
		db := loadFixture(t, "receivables")
		grace := c.grace
		build(t, db, models.Options{AsOf: date("2026-01-31"), OverdueGraceDays: &grace})
		assertRows(t, db, "SELECT client_id, tolerance_days, is_beyond_tolerance FROM credit_control WHERE as_of = '2026-01-31' AND client_id = 'C'", []string{c.want})
	}
}

// A warehouse built by a kam without the SQL functions the models call
// gets an as-of query refused with what to do, not DuckDB's catalog error.
func TestAsOfNeedsTheBuildsFunctions(t *testing.T) {
	db := loadFixture(t, "receivables")
	build(t, db, models.Options{AsOf: date("2026-04-15")})
	if _, err := db.Exec("DROP MACRO main.kam_ratio4"); err != nil {
		t.Fatal(err)
	}
	_, err := models.QueryAsOf(context.Background(), db, "credit_control", models.Options{AsOf: date("2026-02-20")})
	if err == nil || !strings.Contains(err.Error(), "run `kam build` first") {
		t.Errorf("QueryAsOf without kam_ratio4: %v, want an error saying to run kam build", err)
	}
}

// Other ageing settings on a built warehouse: the next build ages the open
// items by them (core_receivables_open_items reads them from
// core_ageing_buckets, not from the build's variables) and gives what a full
// build with those settings gives. [15, 45] by invoice date on 03-31: E's
// items are 0..91 days old → not due 1; 1 → 1-15 (2); 30, 31 → 16-45
// (4 + 8); 60..91 → 45+ (240).
func TestAgeingSettingsChangeAfterBuild(t *testing.T) {
	db := loadFixture(t, "receivables")
	opt := models.Options{AsOf: date("2026-04-15")}
	build(t, db, opt)
	opt.AgeingBuckets, opt.AgeingBasis = []int{15, 45}, "invoice_date"
	build(t, db, opt)
	assertRows(t, db, "SELECT client_id, not_due::decimal(18,2), overdue_1_15::decimal(18,2), overdue_16_45::decimal(18,2), overdue_45_plus::decimal(18,2) FROM receivables_ageing WHERE as_of = '2026-03-31' AND client_id = 'E'",
		[]string{"E 1.00 2.00 12.00 240.00"})
	queries := []string{
		"SELECT * FROM receivables_ageing ORDER BY ALL",
		"SELECT * FROM receivables_open_invoices ORDER BY ALL",
		"SELECT * FROM credit_control ORDER BY ALL",
	}
	var incremental [][]string
	for _, q := range queries {
		incremental = append(incremental, rowsOf(t, db, q))
	}
	opt.Full = true
	build(t, db, opt)
	for i, q := range queries {
		if full := rowsOf(t, db, q); strings.Join(full, "\n") != strings.Join(incremental[i], "\n") {
			t.Errorf("%s after the settings changed differs from a full build:\n%s\nwant\n%s", q, strings.Join(incremental[i], "\n"), strings.Join(full, "\n"))
		}
	}
}
