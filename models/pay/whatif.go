package pay

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// WhatIf is a manager's pay before and after adding deltas to KPI actuals.
type WhatIf struct {
	Before, After *Line
	Delta         map[string]decimal.Decimal
}

// Gain is what the deltas are worth.
func (w *WhatIf) Gain() decimal.Decimal { return w.After.VariablePay.Sub(w.Before.VariablePay) }

// ComputeWhatIf computes a manager's pay for the period from today's data,
// and again with delta added to the actuals by KPI (e.g. sales +250000,
// active_clients +3). It works for locked periods too (from today's data,
// with today's plans); nothing is stored.
func ComputeWhatIf(ctx context.Context, db *sql.DB, plans *Plans, p Period, managerID string, delta map[string]decimal.Decimal) (*WhatIf, error) {
	for k := range delta {
		if !slices.Contains(KPIs, k) {
			return nil, fmt.Errorf("what-if: unknown KPI %q; want one of %s", k, strings.Join(KPIs, ", "))
		}
	}
	pi, err := loadInputs(ctx, db, plans, p, everyEvent)
	if err != nil {
		return nil, err
	}
	in := pi.inputs[managerID]
	if in == nil {
		return nil, fmt.Errorf("what-if: manager %s %w of %s (not employed in it, or no plan applies)", managerID, ErrNoManager, p)
	}
	plan := pi.plan[managerID]
	for k := range delta {
		if !slices.ContainsFunc(plan.Components, func(c Component) bool { return c.KPI == k }) {
			return nil, fmt.Errorf("what-if: plan %s of manager %s has no %s component, so %s does not change the pay", plan.Name, managerID, k, k)
		}
	}
	return &WhatIf{Before: Compute(plan, in, nil), After: Compute(plan, in, delta), Delta: delta}, nil
}

// Write prints the what-if as a table of KPIs and the pay before and after.
func (w *WhatIf) Write(out io.Writer) error {
	b, a := w.Before, w.After
	var sb strings.Builder
	fmt.Fprintf(&sb, "What-if for %s %s, %s (plan %s, from today's data)\n\n", b.ManagerID, b.Name, b.Period, b.Plan)
	rows := [][]string{{"kpi", "target", "actual", "+ delta", "what-if", "attainment", "→", "payout", "→"}}
	for i, c := range b.Components {
		ac := a.Components[i]
		target, att, att2 := "—", "—", "—"
		if c.Target != nil {
			target = num(*c.Target)
		}
		if c.Attainment != nil {
			att = c.Attainment.StringFixed(4)
		}
		if ac.Attainment != nil {
			att2 = ac.Attainment.StringFixed(4)
		}
		rows = append(rows, []string{c.KPI, target, num(c.Actual), signedNum(ac.Delta), num(ac.Actual), att, att2, c.Payout.StringFixed(4), ac.Payout.StringFixed(4)})
	}
	writeAligned(&sb, rows)
	fmt.Fprintf(&sb, "\nfactor           %s → %s\n", b.Factor.StringFixed(4), a.Factor.StringFixed(4))
	fmt.Fprintf(&sb, "gate multiplier  %s → %s\n", num(b.GateMultiplier), num(a.GateMultiplier))
	fmt.Fprintf(&sb, "variable pay     %s → %s (%s)\n", money(b.VariablePay), money(a.VariablePay), signed(w.Gain()))
	if len(a.Flags) > 0 {
		fmt.Fprintf(&sb, "flags            %s\n", strings.Join(a.Flags, " "))
	}
	_, err := io.WriteString(out, sb.String())
	return err
}

func signedNum(d decimal.Decimal) string {
	if d.Sign() >= 0 {
		return "+" + num(d)
	}
	return num(d)
}

func writeAligned(sb *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				sb.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i == 0 {
				sb.WriteString(c + pad)
			} else {
				sb.WriteString(pad + c)
			}
		}
		sb.WriteString("\n")
	}
}

// gapRow is one row of marts.pay_gap_value.
type gapRow struct {
	line            *Line
	kpi             string
	weight          *decimal.Decimal
	target, actual  *decimal.Decimal
	gap, attainment *decimal.Decimal
	payNow, payIf   decimal.Decimal
	flags           []string
}

// Materialized describes a Materialize run.
type Materialized struct {
	Period   Period
	Rows     int
	Warnings []string
}

// Materialize (re)creates marts.pay_gap_value for the period asOf falls
// in: one row per manager and KPI of their plan, plus one row with kpi
// 'all', saying what closing the remaining gap (target − actual, when
// above 0) would add to the variable pay computed from today's data:
//
//	period, as_of, manager_id, manager_name, plan, kpi, weight, target,
//	actual, gap, attainment, pay_now, pay_if_closed, gap_value, flags
//
// Call it after models.Build; it reads the plans from plansFile.
func Materialize(ctx context.Context, db *sql.DB, plansFile string, asOf time.Time) (*Materialized, error) {
	plans, warns, err := Load(plansFile)
	if err != nil {
		return nil, err
	}
	p := PeriodOf(asOf)
	lines, pi, err := computePeriod(ctx, db, plans, p, sumsOnly)
	if err != nil {
		return nil, fmt.Errorf("pay gap values for %s: %w", p, err)
	}
	res := &Materialized{Period: p, Warnings: append(warns, pi.warnings...)}
	var rows []gapRow
	for _, l := range lines {
		plan := pi.plan[l.ManagerID]
		all := map[string]decimal.Decimal{}
		for _, c := range l.Components {
			r := gapRow{line: l, kpi: c.KPI, payNow: l.VariablePay}
			w, a := c.Weight, c.Actual
			r.weight, r.actual, r.target, r.attainment = &w, &a, c.Target, c.Attainment
			d := map[string]decimal.Decimal{}
			if !c.MissingTarget {
				g := c.Target.Sub(c.Actual)
				r.gap = &g
				if g.Sign() > 0 {
					d[c.KPI], all[c.KPI] = g, g
				}
			} else {
				r.flags = append(r.flags, "missing_target:"+c.KPI)
			}
			r.payIf = computeFigures(plan, l.Inputs, d).VariablePay
			rows = append(rows, r)
		}
		r := gapRow{line: l, kpi: "all", payNow: l.VariablePay, flags: l.Flags}
		r.payIf = computeFigures(plan, l.Inputs, all).VariablePay
		rows = append(rows, r)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TABLE marts.pay_gap_value (
    period VARCHAR,
    as_of DATE,
    manager_id VARCHAR,
    manager_name VARCHAR,
    plan VARCHAR,
    kpi VARCHAR,
    weight DECIMAL(18,6),
    target DECIMAL(18,4),
    actual DECIMAL(18,4),
    gap DECIMAL(18,4),
    attainment DECIMAL(18,4),
    pay_now DECIMAL(18,2),
    pay_if_closed DECIMAL(18,2),
    gap_value DECIMAL(18,2),
    flags VARCHAR
)`); err != nil {
		return nil, fmt.Errorf("create marts.pay_gap_value: %w", err)
	}
	opt := func(d *decimal.Decimal, places int32) any {
		if d == nil {
			return nil
		}
		return d.Round(places).String()
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		values[i] = []any{p.String(), asOf, r.line.ManagerID, r.line.Name, r.line.Plan, r.kpi,
			opt(r.weight, 6), opt(r.target, 4), opt(r.actual, 4), opt(r.gap, 4), opt(r.attainment, 4),
			r.payNow.String(), r.payIf.String(), r.payIf.Sub(r.payNow).String(), strings.Join(r.flags, " ")}
	}
	if err := wh.InsertRows(ctx, tx, "INSERT INTO marts.pay_gap_value VALUES",
		"(?, ?::DATE, ?, ?, ?, ?, ?::DECIMAL(18,6), ?::DECIMAL(18,4), ?::DECIMAL(18,4), ?::DECIMAL(18,4), ?::DECIMAL(18,4), ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?)", values); err != nil {
		return nil, fmt.Errorf("write marts.pay_gap_value: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	res.Rows = len(rows)
	return res, nil
}
