-- @description: CRM deals (opportunities and contracts)
select
    deal_id,
    client_id,
    manager_id,
    opened_on,
    closed_on,
    status,
    amount,
    lost_reason
from main.deals
