-- @grain: one row per month, client and manager with shipments
-- @materialize: view
-- @description: distinct orders shipped per client, manager and month (an order whose lines ship in two months counts in both; lines of one order credited to two managers count for both); counted with the sales of the month in core_sales_monthly (client_orders), whose manager_id '' is NULL here
with

monthly as (
    select * from core.core_sales_monthly
    where client_orders > 0
),

final as (
    select
        month,
        client_id,
        nullif(manager_id, '') as manager_id,
        max(client_orders) as orders
    from monthly
    group by all
)

select * from final
