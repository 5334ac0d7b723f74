-- @grain: one row per client that was ever shipped to
-- @description: the client's first ever shipment (even if later returned) and the manager it is credited to: the one the event names, else the one assigned on that date
with

shipments as (
    select * from core.core_sales_events where event_kind = 'shipment'
),

ranked as (
    select
        client_id,
        event_date,
        manager_id,
        row_number() over (partition by client_id order by event_date, manager_id nulls last, event_id) as rn
    from shipments
),

final as (
    select
        client_id,
        event_date as first_shipped_on,
        date_trunc('month', event_date)::date as first_month,
        manager_id
    from ranked
    where rn = 1
)

select * from final
