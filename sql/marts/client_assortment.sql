-- @grain: one row per client and category, for every client that bought in the 12 months to as_of and every category its segment bought in that window
-- @unique: client_id, category
-- @not_null: client_id, segment, category, is_bought, is_gap
-- @description: what each client buys against the assortment of its segment, over the 12 calendar months ending with the as-of month (the month in progress counts as it stands). A category is bought when the client's shipments in it are above 0 in the window. segment_penetration = the segment's buying clients in the category / the segment's buying clients (those with any shipment in the window). A gap worth offering (is_gap): a category the client did not buy that at least half of its segment's clients buy; gap_potential_monthly = the average monthly net sales of the category per segment client that buys it
with

sales as (
    select * from marts.sales_monthly
),

clients as (
    select * from staging.stg_clients
),

assignments as (
    select * from staging.stg_client_assignments
),

client_categories as (
    select
        sales.client_id,
        sales.category,
        sum(sales.shipped_amount) as shipped_12m,
        sum(sales.net_sales) as net_sales_12m,
        count(distinct sales.month) filter (where sales.shipped_amount > 0) as months_bought
    from sales
    where sales.month > (date_trunc('month', getvariable('as_of')::date) - interval 12 month)::date
        and sales.month <= getvariable('as_of')::date
    group by all
),

buyers as (
    select
        client_categories.*,
        clients.segment
    from client_categories
    join clients
        on clients.client_id = client_categories.client_id
    where client_categories.shipped_12m > 0
),

segment_clients as (
    select
        segment,
        count(distinct client_id) as segment_buyers
    from buyers
    group by all
),

segment_categories as (
    select
        segment,
        category,
        count(*) as category_buyers,
        sum(net_sales_12m) / 12 / count(*) as avg_monthly_per_buyer
    from buyers
    group by all
),

client_summary as (
    select
        client_id,
        segment,
        count(*) as categories_bought
    from buyers
    group by all
),

grid as (
    select
        client_summary.client_id,
        client_summary.segment,
        client_summary.categories_bought,
        segment_categories.category,
        segment_categories.category_buyers,
        segment_categories.avg_monthly_per_buyer,
        segment_clients.segment_buyers
    from client_summary
    join segment_categories
        on segment_categories.segment = client_summary.segment
    join segment_clients
        on segment_clients.segment = client_summary.segment
),

final as (
    select
        grid.client_id,
        clients.client_name,
        grid.segment,
        assignments.manager_id,
        grid.category,
        coalesce(client_categories.shipped_12m > 0, false) as is_bought,
        coalesce(client_categories.net_sales_12m, 0)::decimal(38, 8) as net_sales_12m,
        coalesce(client_categories.months_bought, 0) as months_bought,
        grid.categories_bought,
        grid.category_buyers as segment_category_buyers,
        grid.segment_buyers,
        kam_ratio4(grid.category_buyers, grid.segment_buyers)::decimal(18, 4) as segment_penetration,
        not coalesce(client_categories.shipped_12m > 0, false) and grid.category_buyers * 2 >= grid.segment_buyers as is_gap,
        case when not coalesce(client_categories.shipped_12m > 0, false)
            then grid.avg_monthly_per_buyer end::decimal(38, 8) as gap_potential_monthly
    from grid
    join clients
        on clients.client_id = grid.client_id
    left join client_categories
        on client_categories.client_id = grid.client_id
        and client_categories.category = grid.category
    left join assignments
        on assignments.client_id = grid.client_id
        and getvariable('as_of')::date >= assignments.valid_from
        and getvariable('as_of')::date < assignments.valid_to
)

select * from final
