-- @grain: one row per month and client active at the month's period end
-- @incremental: month by month
-- @description: a client is active at date D when its net sales in the trailing window ending on D (active_window_days, default 90: D and the 89 days before) are above zero; counted for the manager assigned on D
with

daily as (
    select * from core.core_sales_daily
    where event_date > coalesce(getvariable('rebuild_from'), date '0001-01-01') - cast(getvariable('active_window_days') as integer)
),

months as (
    select * from core.core_calendar_months
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

assignments as (
    select * from staging.stg_client_assignments
),

client_daily as (
    select client_id, event_date, sum(net_amount) as amount
    from daily
    group by all
),

window_sales as (
    select
        months.month,
        months.period_end,
        client_daily.client_id,
        sum(client_daily.amount) as window_net_sales
    from months
    join client_daily
        on client_daily.event_date <= months.period_end
        and client_daily.event_date > months.period_end - cast(getvariable('active_window_days') as integer)
    group by all
),

final as (
    select
        window_sales.month,
        window_sales.period_end,
        window_sales.client_id,
        assignments.manager_id,
        window_sales.window_net_sales
    from window_sales
    left join assignments
        on assignments.client_id = window_sales.client_id
        and window_sales.period_end >= assignments.valid_from
        and window_sales.period_end < assignments.valid_to
    where window_sales.window_net_sales > 0
)

select * from final
