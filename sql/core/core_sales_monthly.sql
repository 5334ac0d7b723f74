-- @grain: one row per month, client, category and manager with sales events
-- @incremental: month by month
-- @chunks: 3 months
-- @description: sales events aggregated per month, client, product category and manager (manager_id '' when no assignment covers the event); the body of sales_monthly. client_orders is the client's distinct orders shipped that month and credited to that manager, across all categories (the same on each of its rows of the month and manager): core_client_orders_monthly reads it
with

events as (
    select * from core.core_sales_events
    where event_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
        and event_date < coalesce(getvariable('rebuild_to'), date '9999-12-31')
),

-- every category a row can carry, '(none)' included (SKUs without a category or missing from the products),
-- numbered: an order's categories are the set bits of one 128-bit integer (category_bit; none from number 127 on)
categories as (
    select
        category,
        category_index,
        case when category_index < 127 then cast(1 as hugeint) << cast(category_index as integer) end as category_bit
    from (
        select
            category,
            row_number() over (order by category) - 1 as category_index
        from (
            select coalesce(category, '(none)') as category from staging.stg_products
            union
            select '(none)'
        )
    )
),

-- each product's place among the products of its category: a client's distinct SKUs of a category are the set
-- bits of one 128-bit integer too (sku_bit; none from place 127 on). A count(distinct …) made DuckDB's aggregation
-- here ≈ 30 % slower for each; what the bits cannot hold falls back to count(distinct …) below. The bits are
-- computed once per product, not per line (11 % of the model)
products as (
    select
        *,
        case when category_place < 127 then cast(1 as hugeint) << cast(category_place as integer) end as sku_bit
    from (
        select
            products.sku,
            categories.category,
            categories.category_index,
            categories.category_bit,
            row_number() over (partition by categories.category order by products.sku) - 1 as category_place
        from staging.stg_products as products
        join categories
            on categories.category = coalesce(products.category, '(none)')
    )
),

lines as (
    select
        date_trunc('month', events.event_date)::date as month,
        events.client_id,
        -- an unknown SKU is filed under '(none)', and counted by the fallback below
        coalesce(products.category_index, (select category_index from categories where category = '(none)')) as category_index,
        coalesce(events.manager_id, '') as manager_id,
        events.event_kind = 'shipment' as is_shipment,
        events.order_id,
        events.qty,
        events.amount,
        products.category_bit,
        products.sku_bit,
        case when products.sku_bit is null then events.sku end as sku_beyond_bits
    from events
    left join products
        on products.sku = events.sku
),

sales as (
    select
        month,
        client_id,
        category_index,
        manager_id,
        cast(coalesce(sum(amount) filter (where is_shipment), 0) as decimal(38, 8)) as shipped_amount,
        cast(coalesce(-sum(amount) filter (where not is_shipment), 0) as decimal(38, 8)) as returns_amount,
        cast(sum(amount) as decimal(38, 8)) as net_sales,
        cast(coalesce(sum(qty) filter (where is_shipment), 0) as decimal(38, 8)) as qty_shipped,
        count(*) filter (where is_shipment) as lines,
        coalesce(bit_count(bit_or(sku_bit) filter (where is_shipment)), 0) as skus_in_bits
    from lines
    group by all
),

-- the rows the bits cannot hold (SKUs from place 127 on or missing from the products, categories from number 127
-- on; any line of an unknown SKU), counted apart: a count(distinct …) in the aggregation above slowed it down even with nothing to count
beyond_bits as (
    select
        month,
        client_id,
        category_index,
        manager_id,
        count(distinct order_id) filter (where category_bit is null) as orders,
        count(distinct sku_beyond_bits) filter (where is_shipment) as skus
    from lines
    where category_bit is null
        or sku_bit is null
    group by all
),

-- one row per order shipped in the month, with the categories it has lines of
orders as (
    select
        month,
        client_id,
        manager_id,
        order_id,
        bit_or(category_bit) as category_bits
    from lines
    where order_id is not null
    group by all
),

category_orders as (
    select
        orders.month,
        orders.client_id,
        orders.manager_id,
        categories.category_index,
        count(*) as orders
    from orders
    join categories
        on categories.category_bit is not null
        and orders.category_bits & categories.category_bit <> 0
    group by all
),

client_orders as (
    select
        month,
        client_id,
        manager_id,
        count(*) as client_orders
    from orders
    group by all
),

final as (
    select
        sales.month,
        sales.client_id,
        categories.category,
        sales.manager_id,
        sales.shipped_amount,
        sales.returns_amount,
        sales.net_sales,
        sales.qty_shipped,
        coalesce(category_orders.orders, 0) + coalesce(beyond_bits.orders, 0) as orders,
        sales.lines,
        cast(sales.skus_in_bits + coalesce(beyond_bits.skus, 0) as bigint) as skus,
        coalesce(client_orders.client_orders, 0) as client_orders
    from sales
    join categories
        on categories.category_index = sales.category_index
    left join category_orders
        on category_orders.month = sales.month
        and category_orders.client_id = sales.client_id
        and category_orders.manager_id = sales.manager_id
        and category_orders.category_index = sales.category_index
    left join beyond_bits
        on beyond_bits.month = sales.month
        and beyond_bits.client_id = sales.client_id
        and beyond_bits.manager_id = sales.manager_id
        and beyond_bits.category_index = sales.category_index
    left join client_orders
        on client_orders.month = sales.month
        and client_orders.client_id = sales.client_id
        and client_orders.manager_id = sales.manager_id
)

select * from final
