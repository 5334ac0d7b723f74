package dashboards

import (
	"bytes"
	"html/template"
	"os"
	"path/filepath"
)

// Page is one self-contained HTML page.
type Page struct {
	Lang     string
	Title    string
	Subtitle string
	Root     string // relative path to the site root ("" or "../")
	Charts   []Chart
	Body     template.HTML // page-specific tables and text, already escaped by its template
	Footer   string
}

var pageTpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --accent: #2f6fde; --bad: #c62828; --good: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f5f7fa; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 14px 28px; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: var(--muted); }
nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
main { padding: 18px 28px; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 0 0 18px; }
section h2 { margin: 0 0 10px; font-size: 17px; }
.chart { width: 100%; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text { text-align: left; white-space: normal; }
th { background: #f0f4f8; font-weight: 600; }
.bad { color: var(--bad); } .good { color: var(--good); } .muted { color: var(--muted); }
.flag { font-size: 12px; color: var(--bad); }
ul.links li { margin: 6px 0; }
footer { color: var(--muted); padding: 0 28px 24px; font-size: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { background: #fff; }
  header, main { padding: 0; }
  section { border: none; padding: 0; margin-bottom: 8mm; }
  .chart, tr, h2 { break-inside: avoid; }
  h2 { break-after: avoid; }
  .grid { display: block; }
  nav { display: none; }
}
</style>
<script>{{.JS}}</script>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{if .Subtitle}}<p>{{.Subtitle}}</p>{{end}}
{{if .Root}}<nav><a href="{{.Root}}index.html">← kam</a></nav>{{end}}
</header>
<main>
{{.Body}}
</main>
{{if .Footer}}<footer>{{.Footer}}</footer>{{end}}
<script>
(function () {
  var charts = [];
  function draw(id, option) {
    var el = document.getElementById(id);
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(option);
    charts.push(c);
  }
{{- range .Charts}}
  draw({{.ID}}, {{.Option}});
{{- end}}
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
})();
</script>
</body>
</html>
`))

// chartDiv is the placeholder a chart draws into.
var chartDivTpl = template.Must(template.New("div").Parse(`<div class="chart" id="{{.ID}}" style="height:{{.Height}}px"></div>`))

func chartDiv(c Chart) template.HTML {
	var b bytes.Buffer
	_ = chartDivTpl.Execute(&b, c)
	return template.HTML(b.String())
}

// write renders a page to path, creating its folder.
func (p *Page) write(path string) error {
	var b bytes.Buffer
	data := struct {
		*Page
		JS template.JS
	}{p, template.JS(echartsJS)}
	if err := pageTpl.Execute(&b, data); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
