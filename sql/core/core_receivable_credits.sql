-- @grain: one row per document that reduces what a client owes: a matched payment or a return with a positive amount, or an invoice with a negative amount
-- @materialize: view
-- @description: credits with the invoice they name (named_invoice_id, as given). A name counts when that invoice exists for the same client (core_receivable_applications): the credit goes to it, as prepaid money until the invoice's date; a credit naming nothing, an unknown invoice or another client's goes to the client's oldest-due-first pool. Unmatched payments (no client) are left out: see unmatched_payments
with

payments as (
    select * from core.core_payments_matched
),

returns as (
    select * from staging.stg_returns
),

invoices as (
    select * from staging.stg_invoices
),

final as (
    select
        'payment' as document_kind,
        payment_id as document_id,
        client_id,
        paid_on as document_date,
        cast(amount as decimal(18, 4)) as amount,
        invoice_id as named_invoice_id
    from payments
    where amount > 0
        and client_id is not null
    union all
    select
        'return',
        return_id,
        client_id,
        return_date,
        cast(amount as decimal(18, 4)),
        invoice_id
    from returns
    where amount > 0
    union all
    select
        'invoice',
        invoice_id,
        client_id,
        invoice_date,
        cast(-amount as decimal(18, 4)),
        null
    from invoices
    where amount < 0
)

select * from final
