-- @grain: one row per document that adds to what a client owes: an invoice with a positive amount, or a payment or return with a negative amount (money paid back to the client)
-- @materialize: view
-- @description: what clients owe, with the due date resolved: an invoice without due_date is due invoice_date + the client's payment_terms_days (0 when the client has none or is unknown); a due date before the invoice date is read as the invoice date; a negative payment or return is owed at once (due on its own date). Invoices of amount 0 are left out; negative invoices are credits (core_receivable_credits)
with

invoices as (
    select * from staging.stg_invoices
),

payments as (
    select * from core.core_payments_matched
),

returns as (
    select * from staging.stg_returns
),

clients as (
    select * from staging.stg_clients
),

invoice_debits as (
    select
        invoices.invoice_id as document_id,
        'invoice' as document_kind,
        invoices.client_id,
        invoices.invoice_date as document_date,
        greatest(
            coalesce(invoices.due_date, invoices.invoice_date + cast(coalesce(clients.payment_terms_days, 0) as integer)),
            invoices.invoice_date
        ) as due_date,
        invoices.amount
    from invoices
    left join clients
        on clients.client_id = invoices.client_id
    where invoices.amount > 0
),

refund_debits as (
    select
        payment_id as document_id,
        'payment' as document_kind,
        client_id,
        paid_on as document_date,
        paid_on as due_date,
        -amount as amount
    from payments
    where amount < 0
        and client_id is not null
    union all
    select
        return_id,
        'return',
        client_id,
        return_date,
        return_date,
        -amount
    from returns
    where amount < 0
),

final as (
    select
        document_id,
        document_kind,
        client_id,
        document_date,
        due_date,
        cast(amount as decimal(18, 4)) as amount
    from invoice_debits
    union all
    select
        document_id,
        document_kind,
        client_id,
        document_date,
        due_date,
        cast(amount as decimal(18, 4)) as amount
    from refund_debits
)

select * from final
