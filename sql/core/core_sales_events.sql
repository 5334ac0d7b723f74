-- @grain: one row per shipped order line and per return
-- @materialize: view
-- @as_of_cut: event_date
-- @description: the events net sales are made of: shipments (+ shipped_qty × price on shipped_on) and returns (− amount on return_date), each attributed to the manager the event names, else to the manager assigned to the client on the event date. event_id is order_id/line_no or the return_id. A view: models that read it aggregate it, filtered to the dates they rebuild; the category comes from staging.stg_products
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

shipments as (
    select
        'shipment' as event_kind,
        order_id || '/' || line_no as event_id,
        order_id as document_id,
        line_no,
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
        return_id as document_id,
        null as line_no,
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
        events.document_id,
        events.line_no,
        events.event_date,
        date_trunc('month', events.event_date)::date as month,
        events.client_id,
        coalesce(events.named_manager_id, assignments.manager_id) as manager_id,
        events.order_id,
        events.sku,
        events.qty,
        events.amount
    from events
    left join assignments
        on assignments.client_id = events.client_id
        and events.event_date >= assignments.valid_from
        and events.event_date < assignments.valid_to
)

select * from final
