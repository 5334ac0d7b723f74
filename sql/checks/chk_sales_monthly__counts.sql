-- @description: the counts of every row of sales_monthly agree with its lines (on the months the build recomputed: check_from): a row with shipped lines has 1 to lines orders and 1 to lines distinct SKUs; a row of returns only has none. A client's orders of the month across categories (client_orders in core_sales_monthly) are at least its orders in any one category
select month, client_id, category, manager_id, orders, lines, skus, null as client_orders
from marts.sales_monthly
where month >= coalesce(date_trunc('month', getvariable('check_from'))::date, date '0001-01-01')
    and ((lines = 0 and (orders <> 0 or skus <> 0))
        or (lines > 0 and (orders not between 1 and lines or skus not between 1 and lines)))
union all
select month, client_id, category, manager_id, orders, lines, skus, client_orders
from core.core_sales_monthly
where month >= coalesce(date_trunc('month', getvariable('check_from'))::date, date '0001-01-01')
    and client_orders < orders
