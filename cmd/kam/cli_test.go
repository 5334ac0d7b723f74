package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/dashboards/browsercheck"
)

// kam runs the CLI in-process and returns its exit code and output.
func kam(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestInitIngestBuildExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	if code, _, stderr := kam(t, "init", dir); code != 0 {
		t.Fatalf("kam init: exit %d: %s", code, stderr)
	}
	if code, _, stderr := kam(t, "init", dir); code == 0 || !strings.Contains(stderr, "never overwrites") {
		t.Errorf("second kam init: exit %d, stderr %q; want a refusal", code, stderr)
	}
	cfg := filepath.Join(dir, "kam.yaml")
	in := filepath.Join(dir, "inbox")
	writeFile(t, filepath.Join(in, "managers", "m.csv"), "manager_id,name,variable_target\nM1,Анна,50000\n")
	writeFile(t, filepath.Join(in, "clients", "c.csv"), "client_id,name,segment\nC1,=cmd|' /C calc'!A0,HoReCa\n")
	writeFile(t, filepath.Join(in, "client_assignments", "a.csv"), "client_id,manager_id,valid_from\nC1,M1,2026-01-01\n")
	writeFile(t, filepath.Join(in, "products", "p.csv"), "sku,name,category\nS1,Сыр,Food\n")
	writeFile(t, filepath.Join(in, "order_lines", "o.csv"),
		"order_id,line_no,order_date,client_id,sku,qty,price,shipped_qty,shipped_on\n"+
			"O1,1,2026-10-01,C1,S1,2,10.50,2,2026-10-02\n"+
			"O1,2,2026-10-01,C1,S1,abc,1,,\n")
	writeFile(t, filepath.Join(in, "plans", "p.csv"), "manager_id,period,kpi,target\nM1,2026-10,sales,42\n")
	writeFile(t, filepath.Join(in, "returns", "bad.csv"), "return_id,return_date,client_id,amount,colour\nR1,2026-10-05,C1,1,red\n")

	code, stdout, stderr := kam(t, "--config", cfg, "ingest")
	if code != exitPartial || !strings.Contains(stderr, `bad.csv: unknown column "colour"`) {
		t.Fatalf("kam ingest: exit %d, stderr %q; want exit 3 naming bad.csv and the column", code, stderr)
	}
	if !strings.Contains(stdout, "6 file(s) loaded") {
		t.Errorf("kam ingest stdout = %q, want 6 files loaded", stdout)
	}
	// progress is drawn on terminals only; stderr here is a buffer
	if strings.Contains(stderr, "\r") {
		t.Errorf("kam ingest drew progress off a terminal: %q", stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", "2026-10-31"); code != 0 || stderr != "" {
		t.Fatalf("kam build: exit %d, stderr %q; want 0 and nothing on stderr (no progress off a terminal)", code, stderr)
	}
	// Nothing changed: the next build reuses what it built; --full recomputes all.
	if code, stdout, _ := kam(t, "--config", cfg, "build", "--as-of", "2026-10-31"); code != 0 || strings.Contains(stdout, "(0 incremental or unchanged)") {
		t.Errorf("second kam build: exit %d, %q; want models reused", code, stdout)
	}
	if code, stdout, _ := kam(t, "--config", cfg, "build", "--as-of", "2026-10-31", "--full"); code != 0 || !strings.Contains(stdout, "(0 incremental or unchanged)") {
		t.Errorf("kam build --full: exit %d, %q; want every model recomputed", code, stdout)
	}
	code, stdout, _ = kam(t, "--config", cfg, "export", "quarantine")
	if code != 0 || !strings.Contains(stdout, `qty ""abc"" is not a number`) || !strings.Contains(stdout, "order_lines/o.csv,3,qty") {
		t.Errorf("kam export quarantine: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = kam(t, "--config", cfg, "export", "plan_fulfilment", "--format", "json")
	if code != 0 || !strings.Contains(stdout, `"actual": 21.00000000`) || !strings.Contains(stdout, `"attainment": 0.5000`) {
		t.Errorf("kam export plan_fulfilment: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = kam(t, "--config", cfg, "export", "clients")
	if code != 0 || !strings.Contains(stdout, "C1,'=cmd") {
		t.Errorf("kam export clients: a formula-like name must be guarded with ': exit %d:\n%s", code, stdout)
	}
	// --out FILE.xlsx asks for a workbook; a failed export leaves no file behind.
	book := filepath.Join(dir, "plan.xlsx")
	if code, _, stderr := kam(t, "--config", cfg, "export", "plan_fulfilment", "--out", book); code != 0 || !strings.Contains(stderr, "written to "+book) {
		t.Fatalf("kam export --out plan.xlsx: exit %d: %s", code, stderr)
	}
	if f, err := excelize.OpenFile(book); err != nil {
		t.Errorf("plan.xlsx: %v", err)
	} else {
		if got, _ := f.GetCellValue(f.GetSheetList()[0], "A1"); f.GetSheetList()[0] != "plan_fulfilment" || got == "" {
			t.Errorf("plan.xlsx: sheet %q, A1 %q; want plan_fulfilment and a header", f.GetSheetList()[0], got)
		}
		f.Close()
	}
	failed := filepath.Join(dir, "failed.csv")
	if code, _, stderr := kam(t, "--config", cfg, "export", "clients", "--format", "yaml", "--out", failed); code != exitUsage || !strings.Contains(stderr, "xlsx") {
		t.Errorf("kam export --format yaml: exit %d, %q; want a usage error naming the formats", code, stderr)
	}
	if _, err := os.Stat(failed); !os.IsNotExist(err) {
		t.Errorf("a failed export left %s behind (%v)", failed, err)
	}
	// Re-ingesting the same files changes nothing.
	_, before, _ := kam(t, "--config", cfg, "query", "--format", "csv", "select count(*) from order_lines")
	code, stdout, _ = kam(t, "--config", cfg, "ingest", "order_lines")
	if code != 0 || !strings.Contains(stdout, "0 file(s) loaded (0 rows, 0 quarantined), 1 already loaded") {
		t.Errorf("re-ingest: exit %d: %s", code, stdout)
	}
	_, after, _ := kam(t, "--config", cfg, "query", "--format", "csv", "select count(*) from order_lines")
	if before != after {
		t.Errorf("order_lines count changed on re-ingest: %q → %q", before, after)
	}
}

// export --manager writes one KAM's rows and nothing of another manager's
// clients, and refuses what it cannot cut by manager. The receivables
// fixture of the models tests: M1 has clients A and B, M2 has C, D and E.
func TestExportOneManager(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	if code, _, stderr := kam(t, "init", dir); code != 0 {
		t.Fatalf("kam init: exit %d: %s", code, stderr)
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "models", "testdata", "receivables", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("fixture: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		entity := strings.TrimSuffix(filepath.Base(f), ".csv")
		writeFile(t, filepath.Join(dir, "inbox", entity, entity+".csv"), string(b))
	}
	cfg := filepath.Join(dir, "kam.yaml")
	if code, _, stderr := kam(t, "--config", cfg, "ingest"); code != 0 {
		t.Fatalf("kam ingest: exit %d: %s", code, stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", "2026-04-15"); code != 0 {
		t.Fatalf("kam build: exit %d: %s", code, stderr)
	}
	clientsOf := func(csv string) []string {
		var ids []string
		for i, line := range strings.Split(strings.TrimSpace(csv), "\n") {
			if i > 0 {
				f := strings.Split(line, ",")
				ids = append(ids, f[1]+"/"+f[3])
			}
		}
		return ids
	}
	_, all, _ := kam(t, "--config", cfg, "export", "receivables_ageing", "--as-of", "2026-03-31")
	if got := strings.Join(clientsOf(all), " "); got != "A/M1 B/M1 C/M2 D/M2 E/M2" {
		t.Fatalf("the whole ageing: clients %s", got)
	}
	code, own, stderr := kam(t, "--config", cfg, "export", "receivables_ageing", "--as-of", "2026-03-31", "--manager", "M1")
	if got := strings.Join(clientsOf(own), " "); code != 0 || got != "A/M1 B/M1" {
		t.Errorf("M1's ageing: exit %d, clients %s (%s); want A and B only", code, got, stderr)
	}
	code, own, _ = kam(t, "--config", cfg, "export", "receivables_dso", "--manager", "M2")
	if code != 0 || !strings.Contains(own, ",manager,M2,") || strings.Contains(own, "company") || strings.Contains(own, "M1") {
		t.Errorf("M2's DSO: exit %d; want M2's client and manager rows, no company row:\n%s", code, own)
	}
	for _, c := range []struct{ name, manager, want string }{
		{"competitor_share", "M1", "has no manager_id column"},
		{"invoices", "M1", "has no manager_id column"},
		{"receivables_ageing", "M9", "no manager has that id"},
		{"receivables_ageing", "", "no manager has that id"}, // not the whole file
	} {
		out := filepath.Join(dir, c.name+".csv")
		code, _, stderr := kam(t, "--config", cfg, "export", c.name, "--manager", c.manager, "--out", out)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("export %s --manager %s: exit %d, %q; want a usage error saying %q", c.name, c.manager, code, stderr, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("export %s --manager %s left %s behind", c.name, c.manager, out)
		}
	}

	// A payment loaded and not built yet: an as-of export would mix it with built tables.
	writeFile(t, filepath.Join(dir, "inbox", "payments", "late.csv"), "payment_id,paid_on,client_id,amount\nPAY-L,2026-04-10,A,10\n")
	if code, _, stderr := kam(t, "--config", cfg, "ingest"); code != 0 {
		t.Fatalf("kam ingest: exit %d: %s", code, stderr)
	}
	code, _, stderr = kam(t, "--config", cfg, "export", "receivables_ageing", "--as-of", "2026-03-31")
	if code != exitFailure || !strings.Contains(stderr, "payments changed since the last build, so run `kam build` first") {
		t.Errorf("export --as-of after a load: exit %d, %q; want %d asking for kam build", code, stderr, exitFailure)
	}
}

func TestMissingConfigHint(t *testing.T) {
	code, _, stderr := kam(t, "--config", filepath.Join(t.TempDir(), "kam.yaml"), "ingest")
	if code != exitFailure || !strings.Contains(stderr, "kam init") {
		t.Errorf("kam ingest without config: exit %d, %q; want 1 and a hint to run kam init", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"nosuch"}, {"build", "--as-of", "31.10.2026"}, {"init"}} {
		if code, _, _ := kam(t, args...); code != exitUsage {
			t.Errorf("kam %v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, stderr := kam(t, "build", "--as-of", "2026-02-30"); code != exitUsage || !strings.Contains(stderr, `date "2026-02-30": there is no such day`) {
		t.Errorf("kam build --as-of 2026-02-30: exit %d, %q; want %d saying there is no such day", code, stderr, exitUsage)
	}
}

func TestDemoRendersInChromium(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := kam(t, "demo", "--dir", dir, "--managers", "4", "--clients", "70", "--months", "13", "--as-of", "2026-10-20")
	if code != 0 {
		t.Fatalf("kam demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	pages := []string{filepath.Join(dir, "site", "index.html"), filepath.Join(dir, "site", "director", "index.html"),
		filepath.Join(dir, "site-en", "index.html"), filepath.Join(dir, "site-en", "director", "index.html")}
	for _, p := range pages {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("kam demo did not write %s", p)
		}
	}
	if !strings.Contains(stdout, "demo: open "+pages[0]) {
		t.Errorf("kam demo output %q does not say what to open", stdout)
	}
	// Every page of both languages, every audience.
	var all []string
	for _, site := range []string{"site", "site-en"} {
		filepath.WalkDir(filepath.Join(dir, site), func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".html") {
				all = append(all, p)
			}
			return err
		})
	}
	if len(all) < 2*(2+4+1) {
		t.Errorf("demo wrote %d pages, want at least landing, director, 4 KAM pages and HR per language: %v", len(all), all)
	}
	// HR: the pay sheets with the payroll workbook of each month beside them.
	for _, f := range []string{"index.html", "payroll-2026-01.xlsx", "payroll-2026-10.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, "site", "hr", f)); err != nil {
			t.Errorf("kam demo did not write hr/%s", f)
		}
	}
	checkInBrowser(t, all)

	cfg := filepath.Join(dir, "kam.yaml")
	// HR's months up to two before the as-of month are locked by the demo.
	if code, _, stderr := kam(t, "--config", cfg, "pay", "--period", "2026-08"); code != 0 || !strings.Contains(stderr, "locked in run") {
		t.Errorf("kam pay --period 2026-08 after the demo: exit %d, want a locked sheet: %s", code, stderr)
	}
	// The demo walks the real path: the 1C order export carries a few bad
	// rows, quarantined with their file and line.
	code, stdout, stderr = kam(t, "--config", cfg, "export", "quarantine", "--format", "csv")
	if code != 0 || !strings.Contains(stdout, "inbox/erp/orders_") || !strings.Contains(stdout, "is not a number") {
		t.Errorf("kam export quarantine after the demo: exit %d, %s\n%.600s", code, stderr, stdout)
	}
	xlsx := filepath.Join(t.TempDir(), "pack.xlsx")
	if code, _, stderr := kam(t, "--config", cfg, "report", "monthly", "--period", "2026-09", "--format", "xlsx", "--out", xlsx); code != 0 {
		t.Fatalf("kam report monthly xlsx: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(xlsx); len(b) < 2000 || string(b[:2]) != "PK" {
		t.Errorf("monthly XLSX is not a workbook (%d bytes)", len(b))
	}
	pdf := filepath.Join(t.TempDir(), "pack.pdf")
	if code, _, stderr := kam(t, "--config", cfg, "report", "monthly", "--period", "2026-09", "--format", "pdf", "--out", pdf); code != 0 {
		t.Fatalf("kam report monthly pdf: exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(pdf); len(b) < 20000 || string(b[:4]) != "%PDF" {
		t.Errorf("monthly PDF is not a PDF with content (%d bytes)", len(b))
	}
	// A second demo into the same folder replaces it; a foreign folder is refused.
	if code, _, stderr := kam(t, "demo", "--dir", dir, "--managers", "3", "--clients", "20", "--months", "3", "--as-of", "2026-10-20"); code != 0 {
		t.Errorf("second kam demo into its own folder: exit %d: %s", code, stderr)
	}
	foreign := t.TempDir()
	writeFile(t, filepath.Join(foreign, "notes.txt"), "mine")
	if code, _, _ := kam(t, "demo", "--dir", foreign); code != exitUsage {
		t.Errorf("kam demo into a foreign folder: exit %d, want %d", code, exitUsage)
	}
}

func checkInBrowser(t *testing.T, pages []string) {
	t.Helper()
	if _, err := browsercheck.Available(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v: CI must install it (.ci/run)", err)
		}
		t.Skip(err)
	}
	reports, err := browsercheck.Check(context.Background(), pages, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		for _, p := range r.Problems() {
			t.Errorf("%s: %s", r.File, p)
		}
	}
}

// Pages and packs of a date before the last build's equal those of a build
// as of that date: a past month's year to date and gap values, a mid-month
// run-rate, must not count the days after it.
func TestPagesAsOfAnEarlierDate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if code, stdout, stderr := kam(t, "demo", "--dir", dir, "--managers", "3", "--clients", "30", "--months", "13", "--as-of", "2026-10-20"); code != 0 {
		t.Fatalf("kam demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	cfg := filepath.Join(dir, "kam.yaml")
	out := t.TempDir()
	if d := os.Getenv("KAM_KEEP_PAGES"); d != "" {
		out = d
	}
	write := func(name, asOf string) {
		t.Helper()
		if code, _, stderr := kam(t, "--config", cfg, "render", "--as-of", asOf, "--out", filepath.Join(out, name, "site")); code != 0 {
			t.Fatalf("kam render --as-of %s: exit %d: %s", asOf, code, stderr)
		}
		if asOf[8:] != "30" { // the pack of a month in progress is as of the last build
			return
		}
		if code, _, stderr := kam(t, "--config", cfg, "report", "monthly", "--period", asOf[:7], "--format", "xlsx", "--out", filepath.Join(out, name, "pack.xlsx")); code != 0 {
			t.Fatalf("kam report monthly --period %s: exit %d: %s", asOf[:7], code, stderr)
		}
	}
	write("from-2026-10-20", "2026-09-30")
	write("mid-from-2026-10-20", "2026-10-10")
	for _, d := range []string{"2026-09-30", "2026-10-10"} {
		if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", d); code != 0 {
			t.Fatalf("kam build --as-of %s: exit %d: %s", d, code, stderr)
		}
		name := "built-" + d
		write(name, d)
		from := "from-2026-10-20"
		if d == "2026-10-10" {
			from = "mid-from-2026-10-20"
		}
		files := 0
		filepath.WalkDir(filepath.Join(out, name), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join(out, name), p)
			want, _ := os.ReadFile(p)
			got, err := os.ReadFile(filepath.Join(out, from, rel))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s as of %s from the build as of 2026-10-20 differs from the build as of that date (%v)", rel, d, err)
			}
			files++
			return nil
		})
		if files < 5 {
			t.Errorf("as of %s: compared %d files", d, files)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) == 0 {
		t.Fatal("demo folder empty")
	} else {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), ".kam-as-of-") {
				t.Errorf("the warehouse copy %s was left behind", e.Name())
			}
		}
	}
}

// A render replaces its folder whole: an interrupted one leaves the site as
// it was, a page of a KAM gone does not stay, and a folder holding files
// kam did not write is refused.
func TestRenderReplacesTheSiteWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if code, stdout, stderr := kam(t, "demo", "--dir", dir, "--managers", "3", "--clients", "20", "--months", "3", "--as-of", "2026-10-20"); code != 0 {
		t.Fatalf("kam demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	cfg := filepath.Join(dir, "kam.yaml")
	site := filepath.Join(dir, "site")
	snapshot := func() map[string]string {
		files := map[string]string{}
		filepath.WalkDir(site, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				b, _ := os.ReadFile(p)
				files[p] = string(b)
			}
			return err
		})
		return files
	}
	stale := filepath.Join(site, "kam", "M99", "index.html")
	writeFile(t, stale, "a page of a KAM who left")
	if code, _, stderr := kam(t, "--config", cfg, "render"); code != 0 {
		t.Fatalf("kam render: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("the page of a KAM gone stayed in the site")
	}
	before := snapshot()
	if len(before) < 5 {
		t.Fatalf("the site has %d files", len(before))
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&interrupted{sig: syscall.SIGINT})
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"--config", cfg, "render", "--as-of", "2026-09-30"}, &out, &errb); code != 130 {
		t.Errorf("interrupted render: exit %d, %s; want 130", code, errb.String())
	}
	after := snapshot()
	if len(after) != len(before) {
		t.Errorf("the interrupted render changed the site: %d files, was %d", len(after), len(before))
	}
	for p, b := range before {
		if after[p] != b {
			t.Errorf("the interrupted render changed %s", p)
		}
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "-next-") || strings.HasPrefix(e.Name(), ".kam-as-of-") {
			t.Errorf("%s was left beside the site", e.Name())
		}
	}
	writeFile(t, filepath.Join(site, "notes.txt"), "mine")
	if code, _, stderr := kam(t, "--config", cfg, "render"); code != exitUsage || !strings.Contains(stderr, "notes.txt") {
		t.Errorf("render into a folder with a foreign file: exit %d, %q; want %d naming it", code, stderr, exitUsage)
	}
}
