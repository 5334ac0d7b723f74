-- @grain: one row per as_of date (every month end up to the build's as-of date, and that date) and level: each client, each manager (the clients assigned to them on as_of) and the company
-- @unique: as_of, level, manager_id, client_id
-- @not_null: as_of, level, balance, billed_90d
-- @incremental: as_of
-- @description: days sales outstanding: dso_days = balance / billed_90d x 90, where billed_90d is what was invoiced (plus money paid back to the client) in the 90 days ending on as_of and balance is the receivables balance (open debits - advances) on as_of; 0 when the balance is 0 or less, empty when nothing was billed in the window while something is owed. Rounded to 0.1 day
with

dates as (
    select * from core.core_receivable_dates
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

snapshots as (
    select * from core.core_receivables_client_snapshots
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

daily as (
    select * from core.core_receivable_daily
),

assignments as (
    select * from staging.stg_client_assignments
),

clients as (
    select * from staging.stg_clients
),

billed as (
    select
        dates.as_of,
        daily.client_id,
        sum(daily.debit_amount) as billed_90d
    from dates
    join daily
        on daily.movement_date <= dates.as_of
        and daily.movement_date > dates.as_of - 90
    group by all
),

client_level as (
    select
        snapshots.as_of,
        snapshots.client_id,
        assignments.manager_id,
        snapshots.balance,
        coalesce(billed.billed_90d, 0) as billed_90d
    from snapshots
    left join billed
        on billed.as_of = snapshots.as_of
        and billed.client_id = snapshots.client_id
    left join assignments
        on assignments.client_id = snapshots.client_id
        and snapshots.as_of >= assignments.valid_from
        and snapshots.as_of < assignments.valid_to
),

levels as (
    select 'client' as level, as_of, manager_id, client_id, balance, billed_90d
    from client_level
    union all
    select 'manager', as_of, manager_id, null, sum(balance), sum(billed_90d)
    from client_level
    where manager_id is not null
    group by as_of, manager_id
    union all
    select 'company', as_of, null, null, sum(balance), sum(billed_90d)
    from client_level
    group by as_of
),

final as (
    select
        levels.as_of,
        levels.level,
        levels.manager_id,
        levels.client_id,
        clients.client_name,
        cast(levels.balance as decimal(38, 8)) as balance,
        cast(levels.billed_90d as decimal(38, 8)) as billed_90d,
        cast(case
            when levels.balance <= 0 then 0
            when levels.billed_90d > 0 then kam_ratio1(levels.balance * 90, levels.billed_90d)
        end as decimal(18, 1)) as dso_days
    from levels
    left join clients
        on clients.client_id = levels.client_id
)

select * from final
