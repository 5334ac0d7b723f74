-- @grain: one row holding the ageing settings of the build: the bucket labels in order, the limits and the basis
-- @description: the ageing bucket labels in order, from the session variable ageing_buckets (the upper limits in days, default [30, 60, 90]): not_due (0 days or less), overdue_1_<l1>, overdue_<l1+1>_<l2>, ..., overdue_<last>_plus; receivables_ageing has one column per label. limits and basis (ageing_basis: due_date, the default, or invoice_date) are kept beside them, so that core_receivables_open_items can age the open items when it is read, outside the build that set the variables
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
        ) as labels,
        limits,
        getvariable('ageing_basis')::varchar as basis
    from limits
)

select * from final
