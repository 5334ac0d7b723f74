-- @grain: one row per order line priced below what the client may be charged
-- @unique: order_id, line_no
-- @not_null: order_id, line_no, order_date, client_id, sku, list_price, allowed_price, price
-- @incremental: order_date
-- @as_of_cut: order_date
-- @compression: order_id fsst
-- @description: discount compliance: lines priced below the allowed price. list_price is the price of the client's price-list column (clients.price_column) for the SKU valid on the order date (the latest valid_from on or before it). A promotion running on the order date (starts_on <= order_date <= ends_on) for the SKU, its category or everything (a promotion naming neither) allows its discount_pct off the list price (the largest when several apply), rounded down to the kopeck; allowed_price is the list price less that. Lines of clients without a price column, or of SKUs without a list price for it, cannot be checked and are left out. shortfall_amount = (allowed_price - price) × qty; discount_pct = 1 - price / list_price
with

order_lines as (
    select * from staging.stg_order_lines
    where order_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

clients as (
    select * from staging.stg_clients
),

price_list as (
    select * from staging.stg_price_list
),

promotions as (
    select * from staging.stg_promotions
),

products as (
    select * from staging.stg_products
),

assignments as (
    select * from staging.stg_client_assignments
),

-- lines below their list price (a small share); the category is joined to those only
below_list as (
    select
        order_lines.order_id,
        order_lines.line_no,
        order_lines.order_date,
        order_lines.client_id,
        order_lines.manager_id as named_manager_id,
        order_lines.sku,
        clients.price_column,
        price_list.price as list_price,
        order_lines.price,
        order_lines.qty
    from order_lines
    -- a left join, so that DuckDB joins the clients first and probes the small price list: as an inner join it
    -- hashed every client's price rows (600 × 1,600) and probed that with the 10 M lines. The inner join below
    -- drops the lines of unknown clients and of clients without a price column, as before
    left join clients
        on clients.client_id = order_lines.client_id
    join price_list
        on price_list.sku = order_lines.sku
        and price_list.price_column = clients.price_column
        and order_lines.order_date >= price_list.valid_from
        and order_lines.order_date < price_list.valid_to
    where order_lines.price < price_list.price
),

priced as (
    select
        below_list.order_id,
        below_list.line_no,
        below_list.order_date,
        below_list.client_id,
        below_list.named_manager_id,
        below_list.sku,
        products.category,
        below_list.price_column,
        below_list.list_price,
        below_list.price,
        below_list.qty
    from below_list
    left join products
        on products.sku = below_list.sku
),

-- a promotion covers its SKU, else its whole category, else everything
promotion_lines as (
    select priced.order_id, priced.line_no, promotions.promo_id, promotions.discount_pct
    from priced
    join promotions
        on promotions.sku = priced.sku
        and priced.order_date between promotions.starts_on and promotions.ends_on
    where promotions.discount_pct > 0
    union all
    select priced.order_id, priced.line_no, promotions.promo_id, promotions.discount_pct
    from priced
    join promotions
        on promotions.category = priced.category
        and priced.order_date between promotions.starts_on and promotions.ends_on
    where promotions.sku is null
        and promotions.discount_pct > 0
    union all
    select priced.order_id, priced.line_no, promotions.promo_id, promotions.discount_pct
    from priced
    join promotions
        on priced.order_date between promotions.starts_on and promotions.ends_on
    where promotions.sku is null
        and promotions.category is null
        and promotions.discount_pct > 0
),

promoted as (
    select
        order_id,
        line_no,
        arg_max(promo_id, (discount_pct, promo_id)) as promo_id,
        max(discount_pct) as promo_discount_pct
    from promotion_lines
    group by all
),

checked as (
    select
        priced.*,
        promoted.promo_id,
        promoted.promo_discount_pct,
        -- kopecks times 0.01, not divided by 100: DuckDB divides decimals as doubles; the product is widened
        -- first, as two DECIMAL(18,4) multiply into DECIMAL(18,8) and overflow from 10^10. Each branch is cast on
        -- its own: the CASE would otherwise take DECIMAL(38,2) and round a list price of 4 decimals. Kept at 4
        -- decimals (all it has) so that the shortfall below multiplies without rescaling a 128-bit product
        case when promoted.promo_discount_pct is null then cast(priced.list_price as decimal(38, 4))
            else cast(floor(cast(priced.list_price as decimal(38, 4)) * (100 - promoted.promo_discount_pct)) * 0.01 as decimal(38, 4))
        end as allowed_price
    from priced
    left join promoted
        on promoted.order_id = priced.order_id
        and promoted.line_no = priced.line_no
),

final as (
    select
        checked.order_id,
        checked.line_no,
        checked.order_date,
        checked.client_id,
        coalesce(checked.named_manager_id, assignments.manager_id) as manager_id,
        checked.sku,
        checked.category,
        checked.price_column,
        checked.list_price,
        checked.promo_id,
        checked.promo_discount_pct,
        cast(checked.allowed_price as decimal(38, 8)) as allowed_price,
        checked.price,
        checked.qty,
        kam_ratio4(checked.list_price - checked.price, checked.list_price)::decimal(18, 4) as discount_pct,
        cast((checked.allowed_price - checked.price) * checked.qty as decimal(38, 8)) as shortfall_amount
    from checked
    left join assignments
        on assignments.client_id = checked.client_id
        and checked.order_date >= assignments.valid_from
        and checked.order_date < assignments.valid_to
    where checked.price < checked.allowed_price
)

-- written in date order: a parallel write leaves part-filled row groups, which the build's checkpoint then rewrites
select * from final order by order_date
