-- @description: net sales = shipped − returns on every row of sales_monthly, and every month's total equals the month's total of the daily sales the other marts use (on the months the build recomputed: check_from)
with

monthly as (
    select month, sum(net_sales) as net_sales
    from marts.sales_monthly
    where month >= coalesce(date_trunc('month', getvariable('check_from'))::date, date '0001-01-01')
    group by all
),

daily as (
    select date_trunc('month', event_date)::date as month, sum(net_amount) as net_sales
    from core.core_sales_daily
    where event_date >= coalesce(date_trunc('month', getvariable('check_from'))::date, date '0001-01-01')
    group by all
)

select month, client_id, category, manager_id, shipped_amount, returns_amount, net_sales, null as daily_net_sales
from marts.sales_monthly
where month >= coalesce(date_trunc('month', getvariable('check_from'))::date, date '0001-01-01')
    and net_sales <> shipped_amount - returns_amount
union all
select coalesce(monthly.month, daily.month), 'TOTAL', null, null, null, null, monthly.net_sales, daily.net_sales
from monthly
full join daily
    on daily.month = monthly.month
where monthly.net_sales is distinct from daily.net_sales
