-- @description: what KAMs learned about competitors: per note either share_pct (the competitor's share of the client's purchases in the category, 0-100) or monthly_volume (its estimated monthly sales to the client, money); competitor_key is the name in lower case with runs of spaces as one, which identifies the competitor
select
    noted_on,
    client_id,
    category,
    competitor,
    -- KAMs type the names: "Метро", "МЕТРО" and "Метро  " are one competitor, not three shares to add up
    regexp_replace(lower(competitor), '\s+', ' ', 'g') as competitor_key,
    share_pct,
    monthly_volume,
    manager_id
from main.competitor_notes
