package pay

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// Line kinds.
const (
	KindPay        = "pay"
	KindAdjustment = "adjustment"
)

// Manager is what pay needs of a manager.
type Manager struct {
	ID             string          `json:"manager_id"`
	Name           string          `json:"name"`
	VariableTarget decimal.Decimal `json:"variable_target"`
	// HiredOn is the first day employed; nil = before any period.
	HiredOn *time.Time `json:"hired_on,omitempty"`
	// LeftOn is the last day employed (inclusive); nil = still employed.
	LeftOn *time.Time `json:"left_on,omitempty"`
}

// Event is one input row of the sales KPI: a shipped order line, a return
// (negative) or, with basis collected, a payment received.
type Event struct {
	Kind       string          `json:"kind"` // shipment, return, payment
	Date       time.Time       `json:"date"`
	Ref        string          `json:"ref"` // order_id/line_no, return_id or payment_id
	ClientID   string          `json:"client_id"`
	ClientName string          `json:"client_name"`
	SKU        string          `json:"sku,omitempty"`
	Qty        decimal.Decimal `json:"qty"`
	Amount     decimal.Decimal `json:"amount"`
	// Payments: how the payment found its client, and the invoice it names.
	MatchedBy string `json:"matched_by,omitempty"` // client_id, payer_inn or invoice
	PayerINN  string `json:"payer_inn,omitempty"`
	InvoiceID string `json:"invoice_id,omitempty"`
}

// Client is one client counted by a client KPI.
type Client struct {
	ClientID   string    `json:"client_id"`
	ClientName string    `json:"client_name"`
	Date       time.Time `json:"date"` // active_clients: the date counted at; new_clients: the first shipment
	// Amount is the net sales of the active window (active_clients).
	Amount decimal.Decimal `json:"amount"`
}

// Amount is a named amount, such as an ageing bucket.
type Amount struct {
	Name   string          `json:"name"`
	Amount decimal.Decimal `json:"amount"`
}

// Receivable is one client's row of marts.receivables_ageing.
type Receivable struct {
	ClientID   string          `json:"client_id"`
	ClientName string          `json:"client_name"`
	NotDue     decimal.Decimal `json:"not_due"`
	Overdue    []Amount        `json:"overdue"` // the overdue_* buckets in column order
	Advance    decimal.Decimal `json:"advance"`
	// Items are the open invoices behind the row (marts.receivables_open_invoices, when built).
	Items []OpenItem `json:"items,omitempty"`
}

// OpenItem is an open invoice (or other open document) behind a receivable.
type OpenItem struct {
	Kind        string          `json:"kind"`
	ID          string          `json:"id"`
	Date        *time.Time      `json:"date,omitempty"`
	DueDate     *time.Time      `json:"due_date,omitempty"`
	Open        decimal.Decimal `json:"open"`
	DaysOverdue int64           `json:"days_overdue"`
	Bucket      string          `json:"bucket"`
}

// OverdueTotal sums the overdue buckets.
func (r Receivable) OverdueTotal() decimal.Decimal {
	s := decimal.Zero
	for _, b := range r.Overdue {
		s = s.Add(b.Amount)
	}
	return s
}

// Inputs are everything one manager's pay for one period is computed from.
type Inputs struct {
	Period  Period  `json:"period"`
	Manager Manager `json:"manager"`
	Basis   string  `json:"basis"`
	// Targets by KPI from staging.stg_plans; a KPI without a row is missing.
	Targets map[string]decimal.Decimal `json:"targets"`
	// Sales are the events the sales KPI sums.
	Sales []Event `json:"sales"`
	// ActiveClients assigned to the manager and active at the period end.
	ActiveClients []Client `json:"active_clients"`
	// NewClients first shipped in the period, credited to the manager.
	NewClients []Client `json:"new_clients"`
	// Receivables of the manager's clients at ReceivablesAsOf.
	Receivables     []Receivable `json:"receivables"`
	ReceivablesAsOf *time.Time   `json:"receivables_as_of,omitempty"`
	// NoReceivables: marts.receivables_ageing is absent or has no date in the period.
	NoReceivables bool `json:"no_receivables"`
	// Provisional: the warehouse was built as of a date before the period end.
	Provisional bool `json:"provisional"`
}

// Actual is the KPI's actual value from the inputs.
func (in *Inputs) Actual(kpi string) decimal.Decimal {
	switch kpi {
	case "sales":
		s := decimal.Zero
		for _, e := range in.Sales {
			s = s.Add(e.Amount)
		}
		return s
	case "active_clients":
		return decimal.NewFromInt(int64(len(in.ActiveClients)))
	case "new_clients":
		return decimal.NewFromInt(int64(len(in.NewClients)))
	}
	return decimal.Zero
}

// OverdueShare is overdue / (not due + overdue) of the manager's clients;
// 0 when nothing is open.
func (in *Inputs) OverdueShare() (share, overdue, open decimal.Decimal) {
	overdue, open = decimal.Zero, decimal.Zero
	for _, r := range in.Receivables {
		o := r.OverdueTotal()
		overdue = overdue.Add(o)
		open = open.Add(r.NotDue).Add(o)
	}
	if open.Sign() <= 0 {
		return decimal.Zero, overdue, open
	}
	return overdue.DivRound(open, Places), overdue, open
}

// hash is the SHA-256 of the plan and of the inputs figures that decide the
// pay, in a fixed text form: names, open-invoice detail and the as-of flags
// are left out, so that a hash changes only when something the pay is
// computed from changes.
func (in *Inputs) hash(plan *Plan) string {
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 16<<10)
	w := func(parts ...string) { // the parts joined by tabs, then a newline
		for i, p := range parts {
			if i > 0 {
				bw.WriteByte('\t')
			}
			bw.WriteString(p)
		}
		bw.WriteByte('\n')
	}
	optDate := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2006-01-02")
	}
	pj, _ := json.Marshal(plan)
	w("pay inputs v1")
	w("plan", string(pj))
	m := in.Manager
	w("manager", m.ID, m.VariableTarget.String(), optDate(m.HiredOn), optDate(m.LeftOn))
	w("period", in.Period.String(), in.Basis)
	kpis := make([]string, 0, len(in.Targets))
	for k := range in.Targets {
		kpis = append(kpis, k)
	}
	sort.Strings(kpis)
	for _, k := range kpis {
		w("target", k, in.Targets[k].String())
	}
	for _, e := range in.Sales {
		w("sales", e.Kind, e.Date.Format("2006-01-02"), e.Ref, e.ClientID, e.Amount.String())
	}
	for _, c := range in.ActiveClients {
		w("active", c.ClientID, c.Date.Format("2006-01-02"))
	}
	for _, c := range in.NewClients {
		w("new", c.ClientID, c.Date.Format("2006-01-02"))
	}
	w("receivables", optDate(in.ReceivablesAsOf), strconv.FormatBool(in.NoReceivables))
	for _, r := range in.Receivables {
		parts := []string{"receivable", r.ClientID, r.NotDue.String()}
		for _, b := range r.Overdue {
			parts = append(parts, b.Name+"="+b.Amount.String())
		}
		w(parts...)
	}
	bw.Flush()
	return hex.EncodeToString(h.Sum(nil))
}

// ComponentResult is one component of a pay line.
type ComponentResult struct {
	KPI    string          `json:"kpi"`
	Weight decimal.Decimal `json:"weight"`
	Curve  Curve           `json:"curve"`
	// Target; nil when missing.
	Target *decimal.Decimal `json:"target,omitempty"`
	Actual decimal.Decimal  `json:"actual"`
	// Delta is a what-if addition to the actual (0 in a real sheet).
	Delta decimal.Decimal `json:"delta"`
	// Attainment = actual / target; nil when the target is missing or not above 0.
	Attainment    *decimal.Decimal `json:"attainment,omitempty"`
	CurveValue    decimal.Decimal  `json:"curve_value"`
	CurveHow      string           `json:"curve_how"`
	Payout        decimal.Decimal  `json:"payout"` // weight × curve value
	MissingTarget bool             `json:"missing_target"`
}

// GateResult is one gate of a pay line.
type GateResult struct {
	Gate
	Value   decimal.Decimal `json:"value"`
	Applied bool            `json:"applied"`
}

// Line is one row of a pay sheet: a manager's pay for the period, or a
// prior-period adjustment.
type Line struct {
	Kind          string `json:"kind"`
	Period        Period `json:"period"`
	AdjustsPeriod Period `json:"adjusts_period,omitzero"`
	ManagerID     string `json:"manager_id"`
	Name          string `json:"name"`
	Plan          string `json:"plan"`
	// PlanValidFrom identifies the plan version.
	PlanValidFrom time.Time        `json:"plan_valid_from"`
	Basis         string           `json:"basis,omitempty"`
	Curve         Curve            `json:"curve,omitempty"`
	Cap           *decimal.Decimal `json:"cap,omitempty"`

	VariableTarget decimal.Decimal `json:"variable_target"`
	// Employed from EmployedFrom to EmployedTo inclusive: EmployedDays of PeriodDays.
	EmployedFrom *time.Time      `json:"employed_from,omitempty"`
	EmployedTo   *time.Time      `json:"employed_to,omitempty"`
	EmployedDays int             `json:"employed_days"`
	PeriodDays   int             `json:"period_days"`
	Proration    decimal.Decimal `json:"proration"` // EmployedDays / PeriodDays to Places

	Components  []ComponentResult `json:"components"`
	WeightedSum decimal.Decimal   `json:"weighted_sum"` // Σ payout
	Factor      decimal.Decimal   `json:"factor"`       // min(cap, Σ payout)
	Capped      bool              `json:"capped"`

	OverdueShare   decimal.Decimal `json:"overdue_share"`
	Overdue        decimal.Decimal `json:"overdue"`
	Open           decimal.Decimal `json:"open"`
	Gates          []GateResult    `json:"gates,omitempty"`
	GateMultiplier decimal.Decimal `json:"gate_multiplier"`

	// Unrounded is the pay before rounding, to Places.
	Unrounded decimal.Decimal `json:"unrounded"`
	// VariablePay is the amount to pay (a pay line) or the adjustment.
	VariablePay decimal.Decimal `json:"variable_pay"`
	Flags       []string        `json:"flags"`

	InputsSHA256 string  `json:"inputs_sha256"`
	Inputs       *Inputs `json:"inputs,omitempty"`

	// Adjustments: the pay recomputed from today's data, the locked pay and
	// the adjustments already locked in later periods.
	Recomputed     *Line           `json:"recomputed,omitempty"`
	Locked         *Line           `json:"locked,omitempty"`
	LockedRunID    int64           `json:"locked_run_id,omitempty"`
	AdjustedBefore decimal.Decimal `json:"adjusted_before"`
}

// Component returns the line's result for a KPI.
func (l *Line) Component(kpi string) (ComponentResult, bool) {
	for _, c := range l.Components {
		if c.KPI == kpi {
			return c, true
		}
	}
	return ComponentResult{}, false
}

func (l *Line) flag(f string) { l.Flags = append(l.Flags, f) }

// Compute is one manager's pay for the inputs' period under the plan:
//
//	pay = variable_target × proration × min(cap, Σ weight × curve(actual / target)) × Π gate multipliers
//
// rounded half away from zero to 0.01 once, at the end (the quotients on
// the way carry Places decimals). Proration = days employed in the period
// (hired_on and left_on both inclusive) / days in the period. A KPI whose
// target is missing or not above 0 pays nothing and flags the line
// missing_target:<kpi>. A gate applies when its metric is strictly above its
// limit. delta adds to the actuals (what-if); nil for the real pay.
func Compute(plan *Plan, in *Inputs, delta map[string]decimal.Decimal) *Line {
	l := computeFigures(plan, in, delta)
	l.InputsSHA256 = in.hash(plan)
	return l
}

// computeFigures is Compute without the digest of the inputs, for what-if
// figures that are never kept as a pay line: hashing every sales event of
// the month again for each of them was a third of a build's pay step.
func computeFigures(plan *Plan, in *Inputs, delta map[string]decimal.Decimal) *Line {
	l := &Line{
		Kind:           KindPay,
		Period:         in.Period,
		ManagerID:      in.Manager.ID,
		Name:           in.Manager.Name,
		Plan:           plan.Name,
		PlanValidFrom:  plan.ValidFrom,
		Basis:          plan.Basis,
		Curve:          plan.Curve,
		Cap:            plan.Cap,
		VariableTarget: in.Manager.VariableTarget,
		PeriodDays:     in.Period.Days(),
		Inputs:         in,
	}
	from, to := in.Period.Start(), in.Period.End()
	if h := in.Manager.HiredOn; h != nil && h.After(from) {
		from = *h
	}
	if lo := in.Manager.LeftOn; lo != nil && lo.Before(to) {
		to = *lo
	}
	l.EmployedDays = daysBetween(from, to)
	if l.EmployedDays > 0 {
		l.EmployedFrom, l.EmployedTo = &from, &to
	}
	days := decimal.NewFromInt(int64(l.PeriodDays))
	employed := decimal.NewFromInt(int64(l.EmployedDays))
	l.Proration = employed.DivRound(days, Places)

	l.WeightedSum = decimal.Zero
	for _, c := range plan.Components {
		r := ComponentResult{KPI: c.KPI, Weight: c.Weight, Curve: plan.CurveOf(c), Delta: delta[c.KPI]}
		r.Actual = in.Actual(c.KPI).Add(r.Delta)
		if t, ok := in.Targets[c.KPI]; ok {
			r.Target = &t
		}
		if r.Target == nil || r.Target.Sign() <= 0 {
			r.MissingTarget = true
			r.CurveHow = "no target above 0 → the component pays nothing"
			l.flag("missing_target:" + c.KPI)
		} else {
			a := r.Actual.DivRound(*r.Target, Places)
			r.Attainment = &a
			r.CurveValue, r.CurveHow = r.Curve.At(a)
			r.Payout = c.Weight.Mul(r.CurveValue)
		}
		l.WeightedSum = l.WeightedSum.Add(r.Payout)
		l.Components = append(l.Components, r)
	}
	l.Factor = l.WeightedSum
	if plan.Cap != nil && l.WeightedSum.GreaterThan(*plan.Cap) {
		l.Factor, l.Capped = *plan.Cap, true
		l.flag("capped")
	}

	l.OverdueShare, l.Overdue, l.Open = in.OverdueShare()
	l.GateMultiplier = decimal.NewFromInt(1)
	for _, g := range plan.Gates {
		gr := GateResult{Gate: g, Value: l.OverdueShare}
		if gr.Value.GreaterThan(g.Above) {
			gr.Applied = true
			l.GateMultiplier = l.GateMultiplier.Mul(g.Multiplier)
			l.flag("gate:" + g.Metric)
		}
		l.Gates = append(l.Gates, gr)
	}
	if in.NoReceivables && len(plan.Gates) > 0 {
		l.flag("no_receivables")
	}
	if in.Provisional {
		l.flag("provisional")
	}

	// One division, one rounding: the exact product over the days of the period.
	product := l.VariableTarget.Mul(employed).Mul(l.Factor).Mul(l.GateMultiplier)
	l.Unrounded = product.DivRound(days, Places)
	l.VariablePay = product.DivRound(days, 2) // half away from zero
	return l
}
