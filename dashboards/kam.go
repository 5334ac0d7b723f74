package dashboards

import (
	"bytes"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
)

var kamBodyTpl = template.Must(template.New("kam").Parse(`
<section>
<h2>{{.L.plan}}</h2>
{{.Fulfilment}}
<table>
<thead><tr><th class="text">KPI</th><th>{{.L.actual}}</th><th>{{.L.target}}</th><th>{{.L.attainment}}</th><th>{{.L.projected}}</th><th>{{.L.gap}}</th><th>{{.L.ytd}}</th></tr></thead>
<tbody>
{{range .KPIs}}<tr><td>{{.Name}}{{if .Flags}} <span class="flag">{{.Flags}}</span>{{end}}</td><td>{{.Actual}}</td><td>{{.Target}}</td><td class="{{if .Bad}}bad{{else if .Good}}good{{end}}">{{.Attainment}}</td><td>{{.Projected}}</td><td>{{.Gap}}</td><td>{{.YTD}}</td></tr>
{{end}}
</tbody>
</table>
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
<table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.segment}}</th><th>{{.L.month}}</th><th>{{.L.last12}}</th><th>{{.L.change}}</th><th>{{.L.last_shipped}}</th></tr></thead>
<tbody>
{{range .Clients}}<tr><td>{{.Name}} <span class="muted">{{.ID}}</span></td><td class="text">{{.Segment}}</td><td>{{.Period}}</td><td>{{.Last12}}</td><td class="{{if .Down}}bad{{end}}">{{.Change}}</td><td>{{.LastShipped}}</td></tr>
{{end}}
</tbody>
</table>
</section>
`))

type kpiRow struct {
	Name, Actual, Target, Attainment, Projected, Gap, YTD, Flags string
	Bad, Good                                                    bool
}

type clientRow struct {
	ID, Name, Segment, Period, Last12, Change, LastShipped string
	Down                                                   bool
}

// kamPage lays out one KAM's page from their own data only.
func kamPage(k *reports.KAM, lang string) (*Page, error) {
	p := &Page{Lang: lang, Root: "../../", Title: k.Manager.Name,
		Subtitle: tr(lang, "manager") + " " + k.Manager.ID + " · " + k.Manager.Team + " · " + tr(lang, "period") + " " + k.Period + " · " + tr(lang, "as_of") + " " + k.AsOf.Format("2006-01-02")}
	id := func(s string) string { return "kam-" + s }
	ytd := map[string]reports.Fulfilment{}
	for _, f := range k.YTD {
		ytd[f.KPI] = f
	}
	var rows []kpiRow
	var names []string
	var att []opts.BarData
	for _, f := range k.Month {
		r := kpiRow{Name: tr(lang, "kpi."+f.KPI), Actual: fmtKPI(f.KPI, f.Actual, lang), Target: fmtKPI(f.KPI, f.Target, lang),
			Attainment: fmtPct(f.Attainment, lang), Projected: fmtKPI(f.KPI, f.Projected, lang)}
		if f.Gap.Valid && f.Gap.Decimal.IsPositive() {
			r.Gap = fmtKPI(f.KPI, f.Gap, lang)
		}
		if f.Flags != "" {
			r.Flags = tr(lang, f.Flags)
		}
		if f.Attainment.Valid {
			r.Bad = f.Attainment.Decimal.LessThan(decOne)
			r.Good = !r.Bad
		}
		if y, ok := ytd[f.KPI]; ok {
			r.YTD = fmtPct(y.Attainment, lang)
		}
		rows = append(rows, r)
		names = append(names, tr(lang, "kpi."+f.KPI))
		v := 0.0
		if f.Attainment.Valid {
			v = f.Attainment.Decimal.Mul(decimal.NewFromInt(100)).Round(1).InexactFloat64()
		}
		att = append(att, opts.BarData{Value: v})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(baseOpts("")...)
	bar.SetXAxis(names).AddSeries(tr(lang, "attainment")+", %", att,
		charts.WithMarkLineNameYAxisItemOpts(opts.MarkLineNameYAxisItem{Name: "100 %", YAxis: 100}),
		charts.WithMarkLineStyleOpts(opts.MarkLineStyle{Label: &opts.Label{Show: opts.Bool(true)}}))
	fulfil, err := optionJSON(bar)
	if err != nil {
		return nil, err
	}
	fc := Chart{ID: id("fulfilment"), Height: 300, Option: fulfil}

	var months []string
	var cur, prev []opts.LineData
	for _, t := range k.Trend {
		months = append(months, t.Month.Format("2006-01"))
		cur = append(cur, opts.LineData{Value: t.NetSales.Round(0).IntPart()})
		prev = append(prev, opts.LineData{Value: t.LastYear.Round(0).IntPart()})
	}
	line := charts.NewLine()
	line.SetGlobalOptions(baseOpts("")...)
	line.SetXAxis(months).
		AddSeries(tr(lang, "trend.this"), cur, charts.WithLineStyleOpts(opts.LineStyle{Width: 3})).
		AddSeries(tr(lang, "trend.last"), prev, charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	trendJS, err := optionJSON(line)
	if err != nil {
		return nil, err
	}
	tc := Chart{ID: id("sales-trend"), Height: 320, Option: trendJS}

	var topNames []string
	var topVals []opts.BarData
	for i, c := range k.Clients {
		if i == 15 {
			break
		}
		topNames = append(topNames, c.Name)
		topVals = append(topVals, opts.BarData{Value: c.Last12.Round(0).IntPart()})
	}
	// Horizontal bars, largest on top.
	for i, j := 0, len(topNames)-1; i < j; i, j = i+1, j-1 {
		topNames[i], topNames[j] = topNames[j], topNames[i]
		topVals[i], topVals[j] = topVals[j], topVals[i]
	}
	top := charts.NewBar()
	top.SetGlobalOptions(baseOpts("")...)
	top.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	top.SetXAxis(topNames).AddSeries(tr(lang, "last12"), topVals)
	top.XYReversal()
	topJS, err := optionJSON(top)
	if err != nil {
		return nil, err
	}
	topc := Chart{ID: id("top-clients"), Height: 420, Option: topJS}

	var pie []opts.PieData
	for _, c := range k.Categories {
		pie = append(pie, opts.PieData{Name: c.Category, Value: c.Last12.Round(0).IntPart()})
	}
	pc := charts.NewPie()
	pc.SetGlobalOptions(charts.WithAnimation(false), charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Bottom: "0"}))
	pc.AddSeries(tr(lang, "categories"), pie, charts.WithPieChartOpts(opts.PieChart{Radius: []string{"35%", "65%"}}))
	pieJS, err := optionJSON(pc)
	if err != nil {
		return nil, err
	}
	catc := Chart{ID: id("categories"), Height: 420, Option: pieJS}
	p.Charts = []Chart{fc, tc, topc, catc}

	var clients []clientRow
	for _, c := range k.Clients {
		r := clientRow{ID: c.ClientID, Name: c.Name, Segment: c.Segment,
			Period: MoneyShort(c.PeriodSales.Decimal, lang), Last12: MoneyShort(c.Last12.Decimal, lang), Change: "—"}
		if c.Prev12.Decimal.IsPositive() {
			ch := c.Last12.Decimal.Sub(c.Prev12.Decimal).Div(c.Prev12.Decimal)
			r.Change = Percent(ch, lang)
			r.Down = ch.IsNegative()
		}
		if !c.LastShipped.IsZero() {
			r.LastShipped = c.LastShipped.Format("2006-01-02")
		}
		clients = append(clients, r)
	}
	labels := map[string]string{}
	for _, key := range []string{"actual", "target", "attainment", "projected", "ytd", "month", "gap", "plan", "top", "categories", "clients", "client", "segment", "last12", "change", "last_shipped"} {
		labels[key] = tr(lang, key)
	}
	labels["trend"] = tr(lang, "trend.title")
	var b bytes.Buffer
	if err := kamBodyTpl.Execute(&b, map[string]any{
		"L": labels, "KPIs": rows, "Clients": clients,
		"Fulfilment": chartDiv(fc), "Trend": chartDiv(tc), "Top": chartDiv(topc), "Categories": chartDiv(catc),
	}); err != nil {
		return nil, err
	}
	p.Body = template.HTML(b.String())
	return p, nil
}
