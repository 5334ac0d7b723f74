-- @description: invoices (realisations) as loaded; due_date stays empty when the file left it empty (core_receivable_invoices fills it from the client's payment terms)
select
    invoice_id,
    invoice_date,
    client_id,
    order_id,
    amount,
    due_date
from main.invoices
