-- @grain: one row per snapshot date and debit still open on it (core_receivables_allocation's rows)
-- @materialize: view
-- @description: the allocation's open items with what follows from them and the ageing settings (core_ageing_buckets): remaining_amount = amount - applied_named_amount (what the debit owed after its named credits), applied_pool_amount = remaining_amount - open_amount (what the oldest-due-first pool paid of it), days_past_due = as_of - due_date, days_overdue counted from the due date (ageing_basis = 'due_date', default) or the document date ('invoice_date'), bucket_order and bucket: not_due (<= 0 days) or overdue_<from>_<to> after the ageing_buckets limits, and overdue_<last>_plus beyond them. A view: the allocation's table stores only what the allocation computes, and the settings come from a table, so that the view ages the items the same way when a dashboard reads it
with

allocation as (
    select * from core.core_receivables_allocation
),

settings as (
    select * from core.core_ageing_buckets
),

aged as (
    select
        allocation.*,
        allocation.as_of - allocation.due_date as days_past_due,
        allocation.as_of - case settings.basis when 'invoice_date' then allocation.document_date else allocation.due_date end as days_overdue,
        settings.limits,
        settings.labels
    from allocation
    cross join settings
),

bucketed as (
    select
        aged.*,
        case
            when days_overdue <= 0 then 0
            else len(list_filter(limits, lambda limit_days: limit_days < days_overdue)) + 1
        end as bucket_order
    from aged
),

final as (
    select
        as_of,
        client_id,
        document_kind,
        document_id,
        document_date,
        due_date,
        amount,
        applied_named_amount,
        cast(amount - applied_named_amount - open_amount as decimal(38, 8)) as applied_pool_amount,
        cast(amount - applied_named_amount as decimal(38, 8)) as remaining_amount,
        open_amount,
        days_past_due,
        days_overdue,
        bucket_order,
        labels[bucket_order + 1] as bucket
    from bucketed
)

select * from final
