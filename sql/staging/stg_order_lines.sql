-- @description: order lines; empty shipped/refused quantities are 0
select
    order_id,
    line_no,
    order_date,
    client_id,
    manager_id,
    sku,
    qty,
    price,
    coalesce(shipped_qty, 0) as shipped_qty,
    shipped_on,
    coalesce(refused_qty, 0) as refused_qty,
    refusal_reason
from main.order_lines
