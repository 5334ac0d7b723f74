package dashboards_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/models/pay"
	"github.com/kam-analytics/kam/reports/reportstest"
)

const hyperlink = `=HYPERLINK("http://example.com","x")`

// lockedCompany is the Company fixture with pay runs: August 2026 locked
// and unlocked again with a reason, September locked, then a late
// September shipment of M04 (an adjustment in October). M05 is renamed to
// a formula, which must stay text in the workbooks.
func lockedCompany(t *testing.T) *sql.DB {
	t.Helper()
	db := reportstest.Open(t, reportstest.Company)
	ctx := context.Background()
	if _, err := db.Exec(`UPDATE main.managers SET name = ? WHERE manager_id = 'M05'`, hyperlink); err != nil {
		t.Fatal(err)
	}
	plans, _, err := pay.Load(compensation)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) pay.LockOptions {
		tm, _ := time.Parse("2006-01-02 15:04", s)
		return pay.LockOptions{Now: func() time.Time { return tm }, Actor: "hr-anna"}
	}
	for _, step := range []func() error{
		func() error {
			_, err := pay.Lock(ctx, db, plans, period(t, "2026-08"), at("2026-09-03 10:00"))
			return err
		},
		func() error {
			_, err := pay.Unlock(ctx, db, period(t, "2026-08"), "plan for M03 was wrong", at("2026-09-04 11:30"))
			return err
		},
		func() error {
			_, err := pay.Lock(ctx, db, plans, period(t, "2026-09"), at("2026-10-05 09:15"))
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO core.core_sales_events VALUES
        ('M04', 'shipment', DATE '2026-09-28', 'ORD-LATE/1', 'C09', 'Крепёж', 10, 400000)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func period(t *testing.T, s string) pay.Period {
	t.Helper()
	p, err := pay.ParsePeriod(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHRPage(t *testing.T) {
	db := lockedCompany(t)
	for _, lang := range []string{"ru", "en"} {
		t.Run(lang, func(t *testing.T) {
			a, b := render(t, db, lang), render(t, db, lang)
			html := read(t, filepath.Join(a, "hr", "index.html"))
			if html != read(t, filepath.Join(b, "hr", "index.html")) {
				t.Error("two renderings of the HR page differ")
			}
			want := map[string][]string{
				"en": {"locked 2026-10-05", "run 2", "plan for M03 was wrong", "hr-anna", "Prior-period adjustments", "September 2026",
					"The data changed since the lock", "payroll-2026-10.xlsx", "payroll-2026-01.xlsx", "&#34;http://example.com&#34;"},
				"ru": {"закрыта 05.10.2026", "прогон 2", "plan for M03 was wrong", "Корректировки прошлых периодов", "сентябрь 2026",
					"Данные изменились после закрытия", "payroll-2026-10.xlsx"},
			}[lang]
			for _, w := range want {
				if !strings.Contains(html, w) {
					t.Errorf("the HR page lacks %q", w)
				}
			}
			// Months newest first: October's sheet before September's.
			if o, s := strings.Index(html, "payroll-2026-10.xlsx\">"), strings.Index(html, "payroll-2026-09.xlsx\">"); o < 0 || s < o {
				t.Errorf("October at %d, September at %d: want newest first", o, s)
			}
			for m := 1; m <= 10; m++ {
				name := "payroll-2026-" + []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"}[m-1] + ".xlsx"
				x, err := os.ReadFile(filepath.Join(a, "hr", name))
				if err != nil {
					t.Fatal(err)
				}
				y, _ := os.ReadFile(filepath.Join(b, "hr", name))
				if !bytes.Equal(x, y) {
					t.Errorf("%s: two renderings differ", name)
				}
			}
			// The formula name is a text cell in the workbook, never a formula.
			f, err := excelize.OpenFile(filepath.Join(a, "hr", "payroll-2026-10.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows(f.GetSheetName(0))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for r, row := range rows {
				for c, v := range row {
					if v != hyperlink {
						continue
					}
					found = true
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					if formula, _ := f.GetCellFormula(f.GetSheetName(0), cell); formula != "" {
						t.Errorf("%s is a formula %q", cell, formula)
					}
				}
			}
			if !found {
				t.Errorf("the October workbook lacks the name %s as text", hyperlink)
			}
		})
	}
}

// Without a plans file, or without pay lines, there is no HR page and the
// landing page does not link one.
func TestNoHRPageWithoutPay(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	for name, opt := range map[string]dashboards.Options{
		"no plans file":      {AsOf: asOf},
		"missing plans file": {AsOf: asOf, Compensation: filepath.Join(t.TempDir(), "none.yaml")},
	} {
		out := t.TempDir()
		if err := dashboards.RenderSite(context.Background(), db, out, opt); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(out, "hr")); err == nil {
			t.Errorf("%s: an hr folder was written", name)
		}
		if strings.Contains(read(t, filepath.Join(out, "index.html")), "hr/index.html") {
			t.Errorf("%s: the landing page links the HR page", name)
		}
	}
	// A plan for managers nobody has: no pay lines.
	plans := filepath.Join(t.TempDir(), "compensation.yaml")
	b, _ := os.ReadFile(compensation)
	if err := os.WriteFile(plans, bytes.Replace(b, []byte("# managers: [M01, M02]"), []byte("managers: [M99]"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := dashboards.RenderSite(context.Background(), db, out, dashboards.Options{AsOf: asOf, Compensation: plans}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "hr")); err == nil {
		t.Error("plans without managers: an hr folder was written")
	}
}

// Pay figures stay in hr/ (and director/): a KAM's page shows only what
// closing their own gaps is worth, never the pay sheet.
func TestPayOnlyOnHRPage(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	out := render(t, db, "en")
	for _, p := range pages {
		if strings.HasPrefix(p, "kam/") || p == "index.html" {
			html := withoutLibrary(read(t, filepath.Join(out, p)))
			for _, bad := range []string{"payroll-", "SHA-256", "Pay sheet", "Statements step by step"} {
				if strings.Contains(html, bad) {
					t.Errorf("%s mentions %q", p, bad)
				}
			}
		}
	}
}

// A second rendering into the same folder rewrites only the workbooks whose
// sheet changed: a late October shipment changes October's, not
// September's (locked).
func TestPayrollRewrittenOnlyWhenChanged(t *testing.T) {
	db := lockedCompany(t)
	out := render(t, db, "en")
	hr := filepath.Join(out, "hr")
	sep, oct := filepath.Join(hr, "payroll-2026-09.xlsx"), filepath.Join(hr, "payroll-2026-10.xlsx")
	sepKey, octKey := pay.XLSXKeyOf(sep), pay.XLSXKeyOf(oct)
	if sepKey == "" || octKey == "" {
		t.Fatalf("workbooks without a key: %q %q", sepKey, octKey)
	}
	stamp := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []string{sep, oct} {
		if err := os.Chtimes(p, stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO core.core_sales_events VALUES
        ('M01', 'shipment', DATE '2026-10-15', 'ORD-LATE/2', 'C01', 'Крепёж', 1, 1000)`); err != nil {
		t.Fatal(err)
	}
	if err := dashboards.RenderSite(context.Background(), db, out, dashboards.Options{Lang: "en", AsOf: asOf, Compensation: compensation}); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(sep); !st.ModTime().Equal(stamp) || pay.XLSXKeyOf(sep) != sepKey {
		t.Error("the locked September workbook was written again")
	}
	if st, _ := os.Stat(oct); st.ModTime().Equal(stamp) || pay.XLSXKeyOf(oct) == octKey {
		t.Error("October's workbook was not rewritten after its data changed")
	}
}
