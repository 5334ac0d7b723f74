-- @description: returns (credit notes) as loaded (kam ingest stores text trimmed and an empty value as NULL)
select
    return_id,
    return_date,
    client_id,
    invoice_id,
    sku,
    qty,
    amount,
    reason
from main.returns
