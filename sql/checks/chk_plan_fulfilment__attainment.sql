-- @description: attainment is actual / target rounded to 4 decimals, and empty exactly when the target is missing or zero
select level, manager_id, team, period, kpi, target, actual, attainment
from marts.plan_fulfilment
where (target is null or target = 0) <> (attainment is null)
    or attainment <> round(actual / target, 4)
