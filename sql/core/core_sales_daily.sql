-- @grain: one row per event date, client and manager with sales events
-- @incremental: event_date
-- @description: net sales per client, manager and day (shipments − returns), with the shipped part apart; what the active client base, first shipments and plan actuals are computed from
with

events as (
    select * from core.core_sales_events
    where event_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

final as (
    select
        event_date,
        client_id,
        manager_id,
        cast(sum(amount) filter (where event_kind = 'shipment') as decimal(38, 8)) as shipped_amount,
        cast(sum(amount) as decimal(38, 8)) as net_amount,
        count(*) filter (where event_kind = 'shipment') as shipped_lines
    from events
    group by all
)

select * from final
