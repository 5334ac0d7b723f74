-- @description: list prices per SKU and price-list column, each valid from its date until the next valid_from of the same SKU and column (exclusive; the last one stays valid: 9999-12-31)
select
    sku,
    price_column,
    price,
    valid_from,
    coalesce(
        lead(valid_from) over (partition by sku, price_column order by valid_from),
        date '9999-12-31'
    ) as valid_to
from main.price_list
