-- @grain: one row per month and manager (manager_id '' for clients no assignment covers)
-- @unique: month, manager_id
-- @not_null: month, manager_id, active_start, active, new_clients, lost, reactivated
-- @incremental: month by month
-- @description: the client base of each manager per month, in distinct clients. active: clients active at the month's period end (net sales above 0 in the trailing active_window_days, default 90) for the manager assigned then; active_start: the same at the previous month's end. new_clients: first ever shipment in the month, credited to the manager of that shipment (as in plan_fulfilment). The bridge active = active_start - lost - transferred_out + transferred_in + new_active + reactivated holds on every row: lost = active for this manager at the previous month end and for no one now; transferred_out / transferred_in = active at both ends but for another manager at the other end; new_active = active for the first time ever; reactivated = now active, not active a month ago, but active at some earlier month end
with

active as (
    select * from core.core_active_clients
),

first_shipments as (
    select * from core.core_client_first_shipment
),

months as (
    select * from core.core_calendar_months
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

now_active as (
    select
        months.month,
        active.client_id,
        coalesce(active.manager_id, '') as manager_id
    from months
    join active
        on active.month = months.month
),

before_active as (
    select
        months.month,
        active.client_id,
        coalesce(active.manager_id, '') as manager_id
    from months
    join active
        on active.month = (months.month - interval 1 month)::date
),

first_active as (
    select
        client_id,
        min(month) as first_active_month
    from active
    group by all
),

ends as (
    select
        coalesce(now_active.month, before_active.month) as month,
        coalesce(now_active.client_id, before_active.client_id) as client_id,
        now_active.manager_id as now_manager_id,
        before_active.manager_id as before_manager_id
    from now_active
    full join before_active
        on before_active.month = now_active.month
        and before_active.client_id = now_active.client_id
),

movements as (
    -- each client counts at most once on each side: where it was a month ago, where it is now
    select
        ends.month,
        ends.before_manager_id as manager_id,
        ends.client_id,
        1 as was_active,
        0 as is_active,
        case when ends.now_manager_id is null then 1 else 0 end as lost,
        case when ends.now_manager_id <> ends.before_manager_id then 1 else 0 end as transferred_out,
        0 as transferred_in,
        0 as new_active,
        0 as reactivated
    from ends
    where ends.before_manager_id is not null
    union all
    select
        ends.month,
        ends.now_manager_id,
        ends.client_id,
        0,
        1,
        0,
        0,
        case when ends.before_manager_id <> ends.now_manager_id then 1 else 0 end,
        case when ends.before_manager_id is null and first_active.first_active_month = ends.month then 1 else 0 end,
        case when ends.before_manager_id is null and first_active.first_active_month < ends.month then 1 else 0 end
    from ends
    join first_active
        on first_active.client_id = ends.client_id
    where ends.now_manager_id is not null
),

base as (
    select
        month,
        manager_id,
        sum(was_active) as active_start,
        sum(lost) as lost,
        sum(transferred_out) as transferred_out,
        sum(transferred_in) as transferred_in,
        sum(new_active) as new_active,
        sum(reactivated) as reactivated,
        sum(is_active) as active
    from movements
    group by all
),

new_clients as (
    select
        first_month as month,
        coalesce(manager_id, '') as manager_id,
        count(*) as new_clients
    from first_shipments
    group by all
),

final as (
    select
        months.month,
        coalesce(base.manager_id, new_clients.manager_id) as manager_id,
        cast(coalesce(base.active_start, 0) as bigint) as active_start,
        cast(coalesce(new_clients.new_clients, 0) as bigint) as new_clients,
        cast(coalesce(base.new_active, 0) as bigint) as new_active,
        cast(coalesce(base.reactivated, 0) as bigint) as reactivated,
        cast(coalesce(base.transferred_in, 0) as bigint) as transferred_in,
        cast(coalesce(base.lost, 0) as bigint) as lost,
        cast(coalesce(base.transferred_out, 0) as bigint) as transferred_out,
        cast(coalesce(base.active, 0) as bigint) as active
    from base
    full join new_clients
        on new_clients.month = base.month
        and new_clients.manager_id = base.manager_id
    join months
        on months.month = coalesce(base.month, new_clients.month)
)

select * from final
