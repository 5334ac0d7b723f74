-- @description: a client has at most one manager on any date (overlapping assignments would count its sales twice)
select a.client_id, a.manager_id, a.valid_from, a.valid_to, b.manager_id as other_manager_id, b.valid_from as other_valid_from
from staging.stg_client_assignments a
join staging.stg_client_assignments b
    on a.client_id = b.client_id
    and a.valid_from < b.valid_from
    and b.valid_from < a.valid_to
