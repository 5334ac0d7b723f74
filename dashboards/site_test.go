package dashboards_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/dashboards/browsercheck"
	"github.com/kam-analytics/kam/reports/reportstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var asOf = reportstest.AsOf

func render(t *testing.T, db *sql.DB, lang string) string {
	t.Helper()
	out := t.TempDir()
	if err := dashboards.RenderSite(context.Background(), db, out, dashboards.Options{Lang: lang, AsOf: asOf, Compensation: compensation}); err != nil {
		t.Fatal(err)
	}
	return out
}

// compensation is the plans file of the fixture's variable pay (hr/).
var compensation = filepath.Join("testdata", "compensation.yaml")

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withoutLibrary replaces the inlined ECharts bundle (the first <script>
// element, in the head) so that golden files and string checks see only
// our own markup.
func withoutLibrary(s string) string {
	start := strings.Index(s, "<script>")
	end := strings.Index(s, "</script>")
	if start < 0 || end < start || start > strings.Index(s, "</head>") {
		return s
	}
	return s[:start] + "<script>/* echarts.min.js */" + s[end:]
}

// pages are the files every rendering of the Company fixture must have.
var pages = []string{"index.html", "director/index.html", "director/details.html", "kam/M01/index.html", "kam/M02/index.html",
	"kam/M03/index.html", "kam/M04/index.html", "kam/M05/index.html", "hr/index.html"}

func TestRenderGoldenAndDeterministic(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			a, b := render(t, db, lang), render(t, db, lang)
			got, _ := filepath.Glob(filepath.Join(a, "*", "*", "index.html"))
			if len(got) != len(pages)-4 { // no page for M06, who left in 2025
				t.Errorf("%d KAM pages, want %d", len(got), len(pages)-4)
			}
			for _, page := range pages {
				pa, pb := read(t, filepath.Join(a, page)), read(t, filepath.Join(b, page))
				if pa != pb {
					t.Errorf("%s: two renderings of the same warehouse differ", page)
				}
			}
			for page, name := range map[string]string{"index.html": "index", "director/index.html": "director", "director/details.html": "director-details", "kam/M04/index.html": "kam-M04", "hr/index.html": "hr"} {
				golden := filepath.Join("testdata", lang+"-"+name+".golden.html")
				got := withoutLibrary(read(t, filepath.Join(a, page)))
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (go test ./dashboards/ -update creates it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s; review the change and run go test ./dashboards/ -update if it is intended", page, golden)
				}
			}
		})
	}
}

var (
	scriptTag = regexp.MustCompile(`(?i)<script`)
	href      = regexp.MustCompile(`(?i)\b(?:href|src|action|srcset|poster|data)\s*=\s*"([^"]*)"`)
	draws     = regexp.MustCompile(`(?m)^  draw\(.*$`)
)

// Hostile names from data are shown literally and never run: no element
// is added, the HTML text is escaped, the chart options are JSON with
// markup escaped and without the go-echarts function marker.
func TestHostileNamesStayText(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	out := render(t, db, "en")
	for _, page := range pages {
		full := read(t, filepath.Join(out, page))
		html := withoutLibrary(full)
		wantScripts := 2 // the library and the charts
		if page == "index.html" || page == "hr/index.html" {
			wantScripts = 0
		}
		if n := len(scriptTag.FindAllString(html, -1)); n != wantScripts {
			t.Errorf("%s has %d <script elements, want %d", page, n, wantScripts)
		}
		for _, raw := range []string{reportstest.ScriptName, "<script>alert", "<img", `"__f__`, `Юг & "Запад"`} {
			if strings.Contains(html, raw) {
				t.Errorf("%s contains the raw text %q", page, raw)
			}
		}
		for _, opt := range draws.FindAllString(html, -1) {
			if strings.Contains(opt, "__f__") {
				t.Errorf("%s: a chart option keeps the __f__ marker: %.120s", page, opt)
			}
			if strings.ContainsAny(opt, "<>&") {
				t.Errorf("%s: a chart option has raw markup: %.120s", page, opt)
			}
		}
	}
	dir := withoutLibrary(read(t, filepath.Join(out, "director", "index.html")))
	for _, want := range []string{
		"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",             // table cell
		`\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`, // chart category
		">" + reportstest.MarkerName + "<",                                 // table cell, literal
		`"alert(1)"`,                                                       // chart category without the marker
		"Юг &amp; &#34;Запад&#34;",                                         // team in a table
	} {
		if !strings.Contains(dir, want) {
			t.Errorf("director page lacks %q", want)
		}
	}
	m01 := withoutLibrary(read(t, filepath.Join(out, "kam", "M01", "index.html")))
	// The client in a table and in the top-clients chart; the category in the pie.
	for _, want := range []string{"&lt;img src=x onerror=alert(3)&gt;", `\u003cimg src=x onerror=alert(3)\u003e`, `"alert(4)"`} {
		if !strings.Contains(m01, want) {
			t.Errorf("M01's page lacks %q", want)
		}
	}
}

// Pages reference nothing outside the site: every link is relative and
// resolves to a rendered file; nothing is loaded from anywhere.
func TestLinksStayInsideTheSite(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	out := render(t, db, "ru")
	for _, page := range pages {
		html := withoutLibrary(read(t, filepath.Join(out, page)))
		for _, bad := range []string{"@import", "url(", "http:", "https:", "//cdn", "<link", "<iframe", "<img"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s contains %q", page, bad)
			}
		}
		for _, m := range href.FindAllStringSubmatch(html, -1) {
			if strings.HasPrefix(m[0], "src") || strings.Contains(m[1], ":") || strings.HasPrefix(m[1], "/") {
				t.Errorf("%s: %s is not a relative link", page, m[0])
				continue
			}
			target := filepath.Join(out, filepath.Dir(page), filepath.FromSlash(m[1]))
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %s is broken", page, m[1])
			}
		}
	}
}

// A KAM's page never mentions a client that is not assigned to that KAM:
// not its id (in a table, a document number or a chart option) nor its
// name (as HTML text or in a chart option), in any panel.
func TestKAMPagesShowOnlyOwnClients(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	out := render(t, db, "ru")
	rows, err := db.Query(`SELECT c.client_id, c.name, coalesce(a.manager_id, '') FROM main.clients c
        LEFT JOIN main.client_assignments a ON a.client_id = c.client_id AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?)
        ORDER BY 1`, asOf, asOf)
	if err != nil {
		t.Fatal(err)
	}
	owner, names := map[string]string{}, map[string]string{}
	for rows.Next() {
		var c, name, m string
		if err := rows.Scan(&c, &name, &m); err != nil {
			t.Fatal(err)
		}
		owner[c], names[c] = m, name
	}
	rows.Close()
	clientID := regexp.MustCompile(`\bC\d\d\b`)
	for _, p := range pages {
		if !strings.HasPrefix(p, "kam/") {
			continue
		}
		me := filepath.Base(filepath.Dir(p))
		body := withoutLibrary(read(t, filepath.Join(out, p)))
		for _, c := range clientID.FindAllString(body, -1) {
			if owner[c] != me {
				t.Errorf("%s mentions client %s of %q", p, c, owner[c])
			}
		}
		own, want := 0, 0
		for c, m := range owner {
			if m == me {
				want++
			}
			in := strings.Contains(body, ">"+c+"<")
			if in {
				own++
			}
			if m == me {
				continue
			}
			js, _ := json.Marshal(names[c])
			for _, form := range []string{template.HTMLEscapeString(names[c]), strings.Trim(string(js), `"`)} {
				if strings.Contains(body, form) {
					t.Errorf("%s mentions %q, a client of %q", p, form, m)
				}
			}
		}
		if own != want || want == 0 {
			t.Errorf("%s shows %d of its %d clients", p, own, want)
		}
		// Every panel has rows of its own clients to check.
		for _, panel := range []string{"INV-", "kam-activity", "kam-forecast-1", "ABC/XYZ"} {
			if !strings.Contains(body, panel) {
				t.Errorf("%s lacks %q", p, panel)
			}
		}
	}
}

func TestRenderRejectsBadOptions(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	for _, o := range []dashboards.Options{{Lang: "de", AsOf: asOf}, {Lang: "ru"}, {AsOf: asOf, Period: "2026-13"}} {
		if err := dashboards.RenderSite(context.Background(), db, t.TempDir(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestRenderDirectorAlone(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	path := filepath.Join(t.TempDir(), "pack", "director.html")
	if err := dashboards.RenderDirector(context.Background(), db, path, dashboards.Options{AsOf: asOf, Period: "2026-09"}); err != nil {
		t.Fatal(err)
	}
	html := withoutLibrary(read(t, path))
	if strings.Contains(html, "href=") {
		t.Error("the standalone director page links to other pages")
	}
	if !strings.Contains(html, "сентябрь 2026") || strings.Contains(html, "Месяц идёт") {
		t.Error("the page of a finished month is not about September or still says the month is in progress")
	}
}

func TestPagesInChromium(t *testing.T) {
	if _, err := browsercheck.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI must install it (.ci/run)", err)
		}
		t.Skip(err)
	}
	db := reportstest.Open(t, reportstest.Company)
	shots := os.Getenv("KAM_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	wantCharts := map[string]int{"index.html": 0, "director/index.html": 6, "director/details.html": 5, "hr/index.html": 0}
	for _, lang := range []string{"ru", "en"} {
		out := render(t, db, lang)
		var files []string
		for _, p := range pages {
			files = append(files, filepath.Join(out, p))
		}
		dir := filepath.Join(shots, lang)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		reports, err := browsercheck.Check(context.Background(), files, dir)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range reports {
			for _, p := range r.Problems() {
				t.Errorf("%s %s: %s", lang, pages[i], p)
			}
			want, ok := wantCharts[pages[i]]
			if !ok { // a KAM page: four charts, activity, a forecast per segment of own clients
				want = 5 + strings.Count(read(t, files[i]), `id="kam-forecast-`)
			}
			if r.Charts != want {
				t.Errorf("%s %s: %d charts, want %d", lang, pages[i], r.Charts, want)
			}
			t.Logf("%s %s: %d/%d charts drawn, %d bytes, loaded in %s, screenshot %s", lang, pages[i], r.Drawn, r.Charts, r.Bytes, r.Load.Round(1e6), r.Screenshot)
		}
	}
}

// The fixture must give every page something to show.
func TestFixtureIsNotEmpty(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	out := render(t, db, "ru")
	dir := read(t, filepath.Join(out, "director", "index.html"))
	if strings.Contains(dir, "Нет данных") || !bytes.Contains([]byte(dir), []byte("Киселёва Вера Михайловна")) {
		t.Error("the director page of the fixture is missing data")
	}
}
