-- @description: the client-base bridge holds on every row: active = active_start - lost - transferred_out + transferred_in + new_active + reactivated, and each month's active clients equal the distinct active clients of core_active_clients
select month, manager_id, active_start, lost, transferred_out, transferred_in, new_active, reactivated, active
from marts.client_base_monthly
where active <> active_start - lost - transferred_out + transferred_in + new_active + reactivated
union all
select base.month, 'TOTAL', null, null, null, null, null, null, base.active
from (select month, sum(active) as active from marts.client_base_monthly group by all) as base
left join (select month, count(distinct client_id) as active from core.core_active_clients group by all) as core_active
    on core_active.month = base.month
where base.active <> coalesce(core_active.active, 0)
