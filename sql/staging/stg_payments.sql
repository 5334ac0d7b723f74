-- @description: incoming payments (bank statements) as loaded; client_id may be empty (matched through payer_inn in core_payments_matched). Text needs no trimming here: kam ingest stores every value trimmed and an empty one as NULL (and trimming 1.7 M rows on each of the several reads cost more than the rest of the read)
select
    payment_id,
    paid_on,
    client_id,
    payer_inn,
    amount,
    invoice_id,
    purpose
from main.payments
