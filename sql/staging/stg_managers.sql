-- @description: managers (KAMs and heads) as loaded, without lineage columns
select
    manager_id,
    name as manager_name,
    email,
    team,
    hired_on,
    left_on,
    variable_target
from main.managers
