package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/models"
	kamsql "github.com/kam-analytics/kam/sql"
)

// The embedded files form a valid graph, and every mart states its grain,
// its key (@unique) and the columns that may never be empty (@not_null,
// which must cover the first key column: no mart row without a grain key).
func TestEmbeddedModels(t *testing.T) {
	ms, checks, err := models.Parse(kamsql.Files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Order(ms); err != nil {
		t.Fatal(err)
	}
	if len(checks) == 0 {
		t.Error("no checks in sql/checks")
	}
	for _, m := range ms {
		if m.Layer != "marts" {
			continue
		}
		if m.Grain == "" || m.Description == "" || len(m.Unique) == 0 || len(m.NotNull) == 0 {
			t.Errorf("mart %s: want @grain, @description, @unique and @not_null (got grain %q, unique %v, not_null %v)", m.Name, m.Grain, m.Unique, m.NotNull)
			continue
		}
		if !strings.Contains(","+strings.Join(m.NotNull, ",")+",", ","+m.Unique[0]+",") {
			t.Errorf("mart %s: @not_null %v does not cover its first key column %s", m.Name, m.NotNull, m.Unique[0])
		}
	}
}

// Each data check finds the fault it is there for.
func TestChecksCatchFaults(t *testing.T) {
	db := loadFixture(t, "receivables")
	build(t, db, models.Options{AsOf: date("2026-04-15")})
	_, checks, err := models.Parse(kamsql.Files)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*models.Check{}
	for _, c := range checks {
		byName[c.Name] = c
	}
	for _, tc := range []struct{ check, tamper string }{
		{"chk_receivables_ageing__buckets_minus_advance", "UPDATE marts.receivables_ageing SET balance = balance + 1 WHERE client_id = 'A' AND as_of = '2026-03-31'"},
		// an item open for more than it owed after its named credits (1000 - 400 for INV-A1)
		{"chk_receivables__money_conserved", "UPDATE core.core_receivables_allocation SET open_amount = 601 WHERE document_id = 'INV-A1' AND as_of = '2026-03-31'"},
		{"chk_receivables__money_conserved", "UPDATE core.core_receivables_allocation SET open_amount = -1 WHERE document_id = 'INV-A1' AND as_of = '2026-03-31'"},
		// a client whose open items and advance do not add up to what it was billed and paid
		{"chk_receivables__money_conserved", "UPDATE core.core_receivables_client_snapshots SET open_total = open_total + 1 WHERE client_id = 'A' AND as_of = '2026-03-31'"},
		{"chk_plan_fulfilment__attainment", "UPDATE marts.plan_fulfilment SET attainment = 0.5 WHERE attainment IS NULL AND target IS NULL"},
		{"chk_receivables_dso__levels", "UPDATE marts.receivables_dso SET balance = balance + 1 WHERE level = 'company'"},
		{"chk_sales_monthly__net_sales", "INSERT INTO marts.sales_monthly (month, client_id, category, manager_id, shipped_amount, returns_amount, net_sales) VALUES ('2026-01-01', 'X', 'Food', '', 10, 0, 9)"},
		{"chk_sales_monthly__counts", "INSERT INTO marts.sales_monthly (month, client_id, category, manager_id, shipped_amount, returns_amount, net_sales, orders, lines, skus) VALUES ('2026-01-01', 'X', 'Food', '', 10, 0, 10, 1, 1, 2)"},
		{"chk_sales_monthly__counts", "INSERT INTO core.core_sales_monthly (month, client_id, category, manager_id, orders, lines, skus, client_orders) VALUES ('2026-01-01', 'X', 'Food', '', 2, 2, 1, 1)"},
	} {
		c := byName[tc.check]
		if c == nil {
			t.Errorf("no check %s", tc.check)
			continue
		}
		if n := len(rowsOf(t, db, c.SQL)); n != 0 {
			t.Errorf("%s finds %d rows on a sound build, want 0", tc.check, n)
		}
		tx, err := db.BeginTx(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(tc.tamper); err != nil {
			t.Fatalf("%s: %v", tc.tamper, err)
		}
		rows, err := tx.Query(c.SQL)
		if err != nil {
			t.Fatalf("%s: %v", tc.check, err)
		}
		found := rows.Next()
		rows.Close()
		tx.Rollback()
		if !found {
			t.Errorf("%s finds nothing after %q", tc.check, tc.tamper)
		}
	}
}

// docs/models.md documents every mart: a section "### <mart>" that names each
// of its columns (so a new column cannot go undocumented).
func TestMartsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "models.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, part := range strings.Split("\n"+string(doc), "\n### ")[1:] {
		name, _, _ := strings.Cut(part, " ")
		body, _, _ := strings.Cut(part, "\n## ")
		sections[name] = body
	}
	db := loadFixture(t, "basic")
	build(t, db, models.Options{AsOf: date("2026-10-25")})
	marts := 0
	for _, row := range rowsOf(t, db, "SELECT table_name, string_agg(column_name, ' ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'marts' GROUP BY ALL ORDER BY 1") {
		name, cols, _ := strings.Cut(row, " ")
		marts++
		sec, ok := sections[name]
		if !ok {
			t.Errorf("docs/models.md has no section ### %s", name)
			continue
		}
		for _, c := range strings.Fields(cols) {
			if !regexp.MustCompile(`(^|[^\w])` + regexp.QuoteMeta(c) + `($|[^\w])`).MatchString(sec) {
				t.Errorf("docs/models.md, ### %s: column %s is not mentioned", name, c)
			}
		}
	}
	if marts < 16 {
		t.Errorf("%d marts built, want at least 16", marts)
	}
}

// A view model cannot steer its CTEs: DuckDB 1.5 drops [NOT] MATERIALIZED
// when it stores a view, so after the warehouse is reopened the hint is gone
// (core_payments_matched's was, and its CTE was materialised in every
// reader). The test shows DuckDB still does this, and keeps the hints out of
// view models.
func TestViewsUseNoCTEHints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "views.duckdb")
	db := openDuckDB(t, path)
	if _, err := db.Exec("CREATE VIEW v AS WITH a AS NOT MATERIALIZED (SELECT 1 AS x) SELECT * FROM a"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDuckDB(t, path)
	var stored string
	if err := db.QueryRow("SELECT sql FROM duckdb_views() WHERE view_name = 'v'").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(stored), "MATERIALIZED") {
		t.Logf("DuckDB now keeps the hint in a stored view (%s): this test's rule may be relaxed", stored)
	}
	ms, _, err := models.Parse(kamsql.Files)
	if err != nil {
		t.Fatal(err)
	}
	hint := regexp.MustCompile(`(?i)\bas\s+(not\s+)?materialized\s*\(`)
	for _, m := range ms {
		if m.Materialize == "view" && hint.MatchString(m.SQL) {
			t.Errorf("view model %s uses a CTE hint (%s), which DuckDB drops when it stores the view: read the input twice instead", m.Name, hint.FindString(m.SQL))
		}
	}
}

func openDuckDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// The sales checks look only at the months a build recomputed (check_from),
// whole months even when check_from falls mid-month: on a sound build they
// find nothing, a fault in a recomputed month is found, and one in an
// earlier month (which passed when it was built) is left alone.
func TestSalesChecksNarrowedToRecomputedMonths(t *testing.T) {
	db := loadFixture(t, "skus")
	build(t, db, models.Options{AsOf: date("2026-10-31")})
	_, checks, err := models.Parse(kamsql.Files)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// one connection: check_from is a session variable
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	found := func(c *models.Check, checkFrom, tamper string) bool {
		t.Helper()
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, q := range []string{"SET VARIABLE check_from = " + checkFrom, tamper} {
			if q == "" {
				continue
			}
			if _, err := tx.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		rows, err := tx.Query(c.SQL)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		defer rows.Close()
		return rows.Next()
	}
	tampers := map[string]string{
		"chk_sales_monthly__net_sales": "UPDATE marts.sales_monthly SET net_sales = net_sales + 1 WHERE month = %s AND client_id = 'C1' AND category = 'Big'",
		"chk_sales_monthly__counts":    "UPDATE marts.sales_monthly SET orders = lines + 1 WHERE month = %s AND client_id = 'C1' AND category = 'Big'",
	}
	for _, c := range checks {
		tamper, ok := tampers[c.Name]
		if !ok {
			continue
		}
		delete(tampers, c.Name)
		if found(c, "DATE '2026-10-15'", "") {
			t.Errorf("%s finds rows on a sound build from mid-October", c.Name)
		}
		if !found(c, "DATE '2026-10-15'", fmt.Sprintf(tamper, "DATE '2026-10-01'")) {
			t.Errorf("%s misses a fault in October, recomputed from October 15", c.Name)
		}
		if found(c, "DATE '2026-11-01'", fmt.Sprintf(tamper, "DATE '2026-10-01'")) {
			t.Errorf("%s looks at October when only November was recomputed", c.Name)
		}
		if !found(c, "NULL::DATE", fmt.Sprintf(tamper, "DATE '2026-10-01'")) {
			t.Errorf("%s misses a fault in October in a full build", c.Name)
		}
	}
	if len(tampers) > 0 {
		t.Errorf("checks not found: %v", tampers)
	}
}
