-- @description: incoming payments (bank statements) as loaded; client_id may be empty (matched through payer_inn in core_payments_matched); INN and client text are trimmed
select
    payment_id,
    paid_on,
    nullif(trim(client_id), '') as client_id,
    nullif(trim(payer_inn), '') as payer_inn,
    amount,
    nullif(trim(invoice_id), '') as invoice_id,
    purpose
from main.payments
