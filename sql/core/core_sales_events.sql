-- @grain: one row per shipped order line and per return
-- @description: the events net sales are made of: shipments (+ shipped_qty × price on shipped_on) and returns (− amount on return_date), each attributed to the manager the event names, else to the manager assigned to the client on the event date
with

order_lines as (
    select * from staging.stg_order_lines
),

returns as (
    select * from staging.stg_returns
),

assignments as (
    select * from staging.stg_client_assignments
),

products as (
    select * from staging.stg_products
),

shipments as (
    select
        'shipment' as event_kind,
        order_id || '/' || line_no as event_id,
        shipped_on as event_date,
        client_id,
        manager_id as named_manager_id,
        order_id,
        sku,
        shipped_qty as qty,
        cast(shipped_qty * price as decimal(38, 8)) as amount
    from order_lines
    where shipped_on is not null
        and shipped_qty <> 0
),

credit_notes as (
    select
        'return' as event_kind,
        return_id as event_id,
        return_date as event_date,
        client_id,
        null as named_manager_id,
        null as order_id,
        sku,
        -coalesce(qty, 0) as qty,
        cast(-amount as decimal(38, 8)) as amount
    from returns
),

events as (
    select * from shipments
    union all
    select * from credit_notes
),

final as (
    select
        events.event_kind,
        events.event_id,
        events.event_date,
        date_trunc('month', events.event_date)::date as month,
        events.client_id,
        coalesce(events.named_manager_id, assignments.manager_id) as manager_id,
        events.order_id,
        events.sku,
        coalesce(products.category, '(none)') as category,
        events.qty,
        events.amount
    from events
    left join assignments
        on assignments.client_id = events.client_id
        and events.event_date >= assignments.valid_from
        and events.event_date < assignments.valid_to
    left join products
        on products.sku = events.sku
)

select * from final
