-- @grain: one row per payment
-- @materialize: view
-- @description: payments with the client they belong to: the client_id the bank row carries, else the one client whose INN equals payer_inn, else the client of the invoice the payment names (a payer outside the CRM, e.g. a founder paying for the company: the payment is applied to the invoice it names); match_kind says how (client_id, inn, invoice) or why not (unmatched_inn: no client has that INN; ambiguous_inn: several clients share it; no_inn: neither client_id nor payer_inn), with no known invoice named; unmatched payments keep client_id empty and stay out of every client balance
with

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

-- a payment carrying its client_id needs no matching: only the others are joined. Both branches read the staging
-- view themselves: a CTE read twice is materialised (1.4 M rows here), and a stored view keeps no NOT MATERIALIZED
final as (
    select
        payment_id,
        paid_on,
        client_id,
        payer_inn,
        amount,
        invoice_id,
        purpose,
        'client_id' as match_kind
    from staging.stg_payments as payments
    where client_id is not null
    union all
    select
        payments.payment_id,
        payments.paid_on,
        case
            when client_inns.clients = 1 then client_inns.client_id
            else invoices.client_id
        end as client_id,
        payments.payer_inn,
        payments.amount,
        payments.invoice_id,
        payments.purpose,
        case
            when client_inns.clients = 1 then 'inn'
            when invoices.client_id is not null then 'invoice'
            when payments.payer_inn is null then 'no_inn'
            when client_inns.clients is null then 'unmatched_inn'
            else 'ambiguous_inn'
        end as match_kind
    from staging.stg_payments as payments
    left join client_inns
        on client_inns.inn = payments.payer_inn
    left join invoices
        on invoices.invoice_id = payments.invoice_id
    where payments.client_id is null
)

select * from final
