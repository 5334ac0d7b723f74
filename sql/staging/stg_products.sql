-- @description: products with their category
select
    sku,
    name as product_name,
    category,
    brand
from main.products
