package models_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
)

// The synthetic company of the benchmark and the generated-data tests is
// written straight into the canonical tables with DuckDB SQL (much faster
// than kam gen + ingest): 12 managers, 600 clients (15 % reassigned once),
// 400 SKUs in 10 categories with A/B/C price columns and price rises, orders
// of 2-10 lines (some priced below the column, some on promotion), partial
// shipments and refusals, an invoice per shipped order, payments (named or
// not, on time, late, split, in advance, some only with the payer's INN,
// clients that stop paying), returns, CRM activities, competitor notes,
// monthly plans and promotions. Every value is a hash of its position, so
// the same arguments give the same company.

// hashMacro gives a deterministic pseudo-random BIGINT for a position.
const hashMacro = `CREATE OR REPLACE TEMP MACRO ihash(a, b) AS CAST(hash(a, b) % 2147483647 AS BIGINT),
    (a, b, c) AS CAST(hash(a, b, c) % 2147483647 AS BIGINT)`

// execer runs statements; generation needs one connection for its temp tables.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const (
	genClients  = 600
	genManagers = 12
	genSKUs     = 400
)

// generateReference writes managers, clients, assignments, products, the
// price list, promotions, plans, activities and competitor notes for the
// span [start, start + days).
func generateReference(ctx context.Context, db execer, start string, days int) error {
	months := days/30 + 2
	stmts := []string{
		fmt.Sprintf(`INSERT INTO main.managers (manager_id, name, email, team, hired_on, left_on, variable_target, _source, _file, _line, _load_id)
        SELECT 'M' || lpad(i::varchar, 2, '0'), 'Manager ' || i, NULL, 'Team ' || (1 + i %% 3), NULL, NULL,
            (40000 + 5000 * (i %% 5))::decimal(18, 4), 'gen', 'managers', i, 1
        FROM range(1, %d) t(i)`, genManagers+1),
		fmt.Sprintf(`INSERT INTO main.clients (client_id, name, inn, segment, region, is_key, price_column, credit_limit, payment_terms_days, created_on, _source, _file, _line, _load_id)
        SELECT 'C' || lpad(i::varchar, 4, '0'), 'Client ' || i, '77' || lpad(i::varchar, 8, '0'),
            ['Retail', 'HoReCa', 'Wholesale', 'Pharmacy'][1 + ihash(i, 11) %% 4], 'Region ' || (1 + i %% 7), i %% 10 = 0,
            ['A', 'B', 'C'][1 + ihash(i, 12) %% 3],
            CASE WHEN i %% 2 = 0 THEN (100000 * (1 + ihash(i, 13) %% 20))::decimal(18, 4) END,
            [0, 7, 14, 30, 45][1 + ihash(i, 14) %% 5], DATE '%s' - 30, 'gen', 'clients', i, 1
        FROM range(1, %d) t(i)`, start, genClients+1),
		// Everyone starts with a manager; 15 % move to another one on the 1st of a month.
		fmt.Sprintf(`INSERT INTO main.client_assignments (client_id, manager_id, valid_from, valid_to, _source, _file, _line, _load_id)
        WITH c AS (
            SELECT i, 'C' || lpad(i::varchar, 4, '0') AS client_id,
                1 + ihash(i, 21) %% %[1]d AS m1, 1 + ihash(i, 22) %% %[1]d AS m2,
                CASE WHEN ihash(i, 23) %% 100 < 15 THEN date_trunc('month', DATE '%[2]s' + (ihash(i, 24) %% %[3]d)::integer)::date END AS moved
            FROM range(1, %[4]d) t(i))
        SELECT client_id, 'M' || lpad(m1::varchar, 2, '0'), DATE '%[2]s' - 30, moved, 'gen', 'assignments', i, 1 FROM c
        UNION ALL
        SELECT client_id, 'M' || lpad((CASE WHEN m2 = m1 THEN 1 + m1 %% %[1]d ELSE m2 END)::varchar, 2, '0'), moved, NULL, 'gen', 'assignments', 1000 + i, 1
        FROM c WHERE moved IS NOT NULL AND moved > DATE '%[2]s' - 30`, genManagers, start, days, genClients+1),
		fmt.Sprintf(`INSERT INTO main.products (sku, name, category, brand, _source, _file, _line, _load_id)
        SELECT 'SKU-' || lpad(i::varchar, 4, '0'), 'Product ' || i, 'Category ' || (i %% 10), 'Brand ' || (i %% 7), 'gen', 'products', i, 1
        FROM range(%d) t(i)`, genSKUs),
		// Column B is 5 % below A, C 10 %; a third of the SKUs rise 5 % once.
		fmt.Sprintf(`INSERT INTO main.price_list (sku, price_column, price, valid_from, _source, _file, _line, _load_id)
        WITH p AS (SELECT i, 5000 + ihash(i, 31) %% 500000 AS base, DATE '%[1]s' + (120 + (i * 7) %% 400)::integer AS change_on FROM range(%[2]d) t(i)),
        c AS (SELECT * FROM (VALUES ('A', 100), ('B', 95), ('C', 90)) v(col, pct))
        SELECT 'SKU-' || lpad(i::varchar, 4, '0'), col, ((base * pct + 50) // 100 / 100.0)::decimal(18, 4), DATE '%[1]s' - 30, 'gen', 'price_list', i, 1 FROM p, c
        UNION ALL
        SELECT 'SKU-' || lpad(i::varchar, 4, '0'), col, (((base * 105 // 100) * pct + 50) // 100 / 100.0)::decimal(18, 4), change_on, 'gen', 'price_list', 1000 + i, 1 FROM p, c WHERE i %% 3 = 0`, start, genSKUs),
		fmt.Sprintf(`INSERT INTO main.promotions (promo_id, name, starts_on, ends_on, category, sku, discount_pct, _source, _file, _line, _load_id)
        SELECT 'PR-' || lpad(k::varchar, 3, '0'), 'Promo ' || k, DATE '%[1]s' + (30 + k * 33)::integer, DATE '%[1]s' + (43 + k * 33)::integer,
            CASE WHEN k %% 4 <> 3 THEN 'Category ' || (k %% 10) END, CASE WHEN k %% 4 = 3 THEN 'SKU-' || lpad(((k * 37) %% %[2]d)::varchar, 4, '0') END,
            (5 + (k %% 3) * 5)::decimal(18, 4), 'gen', 'promotions', k, 1
        FROM range(%[3]d) t(k)`, start, genSKUs, max(1, (days-60)/33)),
		fmt.Sprintf(`INSERT INTO main.plans (manager_id, period, kpi, target, _source, _file, _line, _load_id)
        SELECT 'M' || lpad(m::varchar, 2, '0'), strftime(date_trunc('month', DATE '%[1]s') + to_months(k), '%%Y-%%m'), kpi,
            CASE kpi WHEN 'sales' THEN (1000000 * (8 + ihash(m, k, 41) %% 8))::decimal(18, 4) WHEN 'active_clients' THEN 30 + ihash(m, k, 42) %% 20 ELSE 1 + ihash(m, k, 43) %% 3 END,
            'gen', 'plans', k, 1
        FROM range(1, %[2]d) a(m), range(%[3]d) b(k), (VALUES ('sales'), ('active_clients'), ('new_clients')) v(kpi)`, start, genManagers+1, months),
		fmt.Sprintf(`INSERT INTO main.activities (activity_id, manager_id, client_id, kind, planned_on, done_on, status, result, _source, _file, _line, _load_id)
        WITH a AS (SELECT i, 1 + ihash(i, 51) %% %[1]d AS m, DATE '%[2]s' + (ihash(i, 52) %% %[3]d)::integer AS planned, ihash(i, 53) %% 100 AS u FROM range(%[4]d) t(i))
        SELECT 'ACT-' || lpad(i::varchar, 7, '0'), 'M' || lpad(m::varchar, 2, '0'),
            CASE WHEN u < 90 THEN 'C' || lpad((1 + ihash(i, 54) %% %[5]d)::varchar, 4, '0') END,
            ['visit', 'call', 'call', 'meeting', 'email'][1 + ihash(i, 55) %% 5], planned,
            CASE WHEN u < 75 THEN planned END, CASE WHEN u < 75 THEN 'done' WHEN u < 83 THEN 'cancelled' WHEN u < 93 THEN 'missed' ELSE 'planned' END,
            NULL, 'gen', 'activities', i, 1
        FROM a`, genManagers, start, days, genManagers*40*days/30, genClients),
		fmt.Sprintf(`INSERT INTO main.competitor_notes (noted_on, client_id, category, competitor, share_pct, monthly_volume, manager_id, _source, _file, _line, _load_id)
        SELECT DISTINCT ON (noted_on, client_id, category, competitor) * FROM (
            SELECT DATE '%[1]s' + (ihash(i, 61) %% %[2]d)::integer AS noted_on, 'C' || lpad((1 + ihash(i, 62) %% %[3]d)::varchar, 4, '0') AS client_id,
                'Category ' || (ihash(i, 63) %% 10) AS category, ['Rival', 'Metro', 'Local', 'Online'][1 + ihash(i, 64) %% 4] AS competitor,
                CASE WHEN ihash(i, 65) %% 2 = 0 THEN (10 + ihash(i, 66) %% 61)::decimal(18, 4) END AS share_pct,
                CASE WHEN ihash(i, 65) %% 2 = 1 THEN (10000 + ihash(i, 67) %% 200000)::decimal(18, 4) END AS monthly_volume,
                NULL AS manager_id, 'gen' AS _source, 'notes' AS _file, i AS _line, 1 AS _load_id
            FROM range(%[4]d) t(i))`, start, days, genClients, genClients*4/5),
	}
	for _, q := range append([]string{hashMacro}, stmts...) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("generate reference data: %w\n%s", err, q)
		}
	}
	return nil
}

// generateOrders appends about lines order lines with order dates spread
// over [start, start + days), numbered from first, and the invoices,
// payments and returns that follow from them, all under load id load.
// Shipments, invoices and payments dated after asOf are left out.
func generateOrders(ctx context.Context, db execer, lines, first int, start string, days int, asOf string, load int) error {
	orders := max(1, lines/6)
	stmts := []string{
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE gen_orders AS
        SELECT i AS order_no, 'ORD-' || lpad(i::varchar, 9, '0') AS order_id,
            DATE '%[1]s' + cast(floor((i - %[2]d) * %[3]d / %[4]d) AS integer) AS order_date,
            1 + cast(floor(%[5]d * pow((ihash(i, 1) %% 1000000) / 1000000.0, 1.6)) AS integer) AS client_no,
            2 + ihash(i, 2) %% 9 AS n_lines, ihash(i, 3) %% 6 AS ship_delay
        FROM range(%[2]d, %[2]d + %[4]d) t(i)`, start, first, days, orders, genClients),
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE gen_lines AS
        WITH l AS (
            SELECT o.*, unnest(range(1, n_lines + 1)) AS line_no FROM gen_orders o
        ), c AS (
            SELECT client_id, price_column, payment_terms_days, row_number() OVER (ORDER BY client_id) AS client_no FROM main.clients
        ), p AS (
            SELECT i AS sku_no, 5000 + ihash(i, 31) %% 500000 AS base, DATE '%[1]s' + (120 + (i * 7) %% 400)::integer AS change_on FROM range(%[2]d) t(i)
        ), x AS (
            SELECT l.*, c.client_id, c.price_column, c.payment_terms_days,
                ihash(order_no, line_no, 4) %% %[2]d AS sku_no, 1 + ihash(order_no, line_no, 5) %% 20 AS qty, ihash(order_no, line_no, 6) %% 1000 AS u
            FROM l JOIN c USING (client_no)
        )
        SELECT x.*, 'SKU-' || lpad(x.sku_no::varchar, 4, '0') AS sku, 'Category ' || (x.sku_no %% 10) AS category,
            (CASE WHEN x.sku_no %% 3 = 0 AND x.order_date >= p.change_on THEN p.base * 105 // 100 ELSE p.base END
                * CASE x.price_column WHEN 'A' THEN 100 WHEN 'B' THEN 95 ELSE 90 END + 50) // 100 AS list_kopecks
        FROM x JOIN p USING (sku_no)`, start, genSKUs),
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE gen_lines2 AS
        SELECT l.*,
            CASE WHEN u < 30 THEN list_kopecks * (85 + u %% 10) // 100
                WHEN u < 500 AND pr.discount_pct IS NOT NULL THEN list_kopecks * (100 - pr.discount_pct::integer) // 100
                ELSE list_kopecks END AS price_kopecks,
            CASE WHEN l.order_date + l.ship_delay::integer <= DATE '%[1]s' AND u %% 1000 >= 20 THEN l.order_date + l.ship_delay::integer END AS shipped_on,
            CASE WHEN u %% 97 = 0 THEN 1 + (u %% l.qty) ELSE 0 END AS refused_qty,
            CASE WHEN u %% 31 = 0 THEN l.qty * (50 + u %% 41) // 100 ELSE l.qty END AS ship_qty
        FROM gen_lines l
        LEFT JOIN (SELECT category, starts_on, ends_on, max(discount_pct) AS discount_pct FROM main.promotions WHERE sku IS NULL GROUP BY ALL) pr
            ON pr.category = l.category AND l.order_date BETWEEN pr.starts_on AND pr.ends_on`, asOf),
		fmt.Sprintf(`INSERT INTO main.order_lines (order_id, line_no, order_date, client_id, manager_id, sku, qty, price, shipped_qty, shipped_on, refused_qty, refusal_reason, _source, _file, _line, _load_id)
        SELECT order_id, line_no, order_date, client_id,
            CASE WHEN u %% 20 = 7 THEN 'M' || lpad((1 + ihash(order_no, 8) %% %[1]d)::varchar, 2, '0') END,
            sku, qty::decimal(18, 4), (price_kopecks / 100.0)::decimal(18, 4),
            CASE WHEN shipped_on IS NOT NULL THEN (greatest(ship_qty - refused_qty, 0))::decimal(18, 4) END, shipped_on,
            CASE WHEN shipped_on IS NOT NULL AND refused_qty > 0 THEN refused_qty::decimal(18, 4) END,
            CASE WHEN shipped_on IS NOT NULL AND refused_qty > 0 THEN ['damaged', 'late', 'wrong item'][1 + u %% 3] END,
            'gen', 'order_lines', order_no * 16 + line_no, %[2]d
        FROM gen_lines2 ORDER BY order_no, line_no`, genManagers, load),
		fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE gen_invoices AS
        SELECT order_no, any_value(order_id) AS order_id, 'INV-' || lpad(order_no::varchar, 9, '0') AS invoice_id, any_value(client_id) AS client_id,
            min(shipped_on) AS invoice_date, any_value(payment_terms_days) AS terms,
            sum(greatest(ship_qty - refused_qty, 0) * price_kopecks) AS amount_kopecks, ihash(order_no, 71) %% 100 AS u
        FROM gen_lines2 WHERE shipped_on IS NOT NULL AND ship_qty > refused_qty
        GROUP BY order_no`),
		fmt.Sprintf(`INSERT INTO main.invoices (invoice_id, invoice_date, client_id, order_id, amount, due_date, _source, _file, _line, _load_id)
        SELECT invoice_id, invoice_date, client_id, order_id, (amount_kopecks / 100.0)::decimal(18, 4),
            CASE WHEN u < 10 THEN invoice_date + (terms + u)::integer END, 'gen', 'invoices', order_no, %d
        FROM gen_invoices ORDER BY order_no`, load),
		// 85 % of payments name the invoice; 10 % carry only the payer's INN;
		// clients numbered 50, 100, ... stop paying after the first year.
		fmt.Sprintf(`INSERT INTO main.payments (payment_id, paid_on, client_id, payer_inn, amount, invoice_id, purpose, _source, _file, _line, _load_id)
        WITH p AS (
            SELECT i.*, ihash(order_no, 72) %% 100 AS v, ihash(order_no, 73) %% 100 AS w,
                CASE WHEN u < 3 THEN -1 WHEN u < 78 THEN 0 WHEN u < 95 THEN 1 ELSE 2 END AS kind
            FROM gen_invoices i
            WHERE NOT (cast(substr(client_id, 2) AS integer) %% 50 = 0 AND invoice_date > DATE '%[1]s' + 365)
        ), parts AS (
            SELECT *, 1 AS part, CASE kind WHEN 2 THEN amount_kopecks // 2 ELSE amount_kopecks END AS kopecks,
                CASE kind WHEN -1 THEN invoice_date - 2 WHEN 1 THEN invoice_date + (terms + 10 + v)::integer ELSE invoice_date + (v %% (terms + 1))::integer END AS paid_on
            FROM p
            UNION ALL
            SELECT *, 2, amount_kopecks - amount_kopecks // 2, invoice_date + (terms + 15 + v %% 60)::integer FROM p WHERE kind = 2
        )
        SELECT 'PAY-' || lpad(order_no::varchar, 9, '0') || '-' || part, paid_on,
            CASE WHEN w %% 10 <> 3 THEN client_id END, '77' || lpad(substr(client_id, 2), 8, '0'),
            (kopecks / 100.0)::decimal(18, 4), CASE WHEN w < 85 THEN invoice_id END, 'payment', 'gen', 'payments', order_no * 2 + part, %[2]d
        FROM parts WHERE paid_on <= DATE '%[3]s' ORDER BY paid_on, order_no, part`, start, load, asOf),
		fmt.Sprintf(`INSERT INTO main.returns (return_id, return_date, client_id, invoice_id, sku, qty, amount, reason, _source, _file, _line, _load_id)
        SELECT 'RET-' || lpad(l.order_no::varchar, 9, '0'), l.shipped_on + (3 + ihash(l.order_no, 81) %% 28)::integer, l.client_id,
            CASE WHEN ihash(l.order_no, 82) %% 5 <> 0 THEN i.invoice_id END, l.sku, 1, (l.price_kopecks / 100.0)::decimal(18, 4),
            ['defect', 'wrong item', 'expired'][1 + ihash(l.order_no, 83) %% 3], 'gen', 'returns', l.order_no, %[1]d
        FROM gen_lines2 l JOIN gen_invoices i USING (order_no)
        WHERE l.line_no = 1 AND ihash(l.order_no, 80) %% 1000 < 15 AND l.shipped_on IS NOT NULL AND l.ship_qty > l.refused_qty
            AND l.shipped_on + (3 + ihash(l.order_no, 81) %% 28)::integer <= DATE '%[2]s'`, load, asOf),
	}
	for _, q := range append([]string{hashMacro}, stmts...) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("generate orders: %w\n%s", err, q)
		}
	}
	for _, t := range []string{"gen_orders", "gen_lines", "gen_lines2", "gen_invoices"} {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS temp."+t); err != nil {
			return err
		}
	}
	return nil
}

// generate fills a fresh warehouse with a company of about lines order
// lines over the 730 days to 2026-10-30 and returns it.
func generate(t testing.TB, lines int) *sql.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kam.duckdb")
	if p := os.Getenv("KAM_GEN_DB"); p != "" {
		path = p // keep the generated warehouse for a look
	}
	db, err := warehouse.Open(ctx, path, warehouse.Settings{Threads: 2, MemoryLimit: "3GB"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := generateReference(ctx, conn, genStart, genDays); err != nil {
		t.Fatal(err)
	}
	if err := generateOrders(ctx, conn, lines, 1, genStart, genDays, genAsOf, 2); err != nil {
		t.Fatal(err)
	}
	return db
}

const (
	genStart = "2024-11-01"
	genDays  = 729 // to 2026-10-30
	genAsOf  = "2026-10-30"
)

func TestGeneratedCompanyBuilds(t *testing.T) {
	db := generate(t, 60000)
	res := build(t, db, models.Options{AsOf: date(genAsOf)})
	for _, m := range res.Models {
		t.Logf("%-40s %9d rows %6d ms", m.Name, m.Rows, m.Duration.Milliseconds())
	}
	for _, q := range []string{
		"SELECT count(*) FROM main.order_lines", "SELECT count(*) FROM main.invoices", "SELECT count(*) FROM main.payments",
		"SELECT count(*) FROM main.returns", "SELECT count(*) FROM discount_compliance", "SELECT count(*) FROM unmatched_payments",
	} {
		t.Log(q, rowsOf(t, db, q))
	}
}

// TestGenerateOnly writes a generated warehouse to KAM_GEN_DB (of
// KAM_GEN_LINES order lines) and stops: a company to study queries on.
func TestGenerateOnly(t *testing.T) {
	lines, _ := strconv.Atoi(os.Getenv("KAM_GEN_LINES"))
	if os.Getenv("KAM_GEN_DB") == "" || lines <= 0 {
		t.Skip("set KAM_GEN_DB and KAM_GEN_LINES to generate a warehouse")
	}
	generate(t, lines)
}
