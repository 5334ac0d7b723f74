-- @grain: one row per snapshot date and client with a receivable movement on or before it
-- @incremental: as_of
-- @description: each client's receivables as of each snapshot date: open_total (what its debits still owe), advance (pool money no open debit needed, plus prepayments waiting for their invoice) and balance = open_total - advance, which equals debits_total - credits_total (checked); overdue_total, oldest_overdue_days and oldest_overdue_age_days (days since the document date) cover open debits past their due date
with

-- the pool pays oldest due first until it or the debits run out, so it applied least(pool, what the unsettled
-- debits still owed after their named credits), and they owed everything billed minus what named credits applied
-- (credits - pool - prepaid). Not a sum of the allocation's rows: it keeps open debits only; the money-conserved
-- check holds their open total to this
totals as (
    select
        *,
        least(pool_total, debits_total - credits_total + pool_total + prepaid_total) as applied_pool_total
    from core.core_receivables_client_totals
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

allocation as (
    select * from core.core_receivables_open_items
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

allocated as (
    select
        as_of,
        client_id,
        sum(open_amount) as open_total,
        sum(open_amount) filter (where days_past_due > 0) as overdue_total,
        max(days_past_due) filter (where open_amount > 0 and days_past_due > 0) as oldest_overdue_days,
        max(as_of - document_date) filter (where open_amount > 0 and days_past_due > 0) as oldest_overdue_age_days
    from allocation
    group by all
),

final as (
    select
        totals.as_of,
        totals.client_id,
        totals.debits_total,
        totals.credits_total,
        totals.pool_total,
        totals.prepaid_total,
        cast(coalesce(allocated.open_total, 0) as decimal(38, 8)) as open_total,
        cast(coalesce(allocated.overdue_total, 0) as decimal(38, 8)) as overdue_total,
        cast(totals.pool_total - totals.applied_pool_total + totals.prepaid_total as decimal(38, 8)) as advance,
        cast(coalesce(allocated.open_total, 0) - (totals.pool_total - totals.applied_pool_total + totals.prepaid_total) as decimal(38, 8)) as balance,
        allocated.oldest_overdue_days,
        allocated.oldest_overdue_age_days
    from totals
    left join allocated
        on allocated.as_of = totals.as_of
        and allocated.client_id = totals.client_id
)

select * from final
