package dashboards_test

import (
	"context"
	"testing"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/reports/reportstest"
)

// Without marts.pay_gap_value for the month (kam build writes it only for
// the month of its as-of date), the director's pay comes from the pay
// engine and the plans file; without a plans file there is none.
func TestDirectorPayFromPlans(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	if _, err := db.Exec("DELETE FROM marts.pay_gap_value"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := dashboards.LoadDirector(ctx, db, dashboards.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if d.Pay != nil {
		t.Errorf("pay without a plans file: %+v", d.Pay)
	}
	d, err = dashboards.LoadDirector(ctx, db, dashboards.Options{AsOf: asOf, Compensation: compensation})
	if err != nil {
		t.Fatal(err)
	}
	if d.Pay == nil || d.Pay.Period != "2026-10" || len(d.Pay.Lines) == 0 {
		t.Fatalf("pay from the plans: %+v", d.Pay)
	}
	sum := d.Pay.Lines[0].Pay.Decimal.Sub(d.Pay.Lines[0].Pay.Decimal)
	for _, l := range d.Pay.Lines {
		if !l.Budget.Valid || !l.Pay.Valid || !l.All.Valid || l.All.Decimal.IsNegative() {
			t.Errorf("%s: budget %v, pay %v, all gaps %v", l.ManagerID, l.Budget, l.Pay, l.All)
		}
		for kpi, g := range l.GapValue {
			if g.Decimal.IsNegative() {
				t.Errorf("%s: closing the %s gap lowers pay by %s", l.ManagerID, kpi, g.Decimal)
			}
		}
		sum = sum.Add(l.Pay.Decimal)
	}
	if !sum.Equal(d.Pay.Cost.Decimal) {
		t.Errorf("pay cost %s, lines add up to %s", d.Pay.Cost.Decimal, sum)
	}
}
