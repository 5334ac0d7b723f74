package browsercheck_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/dashboards/browsercheck"
)

// Each page below does one thing a generated page must never do; Check
// must report exactly that, and nothing on the clean page.
func TestCheckReportsEachProblem(t *testing.T) {
	if _, err := browsercheck.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	// A stand-in for ECharts: getInstanceByDom and a canvas are what Check looks for.
	const fake = `<script>window.echarts = { getInstanceByDom: function () { return {}; } };</script>`
	pages := map[string]string{
		"clean":     fake + `<div class="chart" id="a"><canvas width="10" height="10"></canvas></div><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">`,
		"dialog":    `<script>alert("xss")</script>`,
		"console":   `<script>console.error("boom")</script>`,
		"exception": `<script>throw new Error("bad")</script>`,
		"remote":    `<script>fetch("https://example.invalid/x.json").catch(function () {});</script>`,
		"undrawn":   fake + `<div class="chart" id="a"></div><div class="chart" id="b"><canvas width="10" height="10"></canvas></div>`,
	}
	dir := t.TempDir()
	order := []string{"clean", "dialog", "console", "exception", "remote", "undrawn"}
	var files []string
	for _, name := range order {
		f := filepath.Join(dir, "p", name+".html")
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("<!DOCTYPE html><html><body>"+pages[name]+"</body></html>"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	shots := t.TempDir()
	reports, err := browsercheck.Check(context.Background(), files, shots)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != len(files) {
		t.Fatalf("%d reports for %d files", len(reports), len(files))
	}
	want := map[string]string{
		"dialog":    "dialog opened: alert: xss",
		"console":   "console error: \"boom\"",
		"exception": "exception: Uncaught",
		"remote":    "request leaves the machine: https://example.invalid/x.json",
		"undrawn":   "1 of 2 charts did not draw",
	}
	for i, r := range reports {
		name := order[i]
		got := strings.Join(r.Problems(), "; ")
		t.Logf("%s: %s", name, got)
		if name == "clean" {
			if got != "" || r.Charts != 1 || r.Drawn != 1 {
				t.Errorf("clean page: %q, %d/%d charts", got, r.Drawn, r.Charts)
			}
		} else if !strings.Contains(got, want[name]) {
			t.Errorf("%s page: problems %q, want one containing %q", name, got, want[name])
		}
		if filepath.Base(r.Screenshot) != "0"+string(rune('0'+i))+"-"+name+".png" {
			t.Errorf("screenshot %s", r.Screenshot)
		}
		if st, err := os.Stat(r.Screenshot); err != nil || st.Size() == 0 {
			t.Errorf("%s: no screenshot: %v", name, err)
		}
	}
	if _, err := browsercheck.Check(context.Background(), []string{filepath.Join(dir, "missing.html")}, ""); err == nil {
		t.Error("a missing file was checked without an error")
	}
}
