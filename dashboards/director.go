package dashboards

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
)

var hundred = decimal.NewFromInt(100)

// cells are one fulfilment row formatted for a table.
type cells struct {
	Actual, Target, Attainment, Projected, RunRate string
	Status                                         string // "good", "bad" or "" (no target)
	Flags                                          []string
}

func fmtKPI(kpi string, d reports.Dec, lang string) string {
	if !d.Valid {
		return numFormat(lang).Dash
	}
	if kpi == "sales" {
		return MoneyShort(d.Decimal, lang)
	}
	return Number(d.Decimal, lang)
}

func fmtPct(d reports.Dec, lang string) string {
	if !d.Valid {
		return numFormat(lang).Dash
	}
	return Percent(d.Decimal, lang)
}

// status colours a row by its run-rate: will the period end on target?
func status(f reports.Fulfilment) string {
	r := f.RunRateAttainment()
	switch {
	case !r.Valid:
		return ""
	case r.Decimal.LessThan(decimal.NewFromInt(1)):
		return "bad"
	}
	return "good"
}

func fulfilmentCells(f reports.Fulfilment, ok bool, lang string) cells {
	if !ok {
		d := numFormat(lang).Dash
		return cells{Actual: d, Target: d, Attainment: d, Projected: d, RunRate: d}
	}
	return cells{
		Actual: fmtKPI(f.KPI, f.Actual, lang), Target: fmtKPI(f.KPI, f.Target, lang),
		Attainment: fmtPct(f.Attainment, lang), Projected: fmtKPI(f.KPI, f.Projected, lang),
		RunRate: fmtPct(f.RunRateAttainment(), lang), Status: status(f), Flags: trFlags(lang, f.Flags),
	}
}

// chartPct is a ratio as a percentage with one decimal for a chart, or
// ECharts' "-" (no value) when it is missing.
func chartPct(d reports.Dec) any {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.Mul(hundred).Round(1).InexactFloat64()
}

// chartNum is a value rounded for drawing (cents do not show on a chart).
func chartNum(d reports.Dec, places int32) any {
	if !d.Valid {
		return "-"
	}
	return d.Decimal.Round(places).InexactFloat64()
}

type kamRef struct{ ID, Name, Team string }

// directorView is everything the director's template shows.
type directorView struct {
	L        map[string]any
	Cards    []cardView
	Scores   []scoreRow
	KPIs     []string // KPI names, in order
	Sections []kpiSection
	Trend    template.HTML
	Partial  string
	Totals   []totalRow
	Managers []managerRow

	AttainMonth, AttainYTD template.HTML
	MonthTitle, YTDTitle   string

	// Panels are client base, receivables, competitors, pay, alerts and
	// forecasts (director_panels.go).
	Panels template.HTML
}

type cardView struct {
	Name                         string
	Month, YTD                   cells
	InProgress                   bool
	RunRateNote, YTDNote, Target string
}

type scoreRow struct {
	kamRef
	Month, YTD []cells
}

type kpiSection struct {
	Title      string
	Chart      template.HTML
	InProgress bool
	Rows       []kpiRow
}

type kpiRow struct {
	kamRef
	Month, YTD cells
}

type totalRow struct {
	Name, KPI  string
	Company    bool
	First      bool // the first row of its team
	Month, YTD cells
}

type managerRow struct {
	ID, Name, Team, Href string
}

var directorTpl = template.Must(template.New("director").Parse(`
{{- define "flags"}}{{range .}}<span class="flag">{{.}}</span>{{end}}{{end -}}
{{define "month"}}<td class="sep">{{.Actual}}</td><td>{{.Target}}</td><td>{{.Attainment}}</td><td>{{.Projected}}</td><td class="{{.Status}}">{{.RunRate}}</td>{{end -}}
{{define "ytd"}}<td class="sep">{{.Actual}}</td><td>{{.Target}}</td><td>{{.Attainment}}</td><td class="{{.Status}}">{{.RunRate}}</td>{{end -}}
{{define "head"}}<tr><th class="text" rowspan="2">{{.first}}</th><th class="text" rowspan="2">{{.second}}</th><th class="group sep" colspan="5">{{.month}}</th><th class="group sep" colspan="4">{{.ytd}}</th></tr>
<tr><th class="sep">{{.actual}}</th><th>{{.target}}</th><th>{{.attainment}}</th><th>{{.projected}}</th><th>{{.projected_pct}}</th><th class="sep">{{.actual}}</th><th>{{.target}}</th><th>{{.attainment}}</th><th>{{.projected_pct}}</th></tr>{{end -}}
<section>
<h2>{{.L.summary}}</h2>
<div class="cards">
{{range .Cards}}<div class="card">
<div class="name">{{.Name}}{{template "flags" .Month.Flags}}</div>
<div class="big">{{.Month.Actual}}</div>
<p>{{.Target}}</p>
{{if .InProgress}}<p>{{$.L.projected}}: {{.Month.Projected}} — <span class="{{.Month.Status}}">{{.RunRateNote}}</span></p>{{end}}
<p class="muted">{{.YTDNote}}</p>
</div>
{{end}}</div>
</section>
<section>
<h2>{{.L.scorecard}}</h2>
<div class="grid">
<div><h3>{{.MonthTitle}}</h3>{{.AttainMonth}}</div>
<div><h3>{{.YTDTitle}}</h3>{{.AttainYTD}}</div>
</div>
<div class="scroll"><table>
<thead><tr><th class="text" rowspan="2">{{.L.manager}}</th><th class="text" rowspan="2">{{.L.team}}</th><th class="group sep" colspan="{{len .KPIs}}">{{.MonthTitle}}</th><th class="group sep" colspan="{{len .KPIs}}">{{.YTDTitle}}</th></tr>
<tr>{{range $i, $k := .KPIs}}<th{{if eq $i 0}} class="sep"{{end}}>{{$k}}</th>{{end}}{{range $i, $k := .KPIs}}<th{{if eq $i 0}} class="sep"{{end}}>{{$k}}</th>{{end}}</tr></thead>
<tbody>
{{range .Scores}}<tr><td class="text">{{.Name}}</td><td class="text">{{.Team}}</td>{{range $i, $c := .Month}}<td class="{{$c.Status}}{{if eq $i 0}} sep{{end}}">{{$c.RunRate}}{{template "flags" $c.Flags}}</td>{{end}}{{range $i, $c := .YTD}}<td class="{{$c.Status}}{{if eq $i 0}} sep{{end}}">{{$c.RunRate}}{{template "flags" $c.Flags}}</td>{{end}}</tr>
{{else}}<tr><td class="text muted" colspan="8">{{.L.no_data}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.legend}}</p>
</section>
{{range .Sections}}
<section>
<h2>{{.Title}}</h2>
{{if .Rows}}{{.Chart}}
<div class="scroll"><table>
<thead>{{template "head" $.L.kpiHead}}</thead>
<tbody>
{{range .Rows}}<tr><td class="text">{{.Name}}{{template "flags" .Month.Flags}}</td><td class="text">{{.Team}}</td>{{template "month" .Month}}{{template "ytd" .YTD}}</tr>
{{end}}</tbody>
</table></div>
{{if .InProgress}}<p class="note">{{$.L.in_progress}}</p>{{end}}
{{else}}<p class="muted">{{$.L.no_data}}</p>{{end}}
</section>
{{end}}
<section>
<h2>{{.L.trend}}</h2>
{{.Trend}}
{{if .Partial}}<p class="note">{{.Partial}}</p>{{end}}
</section>
<section>
<h2>{{.L.totals}}</h2>
<div class="scroll"><table>
<thead>{{template "head" .L.totalsHead}}</thead>
<tbody>
{{range .Totals}}<tr{{if .First}} class="first"{{end}}><td class="text">{{if .First}}{{if .Company}}<strong>{{.Name}}</strong>{{else}}{{.Name}}{{end}}{{end}}</td><td class="text">{{.KPI}}{{template "flags" .Month.Flags}}</td>{{template "month" .Month}}{{template "ytd" .YTD}}</tr>
{{else}}<tr><td class="text muted" colspan="11">{{.L.no_data}}</td></tr>
{{end}}</tbody>
</table></div>
</section>
{{.Panels}}
{{if .Managers}}<section>
<h2>{{.L.managers}}</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.id}}</th><th class="text">{{.L.manager}}</th><th class="text">{{.L.team}}</th><th class="text">{{.L.page}}</th></tr></thead>
<tbody>
{{range .Managers}}<tr><td class="text">{{.ID}}</td><td class="text">{{.Name}}</td><td class="text">{{.Team}}</td><td class="text">{{if .Href}}<a href="{{.Href}}">{{$.L.open}}</a>{{else}}<span class="muted">{{$.L.no_page}}</span>{{end}}</td></tr>
{{end}}</tbody>
</table></div>
</section>{{end}}
`))

// directorDetails is the director's second page, beside index.html: the
// panels with charts below plan fulfilment. Split in two, neither page
// draws more than six charts, so each opens within a second (docs/bench.md).
const directorDetails = "details.html"

// directorPage lays out the director's dashboard as one page (the monthly
// pack prints it); kamHref gives the link to a KAM's page ("" when there is
// none); nil leaves out the list of KAMs.
func directorPage(d *reports.Director, lang string, kamHref func(id string) string) (*page, error) {
	p, _, err := directorPages(d, lang, kamHref, false)
	return p, err
}

var detailsLinkTpl = template.Must(template.New("details").Parse(`<section>
<h2>{{.title}}</h2>
<p><a href="{{.href}}">{{.link}}</a></p>
</section>
`))

// directorPages lays out the director's dashboard: with split, plan
// fulfilment, sales and alerts on the first page and the other panels on
// a second (directorDetails), each linking to the other; without, one page.
func directorPages(d *reports.Director, lang string, kamHref func(id string) string, split bool) (*page, *page, error) {
	p := &page{Lang: lang, Root: "../", Title: tr(lang, "director.title"),
		Subtitle: tr(lang, "director") + " · " + MonthName(d.Period, lang) + " · " + tr(lang, "as_of") + " " + Date(d.AsOf, lang)}
	v := directorView{L: map[string]any{}}
	for _, k := range []string{"summary", "scorecard", "legend.status", "manager", "managers", "team", "id", "page", "open", "no_page",
		"no_data", "in_progress", "totals", "projected"} {
		v.L[k] = tr(lang, k)
	}
	v.L["legend"] = v.L["legend.status"]
	v.L["trend"] = tr(lang, "trend.title")

	// Managers in the order of the month rows (team, id), then any that
	// only have a year row.
	type key struct{ id, kpi string }
	month, ytd := map[key]reports.Fulfilment{}, map[key]reports.Fulfilment{}
	var kams []kamRef
	seen := map[string]bool{}
	add := func(rows []reports.Fulfilment, into map[key]reports.Fulfilment) {
		for _, f := range rows {
			into[key{f.ManagerID, f.KPI}] = f
			if !seen[f.ManagerID] {
				seen[f.ManagerID] = true
				name := f.ManagerName
				if name == "" {
					name = f.ManagerID
				}
				kams = append(kams, kamRef{ID: f.ManagerID, Name: name, Team: f.Team})
			}
		}
	}
	add(d.Month, month)
	add(d.YTD, ytd)
	names := make([]string, len(kams))
	for i, k := range kams {
		names[i] = label(k.Name)
	}
	inProgress := false
	for _, f := range d.Month {
		inProgress = inProgress || f.InProgress
	}

	// Summary cards: the company's month, with the run-rate and the year.
	for _, kpi := range reports.KPIs {
		m, okM := d.Total("", "month", kpi)
		y, okY := d.Total("", "year", kpi)
		c := cardView{Name: kpiName(lang, kpi), Month: fulfilmentCells(m, okM, lang), YTD: fulfilmentCells(y, okY, lang), InProgress: okM && m.InProgress}
		c.Target = fmt.Sprintf("%s: %s · %s: %s", tr(lang, "target"), c.Month.Target, tr(lang, "attainment"), c.Month.Attainment)
		c.RunRateNote = c.Month.RunRate + " " + tr(lang, "summary.of_target")
		c.YTDNote = fmt.Sprintf("%s: %s / %s · %s", tr(lang, "ytd"), c.YTD.Actual, c.YTD.Target, c.YTD.Attainment)
		v.Cards = append(v.Cards, c)
	}

	// Attainment of every KAM on every KPI, month and year, at the run-rate.
	v.MonthTitle, v.YTDTitle = tr(lang, "scorecard.month.done"), tr(lang, "scorecard.ytd.done")
	if inProgress {
		v.MonthTitle, v.YTDTitle = tr(lang, "scorecard.month"), tr(lang, "scorecard.ytd")
	}
	for _, kpi := range reports.KPIs {
		v.KPIs = append(v.KPIs, kpiName(lang, kpi))
	}
	for _, k := range kams {
		r := scoreRow{kamRef: k}
		for _, kpi := range reports.KPIs {
			f, ok := month[key{k.ID, kpi}]
			r.Month = append(r.Month, fulfilmentCells(f, ok, lang))
			f, ok = ytd[key{k.ID, kpi}]
			r.YTD = append(r.YTD, fulfilmentCells(f, ok, lang))
		}
		v.Scores = append(v.Scores, r)
	}
	// Horizontal bars: one row of three bars per KAM, top to bottom in the
	// table's order, so that names stay readable however many KAMs there are.
	attain := func(id string, rows map[key]reports.Fulfilment) (chart, error) {
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(
			charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}))
		bar.SetXAxis(names)
		for i, kpi := range reports.KPIs {
			var data []opts.BarData
			for _, k := range kams {
				f := rows[key{k.ID, kpi}]
				data = append(data, opts.BarData{Value: chartPct(f.RunRateAttainment())})
			}
			var so []charts.SeriesOpts
			if i == 0 {
				so = append(so, charts.WithMarkLineNameXAxisItemOpts(opts.MarkLineNameXAxisItem{Name: "100", XAxis: 100}),
					charts.WithMarkLineStyleOpts(targetMarkLine("start")))
			}
			bar.AddSeries(kpiName(lang, kpi), data, so...)
		}
		bar.XYReversal()
		js, err := optionJSON(bar)
		return chart{ID: id, Height: max(220, 70+30*len(kams)), Unit: unitPercent, Option: js}, err
	}
	cm, err := attain("director-attainment-month", month)
	if err != nil {
		return nil, nil, err
	}
	cy, err := attain("director-attainment-ytd", ytd)
	if err != nil {
		return nil, nil, err
	}
	p.Charts = append(p.Charts, cm, cy)
	v.AttainMonth, v.AttainYTD = chartDiv(cm), chartDiv(cy)

	// A section per KPI: actual, run-rate and target of every KAM.
	head := map[string]string{"first": tr(lang, "manager"), "second": tr(lang, "team"), "month": MonthName(d.Period, lang),
		"ytd": tr(lang, "ytd") + " " + d.Year, "actual": tr(lang, "actual"), "target": tr(lang, "target"),
		"attainment": tr(lang, "attainment"), "projected": tr(lang, "projected"), "projected_pct": tr(lang, "projected.pct")}
	v.L["kpiHead"] = head
	for _, kpi := range reports.KPIs {
		s := kpiSection{Title: kpiName(lang, kpi) + " · " + MonthName(d.Period, lang)}
		var names []string
		var actual, projected []opts.BarData
		var target []opts.LineData
		places := int32(0)
		for _, k := range kams {
			f, ok := month[key{k.ID, kpi}]
			if !ok {
				continue
			}
			s.InProgress = s.InProgress || f.InProgress
			y, okY := ytd[key{k.ID, kpi}]
			s.Rows = append(s.Rows, kpiRow{kamRef: k, Month: fulfilmentCells(f, true, lang), YTD: fulfilmentCells(y, okY, lang)})
			names = append(names, label(k.Name))
			actual = append(actual, opts.BarData{Value: chartNum(f.Actual, places)})
			projected = append(projected, opts.BarData{Value: chartNum(f.Projected, 1)})
			target = append(target, opts.LineData{Value: chartNum(f.Target, places)})
		}
		unit, yAxis := unitCount, opts.YAxis{Type: "value", MinInterval: 1}
		if kpi == "sales" {
			unit, yAxis = unitMoney, opts.YAxis{Type: "value"}
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: categoryLabels(len(names))}), charts.WithYAxisOpts(yAxis))
		bar.SetXAxis(names).AddSeries(tr(lang, "actual"), actual, charts.WithBarChartOpts(opts.BarChart{BarGap: "10%"}))
		if s.InProgress {
			bar.AddSeries(tr(lang, "projected"), projected, charts.WithItemStyleOpts(opts.ItemStyle{Opacity: opts.Float(0.35)}))
		}
		// The target is a tick across each KAM's bars (a line series with
		// the line hidden), not a line implying a trend from one KAM to the next.
		line := charts.NewLine()
		line.SetXAxis(names).AddSeries(tr(lang, "target"), target,
			charts.WithLineChartOpts(opts.LineChart{Symbol: "rect", SymbolSize: []int{min(90, max(14, 640/max(1, len(names)))), 4}}),
			charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colorTarget}))
		bar.Overlap(line)
		js, err := optionJSON(bar)
		if err != nil {
			return nil, nil, err
		}
		c := chart{ID: "director-fulfilment-" + kpi, Height: 340, Unit: unit, Option: js}
		if len(s.Rows) > 0 {
			p.Charts = append(p.Charts, c)
			s.Chart = chartDiv(c)
		}
		v.Sections = append(v.Sections, s)
	}

	// Company net sales against the year before, with the month's run-rate.
	var months []string
	var cur, prev, runRate []opts.LineData
	for _, t := range d.Trend {
		months = append(months, t.Month.Format("2006-01"))
		cur = append(cur, opts.LineData{Value: chartNum(t.NetSales, 0)})
		prev = append(prev, opts.LineData{Value: chartNum(t.LastYear, 0)})
		rr := any("-")
		if t.InProgress {
			if f, ok := d.Total("", "month", "sales"); ok && f.Period == t.Month.Format("2006-01") {
				rr = chartNum(f.Projected, 0)
			}
			v.Partial = fmt.Sprintf(tr(lang, "trend.partial"), MonthName(t.Month.Format("2006-01"), lang), Date(d.AsOf, lang))
		}
		runRate = append(runRate, opts.LineData{Value: rr})
	}
	line := charts.NewLine()
	line.SetGlobalOptions(baseOpts()...)
	line.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category"}), charts.WithYAxisOpts(opts.YAxis{Type: "value"}))
	line.SetXAxis(months).
		AddSeries(tr(lang, "trend.this"), cur, charts.WithLineStyleOpts(opts.LineStyle{Width: 3})).
		AddSeries(tr(lang, "trend.last"), prev, charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	if v.Partial != "" {
		line.AddSeries(tr(lang, "trend.run_rate"), runRate,
			charts.WithLineChartOpts(opts.LineChart{Symbol: "diamond", SymbolSize: 12}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colorRunRate}))
	}
	js, err := optionJSON(line)
	if err != nil {
		return nil, nil, err
	}
	trend := chart{ID: "director-sales-trend", Height: 340, Unit: unitMoney, Option: js}
	p.Charts = append(p.Charts, trend)
	v.Trend = chartDiv(trend)

	// Team and company totals: company first, then teams by name.
	th := map[string]string{}
	for k, val := range head {
		th[k] = val
	}
	th["first"], th["second"] = tr(lang, "team"), tr(lang, "kpi")
	v.L["totalsHead"] = th
	for _, f := range d.Totals {
		if f.PeriodKind != "month" {
			continue
		}
		y, okY := d.Total(f.Team, "year", f.KPI)
		r := totalRow{Name: f.Team, KPI: kpiName(lang, f.KPI), Company: f.Level == "company",
			Month: fulfilmentCells(f, true, lang), YTD: fulfilmentCells(y, okY, lang)}
		if r.Company {
			r.Name = tr(lang, "company")
		}
		r.First = len(v.Totals) == 0 || v.Totals[len(v.Totals)-1].Name != r.Name
		v.Totals = append(v.Totals, r)
	}

	var more *page
	charts := p
	if split {
		more = &page{Lang: lang, Root: "../", Title: tr(lang, "director.details.title"), Subtitle: p.Subtitle}
		charts = more
	}
	alerts, panels, err := directorPanels(d, lang, charts)
	if err != nil {
		return nil, nil, err
	}
	if split {
		link := func(title, href, text string) (template.HTML, error) {
			var b bytes.Buffer
			err := detailsLinkTpl.Execute(&b, map[string]string{"title": title, "href": href, "link": text})
			return template.HTML(b.String()), err
		}
		to, err := link(tr(lang, "director.details.title"), directorDetails, tr(lang, "director.details.link"))
		if err != nil {
			return nil, nil, err
		}
		back, err := link(tr(lang, "director.title"), "index.html", tr(lang, "director.details.back"))
		if err != nil {
			return nil, nil, err
		}
		v.Panels = alerts + to
		more.Body = back + panels
	} else {
		v.Panels = panels + alerts
	}

	for _, m := range d.Managers {
		if kamHref == nil {
			break
		}
		v.Managers = append(v.Managers, managerRow{ID: m.ID, Name: m.Name, Team: m.Team, Href: kamHref(m.ID)})
	}

	var b bytes.Buffer
	if err := directorTpl.Execute(&b, v); err != nil {
		return nil, nil, err
	}
	p.Body = template.HTML(b.String())
	return p, more, nil
}
