-- @grain: one row per snapshot date and debit (invoice or refund) still open on it: dated on or before it, not settled by its named credits by then, and not paid off by the pool (the keys are checked on receivables_open_invoices, a view of it through core_receivables_open_items)
-- @incremental: as_of
-- @compression: document_id fsst
-- @description: oldest-due-first allocation as of each snapshot date D: what each debit owes after the credits naming it (amount - applied_named_amount), then the client's pool applied to those debits in order of due date, document date, kind and id; open_amount is what is left, and only debits with something left are kept (what the pool applied in all is least(pool_total, what the debits owed): see core_receivables_client_snapshots). Debits due before the first due month whose running total the pool cannot cover are paid off, and debits due after that month stay open in full, both without a running total. The table holds what the allocation computes and nothing that follows from it: what the pool applied to each debit, its days overdue and its ageing bucket are added by the view core_receivables_open_items (a third less to write and checkpoint)
with

dates as (
    select * from core.core_receivable_dates
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

debits as (
    select * from core.core_receivable_debits
),

-- read twice (settled, partial): two scans of the table cost less than DuckDB's materialising 1.4 M rows for them
applications as not materialized (
    select * from core.core_receivable_applications
),

totals as (
    select * from core.core_receivables_client_totals
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
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

-- what those credits had applied to their invoice by each of their dates, as a list per invoice (few invoices have
-- any), carried by the debit: a candidate row below takes the most applied on or before its snapshot, on which the
-- invoice is not yet settled (a join per snapshot row cost 0.15 s more at 10 M order lines)
partly_paid as (
    select
        'invoice' as document_kind,
        invoice_id as document_id,
        list({'effective_date': effective_date, 'applied_total': applied_total}) as applications
    from partial
    group by invoice_id
),

-- the snapshot dates in order, and how many of them come before each day from the first date to the day after the
-- last (before[1] is the first date's): a debit's snapshots (dated by it, not yet settled) are a slice of the list,
-- found by two lookups instead of comparing the debit with every date (0.3 CPU s at 10 M order lines)
snapshots as (
    select
        list(as_of order by as_of) as dates,
        min(as_of) as first_date,
        (max(as_of) + 1)::date as day_after_last,
        (
            select list(before order by day)
            from (
                select days.day, count(dates.as_of) as before
                from (
                    select unnest(range(min(as_of)::timestamp, (max(as_of) + 2)::timestamp, interval 1 day))::date as day
                    from dates
                ) as days
                left join dates
                    on dates.as_of < days.day
                group by days.day
            )
        ) as before
    from dates
),

-- each debit on every snapshot date it is dated by and not yet settled on (a debit's rows come out together, which
-- compress better)
candidates as (
    select
        unnest(list_slice(
            snapshots.dates,
            snapshots.before[least(greatest(debits.document_date, snapshots.first_date), snapshots.day_after_last) - snapshots.first_date + 1] + 1,
            snapshots.before[least(greatest(debits.settled_on, snapshots.first_date), snapshots.day_after_last) - snapshots.first_date + 1]
        )) as as_of,
        debits.*
    from (
        select
            debits.*,
            date_trunc('month', debits.due_date)::date as due_month,
            coalesce(settled.settled_on, date '9999-12-31') as settled_on,
            partly_paid.applications as partial_applications
        from debits
        left join settled
            on settled.document_kind = debits.document_kind
            and settled.document_id = debits.document_id
        left join partly_paid
            on partly_paid.document_kind = debits.document_kind
            and partly_paid.document_id = debits.document_id
        -- a debit settled by the first snapshot date has no snapshot: dropped before the expansion (most of them in
        -- an incremental build, whose first date is recent). Not snapshots.first_date: compared after the cross
        -- join, DuckDB made that a nested-loop join and the full build 0.5 s slower
        where settled.settled_on is null
            or settled.settled_on > (select min(as_of) from dates)
    ) as debits
    cross join snapshots
),

-- read twice below: per due month, then per debit
remaining as materialized (
    select
        candidates.as_of,
        candidates.client_id,
        candidates.document_kind,
        candidates.document_id,
        candidates.document_date,
        candidates.due_date,
        candidates.due_month,
        candidates.amount,
        coalesce(candidates.applied_named_amount, 0) as applied_named_amount,
        candidates.amount - coalesce(candidates.applied_named_amount, 0) as remaining_amount
    from (
        select
            *,
            list_max(list_transform(
                list_filter(partial_applications, lambda application: application.effective_date <= as_of),
                lambda application: application.applied_total
            )) as applied_named_amount
        from candidates
    ) as candidates
),

-- what the debits still owe per snapshot, client and due month, running in due order
month_totals as (
    select
        *,
        sum(month_total) over (
            partition by as_of, client_id
            order by due_month
            rows between unbounded preceding and current row
        ) as running_total
    from (
        select as_of, client_id, due_month, sum(remaining_amount) as month_total
        from remaining
        group by all
    )
),

-- the pool pays oldest due first and no debit owes less than nothing, so it covers in full every debit due
-- before the first month whose running total exceeds it (most rows: old invoices the pool paid);
-- covered_total is what those debits still owed
pool_reach as (
    select
        month_totals.as_of,
        month_totals.client_id,
        totals.pool_total,
        min(month_totals.due_month) filter (where month_totals.running_total > totals.pool_total) as first_open_month,
        coalesce(max(month_totals.running_total) filter (where month_totals.running_total <= totals.pool_total), 0) as covered_total
    from month_totals
    join totals
        on totals.as_of = month_totals.as_of
        and totals.client_id = month_totals.client_id
    group by all
),

split as not materialized (
    select
        remaining.*,
        pool_reach.pool_total,
        pool_reach.covered_total,
        coalesce(remaining.due_month < pool_reach.first_open_month, pool_reach.first_open_month is null) as covered,
        remaining.due_month > pool_reach.first_open_month as beyond_reach
    from remaining
    join pool_reach
        on pool_reach.as_of = remaining.as_of
        and pool_reach.client_id = remaining.client_id
),

-- a covered debit is paid off (left out below). What the pool has left after the covered months goes to the
-- debits of the first open month in order of due date, document date, kind and id (a running total only over
-- them: the window is the costly part); it runs out within that month, so a debit due in a later month (beyond
-- the pool's reach) stays open in full
fifo as (
    select
        split.*,
        least(
            split.remaining_amount,
            greatest(0, split.covered_total + sum(split.remaining_amount) over (
                partition by split.as_of, split.client_id
                order by split.due_date, split.document_date, split.document_kind, split.document_id
                rows between unbounded preceding and current row
            ) - split.pool_total)
        ) as open_amount
    from split
    where not split.covered
        and not split.beyond_reach
    union all
    select
        split.*,
        split.remaining_amount as open_amount
    from split
    where split.beyond_reach
),

-- a debit the pool paid off is open for nothing (a negative open amount would stay, for the check to show)
final as (
    select
        as_of,
        client_id,
        document_kind,
        document_id,
        document_date,
        due_date,
        cast(amount as decimal(38, 8)) as amount,
        cast(applied_named_amount as decimal(38, 8)) as applied_named_amount,
        cast(open_amount as decimal(38, 8)) as open_amount
    from fifo
    where open_amount <> 0
)

-- written by snapshot: an incremental build replaces the last snapshots, and deleting rows spread over the whole
-- table made the build's checkpoint rewrite it (0.4 s more at 10 M order lines)
select * from final order by as_of
