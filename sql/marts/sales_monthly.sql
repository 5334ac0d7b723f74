-- @grain: one row per month, client, category and manager
-- @unique: month, client_id, category, manager_id
-- @not_null: month, client_id, category, net_sales
-- @incremental: month by month
-- @description: sales history: net sales (shipped − returns) of each client and product category per month, attributed to the manager by assignment at each event's date (a client reassigned mid-month has one row per manager); manager_id is '' when no assignment covers the event. Month-on-month and year-on-year compare the same row key (month, client, category, manager) one month and twelve months earlier (0 when that key had no sales then); growth = net_sales / previous - 1, empty unless the previous value is above 0
with

-- read three times (the row, a month and a year earlier): three scans of the table cost less than DuckDB's
-- materialising it for them
monthly as not materialized (
    select * from core.core_sales_monthly
    where month >= coalesce(getvariable('rebuild_from') - interval 12 month, date '0001-01-01')
),

clients as (
    select * from staging.stg_clients
),

final as (
    select
        monthly.month,
        monthly.client_id,
        clients.client_name,
        clients.segment,
        monthly.category,
        monthly.manager_id,
        monthly.shipped_amount,
        monthly.returns_amount,
        monthly.net_sales,
        monthly.qty_shipped,
        monthly.orders,
        monthly.lines,
        monthly.skus,
        coalesce(prev_month.net_sales, 0)::decimal(38, 8) as net_sales_prev_month,
        case when prev_month.net_sales > 0
            then kam_ratio4(monthly.net_sales - prev_month.net_sales, prev_month.net_sales)::decimal(18, 4) end as mom_growth,
        coalesce(prev_year.net_sales, 0)::decimal(38, 8) as net_sales_prev_year,
        case when prev_year.net_sales > 0
            then kam_ratio4(monthly.net_sales - prev_year.net_sales, prev_year.net_sales)::decimal(18, 4) end as yoy_growth
    from monthly
    left join clients
        on clients.client_id = monthly.client_id
    left join monthly as prev_month
        on prev_month.client_id = monthly.client_id
        and prev_month.category = monthly.category
        and prev_month.manager_id = monthly.manager_id
        and prev_month.month = (monthly.month - interval 1 month)::date
    left join monthly as prev_year
        on prev_year.client_id = monthly.client_id
        and prev_year.category = monthly.category
        and prev_year.manager_id = monthly.manager_id
        and prev_year.month = (monthly.month - interval 12 month)::date
)

-- written in date order: a parallel write leaves part-filled row groups, which the build's checkpoint then rewrites
select * from final order by month
