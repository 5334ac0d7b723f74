-- @grain: one row per snapshot date, client and ageing bucket (every bucket, 0 when empty)
-- @incremental: as_of
-- @description: open amounts per ageing bucket in long form, complete so that receivables_ageing gets every bucket column
with

snapshots as (
    select * from core.core_receivables_client_snapshots
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

allocation as (
    select * from core.core_receivables_open_items
    where as_of >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

bucket_labels as (
    select * from core.core_ageing_buckets
),

buckets as (
    select
        unnest(labels) as bucket,
        unnest(range(0, len(labels))) as bucket_order
    from bucket_labels
),

amounts as (
    select
        as_of,
        client_id,
        bucket,
        sum(open_amount) as amount
    from allocation
    where open_amount <> 0
    group by all
),

final as (
    select
        snapshots.as_of,
        snapshots.client_id,
        buckets.bucket_order,
        buckets.bucket,
        cast(coalesce(amounts.amount, 0) as decimal(38, 8)) as amount
    from snapshots
    cross join buckets
    left join amounts
        on amounts.as_of = snapshots.as_of
        and amounts.client_id = snapshots.client_id
        and amounts.bucket = buckets.bucket
)

select * from final
