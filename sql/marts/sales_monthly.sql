-- @grain: one row per month, client, category and manager
-- @unique: month, client_id, category, manager_id
-- @not_null: month, client_id, category, net_sales
-- @description: sales history: net sales (shipped − returns) of each client and product category per month, attributed to the manager by assignment at each event's date (a client reassigned mid-month has one row per manager); manager_id is '' when no assignment covers the event
with

events as (
    select * from core.core_sales_events
),

clients as (
    select * from staging.stg_clients
),

final as (
    select
        events.month,
        events.client_id,
        clients.client_name,
        clients.segment,
        events.category,
        coalesce(events.manager_id, '') as manager_id,
        sum(events.amount) filter (where events.event_kind = 'shipment') as shipped_amount,
        -sum(events.amount) filter (where events.event_kind = 'return') as returns_amount,
        sum(events.amount) as net_sales,
        sum(events.qty) filter (where events.event_kind = 'shipment') as qty_shipped,
        count(distinct events.order_id) as orders,
        count(*) filter (where events.event_kind = 'shipment') as lines,
        count(distinct events.sku) filter (where events.event_kind = 'shipment') as skus
    from events
    left join clients
        on clients.client_id = events.client_id
    group by all
)

select
    month,
    client_id,
    client_name,
    segment,
    category,
    manager_id,
    coalesce(shipped_amount, 0)::decimal(38, 8) as shipped_amount,
    coalesce(returns_amount, 0)::decimal(38, 8) as returns_amount,
    net_sales::decimal(38, 8) as net_sales,
    coalesce(qty_shipped, 0)::decimal(38, 8) as qty_shipped,
    orders,
    lines,
    skus
from final
