-- @grain: one row per payment
-- @materialize: view
-- @description: payments with the client they belong to: the client_id the bank row carries, else the one client whose INN equals payer_inn; match_kind says how (client_id, inn) or why not (unmatched_inn: no client has that INN; ambiguous_inn: several clients share it; no_inn: neither client_id nor payer_inn); unmatched payments keep client_id empty and stay out of every client balance
with

payments as (
    select * from staging.stg_payments
),

clients as (
    select * from staging.stg_clients
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
        end as client_id,
        payments.payer_inn,
        payments.amount,
        payments.invoice_id,
        payments.purpose,
        case
            when payments.client_id is not null then 'client_id'
            when payments.payer_inn is null then 'no_inn'
            when client_inns.clients is null then 'unmatched_inn'
            when client_inns.clients > 1 then 'ambiguous_inn'
            else 'inn'
        end as match_kind
    from payments
    left join client_inns
        on client_inns.inn = payments.payer_inn
)

select * from final
