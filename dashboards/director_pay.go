package dashboards

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/models/pay"
	"github.com/kam-analytics/kam/reports"
)

// directorPay computes the variable pay of the reported month with the pay
// engine when the warehouse has no marts.pay_gap_value for it (kam build
// writes that only for the month of its as-of date): the monthly pack of an
// earlier month then still shows pay against budget and what each KPI
// shortfall cost. A locked month is read as locked. Nothing is stored. It
// returns nil without a plans file or pay lines.
func directorPay(ctx context.Context, db *sql.DB, d *reports.Director, compensation string) (*reports.Pay, error) {
	if compensation == "" {
		return nil, nil
	}
	if st, err := os.Stat(compensation); err != nil || !st.Mode().IsRegular() {
		return nil, nil
	}
	plans, _, err := pay.Load(compensation)
	if err != nil {
		return nil, fmt.Errorf("director pay: %w", err)
	}
	period, err := pay.ParsePeriod(d.Period)
	if err != nil {
		return nil, err
	}
	// the page shows pay and gap values, never the events: sums are enough (at 10 M order lines 0.13-0.19 s instead of 2.3-2.9 s)
	sheet, err := pay.Calculate(ctx, db, plans, period, pay.Options{NoAdjustments: true, SumsOnly: true})
	if err != nil {
		return nil, fmt.Errorf("director pay %s: %w", d.Period, err)
	}
	team := map[string]string{}
	for _, m := range d.Managers {
		team[m.ID] = m.Team
	}
	dec := func(x decimal.Decimal) reports.Dec { return reports.Dec{Decimal: x, Valid: true} }
	out := &reports.Pay{Period: d.Period, AsOf: sheet.AsOf}
	for _, l := range sheet.Lines {
		if l.Kind != pay.KindPay {
			continue
		}
		pl := reports.PayLine{ManagerID: l.ManagerID, Name: l.Name, Team: team[l.ManagerID], Plan: l.Plan,
			Pay: dec(l.VariablePay), GapValue: map[string]reports.Dec{}}
		if l.PeriodDays > 0 {
			pl.Budget = dec(l.VariableTarget.Mul(decimal.NewFromInt(int64(l.EmployedDays))).DivRound(decimal.NewFromInt(int64(l.PeriodDays)), 2))
		}
		// What closing each gap adds, as marts.pay_gap_value computes it.
		plan := plans.For(l.ManagerID, period.Start())
		if plan != nil && l.Inputs != nil {
			all := map[string]decimal.Decimal{}
			for _, c := range l.Components {
				if c.MissingTarget || c.Target == nil {
					continue
				}
				gap := c.Target.Sub(c.Actual)
				value := decimal.Zero
				if gap.Sign() > 0 {
					all[c.KPI] = gap
					value = pay.Compute(plan, l.Inputs, map[string]decimal.Decimal{c.KPI: gap}).VariablePay.Sub(l.VariablePay)
				}
				pl.GapValue[c.KPI] = dec(value)
			}
			pl.All = dec(pay.Compute(plan, l.Inputs, all).VariablePay.Sub(l.VariablePay))
		}
		out.Lines = append(out.Lines, pl)
		out.Budget = addDec(out.Budget, pl.Budget)
		out.Cost = addDec(out.Cost, pl.Pay)
		out.GapValue = addDec(out.GapValue, pl.All)
	}
	if len(out.Lines) == 0 {
		return nil, nil
	}
	return out, nil
}

func addDec(a, b reports.Dec) reports.Dec {
	if !b.Valid {
		return a
	}
	return reports.Dec{Decimal: a.Decimal.Add(b.Decimal), Valid: true}
}

// LoadDirector reads the director's report for opt's period, with the
// variable pay computed from opt.Compensation when the warehouse has none
// for the period (see directorPay) and the segment forecasts as made on
// opt.AsOf (forecastsAsOf): what the monthly pack holds.
func LoadDirector(ctx context.Context, db *sql.DB, opt Options) (*reports.Director, error) {
	if _, err := opt.check(); err != nil {
		return nil, err
	}
	d, err := reports.LoadDirector(ctx, db, reports.Params{AsOf: opt.AsOf, Period: opt.Period})
	if err != nil {
		return nil, err
	}
	if d.Pay == nil {
		if d.Pay, err = directorPay(ctx, db, d, opt.Compensation); err != nil {
			return nil, err
		}
	}
	if d.Forecasts, err = forecastsAsOf(ctx, db, d.Forecasts, d.AsOf); err != nil {
		return nil, err
	}
	return d, nil
}
