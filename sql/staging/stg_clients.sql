-- @description: clients as loaded; payment terms default to 0 days
select
    client_id,
    name as client_name,
    inn,
    segment,
    region,
    coalesce(is_key, false) as is_key,
    price_column,
    credit_limit,
    coalesce(payment_terms_days, 0) as payment_terms_days,
    created_on
from main.clients
