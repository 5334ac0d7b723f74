-- @grain: one row per client and day with a receivable movement
-- @incremental: movement_date
-- @description: daily movements per client: what was billed (debit_amount) and credited (credit_amount); the change of the oldest-due-first pool (pool_amount: a credit naming no invoice of its client on its date; the overflow of a named credit when it takes effect); and of prepaid money (prepaid_amount: a named credit from its date until it takes effect on its invoice's date)
with

debits as (
    select * from core.core_receivable_debits
    where document_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

credits as (
    select * from core.core_receivable_credits
    where document_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

applications as (
    select * from core.core_receivable_applications
    where effective_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

named_credits as (
    select credit_kind as document_kind, credit_id as document_id
    from core.core_receivable_applications
    where credit_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

movements as (
    select client_id, document_date as movement_date, amount as debit_amount, 0 as credit_amount, 0 as pool_amount, 0 as prepaid_amount
    from debits
    union all
    -- a credit naming an invoice of its client waits for it as prepaid; any other joins the pool
    select
        credits.client_id,
        credits.document_date,
        0,
        credits.amount,
        case when named_credits.document_id is null then credits.amount else 0 end,
        case when named_credits.document_id is null then 0 else credits.amount end
    from credits
    left join named_credits
        on named_credits.document_kind = credits.document_kind
        and named_credits.document_id = credits.document_id
    union all
    select client_id, effective_date, 0, 0, overflow_amount, -credit_amount
    from applications
),

final as (
    select
        client_id,
        movement_date,
        cast(sum(debit_amount) as decimal(38, 8)) as debit_amount,
        cast(sum(credit_amount) as decimal(38, 8)) as credit_amount,
        cast(sum(pool_amount) as decimal(38, 8)) as pool_amount,
        cast(sum(prepaid_amount) as decimal(38, 8)) as prepaid_amount
    from movements
    group by all
)

select * from final
