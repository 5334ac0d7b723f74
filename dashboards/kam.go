package dashboards

import (
	"bytes"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kam-analytics/kam/reports"
)

var kamTpl = template.Must(template.New("kam").Parse(`
{{- define "flags"}}{{range .}}<span class="flag">{{.}}</span>{{end}}{{end -}}
<section>
<h2>{{.L.plan}}</h2>
{{.Fulfilment}}
<div class="scroll"><table>
<thead><tr><th class="text" rowspan="2">{{.L.kpi}}</th><th class="group sep" colspan="6">{{.L.month}}</th><th class="group sep" colspan="4">{{.L.ytd}}</th></tr>
<tr><th class="sep">{{.L.actual}}</th><th>{{.L.target}}</th><th>{{.L.attainment}}</th><th>{{.L.projected}}</th><th>{{.L.projected_pct}}</th><th>{{.L.gap}}</th><th class="sep">{{.L.actual}}</th><th>{{.L.target}}</th><th>{{.L.attainment}}</th><th>{{.L.projected_pct}}</th></tr></thead>
<tbody>
{{range .KPIs}}<tr><td class="text">{{.Name}}{{template "flags" .Month.Flags}}</td><td class="sep">{{.Month.Actual}}</td><td>{{.Month.Target}}</td><td>{{.Month.Attainment}}</td><td>{{.Month.Projected}}</td><td class="{{.Month.Status}}">{{.Month.RunRate}}</td><td>{{.Gap}}</td><td class="sep">{{.YTD.Actual}}</td><td>{{.YTD.Target}}</td><td>{{.YTD.Attainment}}</td><td class="{{.YTD.Status}}">{{.YTD.RunRate}}</td></tr>
{{else}}<tr><td class="text muted" colspan="11">{{.L.no_data}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.legend}}</p>
{{.GapTable}}
</section>
<section>
<h2>{{.L.trend}}</h2>
{{.Trend}}
</section>
<div class="grid">
<section><h2>{{.L.top}}</h2>{{.Top}}</section>
<section><h2>{{.L.categories}}</h2>{{.Categories}}</section>
</div>
<section>
<h2>{{.L.clients}} ({{len .Clients}})</h2>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.segment}}</th><th>{{.L.month}}</th><th>{{.L.last12}}</th><th>{{.L.change}}</th><th>{{.L.last_shipped}}</th></tr></thead>
<tbody>
{{range .Clients}}<tr><td class="text">{{.Name}} <span class="muted">{{.ID}}</span></td><td class="text">{{.Segment}}</td><td>{{.Period}}</td><td>{{.Last12}}</td><td class="{{if .Down}}bad{{end}}">{{.Change}}</td><td>{{.LastShipped}}</td></tr>
{{end}}</tbody>
</table></div>
</section>
{{.Panels}}
`))

type kamKPIRow struct {
	Name       string
	Month, YTD cells
	Gap        string
}

type clientRow struct {
	ID, Name, Segment, Period, Last12, Change, LastShipped string
	Down                                                   bool
}

// kamPage lays out one KAM's page from their own data only.
func kamPage(k *reports.KAM, lang string) (*page, error) {
	dash := numFormat(lang).Dash
	p := &page{Lang: lang, Root: "../../", Title: k.Manager.Name,
		Subtitle: tr(lang, "manager") + " " + k.Manager.ID + " · " + k.Manager.Team + " · " + MonthName(k.Period, lang) + " · " + tr(lang, "as_of") + " " + Date(k.AsOf, lang)}
	L := map[string]string{}
	for _, key := range []string{"kpi", "actual", "target", "attainment", "projected", "gap", "no_data", "client", "segment", "last12", "change", "last_shipped"} {
		L[key] = tr(lang, key)
	}
	L["projected_pct"] = tr(lang, "projected.pct")
	L["legend"] = tr(lang, "legend.status")
	L["month"] = MonthName(k.Period, lang)
	L["ytd"] = tr(lang, "ytd") + " " + k.Period[:4]
	for _, key := range []string{"plan", "trend", "top", "categories", "clients"} {
		L[key] = tr(lang, "kam."+key)
	}

	ytd := map[string]reports.Fulfilment{}
	for _, f := range k.YTD {
		ytd[f.KPI] = f
	}
	var rows []kamKPIRow
	var names []string
	var monthPct, ytdPct []opts.BarData
	for _, f := range k.Month {
		y, ok := ytd[f.KPI]
		r := kamKPIRow{Name: kpiName(lang, f.KPI), Month: fulfilmentCells(f, true, lang), YTD: fulfilmentCells(y, ok, lang), Gap: dash}
		if f.Gap.Valid && f.Gap.Decimal.IsPositive() {
			r.Gap = fmtKPI(f.KPI, f.Gap, lang)
		}
		rows = append(rows, r)
		names = append(names, kpiName(lang, f.KPI))
		monthPct = append(monthPct, opts.BarData{Value: chartPct(f.RunRateAttainment())})
		ytdPct = append(ytdPct, opts.BarData{Value: chartPct(y.RunRateAttainment())})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(baseOpts()...)
	bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category"}), charts.WithYAxisOpts(opts.YAxis{Type: "value"}))
	bar.SetXAxis(names).
		AddSeries(L["month"]+", "+tr(lang, "projected.pct"), monthPct,
			charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "100", YAxis: 100}),
			charts.WithMarkLineStyleOpts(targetMarkLine("insideEndTop"))).
		AddSeries(L["ytd"]+", "+tr(lang, "projected.pct"), ytdPct)
	js, err := optionJSON(bar)
	if err != nil {
		return nil, err
	}
	fc := chart{ID: "kam-fulfilment", Height: 300, Unit: unitPercent, Option: js}

	var months []string
	var cur, prev []opts.LineData
	for _, t := range k.Trend {
		months = append(months, t.Month.Format("2006-01"))
		cur = append(cur, opts.LineData{Value: chartNum(t.NetSales, 0)})
		prev = append(prev, opts.LineData{Value: chartNum(t.LastYear, 0)})
	}
	line := charts.NewLine()
	line.SetGlobalOptions(baseOpts()...)
	line.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category"}), charts.WithYAxisOpts(opts.YAxis{Type: "value"}))
	line.SetXAxis(months).
		AddSeries(tr(lang, "trend.this"), cur, charts.WithLineStyleOpts(opts.LineStyle{Width: 3})).
		AddSeries(tr(lang, "trend.last"), prev, charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	if js, err = optionJSON(line); err != nil {
		return nil, err
	}
	tc := chart{ID: "kam-sales-trend", Height: 320, Unit: unitMoney, Option: js}

	// Horizontal bars of the 15 largest clients, the largest on top.
	var topNames []string
	var topVals []opts.BarData
	for i := min(len(k.Clients), 15) - 1; i >= 0; i-- {
		topNames = append(topNames, label(k.Clients[i].Name))
		topVals = append(topVals, opts.BarData{Value: chartNum(k.Clients[i].Last12, 0)})
	}
	top := charts.NewBar()
	top.SetGlobalOptions(baseOpts()...)
	top.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithGridOpts(opts.Grid{Top: "8px", Left: "8px", Right: "24px", Bottom: "8px", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value"}), charts.WithYAxisOpts(opts.YAxis{Type: "category"}))
	top.SetXAxis(topNames).AddSeries(tr(lang, "last12"), topVals)
	top.XYReversal()
	if js, err = optionJSON(top); err != nil {
		return nil, err
	}
	topc := chart{ID: "kam-top-clients", Height: 420, Unit: unitMoney, Option: js}

	var pie []opts.PieData
	for _, c := range k.Categories {
		pie = append(pie, opts.PieData{Name: label(c.Category), Value: chartNum(c.Last12, 0)})
	}
	pc := charts.NewPie()
	pc.SetGlobalOptions(charts.WithAnimation(false), charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}))
	pc.AddSeries(tr(lang, "kam.categories"), pie, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"35%", "65%"}}))
	if js, err = optionJSON(pc); err != nil {
		return nil, err
	}
	catc := chart{ID: "kam-categories", Height: 420, Unit: unitMoney, Option: js}
	p.Charts = []chart{fc, tc, topc, catc}
	gaps, err := gapTable(k.Panels, lang)
	if err != nil {
		return nil, err
	}
	panels, more, err := kamPanels(k, lang)
	if err != nil {
		return nil, err
	}
	p.Charts = append(p.Charts, more...)

	var clients []clientRow
	for _, c := range k.Clients {
		r := clientRow{ID: c.ClientID, Name: c.Name, Segment: c.Segment,
			Period: fmtKPI("sales", c.PeriodSales, lang), Last12: fmtKPI("sales", c.Last12, lang), Change: dash, LastShipped: dash}
		if c.Prev12.Valid && c.Prev12.Decimal.IsPositive() {
			ch := c.Last12.Decimal.Sub(c.Prev12.Decimal).Div(c.Prev12.Decimal)
			r.Change = Percent(ch, lang)
			r.Down = ch.IsNegative()
		}
		if !c.LastShipped.IsZero() {
			r.LastShipped = Date(c.LastShipped, lang)
		}
		clients = append(clients, r)
	}
	var b bytes.Buffer
	if err := kamTpl.Execute(&b, map[string]any{
		"L": L, "KPIs": rows, "Clients": clients,
		"Fulfilment": chartDiv(fc), "Trend": chartDiv(tc), "Top": chartDiv(topc), "Categories": chartDiv(catc),
		"GapTable": gaps, "Panels": panels,
	}); err != nil {
		return nil, err
	}
	p.Body = template.HTML(b.String())
	return p, nil
}
