-- @description: attainment is actual / target rounded to 4 decimals (within half a unit of the exact quotient, checked without dividing: DuckDB divides decimals as doubles), and empty exactly when the target is missing or zero
select level, manager_id, team, period, kpi, target, actual, attainment
from marts.plan_fulfilment
where (target is null or target = 0) <> (attainment is null)
    or abs(actual - attainment * target) > 0.00005 * abs(target)
