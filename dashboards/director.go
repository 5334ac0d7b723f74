package dashboards

import (
	"bytes"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kam-analytics/kam/reports"
)

// fulfilmentRow is one manager's KPI in the director's tables.
type fulfilmentRow struct {
	Name, Team                                   string
	Actual, Target, Attainment, Projected, Flags string
	Bad, Good                                    bool
}

type kpiTable struct {
	Title      string
	InProgress bool
	Rows       []fulfilmentRow
}

var directorBodyTpl = template.Must(template.New("director").Parse(`
{{range $s := .Sections}}
<section>
<h2>{{$s.Title}}</h2>
{{$s.Chart}}
<table>
<thead><tr><th class="text">{{$.L.manager}}</th><th class="text">{{$.L.team}}</th><th>{{$.L.actual}}</th><th>{{$.L.target}}</th><th>{{$.L.attainment}}</th>{{if $s.InProgress}}<th>{{$.L.projected}}</th>{{end}}<th>{{$.L.ytd}}</th></tr></thead>
<tbody>
{{range $s.Rows}}<tr><td>{{.Name}}{{if .Flags}} <span class="flag">{{.Flags}}</span>{{end}}</td><td class="text">{{.Team}}</td><td>{{.Actual}}</td><td>{{.Target}}</td><td class="{{if .Bad}}bad{{else if .Good}}good{{end}}">{{.Attainment}}</td>{{if $s.InProgress}}<td>{{.Projected}}</td>{{end}}<td>{{.YTD}}</td></tr>
{{end}}
</tbody>
</table>
{{if $s.InProgress}}<p class="muted">{{$.L.in_progress}}</p>{{end}}
</section>
{{end}}
<section>
<h2>{{.L.trend}}</h2>
{{.Trend}}
</section>
<section>
<h2>{{.L.totals}}</h2>
<table>
<thead><tr><th class="text">{{.L.team}}</th><th class="text">KPI</th><th>{{.L.actual}}</th><th>{{.L.target}}</th><th>{{.L.attainment}}</th><th>{{.L.ytd}}</th></tr></thead>
<tbody>
{{range .Totals}}<tr><td>{{.Name}}</td><td class="text">{{.KPI}}</td><td>{{.Actual}}</td><td>{{.Target}}</td><td>{{.Attainment}}</td><td>{{.YTD}}</td></tr>
{{end}}
</tbody>
</table>
</section>
`))

type sectionView struct {
	Title      string
	Chart      template.HTML
	InProgress bool
	Rows       []sectionRow
}

type sectionRow struct {
	fulfilmentRow
	YTD string
}

type totalRow struct {
	Name, KPI, Actual, Target, Attainment, YTD string
}

func fmtKPI(kpi string, d reports.Dec, lang string) string {
	if !d.Valid {
		return "—"
	}
	if kpi == "sales" {
		return MoneyShort(d.Decimal, lang)
	}
	return Number(d.Decimal, lang)
}

func fmtPct(d reports.Dec, lang string) string {
	if !d.Valid {
		return "—"
	}
	return Percent(d.Decimal, lang)
}

// directorPage lays out the director's dashboard.
func directorPage(d *reports.Director, lang string) (*Page, error) {
	p := &Page{Lang: lang, Root: "../", Title: tr(lang, "director.title"),
		Subtitle: tr(lang, "director") + " · " + tr(lang, "period") + " " + d.Period + " · " + tr(lang, "as_of") + " " + d.AsOf.Format("2006-01-02")}
	ytd := map[[2]string]reports.Fulfilment{}
	for _, f := range d.YTD {
		ytd[[2]string{f.ManagerID, f.KPI}] = f
	}
	var sections []sectionView
	for _, kpi := range reports.KPIs {
		title := tr(lang, "kpi."+kpi)
		sv := sectionView{Title: title + " · " + tr(lang, "month") + " " + d.Period}
		var names []string
		var actual, projected []opts.BarData
		var targetLine []opts.LineData
		for _, f := range d.Month {
			if f.KPI != kpi {
				continue
			}
			sv.InProgress = sv.InProgress || f.InProgress
			name := f.ManagerName
			if name == "" {
				name = f.ManagerID
			}
			names = append(names, name)
			actual = append(actual, opts.BarData{Value: f.Actual.Float()})
			projected = append(projected, opts.BarData{Value: f.Projected.Float()})
			if f.Target.Valid {
				targetLine = append(targetLine, opts.LineData{Value: f.Target.Float()})
			} else {
				targetLine = append(targetLine, opts.LineData{Value: nil})
			}
			row := sectionRow{fulfilmentRow: fulfilmentRow{
				Name: name, Team: f.Team,
				Actual: fmtKPI(kpi, f.Actual, lang), Target: fmtKPI(kpi, f.Target, lang),
				Attainment: fmtPct(f.Attainment, lang), Projected: fmtKPI(kpi, f.Projected, lang),
			}}
			if f.Flags != "" {
				row.Flags = tr(lang, f.Flags)
			}
			if f.Attainment.Valid {
				row.Bad = f.Attainment.Decimal.LessThan(decOne)
				row.Good = !row.Bad
			}
			if y, ok := ytd[[2]string{f.ManagerID, kpi}]; ok {
				row.YTD = fmtPct(y.Attainment, lang)
			}
			sv.Rows = append(sv.Rows, row)
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts("")...)
		bar.SetXAxis(names).
			AddSeries(tr(lang, "actual"), actual)
		if sv.InProgress {
			bar.AddSeries(tr(lang, "projected"), projected, charts.WithItemStyleOpts(opts.ItemStyle{Opacity: opts.Float(0.35)}))
		}
		line := charts.NewLine()
		line.SetXAxis(names).AddSeries(tr(lang, "target"), targetLine,
			charts.WithLineChartOpts(opts.LineChart{Step: "middle"}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 3, Type: "dashed"}))
		bar.Overlap(line)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Rotate: 30, Interval: "0"}}))
		js, err := optionJSON(bar)
		if err != nil {
			return nil, err
		}
		c := Chart{ID: "director-fulfilment-" + kpi, Title: title, Height: 380, Option: js}
		p.Charts = append(p.Charts, c)
		sv.Chart = chartDiv(c)
		sections = append(sections, sv)
	}
	// Sales trend against last year.
	var months []string
	var cur, prev []opts.LineData
	for _, t := range d.Trend {
		months = append(months, t.Month.Format("2006-01"))
		cur = append(cur, opts.LineData{Value: t.NetSales.Round(0).IntPart()})
		prev = append(prev, opts.LineData{Value: t.LastYear.Round(0).IntPart()})
	}
	line := charts.NewLine()
	line.SetGlobalOptions(baseOpts("")...)
	line.SetXAxis(months).
		AddSeries(tr(lang, "trend.this"), cur, charts.WithLineStyleOpts(opts.LineStyle{Width: 3})).
		AddSeries(tr(lang, "trend.last"), prev, charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))
	js, err := optionJSON(line)
	if err != nil {
		return nil, err
	}
	trend := Chart{ID: "director-sales-trend", Height: 360, Option: js}
	p.Charts = append(p.Charts, trend)

	var totals []totalRow
	yearTotals := map[[3]string]reports.Fulfilment{}
	for _, f := range d.Totals {
		if f.PeriodKind == "year" {
			yearTotals[[3]string{f.Level, f.Team, f.KPI}] = f
		}
	}
	for _, f := range d.Totals {
		if f.PeriodKind != "month" {
			continue
		}
		name := f.Team
		if f.Level == "company" {
			name = tr(lang, "company")
		}
		row := totalRow{Name: name, KPI: tr(lang, "kpi."+f.KPI), Actual: fmtKPI(f.KPI, f.Actual, lang),
			Target: fmtKPI(f.KPI, f.Target, lang), Attainment: fmtPct(f.Attainment, lang)}
		if y, ok := yearTotals[[3]string{f.Level, f.Team, f.KPI}]; ok {
			row.YTD = fmtPct(y.Attainment, lang)
		}
		totals = append(totals, row)
	}
	labels := map[string]string{}
	for _, k := range []string{"manager", "team", "actual", "target", "attainment", "projected", "ytd", "in_progress", "totals"} {
		labels[k] = tr(lang, k)
	}
	labels["trend"] = tr(lang, "trend.title")
	var b bytes.Buffer
	err = directorBodyTpl.Execute(&b, map[string]any{
		"Sections": sections, "Trend": chartDiv(trend), "Totals": totals, "L": labels,
	})
	if err != nil {
		return nil, err
	}
	p.Body = template.HTML(b.String())
	return p, nil
}
