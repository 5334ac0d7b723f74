-- @grain: one row per receivables snapshot date
-- @incremental: as_of
-- @description: the dates receivables are computed as of: every month end from the first receivable movement's month up to the last month end before as_of, plus as_of itself; only as_of when the session variable as_of_only is true (models.QueryAsOf, kam export --as-of)
with

daily as (
    select * from core.core_receivable_daily
),

bounds as (
    select
        date_trunc('month', min(movement_date))::date as first_month,
        getvariable('as_of')::date as as_of
    from daily
),

month_ends as (
    select (unnest(generate_series(first_month, as_of, interval 1 month)) + interval 1 month - interval 1 day)::date as as_of
    from bounds
    where not coalesce(getvariable('as_of_only'), false)
),

final as (
    select as_of from month_ends where as_of < getvariable('as_of')::date
    union
    select getvariable('as_of')::date
)

select * from final
