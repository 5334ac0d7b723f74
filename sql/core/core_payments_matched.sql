-- @grain: one row per payment
-- @materialize: view
-- @description: payments with the client they belong to: the client_id the bank row carries, else the one client whose INN equals payer_inn, else the client of the invoice the payment names (a payer outside the CRM, e.g. a founder paying for the company: the payment is applied to the invoice it names); match_kind says how (client_id, inn, invoice) or why not (unmatched_inn: no client has that INN; ambiguous_inn: several clients share it; no_inn: neither client_id nor payer_inn), with no known invoice named; unmatched payments keep client_id empty and stay out of every client balance
with

payments as (
    select * from staging.stg_payments
),

clients as (
    select * from staging.stg_clients
),

invoices as (
    select invoice_id, client_id from staging.stg_invoices
),

client_inns as (
    select
        trim(inn) as inn,
        min(client_id) as client_id,
        count(*) as clients
    from clients
    where nullif(trim(inn), '') is not null
    group by trim(inn)
),

final as (
    select
        payments.payment_id,
        payments.paid_on,
        case
            when payments.client_id is not null then payments.client_id
            when client_inns.clients = 1 then client_inns.client_id
            else invoices.client_id
        end as client_id,
        payments.payer_inn,
        payments.amount,
        payments.invoice_id,
        payments.purpose,
        case
            when payments.client_id is not null then 'client_id'
            when client_inns.clients = 1 then 'inn'
            when invoices.client_id is not null then 'invoice'
            when payments.payer_inn is null then 'no_inn'
            when client_inns.clients is null then 'unmatched_inn'
            else 'ambiguous_inn'
        end as match_kind
    from payments
    left join client_inns
        on client_inns.inn = payments.payer_inn
    left join invoices
        on invoices.invoice_id = payments.invoice_id
)

select * from final
