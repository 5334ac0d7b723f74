-- @grain: one row per month from the first event month to the as-of month
-- @description: month spine; period_end is the month's last day, or the as-of date for the month in progress
with

bounds as (
    select
        date_trunc('month', least(
            coalesce((select min(event_date) from core.core_sales_events), getvariable('as_of')),
            coalesce((select min(strptime(period, '%Y-%m')::date) from staging.stg_plans), getvariable('as_of'))
        ))::date as first_month,
        date_trunc('month', getvariable('as_of'))::date as last_month
),

months as (
    select unnest(generate_series(first_month, last_month, interval 1 month))::date as month
    from bounds
),

final as (
    select
        month,
        strftime(month, '%Y-%m') as period,
        (month + interval 1 month - interval 1 day)::date as month_end,
        least((month + interval 1 month - interval 1 day)::date, getvariable('as_of')::date) as period_end,
        (month + interval 1 month - interval 1 day)::date > getvariable('as_of')::date as is_in_progress
    from months
)

select * from final
