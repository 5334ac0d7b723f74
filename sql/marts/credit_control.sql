-- @grain: one row per as_of date (every month end up to the build's as-of date, and that date) and client, as in receivables_ageing
-- @unique: as_of, client_id
-- @not_null: as_of, client_id, balance, is_over_limit, is_beyond_tolerance
-- @incremental: as_of
-- @description: creditworthiness as of each date: utilisation of the credit limit (balance / credit_limit), the oldest overdue debt, and two flags. is_over_limit: the balance exceeds the credit limit (a client without a limit never is). is_beyond_tolerance: an open debit is past its due date and more than tolerance_days = payment_terms_days + overdue_grace_days (default 7) have passed since its document date
with

snapshots as (
    select * from core.core_receivables_client_snapshots
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

clients as (
    select * from staging.stg_clients
),

assignments as (
    select * from staging.stg_client_assignments
),

final as (
    select
        snapshots.as_of,
        snapshots.client_id,
        clients.client_name,
        assignments.manager_id,
        clients.credit_limit,
        clients.payment_terms_days,
        coalesce(clients.payment_terms_days, 0) + cast(coalesce(getvariable('overdue_grace_days'), 7) as integer) as tolerance_days,
        snapshots.balance,
        snapshots.open_total,
        snapshots.overdue_total as overdue_amount,
        snapshots.advance,
        cast(case when clients.credit_limit > 0 then kam_ratio4(snapshots.balance, clients.credit_limit) end as decimal(18, 4)) as utilisation,
        cast(clients.credit_limit - snapshots.balance as decimal(38, 8)) as available_credit,
        coalesce(snapshots.oldest_overdue_days, 0) as oldest_overdue_days,
        coalesce(snapshots.oldest_overdue_age_days, 0) as oldest_overdue_age_days,
        coalesce(clients.credit_limit is not null and snapshots.balance > clients.credit_limit, false) as is_over_limit,
        coalesce(
            snapshots.oldest_overdue_age_days > coalesce(clients.payment_terms_days, 0) + cast(coalesce(getvariable('overdue_grace_days'), 7) as integer),
            false
        ) as is_beyond_tolerance
    from snapshots
    left join clients
        on clients.client_id = snapshots.client_id
    left join assignments
        on assignments.client_id = snapshots.client_id
        and snapshots.as_of >= assignments.valid_from
        and snapshots.as_of < assignments.valid_to
)

select * from final
