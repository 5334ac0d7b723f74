package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Units tell the page how to format a chart's value axis and tooltip (see
// the formatters in page.go); they keep JavaScript functions out of options.
const (
	unitMoney   = "money"
	unitCount   = "count"
	unitPercent = "percent"
)

// chart is one chart on a page: a fixed id (never go-echarts' random one,
// so output is deterministic), its height, unit and ECharts option.
type chart struct {
	ID     string
	Height int // pixels
	Unit   string
	// Option is the chart's option as JSON for a <script> element (see
	// optionJSON).
	Option template.JS
}

// optionJSON builds a chart's option with go-echarts and marshals it for a
// <script> element. We do not use go-echarts' page renderer: it writes the
// option with HTML escaping off and then strips every `__f__` marker from
// the whole page, turning `__f__…__f__` in data into code. Here the option
// goes through encoding/json, which writes <, > and & as \u003c, \u003e,
// \u0026 (so neither `</script>` nor `<!--` can appear; stronger than a
// `</` → `<\/` pass) and U+2028/U+2029 as escapes; no marker is ever
// interpreted, and labels from data are cleaned by label as well.
func optionJSON(c interface {
	Validate()
	JSON() map[string]interface{}
}) (template.JS, error) {
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return "", fmt.Errorf("chart option: %w", err)
	}
	if bytes.Contains(b, []byte("</")) || bytes.Contains(b, []byte("<!--")) {
		return "", fmt.Errorf("chart option: unescaped markup") // cannot happen with encoding/json
	}
	return template.JS(b), nil
}

// label cleans text from data (names of managers, clients, categories)
// before it goes into a chart option: go-echarts treats `__f__…__f__` as
// JavaScript code, so the marker must never reach it from data, whichever
// renderer draws the option.
func label(s string) string {
	for strings.Contains(s, "__f__") {
		s = strings.ReplaceAll(s, "__f__", "")
	}
	return s
}

func labels(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = label(s)
	}
	return out
}

// baseOpts are the options every cartesian chart shares: no title (the
// section heading names the chart), legend on top, axis tooltip, no
// animation (charts are complete at the load event, for screenshots and
// printing), a grid that fits its labels.
func baseOpts() []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0"}),
		charts.WithAnimation(false),
		charts.WithGridOpts(opts.Grid{Top: "36px", Left: "8px", Right: "16px", Bottom: "8px", ContainLabel: opts.Bool(true)}),
	}
}

const (
	colorTarget  = "#b42318"
	colorRunRate = "#f59e0b"
)

// targetMarkLine draws the 100 % line of attainment charts with its label
// at position: "insideEndTop" on a vertical chart, "start" (the top) on a
// horizontal one with an inverted category axis; "end" would be clipped.
func targetMarkLine(position string) opts.MarkLineStyle {
	return opts.MarkLineStyle{Symbol: []string{"none", "none"},
		LineStyle: &opts.LineStyle{Color: colorTarget, Type: "dashed", Width: 1.5},
		Label:     &opts.Label{Show: opts.Bool(true), Formatter: "100 %", Color: colorTarget, Position: position}}
}

// categoryLabels shows every category label, turned when there are many.
func categoryLabels(n int) *opts.AxisLabel {
	l := &opts.AxisLabel{Interval: "0"}
	if n > 6 {
		l.Rotate = 30
	}
	return l
}
