-- @grain: one row holding the list of ageing bucket labels
-- @description: the ageing bucket labels in order, from the session variable ageing_buckets (the upper limits in days, default [30, 60, 90]): not_due (0 days or less), overdue_1_<l1>, overdue_<l1+1>_<l2>, ..., overdue_<last>_plus; receivables_ageing has one column per label
with

limits as (
    select getvariable('ageing_buckets')::integer[] as limits
),

final as (
    select
        list_transform(
            range(0, len(limits) + 2),
            lambda k: case
                when k = 0 then 'not_due'
                when k <= len(limits) then 'overdue_' || (case when k = 1 then 1 else limits[k - 1] + 1 end) || '_' || limits[k]
                else 'overdue_' || limits[len(limits)] || '_plus'
            end
        ) as labels
    from limits
)

select * from final
