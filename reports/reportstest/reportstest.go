// Package reportstest builds small DuckDB warehouses for tests of reports and
// dashboards: the tables reports read (the canonical tables and the marts,
// with the columns and types the models produce), filled by hand-written SQL
// so that tests do not depend on the generator, ingest or the models.
package reportstest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// AsOf is the report date of the Company fixture: a Tuesday in the middle of
// October 2026, so the month and the year are both in progress.
var AsOf = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)

// Hostile names carried by the Company fixture; they must stay text.
const (
	ScriptName   = `</script><script>alert(1)</script>`
	MarkerName   = `__f__alert(1)__f__`
	ImgClient    = `<img src=x onerror=alert(3)>`
	MarkerSKUCat = `__f__alert(4)__f__`
	AmpTeam      = `Юг & "Запад"`
)

// Schema creates the tables reports read, empty.
const Schema = `
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE main.managers (
    manager_id VARCHAR, name VARCHAR, email VARCHAR, team VARCHAR,
    hired_on DATE, left_on DATE, variable_target DECIMAL(18,4));
CREATE TABLE main.clients (
    client_id VARCHAR, name VARCHAR, inn VARCHAR, segment VARCHAR, region VARCHAR, is_key BOOLEAN,
    price_column VARCHAR, credit_limit DECIMAL(18,4), payment_terms_days BIGINT, created_on DATE);
CREATE TABLE main.client_assignments (client_id VARCHAR, manager_id VARCHAR, valid_from DATE, valid_to DATE);
CREATE TABLE main.order_lines (
    order_id VARCHAR, line_no BIGINT, order_date DATE, client_id VARCHAR, manager_id VARCHAR, sku VARCHAR,
    qty DECIMAL(18,4), price DECIMAL(18,4), shipped_qty DECIMAL(18,4), shipped_on DATE,
    refused_qty DECIMAL(18,4), refusal_reason VARCHAR);
CREATE TABLE marts.plan_fulfilment (
    level VARCHAR, manager_id VARCHAR, manager_name VARCHAR, team VARCHAR,
    period VARCHAR, period_kind VARCHAR, period_start DATE, period_end DATE, kpi VARCHAR,
    target DECIMAL(38,8), actual DECIMAL(38,8), attainment DECIMAL(18,4), gap DECIMAL(38,8),
    is_in_progress BOOLEAN, projected DECIMAL(38,8), flags VARCHAR);
CREATE TABLE marts.sales_monthly (
    month DATE, client_id VARCHAR, client_name VARCHAR, segment VARCHAR, category VARCHAR, manager_id VARCHAR,
    shipped_amount DECIMAL(38,8), returns_amount DECIMAL(38,8), net_sales DECIMAL(38,8), qty_shipped DECIMAL(38,8),
    orders BIGINT, lines BIGINT, skus BIGINT);
` + directorSchema

// Open creates a DuckDB file in a temporary folder, runs Schema and then
// each of sqls (a string may hold several statements), and closes the
// database when the test ends.
func Open(tb testing.TB, sqls ...string) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "kam.duckdb")
	connector, err := duckdb.NewConnector(path, func(ex driver.ExecerContext) error {
		_, err := ex.ExecContext(context.Background(), "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(connector)
	tb.Cleanup(func() { db.Close() })
	for _, q := range append([]string{Schema, kamSchema}, sqls...) {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("fixture: %v\n%s", err, q)
		}
	}
	return db
}

// Company is a small distributor for dashboard tests: six managers in three
// teams (one left in 2025, two with hostile names), fourteen clients (one
// reassigned in July 2026, one handed over from the manager who left), 30
// months of sales with a seasonal pattern, and plan fulfilment of October
// 2026 and of 2026 to date at every level, consistent with the sales.
const Company = `
INSERT INTO main.managers VALUES
    ('M01', '` + ScriptName + `', 'm01@example.com', 'Север', DATE '2019-03-01', NULL, 60000),
    ('M02', '` + MarkerName + `', 'm02@example.com', 'Север', DATE '2020-05-12', NULL, 55000),
    ('M03', 'Королёв Иван Игоревич', 'm03@example.com', 'Центр', DATE '2018-01-15', NULL, 70000),
    ('M04', 'Киселёва Вера Михайловна', 'm04@example.com', 'Центр', DATE '2021-09-01', NULL, 50000),
    ('M05', 'Смирнов Олег', 'm05@example.com', '` + AmpTeam + `', DATE '2022-02-01', NULL, 50000),
    ('M06', 'Петров Пётр', 'm06@example.com', 'Север', DATE '2017-04-01', DATE '2025-12-31', 45000);

INSERT INTO main.clients
SELECT 'C' || lpad(i::VARCHAR, 2, '0'), name, '77' || lpad(i::VARCHAR, 8, '0'), segment, 'Москва', i <= 6, 'B',
    1000000, 30, DATE '2020-01-01'
FROM (VALUES
    (1, 'ООО «Ромашка»', 'Розница'), (2, 'АО «Север-Снаб»', 'Опт'), (3, '` + ImgClient + `', 'Розница'),
    (4, 'ИП Сидоров', 'HoReCa'), (5, 'ООО «Вектор»', 'Опт'), (6, 'ПАО «Мегастрой»', 'Стройка'),
    (7, 'ООО «Тандем»', 'Розница'), (8, 'O''Brien & Co', 'Опт'), (9, 'ООО «Кедр»', 'HoReCa'),
    (10, 'АО «Прогресс»', 'Стройка'), (11, 'ООО «Лето»', 'Розница'), (12, 'ООО «Юг-Маркет»', 'Опт'),
    (13, 'ООО «Новый путь»', 'Розница'), (14, 'АО «Давний»', 'Опт')) AS t(i, name, segment);

INSERT INTO main.client_assignments VALUES
    ('C01', 'M01', DATE '2020-01-01', NULL), ('C02', 'M01', DATE '2020-01-01', NULL), ('C03', 'M01', DATE '2020-01-01', NULL),
    ('C04', 'M02', DATE '2020-01-01', NULL), ('C05', 'M02', DATE '2020-01-01', NULL),
    ('C06', 'M03', DATE '2020-01-01', NULL), ('C07', 'M03', DATE '2020-01-01', NULL), ('C08', 'M03', DATE '2020-01-01', NULL),
    ('C09', 'M04', DATE '2020-01-01', NULL), ('C10', 'M04', DATE '2020-01-01', NULL),
    ('C11', 'M05', DATE '2020-01-01', NULL), ('C12', 'M05', DATE '2020-01-01', NULL),
    ('C13', 'M03', DATE '2025-03-01', DATE '2026-07-01'), ('C13', 'M04', DATE '2026-07-01', NULL),
    ('C14', 'M06', DATE '2020-01-01', DATE '2026-01-01'), ('C14', 'M05', DATE '2026-01-01', NULL);

-- One shipped line per client; the extra line of C14 ships after the as-of
-- date and must not count as its last shipment.
INSERT INTO main.order_lines
SELECT 'O' || i, 1, DATE '2026-09-01' + 2 * i::INTEGER, 'C' || lpad(i::VARCHAR, 2, '0'), NULL, 'SKU' || i, 10, 100, 10,
    DATE '2026-09-01' + 2 * i::INTEGER, 0, NULL
FROM range(1, 15) AS t(i);
INSERT INTO main.order_lines VALUES
    ('O99', 1, DATE '2026-10-22', 'C14', NULL, 'SKU14', 5, 100, 5, DATE '2026-10-25', 0, NULL);

` + salesSQL + `
-- Targets and the non-sales actuals by hand; sales actuals come from sales_monthly.
CREATE TEMP TABLE fx_plan (manager_id VARCHAR, period_kind VARCHAR, kpi VARCHAR, target DECIMAL(38,8), actual DECIMAL(38,8));
INSERT INTO fx_plan VALUES
    ('M01', 'month', 'sales', 900000, NULL), ('M01', 'month', 'active_clients', 3, 3), ('M01', 'month', 'new_clients', 1, 0),
    ('M02', 'month', 'sales', 700000, NULL), ('M02', 'month', 'active_clients', 3, 2), ('M02', 'month', 'new_clients', 1, 1),
    ('M03', 'month', 'sales', 1450000, NULL), ('M03', 'month', 'active_clients', 3, 3), ('M03', 'month', 'new_clients', 1, 0),
    ('M04', 'month', 'sales', 1600000, NULL), ('M04', 'month', 'active_clients', 0, 3), ('M04', 'month', 'new_clients', 1, 2),
    ('M05', 'month', 'sales', 2000000, NULL), ('M05', 'month', 'active_clients', 3, 3), ('M05', 'month', 'new_clients', NULL, 1),
    ('M01', 'year', 'sales', 7200000, NULL), ('M01', 'year', 'active_clients', 3, 3), ('M01', 'year', 'new_clients', 6, 2),
    ('M02', 'year', 'sales', 5600000, NULL), ('M02', 'year', 'active_clients', 3, 2), ('M02', 'year', 'new_clients', 6, 5),
    ('M03', 'year', 'sales', 14500000, NULL), ('M03', 'year', 'active_clients', 3, 3), ('M03', 'year', 'new_clients', 6, 7),
    ('M04', 'year', 'sales', 10000000, NULL), ('M04', 'year', 'active_clients', 0, 3), ('M04', 'year', 'new_clients', 6, 6),
    ('M05', 'year', 'sales', 16000000, NULL), ('M05', 'year', 'active_clients', 3, 3), ('M05', 'year', 'new_clients', NULL, 4);

` + fulfilmentSQL + kamSQL + directorSQL

// salesSQL fills marts.sales_monthly from the clients and their assignments.
const salesSQL = `
-- Net sales of client i in month m: a base per client (of i mod 20), a seasonal factor,
-- 1 % growth a month, October 2026 cut at the 20th; 60/40 over two categories.
INSERT INTO marts.sales_monthly
WITH months AS (
    SELECT unnest(generate_series(DATE '2024-05-01', DATE '2026-10-01', INTERVAL 1 MONTH))::DATE AS month),
grid AS (
    SELECT months.month, c.client_id, c.name, c.segment, cat.category, cat.share,
        substr(c.client_id, 2)::INTEGER AS i,
        datediff('month', DATE '2024-05-01', months.month) AS age
    FROM months CROSS JOIN main.clients c
    CROSS JOIN (VALUES ('Крепёж', 0.6), ('` + MarkerSKUCat + `', 0.4)) AS cat(category, share)
    WHERE c.client_id <> 'C13' OR months.month >= DATE '2025-03-01'),
amounts AS (
    SELECT grid.*, a.manager_id,
        round((150000 + 23000 * (i % 20)) * share
            * [0.82, 0.86, 0.97, 1.00, 1.04, 1.02, 0.93, 0.90, 1.05, 1.10, 1.12, 1.19][month(month)]
            * (1 + 0.01 * age)
            * CASE WHEN month = DATE '2026-10-01' THEN 20.0 / 31 ELSE 1 END, 2) AS net
    FROM grid
    LEFT JOIN main.client_assignments a
        ON a.client_id = grid.client_id AND a.valid_from <= grid.month AND (a.valid_to IS NULL OR a.valid_to > grid.month))
SELECT month, client_id, name, segment, category, coalesce(manager_id, ''),
    net + CASE WHEN age % 2 = 0 THEN round(net * 0.02, 2) ELSE 0 END,
    CASE WHEN age % 2 = 0 THEN round(net * 0.02, 2) ELSE 0 END,
    net, round(net / 100, 0), 2 + i % 3, 6 + i % 5, 3 + i % 4
FROM amounts;
`

// fulfilmentSQL fills marts.plan_fulfilment from the temporary table fx_plan
// (targets, and actuals other than sales) and from sales_monthly.
const fulfilmentSQL = `
INSERT INTO marts.plan_fulfilment
WITH periods AS (
    SELECT p.*, m.name AS manager_name, m.team,
        CASE period_kind WHEN 'month' THEN '2026-10' ELSE '2026' END AS period,
        CASE period_kind WHEN 'month' THEN DATE '2026-10-01' ELSE DATE '2026-01-01' END AS period_start,
        CASE period_kind WHEN 'month' THEN DATE '2026-10-31' ELSE DATE '2026-12-31' END AS period_end
    FROM fx_plan p JOIN main.managers m USING (manager_id)),
base AS (
    SELECT periods.* REPLACE (coalesce(actual, (
            SELECT sum(s.net_sales) FROM marts.sales_monthly s
            WHERE s.manager_id = periods.manager_id AND s.month BETWEEN periods.period_start AND DATE '2026-10-01')) AS actual),
        target IS NULL OR target = 0 AS missing
    FROM periods),
levels AS (
    SELECT 'manager' AS level, manager_id, manager_name, team, period, period_kind, period_start, period_end, kpi, target, actual, missing FROM base
    UNION ALL
    SELECT 'team', NULL, NULL, team, period, period_kind, period_start, period_end, kpi, sum(target), sum(actual), bool_or(missing)
    FROM base GROUP BY ALL
    UNION ALL
    SELECT 'company', NULL, NULL, NULL, period, period_kind, period_start, period_end, kpi, sum(target), sum(actual), bool_or(missing)
    FROM base GROUP BY ALL)
SELECT level, manager_id, manager_name, team, period, period_kind, period_start, period_end, kpi,
    target, actual,
    CASE WHEN target <> 0 THEN round(actual / target, 4) END,
    target - actual,
    true,
    CASE WHEN kpi = 'active_clients' THEN actual
        ELSE actual * (period_end - period_start + 1) / (DATE '2026-10-20' - period_start + 1) END,
    CASE WHEN missing THEN 'missing_target' ELSE '' END
FROM levels;

-- A quarter and a past month that the director's month view must not pick up.
INSERT INTO marts.plan_fulfilment
SELECT * REPLACE ('2026-Q4' AS period, 'quarter' AS period_kind) FROM marts.plan_fulfilment WHERE period_kind = 'month';
INSERT INTO marts.plan_fulfilment
SELECT * REPLACE ('2026-09' AS period, DATE '2026-09-01' AS period_start, DATE '2026-09-30' AS period_end, false AS is_in_progress)
FROM marts.plan_fulfilment WHERE period_kind = 'month';
`

// Synthetic is a company of managers KAMs in five teams with clients clients
// assigned round-robin, for benchmarks: the same sales and fulfilment logic
// as Company, without hostile names. Targets are last year's sales plus 0–20 %.
func Synthetic(managers, clients int) string {
	return fmt.Sprintf(`
INSERT INTO main.managers
SELECT 'M' || lpad(i::VARCHAR, 3, '0'), 'Менеджер ' || i, NULL, 'Команда ' || (1 + i %% 5), DATE '2020-01-01', NULL, 50000
FROM range(1, %[1]d + 1) AS t(i);
INSERT INTO main.clients
SELECT 'C' || lpad(i::VARCHAR, 5, '0'), 'Клиент ' || i, NULL, ['Розница', 'Опт', 'HoReCa', 'Стройка'][1 + i %% 4],
    NULL, false, 'B', 1000000, 30, DATE '2020-01-01'
FROM range(1, %[2]d + 1) AS t(i);
INSERT INTO main.client_assignments
SELECT 'C' || lpad(i::VARCHAR, 5, '0'), 'M' || lpad((1 + i %% %[1]d)::VARCHAR, 3, '0'), DATE '2020-01-01', NULL
FROM range(1, %[2]d + 1) AS t(i);
INSERT INTO main.order_lines
SELECT 'O' || i, 1, DATE '2026-10-01', client_id, NULL, 'SKU1', 1, 100, 1, DATE '2026-10-01' + (i %% 19)::INTEGER, 0, NULL
FROM (SELECT row_number() OVER (ORDER BY client_id) AS i, client_id FROM main.clients);
`, managers, clients) + salesSQL + fmt.Sprintf(`
CREATE TEMP TABLE fx_plan (manager_id VARCHAR, period_kind VARCHAR, kpi VARCHAR, target DECIMAL(38,8), actual DECIMAL(38,8));
INSERT INTO fx_plan
WITH m AS (SELECT manager_id, substr(manager_id, 2)::INTEGER AS i FROM main.managers),
last_year AS (
    SELECT manager_id,
        sum(net_sales) FILTER (WHERE month = DATE '2025-10-01') AS october,
        sum(net_sales) FILTER (WHERE month BETWEEN DATE '2025-01-01' AND DATE '2025-12-01') AS year
    FROM marts.sales_monthly GROUP BY manager_id),
clients AS (SELECT manager_id, count(*) AS n FROM main.client_assignments GROUP BY manager_id)
SELECT manager_id, kind, kpi, target, actual FROM m
JOIN last_year USING (manager_id) JOIN clients USING (manager_id),
LATERAL (VALUES
    ('month', 'sales', round(october * (1 + (i %% 5) * 0.05), 0), NULL),
    ('month', 'active_clients', n - i %% 2, n - i %% 3),
    ('month', 'new_clients', 1 + i %% 3, i %% 4),
    ('year', 'sales', round(year * (1 + (i %% 5) * 0.05), 0), NULL),
    ('year', 'active_clients', n - i %% 2, n - i %% 3),
    ('year', 'new_clients', 6, 3 + i %% 6)) AS v(kind, kpi, target, actual);
`) + fulfilmentSQL + directorSyntheticSQL + directorSQL
}
