-- @grain: one row per month, client and manager with shipments
-- @incremental: month by month
-- @description: distinct orders shipped per client, manager and month (an order whose lines ship in two months counts in both; lines of one order credited to two managers count for both)
with

events as (
    select * from core.core_sales_events
    where event_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
        and event_kind = 'shipment'
),

final as (
    select
        date_trunc('month', event_date)::date as month,
        client_id,
        manager_id,
        count(distinct order_id) as orders
    from events
    group by all
)

select * from final
