-- @description: what KAMs learned about competitors: per note either share_pct (the competitor's share of the client's purchases in the category, 0-100) or monthly_volume (its estimated monthly sales to the client, money)
select
    noted_on,
    client_id,
    category,
    competitor,
    share_pct,
    monthly_volume,
    manager_id
from main.competitor_notes
