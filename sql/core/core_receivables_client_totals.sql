-- @grain: one row per snapshot date and client with a receivable movement on or before it
-- @incremental: as_of
-- @description: running totals per client as of each snapshot date D: everything billed (debits_total) and credited (credits_total) up to D; the oldest-due-first pool (credits naming no invoice of the client, and what named credits left over once applied by D); prepaid: named credits whose invoice is dated after D
with

dates as (
    select * from core.core_receivable_dates
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

daily as (
    select * from core.core_receivable_daily
),

final as (
    select
        dates.as_of,
        daily.client_id,
        cast(sum(daily.debit_amount) as decimal(38, 8)) as debits_total,
        cast(sum(daily.credit_amount) as decimal(38, 8)) as credits_total,
        cast(sum(daily.pool_amount) as decimal(38, 8)) as pool_total,
        cast(sum(daily.prepaid_amount) as decimal(38, 8)) as prepaid_total
    from dates
    join daily
        on daily.movement_date <= dates.as_of
    group by all
)

select * from final
