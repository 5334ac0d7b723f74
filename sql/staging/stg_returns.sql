-- @description: returns (credit notes)
select
    return_id,
    return_date,
    client_id,
    nullif(trim(invoice_id), '') as invoice_id,
    sku,
    qty,
    amount,
    reason
from main.returns
