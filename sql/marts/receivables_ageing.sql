-- @grain: one row per as_of date and client: as_of is every month end up to the build's as-of date and that date itself; a client appears once it has an invoice, payment or return dated on or before as_of
-- @unique: as_of, client_id
-- @not_null: as_of, client_id, not_due, advance, balance
-- @incremental: as_of
-- @description: receivables ageing per client: open invoice amounts after named and oldest-due-first allocation, by days overdue (not_due, then one column per ageing_buckets limit: overdue_1_30, overdue_31_60, overdue_61_90, overdue_90_plus by default), the client's advance, and balance = the buckets - advance; manager_id is the manager assigned to the client on as_of. kam export receivables_ageing --as-of DATE computes any other date
with

buckets_wide as (
    -- one column per bucket label, in limit order; the labels come from ageing_buckets (see core_ageing_buckets)
    select * from query(format(
        'pivot (select as_of, client_id, bucket, amount from core.core_receivables_client_buckets) on bucket in ({}) using sum(amount) group by as_of, client_id',
        array_to_string(list_transform(
            range(0, len(getvariable('ageing_buckets')::integer[]) + 2),
            lambda k: '''' || case
                when k = 0 then 'not_due'
                when k <= len(getvariable('ageing_buckets')::integer[])
                    then 'overdue_' || (case when k = 1 then 1 else getvariable('ageing_buckets')[k - 1] + 1 end) || '_' || getvariable('ageing_buckets')[k]
                else 'overdue_' || list_last(getvariable('ageing_buckets')::integer[]) || '_plus'
            end || ''''
        ), ', ')
    ))
),

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
        buckets_wide.* exclude (as_of, client_id),
        snapshots.advance,
        snapshots.balance
    from snapshots
    join buckets_wide
        on buckets_wide.as_of = snapshots.as_of
        and buckets_wide.client_id = snapshots.client_id
    left join clients
        on clients.client_id = snapshots.client_id
    left join assignments
        on assignments.client_id = snapshots.client_id
        and snapshots.as_of >= assignments.valid_from
        and snapshots.as_of < assignments.valid_to
)

select * from final
