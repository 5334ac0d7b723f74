-- @description: promotions: a date span (both ends inclusive) on a SKU or a whole category, with the discount allowed
select
    promo_id,
    name as promo_name,
    starts_on,
    ends_on,
    nullif(trim(category), '') as category,
    nullif(trim(sku), '') as sku,
    discount_pct
from main.promotions
