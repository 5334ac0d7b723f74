package dashboards_test

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/dashboards/browsercheck"
	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/gen"
	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var asOf = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)

// Hostile names that must stay text on every page.
const (
	scriptName = `</script><script>alert(1)</script>`
	markerName = `__f__alert(2)__f__`
)

// fixture builds a small company's warehouse with hostile manager names.
func fixture(t *testing.T) *sql.DB {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Write(context.Background(), filepath.Join(dir, "inbox"), gen.Options{Seed: 5, Managers: 4, Clients: 60, Months: 14, AsOf: asOf, Hostile: true}); err != nil {
		t.Fatal(err)
	}
	db, err := warehouse.Open(context.Background(), filepath.Join(dir, "kam.duckdb"), warehouse.Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var sources []ingest.Source
	for _, e := range warehouse.Entities {
		sources = append(sources, ingest.Source{Name: e.Name, Entity: e.Name, Files: "inbox/" + e.Name + "/*.csv"})
	}
	l := &ingest.Loader{DB: db, BaseDir: dir}
	for _, r := range l.Run(context.Background(), sources) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	// Every manager gets a hostile name, so whoever has data this month shows one.
	if _, err := db.Exec(`UPDATE managers SET name = CASE WHEN right(manager_id, 1)::INT % 2 = 1
        THEN ? ELSE ? END || ' ' || manager_id`, scriptName, markerName); err != nil {
		t.Fatal(err)
	}
	if _, err := models.Build(context.Background(), db, models.Options{AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	return db
}

func render(t *testing.T, db *sql.DB, lang string) string {
	t.Helper()
	out := t.TempDir()
	if err := dashboards.RenderSite(context.Background(), db, out, dashboards.Options{Lang: lang, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	return out
}

func read(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withoutLibrary drops the inlined ECharts bundle so golden files stay small.
func withoutLibrary(b []byte) []byte {
	start := bytes.Index(b, []byte("<script>"))
	end := bytes.Index(b, []byte("</script>"))
	if start < 0 || end < start {
		return b
	}
	return append(append(append([]byte{}, b[:start]...), []byte("<script>/* echarts.min.js */")...), b[end:]...)
}

func TestRenderDeterministicGoldenAndSafe(t *testing.T) {
	db := fixture(t)
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			a, b := render(t, db, lang), render(t, db, lang)
			for _, page := range []string{"index.html", "director/index.html"} {
				pa, pb := read(t, filepath.Join(a, page)), read(t, filepath.Join(b, page))
				if !bytes.Equal(pa, pb) {
					t.Errorf("%s: two renders of the same warehouse differ", page)
				}
				for _, remote := range []string{`src="http`, `href="http`, `src="//`, `href="//`, "@import"} {
					if bytes.Contains(withoutLibrary(pa), []byte(remote)) {
						t.Errorf("%s loads something remote (%s)", page, remote)
					}
				}
				golden := filepath.Join("testdata", lang+"-"+strings.ReplaceAll(page, "/", "-")+".golden")
				got := withoutLibrary(pa)
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./dashboards/ -update to create it)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from %s; review and run with -update if intended", page, golden)
				}
			}
			dir := read(t, filepath.Join(a, "director", "index.html"))
			for _, bad := range []string{"<script>alert(1)", "alert(1)</script>"} {
				if bytes.Contains(dir, []byte(bad)) {
					t.Errorf("director page contains raw %q", bad)
				}
			}
			for _, want := range []string{"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;", markerName, `\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`} {
				if !bytes.Contains(dir, []byte(want)) {
					t.Errorf("director page lacks the escaped name %q", want)
				}
			}
		})
	}
}

func TestPagesInChromium(t *testing.T) {
	if _, err := browsercheck.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI must install it (.ci/run)", err)
		}
		t.Skip(err)
	}
	db := fixture(t)
	shots := os.Getenv("KAM_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, lang := range []string{"ru", "en"} {
		out := render(t, db, lang)
		files := []string{filepath.Join(out, "index.html"), filepath.Join(out, "director", "index.html"), filepath.Join(out, "kam", "M01", "index.html")}
		dir := filepath.Join(shots, lang)
		os.MkdirAll(dir, 0o755)
		reports, err := browsercheck.Check(context.Background(), files, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			for _, p := range r.Problems() {
				t.Errorf("%s %s: %s", lang, r.File, p)
			}
			if strings.Contains(r.File, "director") && r.Charts < 4 {
				t.Errorf("%s: %d charts, want at least 4", r.File, r.Charts)
			}
			t.Logf("%s: %d/%d charts drawn, %d bytes, loaded in %s, screenshot %s", r.File, r.Drawn, r.Charts, r.Bytes, r.Load, r.Screenshot)
		}
	}
}

// A KAM's folder never mentions a client that is not assigned to that KAM.
func TestKAMPagesShowOnlyOwnClients(t *testing.T) {
	db := fixture(t)
	out := render(t, db, "ru")
	rows, err := db.Query(`SELECT c.client_id, coalesce(a.manager_id, '') FROM clients c
        LEFT JOIN client_assignments a ON a.client_id = c.client_id AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)
        ORDER BY 1`, asOf, asOf)
	if err != nil {
		t.Fatal(err)
	}
	owner := map[string]string{}
	for rows.Next() {
		var c, m string
		rows.Scan(&c, &m)
		owner[c] = m
	}
	rows.Close()
	pages, _ := filepath.Glob(filepath.Join(out, "kam", "*", "index.html"))
	if len(pages) < 3 {
		t.Fatalf("%d KAM pages, want at least 3", len(pages))
	}
	for _, p := range pages {
		me := filepath.Base(filepath.Dir(p))
		body := read(t, p)
		own, want := 0, 0
		for c, m := range owner {
			if m == me {
				want++
			}
			in := bytes.Contains(body, []byte(">"+c+"<"))
			if in && m != me {
				t.Errorf("%s shows client %s of %q", p, c, m)
			}
			if in {
				own++
			}
		}
		if own != want {
			t.Errorf("%s shows %d of its %d clients", p, own, want)
		}
	}
}
