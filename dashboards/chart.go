package dashboards

import (
	"encoding/json"
	"fmt"
	"html/template"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Chart is one chart on a page: a fixed id and its ECharts option.
type Chart struct {
	ID     string
	Title  string
	Height int // pixels
	// Option is the ECharts option as JSON, escaped for a <script> element:
	// encoding/json writes <, > and & as \u003c, \u003e, \u0026, so data
	// such as `</script>` cannot end the script, and we never run
	// go-echarts' `__f__` function marker, so no label turns into code.
	Option template.JS
}

// optionJSON marshals a go-echarts chart's option.
func optionJSON(c interface {
	Validate()
	JSON() map[string]interface{}
}) (template.JS, error) {
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return "", fmt.Errorf("chart option: %w", err)
	}
	return template.JS(b), nil
}

func baseOpts(title string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithTitleOpts(opts.Title{Title: title, Left: "left"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "4px"}),
		charts.WithAnimation(false),
		charts.WithGridOpts(opts.Grid{Top: "40px", Left: "60px", Right: "20px", Bottom: "80px", ContainLabel: opts.Bool(true)}),
	}
}
