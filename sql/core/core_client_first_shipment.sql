-- @grain: one row per client that was ever shipped to
-- @unchanged_before: first_shipped_on
-- @description: the client's first ever shipment (even if later returned) and the manager it is credited to: the one the event names, else the one assigned on that date, else none (when two managers shipped on that first day, the first by manager_id; a manager before none)
with

daily as (
    select * from core.core_sales_daily
),

final as (
    select
        client_id,
        min(event_date) as first_shipped_on,
        date_trunc('month', min(event_date))::date as first_month,
        -- arg_min_null: arg_min skips rows whose manager is NULL and would credit a later shipment's manager
        arg_min_null(manager_id, (event_date, manager_id is null, manager_id)) as manager_id
    from daily
    where shipped_lines > 0
    group by client_id
)

select * from final
