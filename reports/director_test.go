package reports_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/reports"
	"github.com/kam-analytics/kam/reports/reportstest"
)

var asOf = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)

// A tiny warehouse whose every expected value below is worked out by hand.
// Rows are inserted out of order so that the ORDER BYs are tested too.
const tiny = `
INSERT INTO main.managers VALUES
    ('Z9', 'Зоя', NULL, NULL, NULL, NULL, 1),
    ('B2', 'Борис', NULL, 'T1', NULL, NULL, 1),
    ('A1', 'Анна', NULL, 'T1', NULL, NULL, 1);
INSERT INTO marts.plan_fulfilment VALUES
    ('manager', 'B2', 'Борис', 'T1', '2026-10', 'month', '2026-10-01', '2026-10-31', 'sales', 500, 600.5, 1.201, -100.5, true, 930.775, ''),
    ('manager', 'A1', 'Анна', 'T1', '2026-10', 'month', '2026-10-01', '2026-10-31', 'new_clients', 2, 1, 0.5, 1, true, 1.55, ''),
    ('manager', 'A1', 'Анна', 'T1', '2026-10', 'month', '2026-10-01', '2026-10-31', 'active_clients', NULL, 7, NULL, NULL, true, 7, 'missing_target'),
    ('manager', 'A1', 'Анна', 'T1', '2026-10', 'month', '2026-10-01', '2026-10-31', 'sales', 1000, 934.5678, 0.9346, 65.4322, true, 1448.58009, ''),
    ('manager', 'A1', 'Анна', 'T1', '2026-09', 'month', '2026-09-01', '2026-09-30', 'sales', 1000, 1100, 1.1, -100, false, 1100, ''),
    ('manager', 'A1', 'Анна', 'T1', '2026-Q4', 'quarter', '2026-10-01', '2026-12-31', 'sales', 3000, 934.5678, 0.3115, 2065.4322, true, 4276.59, ''),
    ('manager', 'A1', 'Анна', 'T1', '2026', 'year', '2026-01-01', '2026-12-31', 'sales', 12000, 9034.5678, 0.7529, 2965.4322, true, 11254.59, ''),
    ('team', NULL, NULL, 'T1', '2026', 'year', '2026-01-01', '2026-12-31', 'sales', 17000, 9635.0678, 0.5668, 7364.9322, true, 12002.5, ''),
    ('team', NULL, NULL, 'T1', '2026-10', 'month', '2026-10-01', '2026-10-31', 'sales', 1500, 1535.0678, 1.0234, -35.0678, true, 2379.355, ''),
    ('company', NULL, NULL, NULL, '2026', 'year', '2026-01-01', '2026-12-31', 'sales', 17000, 9635.0678, 0.5668, 7364.9322, true, 12002.5, ''),
    ('company', NULL, NULL, NULL, '2026-09', 'month', '2026-09-01', '2026-09-30', 'sales', 1000, 1100, 1.1, -100, false, 1100, ''),
    ('company', NULL, NULL, NULL, '2026-10', 'month', '2026-10-01', '2026-10-31', 'sales', 1500, 1535.0678, 1.0234, -35.0678, true, 2379.355, '');
INSERT INTO marts.sales_monthly (month, client_id, category, manager_id, net_sales) VALUES
    ('2026-10-01', 'C1', 'x', 'A1', 100.1234),
    ('2026-10-01', 'C2', 'x', 'B2', 200.0022),
    ('2025-10-01', 'C1', 'x', 'A1', 50.5),
    ('2024-11-01', 'C1', 'x', 'A1', 10),
    ('2024-10-01', 'C1', 'x', 'A1', 999),
    ('2023-11-01', 'C1', 'x', 'A1', 7.25),
    ('2026-11-01', 'C1', 'x', 'A1', 123);
`

func key(f reports.Fulfilment) string {
	return strings.Join([]string{f.Level, f.ManagerID, f.Team, f.Period, f.KPI}, "/")
}

func dec(t *testing.T, what string, got reports.Dec, want string) {
	t.Helper()
	if want == "NULL" {
		if got.Valid {
			t.Errorf("%s = %s, want NULL", what, got.Decimal)
		}
		return
	}
	if !got.Valid || !got.Decimal.Equal(reports.NewDec(want).Decimal) {
		t.Errorf("%s = %s (valid %v), want %s", what, got.Decimal, got.Valid, want)
	}
}

func TestLoadDirector(t *testing.T) {
	db := reportstest.Open(t, tiny)
	d, err := reports.LoadDirector(context.Background(), db, reports.Params{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if d.Period != "2026-10" || d.Year != "2026" || !d.AsOf.Equal(asOf) {
		t.Errorf("period %q year %q as of %v", d.Period, d.Year, d.AsOf)
	}
	var month []string
	for _, f := range d.Month {
		month = append(month, key(f))
	}
	if got, want := strings.Join(month, " "), "manager/A1/T1/2026-10/sales manager/A1/T1/2026-10/active_clients manager/A1/T1/2026-10/new_clients manager/B2/T1/2026-10/sales"; got != want {
		t.Errorf("month rows\n got %s\nwant %s", got, want)
	}
	a := d.Month[0]
	if a.ManagerName != "Анна" || a.PeriodKind != "month" || !a.InProgress || a.Flags != "" {
		t.Errorf("A1 sales: %+v", a)
	}
	dec(t, "A1 sales target", a.Target, "1000")
	dec(t, "A1 sales actual", a.Actual, "934.5678")
	dec(t, "A1 sales attainment", a.Attainment, "0.9346")
	dec(t, "A1 sales gap", a.Gap, "65.4322")
	dec(t, "A1 sales projected", a.Projected, "1448.58009")
	m := d.Month[1]
	dec(t, "A1 active target", m.Target, "NULL")
	dec(t, "A1 active attainment", m.Attainment, "NULL")
	dec(t, "A1 active actual", m.Actual, "7")
	if m.Flags != "missing_target" {
		t.Errorf("A1 active flags %q", m.Flags)
	}
	if len(d.YTD) != 1 || key(d.YTD[0]) != "manager/A1/T1/2026/sales" {
		t.Fatalf("ytd rows %+v", d.YTD)
	}
	dec(t, "A1 ytd actual", d.YTD[0].Actual, "9034.5678")

	var totals []string
	for _, f := range d.Totals {
		totals = append(totals, key(f))
	}
	if got, want := strings.Join(totals, " "), "company///2026-10/sales company///2026/sales team//T1/2026-10/sales team//T1/2026/sales"; got != want {
		t.Errorf("totals\n got %s\nwant %s", got, want)
	}
	if c, ok := d.Total("", "month", "sales"); !ok || !c.Target.Decimal.Equal(reports.NewDec("1500").Decimal) {
		t.Errorf("company month sales: %+v %v", c, ok)
	}
	if c, ok := d.Total("T1", "year", "sales"); !ok || !c.Actual.Decimal.Equal(reports.NewDec("9635.0678").Decimal) {
		t.Errorf("team T1 year sales: %+v %v", c, ok)
	}
	if _, ok := d.Total("T1", "month", "new_clients"); ok {
		t.Error("a total that is not in the mart was found")
	}

	if len(d.Managers) != 3 || d.Managers[0] != (reports.Manager{ID: "A1", Name: "Анна", Team: "T1"}) || d.Managers[2] != (reports.Manager{ID: "Z9", Name: "Зоя"}) {
		t.Errorf("managers %+v", d.Managers)
	}

	if len(d.Trend) != 24 {
		t.Fatalf("%d trend points, want 24", len(d.Trend))
	}
	month0 := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	for i, tc := range []struct {
		i          int
		month      time.Time
		cur, prev  string
		inProgress bool
	}{
		{0, month0(2024, 11), "10", "7.25", false},
		{11, month0(2025, 10), "50.5", "999", false},
		{12, month0(2025, 11), "NULL", "10", false},
		{22, month0(2026, 9), "NULL", "NULL", false},
		{23, month0(2026, 10), "300.1256", "50.5", true},
	} {
		p := d.Trend[tc.i]
		if !p.Month.Equal(tc.month) || p.InProgress != tc.inProgress {
			t.Errorf("case %d: point %d is %v (in progress %v), want %v (%v)", i, tc.i, p.Month, p.InProgress, tc.month, tc.inProgress)
		}
		dec(t, "net sales "+tc.month.Format("2006-01"), p.NetSales, tc.cur)
		dec(t, "last year "+tc.month.Format("2006-01"), p.LastYear, tc.prev)
	}
}

func TestLoadDirectorOtherPeriod(t *testing.T) {
	db := reportstest.Open(t, tiny)
	d, err := reports.LoadDirector(context.Background(), db, reports.Params{AsOf: asOf, Period: "2026-09"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Month) != 1 || d.Month[0].Period != "2026-09" || d.Month[0].InProgress {
		t.Errorf("month rows %+v", d.Month)
	}
	if last := d.Trend[23]; last.Month.Format("2006-01") != "2026-09" || last.InProgress {
		t.Errorf("last trend point %+v", last)
	}
}

func TestParams(t *testing.T) {
	db := reportstest.Open(t)
	for _, p := range []reports.Params{{}, {Period: "2026-1"}, {Period: "2026-13"}, {Period: "2026"}, {AsOf: asOf, Period: "10.2026"}} {
		if _, err := reports.LoadDirector(context.Background(), db, p); err == nil {
			t.Errorf("%+v: no error", p)
		}
		if _, err := reports.LoadKAM(context.Background(), db, p, "A1"); err == nil {
			t.Errorf("%+v: no error from LoadKAM", p)
		}
	}
	d, err := reports.LoadDirector(context.Background(), db, reports.Params{Period: "2025-02"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Period != "2025-02" || d.Year != "2025" || len(d.Trend) != 24 || len(d.Month) != 0 {
		t.Errorf("empty warehouse: %+v", d)
	}
}

func TestDecScan(t *testing.T) {
	db := reportstest.Open(t)
	var a, b, c, d, e, f, g, h reports.Dec
	err := db.QueryRow(`SELECT 1234567.8912::DECIMAL(18,4), -0.00000001::DECIMAL(38,8),
        170141183460469231731687303715884105727::HUGEINT, 42::BIGINT, NULL::DECIMAL(18,4), 7::INTEGER,
        '12.50', sum(x) FROM (VALUES (0.1::DECIMAL(38,8)), (0.2::DECIMAL(38,8))) t(x)`).Scan(&a, &b, &c, &d, &e, &f, &g, &h)
	if err != nil {
		t.Fatal(err)
	}
	dec(t, "DECIMAL(18,4)", a, "1234567.8912")
	dec(t, "DECIMAL(38,8)", b, "-0.00000001")
	dec(t, "HUGEINT", c, "170141183460469231731687303715884105727")
	dec(t, "BIGINT", d, "42")
	dec(t, "NULL", e, "NULL")
	dec(t, "INTEGER", f, "7")
	dec(t, "text", g, "12.5")
	dec(t, "sum of DECIMAL(38,8)", h, "0.3")
	if err := (&reports.Dec{}).Scan("abc"); err == nil {
		t.Error("text that is not a number scanned")
	}
	if err := (&reports.Dec{}).Scan(true); err == nil {
		t.Error("a bool scanned")
	}
}
