-- @grain: one row per payment that could not be matched to a client
-- @unique: payment_id
-- @not_null: payment_id, paid_on, amount, reason
-- @incremental: paid_on
-- @as_of_cut: paid_on
-- @description: payments without client_id whose payer_inn matches no client (unmatched_inn), several clients (ambiguous_inn), or that carry no INN at all (no_inn); they stay out of every client's receivables until the client's INN or the payment's client_id is loaded
with

payments as (
    select * from core.core_payments_matched
    where paid_on >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

final as (
    select
        payment_id,
        paid_on,
        payer_inn,
        amount,
        invoice_id,
        purpose,
        match_kind as reason
    from payments
    where client_id is null
)

select * from final
