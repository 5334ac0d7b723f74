-- @grain: one row per month and client with sales (or returns) in the 12 months ending that month
-- @unique: month, client_id
-- @not_null: month, client_id, net_sales_12m, abc_class, xyz_class
-- @incremental: month by month
-- @description: ABC/XYZ classes per month, history kept so a class change shows (prev_abc_xyz: the class the month before, empty when the client had none then). Window: the 12 calendar months ending with the month (the month in progress counts as it stands). ABC by net sales in the window: clients sorted by net sales (descending, then client_id); a client is A while the larger clients before it hold less than abc_limits[1] (default 0.80) of the total positive net sales, B while less than abc_limits[2] (0.95), else C; a client with net sales of 0 or less is C. XYZ by the coefficient of variation of the 12 monthly net sales (months without sales count as 0; population standard deviation / mean): X up to xyz_limits[1] (0.10), Y up to xyz_limits[2] (0.25), else Z; Z when the mean is 0 or less. The CV is computed from kopeck amounts in exact integer arithmetic
with

sales as (
    select * from marts.sales_monthly
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01') - interval 13 month
),

months as (
    select * from core.core_calendar_months
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01') - interval 1 month
),

clients as (
    select * from staging.stg_clients
),

assignments as (
    select * from staging.stg_client_assignments
),

client_months as (
    select
        client_id,
        month,
        sum(net_sales) as net_sales
    from sales
    group by all
),

windowed as (
    select
        months.month,
        months.period_end,
        client_months.client_id,
        sum(client_months.net_sales) as net_sales_12m,
        count(*) filter (where client_months.net_sales <> 0) as months_with_sales,
        sum(cast(round(client_months.net_sales * 100) as hugeint)) as cents,
        sum(cast(round(client_months.net_sales * 100) as hugeint) * cast(round(client_months.net_sales * 100) as hugeint)) as cents_squared
    from months
    join client_months
        on client_months.month <= months.month
        and client_months.month > (months.month - interval 12 month)::date
    group by all
),

ranked as (
    select
        windowed.*,
        sum(greatest(net_sales_12m, 0)) over (partition by month) as total_12m,
        coalesce(sum(greatest(net_sales_12m, 0)) over (
            partition by month
            order by net_sales_12m desc, client_id
            rows between unbounded preceding and 1 preceding
        ), 0) as larger_total,
        case when cents > 0
            then sqrt(cast(12 * cents_squared - cents * cents as double)) / cast(cents as double)
        end as cv
    from windowed
),

classified as (
    select
        ranked.*,
        case
            when net_sales_12m <= 0 then 'C'
            when larger_total < total_12m * getvariable('abc_limits')[1] then 'A'
            when larger_total < total_12m * getvariable('abc_limits')[2] then 'B'
            else 'C'
        end as abc_class,
        case
            when cv is null then 'Z'
            when cv <= getvariable('xyz_limits')[1] then 'X'
            when cv <= getvariable('xyz_limits')[2] then 'Y'
            else 'Z'
        end as xyz_class
    from ranked
),

with_previous as (
    select
        classified.month,
        classified.client_id,
        clients.client_name,
        clients.segment,
        assignments.manager_id,
        cast(classified.net_sales_12m as decimal(38, 8)) as net_sales_12m,
        cast(case when classified.total_12m > 0 and classified.net_sales_12m > 0
            then kam_ratio4(classified.net_sales_12m, classified.total_12m) else 0 end as decimal(18, 4)) as share_12m,
        cast(case when classified.total_12m > 0
            then kam_ratio4(classified.larger_total + greatest(classified.net_sales_12m, 0), classified.total_12m) else 0 end as decimal(18, 4)) as cumulative_share,
        classified.abc_class,
        classified.months_with_sales,
        cast(classified.net_sales_12m / 12 as decimal(38, 8)) as mean_monthly,
        cast(round(classified.cv, 4) as decimal(18, 4)) as cv,
        classified.xyz_class,
        classified.abc_class || classified.xyz_class as abc_xyz,
        previous.abc_class || previous.xyz_class as prev_abc_xyz
    from classified
    left join classified as previous
        on previous.client_id = classified.client_id
        and previous.month = (classified.month - interval 1 month)::date
    left join clients
        on clients.client_id = classified.client_id
    left join assignments
        on assignments.client_id = classified.client_id
        and classified.period_end >= assignments.valid_from
        and classified.period_end < assignments.valid_to
),

final as (
    select
        *,
        coalesce(prev_abc_xyz <> abc_xyz, false) as is_class_changed
    from with_previous
)

select * from final
