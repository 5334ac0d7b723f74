-- @grain: one row per month, kind (return or refusal), reason, client, SKU and manager
-- @unique: month, kind, reason, client_id, sku, manager_id
-- @not_null: month, kind, reason, client_id, sku, manager_id, events, amount
-- @incremental: month by month
-- @description: returns (credit notes, by return_date, their amount) and refusals at delivery (order lines with refused_qty, by shipped_on or else order_date, refused_qty × price), by reason, client and SKU; reason, sku and manager_id are '' when unknown. The manager is the one the line names, else the one assigned to the client on the event date
with

returns as (
    select * from staging.stg_returns
    where return_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

-- a refusal is dated by its shipment, else its order: two filters the scan can prune by, instead of one on coalesce()
order_lines as (
    select * from staging.stg_order_lines
    where refused_qty > 0
        and shipped_on >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
    union all
    select * from staging.stg_order_lines
    where refused_qty > 0
        and shipped_on is null
        and order_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

assignments as (
    select * from staging.stg_client_assignments
),

clients as (
    select * from staging.stg_clients
),

products as (
    select * from staging.stg_products
),

events as (
    select
        'return' as kind,
        return_date as event_date,
        client_id,
        null as named_manager_id,
        sku,
        reason,
        coalesce(qty, 0) as qty,
        amount
    from returns
    union all
    select
        'refusal',
        coalesce(shipped_on, order_date),
        client_id,
        manager_id,
        sku,
        refusal_reason,
        refused_qty,
        refused_qty * price
    from order_lines
),

attributed as (
    select
        date_trunc('month', events.event_date)::date as month,
        events.kind,
        coalesce(events.reason, '') as reason,
        events.client_id,
        coalesce(events.sku, '') as sku,
        coalesce(events.named_manager_id, assignments.manager_id, '') as manager_id,
        events.qty,
        events.amount
    from events
    left join assignments
        on assignments.client_id = events.client_id
        and events.event_date >= assignments.valid_from
        and events.event_date < assignments.valid_to
    -- as of the build's date: later events of its month are not known yet
    where events.event_date <= getvariable('as_of')::date
),

final as (
    select
        attributed.month,
        attributed.kind,
        attributed.reason,
        attributed.client_id,
        clients.client_name,
        attributed.sku,
        products.product_name,
        products.category,
        attributed.manager_id,
        count(*) as events,
        cast(sum(attributed.qty) as decimal(38, 8)) as qty,
        cast(sum(attributed.amount) as decimal(38, 8)) as amount
    from attributed
    left join clients
        on clients.client_id = attributed.client_id
    left join products
        on products.sku = attributed.sku
    group by all
)

-- written in date order: a parallel write leaves part-filled row groups, which the build's checkpoint then rewrites
select * from final order by month
