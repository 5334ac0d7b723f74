package dashboards

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
)

// Colours of the panels: ageing buckets from calm to alarming.
var bucketColors = []string{"#5b8def", "#f6c343", "#f59e0b", "#e8590c", "#b42318", "#7a1010", "#4a0808"}

const (
	colorGain  = "#1e7b34"
	colorLoss  = "#b42318"
	colorRange = "#93b4f0"
)

// panelsView is what the director's panels below plan fulfilment show.
type panelsView struct {
	L map[string]string

	ClientBase      template.HTML
	ClientBaseRows  []clientBaseRow
	Ageing          template.HTML
	AgeingAsOf      string
	AgeingHead      []string
	AgeingTotal     []string
	Debtors         []debtorRow
	Shares          template.HTML
	ShareRows       []shareRow
	Pay             template.HTML
	PayCards        []payCard
	PayKPIs         []string
	PayRows         []payRow
	PayNote         string
	Credit          []creditRow
	CreditNote      string
	Lost            []lostRow
	LostNote        string
	Discounts       []discountRow
	Forecast        template.HTML
	ForecastRows    []forecastRow
	HasForecast     bool
	HasAgeing       bool
	HasPay, HasBase bool
}

type clientBaseRow struct {
	Month                                       string
	ActiveStart, New, Reactivated, Lost, Active string
	TransferredIn, TransferredOut               string
	InProgress                                  bool
}

type debtorRow struct {
	Name, Manager string
	Amounts       []string
	Overdue       string
	Balance       string
}

type shareRow struct {
	Segment, Category, Ours, Low, Share, High, Competitors, Clients string
	Inconsistent                                                    bool
}

type payCard struct{ Name, Big, Note string }

type payRow struct {
	Name, Team, Budget, Pay, OfBudget string
	Status                            string
	Gaps                              []string
	All                               string
}

type creditRow struct {
	Client, Manager, Balance, Limit, Overdue, Days string
	Flags                                          []string
}

type lostRow struct{ Client, Manager, Sales string }

type discountRow struct{ Manager, Lines, Clients, Shortfall, MaxDiscount string }

type forecastRow struct {
	Segment, Model, MASE, Bias, Next, Range80, Year string
	MASEStatus                                      string
}

var panelsTpl = template.Must(template.New("panels").Parse(`
<section>
<h2>{{.L.base}}</h2>
{{if .HasBase}}{{.ClientBase}}
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.month}}</th><th>{{.L.base_start}}</th><th>{{.L.base_new}}</th><th>{{.L.base_reactivated}}</th><th>{{.L.base_lost}}</th><th>{{.L.base_active}}</th></tr></thead>
<tbody>
{{range .ClientBaseRows}}<tr><td class="text">{{.Month}}{{if .InProgress}} <span class="flag">{{$.L.partial}}</span>{{end}}</td><td>{{.ActiveStart}}</td><td class="good">{{.New}}</td><td>{{.Reactivated}}</td><td class="bad">{{.Lost}}</td><td>{{.Active}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.base_note}}</p>
{{else}}<p class="muted">{{.L.no_data}}</p>{{end}}
</section>
<section>
<h2>{{.L.ageing}}</h2>
{{if .HasAgeing}}<p class="note">{{.AgeingAsOf}}</p>
{{.Ageing}}
<h3>{{.L.debtors}}</h3>
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.manager}}</th>{{range .AgeingHead}}<th>{{.}}</th>{{end}}<th class="sep">{{.L.overdue}}</th><th>{{.L.balance}}</th></tr></thead>
<tbody>
{{range .Debtors}}<tr><td class="text">{{.Name}}</td><td class="text">{{.Manager}}</td>{{range .Amounts}}<td>{{.}}</td>{{end}}<td class="sep bad">{{.Overdue}}</td><td>{{.Balance}}</td></tr>
{{end}}<tr class="first"><td class="text"><strong>{{.L.company}}</strong></td><td></td>{{range .AgeingTotal}}<td><strong>{{.}}</strong></td>{{end}}</tr>
</tbody>
</table></div>
{{else}}<p class="muted">{{.L.no_data}}</p>{{end}}
</section>
<section>
<h2>{{.L.shares}}</h2>
{{if .ShareRows}}{{.Shares}}
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.segment}}</th><th class="text">{{.L.category}}</th><th>{{.L.share_ours}}</th><th>{{.L.share_low}}</th><th>{{.L.share_point}}</th><th>{{.L.share_high}}</th><th>{{.L.share_competitors}}</th><th>{{.L.share_clients}}</th></tr></thead>
<tbody>
{{range .ShareRows}}<tr><td class="text">{{.Segment}}</td><td class="text">{{.Category}}{{if .Inconsistent}}<span class="flag">{{$.L.share_inconsistent}}</span>{{end}}</td><td>{{.Ours}}</td><td>{{.Low}}</td><td><strong>{{.Share}}</strong></td><td>{{.High}}</td><td>{{.Competitors}}</td><td>{{.Clients}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.share_note}}</p>
{{else}}<p class="muted">{{.L.no_data}}</p>{{end}}
</section>
<section>
<h2>{{.L.pay}}</h2>
{{if .HasPay}}<div class="cards">
{{range .PayCards}}<div class="card"><div class="name">{{.Name}}</div><div class="big">{{.Big}}</div><p class="muted">{{.Note}}</p></div>
{{end}}</div>
{{.Pay}}
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.manager}}</th><th class="text">{{.L.team}}</th><th>{{.L.pay_budget}}</th><th>{{.L.pay_cost}}</th><th>{{.L.pay_of_budget}}</th>{{range $i, $k := .PayKPIs}}<th{{if eq $i 0}} class="sep"{{end}}>{{$k}}</th>{{end}}<th class="sep">{{.L.pay_all}}</th></tr></thead>
<tbody>
{{range .PayRows}}<tr><td class="text">{{.Name}}</td><td class="text">{{.Team}}</td><td>{{.Budget}}</td><td>{{.Pay}}</td><td class="{{.Status}}">{{.OfBudget}}</td>{{range $i, $g := .Gaps}}<td{{if eq $i 0}} class="sep"{{end}}>{{$g}}</td>{{end}}<td class="sep">{{.All}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.PayNote}}</p>
{{else}}<p class="muted">{{.L.pay_none}}</p>{{end}}
</section>
{{if .HasForecast}}<section>
<h2>{{.L.forecast}}</h2>
{{.Forecast}}
<div class="scroll"><table>
<thead><tr><th class="text">{{.L.segment}}</th><th>{{.L.forecast_next}}</th><th>{{.L.forecast_range}}</th><th>{{.L.forecast_year}}</th><th class="text">{{.L.forecast_model}}</th><th>MASE</th><th>{{.L.forecast_bias}}</th></tr></thead>
<tbody>
{{range .ForecastRows}}<tr><td class="text">{{.Segment}}</td><td>{{.Next}}</td><td>{{.Range80}}</td><td>{{.Year}}</td><td class="text">{{.Model}}</td><td class="{{.MASEStatus}}">{{.MASE}}</td><td>{{.Bias}}</td></tr>
{{end}}</tbody>
</table></div>
<p class="note">{{.L.forecast_note}}</p>
</section>{{end}}
`))

var alertsTpl = template.Must(template.New("alerts").Parse(`
<section>
<h2>{{.L.alerts}}</h2>
<h3>{{.L.alerts_credit}}</h3>
{{if .Credit}}<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.manager}}</th><th>{{.L.balance}}</th><th>{{.L.credit_limit}}</th><th>{{.L.overdue}}</th><th>{{.L.oldest_days}}</th><th class="text">{{.L.alert}}</th></tr></thead>
<tbody>
{{range .Credit}}<tr><td class="text">{{.Client}}</td><td class="text">{{.Manager}}</td><td>{{.Balance}}</td><td>{{.Limit}}</td><td class="bad">{{.Overdue}}</td><td>{{.Days}}</td><td class="text">{{range .Flags}}<span class="flag">{{.}}</span>{{end}}</td></tr>
{{end}}</tbody>
</table></div>{{else}}<p class="muted">{{.L.alerts_none}}</p>{{end}}
{{if .CreditNote}}<p class="note">{{.CreditNote}}</p>{{end}}
<h3>{{.L.alerts_lost}}</h3>
{{if .Lost}}<div class="scroll"><table>
<thead><tr><th class="text">{{.L.client}}</th><th class="text">{{.L.manager}}</th><th>{{.L.lost_sales}}</th></tr></thead>
<tbody>
{{range .Lost}}<tr><td class="text">{{.Client}}</td><td class="text">{{.Manager}}</td><td>{{.Sales}}</td></tr>
{{end}}</tbody>
</table></div>{{else}}<p class="muted">{{.L.alerts_none}}</p>{{end}}
{{if .LostNote}}<p class="note">{{.LostNote}}</p>{{end}}
<h3>{{.L.alerts_discounts}}</h3>
{{if .Discounts}}<div class="scroll"><table>
<thead><tr><th class="text">{{.L.manager}}</th><th>{{.L.discount_lines}}</th><th>{{.L.discount_clients}}</th><th>{{.L.discount_shortfall}}</th><th>{{.L.discount_max}}</th></tr></thead>
<tbody>
{{range .Discounts}}<tr><td class="text">{{.Manager}}</td><td>{{.Lines}}</td><td>{{.Clients}}</td><td class="bad">{{.Shortfall}}</td><td>{{.MaxDiscount}}</td></tr>
{{end}}</tbody>
</table></div>{{else}}<p class="muted">{{.L.alerts_none}}</p>{{end}}
</section>
`))

var panelKeys = []string{"base", "month", "base_start", "base_new", "base_reactivated", "base_lost", "base_active", "partial", "base_note",
	"no_data", "ageing", "debtors", "client", "manager", "overdue", "balance", "company", "shares", "segment", "category", "share_ours",
	"share_low", "share_point", "share_high", "share_competitors", "share_clients", "share_inconsistent", "share_note", "pay",
	"team", "pay_budget", "pay_cost", "pay_of_budget", "pay_all", "pay_none", "alerts", "alerts_credit", "credit_limit",
	"oldest_days", "alert", "alerts_none", "alerts_lost", "lost_sales", "alerts_discounts", "discount_lines", "discount_clients",
	"discount_shortfall", "discount_max", "forecast", "forecast_next", "forecast_range", "forecast_year", "forecast_model",
	"forecast_bias", "forecast_note"}

func dirMoney(d reports.Dec, lang string) string {
	if !d.Valid {
		return numFormat(lang).Dash
	}
	return MoneyShort(d.Decimal, lang)
}

func dirCount(n int64, lang string) string { return Number(decimal.NewFromInt(n), lang) }

// dirBucket names an ageing bucket column: not_due, overdue_1_30,
// overdue_90_plus; another column is shown as it is.
func dirBucket(col, lang string) string {
	if col == "not_due" {
		return tr(lang, "bucket.not_due")
	}
	rest, ok := strings.CutPrefix(col, "overdue_")
	if !ok {
		return col
	}
	if from, ok := strings.CutSuffix(rest, "_plus"); ok {
		return fmt.Sprintf(tr(lang, "bucket.plus"), from)
	}
	if from, to, ok := strings.Cut(rest, "_"); ok {
		return fmt.Sprintf(tr(lang, "bucket.range"), from, to)
	}
	return col
}

// directorPanels renders the alerts (tables only) and the panels with
// charts below plan fulfilment, adding their charts to p.
func directorPanels(d *reports.Director, lang string, p *page) (alerts, panels template.HTML, err error) {
	v := panelsView{L: map[string]string{}}
	for _, k := range panelKeys {
		v.L[k] = tr(lang, "panel."+k)
	}
	add := func(c chart, err error) (template.HTML, error) {
		if err != nil {
			return "", err
		}
		p.Charts = append(p.Charts, c)
		return chartDiv(c), nil
	}
	// Client base: new and lost clients per month as bars, the active base as a line.
	if len(d.ClientBase) > 0 {
		v.HasBase = true
		var months []string
		var gained, lost []opts.BarData
		var active []opts.LineData
		for _, c := range d.ClientBase {
			m := c.Month.Format("2006-01")
			months = append(months, m)
			gained = append(gained, opts.BarData{Value: c.New + c.Reactivated})
			lost = append(lost, opts.BarData{Value: -c.Lost})
			active = append(active, opts.LineData{Value: c.Active})
			v.ClientBaseRows = append(v.ClientBaseRows, clientBaseRow{Month: MonthName(m, lang), ActiveStart: dirCount(c.ActiveStart, lang),
				New: dirCount(c.New, lang), Reactivated: dirCount(c.Reactivated, lang), Lost: dirCount(c.Lost, lang), Active: dirCount(c.Active, lang),
				InProgress: c.InProgress})
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
			charts.WithYAxisOpts(opts.YAxis{Type: "value", MinInterval: 1}))
		bar.ExtendYAxis(opts.YAxis{Type: "value", MinInterval: 1, SplitLine: &opts.SplitLine{Show: opts.Bool(false)}})
		bar.SetXAxis(months).
			AddSeries(tr(lang, "panel.base_gained"), gained, charts.WithBarChartOpts(opts.BarChart{Stack: "moves"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorGain})).
			AddSeries(tr(lang, "panel.base_lost"), lost, charts.WithBarChartOpts(opts.BarChart{Stack: "moves"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: colorLoss}))
		line := charts.NewLine()
		line.SetXAxis(months).AddSeries(tr(lang, "panel.base_active"), active,
			charts.WithLineChartOpts(opts.LineChart{YAxisIndex: 1}), charts.WithLineStyleOpts(opts.LineStyle{Width: 3}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#2f6fde"}))
		bar.Overlap(line)
		js, err := optionJSON(bar)
		if v.ClientBase, err = add(chart{ID: "director-client-base", Height: 320, Unit: unitCount, Option: js}, err); err != nil {
			return "", "", err
		}
	}

	// Receivables ageing: each KAM's open receivables stacked by bucket, and the worst debtors.
	if a := d.Ageing; a != nil && len(a.ByManager) > 0 {
		v.HasAgeing = true
		v.AgeingAsOf = tr(lang, "as_of") + " " + Date(a.AsOf, lang)
		var names []string
		for _, r := range a.ByManager {
			n := r.Name
			if r.ID == "" {
				n = tr(lang, "panel.unassigned")
			}
			names = append(names, label(n))
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}))
		bar.SetXAxis(names)
		for i, b := range a.Buckets {
			v.AgeingHead = append(v.AgeingHead, dirBucket(b, lang))
			var data []opts.BarData
			for _, r := range a.ByManager {
				data = append(data, opts.BarData{Value: chartNum(r.Amounts[i], 0)})
			}
			bar.AddSeries(dirBucket(b, lang), data, charts.WithBarChartOpts(opts.BarChart{Stack: "ageing"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: bucketColors[min(i, len(bucketColors)-1)]}))
		}
		bar.XYReversal()
		js, err := optionJSON(bar)
		if v.Ageing, err = add(chart{ID: "director-ageing", Height: max(220, 70+26*len(names)), Unit: unitMoney, Option: js}, err); err != nil {
			return "", "", err
		}
		for _, r := range a.Debtors {
			row := debtorRow{Name: r.Name, Manager: r.ManagerName, Overdue: dirMoney(r.Overdue, lang), Balance: dirMoney(r.Balance, lang)}
			for _, x := range r.Amounts {
				row.Amounts = append(row.Amounts, dirMoney(x, lang))
			}
			v.Debtors = append(v.Debtors, row)
		}
		for _, x := range a.Total.Amounts {
			v.AgeingTotal = append(v.AgeingTotal, dirMoney(x, lang))
		}
		v.AgeingTotal = append(v.AgeingTotal, dirMoney(a.Total.Overdue, lang), dirMoney(a.Total.Balance, lang))
	}

	// Competitor share: the point estimate with its low–high range.
	if len(d.Competitors) > 0 {
		var names []string
		var low, width []opts.BarData
		var point []opts.LineData
		for _, c := range d.Competitors {
			v.ShareRows = append(v.ShareRows, shareRow{Segment: c.Segment, Category: c.Category, Ours: dirMoney(c.Ours, lang),
				Low: fmtPct(c.Low, lang), Share: fmtPct(c.Share, lang), High: fmtPct(c.High, lang),
				Competitors: dirCount(c.Competitors, lang), Clients: dirCount(c.NotedClients, lang) + " / " + dirCount(c.NotedClients+c.Unnoted, lang),
				Inconsistent: c.Inconsistent})
		}
		// The chart shows segments (categories summed); the table every category.
		for _, c := range reports.BySegment(d.Competitors) {
			names = append(names, label(c.Segment))
			low = append(low, opts.BarData{Value: chartPct(c.Low)})
			w := reports.Dec{}
			if c.Low.Valid && c.High.Valid {
				w = reports.Dec{Decimal: c.High.Decimal.Sub(c.Low.Decimal), Valid: true}
			}
			width = append(width, opts.BarData{Value: chartPct(w)})
			point = append(point, opts.LineData{Value: chartPct(c.Share)})
		}
		// Horizontal: a segment × category per row keeps long names readable.
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "value", Max: 100}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}))
		bar.SetXAxis(names).
			AddSeries(tr(lang, "panel.share_low"), low, charts.WithBarChartOpts(opts.BarChart{Stack: "range", BarWidth: "50%"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: "rgba(0,0,0,0)"})).
			AddSeries(tr(lang, "panel.share_width"), width, charts.WithBarChartOpts(opts.BarChart{Stack: "range"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: colorRange}))
		line := charts.NewLine()
		line.SetXAxis(names).AddSeries(tr(lang, "panel.share_point"), point,
			charts.WithLineChartOpts(opts.LineChart{Symbol: "diamond", SymbolSize: 12}),
			charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#1f2933"}))
		bar.Overlap(line)
		bar.XYReversal()
		js, err := optionJSON(bar)
		if v.Shares, err = add(chart{ID: "director-competitor-share", Height: max(200, 70+30*len(names)), Unit: unitPercent, Option: js}, err); err != nil {
			return "", "", err
		}
	}

	// Variable pay: cost against budget, and what each KPI's shortfall costs each KAM.
	if pay := d.Pay; pay != nil && len(pay.Lines) > 0 {
		v.HasPay = true
		v.PayCards = []payCard{
			{Name: tr(lang, "panel.pay_cost"), Big: dirMoney(pay.Cost, lang), Note: tr(lang, "panel.pay_budget") + ": " + dirMoney(pay.Budget, lang) + " · " + fmtPct(dirRatio(pay.Cost, pay.Budget), lang)},
			{Name: tr(lang, "panel.pay_all"), Big: dirMoney(pay.GapValue, lang), Note: tr(lang, "panel.pay_all_note")},
		}
		for _, kpi := range reports.KPIs {
			v.PayKPIs = append(v.PayKPIs, kpiName(lang, kpi))
		}
		var names []string
		var payData []opts.BarData
		var budget []opts.LineData
		gaps := make([][]opts.BarData, len(reports.KPIs))
		for _, l := range pay.Lines {
			names = append(names, label(l.Name))
			payData = append(payData, opts.BarData{Value: chartNum(l.Pay, 0)})
			budget = append(budget, opts.LineData{Value: chartNum(l.Budget, 0)})
			row := payRow{Name: l.Name, Team: l.Team, Budget: dirMoney(l.Budget, lang), Pay: dirMoney(l.Pay, lang),
				OfBudget: fmtPct(dirRatio(l.Pay, l.Budget), lang), All: dirMoney(l.All, lang)}
			for i, kpi := range reports.KPIs {
				g, ok := l.GapValue[kpi]
				if !ok {
					g = reports.Dec{}
				}
				gaps[i] = append(gaps[i], opts.BarData{Value: chartNum(g, 0)})
				row.Gaps = append(row.Gaps, dirMoney(g, lang))
			}
			v.PayRows = append(v.PayRows, row)
		}
		bar := charts.NewBar()
		bar.SetGlobalOptions(baseOpts()...)
		bar.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "value"}),
			charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Interval: "0"}}))
		bar.SetXAxis(names).AddSeries(tr(lang, "panel.pay_cost"), payData, charts.WithBarChartOpts(opts.BarChart{Stack: "pay"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#2f6fde"}))
		for i, kpi := range reports.KPIs {
			bar.AddSeries(tr(lang, "panel.pay_gap")+": "+kpiName(lang, kpi), gaps[i], charts.WithBarChartOpts(opts.BarChart{Stack: "pay"}),
				charts.WithItemStyleOpts(opts.ItemStyle{Color: []string{"#f59e0b", "#f6c343", "#fcd9a0"}[i%3]}))
		}
		line := charts.NewLine()
		line.SetXAxis(names).AddSeries(tr(lang, "panel.pay_budget"), budget,
			charts.WithLineChartOpts(opts.LineChart{Symbol: "rect", SymbolSize: []int{4, 22}}),
			charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: colorTarget}))
		bar.Overlap(line)
		bar.XYReversal()
		js, err := optionJSON(bar)
		if v.Pay, err = add(chart{ID: "director-pay", Height: max(220, 70+30*len(names)), Unit: unitMoney, Option: js}, err); err != nil {
			return "", "", err
		}
		v.PayNote = fmt.Sprintf(tr(lang, "panel.pay_note"), MonthName(pay.Period, lang), Date(pay.AsOf, lang))
	}

	// Alerts.
	if al := d.Alerts; al != nil {
		for _, c := range al.Credit {
			r := creditRow{Client: c.ClientName, Manager: c.ManagerName, Balance: dirMoney(c.Balance, lang), Limit: dirMoney(c.CreditLimit, lang),
				Overdue: dirMoney(c.Overdue, lang), Days: dirCount(c.OldestOverdueDays, lang)}
			if c.OverLimit {
				r.Flags = append(r.Flags, tr(lang, "panel.over_limit"))
			}
			if c.BeyondTolerance {
				r.Flags = append(r.Flags, tr(lang, "panel.beyond_tolerance"))
			}
			v.Credit = append(v.Credit, r)
		}
		if al.CreditCount > len(al.Credit) {
			v.CreditNote = fmt.Sprintf(tr(lang, "panel.more"), len(al.Credit), al.CreditCount)
		}
		for _, l := range al.Lost {
			v.Lost = append(v.Lost, lostRow{Client: l.ClientName, Manager: l.ManagerName, Sales: dirMoney(l.WindowSales, lang)})
		}
		if al.LostCount > len(al.Lost) {
			v.LostNote = fmt.Sprintf(tr(lang, "panel.more"), len(al.Lost), al.LostCount)
		}
		for _, b := range al.Discounts {
			name := b.ManagerName
			if b.ManagerID == "" {
				name = tr(lang, "panel.unassigned")
			}
			v.Discounts = append(v.Discounts, discountRow{Manager: name, Lines: dirCount(b.Lines, lang), Clients: dirCount(b.Clients, lang),
				Shortfall: dirMoney(b.Shortfall, lang), MaxDiscount: fmtPct(b.MaxDiscount, lang)})
		}
	}

	// Segment forecasts: actual and forecast net sales of every segment, and accuracy.
	if len(d.Forecasts) > 0 {
		v.HasForecast = true
		periods := map[string]bool{}
		for _, f := range d.Forecasts {
			for _, pt := range f.Points {
				periods[pt.Period] = true
			}
		}
		var axis []string
		for k := range periods {
			axis = append(axis, k)
		}
		slices.Sort(axis)
		line := charts.NewLine()
		line.SetGlobalOptions(baseOpts()...)
		line.SetGlobalOptions(charts.WithXAxisOpts(opts.XAxis{Type: "category"}), charts.WithYAxisOpts(opts.YAxis{Type: "value"}))
		line.SetXAxis(axis)
		palette := []string{"#2f6fde", "#1e7b34", "#b42318", "#7c3aed", "#f59e0b", "#0e7490", "#9d174d", "#4b5563"}
		for i, f := range d.Forecasts {
			act, fc := make([]opts.LineData, len(axis)), make([]opts.LineData, len(axis))
			at := map[string]reports.ForecastPoint{}
			lastActual := ""
			for _, pt := range f.Points {
				at[pt.Period] = pt
				if !pt.IsForecast() {
					lastActual = pt.Period
				}
			}
			for j, k := range axis {
				pt, ok := at[k]
				act[j], fc[j] = opts.LineData{Value: "-"}, opts.LineData{Value: "-"}
				if ok && !pt.IsForecast() {
					act[j] = opts.LineData{Value: chartNum(pt.Actual, 0)}
					if k == lastActual { // join the forecast to the last actual
						fc[j] = act[j]
					}
				}
				if ok && pt.IsForecast() {
					fc[j] = opts.LineData{Value: chartNum(pt.Forecast, 0)}
				}
			}
			color := palette[i%len(palette)]
			line.AddSeries(label(f.Segment), act, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}))
			line.AddSeries(label(f.Segment)+" · "+tr(lang, "panel.forecast_short"), fc, charts.WithItemStyleOpts(opts.ItemStyle{Color: color}),
				charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
				charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed"}))

			row := forecastRow{Segment: f.Segment, Model: f.Model, MASE: numFormat(lang).Dash, Bias: numFormat(lang).Dash,
				Next: numFormat(lang).Dash, Range80: numFormat(lang).Dash, Year: numFormat(lang).Dash}
			if f.HasAccuracy {
				m := decimal.NewFromFloat(f.MASE).Round(2)
				row.MASE, row.MASEStatus = dirDecimal(m, lang), "bad"
				if m.LessThan(decimal.NewFromInt(1)) {
					row.MASEStatus = "good"
				}
				row.Bias = Percent(decimal.NewFromFloat(f.Bias).Round(4), lang)
			}
			year, n := decimal.Zero, 0
			for _, pt := range f.Points {
				if !pt.IsForecast() {
					continue
				}
				if n == 0 {
					row.Next = dirMoney(pt.Forecast, lang)
					if pt.Lo80.Valid && pt.Hi80.Valid {
						row.Range80 = dirMoney(pt.Lo80, lang) + " – " + dirMoney(pt.Hi80, lang)
					}
				}
				if n < 12 {
					year = year.Add(pt.Forecast.Decimal)
				}
				n++
			}
			if n > 0 {
				row.Year = MoneyShort(year, lang)
			}
			v.ForecastRows = append(v.ForecastRows, row)
		}
		js, err := optionJSON(line)
		if v.Forecast, err = add(chart{ID: "director-forecast", Height: 340, Unit: unitMoney, Option: js}, err); err != nil {
			return "", "", err
		}
	}
	var a, b bytes.Buffer
	if err := alertsTpl.Execute(&a, v); err != nil {
		return "", "", err
	}
	if err := panelsTpl.Execute(&b, v); err != nil {
		return "", "", err
	}
	return template.HTML(a.String()), template.HTML(b.String()), nil
}

// dirRatio is a / b rounded to 4 places, invalid when either is missing or b is 0.
func dirRatio(a, b reports.Dec) reports.Dec {
	if !a.Valid || !b.Valid || b.Decimal.IsZero() {
		return reports.Dec{}
	}
	return reports.Dec{Decimal: a.Decimal.DivRound(b.Decimal, 4), Valid: true}
}

// dirDecimal writes a decimal with its own places and the language's point.
func dirDecimal(d decimal.Decimal, lang string) string {
	return strings.Replace(d.StringFixed(2), ".", numFormat(lang).Point, 1)
}
