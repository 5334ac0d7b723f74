-- @grain: one row per month, client, category and manager with sales events
-- @incremental: month by month
-- @chunks: 1 month
-- @description: sales events aggregated per month, client, product category and manager (manager_id '' when no assignment covers the event); the body of sales_monthly
with

events as (
    select * from core.core_sales_events
    where event_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
        and event_date < coalesce(getvariable('rebuild_to'), date '9999-12-31')
),

-- each product's place among the products of its category: a client's distinct SKUs of a category are counted as
-- bits of one 128-bit integer (a second count(distinct …) made DuckDB's aggregation here ≈ 30 % slower);
-- places from 127 on and SKUs missing from the products fall back to count(distinct sku)
products as (
    select
        *,
        row_number() over (partition by coalesce(category, '(none)') order by sku) - 1 as category_place
    from staging.stg_products
),

final as (
    select
        date_trunc('month', events.event_date)::date as month,
        events.client_id,
        coalesce(products.category, '(none)') as category,
        coalesce(events.manager_id, '') as manager_id,
        cast(coalesce(sum(events.amount) filter (where events.event_kind = 'shipment'), 0) as decimal(38, 8)) as shipped_amount,
        cast(coalesce(-sum(events.amount) filter (where events.event_kind = 'return'), 0) as decimal(38, 8)) as returns_amount,
        cast(sum(events.amount) as decimal(38, 8)) as net_sales,
        cast(coalesce(sum(events.qty) filter (where events.event_kind = 'shipment'), 0) as decimal(38, 8)) as qty_shipped,
        count(distinct events.order_id) as orders,
        count(*) filter (where events.event_kind = 'shipment') as lines,
        cast(coalesce(bit_count(bit_or(
                case when products.category_place < 127 then cast(1 as hugeint) << cast(products.category_place as integer) end
            ) filter (where events.event_kind = 'shipment')), 0)
            + count(distinct events.sku)
                filter (where events.event_kind = 'shipment' and (products.category_place is null or products.category_place >= 127))
            as bigint) as skus
    from events
    left join products
        on products.sku = events.sku
    group by all
)

select * from final
