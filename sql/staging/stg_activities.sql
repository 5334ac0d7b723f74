-- @description: CRM activities (calls, visits, meetings, emails), planned and done
select
    activity_id,
    manager_id,
    nullif(trim(client_id), '') as client_id,
    kind,
    planned_on,
    done_on,
    status,
    result
from main.activities
