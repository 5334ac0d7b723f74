-- @grain: one row per month from the first event month to the as-of month
-- @incremental: month by month
-- @description: month spine; period_end is the month's last day, or the as-of date for the month in progress
with

plans as (
    select * from staging.stg_plans
),

-- a plan's period is YYYY-MM, YYYY-Qn or YYYY
plan_periods as (
    select
        case
            when regexp_full_match(period, '[0-9]{4}-[0-9]{2}') then strptime(period, '%Y-%m')::date
            when regexp_full_match(period, '[0-9]{4}-Q[1-4]') then make_date(cast(left(period, 4) as integer), cast(right(period, 1) as integer) * 3 - 2, 1)
            when regexp_full_match(period, '[0-9]{4}') then make_date(cast(period as integer), 1, 1)
        end as period_start
    from plans
),

bounds as (
    select
        date_trunc('month', least(
            coalesce((select min(event_date) from core.core_sales_daily), getvariable('as_of')),
            coalesce((select min(period_start) from plan_periods), getvariable('as_of'))
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
