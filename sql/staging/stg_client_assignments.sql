-- @description: who owned each client when; valid_to is exclusive, open ends become 9999-12-31
select
    client_id,
    manager_id,
    valid_from,
    coalesce(valid_to, date '9999-12-31') as valid_to
from main.client_assignments
