package reportstest

// SyntheticPay adds to Synthetic what variable pay reads (models/pay), for
// benchmarks of the HR page with a compensation file: staging views over
// the canonical tables, monthly targets for January–October 2026 (sales:
// the month's net sales × 0.9–1.05; active clients: 90 % of own clients;
// new clients: 1), sales events nine per client, month and category (≈ 900
// per KAM and month, as many as kam gen gives for 50 KAMs and 2,500
// clients; a view, so that every month's read runs it, as in a built
// warehouse), first shipments of every 25th client in 2026 and the build.
const SyntheticPay = `
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS meta;
CREATE VIEW staging.stg_managers AS
SELECT manager_id, name AS manager_name, hired_on, left_on, variable_target FROM main.managers;
CREATE VIEW staging.stg_clients AS SELECT client_id, name AS client_name FROM main.clients;
CREATE VIEW staging.stg_client_assignments AS
SELECT client_id, manager_id, valid_from, coalesce(valid_to, DATE '9999-12-31') AS valid_to FROM main.client_assignments;
CREATE TABLE staging.stg_plans AS
WITH m AS (
    SELECT manager_id, month, sum(net_sales) AS sales, count(DISTINCT client_id) AS clients
    FROM marts.sales_monthly WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-10-01' AND manager_id <> ''
    GROUP BY manager_id, month)
SELECT manager_id, 'sales' AS kpi, strftime(month, '%Y-%m') AS period,
    round(sales * (0.9 + 0.05 * (substr(manager_id, 2)::INTEGER % 4)), 0)::DECIMAL(38,8) AS target FROM m
UNION ALL
SELECT manager_id, 'active_clients', strftime(month, '%Y-%m'), round(clients * 0.9, 0) FROM m
UNION ALL
SELECT manager_id, 'new_clients', strftime(month, '%Y-%m'), 1 FROM m;
CREATE VIEW core.core_sales_events AS
SELECT manager_id, 'shipment' AS event_kind, month + (2 * n)::INTEGER AS event_date,
    'ORD-' || client_id || '-' || strftime(month, '%Y%m') || '-' || n || '/' || CASE category WHEN 'Крепёж' THEN 1 ELSE 2 END AS event_id,
    client_id, category || ' ' || n AS sku, round(qty_shipped / 9, 0)::DECIMAL(18,4) AS qty, round(net_sales / 9, 2)::DECIMAL(18,2) AS amount
FROM marts.sales_monthly, range(1, 10) AS l(n) WHERE month >= DATE '2026-01-01' AND manager_id <> '';
CREATE TABLE core.core_client_first_shipment AS
SELECT a.client_id, a.manager_id, DATE '2026-01-05' + to_months(((substr(a.client_id, 2)::INTEGER // 25) % 10)::INTEGER) AS first_shipped_on,
    DATE '2026-01-01' + to_months(((substr(a.client_id, 2)::INTEGER // 25) % 10)::INTEGER) AS first_month
FROM main.client_assignments a WHERE substr(a.client_id, 2)::INTEGER % 25 = 0;
CREATE TABLE meta.builds (build_id BIGINT, as_of DATE);
INSERT INTO meta.builds VALUES (1, DATE '2026-10-20');
`
