package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/models"
)

// fingerprints hashes the sorted contents of every core and mart table.
func fingerprints(t testing.TB, db *sql.DB) map[string]string {
	t.Helper()
	names := rowsOf(t, db, `SELECT table_schema || '.' || table_name FROM information_schema.tables
        WHERE table_schema IN ('core', 'marts') AND (table_type = 'BASE TABLE' OR table_schema = 'marts') ORDER BY 1`)
	out := map[string]string{}
	for _, n := range names {
		out[n] = fingerprintOf(t, db, "SELECT * FROM "+n)
	}
	return out
}

// fingerprintOf is the row count and the md5 of the sorted rows of a query.
func fingerprintOf(t testing.TB, db *sql.DB, query string) string {
	t.Helper()
	return rowsOf(t, db, fmt.Sprintf("SELECT count(*) || ' ' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '') FROM (SELECT t::VARCHAR AS r FROM (%s) AS t)", query))[0]
}

func modes(res *models.Result) string {
	var parts []string
	for _, m := range res.Models {
		if m.Mode == models.ModeView {
			continue
		}
		s := m.Name + ":" + m.Mode
		if m.Mode == models.ModeIncremental {
			s += "@" + m.From.Format("2006-01-02")
		}
		parts = append(parts, s)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// An incremental build gives exactly what a full build of the same data
// gives: after a new day of orders, invoices and payments; after late rows
// dated in an earlier month; and after a correction of an existing row.
func TestIncrementalBuildEqualsFull(t *testing.T) {
	ctx := context.Background()
	db := generate(t, 15000)
	build(t, db, models.Options{AsOf: date(genAsOf)})

	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var firstShipped []string // clients whose first shipment a late row moves to 2026-08-12
	steps := []struct {
		name, asOf string
		change     func() error
		want       map[string]string // model → expected mode
	}{
		{"nothing new", genAsOf, func() error { return nil },
			map[string]string{"sales_monthly": models.ModeSkipped, "receivables_ageing": models.ModeSkipped, "core_sales_daily": models.ModeSkipped}},
		{"one more day, and a payment naming an unknown invoice", "2026-10-31", func() error {
			if err := generateOrders(ctx, conn, 3000, 800_000_000, "2026-10-31", 1, "2026-10-31", 3); err != nil {
				return err
			}
			// paid in September naming an invoice nobody has loaded yet: it goes to the pool
			_, err := conn.ExecContext(ctx, `INSERT INTO main.payments (payment_id, paid_on, client_id, payer_inn, amount, invoice_id, purpose, _source, _file, _line, _load_id)
                VALUES ('PAY-PRE', DATE '2026-09-28', 'C0007', NULL, 500, 'INV-PRE', 'prepayment', 'test', 'pre', 1, 3)`)
			return err
		}, map[string]string{"core_sales_daily": models.ModeIncremental, "sales_monthly": models.ModeIncremental, "receivables_ageing": models.ModeIncremental,
			"client_base_monthly": models.ModeIncremental, "client_cohorts": models.ModeIncremental}},
		{"next month, and a prepayment whose invoice comes later", "2026-11-03", func() error {
			if err := generateOrders(ctx, conn, 3000, 810_000_000, "2026-11-01", 3, "2026-11-03", 4); err != nil {
				return err
			}
			// the invoice PAY-PRE named arrives, dated 11-03: the September and
			// October month ends must now hold the payment as prepaid
			_, err := conn.ExecContext(ctx, `INSERT INTO main.invoices (invoice_id, invoice_date, client_id, order_id, amount, due_date, _source, _file, _line, _load_id)
                VALUES ('INV-PRE', DATE '2026-11-03', 'C0007', NULL, 800, NULL, 'test', 'pre', 1, 6)`)
			return err
		}, map[string]string{"core_sales_daily": models.ModeIncremental, "core_active_clients": models.ModeIncremental, "receivables_ageing": models.ModeIncremental}},
		{"late rows for August and a corrected invoice", "2026-11-03", func() error {
			if err := generateOrders(ctx, conn, 2000, 820_000_000, "2026-08-10", 5, "2026-11-03", 7); err != nil {
				return err
			}
			// a client first shipped to after August now first in August, and one never shipped to before: the
			// first shipments table is rebuilt in full, and what reads it must still recompute from August only
			var later, never sql.NullString
			if err := conn.QueryRowContext(ctx, `SELECT
                    (SELECT min(client_id) FROM core.core_client_first_shipment WHERE first_shipped_on > DATE '2026-08-31'),
                    (SELECT min(client_id) FROM main.clients WHERE client_id NOT IN (SELECT client_id FROM core.core_client_first_shipment))`).Scan(&later, &never); err != nil {
				return err
			}
			if !later.Valid || !never.Valid {
				return fmt.Errorf("the generated company lacks a client first shipped to after August (%v) or one never shipped to (%v)", later, never)
			}
			firstShipped = []string{later.String, never.String}
			for _, c := range firstShipped {
				if _, err := conn.ExecContext(ctx, `INSERT INTO main.order_lines (order_id, line_no, order_date, client_id, sku, qty, price, shipped_qty, shipped_on, _source, _file, _line, _load_id)
                    VALUES ('ORD-FIRST-' || $1, 1, DATE '2026-08-12', $1, 'SKU-0001', 2, 150, 2, DATE '2026-08-12', 'test', 'first', 1, 8)`, c); err != nil {
					return err
				}
			}
			// as ingest replaces a row by key: the new version under a new load id
			_, err := conn.ExecContext(ctx, `INSERT INTO main.invoices
                SELECT * REPLACE (amount + 1 AS amount, 9 AS _load_id) FROM main.invoices WHERE invoice_id = (SELECT min(invoice_id) FROM main.invoices)`)
			if err == nil {
				_, err = conn.ExecContext(ctx, `DELETE FROM main.invoices WHERE invoice_id = (SELECT min(invoice_id) FROM main.invoices) AND _load_id <> 9`)
			}
			return err
		}, map[string]string{"sales_monthly": models.ModeIncremental, "client_assortment": models.ModeFull,
			"core_receivable_applications": models.ModeFull, "receivables_ageing": models.ModeFull,
			"core_client_first_shipment": models.ModeFull, "client_base_monthly": models.ModeIncremental,
			"client_cohorts": models.ModeIncremental, "plan_fulfilment": models.ModeIncremental}},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		res := build(t, db, models.Options{AsOf: date(s.asOf)})
		got := map[string]string{}
		for _, m := range res.Models {
			got[m.Name] = m.Mode
		}
		for m, want := range s.want {
			if got[m] != want {
				t.Errorf("%s: %s built %s, want %s (all: %s)", s.name, m, got[m], want, modes(res))
			}
		}
		for _, c := range firstShipped {
			if got := rowsOf(t, db, "SELECT first_shipped_on::VARCHAR FROM core.core_client_first_shipment WHERE client_id = '"+c+"'"); len(got) != 1 || got[0] != "2026-08-12" {
				t.Errorf("%s: client %s first shipped on %v, want 2026-08-12", s.name, c, got)
			}
		}
		incremental := fingerprints(t, db)
		build(t, db, models.Options{AsOf: date(s.asOf), Full: true})
		full := fingerprints(t, db)
		for name, f := range full {
			if incremental[name] != f {
				t.Errorf("%s: %s differs after the incremental build from a full build (%s vs %s)", s.name, name, incremental[name], f)
			}
		}
	}
}
