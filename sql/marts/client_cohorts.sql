-- @grain: one row per cohort month and calendar month from the cohort month up to the as-of month
-- @unique: cohort_month, month
-- @not_null: cohort_month, month, months_since, cohort_clients, buying_clients, retention
-- @incremental: month by month
-- @description: retention by cohort: a client's cohort is the month of its first ever shipment (the new-client rule); for every later month, how many of the cohort's clients bought (shipped anything) that month, retention = buying_clients / cohort_clients (4 decimals), and the cohort's net sales that month
with

first_shipments as (
    select * from core.core_client_first_shipment
),

sales as (
    select * from marts.sales_monthly
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

months as (
    select * from core.core_calendar_months
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

cohorts as (
    select
        first_month as cohort_month,
        count(*) as cohort_clients
    from first_shipments
    group by all
),

client_months as (
    select
        sales.month,
        sales.client_id,
        sum(sales.shipped_amount) as shipped_amount,
        sum(sales.net_sales) as net_sales
    from sales
    group by all
),

activity as (
    select
        first_shipments.first_month as cohort_month,
        client_months.month,
        count(*) filter (where client_months.shipped_amount > 0) as buying_clients,
        sum(client_months.net_sales) as net_sales
    from client_months
    join first_shipments
        on first_shipments.client_id = client_months.client_id
    group by all
),

final as (
    select
        cohorts.cohort_month,
        months.month,
        cast(datediff('month', cohorts.cohort_month, months.month) as integer) as months_since,
        cohorts.cohort_clients,
        coalesce(activity.buying_clients, 0) as buying_clients,
        kam_ratio4(coalesce(activity.buying_clients, 0), cohorts.cohort_clients)::decimal(18, 4) as retention,
        coalesce(activity.net_sales, 0)::decimal(38, 8) as net_sales
    from cohorts
    join months
        on months.month >= cohorts.cohort_month
    left join activity
        on activity.cohort_month = cohorts.cohort_month
        and activity.month = months.month
)

select * from final
