package dashboards

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// page is one self-contained HTML page: styles, ECharts and the chart
// options are inline, so it opens from file:// with no request at all.
type page struct {
	Lang     string
	Title    string
	Subtitle string
	Root     string // relative path to the site root ("../"), "" for none
	Charts   []chart
	Body     template.HTML // page-specific sections, escaped by their templates
	Footer   string
}

// pageTpl is the frame of every page. html/template escapes every value
// for its context: text in HTML, the ids and the number format in
// JavaScript; the ECharts bundle and the options are template.JS checked
// by render and optionJSON. The print styles keep horizontal sizes as on
// screen, so charts keep the width they were drawn at (browsercheck.PDF
// lays pages out at the A4 landscape width before printing).
var pageTpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --head: #f0f4f8; --accent: #2f6fde; --bad: #b42318; --good: #1e7b34; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; color: var(--ink); background: #f5f7fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 14px 28px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: var(--muted); }
nav { margin-top: 6px; }
nav a, a { color: var(--accent); }
main { padding: 18px 28px; max-width: 1440px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 0 0 18px; }
section h2 { margin: 0 0 10px; font-size: 17px; }
section h3 { margin: 4px 0 6px; font-size: 14px; color: var(--muted); font-weight: 600; }
.chart { width: 100%; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 14px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.card .name { color: var(--muted); font-weight: 600; }
.card .big { font-size: 26px; font-weight: 650; margin: 2px 0 4px; font-variant-numeric: tabular-nums; }
.card p { margin: 2px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; margin-top: 8px; }
th, td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
tr.first td { border-top: 2px solid var(--line); }
th.text, td.text { text-align: left; white-space: normal; }
th { background: var(--head); font-weight: 600; }
th.group { text-align: center; border-left: 2px solid #fff; }
td.sep, th.sep { border-left: 2px solid var(--line); }
.bad { color: var(--bad); font-weight: 600; } .good { color: var(--good); font-weight: 600; } .muted { color: var(--muted); }
.flag { display: inline-block; font-size: 12px; color: var(--bad); border: 1px solid currentColor; border-radius: 3px; padding: 0 4px; margin-left: 4px; white-space: nowrap; }
.note { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
ul.links li { margin: 6px 0; }
details > summary { cursor: pointer; margin: 4px 0; }
table.stmt { margin: 4px 0 10px; }
table.stmt th { text-align: left; background: none; padding-top: 10px; }
table.stmt td:first-child { text-align: left; white-space: normal; }
table.stmt tr.sub td { color: var(--muted); font-size: 12px; }
footer { color: var(--muted); padding: 0 28px 24px; font-size: 12px; }
@page { size: A4 landscape; margin: 10mm 12mm; }
@media print {
  body { background: #fff; }
  header { border: none; }
  nav { display: none; }
  section { border-color: #fff; break-inside: auto; }
  .chart, .card, tr, h2, h3 { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scroll { overflow: visible; }
}
</style>
{{if .Charts}}<script>{{.Library}}</script>{{end}}
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{if .Subtitle}}<p>{{.Subtitle}}</p>{{end}}
{{if .Root}}<nav><a href="{{.Root}}index.html">{{.Back}}</a></nav>{{end}}
</header>
<main>
{{.Body}}
</main>
{{if .Footer}}<footer>{{.Footer}}</footer>{{end}}
{{if .Charts}}<script>
(function () {
  "use strict";
  // Numbers on axes and in tooltips follow the page's language, as the
  // tables do (format.go); the format comes from Go as data.
  var F = {{.Format}};
  function num(v, digits) {
    var s = Math.abs(v).toFixed(digits), parts = s.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, F.Group);
    var sign = v < 0 && Number(s) !== 0 ? "\u2212" : "";
    return sign + whole + (parts.length > 1 ? F.Point + parts[1] : "");
  }
  function compact(v) {
    var a = Math.abs(v), steps = [[1e9, F.Billion], [1e6, F.Million], [1e3, F.Thousand]];
    for (var i = 0; i < steps.length; i++) {
      if (a >= steps[i][0]) {
        var x = v / steps[i][0];
        return num(x, Math.round(x) === x ? 0 : 1) + steps[i][1];
      }
    }
    return num(v, 0);
  }
  function missing(v) { return v === null || v === undefined || v === "-" || typeof v !== "number" || isNaN(v); }
  function count(v) { return num(v, Math.round(v * 10) % 10 === 0 ? 0 : 1); }
  var units = {
    money: { axis: compact, value: function (v) { return missing(v) ? F.Dash : F.MoneyPrefix + num(v, 0) + F.MoneySuffix; } },
    count: { axis: count, value: function (v) { return missing(v) ? F.Dash : count(v); } },
    percent: { axis: function (v) { return num(v, 0) + F.PercentSuffix; }, value: function (v) { return missing(v) ? F.Dash : num(v, 1) + F.PercentSuffix; } }
  };
  var charts = [];
  function draw(id, unit, option) {
    var u = units[unit] || units.count;
    [].concat(option.xAxis || [], option.yAxis || []).forEach(function (a) {
      a.axisLabel = a.axisLabel || {};
      if (a.type === "value") {
        a.axisLabel.formatter = u.axis;
      } else {
        a.axisLabel.width = a.axisLabel.width || 180;
        a.axisLabel.overflow = "truncate";
      }
    });
    option.tooltip = option.tooltip || {};
    option.tooltip.valueFormatter = u.value;
    var c = echarts.init(document.getElementById(id), null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
  }
{{- range .Charts}}
  draw({{.ID}}, {{.Unit}}, {{.Option}});
{{- end}}
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  if (window.matchMedia) { window.matchMedia("print").addListener(resize); }
})();
</script>{{end}}
</body>
</html>
`))

var chartDivTpl = template.Must(template.New("div").Parse(`<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>`))

// chartDiv is the element a chart draws into.
func chartDiv(c chart) template.HTML {
	var b bytes.Buffer
	if err := chartDivTpl.Execute(&b, c); err != nil {
		panic(err) // a fixed template over a string and an int
	}
	return template.HTML(b.String())
}

// inlineSafe reports whether a script can be inlined in a <script> element
// unchanged: it must not close the element or open an HTML comment.
func inlineSafe(js string) bool {
	l := strings.ToLower(js)
	return !strings.Contains(l, "</script") && !strings.Contains(l, "<!--")
}

// echartsInlineSafe is inlineSafe(echartsJS), checked once: the bundle is
// half a megabyte and every page with a chart inlines it.
var echartsInlineSafe = sync.OnceValue(func() bool { return inlineSafe(echartsJS) })

// render writes the page into b.
func (p *page) render(b *bytes.Buffer) error {
	seen := map[string]bool{}
	for _, c := range p.Charts {
		if seen[c.ID] || c.ID == "" {
			return fmt.Errorf("dashboards: chart id %q is empty or used twice on %q", c.ID, p.Title)
		}
		seen[c.ID] = true
	}
	library := template.JS("")
	if len(p.Charts) > 0 {
		if !echartsInlineSafe() {
			return fmt.Errorf("dashboards: the embedded echarts.min.js cannot be inlined (it contains </script or <!--)")
		}
		library = template.JS(echartsJS)
	}
	return pageTpl.Execute(b, struct {
		*page
		Library template.JS
		Format  numberFormat
		Back    string
	}{p, library, numFormat(p.Lang), tr(p.Lang, "site.back")})
}

// write renders the page to path, creating its folder.
func (p *page) write(path string) error {
	var b bytes.Buffer
	if len(p.Charts) > 0 {
		b.Grow(len(echartsJS) + 256<<10) // the library is most of a page with charts
	}
	if err := p.render(&b); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
