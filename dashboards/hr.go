package dashboards

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/models/pay"
)

// The HR page: the pay sheet of every month of the year up to the reported
// one, newest first, with lock state, prior-period adjustments, each KAM's
// calculation step by step and the payroll workbooks beside it. The sheets
// come from models/pay (pay.Calculate, as kam pay shows them: locked
// periods as stored, open ones from the warehouse); reports cannot read
// them, as pay exports through reports.

// hrPeriod is one month of the HR page.
type hrPeriod struct {
	Period pay.Period
	Sheet  *pay.Sheet
	Runs   []*pay.Run // every lock of the month, oldest first
}

// hrPeriods lists the months from January of month's year to month,
// newest first.
func hrPeriods(month time.Time) []pay.Period {
	var periods []pay.Period
	last := pay.PeriodOf(month)
	for p := pay.PeriodOf(time.Date(month.Year(), 1, 1, 0, 0, 0, 0, time.UTC)); !last.Before(p); p = p.Next() {
		periods = append([]pay.Period{p}, periods...)
	}
	return periods
}

// payrollFile names a month's payroll workbook, next to the page.
func payrollFile(p pay.Period) string { return "payroll-" + p.String() + ".xlsx" }

// writePayroll writes a month's payroll workbook into dir (pay.WriteXLSX:
// a sheet for the month, a statement sheet per KAM; text cells stay text,
// the bytes are the same for the same sheet). A month without lines has
// none.
func writePayroll(dir string, p hrPeriod) error {
	if len(p.Sheet.Lines) == 0 {
		return nil
	}
	// A workbook already there for the same sheet is left as it is: the
	// bytes would be the same, and writing them is most of the HR page's
	// time.
	path := filepath.Join(dir, payrollFile(p.Period))
	key, err := pay.XLSXKey(p.Sheet)
	if err != nil {
		return err
	}
	if pay.XLSXKeyOf(path) == key {
		return nil
	}
	// Written beside it and renamed: a reader never sees half a workbook.
	tmp, err := os.CreateTemp(dir, ".payroll-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	bw := bufio.NewWriterSize(tmp, 256<<10)
	err = pay.WriteXLSXKeyed(bw, p.Sheet, key)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("payroll of %s: %w", p.Period, err)
	}
	return os.Rename(tmp.Name(), path)
}

var hrTpl = template.Must(template.New("hr").Parse(`
{{- define "flags"}}{{range .}}<span class="flag">{{.}}</span>{{end}}{{end -}}
<section>
<h2>{{.L.overview}}</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.period}}</th><th class="text">{{.L.state}}</th><th>{{.L.kams}}</th><th>{{.L.adjustments}}</th><th>{{.L.total}}</th><th class="text">{{.L.payroll}}</th></tr></thead>
<tbody>
{{range .Periods}}<tr><td class="text">{{.Name}}</td><td class="text">{{.StateShort}}</td><td>{{.KAMs}}</td><td>{{.AdjustmentCount}}</td><td>{{.Total}}</td><td class="text">{{if .File}}<a href="{{.File}}">{{.File}}</a>{{else}}<span class="muted">{{$.L.no_lines}}</span>{{end}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.rule}}</p>
</section>
{{range .Periods}}<section>
<details{{if .Open}} open{{end}}>
<summary><b>{{.Name}}</b> · {{.StateShort}} · {{.Total}}</summary>
<p>{{.State}}</p>
{{if .Changed}}<p class="bad">{{.Changed}}</p>{{end}}
{{if .File}}<p><a href="{{.File}}">{{$.L.download}} {{.File}}</a></p>{{end}}
{{if .Lines}}<h3>{{$.L.sheet}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text" rowspan="2">{{$.L.kam}}</th><th rowspan="2">{{$.L.plan}}</th><th rowspan="2">{{$.L.variable_target}}</th><th rowspan="2">{{$.L.proration}}</th>{{range .KPIs}}<th class="group sep" colspan="2">{{.}}</th>{{end}}<th class="sep" rowspan="2">{{$.L.factor}}</th><th rowspan="2">{{$.L.gate}}</th><th rowspan="2">{{$.L.pay}}</th><th class="text" rowspan="2">{{$.L.flags}}</th></tr>
<tr>{{range .KPIs}}<th class="sep">{{$.L.attainment}}</th><th>{{$.L.payout}}</th>{{end}}</tr></thead>
<tbody>
{{range .Lines}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td>{{.Plan}}</td><td>{{.Target}}</td><td>{{.Proration}}</td>{{range .KPIs}}<td class="sep">{{.Attainment}}</td><td>{{.Payout}}</td>{{end}}<td class="sep">{{.Factor}}</td><td>{{.Gate}}</td><td><b>{{.Pay}}</b></td><td class="text">{{template "flags" .Flags}}</td></tr>
{{end}}</tbody>
</table></div>
{{else}}<p class="muted">{{$.L.no_lines}}</p>
{{end}}
{{if .Adjustments}}<h3>{{$.L.adjustments_title}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text">{{$.L.kam}}</th><th class="text">{{$.L.adjusts}}</th><th>{{$.L.locked_pay}}</th><th>{{$.L.recomputed_pay}}</th><th>{{$.L.adjusted_before}}</th><th>{{$.L.adjustment}}</th></tr></thead>
<tbody>
{{range .Adjustments}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td class="text">{{.Adjusts}}</td><td>{{.Locked}}</td><td>{{.Recomputed}}</td><td>{{.Before}}</td><td><b>{{.Pay}}</b></td></tr>
{{end}}</tbody>
</table></div>
{{end}}
{{if .Runs}}<h3>{{$.L.runs}}</h3>
<div class="scroll"><table>
<thead><tr><th>{{$.L.run}}</th><th class="text">{{$.L.state}}</th><th class="text">{{$.L.locked}}</th><th class="text">{{$.L.data_as_of}}</th><th>{{$.L.total}}</th><th class="text">{{$.L.inputs}}</th><th class="text">{{$.L.unlocked}}</th></tr></thead>
<tbody>
{{range .Runs}}<tr><td>{{.ID}}</td><td class="text">{{.Status}}</td><td class="text">{{.Locked}}</td><td class="text">{{.AsOf}}</td><td>{{.Total}}</td><td class="text"><code>{{.Hash}}</code></td><td class="text">{{.Unlocked}}</td></tr>
{{end}}</tbody>
</table></div>
{{end}}
{{if .Dropped}}<p class="note">{{$.L.statements_in_file}}</p>{{end}}
{{if .Statements}}<h3>{{$.L.statements}}</h3>
{{if not .Detail}}<p class="note">{{$.L.detail_in_file}}</p>{{end}}
{{range .Statements}}<details>
<summary>{{.Name}} <span class="muted">{{.ID}}</span> · <b>{{.Pay}}</b></summary>
<table class="stmt">
{{range .Steps}}<tr><th colspan="2">{{.Title}}
{{range .Rows}}<tr{{if .Sub}} class="sub"{{end}}><td>{{.Text}}<td>{{.Value}}
{{end}}{{end}}</table>
</details>
{{end}}{{end}}
</details>
</section>
{{end}}
`))

type hrLineView struct {
	ID, Name, Plan, Target, Proration, Factor, Gate, Pay string
	KPIs                                                 []struct{ Attainment, Payout string }
	Flags                                                []string
}

type hrAdjView struct{ ID, Name, Adjusts, Locked, Recomputed, Before, Pay string }

type hrRunView struct{ ID, Status, Locked, AsOf, Total, Hash, Unlocked string }

type stmtRow struct {
	Text, Value string
	Sub         bool // an input row behind a figure
}

type stmtStep struct {
	Title string
	Rows  []stmtRow
}

type stmtView struct {
	ID, Name, Pay string
	Steps         []stmtStep
}

type hrPeriodView struct {
	Name, StateShort, State, Changed, Total, File string
	KAMs, AdjustmentCount                         int
	Open, Detail, Dropped                         bool
	KPIs                                          []string
	Lines                                         []hrLineView
	Adjustments                                   []hrAdjView
	Runs                                          []hrRunView
	Statements                                    []stmtView
}

// periodView lays out one month of the HR page.
func periodView(hp hrPeriod, newest bool, lang string) hrPeriodView {
	s := hp.Sheet
	// The newest month lists the rows behind each KPI (the largest
	// clients); older months give the figures, their rows are in the
	// payroll workbook (the page stays small with many KAMs).
	v := hrPeriodView{Name: MonthName(hp.Period.String(), lang), Open: newest, Detail: newest, Total: Money(s.Total(), lang)}
	if len(s.Lines) > 0 {
		v.File = payrollFile(hp.Period)
	}
	switch {
	case s.Status == pay.StatusLocked && s.Run != nil:
		v.StateShort = fmt.Sprintf(tr(lang, "hr.locked_short"), Date(s.Run.LockedAt.UTC(), lang))
		v.State = fmt.Sprintf(tr(lang, "hr.locked_state"), s.Run.ID, dateTime(s.Run.LockedAt, lang), s.Run.LockedBy, Date(s.Run.AsOf, lang), s.InputsSHA256)
	default:
		v.StateShort = tr(lang, "hr.open_short")
		v.State = fmt.Sprintf(tr(lang, "hr.open_state"), Date(s.AsOf, lang))
	}
	if s.Changed {
		v.Changed = fmt.Sprintf(tr(lang, "hr.changed"), signedMoney(s.Difference, lang), MonthName(s.NextOpen.String(), lang))
	}
	for _, k := range s.KPIs() {
		v.KPIs = append(v.KPIs, kpiName(lang, k))
	}
	managers := map[string]bool{}
	for _, l := range s.Lines {
		if l.Kind == pay.KindPay {
			managers[l.ManagerID] = true
			v.Lines = append(v.Lines, payLineView(l, s.KPIs(), lang))
			continue
		}
		v.AdjustmentCount++
		a := hrAdjView{ID: l.ManagerID, Name: l.Name, Adjusts: MonthName(l.AdjustsPeriod.String(), lang),
			Locked: numFormat(lang).Dash, Recomputed: numFormat(lang).Dash, Before: Money(l.AdjustedBefore, lang), Pay: signedMoney(l.VariablePay, lang)}
		if l.Locked != nil {
			a.Locked = Money(l.Locked.VariablePay, lang)
		}
		if l.Recomputed != nil {
			a.Recomputed = Money(l.Recomputed.VariablePay, lang)
		}
		v.Adjustments = append(v.Adjustments, a)
	}
	v.KAMs = len(managers)
	for _, r := range hp.Runs {
		rv := hrRunView{ID: fmt.Sprint(r.ID), Status: tr(lang, "hr.status."+r.Status), AsOf: Date(r.AsOf, lang), Total: Money(r.Total, lang),
			Hash: r.InputsSHA256, Locked: dateTime(r.LockedAt, lang) + " · " + r.LockedBy, Unlocked: numFormat(lang).Dash}
		if r.UnlockedAt != nil {
			rv.Unlocked = fmt.Sprintf(tr(lang, "hr.unlocked_by"), dateTime(*r.UnlockedAt, lang), r.UnlockedBy, r.UnlockReason)
		}
		v.Runs = append(v.Runs, rv)
	}
	// A statement per KAM: the pay line, then its adjustments.
	var ids []string
	byID := map[string][]*pay.Line{}
	for _, l := range s.Lines {
		if byID[l.ManagerID] == nil {
			ids = append(ids, l.ManagerID)
		}
		byID[l.ManagerID] = append(byID[l.ManagerID], l)
	}
	for _, id := range ids {
		lines := byID[id]
		st := stmtView{ID: id, Name: lines[0].Name}
		total := decimal.Zero
		for _, l := range lines {
			total = total.Add(l.VariablePay)
			if l.Kind == pay.KindPay {
				st.Steps = append(st.Steps, explainLine(l, lang, v.Detail)...)
			} else {
				st.Steps = append(st.Steps, explainAdjustment(l, lang))
			}
		}
		st.Pay = Money(total, lang)
		v.Statements = append(v.Statements, st)
	}
	return v
}

// hrPage lays out the HR page from its months' views, newest first.
func hrPage(views []hrPeriodView, lang string, asOf time.Time) (*page, error) {
	p := &page{Lang: lang, Root: "../", Title: tr(lang, "hr.title"),
		Subtitle: tr(lang, "as_of") + " " + Date(asOf, lang)}
	L := map[string]string{}
	for _, k := range []string{"overview", "period", "state", "kams", "adjustments", "total", "payroll", "no_lines", "rule", "download",
		"sheet", "kam", "plan", "variable_target", "proration", "factor", "gate", "pay", "flags", "attainment", "payout",
		"adjustments_title", "adjusts", "locked_pay", "recomputed_pay", "adjusted_before", "adjustment", "runs", "run", "locked",
		"data_as_of", "inputs", "unlocked", "statements", "detail_in_file", "statements_in_file"} {
		L[k] = tr(lang, "hr."+k)
	}
	// A page stays under maxHRBody: with many KAMs late in the year the
	// statements of the oldest months give way (their payroll files keep them).
	for {
		var b bytes.Buffer
		if err := hrTpl.Execute(&b, map[string]any{"L": L, "Periods": views}); err != nil {
			return nil, err
		}
		oldest := -1
		for i := range views {
			if views[i].Statements != nil {
				oldest = i
			}
		}
		if b.Len() <= maxHRBody || oldest <= 0 {
			p.Body = template.HTML(b.String())
			return p, nil
		}
		views[oldest].Statements = nil
		views[oldest].Dropped = true
	}
}

// maxHRBody bounds the HR page's body (pages stay under 2 MB).
const maxHRBody = 1800 << 10

func payLineView(l *pay.Line, kpis []string, lang string) hrLineView {
	dash := numFormat(lang).Dash
	v := hrLineView{ID: l.ManagerID, Name: l.Name, Plan: l.Plan, Target: Money(l.VariableTarget, lang), Proration: ratio(l.Proration, lang),
		Factor: ratio(l.Factor, lang), Gate: ratio(l.GateMultiplier, lang), Pay: Money(l.VariablePay, lang)}
	for _, k := range kpis {
		c, ok := l.Component(k)
		cell := struct{ Attainment, Payout string }{dash, dash}
		if ok {
			if c.Attainment != nil {
				cell.Attainment = Percent(*c.Attainment, lang)
			}
			cell.Payout = ratio(c.Payout, lang)
		}
		v.KPIs = append(v.KPIs, cell)
	}
	for _, f := range l.Flags {
		v.Flags = append(v.Flags, payFlag(lang, f))
	}
	return v
}

// ratio shows a factor with 4 decimals (the statements carry every digit).
func ratio(d decimal.Decimal, lang string) string {
	return group(d.Round(4).StringFixed(4), numFormat(lang))
}

// exact shows every digit of a figure, in the language's notation.
func exact(d decimal.Decimal, lang string) string { return group(d.String(), numFormat(lang)) }

// exactMoney shows an amount with kopecks, or every digit it has beyond them.
func exactMoney(d decimal.Decimal, lang string) string {
	f := numFormat(lang)
	s := d.StringFixed(2)
	if !d.Equal(d.Round(2)) {
		s = d.String()
	}
	return f.MoneyPrefix + group(s, f) + f.MoneySuffix
}

func signedMoney(d decimal.Decimal, lang string) string {
	if d.IsPositive() {
		return "+" + Money(d, lang)
	}
	return Money(d, lang)
}

func dateTime(t time.Time, lang string) string {
	return Date(t.UTC(), lang) + " " + t.UTC().Format("15:04") + " UTC"
}

// payFlag translates a pay line flag such as missing_target:sales.
func payFlag(lang, f string) string {
	key, arg, _ := strings.Cut(f, ":")
	switch key {
	case "missing_target":
		return tr(lang, "missing_target") + ": " + kpiName(lang, arg)
	case "gate":
		return fmt.Sprintf(tr(lang, "hr.flag.gate"), gateMetric(lang, arg))
	case "adjustment":
		return tr(lang, "hr.flag.adjustment") + " " + arg
	case "capped", "provisional", "no_receivables":
		return tr(lang, "hr.flag."+key)
	}
	return f
}

func gateMetric(lang, m string) string {
	if m == "overdue_share" {
		return tr(lang, "hr.overdue_share")
	}
	return m
}

// explainLine is a pay line step by step, as kam pay explain prints it,
// with the input rows summed by client (the payroll workbook lists every
// row): proration, each KPI, the factor, the gates and the pay.
func explainLine(l *pay.Line, lang string, detail bool) []stmtStep {
	in := l.Inputs
	val := func(text string, v string) stmtRow { return stmtRow{Text: text, Value: v} }
	basis := l.Basis
	if basis == "" {
		basis = pay.BasisShipped
	}
	head := stmtStep{Title: fmt.Sprintf(tr(lang, "hr.x.plan"), l.Plan, Date(l.PlanValidFrom, lang), tr(lang, "hr.basis."+basis))}

	pr := stmtStep{Title: "1. " + tr(lang, "hr.x.proration")}
	if in != nil {
		hired, left := "—", "—"
		if in.Manager.HiredOn != nil {
			hired = Date(*in.Manager.HiredOn, lang)
		}
		if in.Manager.LeftOn != nil {
			left = Date(*in.Manager.LeftOn, lang)
		}
		pr.Rows = append(pr.Rows, stmtRow{Text: fmt.Sprintf(tr(lang, "hr.x.employment"), hired, left)})
	}
	span := tr(lang, "hr.x.not_employed")
	if l.EmployedFrom != nil {
		span = Date(*l.EmployedFrom, lang) + " — " + Date(*l.EmployedTo, lang)
	}
	pr.Rows = append(pr.Rows, val(tr(lang, "hr.x.days_employed")+": "+span, fmt.Sprint(l.EmployedDays)),
		val(tr(lang, "hr.x.days"), fmt.Sprint(l.PeriodDays)),
		val(fmt.Sprintf("%s = %d / %d", tr(lang, "hr.proration"), l.EmployedDays, l.PeriodDays), exact(l.Proration, lang)))
	steps := []stmtStep{head, pr}

	for i, c := range l.Components {
		st := stmtStep{Title: fmt.Sprintf("%d. %s (%s %s, %s %s)", i+2, kpiName(lang, c.KPI), tr(lang, "hr.x.weight"), exact(c.Weight, lang),
			tr(lang, "hr.x.curve"), curveText(c.Curve, lang))}
		if in != nil {
			st.Rows = append(st.Rows, explainInputs(c.KPI, in, lang, detail)...)
		}
		st.Rows = append(st.Rows, val(tr(lang, "hr.x.actual"), kpiValue(c.KPI, c.Actual, lang)))
		if c.Target == nil {
			st.Rows = append(st.Rows, stmtRow{Text: tr(lang, "hr.x.no_target")})
		} else {
			st.Rows = append(st.Rows, val(tr(lang, "hr.x.target"), kpiValue(c.KPI, *c.Target, lang)))
		}
		if c.MissingTarget || c.Attainment == nil {
			st.Rows = append(st.Rows, val(tr(lang, "hr.x.missing"), "0"))
			steps = append(steps, st)
			continue
		}
		st.Rows = append(st.Rows,
			val(fmt.Sprintf("%s = %s / %s", tr(lang, "hr.attainment"), exact(c.Actual, lang), exact(*c.Target, lang)), exact(*c.Attainment, lang)),
			val(curveHow(c.Curve, *c.Attainment, c.CurveValue, lang), exact(c.CurveValue, lang)),
			val(fmt.Sprintf("%s = %s × %s", tr(lang, "hr.payout"), exact(c.Weight, lang), exact(c.CurveValue, lang)), exact(c.Payout, lang)))
		steps = append(steps, st)
	}

	n := len(l.Components) + 2
	fs := stmtStep{Title: fmt.Sprintf("%d. %s", n, tr(lang, "hr.factor"))}
	var terms []string
	for _, c := range l.Components {
		terms = append(terms, exact(c.Payout, lang))
	}
	fs.Rows = append(fs.Rows, val(tr(lang, "hr.x.sum")+" = "+strings.Join(terms, " + "), exact(l.WeightedSum, lang)))
	switch {
	case l.Cap == nil:
		fs.Rows = append(fs.Rows, val(tr(lang, "hr.x.no_cap"), exact(l.Factor, lang)))
	case l.Capped:
		fs.Rows = append(fs.Rows, val(fmt.Sprintf(tr(lang, "hr.x.capped"), exact(*l.Cap, lang), exact(*l.Cap, lang), exact(l.WeightedSum, lang)), exact(l.Factor, lang)))
	default:
		fs.Rows = append(fs.Rows, val(fmt.Sprintf(tr(lang, "hr.x.cap_not_reached"), exact(*l.Cap, lang), exact(*l.Cap, lang), exact(l.WeightedSum, lang)), exact(l.Factor, lang)))
	}
	steps = append(steps, fs)

	n++
	gs := stmtStep{Title: fmt.Sprintf("%d. %s", n, tr(lang, "hr.x.gates"))}
	if len(l.Gates) == 0 {
		gs.Rows = append(gs.Rows, val(tr(lang, "hr.x.no_gates"), exact(l.GateMultiplier, lang)))
	} else {
		if in != nil {
			switch {
			case in.NoReceivables:
				gs.Rows = append(gs.Rows, stmtRow{Text: tr(lang, "hr.x.no_receivables")})
			case in.ReceivablesAsOf != nil:
				gs.Rows = append(gs.Rows, stmtRow{Text: fmt.Sprintf(tr(lang, "hr.x.receivables_at"), Date(*in.ReceivablesAsOf, lang))})
				if !detail {
					gs.Rows[len(gs.Rows)-1].Text = fmt.Sprintf(tr(lang, "hr.x.receivables_at_short"), Date(*in.ReceivablesAsOf, lang))
				}
			}
			if detail {
				gs.Rows = append(gs.Rows, overdueRows(in.Receivables, lang)...)
			}
		}
		gs.Rows = append(gs.Rows, val(tr(lang, "hr.x.overdue"), exactMoney(l.Overdue, lang)), val(tr(lang, "hr.x.open"), exactMoney(l.Open, lang)))
		if l.Open.Sign() > 0 {
			gs.Rows = append(gs.Rows, val(fmt.Sprintf("%s = %s / %s", tr(lang, "hr.overdue_share"), exactMoney(l.Overdue, lang), exactMoney(l.Open, lang)), exact(l.OverdueShare, lang)))
		} else {
			gs.Rows = append(gs.Rows, val(tr(lang, "hr.overdue_share")+" = 0 ("+tr(lang, "hr.x.nothing_open")+")", exact(l.OverdueShare, lang)))
		}
		for _, g := range l.Gates {
			if g.Applied {
				gs.Rows = append(gs.Rows, val(fmt.Sprintf(tr(lang, "hr.x.gate_applied"), gateMetric(lang, g.Metric), exact(g.Value, lang), exact(g.Above, lang), exact(g.Multiplier, lang)), exact(g.Multiplier, lang)))
			} else {
				gs.Rows = append(gs.Rows, val(fmt.Sprintf(tr(lang, "hr.x.gate_not_applied"), gateMetric(lang, g.Metric), exact(g.Value, lang), exact(g.Above, lang), exact(g.Multiplier, lang)), "1"))
			}
		}
		gs.Rows = append(gs.Rows, val(tr(lang, "hr.gate"), exact(l.GateMultiplier, lang)))
	}
	steps = append(steps, gs)

	n++
	ps := stmtStep{Title: fmt.Sprintf("%d. %s", n, tr(lang, "hr.pay"))}
	ps.Rows = append(ps.Rows, val(tr(lang, "hr.variable_target"), exactMoney(l.VariableTarget, lang)),
		val(fmt.Sprintf(tr(lang, "hr.x.product"), exactMoney(l.VariableTarget, lang), l.EmployedDays, exact(l.Factor, lang), exact(l.GateMultiplier, lang), l.PeriodDays), exact(l.Unrounded, lang)),
		val(tr(lang, "hr.x.rounded"), Money(l.VariablePay, lang)))
	if len(l.Flags) > 0 {
		var fl []string
		for _, f := range l.Flags {
			fl = append(fl, payFlag(lang, f))
		}
		ps.Rows = append(ps.Rows, stmtRow{Text: tr(lang, "hr.flags") + ": " + strings.Join(fl, ", ")})
	}
	ps.Rows = append(ps.Rows, stmtRow{Text: "SHA-256 " + tr(lang, "hr.inputs") + ": " + l.InputsSHA256, Sub: true})
	return append(steps, ps)
}

// topRows is how many clients a statement lists behind a figure; the
// rest are summed in one row (the payroll workbook lists every row).
const topRows = 10

// explainInputs lists what a KPI's actual is made of: sales summed by
// client (the largest first, with how many rows), the clients counted
// otherwise; without detail only how many.
func explainInputs(kpi string, in *pay.Inputs, lang string, detail bool) []stmtRow {
	var rows []stmtRow
	switch kpi {
	case "sales":
		key := "hr.x.sales_shipped"
		if in.Basis == pay.BasisCollected {
			key = "hr.x.sales_collected"
		}
		type agg struct {
			id, name string
			n        int
			sum      decimal.Decimal
		}
		by := map[string]*agg{}
		var all []*agg
		for _, e := range in.Sales {
			a := by[e.ClientID]
			if a == nil {
				a = &agg{id: e.ClientID, name: e.ClientName}
				by[e.ClientID] = a
				all = append(all, a)
			}
			a.n++
			a.sum = a.sum.Add(e.Amount)
		}
		sort.Slice(all, func(i, j int) bool {
			if c := all[i].sum.Abs().Cmp(all[j].sum.Abs()); c != 0 {
				return c > 0
			}
			return all[i].id < all[j].id
		})
		rows = append(rows, stmtRow{Text: fmt.Sprintf(tr(lang, key), len(in.Sales), len(all))})
		if !detail {
			break
		}
		rest, restN, restClients := decimal.Zero, 0, 0
		for i, a := range all {
			if i >= topRows {
				rest, restN, restClients = rest.Add(a.sum), restN+a.n, restClients+1
				continue
			}
			rows = append(rows, stmtRow{Text: fmt.Sprintf("%s %s (%s %d)", a.id, a.name, tr(lang, "hr.x.rows"), a.n), Value: exactMoney(a.sum, lang), Sub: true})
		}
		if restClients > 0 {
			rows = append(rows, stmtRow{Text: fmt.Sprintf(tr(lang, "hr.x.other_clients"), restClients, restN), Value: exactMoney(rest, lang), Sub: true})
		}
	case "active_clients":
		rows = append(rows, stmtRow{Text: fmt.Sprintf(tr(lang, "hr.x.active"), Date(in.Period.End(), lang), len(in.ActiveClients))})
		var ids []string
		for _, c := range in.ActiveClients {
			ids = append(ids, c.ClientID)
		}
		if detail && len(ids) > 0 {
			rows = append(rows, stmtRow{Text: strings.Join(ids, ", "), Sub: true})
		}
	case "new_clients":
		rows = append(rows, stmtRow{Text: fmt.Sprintf(tr(lang, "hr.x.new"), len(in.NewClients))})
		for i, c := range in.NewClients {
			if !detail || i >= topRows {
				break
			}
			rows = append(rows, stmtRow{Text: fmt.Sprintf("%s %s (%s %s)", c.ClientID, c.ClientName, tr(lang, "hr.x.first_shipped"), Date(c.Date, lang)), Value: "1", Sub: true})
		}
	}
	return rows
}

// overdueRows lists the clients with the largest overdue amounts, the
// rest summed in one row.
func overdueRows(rs []pay.Receivable, lang string) []stmtRow {
	type od struct {
		r pay.Receivable
		o decimal.Decimal
	}
	var all []od
	for _, r := range rs {
		if o := r.OverdueTotal(); !o.IsZero() {
			all = append(all, od{r, o})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].o.GreaterThan(all[j].o) })
	var rows []stmtRow
	rest, n := decimal.Zero, 0
	for i, x := range all {
		if i >= topRows {
			rest, n = rest.Add(x.o), n+1
			continue
		}
		rows = append(rows, stmtRow{Text: fmt.Sprintf("%s %s: %s %s", x.r.ClientID, x.r.ClientName, tr(lang, "hr.x.not_due"), exactMoney(x.r.NotDue, lang)),
			Value: exactMoney(x.o, lang), Sub: true})
	}
	if n > 0 {
		rows = append(rows, stmtRow{Text: fmt.Sprintf(tr(lang, "hr.x.other_overdue"), n), Value: exactMoney(rest, lang), Sub: true})
	}
	return rows
}

func kpiValue(kpi string, d decimal.Decimal, lang string) string {
	if kpi == "sales" {
		return exactMoney(d, lang)
	}
	return exact(d, lang)
}

// curveText renders a curve as [0,8 → 0,5, 1 → 1, ...].
func curveText(c pay.Curve, lang string) string {
	parts := make([]string, len(c))
	for i, p := range c {
		parts[i] = exact(p.Attainment, lang) + " → " + exact(p.Payout, lang)
	}
	return "[" + strings.Join(parts, "; ") + "]"
}

// curveHow says how the curve gives its value at attainment a, with the
// arithmetic of the linear piece (pay.Curve.At in words).
func curveHow(c pay.Curve, a, y decimal.Decimal, lang string) string {
	if len(c) == 0 {
		return tr(lang, "hr.x.no_curve")
	}
	first, last := c[0], c[len(c)-1]
	switch {
	case a.LessThan(first.Attainment):
		return fmt.Sprintf(tr(lang, "hr.x.below"), exact(a, lang), exact(first.Attainment, lang))
	case !a.LessThan(last.Attainment):
		return fmt.Sprintf(tr(lang, "hr.x.above"), exact(a, lang), exact(last.Attainment, lang))
	}
	for i := 0; i+1 < len(c); i++ {
		p, q := c[i], c[i+1]
		if a.Equal(p.Attainment) {
			return fmt.Sprintf(tr(lang, "hr.x.at_point"), exact(a, lang))
		}
		if a.LessThan(q.Attainment) {
			return fmt.Sprintf(tr(lang, "hr.x.between"), exact(p.Payout, lang), exact(a, lang), exact(p.Attainment, lang),
				exact(q.Payout, lang), exact(p.Payout, lang), exact(q.Attainment, lang), exact(p.Attainment, lang))
		}
	}
	return tr(lang, "hr.x.curve")
}

// explainAdjustment is a prior-period adjustment step by step.
func explainAdjustment(l *pay.Line, lang string) stmtStep {
	st := stmtStep{Title: fmt.Sprintf(tr(lang, "hr.x.adjustment"), MonthName(l.AdjustsPeriod.String(), lang), l.LockedRunID)}
	st.Rows = append(st.Rows, stmtRow{Text: tr(lang, "hr.x.late_data")})
	rec, locked := decimal.Zero, decimal.Zero
	if l.Recomputed != nil {
		rec = l.Recomputed.VariablePay
	}
	if l.Locked != nil {
		locked = l.Locked.VariablePay
	}
	for _, k := range pay.KPIs {
		var was, now pay.ComponentResult
		var ok1, ok2 bool
		if l.Locked != nil {
			was, ok1 = l.Locked.Component(k)
		}
		if l.Recomputed != nil {
			now, ok2 = l.Recomputed.Component(k)
		}
		if !ok1 && !ok2 {
			continue
		}
		st.Rows = append(st.Rows, stmtRow{Sub: true, Text: fmt.Sprintf(tr(lang, "hr.x.kpi_change"), kpiName(lang, k),
			kpiValue(k, was.Actual, lang), kpiValue(k, now.Actual, lang), exact(was.Payout, lang), exact(now.Payout, lang))})
	}
	st.Rows = append(st.Rows,
		stmtRow{Text: tr(lang, "hr.recomputed_pay"), Value: Money(rec, lang)},
		stmtRow{Text: tr(lang, "hr.locked_pay"), Value: Money(locked, lang)},
		stmtRow{Text: tr(lang, "hr.adjusted_before"), Value: Money(l.AdjustedBefore, lang)},
		stmtRow{Text: fmt.Sprintf("%s = %s − %s − %s", tr(lang, "hr.adjustment"), Money(rec, lang), Money(locked, lang), Money(l.AdjustedBefore, lang)),
			Value: signedMoney(l.VariablePay, lang)})
	return st
}

// renderHR writes dir/hr/index.html and the payroll workbooks when
// opt.Compensation names a plans file and the year to period has pay
// lines; it reports whether it did.
func renderHR(ctx context.Context, db *sql.DB, dir, lang string, opt Options, period string) (bool, error) {
	if opt.Compensation == "" {
		return false, nil
	}
	if st, err := os.Stat(opt.Compensation); err != nil || !st.Mode().IsRegular() {
		return false, nil
	}
	plans, _, err := pay.Load(opt.Compensation)
	if err != nil {
		return false, fmt.Errorf("hr page: %w", err)
	}
	month, err := time.Parse("2006-01", period)
	if err != nil {
		return false, fmt.Errorf("hr page: period %q: %w", period, err)
	}
	runs, err := pay.Runs(ctx, db)
	if err != nil {
		return false, fmt.Errorf("hr page: pay runs: %w", err)
	}
	// Each month's sheet is computed, its workbook written and its part of
	// the page laid out before the worker takes the next month: a sheet holds
	// every sales event of its month (≈ 180 MB at 10 M order lines), so only
	// as many are in memory as there are workers.
	out := filepath.Join(dir, "hr")
	periods := hrPeriods(month)
	views := make([]hrPeriodView, len(periods))
	err = forEach(ctx, len(periods), func(i int) error {
		s, err := pay.Calculate(ctx, db, plans, periods[i], pay.Options{})
		if err != nil {
			return fmt.Errorf("pay sheets: %w", err)
		}
		hp := hrPeriod{Period: periods[i], Sheet: s}
		for _, r := range runs {
			if r.Period == periods[i] {
				hp.Runs = append(hp.Runs, r)
			}
		}
		if len(s.Lines) > 0 {
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			if err := writePayroll(out, hp); err != nil {
				return err
			}
		}
		views[i] = periodView(hp, i == 0, lang)
		return nil
	})
	if errors.Is(err, pay.ErrNotBuilt) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("hr page: %w", err)
	}
	if !slices.ContainsFunc(views, func(v hrPeriodView) bool { return v.File != "" }) {
		return false, nil // no month has a pay line
	}
	p, err := hrPage(views, lang, opt.AsOf)
	if err != nil {
		return false, err
	}
	p.Footer = footer(lang, opt.AsOf)
	err = p.write(filepath.Join(out, "index.html"))
	return err == nil, err
}
