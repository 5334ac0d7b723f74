package dashboards

import (
	"bytes"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
)

// The work lists under the KAM's charts: what closing each gap pays,
// sales history with classes, assortment, receivables, credit, activity,
// competitors and the segment forecasts. Every list comes from
// reports.KAMPanels, which holds own clients only.
var kamPanelsTpl = template.Must(template.New("kampanels").Parse(`
{{- define "flags"}}{{range .}}<span class="flag">{{.}}</span>{{end}}{{end -}}
<section>
<h2>{{.L.history}}</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.class}}</th>{{range .Months}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .History}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td class="text">{{.Class}}{{if .Changed}} <span class="muted">← {{.Prev}}</span>{{end}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{else}}<tr><td class="text muted" colspan="14">{{.L.no_data}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.history_note}}</p>
</section>
<section>
<h2>{{.L.bought}}</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th>{{range .Categories}}<th style="white-space:normal">{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Bought}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td>{{range .Cells}}<td{{if .Gap}} class="good"{{end}}>{{.Text}}</td>{{end}}</tr>
{{else}}<tr><td class="text muted">{{.L.no_data}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.bought_note}}</p>
</section>
<section>
<h2>{{.L.gaps}}</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.category}}</th><th>{{.L.penetration}}</th><th>{{.L.potential}}</th></tr></thead>
<tbody>
{{range .Gaps}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td class="text">{{.Category}}</td><td>{{.Penetration}}</td><td>{{.Potential}}</td></tr>
{{else}}<tr><td class="text muted" colspan="4">{{.L.none}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.gaps_note}}</p>
</section>
<section>
<h2>{{.L.receivables}}{{if .ReceivablesAsOf}} <span class="muted">· {{.ReceivablesAsOf}}</span>{{end}}</h2>
<h3>{{.L.overdue}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.document}}</th><th>{{.L.doc_date}}</th><th>{{.L.due}}</th><th>{{.L.days_overdue}}</th><th>{{.L.amount}}</th><th>{{.L.open}}</th></tr></thead>
<tbody>
{{range .Overdue}}<tr><td class="text">{{.Name}} <span class="muted">{{.ClientID}}</span></td><td class="text">{{.Kind}} {{.ID}}</td><td>{{.Date}}</td><td>{{.Due}}</td><td class="{{if .Late}}bad{{end}}">{{.Days}}</td><td>{{.Amount}}</td><td>{{.Open}}</td></tr>
{{else}}<tr><td class="text muted" colspan="7">{{.L.none}}</td></tr>
{{end}}</tbody>
</table></div>
<h3>{{.L.ageing}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th>{{range .Buckets}}<th>{{.}}</th>{{end}}<th>{{.L.advance}}</th><th>{{.L.balance}}</th></tr></thead>
<tbody>
{{range .Ageing}}<tr{{if .Total}} class="first"{{end}}><td class="text">{{if .Total}}<b>{{$.L.total}}</b>{{else}}{{.Name}} <span class="muted">{{.ID}}</span>{{end}}</td>{{range .Cells}}<td>{{.}}</td>{{end}}</tr>
{{else}}<tr><td class="text muted">{{.L.none}}</td></tr>
{{end}}</tbody>
</table></div>
<h3>{{.L.credit}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th>{{.L.limit}}</th><th>{{.L.balance}}</th><th>{{.L.utilisation}}</th><th>{{.L.available}}</th><th>{{.L.overdue_amount}}</th><th>{{.L.oldest}}</th><th class="text">{{.L.flags}}</th></tr></thead>
<tbody>
{{range .Credit}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td>{{.Limit}}</td><td>{{.Balance}}</td><td class="{{if .Over}}bad{{end}}">{{.Utilisation}}</td><td>{{.Available}}</td><td>{{.Overdue}}</td><td>{{.Oldest}}</td><td class="text">{{template "flags" .Flags}}</td></tr>
{{else}}<tr><td class="text muted" colspan="8">{{.L.none}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.credit_note}}</p>
</section>
<section>
<h2>{{.L.activity}}</h2>
{{.ActivityChart}}
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.month}}</th><th>{{.L.planned}}</th><th>{{.L.done}}</th><th>{{.L.as_planned}}</th><th>{{.L.visits}}</th><th>{{.L.calls}}</th><th>{{.L.meetings}}</th><th>{{.L.coverage}}</th><th>{{.L.orders}}</th><th>{{.L.visits_per_order}}</th></tr></thead>
<tbody>
{{range .Activity}}<tr><td class="text">{{.Month}}</td><td>{{.Planned}}</td><td>{{.Done}}</td><td>{{.AsPlanned}}</td><td>{{.Visits}}</td><td>{{.Calls}}</td><td>{{.Meetings}}</td><td>{{.Coverage}}</td><td>{{.Orders}}</td><td>{{.PerOrder}}</td></tr>
{{else}}<tr><td class="text muted" colspan="10">{{.L.no_data}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.activity_note}}</p>
</section>
<section>
<h2>{{.L.competitors}}</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.category}}</th><th>{{.L.ours}}</th><th>{{.L.theirs}}</th><th>{{.L.wallet}}</th><th>{{.L.share}}</th><th>{{.L.competitor_count}}</th></tr></thead>
<tbody>
{{range .Competitors}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td class="text">{{.Category}}</td><td>{{.Ours}}</td><td>{{.Theirs}}</td><td>{{.Wallet}}</td><td class="{{if .Low}}bad{{end}}">{{.Share}}</td><td>{{.Count}}</td></tr>
{{else}}<tr><td class="text muted" colspan="7">{{.L.none}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.competitors_note}}</p>
</section>
<section>
<h2>{{.L.forecast}}</h2>
{{range .Forecasts}}<h3>{{.Segment}}</h3>
{{.Chart}}
<p class="note">{{.Accuracy}}</p>
{{range .Overrides}}<p class="note">{{$.L.override}} {{.Period}}: <b>{{.Value}}</b> — «{{.Comment}}» <span class="muted">{{.Author}}, {{.At}}</span></p>
{{end}}
<div class="scroll"><table>
<thead><tr><th class="text">{{$.L.month}}</th><th>{{$.L.forecast_value}}</th><th>{{$.L.lo80}}</th><th>{{$.L.hi80}}</th><th>{{$.L.lo95}}</th><th>{{$.L.hi95}}</th><th>{{$.L.override}}</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td class="text">{{.Period}}</td><td>{{.Value}}</td><td>{{.Lo80}}</td><td>{{.Hi80}}</td><td>{{.Lo95}}</td><td>{{.Hi95}}</td><td>{{.Override}}</td></tr>
{{end}}</tbody>
</table></div>
{{else}}<p class="muted">{{.L.no_forecast}}</p>
{{end}}<p class="note">{{.L.forecast_note}}</p>
</section>
`))

// gapTpl is the table of what closing each plan gap would pay; it sits in
// the plan section.
var gapTpl = template.Must(template.New("gap").Parse(`<h3>{{.L.gap_value}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.kpi}}</th><th>{{.L.gap}}</th><th>{{.L.pay_now}}</th><th>{{.L.pay_if_closed}}</th><th>{{.L.worth}}</th></tr></thead>
<tbody>
{{range .Rows}}<tr{{if .All}} class="first"{{end}}><td class="text">{{if .All}}<b>{{.Name}}</b>{{else}}{{.Name}}{{end}}{{range .Flags}}<span class="flag">{{.}}</span>{{end}}</td><td>{{.Gap}}</td><td>{{.PayNow}}</td><td>{{.PayIf}}</td><td class="{{if .Positive}}good{{end}}">{{.Worth}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.gap_note}}</p>
`))

type gapRow struct {
	Name, Gap, PayNow, PayIf, Worth string
	Flags                           []string
	All, Positive                   bool
}

// gapTable renders the pay value of closing each gap, or nothing without
// marts.pay_gap_value rows for the period.
func gapTable(x reports.KAMPanels, lang string) (template.HTML, error) {
	if len(x.GapValues) == 0 {
		return "", nil
	}
	dash := numFormat(lang).Dash
	L := trMap(lang, "kpi", "gap")
	for _, k := range []string{"gap_value", "gap_note", "pay_now", "pay_if_closed", "worth"} {
		L[k] = tr(lang, "kam."+k)
	}
	L["gap_value"] += " · " + MonthName(x.GapPeriod, lang)
	var rows []gapRow
	for _, g := range x.GapValues {
		r := gapRow{Name: kpiName(lang, g.KPI), Gap: dash, PayNow: fmtMoney(g.PayNow, lang), PayIf: fmtMoney(g.PayIfClosed, lang),
			Worth: fmtMoney(g.Value, lang), All: g.KPI == "all", Positive: g.Value.Valid && g.Value.Decimal.IsPositive()}
		if r.All {
			r.Name = tr(lang, "kam.all_gaps")
		}
		if g.Gap.Valid && g.Gap.Decimal.IsPositive() {
			r.Gap = fmtKPI(g.KPI, g.Gap, lang)
		}
		for _, f := range strings.Fields(g.Flags) {
			if strings.HasPrefix(f, "missing_target") {
				r.Flags = append(r.Flags, tr(lang, "missing_target"))
			}
		}
		rows = append(rows, r)
	}
	var b bytes.Buffer
	if err := gapTpl.Execute(&b, map[string]any{"L": L, "Rows": rows}); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

func trMap(lang string, keys ...string) map[string]string {
	L := map[string]string{}
	for _, k := range keys {
		L[k] = tr(lang, k)
	}
	return L
}

// fmtMoney formats money with kopecks, or a dash.
func fmtMoney(d reports.Dec, lang string) string {
	if !d.Valid {
		return numFormat(lang).Dash
	}
	return Money(d.Decimal, lang)
}

// thousands formats an amount in thousands with one decimal for the
// history table (12 columns must fit a laptop screen).
func thousands(d decimal.Decimal, lang string) string {
	if d.IsZero() {
		return numFormat(lang).Dash
	}
	return group(d.Div(decimal.NewFromInt(1000)).StringFixed(1), numFormat(lang))
}

// rawOption is a chart option built as a map, for what go-echarts cannot
// say (a series left out of the axis tooltip); it goes through optionJSON
// like every other option.
type rawOption map[string]any

func (rawOption) Validate()                      {}
func (o rawOption) JSON() map[string]interface{} { return o }

// kamPanels renders the work lists and returns their charts.
func kamPanels(k *reports.KAM, lang string) (template.HTML, []chart, error) {
	x := k.Panels
	dash := numFormat(lang).Dash
	L := trMap(lang, "client", "segment", "last12", "no_data", "month")
	for _, key := range []string{"history", "history_note", "class", "gaps", "gaps_note", "bought", "category", "penetration", "potential",
		"bought_note", "receivables", "overdue", "document", "doc_date", "due", "days_overdue", "amount", "open", "ageing", "advance",
		"balance", "credit", "limit", "utilisation", "available", "overdue_amount", "oldest", "flags", "credit_note", "activity",
		"planned", "done", "as_planned", "visits", "calls", "meetings", "coverage", "orders", "visits_per_order", "activity_note",
		"competitors", "ours", "theirs", "wallet", "share", "competitor_count", "competitors_note", "forecast", "override",
		"forecast_value", "lo80", "hi80", "lo95", "hi95", "no_forecast", "forecast_note", "none", "total"} {
		L[key] = tr(lang, "kam."+key)
	}
	var out []chart

	// Sales history: a row per own client (largest first, as the clients
	// table), a column per month.
	names := map[string]reports.ClientSales{}
	for _, c := range k.Clients {
		names[c.ClientID] = c
	}
	byClient := map[string]map[string]decimal.Decimal{}
	for _, h := range x.History {
		if byClient[h.ClientID] == nil {
			byClient[h.ClientID] = map[string]decimal.Decimal{}
		}
		byClient[h.ClientID][h.Month.Format("2006-01")] = h.NetSales.Decimal
	}
	var months []string
	for _, m := range x.Months {
		months = append(months, m.Format("01.06"))
	}
	if lang == "en" {
		months = months[:0]
		for _, m := range x.Months {
			months = append(months, m.Format("Jan 06"))
		}
	}
	type historyRow struct {
		ID, Name, Class, Prev string
		Changed               bool
		Cells                 []string
	}
	var history []historyRow
	for _, c := range k.Clients {
		r := historyRow{ID: c.ClientID, Name: c.Name, Class: dash}
		if cl, ok := x.Classes[c.ClientID]; ok && cl.Class != "" {
			r.Class, r.Prev, r.Changed = cl.Class, cl.Prev, cl.Changed && cl.Prev != ""
		}
		if len(byClient[c.ClientID]) == 0 {
			continue // nothing in 12 months: the clients table shows the last shipment
		}
		for _, m := range x.Months {
			r.Cells = append(r.Cells, thousands(byClient[c.ClientID][m.Format("2006-01")], lang))
		}
		history = append(history, r)
	}

	// Assortment: what each client buys by category (a column per
	// category, the largest first; a gap worth offering marked), and the
	// gaps, largest potential first.
	type gap struct{ ID, Name, Category, Penetration, Potential string }
	type cell struct {
		Text string
		Gap  bool
	}
	type boughtRow struct {
		ID, Name string
		Cells    []cell
	}
	var gaps []gap
	catTotal := map[string]decimal.Decimal{}
	type key struct{ client, category string }
	assortment := map[key]reports.AssortmentRow{}
	for _, a := range x.Assortment {
		assortment[key{a.ClientID, a.Category}] = a
		if _, ok := catTotal[a.Category]; !ok {
			catTotal[a.Category] = decimal.Zero
		}
		if a.Bought {
			catTotal[a.Category] = catTotal[a.Category].Add(a.NetSales12.Decimal)
		}
		if a.Gap && len(gaps) < maxGaps {
			gaps = append(gaps, gap{ID: a.ClientID, Name: a.Name, Category: a.Category, Penetration: fmtPct(a.Penetration, lang),
				Potential: fmtKPI("sales", a.Potential, lang)})
		}
	}
	var categories []string
	for c := range catTotal {
		categories = append(categories, c)
	}
	sort.Slice(categories, func(i, j int) bool {
		if c := catTotal[categories[i]].Cmp(catTotal[categories[j]]); c != 0 {
			return c > 0
		}
		return categories[i] < categories[j]
	})
	var bought []boughtRow
	for _, c := range k.Clients {
		r := boughtRow{ID: c.ClientID, Name: c.Name}
		has := false
		for _, cat := range categories {
			a, ok := assortment[key{c.ClientID, cat}]
			switch {
			case ok && a.Bought:
				r.Cells, has = append(r.Cells, cell{Text: thousands(a.NetSales12.Decimal, lang)}), true
			case ok && a.Gap:
				r.Cells, has = append(r.Cells, cell{Text: tr(lang, "kam.offer"), Gap: true}), true
			default:
				r.Cells = append(r.Cells, cell{Text: dash})
			}
		}
		if has {
			bought = append(bought, r)
		}
	}

	// Receivables.
	type overdueRow struct {
		ClientID, Name, Kind, ID, Date, Due, Days, Amount, Open string
		Late                                                    bool
	}
	var overdue []overdueRow
	for _, o := range x.Overdue {
		r := overdueRow{ClientID: o.ClientID, Name: o.Name, Kind: docKind(lang, o.Kind), ID: o.ID, Date: dash, Due: dash,
			Days: fmt.Sprint(o.DaysOverdue), Amount: fmtMoney(o.Amount, lang), Open: fmtMoney(o.Open, lang), Late: o.DaysOverdue > 30}
		if !o.Date.IsZero() {
			r.Date = Date(o.Date, lang)
		}
		if !o.Due.IsZero() {
			r.Due = Date(o.Due, lang)
		}
		overdue = append(overdue, r)
	}
	var buckets []string
	for _, b := range x.Buckets {
		buckets = append(buckets, bucketName(lang, b))
	}
	type ageingRow struct {
		ID, Name string
		Total    bool
		Cells    []string
	}
	var ageing []ageingRow
	totals := make([]decimal.Decimal, len(x.Buckets)+2)
	for _, a := range x.Ageing {
		r := ageingRow{ID: a.ClientID, Name: a.Name}
		for i, v := range append(append([]reports.Dec{}, a.Buckets...), a.Advance, a.Balance) {
			r.Cells = append(r.Cells, moneyOrDash(v.Decimal, lang))
			totals[i] = totals[i].Add(v.Decimal)
		}
		ageing = append(ageing, r)
	}
	if len(ageing) > 1 {
		r := ageingRow{Total: true}
		for _, v := range totals {
			r.Cells = append(r.Cells, moneyOrDash(v, lang))
		}
		ageing = append(ageing, r)
	}
	type creditRow struct {
		ID, Name, Limit, Balance, Utilisation, Available, Overdue, Oldest string
		Over                                                              bool
		Flags                                                             []string
	}
	var credit []creditRow
	for _, c := range x.Credit {
		r := creditRow{ID: c.ClientID, Name: c.Name, Limit: fmtMoney(c.Limit, lang), Balance: fmtMoney(c.Balance, lang),
			Utilisation: fmtPct(c.Utilisation, lang), Available: fmtMoney(c.Available, lang), Overdue: fmtMoney(c.Overdue, lang),
			Oldest: fmt.Sprint(c.OldestOverdue), Over: c.OverLimit}
		if c.OverLimit {
			r.Flags = append(r.Flags, tr(lang, "kam.over_limit"))
		}
		if c.BeyondTolerance {
			r.Flags = append(r.Flags, fmt.Sprintf(tr(lang, "kam.beyond_tolerance"), c.ToleranceDays))
		}
		credit = append(credit, r)
	}

	// Activity: plan against fact per month, with a chart.
	type activityRow struct {
		Month, Planned, Done, AsPlanned, Visits, Calls, Meetings, Coverage, Orders, PerOrder string
	}
	var activity []activityRow
	var aMonths []string
	var planned, done []opts.BarData
	for _, a := range x.Activity {
		m := MonthName(a.Month.Format("2006-01"), lang)
		activity = append(activity, activityRow{Month: m, Planned: fmt.Sprint(a.Planned), Done: fmt.Sprint(a.Done),
			AsPlanned: fmtPct(a.DoneAsPlanned, lang),
			Visits:    fmt.Sprintf("%d / %d", a.VisitsDone, a.VisitsPlanned), Calls: fmt.Sprintf("%d / %d", a.CallsDone, a.CallsPlanned),
			Meetings: fmt.Sprintf("%d / %d", a.MeetingsDone, a.MeetingsPlanned),
			Coverage: fmtPct(a.Coverage, lang) + " (" + fmt.Sprint(a.CoveredClients) + "/" + fmt.Sprint(a.OwnClients) + ")",
			Orders:   fmt.Sprint(a.Orders), PerOrder: numOrDash(a.VisitsPerOrder, lang)})
		aMonths = append(aMonths, a.Month.Format("2006-01"))
		planned = append(planned, opts.BarData{Value: a.Planned})
		done = append(done, opts.BarData{Value: a.Done})
	}
	var activityDiv template.HTML
	if len(x.Activity) > 0 {
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category"}), charts.WithYAxisOpts(opts.YAxis{Type: "value"}))
		bar.SetXAxis(aMonths).
			AddSeries(tr(lang, "kam.planned"), planned, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#9fb3c8"})).
			AddSeries(tr(lang, "kam.done"), done, charts.WithItemStyleOpts(opts.ItemStyle{Color: "#2f6fde"}))
		js, err := optionJSON(bar)
		if err != nil {
			return "", nil, err
		}
		c := chart{ID: "kam-activity", Height: 260, Unit: unitCount, Option: js}
		out = append(out, c)
		activityDiv = chartDiv(c)
	}

	// Competitors: share of wallet of own clients, lowest first.
	type shareRow struct {
		ID, Name, Category, Ours, Theirs, Wallet, Share, Count string
		Low                                                    bool
	}
	var shares []shareRow
	half := decimal.NewFromFloat(0.5)
	for _, c := range x.Competitors {
		shares = append(shares, shareRow{ID: c.ClientID, Name: c.Name, Category: c.Category, Ours: fmtKPI("sales", c.Ours, lang),
			Theirs: fmtKPI("sales", c.Competitors, lang), Wallet: fmtKPI("sales", c.Wallet, lang), Share: fmtPct(c.Share, lang),
			Count: fmt.Sprint(c.CompetitorCount), Low: c.Share.Valid && c.Share.Decimal.LessThan(half)})
	}

	// Segment forecasts: a chart per segment of own clients with the 80 %
	// and 95 % intervals as bands, the accuracy, the overrides and a table.
	type fcRow struct{ Period, Value, Lo80, Hi80, Lo95, Hi95, Override string }
	type ovRow struct{ Period, Value, Comment, Author, At string }
	type fcView struct {
		Segment, Accuracy string
		Chart             template.HTML
		Overrides         []ovRow
		Rows              []fcRow
	}
	var forecasts []fcView
	// The segments in the order of own sales (k.Clients is largest first);
	// the first maxForecastCharts get a chart, the rest their table, so
	// that the page draws quickly.
	rank := map[string]int{}
	for _, c := range k.Clients {
		if _, ok := rank[c.Segment]; !ok {
			rank[c.Segment] = len(rank)
		}
	}
	fcs := append([]reports.SegmentForecast(nil), x.Forecasts...)
	sort.SliceStable(fcs, func(i, j int) bool { return rank[fcs[i].Segment] < rank[fcs[j].Segment] })
	for i, f := range fcs {
		v := fcView{Segment: f.Segment}
		if f.HasAccuracy {
			v.Accuracy = fmt.Sprintf(tr(lang, "kam.accuracy"), label(f.Model), decimalText(f.MASE, 2, lang), decimalText(f.Bias*100, 1, lang)+numFormat(lang).PercentSuffix)
		} else {
			v.Accuracy = fmt.Sprintf(tr(lang, "kam.accuracy_none"), label(f.Model))
		}
		for _, o := range f.Overrides {
			v.Overrides = append(v.Overrides, ovRow{Period: o.Period, Value: fmtKPI("sales", o.Value, lang), Comment: o.Comment, Author: o.Author,
				At: Date(o.RecordedAt, lang)})
		}
		for _, p := range f.Points {
			if p.IsForecast() {
				v.Rows = append(v.Rows, fcRow{Period: MonthName(p.Period, lang), Value: fmtKPI("sales", p.Forecast, lang),
					Lo80: fmtKPI("sales", p.Lo80, lang), Hi80: fmtKPI("sales", p.Hi80, lang), Lo95: fmtKPI("sales", p.Lo95, lang),
					Hi95: fmtKPI("sales", p.Hi95, lang), Override: fmtKPI("sales", p.Override, lang)})
			}
		}
		if i >= maxForecastCharts {
			v.Accuracy = tr(lang, "kam.table_only") + " " + v.Accuracy
			forecasts = append(forecasts, v)
			continue
		}
		js, err := optionJSON(forecastOption(f, lang))
		if err != nil {
			return "", nil, err
		}
		c := chart{ID: fmt.Sprintf("kam-forecast-%d", i+1), Height: 280, Unit: unitMoney, Option: js}
		out = append(out, c)
		v.Chart = chartDiv(c)
		forecasts = append(forecasts, v)
	}

	var b bytes.Buffer
	ra := ""
	if !x.ReceivablesAsOf.IsZero() {
		ra = tr(lang, "as_of") + " " + Date(x.ReceivablesAsOf, lang)
	}
	err := kamPanelsTpl.Execute(&b, map[string]any{
		"L": L, "Months": months, "History": history, "Gaps": gaps, "Bought": bought, "Categories": categories,
		"ReceivablesAsOf": ra, "Overdue": overdue, "Buckets": buckets, "Ageing": ageing, "Credit": credit,
		"Activity": activity, "ActivityChart": activityDiv, "Competitors": shares, "Forecasts": forecasts,
	})
	if err != nil {
		return "", nil, err
	}
	return template.HTML(b.String()), out, nil
}

// maxGaps is how many assortment gaps a KAM's page lists, the largest
// potential first (the sales table marks every one).
const maxGaps = 25

// maxForecastCharts is how many segment forecasts a KAM's page draws.
const maxForecastCharts = 3

// forecastOption is a segment's actuals and forecast, with the 80 % and 95 %
// intervals as stacked bands (a transparent lower bound plus the width)
// left out of the tooltip, and the latest overrides as points.
func forecastOption(f reports.SegmentForecast, lang string) rawOption {
	var periods []string
	var actual, forecast, override, lo95, w95, lo80, w80 []any
	for _, p := range f.Points {
		periods = append(periods, p.Period)
		actual = append(actual, chartNum(p.Actual, 0))
		override = append(override, chartNum(p.Override, 0))
		if p.IsForecast() {
			forecast = append(forecast, chartNum(p.Forecast, 0))
			lo95 = append(lo95, chartNum(p.Lo95, 0))
			lo80 = append(lo80, chartNum(p.Lo80, 0))
			w95 = append(w95, width(p.Lo95, p.Hi95))
			w80 = append(w80, width(p.Lo80, p.Hi80))
		} else {
			forecast = append(forecast, "-")
			lo95, lo80, w95, w80 = append(lo95, "-"), append(lo80, "-"), append(w95, "-"), append(w80, "-")
		}
	}
	// The forecast line starts at the last actual so that the two join.
	for i := 1; i < len(f.Points); i++ {
		if f.Points[i].IsForecast() && !f.Points[i-1].IsForecast() {
			forecast[i-1] = actual[i-1]
		}
	}
	band := func(name, stack string, data []any, fill string) map[string]any {
		s := map[string]any{"type": "line", "name": name, "stack": stack, "data": data, "symbol": "none",
			"lineStyle": map[string]any{"opacity": 0}, "tooltip": map[string]any{"show": false}, "silent": true}
		if fill != "" {
			s["areaStyle"] = map[string]any{"color": fill}
			s["color"] = fill
		}
		return s
	}
	i95, i80 := tr(lang, "kam.interval95"), tr(lang, "kam.interval80")
	series := []any{
		band("lo95", "b95", lo95, ""), band(i95, "b95", w95, "rgba(47,111,222,0.12)"),
		band("lo80", "b80", lo80, ""), band(i80, "b80", w80, "rgba(47,111,222,0.22)"),
		map[string]any{"type": "line", "name": tr(lang, "kam.actual_sales"), "data": actual, "symbol": "none", "lineStyle": map[string]any{"width": 2.5}, "color": "#1f2933"},
		map[string]any{"type": "line", "name": tr(lang, "kam.forecast_value"), "data": forecast, "symbol": "none", "lineStyle": map[string]any{"type": "dashed", "width": 2}, "color": "#2f6fde"},
	}
	legend := []string{tr(lang, "kam.actual_sales"), tr(lang, "kam.forecast_value"), i80, i95}
	if len(f.Overrides) > 0 {
		series = append(series, map[string]any{"type": "scatter", "name": tr(lang, "kam.override"), "data": override, "symbolSize": 9, "color": "#b42318"})
		legend = append(legend, tr(lang, "kam.override"))
	}
	return rawOption{
		"animation": false,
		"legend":    map[string]any{"show": true, "top": "0", "data": legend},
		"tooltip":   map[string]any{"show": true, "trigger": "axis"},
		"grid":      map[string]any{"top": "36px", "left": "8px", "right": "32px", "bottom": "8px", "containLabel": true},
		"xAxis":     []any{map[string]any{"type": "category", "data": periods, "boundaryGap": false}},
		"yAxis":     []any{map[string]any{"type": "value", "scale": true}},
		"series":    series,
	}
}

func width(lo, hi reports.Dec) any {
	if !lo.Valid || !hi.Valid {
		return "-"
	}
	return hi.Decimal.Sub(lo.Decimal).Round(0).InexactFloat64()
}

func moneyOrDash(d decimal.Decimal, lang string) string {
	if d.IsZero() {
		return numFormat(lang).Dash
	}
	return MoneyShort(d, lang)
}

func numOrDash(d reports.Dec, lang string) string {
	if !d.Valid {
		return numFormat(lang).Dash
	}
	return group(d.Decimal.StringFixed(2), numFormat(lang))
}

// decimalText formats a float statistic (MASE, bias) for a note.
func decimalText(f float64, places int32, lang string) string {
	return group(decimal.NewFromFloat(f).StringFixed(places), numFormat(lang))
}

// bucketName names an ageing column: not_due, overdue_1_30, overdue_90_plus.
func bucketName(lang, col string) string {
	if col == "not_due" {
		return tr(lang, "kam.not_due")
	}
	s := strings.TrimPrefix(col, "overdue_")
	if from, ok := strings.CutSuffix(s, "_plus"); ok {
		return fmt.Sprintf(tr(lang, "kam.bucket_plus"), from)
	}
	if a, b, ok := strings.Cut(s, "_"); ok {
		return fmt.Sprintf(tr(lang, "kam.bucket"), a, b)
	}
	return col
}

// docKind names a receivable document kind.
func docKind(lang, kind string) string {
	if _, ok := messages["doc."+kind]; ok {
		return tr(lang, "doc."+kind)
	}
	return kind
}
