package pay

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// StatementLine is one line of a manager's pay statement: a step of the
// calculation or an input row behind it, with the figure it carries.
type StatementLine struct {
	Step string // proration, sales, active_clients, new_clients, factor, gates, pay, adjustment, total
	Text string
	// Value is the figure as text (exact), Num the same as a number; both
	// empty on a heading.
	Value string
	Num   *decimal.Decimal
}

// ErrNoManager means the manager has no line in the sheet.
var ErrNoManager = errors.New("has no line in the pay sheet")

// Statement explains a manager's lines of the sheet step by step, listing
// the shipments, returns, payments, clients and receivables behind each
// KPI, so that every figure can be reproduced by hand from the lines above it.
func (s *Sheet) Statement(managerID string) ([]StatementLine, error) {
	lines := s.ManagerLines(managerID)
	if len(lines) == 0 {
		return nil, fmt.Errorf("manager %s %w of %s (not employed in it, or no plan applies)", managerID, ErrNoManager, s.Period)
	}
	n := 64 // the lines of the steps, then one per input row
	for _, l := range lines {
		if in := l.Inputs; in != nil {
			n += len(in.Sales) + len(in.ActiveClients) + len(in.NewClients) + 2*len(in.Receivables)
		}
	}
	st := &stmt{lines: make([]StatementLine, 0, n)}
	first := lines[0]
	state := "open: computed from the data built as of " + s.AsOf.Format("2006-01-02")
	if s.Status == StatusLocked && s.Run != nil {
		state = fmt.Sprintf("locked in run %d on %s by %s (data built as of %s); a locked sheet never changes",
			s.Run.ID, s.Run.LockedAt.UTC().Format("2006-01-02 15:04"), orUnknown(s.Run.LockedBy), s.Run.AsOf.Format("2006-01-02"))
	}
	st.head("", fmt.Sprintf("Variable pay statement of %s %s for %s", first.ManagerID, first.Name, s.Period))
	st.text("", "sheet "+state)
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.VariablePay)
		if l.Kind == KindPay {
			explainPay(st, l)
		} else {
			explainAdjustment(st, l)
		}
	}
	if len(lines) > 1 {
		st.head("total", "Total")
		parts := make([]string, len(lines))
		for i, l := range lines {
			if l.Kind == KindPay {
				parts[i] = "pay " + money(l.VariablePay)
			} else {
				parts[i] = "adjustment for " + l.AdjustsPeriod.String() + " " + signed(l.VariablePay)
			}
		}
		st.val("total", "to pay for "+s.Period.String()+": "+strings.Join(parts, ", "), total, money(total))
	}
	return st.lines, nil
}

type stmt struct{ lines []StatementLine }

func (st *stmt) head(step, text string) {
	st.lines = append(st.lines, StatementLine{Step: step, Text: text})
}
func (st *stmt) text(step, text string) { st.head(step, "  "+text) }
func (st *stmt) val(step, text string, n decimal.Decimal, shown string) {
	st.lines = append(st.lines, StatementLine{Step: step, Text: "  " + text, Value: shown, Num: &n})
}

func date(t time.Time) string { return t.Format("2006-01-02") }

func explainPay(st *stmt, l *Line) {
	in := l.Inputs
	basis := l.Basis
	if basis == "" {
		basis = BasisShipped
	}
	st.text("", fmt.Sprintf("plan %s, version valid from %s (the version valid on %s applies), sales basis %s",
		l.Plan, date(l.PlanValidFrom), date(l.Period.Start()), basis))
	st.text("", "pay = variable_target × proration × min(cap, Σ weight × curve(attainment)) × gate multipliers, rounded half away from zero to 0.01 only at the end")

	st.head("proration", "1. Proration")
	if in != nil {
		hired, left := "—", "—"
		if in.Manager.HiredOn != nil {
			hired = date(*in.Manager.HiredOn)
		}
		if in.Manager.LeftOn != nil {
			left = date(*in.Manager.LeftOn)
		}
		st.text("proration", fmt.Sprintf("hired_on %s (first day employed), left_on %s (last day employed, inclusive)", hired, left))
	}
	span := "not employed in the period"
	if l.EmployedFrom != nil {
		span = date(*l.EmployedFrom) + " to " + date(*l.EmployedTo)
	}
	st.val("proration", "days employed in "+l.Period.String()+": "+span, decimal.NewFromInt(int64(l.EmployedDays)), fmt.Sprint(l.EmployedDays))
	st.val("proration", "days in "+l.Period.String(), decimal.NewFromInt(int64(l.PeriodDays)), fmt.Sprint(l.PeriodDays))
	st.val("proration", fmt.Sprintf("proration = %d / %d", l.EmployedDays, l.PeriodDays), l.Proration, num(l.Proration))

	for i, c := range l.Components {
		step := c.KPI
		st.head(step, fmt.Sprintf("%d. %s (weight %s, curve %s)", i+2, c.KPI, num(c.Weight), c.Curve))
		base := c.Actual.Sub(c.Delta)
		if in != nil {
			base = explainInputs(st, step, c.KPI, in)
		}
		if !c.Delta.IsZero() {
			st.val(step, "what-if: added to the actual", c.Delta, num(c.Delta))
			st.val(step, fmt.Sprintf("actual = %s + %s", num(base), num(c.Delta)), c.Actual, num(c.Actual))
		}
		if c.Target == nil {
			st.text(step, "target: none in plans for "+l.Period.String())
		} else {
			st.val(step, "target (plans, "+l.Period.String()+")", *c.Target, num(*c.Target))
		}
		if c.MissingTarget {
			st.val(step, "missing or zero target: this component pays nothing (flag missing_target:"+c.KPI+")", decimal.Zero, "0")
			continue
		}
		st.val(step, fmt.Sprintf("attainment = %s / %s", num(c.Actual), num(*c.Target)), *c.Attainment, num(*c.Attainment))
		st.val(step, "curve: "+c.CurveHow, c.CurveValue, num(c.CurveValue))
		st.val(step, fmt.Sprintf("payout = weight %s × %s", num(c.Weight), num(c.CurveValue)), c.Payout, num(c.Payout))
	}

	n := len(l.Components) + 2
	st.head("factor", fmt.Sprintf("%d. Factor", n))
	var terms []string
	for _, c := range l.Components {
		terms = append(terms, num(c.Payout))
	}
	st.val("factor", "Σ payout = "+strings.Join(terms, " + "), l.WeightedSum, num(l.WeightedSum))
	switch {
	case l.Cap == nil:
		st.val("factor", "no cap: factor = Σ payout", l.Factor, num(l.Factor))
	case l.Capped:
		st.val("factor", fmt.Sprintf("cap %s reached: factor = min(%s, %s)", num(*l.Cap), num(*l.Cap), num(l.WeightedSum)), l.Factor, num(l.Factor))
	default:
		st.val("factor", fmt.Sprintf("cap %s not reached: factor = min(%s, %s)", num(*l.Cap), num(*l.Cap), num(l.WeightedSum)), l.Factor, num(l.Factor))
	}

	n++
	st.head("gates", fmt.Sprintf("%d. Gates", n))
	if len(l.Gates) == 0 {
		st.val("gates", "no gates: multiplier", l.GateMultiplier, num(l.GateMultiplier))
	} else {
		if in != nil {
			explainReceivables(st, in)
		}
		st.val("gates", "overdue = Σ overdue", l.Overdue, money(l.Overdue))
		st.val("gates", "open = Σ not due + Σ overdue", l.Open, money(l.Open))
		if l.Open.Sign() > 0 {
			st.val("gates", fmt.Sprintf("overdue_share = %s / %s", money(l.Overdue), money(l.Open)), l.OverdueShare, num(l.OverdueShare))
		} else {
			st.val("gates", "overdue_share = 0 (nothing open)", l.OverdueShare, num(l.OverdueShare))
		}
		for _, g := range l.Gates {
			if g.Applied {
				st.val("gates", fmt.Sprintf("gate %s %s > %s: × %s", g.Metric, num(g.Value), num(g.Above), num(g.Multiplier)), g.Multiplier, num(g.Multiplier))
			} else {
				st.val("gates", fmt.Sprintf("gate %s %s is not above %s: × 1 (would be × %s)", g.Metric, num(g.Value), num(g.Above), num(g.Multiplier)), decimal.NewFromInt(1), "1")
			}
		}
		st.val("gates", "gate multiplier", l.GateMultiplier, num(l.GateMultiplier))
	}

	n++
	st.head("pay", fmt.Sprintf("%d. Pay", n))
	st.val("pay", "variable_target (managers)", l.VariableTarget, money(l.VariableTarget))
	st.val("pay", fmt.Sprintf("variable_target × days employed × factor × gate multiplier / days = %s × %d × %s × %s / %d",
		money(l.VariableTarget), l.EmployedDays, num(l.Factor), num(l.GateMultiplier), l.PeriodDays), l.Unrounded, num(l.Unrounded))
	st.val("pay", "variable pay, rounded half away from zero to 0.01", l.VariablePay, money(l.VariablePay))
	if len(l.Flags) > 0 {
		st.text("pay", "flags: "+strings.Join(l.Flags, " "))
	}
	st.text("pay", "inputs sha256 "+l.InputsSHA256)
}

// explainInputs lists a KPI's input rows and returns their total.
func explainInputs(st *stmt, step, kpi string, in *Inputs) decimal.Decimal {
	switch kpi {
	case "sales":
		what := "shipments (shipped_qty × price on shipped_on; unshipped lines do not count) and returns on their dates, attributed to the manager assigned to the client that day"
		if in.Basis == BasisCollected {
			what = "payments received (by client_id, else payer_inn = the client's inn, else the client of the invoice named) and returns on their dates, attributed to the manager assigned to the client that day"
		}
		st.text(step, what+":")
		var buf []byte
		for _, e := range in.Sales {
			var t string
			switch e.Kind {
			case "payment":
				t = fmt.Sprintf("    payment %s %s %s %s (", date(e.Date), e.Ref, e.ClientID, e.ClientName)
				switch e.MatchedBy {
				case "payer_inn":
					t += "matched by payer_inn " + e.PayerINN
				case "invoice":
					t += "matched by the invoice it names"
					if e.PayerINN != "" {
						t += ", payer_inn " + e.PayerINN
					}
				default:
					t += "client_id on the payment"
				}
				if e.InvoiceID != "" {
					t += ", invoice " + e.InvoiceID
				}
				t += ")"
			default:
				// Tens of thousands of lines a month: built without fmt.
				buf = append(append(buf[:0], "    "...), e.Kind...)
				buf = e.Date.AppendFormat(append(buf, ' '), "2006-01-02")
				for _, part := range []string{e.Ref, e.ClientID, e.ClientName} {
					buf = append(append(buf, ' '), part...)
				}
				if e.SKU != "" {
					buf = append(append(buf, ' '), e.SKU...)
				}
				if !e.Qty.IsZero() {
					buf = append(append(buf, " qty "...), num(e.Qty)...)
				}
				t = string(buf)
			}
			st.lines = append(st.lines, StatementLine{Step: step, Text: t, Value: money(e.Amount), Num: &e.Amount})
		}
		a := in.Actual(kpi)
		st.val(step, fmt.Sprintf("actual = Σ of the %d line(s) above", len(in.Sales)), a, money(a))
		return a
	case "active_clients":
		at := in.Period.End()
		if len(in.ActiveClients) > 0 {
			at = in.ActiveClients[0].Date
		}
		st.text(step, fmt.Sprintf("clients assigned to the manager on %s with net sales above 0 in the trailing window ending that day:", date(at)))
		for _, c := range in.ActiveClients {
			st.val(step, fmt.Sprintf("  active %s %s (window net sales %s)", c.ClientID, c.ClientName, money(c.Amount)), decimal.NewFromInt(1), "1")
		}
	case "new_clients":
		st.text(step, "clients whose first ever shipment falls in the period, credited to the manager of that shipment:")
		for _, c := range in.NewClients {
			st.val(step, fmt.Sprintf("  new %s %s (first shipped %s)", c.ClientID, c.ClientName, date(c.Date)), decimal.NewFromInt(1), "1")
		}
	}
	a := in.Actual(kpi)
	st.val(step, "actual = count of the clients above", a, num(a))
	return a
}

func explainReceivables(st *stmt, in *Inputs) {
	switch {
	case in.NoReceivables:
		st.text("gates", "marts.receivables_ageing is not built (or has no date in the period): overdue_share is taken as 0 (flag no_receivables)")
		return
	case in.ReceivablesAsOf != nil:
		st.text("gates", fmt.Sprintf("receivables of the manager's clients at %s (marts.receivables_ageing):", date(*in.ReceivablesAsOf)))
	}
	for _, r := range in.Receivables {
		var parts []string
		for _, b := range r.Overdue {
			if !b.Amount.IsZero() {
				parts = append(parts, b.Name+" "+money(b.Amount))
			}
		}
		detail := "none overdue"
		if len(parts) > 0 {
			detail = strings.Join(parts, ", ")
		}
		if !r.Advance.IsZero() {
			detail += "; advance " + money(r.Advance) + ", not counted"
		}
		o := r.OverdueTotal()
		st.val("gates", fmt.Sprintf("  %s %s: not due %s, overdue %s (%s)", r.ClientID, r.ClientName, money(r.NotDue), money(o), detail), o, money(o))
		for _, it := range r.Items {
			due := "no due date"
			if it.DueDate != nil {
				due = "due " + date(*it.DueDate)
			}
			how := "not due"
			switch {
			case it.DaysOverdue == 1:
				how = "1 day overdue"
			case it.DaysOverdue > 1:
				how = fmt.Sprintf("%d days overdue", it.DaysOverdue)
			}
			st.text("gates", fmt.Sprintf("      %s %s %s, %s (%s): open %s", it.Kind, it.ID, due, how, it.Bucket, money(it.Open)))
		}
	}
}

func explainAdjustment(st *stmt, l *Line) {
	st.head("adjustment", fmt.Sprintf("Prior-period adjustment for %s (locked in run %d)", l.AdjustsPeriod, l.LockedRunID))
	recPay, lockedPay := decimal.Zero, decimal.Zero
	if l.Recomputed != nil {
		recPay = l.Recomputed.VariablePay
	}
	if l.Locked != nil {
		lockedPay = l.Locked.VariablePay
	}
	st.text("adjustment", "late data changed the inputs of the locked period; its pay recomputed with the plans it was locked with:")
	kpis := map[string]bool{}
	for _, x := range []*Line{l.Locked, l.Recomputed} {
		if x == nil {
			continue
		}
		for _, c := range x.Components {
			kpis[c.KPI] = true
		}
	}
	for _, k := range KPIs {
		if !kpis[k] {
			continue
		}
		var was, now ComponentResult
		if l.Locked != nil {
			was, _ = l.Locked.Component(k)
		}
		if l.Recomputed != nil {
			now, _ = l.Recomputed.Component(k)
		}
		st.val("adjustment", fmt.Sprintf("  %s actual: locked %s → now %s; payout locked %s → now %s", k, num(was.Actual), num(now.Actual), num(was.Payout), num(now.Payout)), now.Actual, num(now.Actual))
	}
	st.val("adjustment", "pay of "+l.AdjustsPeriod.String()+" recomputed from today's data", recPay, money(recPay))
	st.val("adjustment", "pay of "+l.AdjustsPeriod.String()+" as locked", lockedPay, money(lockedPay))
	st.val("adjustment", "adjustments for "+l.AdjustsPeriod.String()+" already locked in later periods", l.AdjustedBefore, money(l.AdjustedBefore))
	st.val("adjustment", fmt.Sprintf("adjustment = %s − %s − %s", money(recPay), money(lockedPay), money(l.AdjustedBefore)), l.VariablePay, signed(l.VariablePay))
	if l.Recomputed != nil {
		st.text("adjustment", fmt.Sprintf("see `kam pay explain --period %s --manager %s --recompute` for the recomputation step by step", l.AdjustsPeriod, l.ManagerID))
	}
}

// WriteStatement prints statement lines as text: the description, then the
// value right-aligned.
func WriteStatement(w io.Writer, lines []StatementLine) error {
	width, vwidth := 0, 0
	for _, l := range lines {
		if l.Value != "" {
			width = max(width, utf8.RuneCountInString(l.Text))
			vwidth = max(vwidth, utf8.RuneCountInString(l.Value))
		}
	}
	width = min(width, 110)
	var b strings.Builder
	for i, l := range lines {
		if l.Value == "" {
			if l.Step != "" && i > 0 && !strings.HasPrefix(l.Text, "  ") {
				b.WriteString("\n")
			}
			b.WriteString(l.Text + "\n")
			continue
		}
		pad := width - utf8.RuneCountInString(l.Text)
		if pad < 1 {
			pad = 1
		}
		pad += vwidth - utf8.RuneCountInString(l.Value)
		b.WriteString(l.Text + strings.Repeat(" ", pad) + "  " + l.Value + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
