-- @description: net sales = shipped − returns on every row, and the mart's total equals the events' total
select month, client_id, category, manager_id, shipped_amount, returns_amount, net_sales
from marts.sales_monthly
where net_sales <> shipped_amount - returns_amount
union all
select null, 'TOTAL', null, null, null, null, (select sum(net_sales) from marts.sales_monthly)
where (select coalesce(sum(net_sales), 0) from marts.sales_monthly)
    <> (select coalesce(sum(amount), 0) from core.core_sales_events)
