package dashboards

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The bundle holds only the chart types echarts.entry.js imports: every
// series type an option can name must be among them (a missing one fails
// in the browser with "Unknown series"). Options name types in series and
// in axes and line styles; the latter are listed here.
func TestBundleHasEverySeriesType(t *testing.T) {
	entry, err := os.ReadFile("echarts.entry.js")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b(\w+)Chart\b`).FindAllStringSubmatch(string(entry), -1) {
		have[strings.ToLower(m[1])] = true
	}
	for _, kind := range []string{"bar", "line", "pie", "scatter"} {
		if !have[kind] {
			t.Errorf("echarts.entry.js does not import %sChart", kind)
		}
	}
	// Series types the dashboards' Go code writes into options.
	src := ""
	files, _ := os.ReadDir(".")
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".go") && !strings.HasSuffix(f.Name(), "_test.go") {
			b, err := os.ReadFile(f.Name())
			if err != nil {
				t.Fatal(err)
			}
			src += string(b)
		}
	}
	for _, m := range regexp.MustCompile(`charts\.New(\w+)\(`).FindAllStringSubmatch(src, -1) {
		if kind := strings.ToLower(m[1]); !have[kind] {
			t.Errorf("charts.New%s is used but echarts.entry.js does not import %sChart", m[1], m[1])
		}
	}
	for _, m := range regexp.MustCompile(`"type":\s*"(\w+)"`).FindAllStringSubmatch(src, -1) {
		switch m[1] {
		case "category", "value", "time", "log", "dashed", "solid", "dotted", "axis", "item", "none", "shadow", "cross":
			continue
		}
		if !have[m[1]] {
			t.Errorf("an option names series type %q but echarts.entry.js does not import it", m[1])
		}
	}
}
