package models_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/models"
)

func TestBuildBasic(t *testing.T) {
	db := loadFixture(t, "basic")
	res, err := models.Build(context.Background(), db, models.Options{AsOf: date("2026-10-25")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Checks == 0 {
		t.Error("no checks ran")
	}
	// The build log has a row per model with the rows it wrote.
	assertRows(t, db, `SELECT count(*), count(DISTINCT model), sum(rows) FILTER (WHERE model = 'sales_monthly') FROM meta.build_log WHERE build_id = `+strconv.FormatInt(res.BuildID, 10),
		[]string{strconv.Itoa(len(res.Models)) + " " + strconv.Itoa(len(res.Models)) + " 6"})
	// Hand-computed: C2 moved from M1 to M2 on 2026-10-16 (exclusive valid_to);
	// O4 names M1 itself; R1 returns 100 of C1's cheese.
	assertRows(t, db, `SELECT month, client_id, category, manager_id, shipped_amount::decimal(18,2), returns_amount::decimal(18,2), net_sales::decimal(18,2), orders, lines
        FROM sales_monthly ORDER BY ALL`, []string{
		"2026-09-01 C3 Food M2 200.00 0.00 200.00 1 1",
		"2026-10-01 C1 Drinks M1 80.00 0.00 80.00 1 1",
		"2026-10-01 C1 Food M1 1000.00 100.00 900.00 1 1",
		"2026-10-01 C2 Drinks M1 30.00 0.00 30.00 1 1",
		"2026-10-01 C2 Food M1 300.00 0.00 300.00 1 1",
		"2026-10-01 C2 Food M2 150.00 0.00 150.00 1 1",
	})
	// Sales M1 Oct = 900 + 80 + 300 + 30 = 1310 of 2000 → 0.655; run-rate 1310 × 31/25 = 1624.40;
	// the year runs 365 days of which 298 have passed on 2026-10-25: 1310 × 365/298 = 1604.53. The year's
	// target covers the whole year, but only October has a plan: missing_target.
	// Active at 2026-10-25 (window from 2026-07-28): C1 → M1; C2 (now M2), C3 → M2.
	// New: C1 and C2 first shipped in October while with M1; C3 in September with M2.
	assertRows(t, db, `SELECT level, coalesce(manager_id, team, '*'), period, kpi, target::decimal(18,2), actual::decimal(18,2), attainment, projected::decimal(18,2), flags
        FROM plan_fulfilment WHERE period IN ('2026-09', '2026-10', '2026') AND level <> 'team' ORDER BY level, 2, period, kpi`, []string{
		"company * 2026 active_clients 4.00 3.00 0.7500 3.00 missing_target",
		"company * 2026 new_clients 1.00 3.00 3.0000 3.67 missing_target",
		"company * 2026 sales 3000.00 1660.00 0.5533 2033.22 missing_target",
		"company * 2026-09 active_clients  1.00  1.00 missing_target",
		"company * 2026-09 new_clients  1.00  1.00 missing_target",
		"company * 2026-09 sales  200.00  200.00 missing_target",
		"company * 2026-10 active_clients 4.00 3.00 0.7500 3.00 ",
		"company * 2026-10 new_clients 1.00 2.00 2.0000 2.48 missing_target",
		"company * 2026-10 sales 3000.00 1460.00 0.4867 1810.40 ",
		"manager M1 2026 active_clients 2.00 1.00 0.5000 1.00 missing_target",
		"manager M1 2026 new_clients 1.00 2.00 2.0000 2.45 missing_target",
		"manager M1 2026 sales 2000.00 1310.00 0.6550 1604.53 missing_target",
		"manager M1 2026-10 active_clients 2.00 1.00 0.5000 1.00 ",
		"manager M1 2026-10 new_clients 1.00 2.00 2.0000 2.48 ",
		"manager M1 2026-10 sales 2000.00 1310.00 0.6550 1624.40 ",
		"manager M2 2026 active_clients 2.00 2.00 1.0000 2.00 missing_target",
		"manager M2 2026 new_clients  1.00  1.22 missing_target",
		"manager M2 2026 sales 1000.00 350.00 0.3500 428.69 missing_target",
		"manager M2 2026-09 active_clients  1.00  1.00 missing_target",
		"manager M2 2026-09 new_clients  1.00  1.00 missing_target",
		"manager M2 2026-09 sales  200.00  200.00 missing_target",
		"manager M2 2026-10 active_clients 2.00 2.00 1.0000 2.00 ",
		"manager M2 2026-10 new_clients  0.00  0.00 missing_target",
		"manager M2 2026-10 sales 1000.00 150.00 0.1500 186.00 ",
	})
}

func TestBuildFailingCheckKeepsPreviousMarts(t *testing.T) {
	db := loadFixture(t, "basic")
	if _, err := models.Build(context.Background(), db, models.Options{AsOf: date("2026-10-25")}); err != nil {
		t.Fatal(err)
	}
	before := rowsOf(t, db, "SELECT count(*) FROM sales_monthly")
	// An overlapping assignment would count C1's sales twice.
	if _, err := db.Exec("INSERT INTO client_assignments (client_id, manager_id, valid_from) VALUES ('C1', 'M2', DATE '2026-06-01')"); err != nil {
		t.Fatal(err)
	}
	_, err := models.Build(context.Background(), db, models.Options{AsOf: date("2026-10-25")})
	var ce *models.CheckError
	if !errors.As(err, &ce) || ce.Check != "chk_assignments__no_overlap" || !strings.Contains(err.Error(), "C1") {
		t.Fatalf("Build with overlapping assignments: %v, want check chk_assignments__no_overlap naming C1", err)
	}
	if after := rowsOf(t, db, "SELECT count(*) FROM sales_monthly"); after[0] != before[0] {
		t.Errorf("sales_monthly rows after failed build = %s, want %s (unchanged)", after[0], before[0])
	}
}

// Progress names every model in build order, then the checks, publish and
// the checkpoint, counting up to a fixed total; a rebuild reports the same
// steps, skipped models included.
func TestBuildReportsProgress(t *testing.T) {
	db := loadFixture(t, "basic")
	for _, round := range []string{"first build", "nothing changed"} {
		var steps []string
		next := 0
		opt := models.Options{AsOf: date("2026-10-25"), Progress: func(done, total int, step string) {
			if done != next {
				t.Errorf("%s: step %q reported as done %d, want %d", round, step, done, next)
			}
			next++
			steps = append(steps, step+" "+strconv.Itoa(total))
		}}
		res := build(t, db, opt)
		var want []string
		total := strconv.Itoa(len(res.Models) + 3)
		for _, m := range res.Models {
			want = append(want, "model "+m.Name+" "+total)
		}
		want = append(want, "checks "+total, "publish "+total, "checkpoint "+total)
		if strings.Join(steps, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: progress steps\n%s\nwant\n%s", round, strings.Join(steps, "\n"), strings.Join(want, "\n"))
		}
	}
}

// On a month end the month is over but its quarter and year are not: they
// stay in progress and get a run-rate (before, a quarter took "in progress"
// from its months and showed October's 31 days as the whole of Q4). The
// basic fixture as of 2026-10-31: M1's sales 1310; Q4 has 92 days, 31
// passed: 1310 × 92 / 31 = 3887.74; the year 365, 304 passed: 1572.86.
func TestPlanFulfilmentAtMonthEnd(t *testing.T) {
	db := loadFixture(t, "basic")
	build(t, db, models.Options{AsOf: date("2026-10-31")})
	assertRows(t, db, `SELECT period, is_in_progress, actual::decimal(18,2), projected::decimal(18,2)
        FROM plan_fulfilment WHERE level = 'manager' AND manager_id = 'M1' AND kpi = 'sales' AND period IN ('2026', '2026-10', '2026-Q4') ORDER BY period`, []string{
		"2026 true 1310.00 1572.86",
		"2026-10 false 1310.00 1310.00",
		"2026-Q4 true 1310.00 3887.74",
	})
}

// A build that commits core tables model by model (not one transaction:
// here a client's payment terms changed, so the receivables are rebuilt in
// full) and is interrupted leaves them as of its date. The next build must
// not trust them: as of the last published date again, the sales are still
// those up to 10-15 (see TestBuildAsOfLeavesOutLaterEvents).
func TestInterruptedBuildIsNotTrusted(t *testing.T) {
	db := loadFixture(t, "basic")
	build(t, db, models.Options{AsOf: date("2026-10-15")})
	ingestCSV(t, db, "clients", "client_id,name,segment,payment_terms_days\nC3,ИП Гамма,Розница,14\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := models.Build(ctx, db, models.Options{AsOf: date("2026-10-31"), Progress: func(_, _ int, step string) {
		if step == "model activity_monthly" { // the first mart: every core table is written
			cancel()
		}
	}})
	if err == nil {
		t.Fatal("the interrupted build succeeded")
	}
	assertRows(t, db, `SELECT max(event_date) FROM core.core_sales_daily`, []string{"2026-10-21"}) // it did write in place
	build(t, db, models.Options{AsOf: date("2026-10-15")})
	assertRows(t, db, `SELECT month, client_id, category, manager_id, net_sales::decimal(18,2) FROM sales_monthly ORDER BY ALL`, []string{
		"2026-09-01 C3 Food M2 200.00",
		"2026-10-01 C1 Drinks M1 80.00",
		"2026-10-01 C1 Food M1 1000.00",
		"2026-10-01 C2 Food M1 300.00",
	})
	assertRows(t, db, `SELECT max(event_date) FROM core.core_sales_daily`, []string{"2026-10-15"})
}

// After such a build, a row it applied in place may come back with another
// date: the payment PAY-Z of 2026-01-20 is applied to the receivables, the
// build is interrupted, and PAY-Z is re-sent dated 2026-03-20. Planned from
// the last published build, PAY-Z looks like a new row of 03-20 and its old
// application would stay: the build after an unpublished one rebuilds
// everything, and equals a full build.
func TestInterruptedBuildThenCorrectedRow(t *testing.T) {
	db := loadFixture(t, "receivables")
	opt := models.Options{AsOf: date("2026-03-31")}
	build(t, db, opt)
	ingestCSV(t, db, "payments", "payment_id,paid_on,client_id,amount\nPAY-Z,2026-01-20,A,100\n")
	ingestCSV(t, db, "client_assignments", "client_id,manager_id,valid_from\nQ,M1,2026-01-01\n") // not one transaction
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := models.Build(ctx, db, models.Options{AsOf: opt.AsOf, Progress: func(_, _ int, step string) {
		if step == "model activity_monthly" {
			cancel()
		}
	}}); err == nil {
		t.Fatal("the interrupted build succeeded")
	}
	ingestCSV(t, db, "payments", "payment_id,paid_on,client_id,amount\nPAY-Z,2026-03-20,A,100\n")
	if res := build(t, db, opt); !res.Recovered {
		t.Error("the build after an unpublished one did not rebuild everything")
	}
	after := fingerprints(t, db)
	build(t, db, models.Options{AsOf: opt.AsOf, Full: true})
	for name, want := range fingerprints(t, db) {
		if after[name] != want {
			t.Errorf("%s after the interrupted build: %s, a full build: %s", name, after[name], want)
		}
	}
}

// A quarter or year in progress is measured against the plan of its whole
// window: the months still to come count, as they are planned in advance.
// The basic fixture plus M1's plans for November (1500), December (500)
// and 2026-Q2 (999), as of 2026-10-25: Q4's target 2000 + 1500 + 500 =
// 4000, complete; 1310 / 4000 = 0.3275, run-rate 1310 × 92/25 = 4820.80.
// The year: Q2's own plan + Q4 = 4999, Q1 and Q3 have none: missing_target;
// 1310 / 4999 = 0.26205… → 0.2621.
func TestPlanTargetCoversTheWholeWindow(t *testing.T) {
	db := loadFixture(t, "basic")
	ingestCSV(t, db, "plans", "manager_id,period,kpi,target\nM1,2026-11,sales,1500\nM1,2026-12,sales,500\nM1,2026-Q2,sales,999\n")
	build(t, db, models.Options{AsOf: date("2026-10-25")})
	assertRows(t, db, `SELECT period, target::decimal(18,2), actual::decimal(18,2), attainment, projected::decimal(18,2), flags
        FROM plan_fulfilment WHERE level = 'manager' AND manager_id = 'M1' AND kpi = 'sales' AND period_kind <> 'month' ORDER BY period`, []string{
		"2026 4999.00 1310.00 0.2621 1604.53 missing_target",
		"2026-Q2 999.00 0.00 0.0000 0.00 ",
		"2026-Q4 4000.00 1310.00 0.3275 4820.80 ",
	})

	// Hired on 2026-10-02, M1 owes no plan for the months before: nothing is missing.
	ingestCSV(t, db, "managers", "manager_id,name,team,hired_on,variable_target\nM1,Иванов Иван,North,2026-10-02,50000\n")
	build(t, db, models.Options{AsOf: date("2026-10-25")})
	assertRows(t, db, `SELECT period, target::decimal(18,2), flags
        FROM plan_fulfilment WHERE level = 'manager' AND manager_id = 'M1' AND kpi = 'sales' AND period_kind = 'year'`, []string{
		"2026 4999.00 ",
	})
}

// An assignment that ends where it starts covers no day: it is how a wrong
// one is withdrawn (a key cannot be deleted), not an overlap. The basic
// fixture plus C1 → M2 from 2026-10-10 to 2026-10-10 (inside C1's
// assignment to M1) builds, and C1's sales stay M1's.
func TestEmptyAssignmentIsNoOverlap(t *testing.T) {
	db := loadFixture(t, "basic")
	ingestCSV(t, db, "client_assignments", "client_id,manager_id,valid_from,valid_to\nC1,M2,2026-10-10,2026-10-10\nC1,M2,2026-10-20,2026-10-12\n")
	build(t, db, models.Options{AsOf: date("2026-10-25")})
	assertRows(t, db, `SELECT DISTINCT manager_id FROM sales_monthly WHERE client_id = 'C1'`, []string{"M1"})
}

// As of a date the marts know nothing that happened after it, even in the
// date's own month. The basic fixture as of 2026-10-15: M1 has C1's
// shipments of 10-02 (1000 + 80) and C2's of 10-15 (300); C2's shipment of
// 10-16 (now M2's), O4 of 10-21 and the return R1 of 10-20 come later.
// M1's October: 1380 of 2000 → 0.69, run-rate 1380 × 31/15 = 2852.00.
// Moved forward to 10-31, the day-dated models recompute from 10-16 only.
func TestBuildAsOfLeavesOutLaterEvents(t *testing.T) {
	db := loadFixture(t, "basic")
	build(t, db, models.Options{AsOf: date("2026-10-31")})
	build(t, db, models.Options{AsOf: date("2026-10-15")})
	sales := `SELECT month, client_id, category, manager_id, shipped_amount::decimal(18,2), returns_amount::decimal(18,2), net_sales::decimal(18,2)
        FROM sales_monthly ORDER BY ALL`
	assertRows(t, db, sales, []string{
		"2026-09-01 C3 Food M2 200.00 0.00 200.00",
		"2026-10-01 C1 Drinks M1 80.00 0.00 80.00",
		"2026-10-01 C1 Food M1 1000.00 0.00 1000.00",
		"2026-10-01 C2 Food M1 300.00 0.00 300.00",
	})
	plan := `SELECT actual::decimal(18,2), attainment, projected::decimal(18,2)
        FROM plan_fulfilment WHERE level = 'manager' AND manager_id = 'M1' AND period = '2026-10' AND kpi = 'sales'`
	assertRows(t, db, plan, []string{"1380.00 0.6900 2852.00"})
	assertRows(t, db, `SELECT count(*) FROM returns_refusals`, []string{"0"})

	res := build(t, db, models.Options{AsOf: date("2026-10-31")})
	if m := modes(res); !strings.Contains(m, "core_sales_daily:incremental@2026-10-16") {
		t.Errorf("moved forward from 10-15, want core_sales_daily incremental from 10-16: %s", m)
	}
	assertRows(t, db, sales, []string{
		"2026-09-01 C3 Food M2 200.00 0.00 200.00",
		"2026-10-01 C1 Drinks M1 80.00 0.00 80.00",
		"2026-10-01 C1 Food M1 1000.00 100.00 900.00",
		"2026-10-01 C2 Drinks M1 30.00 0.00 30.00",
		"2026-10-01 C2 Food M1 300.00 0.00 300.00",
		"2026-10-01 C2 Food M2 150.00 0.00 150.00",
	})
	assertRows(t, db, plan, []string{"1310.00 0.6550 1310.00"})
}

// A failed incremental build changes nothing, core tables included: it runs
// in one transaction. The late invoice changes the receivables' core tables,
// which are built before the line whose quantity × price overflows fails
// the sales models; the next build, once the line is gone, shows the invoice
// (500.00 less the 100.00 return R1, which names no invoice).
func TestFailedIncrementalBuildChangesNothing(t *testing.T) {
	db := loadFixture(t, "basic")
	opt := models.Options{AsOf: date("2026-10-25")}
	build(t, db, opt)
	// every core and mart table, and what the builds recorded
	snapshot := func() map[string]string {
		fp := fingerprints(t, db)
		for _, n := range rowsOf(t, db, `SELECT 'meta.' || table_name FROM information_schema.tables WHERE table_schema = 'meta' ORDER BY 1`) {
			fp[n] = fingerprintOf(t, db, "SELECT * FROM "+n)
		}
		return fp
	}
	before := snapshot()
	for _, q := range []string{
		`INSERT INTO main.invoices (invoice_id, invoice_date, client_id, amount, due_date, _load_id)
            VALUES ('INV-LATE', DATE '2026-10-20', 'C1', 500, DATE '2026-10-20', 999)`,
		`INSERT INTO main.order_lines (order_id, line_no, order_date, client_id, sku, qty, price, shipped_qty, shipped_on, _load_id)
            VALUES ('O-BAD', 1, DATE '2026-10-20', 'C1', 'S1', 100000, 150000000, 100000, DATE '2026-10-20', 999)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.Build(context.Background(), db, opt); err == nil || !strings.Contains(err.Error(), "misplaced decimal point") {
		t.Fatalf("build error = %v, want the overflow explained", err)
	}
	after := snapshot()
	for name, fp := range before {
		if after[name] != fp {
			t.Errorf("%s changed by the failed build", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("the failed build left %d tables, want %d", len(after), len(before))
	}
	if _, err := db.Exec(`DELETE FROM main.order_lines WHERE order_id = 'O-BAD'`); err != nil {
		t.Fatal(err)
	}
	build(t, db, opt)
	assertRows(t, db, `SELECT document_id, open_amount::decimal(18,2) FROM receivables_open_invoices WHERE as_of = '2026-10-25' AND document_id = 'INV-LATE'`,
		[]string{"INV-LATE 400.00"})
}

// Settings the models cannot use are refused, not replaced by the defaults:
// a wrong number of ABC or XYZ limits used to mean the defaults.
func TestBuildRefusesBadSettings(t *testing.T) {
	db := emptyWarehouse(t)
	for _, tc := range []struct {
		opt  models.Options
		want string
	}{
		{models.Options{ABC: []float64{0.6}}, "models: abc [0.6]"},
		{models.Options{ABC: []float64{0.6, 0.8, 0.9}}, "models: abc [0.6 0.8 0.9]"},
		{models.Options{XYZ: []float64{0.1}}, "models: xyz [0.1]"},
		{models.Options{ABC: []float64{0.95, 0.8}}, "models: abc [0.95 0.8]"},
		{models.Options{AgeingBuckets: []int{60, 30}}, "models: ageing_buckets [60 30]"},
	} {
		tc.opt.AsOf = date("2026-10-31")
		if _, err := models.Build(context.Background(), db, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%+v) = %v, want an error naming %s", tc.opt, err, tc.want)
		}
	}
}
