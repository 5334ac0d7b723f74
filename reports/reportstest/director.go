package reportstest

// directorSchema creates, empty, the marts the director's page reads
// besides those of Schema and kamSchema (kam.go), with the columns and
// types the models produce.
const directorSchema = `
CREATE TABLE IF NOT EXISTS marts.client_base_monthly (
    month DATE, manager_id VARCHAR, active_start BIGINT, new_clients BIGINT, new_active BIGINT, reactivated BIGINT,
    transferred_in BIGINT, lost BIGINT, transferred_out BIGINT, active BIGINT);
CREATE TABLE IF NOT EXISTS marts.discount_compliance (
    order_id VARCHAR, line_no BIGINT, order_date DATE, client_id VARCHAR, manager_id VARCHAR, sku VARCHAR,
    category VARCHAR, price_column VARCHAR, list_price DECIMAL(18,4), promo_id VARCHAR, promo_discount_pct DECIMAL(18,4),
    allowed_price DECIMAL(38,8), price DECIMAL(18,4), qty DECIMAL(18,4), discount_pct DECIMAL(18,4),
    shortfall_amount DECIMAL(38,8));
`

// directorSQL fills the director's panels from the clients, their
// assignments and sales_monthly, by fixed rules on each client's number i
// (C01 → 1), so that Company and Synthetic both get them. Appended to both.
const directorSQL = `
-- kamSQL creates core_active_clients for Company; without it the table is empty.
CREATE SCHEMA IF NOT EXISTS core;
CREATE TABLE IF NOT EXISTS core.core_active_clients (
    month DATE, period_end DATE, client_id VARCHAR, manager_id VARCHAR, window_net_sales DECIMAL(38,8));
-- The client base per month and manager, from core_active_clients; only
-- reactivations count as gains, and new clients are a share of them.
INSERT INTO marts.client_base_monthly
WITH now AS (SELECT month, client_id, coalesce(manager_id, '') AS manager_id FROM core.core_active_clients),
prev AS (SELECT (month + INTERVAL 1 MONTH)::DATE AS month, client_id, coalesce(manager_id, '') AS manager_id FROM core.core_active_clients),
moves AS (
    SELECT coalesce(now.month, prev.month) AS month, coalesce(now.manager_id, prev.manager_id) AS manager_id,
        now.client_id IS NOT NULL AS is_active, prev.client_id IS NOT NULL AS was_active
    FROM now FULL JOIN prev ON prev.month = now.month AND prev.client_id = now.client_id)
SELECT month, manager_id,
    count(*) FILTER (WHERE was_active),
    count(*) FILTER (WHERE is_active AND NOT was_active AND month(month) % 4 = 0),
    0,
    count(*) FILTER (WHERE is_active AND NOT was_active),
    0,
    count(*) FILTER (WHERE was_active AND NOT is_active),
    0,
    count(*) FILTER (WHERE is_active)
FROM moves
WHERE month BETWEEN DATE '2025-10-01' AND DATE '2026-10-01'
GROUP BY ALL;

-- Discount breaches: one line per client with i % 4 = 1, in October 2026 (and one in September).
INSERT INTO marts.discount_compliance
SELECT 'D' || i, 1, DATE '2026-10-01' + (i % 15)::INTEGER, c.client_id, a.manager_id, 'SKU' || i, 'Крепёж', 'B',
    100, NULL, NULL, 100, 88, 10 * i, 0.12, 12 * 10 * i
FROM (SELECT *, substr(client_id, 2)::INTEGER AS i FROM main.clients) c
LEFT JOIN main.client_assignments a ON a.client_id = c.client_id AND a.valid_to IS NULL
WHERE i % 4 = 1
UNION ALL
(SELECT 'D0', 1, DATE '2026-09-15', client_id, NULL, 'SKU1', 'Крепёж', 'B', 100, NULL, NULL, 100, 50, 1, 0.5, 50
FROM main.clients ORDER BY client_id LIMIT 1);

`

// directorSyntheticSQL fills, for Synthetic, what kamSQL fills for Company:
// active clients, receivables, credit control, segment shares and pay.
const directorSyntheticSQL = `
CREATE SCHEMA IF NOT EXISTS core;
CREATE TABLE IF NOT EXISTS core.core_active_clients (
    month DATE, period_end DATE, client_id VARCHAR, manager_id VARCHAR, window_net_sales DECIMAL(38,8));
CREATE TABLE IF NOT EXISTS marts.receivables_ageing (
    as_of DATE, client_id VARCHAR, client_name VARCHAR, manager_id VARCHAR,
    not_due DECIMAL(38,8), overdue_1_30 DECIMAL(38,8), overdue_31_60 DECIMAL(38,8), overdue_61_90 DECIMAL(38,8),
    overdue_90_plus DECIMAL(38,8), advance DECIMAL(38,8), balance DECIMAL(38,8));
CREATE TABLE IF NOT EXISTS marts.credit_control (
    as_of DATE, client_id VARCHAR, client_name VARCHAR, manager_id VARCHAR, credit_limit DECIMAL(18,4),
    payment_terms_days BIGINT, tolerance_days BIGINT, balance DECIMAL(38,8), open_total DECIMAL(38,8),
    overdue_amount DECIMAL(38,8), advance DECIMAL(38,8), utilisation DECIMAL(18,4), available_credit DECIMAL(38,8),
    oldest_overdue_days BIGINT, oldest_overdue_age_days BIGINT, is_over_limit BOOLEAN, is_beyond_tolerance BOOLEAN);
CREATE TABLE IF NOT EXISTS marts.competitor_share (
    month DATE, as_of DATE, level VARCHAR, segment VARCHAR, client_id VARCHAR, category VARCHAR,
    our_monthly_sales DECIMAL(38,8), competitor_monthly_sales DECIMAL(38,8), wallet DECIMAL(38,8),
    share DECIMAL(18,4), share_low DECIMAL(18,4), share_high DECIMAL(18,4), competitors BIGINT,
    noted_clients BIGINT, unnoted_clients BIGINT, is_inconsistent BOOLEAN);
CREATE TABLE IF NOT EXISTS marts.pay_gap_value (
    period VARCHAR, as_of DATE, manager_id VARCHAR, manager_name VARCHAR, plan VARCHAR, kpi VARCHAR,
    weight DECIMAL(18,6), target DECIMAL(18,4), actual DECIMAL(18,4), gap DECIMAL(18,4), attainment DECIMAL(18,4),
    pay_now DECIMAL(18,2), pay_if_closed DECIMAL(18,2), gap_value DECIMAL(18,2), flags VARCHAR);

-- Active clients at each month end from September 2025: every client with
-- sales, less a rotating few; in October 2026 clients with i % 6 = 4 drop out.
INSERT INTO core.core_active_clients
WITH months AS (
    SELECT unnest(generate_series(DATE '2025-09-01', DATE '2026-10-01', INTERVAL 1 MONTH))::DATE AS month),
grid AS (
    SELECT months.month, least(last_day(months.month), DATE '2026-10-20') AS period_end, c.client_id,
        substr(c.client_id, 2)::INTEGER AS i, datediff('month', DATE '2025-09-01', months.month) AS age
    FROM months CROSS JOIN main.clients c)
SELECT grid.month, grid.period_end, grid.client_id, a.manager_id,
    (SELECT sum(s.net_sales) FROM marts.sales_monthly s
     WHERE s.client_id = grid.client_id AND s.month BETWEEN grid.month - INTERVAL 2 MONTH AND grid.month)
FROM grid
LEFT JOIN main.client_assignments a
    ON a.client_id = grid.client_id AND a.valid_from <= grid.period_end AND (a.valid_to IS NULL OR a.valid_to > grid.period_end)
WHERE (i * 7 + age) % 10 <> 0 AND NOT (grid.month = DATE '2026-10-01' AND i % 6 = 4);

-- Receivables at the end of September and on the as-of date.
INSERT INTO marts.receivables_ageing
WITH base AS (
    SELECT d.as_of, c.client_id, c.name, a.manager_id, substr(c.client_id, 2)::INTEGER AS i
    FROM (VALUES (DATE '2026-09-30'), (DATE '2026-10-20')) AS d(as_of)
    CROSS JOIN main.clients c
    LEFT JOIN main.client_assignments a
        ON a.client_id = c.client_id AND a.valid_from <= d.as_of AND (a.valid_to IS NULL OR a.valid_to > d.as_of)),
amounts AS (
    SELECT *, 50000 + 7000 * (i % 9) + CASE WHEN as_of = DATE '2026-09-30' THEN 1000 ELSE 0 END AS not_due,
        CASE WHEN i % 3 = 0 THEN 20000 + 1000 * i END AS o1,
        CASE WHEN i % 4 = 1 THEN 15000.5 * (i % 5) END AS o2,
        CASE WHEN i % 6 = 2 THEN 9000 END AS o3,
        CASE WHEN i % 7 = 3 THEN 120000 + 5000 * i END AS o4,
        CASE WHEN i % 11 = 10 THEN 5000 ELSE 0 END AS advance
    FROM base)
SELECT as_of, client_id, name, manager_id, not_due, o1, o2, o3, o4, advance,
    not_due + coalesce(o1, 0) + coalesce(o2, 0) + coalesce(o3, 0) + coalesce(o4, 0) - advance
FROM amounts;

INSERT INTO marts.credit_control
SELECT r.as_of, r.client_id, r.client_name, r.manager_id,
    CASE WHEN substr(r.client_id, 2)::INTEGER % 5 = 0 THEN 150000 ELSE c.credit_limit END AS credit_limit,
    c.payment_terms_days, c.payment_terms_days + 7, r.balance, r.balance + r.advance,
    coalesce(r.overdue_1_30, 0) + coalesce(r.overdue_31_60, 0) + coalesce(r.overdue_61_90, 0) + coalesce(r.overdue_90_plus, 0),
    r.advance, NULL, NULL,
    CASE WHEN r.overdue_90_plus > 0 THEN 95 WHEN r.overdue_61_90 > 0 THEN 70 WHEN r.overdue_31_60 > 0 THEN 40 WHEN r.overdue_1_30 > 0 THEN 12 ELSE 0 END,
    0,
    r.balance > CASE WHEN substr(r.client_id, 2)::INTEGER % 5 = 0 THEN 150000 ELSE c.credit_limit END,
    coalesce(r.overdue_61_90, 0) + coalesce(r.overdue_90_plus, 0) > 0
FROM marts.receivables_ageing r JOIN main.clients c USING (client_id);

-- Segment share estimates for September and October 2026.
INSERT INTO marts.competitor_share
WITH seg AS (
    SELECT m.month, s.segment, s.category, sum(s.net_sales) / 12 AS ours,
        0.30 + 0.05 * (length(s.segment) % 5) AS share
    FROM (VALUES (DATE '2026-09-01'), (DATE '2026-10-01')) AS m(month)
    JOIN marts.sales_monthly s ON s.month <= m.month AND s.month > m.month - INTERVAL 12 MONTH
    GROUP BY ALL)
SELECT month, least(last_day(month), DATE '2026-10-20'), 'segment', segment, NULL, category,
    round(ours, 2), round(ours / share - ours, 2), round(ours / share, 2),
    share, share - 0.10, least(share + 0.15, 1), 2 + length(segment) % 3, 2, 3, false
FROM seg;

-- Variable pay of October 2026 for every manager employed then.
INSERT INTO marts.pay_gap_value
WITH m AS (
    SELECT manager_id, name, variable_target, row_number() OVER (ORDER BY manager_id) AS i
    FROM main.managers WHERE left_on IS NULL OR left_on >= DATE '2026-10-01'),
pay AS (SELECT *, round(variable_target * (0.5 + 0.1 * (i % 5)), 2) AS pay_now FROM m)
SELECT '2026-10', DATE '2026-10-20', manager_id, name, 'standard', kpi, weight, NULL, NULL, NULL, NULL,
    pay_now, pay_now + gap, gap, ''
FROM pay, LATERAL (VALUES
    ('sales', 0.6, CASE WHEN i % 3 = 0 THEN 0 ELSE round(variable_target * 0.2, 2) END),
    ('active_clients', 0.2, round(variable_target * 0.05 * (i % 2), 2)),
    ('new_clients', 0.2, round(variable_target * 0.1, 2)),
    ('all', NULL, round(variable_target * 0.3, 2))) AS k(kpi, weight, gap);
`
