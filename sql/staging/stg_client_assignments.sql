-- @description: who owned each client when; valid_to is exclusive, open ends become 9999-12-31. An assignment that ends on or before its start covers no day: it is left out (re-sending an assignment with valid_to = valid_from is how a wrong one is withdrawn, as a key cannot be deleted)
select
    client_id,
    manager_id,
    valid_from,
    coalesce(valid_to, date '9999-12-31') as valid_to
from main.client_assignments
where coalesce(valid_to, date '9999-12-31') > valid_from
