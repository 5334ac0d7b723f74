-- @grain: one row per promotion that started on or before as_of
-- @unique: promo_id
-- @not_null: promo_id, starts_on, during_from, during_to, before_from, before_to, net_sales_during, net_sales_before
-- @incremental: during_to
-- @description: sales uplift of each promotion: net sales of what it covers (its SKU, else its category, else everything) during the promotion (starts_on to ends_on, both included, cut at as_of while it runs) against the same number of days just before it starts. uplift = net_sales_during / net_sales_before - 1 (empty when the span before had no positive sales); clients count distinct clients with shipments in each span
with

promotions as (
    select * from staging.stg_promotions
),

products as (
    select * from staging.stg_products
),

spans as (
    select
        promo_id,
        promo_name,
        starts_on,
        ends_on,
        category,
        sku,
        discount_pct,
        starts_on as during_from,
        least(ends_on, getvariable('as_of')::date) as during_to,
        (starts_on - cast(least(ends_on, getvariable('as_of')::date) - starts_on + 1 as integer))::date as before_from,
        (starts_on - 1)::date as before_to,
        ends_on > getvariable('as_of')::date as is_in_progress
    from promotions
    where starts_on <= getvariable('as_of')::date
        and ends_on >= starts_on
        and least(ends_on, getvariable('as_of')::date) >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

-- the shipments and returns of core_sales_events, read without its manager attribution (not needed here)
-- read by both joins below: not materialized, so that no promotion in the window means no scan
sales_events as not materialized (
    select
        shipped_on as event_date,
        'shipment' as event_kind,
        client_id,
        sku,
        shipped_qty as qty,
        cast(shipped_qty * price as decimal(38, 8)) as amount
    from staging.stg_order_lines
    where shipped_on is not null
        and shipped_qty <> 0
    union all
    select
        return_date,
        'return',
        client_id,
        sku,
        -coalesce(qty, 0),
        cast(-amount as decimal(38, 8))
    from staging.stg_returns
),

-- what a promotion of a SKU or a category covers, as SKUs: its own, else those of its category (read once,
-- with one join, instead of the events again per kind of promotion)
promo_skus as (
    select promo_id, during_from, before_from, during_to, sku
    from spans
    where sku is not null
    union all
    select spans.promo_id, spans.during_from, spans.before_from, spans.during_to, products.sku
    from spans
    join products
        on products.category = spans.category
    where spans.sku is null
        and spans.category is not null
),

-- the days a promotion of everything looks at, one row each: a hash join on the date, where a range join would
-- sort all the events
all_days as (
    select promo_id, during_from, unnest(generate_series(before_from, during_to, interval 1 day))::date as event_date
    from spans
    where sku is null
        and category is null
),

events as not materialized (
    select *
    from sales_events
    -- DuckDB does not prune the scan by the subquery's date, but an empty EXISTS skips it: an incremental build
    -- with no promotion in the rebuilt window reads nothing
    where sales_events.event_date >= (select min(before_from) from spans)
        and exists (select 1 from spans)
),

-- a promotion covers its SKU, else its category, else everything
matched as (
    select promo_skus.promo_id, promo_skus.during_from, events.*
    from promo_skus
    join events
        on events.sku = promo_skus.sku
        and events.event_date between promo_skus.before_from and promo_skus.during_to
    union all
    select all_days.promo_id, all_days.during_from, events.*
    from all_days
    join events
        on events.event_date = all_days.event_date
),

totals as (
    select
        promo_id,
        sum(amount) filter (where event_date >= during_from) as net_sales_during,
        sum(amount) filter (where event_date < during_from) as net_sales_before,
        sum(qty) filter (where event_date >= during_from and event_kind = 'shipment') as qty_during,
        sum(qty) filter (where event_date < during_from and event_kind = 'shipment') as qty_before,
        count(distinct client_id) filter (where event_date >= during_from and event_kind = 'shipment') as clients_during,
        count(distinct client_id) filter (where event_date < during_from and event_kind = 'shipment') as clients_before
    from matched
    group by all
),

final as (
    select
        spans.promo_id,
        spans.promo_name,
        spans.starts_on,
        spans.ends_on,
        spans.category,
        spans.sku,
        spans.discount_pct,
        spans.during_from,
        spans.during_to,
        spans.before_from,
        spans.before_to,
        cast(spans.during_to - spans.during_from + 1 as integer) as days,
        spans.is_in_progress,
        cast(coalesce(totals.net_sales_during, 0) as decimal(38, 8)) as net_sales_during,
        cast(coalesce(totals.net_sales_before, 0) as decimal(38, 8)) as net_sales_before,
        cast(coalesce(totals.qty_during, 0) as decimal(38, 8)) as qty_during,
        cast(coalesce(totals.qty_before, 0) as decimal(38, 8)) as qty_before,
        coalesce(totals.clients_during, 0) as clients_during,
        coalesce(totals.clients_before, 0) as clients_before,
        -- nothing sold during it is an uplift of -1 (the sum of no rows during it is NULL)
        case when totals.net_sales_before > 0
            then kam_ratio4(coalesce(totals.net_sales_during, 0) - totals.net_sales_before, totals.net_sales_before) end::decimal(18, 4) as uplift
    from spans
    left join totals
        on totals.promo_id = spans.promo_id
)

select * from final
