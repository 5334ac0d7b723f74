package pay_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
	"github.com/kam-analytics/kam/models/pay"
)

// openWarehouse opens a fresh warehouse in a temporary folder.
func openWarehouse(t *testing.T) *sql.DB {
	t.Helper()
	db := openWarehouseAt(t, filepath.Join(t.TempDir(), "kam.duckdb"))
	t.Cleanup(func() { db.Close() })
	return db
}

// openWarehouseAt opens a warehouse file the caller closes.
func openWarehouseAt(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), path, warehouse.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// ingestDir loads testdata/<dir>/<entity>.csv for every canonical entity
// that has a file there (the pattern of models/build_test.go).
func ingestDir(t *testing.T, db *sql.DB, dir string) {
	t.Helper()
	abs, _ := filepath.Abs(filepath.Join("testdata", dir))
	l := &ingest.Loader{DB: db, BaseDir: abs}
	var sources []ingest.Source
	for _, e := range warehouse.Entities {
		if _, err := os.Stat(filepath.Join(abs, e.Name+".csv")); err == nil {
			sources = append(sources, ingest.Source{Name: e.Name, Entity: e.Name, Files: e.Name + ".csv"})
		}
	}
	for _, r := range l.Run(context.Background(), sources) {
		if r.Err != nil || r.Quarantined > 0 {
			t.Fatalf("fixture %s/%s: %v (quarantined %d)", dir, r.File, r.Err, r.Quarantined)
		}
	}
}

// build runs models.Build as of asOf, then puts testdata/<dir>/receivables_ageing.csv
// in place of marts.receivables_ageing (its columns are the mart's), so
// the gate cases do not depend on how the ageing mart is computed.
func build(t *testing.T, db *sql.DB, dir, asOf string) {
	t.Helper()
	if _, err := models.Build(context.Background(), db, models.Options{AsOf: date(asOf)}); err != nil {
		t.Fatal(err)
	}
	csv, _ := filepath.Abs(filepath.Join("testdata", dir, "receivables_ageing.csv"))
	if _, err := os.Stat(csv); err != nil {
		return
	}
	dropReceivables(t, db)
	q := `CREATE TABLE marts.receivables_ageing AS SELECT
            as_of::DATE AS as_of, client_id, client_name, manager_id,
            not_due::DECIMAL(18,2) AS not_due, overdue_1_30::DECIMAL(18,2) AS overdue_1_30,
            overdue_31_60::DECIMAL(18,2) AS overdue_31_60, overdue_61_90::DECIMAL(18,2) AS overdue_61_90,
            overdue_90_plus::DECIMAL(18,2) AS overdue_90_plus, advance::DECIMAL(18,2) AS advance,
            balance::DECIMAL(18,2) AS balance
        FROM read_csv(` + warehouse.QuoteString(csv) + `, header = true, all_varchar = true)`
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

func dropReceivables(t *testing.T, db *sql.DB) {
	t.Helper()
	var kind string
	err := db.QueryRow("SELECT table_type FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'receivables_ageing'").Scan(&kind)
	if err == sql.ErrNoRows {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	what := "TABLE"
	if kind == "VIEW" {
		what = "VIEW"
	}
	if _, err := db.Exec("DROP " + what + " marts.receivables_ageing CASCADE"); err != nil {
		t.Fatal(err)
	}
}

func loadPlans(t *testing.T, dir string) *pay.Plans {
	t.Helper()
	ps, _, err := pay.Load(filepath.Join("testdata", dir, "compensation.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func date(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func period(s string) pay.Period {
	p, err := pay.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// payOf finds a manager's line of a kind (and adjusted period) in a sheet.
func payOf(s *pay.Sheet, manager, kind, adjusts string) *pay.Line {
	for _, l := range s.Lines {
		if l.ManagerID == manager && l.Kind == kind && l.AdjustsPeriod.String() == adjusts {
			return l
		}
	}
	return nil
}

// assertRows runs a query and compares its rows, cells joined by spaces.
func assertRows(t *testing.T, db *sql.DB, q string, want []string) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	_, got, _, err := warehouse.ScanStrings(rows, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range got {
		lines = append(lines, strings.Join(r, " "))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s\ngot:\n%s\nwant:\n%s", q, strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
