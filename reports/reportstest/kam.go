package reportstest

// kamSchema creates, empty, the marts a KAM's page reads besides those of
// Schema (pay_gap_value is written by pay.Materialize in a real build).
// marts.segment_forecast is not here: it comes with the Company data, so
// that tests of an empty warehouse can create it themselves.
const kamSchema = `
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE marts.pay_gap_value (
    period VARCHAR, as_of DATE, manager_id VARCHAR, manager_name VARCHAR, plan VARCHAR, kpi VARCHAR,
    weight DECIMAL(18,6), target DECIMAL(18,4), actual DECIMAL(18,4), gap DECIMAL(18,4), attainment DECIMAL(18,4),
    pay_now DECIMAL(18,2), pay_if_closed DECIMAL(18,2), gap_value DECIMAL(18,2), flags VARCHAR);
CREATE TABLE marts.client_abc_xyz (
    month DATE, client_id VARCHAR, client_name VARCHAR, segment VARCHAR, manager_id VARCHAR,
    net_sales_12m DECIMAL(38,8), share_12m DECIMAL(18,4), cumulative_share DECIMAL(18,4), abc_class VARCHAR,
    months_with_sales BIGINT, mean_monthly DECIMAL(38,8), cv DECIMAL(18,4), xyz_class VARCHAR, abc_xyz VARCHAR,
    prev_abc_xyz VARCHAR, is_class_changed BOOLEAN);
CREATE TABLE marts.client_assortment (
    client_id VARCHAR, client_name VARCHAR, segment VARCHAR, manager_id VARCHAR, category VARCHAR,
    is_bought BOOLEAN, net_sales_12m DECIMAL(38,8), months_bought BIGINT, categories_bought BIGINT,
    segment_category_buyers BIGINT, segment_buyers BIGINT, segment_penetration DECIMAL(18,4),
    is_gap BOOLEAN, gap_potential_monthly DECIMAL(38,8));
CREATE TABLE marts.receivables_ageing (
    as_of DATE, client_id VARCHAR, client_name VARCHAR, manager_id VARCHAR, not_due DECIMAL(38,8),
    overdue_1_30 DECIMAL(38,8), overdue_31_60 DECIMAL(38,8), overdue_61_90 DECIMAL(38,8), overdue_90_plus DECIMAL(38,8),
    advance DECIMAL(38,8), balance DECIMAL(38,8));
CREATE TABLE marts.receivables_open_invoices (
    as_of DATE, client_id VARCHAR, client_name VARCHAR, manager_id VARCHAR, document_kind VARCHAR, document_id VARCHAR,
    document_date DATE, due_date DATE, amount DECIMAL(38,8), applied_named_amount DECIMAL(38,8),
    applied_pool_amount DECIMAL(38,8), open_amount DECIMAL(38,8), days_overdue BIGINT, bucket VARCHAR);
CREATE TABLE marts.activity_monthly (
    month DATE, manager_id VARCHAR, planned BIGINT, done BIGINT, done_as_planned BIGINT, done_as_planned_share DECIMAL(18,4),
    cancelled BIGINT, missed BIGINT, visits_planned BIGINT, visits_done BIGINT, calls_planned BIGINT, calls_done BIGINT,
    meetings_planned BIGINT, meetings_done BIGINT, emails_done BIGINT, prospect_contacts BIGINT, own_clients BIGINT,
    covered_clients BIGINT, coverage DECIMAL(18,4), orders BIGINT, visits_per_order DECIMAL(18,4));
CREATE TABLE marts.competitor_share (
    month DATE, as_of DATE, level VARCHAR, segment VARCHAR, client_id VARCHAR, category VARCHAR,
    our_monthly_sales DECIMAL(38,8), competitor_monthly_sales DECIMAL(38,8), wallet DECIMAL(38,8),
    share DECIMAL(18,4), share_low DECIMAL(18,4), share_high DECIMAL(18,4), competitors BIGINT,
    noted_clients BIGINT, unnoted_clients BIGINT, is_inconsistent BOOLEAN);
CREATE TABLE marts.credit_control (
    as_of DATE, client_id VARCHAR, client_name VARCHAR, manager_id VARCHAR, credit_limit DECIMAL(18,4),
    payment_terms_days BIGINT, tolerance_days BIGINT, balance DECIMAL(38,8), open_total DECIMAL(38,8),
    overdue_amount DECIMAL(38,8), advance DECIMAL(38,8), utilisation DECIMAL(18,4), available_credit DECIMAL(38,8),
    oldest_overdue_days BIGINT, oldest_overdue_age_days BIGINT, is_over_limit BOOLEAN, is_beyond_tolerance BOOLEAN);
`

// kamSQL fills the KAM marts of the Company fixture from its clients and
// sales (after salesSQL and fulfilmentSQL), and the staging, core and meta
// tables variable pay reads, so that pay.Calculate works on it.
const kamSQL = `
-- Own clients on a date, for the snapshot marts.
CREATE TEMP TABLE fx_owner AS
SELECT c.client_id, c.name, c.segment, substr(c.client_id, 2)::INTEGER AS i, coalesce(a.manager_id, '') AS manager_id
FROM main.clients c
LEFT JOIN main.client_assignments a ON a.client_id = c.client_id AND a.valid_from <= DATE '2026-10-20'
    AND (a.valid_to IS NULL OR a.valid_to > DATE '2026-10-20');

INSERT INTO marts.pay_gap_value
WITH f AS (
    SELECT manager_id, manager_name, kpi, target, actual, attainment,
        CASE WHEN coalesce(target, 0) > 0 THEN greatest(target - actual, 0) END AS gap
    FROM marts.plan_fulfilment WHERE level = 'manager' AND period_kind = 'month' AND period = '2026-10'),
v AS (
    SELECT f.*, [0.5, 0.3, 0.2][CASE kpi WHEN 'sales' THEN 1 WHEN 'active_clients' THEN 2 ELSE 3 END] AS weight,
        round(coalesce(gap, 0) * CASE kpi WHEN 'sales' THEN 0.02 ELSE 4000 END, 2) AS value
    FROM f)
SELECT '2026-10', DATE '2026-10-20', manager_id, manager_name, 'kam-2026', kpi, weight, target, actual, gap, attainment,
    30000, 30000 + value, value, CASE WHEN target IS NULL THEN 'missing_target:' || kpi ELSE '' END
FROM v
UNION ALL
SELECT '2026-10', DATE '2026-10-20', manager_id, any_value(manager_name), 'kam-2026', 'all', NULL, NULL, NULL, NULL, NULL,
    30000, 30000 + sum(value), sum(value), ''
FROM v GROUP BY manager_id;

INSERT INTO marts.client_abc_xyz
WITH s AS (
    SELECT client_id, sum(net_sales) AS n FROM marts.sales_monthly
    WHERE month BETWEEN DATE '2025-11-01' AND DATE '2026-10-01' GROUP BY client_id),
r AS (
    SELECT o.*, s.n, s.n / sum(s.n) OVER () AS share,
        sum(s.n) OVER (ORDER BY s.n DESC, o.client_id) / sum(s.n) OVER () AS cum
    FROM s JOIN fx_owner o USING (client_id)),
c AS (
    SELECT r.*, CASE WHEN cum - share < 0.5 THEN 'A' WHEN cum - share < 0.8 THEN 'B' ELSE 'C' END AS abc,
        ['X', 'Y', 'Z'][1 + i % 3] AS xyz
    FROM r)
SELECT DATE '2026-10-01', client_id, name, segment, manager_id, n, round(share, 4), round(cum, 4), abc, 12,
    round(n / 12, 8), 0.05 + 0.2 * (i % 3), xyz, abc || xyz, CASE WHEN i % 4 = 0 THEN 'C' || xyz ELSE abc || xyz END, i % 4 = 0
FROM c;

INSERT INTO marts.client_assortment
WITH cats AS (SELECT * FROM (VALUES ('Крепёж', 1), ('` + MarkerSKUCat + `', 2), ('Инструмент', 3)) AS t(category, k)),
s AS (
    SELECT client_id, category, sum(net_sales) AS n, count(*) AS months FROM marts.sales_monthly
    WHERE month BETWEEN DATE '2025-11-01' AND DATE '2026-10-01' GROUP BY ALL),
g AS (
    SELECT o.*, cats.category, cats.k, coalesce(s.n, 0) AS n, coalesce(s.months, 0) AS months,
        s.n IS NOT NULL AND (cats.k < 3 OR o.i % 3 = 0) AS bought
    FROM fx_owner o CROSS JOIN cats LEFT JOIN s ON s.client_id = o.client_id AND s.category = cats.category)
SELECT client_id, name, segment, manager_id, category, bought, CASE WHEN bought THEN n ELSE 0 END,
    CASE WHEN bought THEN months ELSE 0 END, CASE WHEN i % 3 = 0 THEN 3 ELSE 2 END, 3, 4, 0.75,
    NOT bought, CASE WHEN NOT bought THEN 12000 + 1000 * i END
FROM g;

INSERT INTO marts.receivables_ageing
SELECT d.as_of, client_id, name, manager_id, 50000 + 1000 * i, CASE WHEN i % 2 = 1 THEN 20000 ELSE 0 END,
    CASE WHEN i % 3 = 0 THEN 15000 ELSE 0 END, 0, CASE WHEN i IN (3, 9) THEN 30000 ELSE 0 END, 0,
    50000 + 1000 * i + CASE WHEN i % 2 = 1 THEN 20000 ELSE 0 END + CASE WHEN i % 3 = 0 THEN 15000 ELSE 0 END
        + CASE WHEN i IN (3, 9) THEN 30000 ELSE 0 END
FROM fx_owner CROSS JOIN (VALUES (DATE '2026-09-30'), (DATE '2026-10-20')) AS d(as_of);

INSERT INTO marts.receivables_open_invoices
SELECT r.as_of, r.client_id, r.client_name, r.manager_id, 'invoice', 'INV-' || r.client_id || '-' || b.k,
    r.as_of - b.days - 30, r.as_of - b.days, b.amount, 0, 0, b.amount, b.days, b.bucket
FROM marts.receivables_ageing r,
LATERAL (VALUES (1, 0, 'not_due', r.not_due), (2, 12, 'overdue_1_30', r.overdue_1_30),
    (3, 44, 'overdue_31_60', r.overdue_31_60), (4, 120 + substr(r.client_id, 2)::INTEGER, 'overdue_90_plus', r.overdue_90_plus)) AS b(k, days, bucket, amount)
WHERE b.amount > 0;

INSERT INTO marts.credit_control
SELECT r.as_of, r.client_id, r.client_name, r.manager_id, CASE WHEN r.client_id = 'C09' THEN 100000 ELSE 1000000 END, 30, 37,
    r.balance, r.balance, r.balance - r.not_due, 0,
    round(r.balance / CASE WHEN r.client_id = 'C09' THEN 100000 ELSE 1000000 END, 4),
    CASE WHEN r.client_id = 'C09' THEN 100000 ELSE 1000000 END - r.balance,
    coalesce((SELECT max(days_overdue) FROM marts.receivables_open_invoices i WHERE i.as_of = r.as_of AND i.client_id = r.client_id), 0),
    coalesce((SELECT max(days_overdue) + 30 FROM marts.receivables_open_invoices i WHERE i.as_of = r.as_of AND i.client_id = r.client_id), 0),
    r.client_id = 'C09',
    coalesce((SELECT max(days_overdue) FROM marts.receivables_open_invoices i WHERE i.as_of = r.as_of AND i.client_id = r.client_id), 0) > 37
FROM marts.receivables_ageing r;

INSERT INTO marts.activity_monthly
WITH m AS (
    SELECT unnest(generate_series(DATE '2025-11-01', DATE '2026-10-01', INTERVAL 1 MONTH))::DATE AS month),
g AS (
    SELECT m.month, mg.manager_id, substr(mg.manager_id, 2)::INTEGER AS k, month(m.month) AS mm
    FROM m CROSS JOIN main.managers mg WHERE mg.left_on IS NULL)
SELECT month, manager_id, 40 + k, 36 + k - mm % 5, 34 + k - mm % 5, round((34 + k - mm % 5) / (40 + k), 4), 1, 3 + mm % 5 - 1,
    10 + k, 8 + k - mm % 3, 28, 26 - mm % 2, 2, 2, 6, 2, 3, 2 + mm % 2, round((2 + mm % 2) / 3, 4), 20 + k, round((8 + k - mm % 3) / (20 + k), 4)
FROM g;

INSERT INTO marts.competitor_share
SELECT DATE '2026-10-01', DATE '2026-10-20', 'client', o.segment, o.client_id, 'Крепёж',
    round(s.n / 12, 2), round(s.n / 12 / (0.4 + 0.05 * (o.i % 5)) - s.n / 12, 2), round(s.n / 12 / (0.4 + 0.05 * (o.i % 5)), 2),
    0.4 + 0.05 * (o.i % 5), 0.4 + 0.05 * (o.i % 5), 0.4 + 0.05 * (o.i % 5), 1 + o.i % 3, NULL, NULL, false
FROM fx_owner o JOIN (
    SELECT client_id, sum(net_sales) AS n FROM marts.sales_monthly
    WHERE category = 'Крепёж' AND month BETWEEN DATE '2025-11-01' AND DATE '2026-10-01' GROUP BY client_id) s USING (client_id)
WHERE o.i % 2 = 0
UNION ALL
SELECT DATE '2026-10-01', DATE '2026-10-20', 'segment', segment, NULL, 'Крепёж', 1000000, 1500000, 2500000, 0.4, 0.3, 0.55, 3, 2, 1, false
FROM (SELECT DISTINCT segment FROM main.clients);

CREATE TABLE marts.segment_forecast (
    segment VARCHAR, period VARCHAR, kind VARCHAR, value DECIMAL(18,2),
    lo80 DECIMAL(18,2), hi80 DECIMAL(18,2), lo95 DECIMAL(18,2), hi95 DECIMAL(18,2),
    model VARCHAR, mase DOUBLE, bias DOUBLE, as_of DATE);
INSERT INTO marts.segment_forecast
WITH a AS (
    SELECT segment, month, sum(net_sales) AS v FROM marts.sales_monthly
    WHERE month BETWEEN DATE '2025-10-01' AND DATE '2026-09-01' GROUP BY ALL),
f AS (
    SELECT a.segment, a.month + INTERVAL 12 MONTH AS month, round(a.v * 1.08, 2) AS v, h.k
    FROM a JOIN (SELECT unnest(range(1, 7)) AS k) h ON a.month = DATE '2025-09-01' + to_months(h.k::INTEGER))
SELECT segment, strftime(month, '%Y-%m'), 'actual', round(v, 2), NULL, NULL, NULL, NULL,
    'ETS(A,N,A)', 0.82, -0.031, DATE '2026-10-20' FROM a
UNION ALL
SELECT segment, strftime(month, '%Y-%m'), 'forecast', v, round(v * (1 - 0.04 * k), 2), round(v * (1 + 0.04 * k), 2),
    round(v * (1 - 0.06 * k), 2), round(v * (1 + 0.06 * k), 2), 'ETS(A,N,A)', 0.82, -0.031, DATE '2026-10-20' FROM f;
CREATE TABLE meta.forecast_overrides (
    segment VARCHAR, period VARCHAR, value DECIMAL(18,2), comment VARCHAR, author VARCHAR, recorded_at TIMESTAMP);
INSERT INTO meta.forecast_overrides VALUES
    ('HoReCa', '2026-11', 900000.00, 'сеть кафе подписала договор', 'vera', TIMESTAMP '2026-10-15 09:30:00'),
    ('HoReCa', '2026-11', 950000.00, '` + ScriptName + `', 'vera', TIMESTAMP '2026-10-16 09:30:00');

-- What variable pay reads (models/pay): staging views over the canonical
-- tables, monthly targets for 2026, sales events one per client, month and
-- category, active clients per month end, first shipments and the build.
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS core;
CREATE VIEW staging.stg_managers AS
SELECT manager_id, name AS manager_name, hired_on, left_on, variable_target FROM main.managers;
CREATE VIEW staging.stg_clients AS SELECT client_id, name AS client_name FROM main.clients;
CREATE VIEW staging.stg_client_assignments AS
SELECT client_id, manager_id, valid_from, coalesce(valid_to, DATE '9999-12-31') AS valid_to FROM main.client_assignments;
CREATE TABLE staging.stg_plans AS
SELECT manager_id, kpi, period, target FROM marts.plan_fulfilment
WHERE level = 'manager' AND period_kind = 'month' AND target IS NOT NULL
UNION ALL
SELECT manager_id, 'sales', strftime(month, '%Y-%m'), round(sum(net_sales) * (0.9 + 0.05 * (substr(manager_id, 2)::INTEGER % 4)), 0)
FROM marts.sales_monthly WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-08-01' AND manager_id <> ''
GROUP BY manager_id, month
UNION ALL
SELECT manager_id, kpi, strftime(month, '%Y-%m'), CASE kpi WHEN 'active_clients' THEN 3 ELSE 1 END
FROM (SELECT DISTINCT manager_id, month FROM marts.sales_monthly
      WHERE month BETWEEN DATE '2026-01-01' AND DATE '2026-08-01' AND manager_id <> ''),
    (VALUES ('active_clients'), ('new_clients')) AS k(kpi);
CREATE TABLE core.core_sales_events AS
SELECT manager_id, 'shipment' AS event_kind, month + 9 AS event_date,
    'ORD-' || client_id || '-' || strftime(month, '%Y%m') || '/' || CASE category WHEN 'Крепёж' THEN 1 ELSE 2 END AS event_id,
    client_id, category AS sku, qty_shipped AS qty, net_sales AS amount
FROM marts.sales_monthly WHERE month >= DATE '2026-01-01' AND manager_id <> '';
CREATE TABLE core.core_active_clients AS
SELECT s.month, a.manager_id, s.client_id, least(last_day(s.month), DATE '2026-10-20') AS period_end, sum(s.net_sales) AS window_net_sales
FROM marts.sales_monthly s
JOIN main.client_assignments a ON a.client_id = s.client_id AND a.valid_from <= last_day(s.month)
    AND (a.valid_to IS NULL OR a.valid_to > last_day(s.month))
WHERE s.month >= DATE '2026-01-01' GROUP BY s.month, a.manager_id, s.client_id;
CREATE TABLE core.core_client_first_shipment AS
SELECT * FROM (VALUES ('C13', 'M03', DATE '2025-03-05', DATE '2025-03-01'), ('C14', 'M05', DATE '2026-02-11', DATE '2026-02-01'))
    AS t(client_id, manager_id, first_shipped_on, first_month);
CREATE TABLE meta.builds (build_id BIGINT, as_of DATE);
INSERT INTO meta.builds VALUES (1, DATE '2026-10-20');
`
