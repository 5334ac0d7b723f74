-- @description: monthly targets per manager and KPI
select
    manager_id,
    period,
    kpi,
    target
from main.plans
