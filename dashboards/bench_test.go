package dashboards_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/dashboards/browsercheck"
	"github.com/kam-analytics/kam/reports/reportstest"
)

// BenchmarkRenderSite50 renders every audience for a company of 50 KAMs and
// 2,500 clients (target ≤ 5 s): the landing page, the director's pages, 50
// KAM pages and, with the compensation file of the dashboard tests, the HR
// page with the pay sheets of January–October 2026 and their payroll
// workbooks. Each iteration renders into a new folder (a first render: every
// workbook written). It then reports the largest page and the slowest draw
// in Chromium (targets ≤ 2 MB and ≤ 1 s).
func BenchmarkRenderSite50(b *testing.B) {
	db := reportstest.Open(b, reportstest.Synthetic(50, 2500), reportstest.SyntheticPay)
	ctx := context.Background()
	opt := dashboards.Options{AsOf: reportstest.AsOf, Compensation: compensation}
	var out string
	// The machine is shared: CPU time (user + system of this process) is
	// reported beside the wall time, as it varies less with others' load.
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out = filepath.Join(b.TempDir(), "site")
		if err := dashboards.RenderSite(ctx, db, out, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	// A re-render into the same folder: the payroll workbooks already
	// there are current and left alone.
	t0, cpu1 := time.Now(), cpuTime()
	if err := dashboards.RenderSite(ctx, db, out, opt); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(t0).Seconds(), "s-rerender")
	b.ReportMetric((cpuTime() - cpu1).Seconds(), "cpu-s-rerender")
	if _, err := os.Stat(filepath.Join(out, "hr", "index.html")); err != nil {
		b.Fatalf("no HR page: %v", err)
	}
	workbooks, _ := filepath.Glob(filepath.Join(out, "hr", "*.xlsx"))
	b.ReportMetric(float64(len(workbooks)), "workbooks")
	kams, _ := filepath.Glob(filepath.Join(out, "kam", "*", "index.html"))
	directors, _ := filepath.Glob(filepath.Join(out, "director", "*.html"))
	pages := append(append([]string{filepath.Join(out, "index.html")}, directors...), kams...)
	pages = append(pages, filepath.Join(out, "hr", "index.html"))
	var largest int64
	for _, p := range pages {
		if st, err := os.Stat(p); err == nil && st.Size() > largest {
			largest = st.Size()
		}
	}
	b.ReportMetric(float64(len(pages)), "pages")
	b.ReportMetric(float64(largest)/1e6, "MB-largest-page")
	if _, err := browsercheck.Available(); err != nil {
		b.Logf("no chromium: draw time not measured")
		return
	}
	// The landing page, the director's pages, four KAM pages and HR, each
	// loaded twice in one browser: the first load of a page is the one a
	// reader waits for (nothing compiled yet), so that is what counts.
	checked := append(pages[:min(len(pages)-1, len(directors)+5):min(len(pages)-1, len(directors)+5)], pages[len(pages)-1])
	reports, err := browsercheck.Check(ctx, append(checked, checked...), os.Getenv("KAM_SCREENSHOTS"))
	if err != nil {
		b.Fatal(err)
	}
	var slowest, warm time.Duration
	for i, r := range reports {
		for _, p := range r.Problems() {
			b.Errorf("%s: %s", r.File, p)
		}
		if i < len(checked) {
			if r.Load > slowest {
				slowest = r.Load
			}
			b.Logf("%s: %d charts, %d bytes, drawn in %s", r.File, r.Charts, r.Bytes, r.Load.Round(time.Millisecond))
		} else {
			warm = max(warm, r.Load)
		}
	}
	b.ReportMetric(slowest.Seconds(), "s-slowest-draw")
	b.ReportMetric(warm.Seconds(), "s-slowest-draw-again")
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
