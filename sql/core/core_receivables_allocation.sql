-- @grain: one row per snapshot date and debit (invoice or refund) dated on or before it that its named credits had not settled by then
-- @incremental: as_of
-- @description: oldest-due-first allocation as of each snapshot date D: what each debit still owes after the credits naming it (remaining_amount), then the client's pool applied to those debits in order of due date, document date, kind and id (applied_pool_amount); open_amount is what is left. days_past_due = as_of - due_date; days_overdue count from the due date (ageing_basis = 'due_date', default) or the document date ('invoice_date'); bucket (set on open items only) is not_due (<= 0 days) or overdue_<from>_<to> after the ageing_buckets limits, and overdue_<last>_plus beyond them
with

dates as (
    select * from core.core_receivable_dates
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

debits as (
    select * from core.core_receivable_debits
),

applications as (
    select * from core.core_receivable_applications
),

totals as (
    select * from core.core_receivables_client_totals
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

bucket_labels as (
    select * from core.core_ageing_buckets
),

-- the credit that settles an invoice (at most one: each later credit finds it paid up)
settled as (
    select
        'invoice' as document_kind,
        invoice_id as document_id,
        effective_date as settled_on
    from applications
    where settles_invoice
),

-- named credits that paid part of an invoice (before it was settled, if ever)
partial as (
    select invoice_id, effective_date, applied_total
    from applications
    where not settles_invoice
),

candidates as (
    select
        dates.as_of,
        debits.*
    from dates
    join (
        select
            debits.*,
            coalesce(settled.settled_on, date '9999-12-31') as settled_on
        from debits
        left join settled
            on settled.document_kind = debits.document_kind
            and settled.document_id = debits.document_id
    ) as debits
        on debits.document_date <= dates.as_of
        and debits.settled_on > dates.as_of
),

-- per snapshot, what those credits had applied to their invoice by then (joined to the unsettled debits below;
-- computed from the credits, far fewer than the debits times the snapshots)
partly_paid as (
    select
        dates.as_of,
        'invoice' as document_kind,
        partial.invoice_id as document_id,
        max(partial.applied_total) as applied_total
    from partial
    join dates
        on partial.effective_date <= dates.as_of
    group by all
),

remaining as (
    select
        candidates.as_of,
        candidates.client_id,
        candidates.document_kind,
        candidates.document_id,
        candidates.document_date,
        candidates.due_date,
        candidates.amount,
        coalesce(partly_paid.applied_total, 0) as applied_named_amount,
        candidates.amount - coalesce(partly_paid.applied_total, 0) as remaining_amount
    from candidates
    left join partly_paid
        on partly_paid.as_of = candidates.as_of
        and partly_paid.document_kind = candidates.document_kind
        and partly_paid.document_id = candidates.document_id
),

fifo as (
    select
        remaining.*,
        totals.pool_total,
        sum(remaining.remaining_amount) over (
            partition by remaining.as_of, remaining.client_id
            order by remaining.due_date, remaining.document_date, remaining.document_kind, remaining.document_id
            rows between unbounded preceding and current row
        ) as remaining_running
    from remaining
    join totals
        on totals.as_of = remaining.as_of
        and totals.client_id = remaining.client_id
),

aged as (
    select
        fifo.*,
        least(remaining_amount, greatest(0, remaining_running - pool_total)) as open_amount,
        fifo.as_of - fifo.due_date as days_past_due,
        fifo.as_of - case getvariable('ageing_basis') when 'invoice_date' then fifo.document_date else fifo.due_date end as days_overdue
    from fifo
),

bucketed as (
    select
        aged.*,
        case
            when open_amount = 0 then null
            when days_overdue <= 0 then 0
            else len(list_filter(getvariable('ageing_buckets')::integer[], lambda limit_days: limit_days < days_overdue)) + 1
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
        cast(applied_named_amount as decimal(38, 8)) as applied_named_amount,
        cast(remaining_amount - open_amount as decimal(38, 8)) as applied_pool_amount,
        cast(remaining_amount as decimal(38, 8)) as remaining_amount,
        cast(open_amount as decimal(38, 8)) as open_amount,
        days_past_due,
        days_overdue,
        bucket_order,
        (select labels from bucket_labels)[bucket_order + 1] as bucket
    from bucketed
)

select * from final
