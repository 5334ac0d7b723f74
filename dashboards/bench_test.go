package dashboards_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/dashboards/browsercheck"
	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/gen"
	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
)

// BenchmarkRenderSite50 renders every audience for a company of 50 KAMs
// (target ≤ 5 s), then reports the largest page and the slowest draw in
// Chromium (targets ≤ 2 MB and ≤ 1 s).
func BenchmarkRenderSite50(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	if _, err := gen.Write(ctx, filepath.Join(dir, "inbox"), gen.Options{Seed: 1, Managers: 50, Clients: 2500, Months: 24, AsOf: asOf}); err != nil {
		b.Fatal(err)
	}
	db, err := warehouse.Open(ctx, filepath.Join(dir, "kam.duckdb"), warehouse.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var sources []ingest.Source
	for _, e := range warehouse.Entities {
		sources = append(sources, ingest.Source{Name: e.Name, Entity: e.Name, Files: "inbox/" + e.Name + "/*.csv"})
	}
	for _, r := range (&ingest.Loader{DB: db, BaseDir: dir}).Run(ctx, sources) {
		if r.Err != nil {
			b.Fatal(r.Err)
		}
	}
	if _, err := models.Build(ctx, db, models.Options{AsOf: asOf}); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "site")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := dashboards.RenderSite(ctx, db, out, dashboards.Options{AsOf: asOf}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	pages, _ := filepath.Glob(filepath.Join(out, "*", "index.html"))
	kams, _ := filepath.Glob(filepath.Join(out, "kam", "*", "index.html"))
	pages = append(append([]string{filepath.Join(out, "index.html")}, pages...), kams...)
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
	reports, err := browsercheck.Check(ctx, pages[:min(len(pages), 6)], "")
	if err != nil {
		b.Fatal(err)
	}
	var slowest time.Duration
	for _, r := range reports {
		if r.Load > slowest {
			slowest = r.Load
		}
	}
	b.ReportMetric(slowest.Seconds(), "s-slowest-draw")
}
