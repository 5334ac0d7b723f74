package browsercheck_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/dashboards/browsercheck"
)

// PDF prints a page whose charts have drawn, and refuses one with a chart
// that did not (here: a chart element and no ECharts at all).
func TestPDFNeedsDrawnCharts(t *testing.T) {
	if _, err := browsercheck.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI must install it (.ci/run)", err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.html")
	undrawn := filepath.Join(dir, "undrawn.html")
	os.WriteFile(plain, []byte(`<!DOCTYPE html><html><head><style>@page { size: A4 landscape; }</style></head><body><h1>Pack</h1></body></html>`), 0o644)
	os.WriteFile(undrawn, []byte(`<!DOCTYPE html><html><body><div class="chart" id="c" style="height:200px"></div></body></html>`), 0o644)
	b, err := browsercheck.PDF(context.Background(), plain)
	if err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Errorf("PDF(plain page) = %d bytes, %v; want a PDF", len(b), err)
	}
	if _, err := browsercheck.PDF(context.Background(), undrawn); err == nil || !strings.Contains(err.Error(), "1 of 1 charts did not draw") {
		t.Errorf("PDF(page with an undrawn chart): error %v, want 1 of 1 charts did not draw", err)
	}
}
