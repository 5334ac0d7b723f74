-- @grain: one row per month and manager with activities planned or done, or orders shipped, that month
-- @unique: month, manager_id
-- @not_null: month, manager_id, planned, done, own_clients, covered_clients
-- @incremental: month by month
-- @description: CRM activity plan vs fact per manager and month. planned / cancelled / missed count activities by their planned_on month; done counts activities with status done by done_on (planned_on when done_on is empty), up to the as-of date; done_as_planned counts the month's planned activities done within that month (and by the as-of date). own_clients: clients assigned to the manager at the month's period end; covered_clients: those of them with a done visit, call or meeting by this manager in the month; coverage = covered / own. orders: distinct orders shipped that month and attributed to the manager; visits_per_order = done visits / orders
with

activities as (
    select * from staging.stg_activities
    where coalesce(planned_on, done_on) >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
        or coalesce(done_on, planned_on) >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

months as (
    select * from core.core_calendar_months
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

assignments as (
    select * from staging.stg_client_assignments
),

orders as (
    select * from core.core_client_orders_monthly
    where month >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

planned as (
    select
        date_trunc('month', planned_on)::date as month,
        manager_id,
        count(*) as planned,
        count(*) filter (where kind = 'visit') as visits_planned,
        count(*) filter (where kind = 'call') as calls_planned,
        count(*) filter (where kind = 'meeting') as meetings_planned,
        -- done within the month planned (and by the as-of date): one that slipped into a later month was not done
        -- as planned, and a closed month's count does not change when the as-of date moves on
        count(*) filter (
            where status = 'done' and coalesce(done_on, planned_on) <= least(last_day(planned_on), getvariable('as_of')::date)
        ) as done_as_planned,
        count(*) filter (where status = 'cancelled') as cancelled,
        count(*) filter (where status = 'missed') as missed
    from activities
    where planned_on is not null
    group by all
),

done as (
    select
        date_trunc('month', coalesce(done_on, planned_on))::date as month,
        manager_id,
        count(*) as done,
        count(*) filter (where kind = 'visit') as visits_done,
        count(*) filter (where kind = 'call') as calls_done,
        count(*) filter (where kind = 'meeting') as meetings_done,
        count(*) filter (where kind = 'email') as emails_done,
        count(*) filter (where client_id is null) as prospect_contacts
    from activities
    where status = 'done'
        and coalesce(done_on, planned_on) <= getvariable('as_of')::date
    group by all
),

own as (
    select
        months.month,
        assignments.manager_id,
        assignments.client_id
    from months
    join assignments
        on months.period_end >= assignments.valid_from
        and months.period_end < assignments.valid_to
),

contacts as (
    select distinct
        date_trunc('month', coalesce(done_on, planned_on))::date as month,
        manager_id,
        client_id
    from activities
    where status = 'done'
        and kind in ('visit', 'call', 'meeting')
        and client_id is not null
        and coalesce(done_on, planned_on) <= getvariable('as_of')::date
),

coverage as (
    select
        own.month,
        own.manager_id,
        count(*) as own_clients,
        count(contacts.client_id) as covered_clients
    from own
    left join contacts
        on contacts.month = own.month
        and contacts.manager_id = own.manager_id
        and contacts.client_id = own.client_id
    group by all
),

manager_orders as (
    select
        month,
        manager_id,
        sum(orders) as orders
    from orders
    where manager_id is not null
    group by all
),

keys as (
    select month, manager_id from planned
    union
    select month, manager_id from done
    union
    select month, manager_id from manager_orders
),

final as (
    select
        keys.month,
        keys.manager_id,
        coalesce(planned.planned, 0) as planned,
        coalesce(done.done, 0) as done,
        coalesce(planned.done_as_planned, 0) as done_as_planned,
        case when planned.planned > 0
            then kam_ratio4(planned.done_as_planned, planned.planned) end::decimal(18, 4) as done_as_planned_share,
        coalesce(planned.cancelled, 0) as cancelled,
        coalesce(planned.missed, 0) as missed,
        coalesce(planned.visits_planned, 0) as visits_planned,
        coalesce(done.visits_done, 0) as visits_done,
        coalesce(planned.calls_planned, 0) as calls_planned,
        coalesce(done.calls_done, 0) as calls_done,
        coalesce(planned.meetings_planned, 0) as meetings_planned,
        coalesce(done.meetings_done, 0) as meetings_done,
        coalesce(done.emails_done, 0) as emails_done,
        coalesce(done.prospect_contacts, 0) as prospect_contacts,
        coalesce(coverage.own_clients, 0) as own_clients,
        coalesce(coverage.covered_clients, 0) as covered_clients,
        case when coverage.own_clients > 0
            then kam_ratio4(coverage.covered_clients, coverage.own_clients) end::decimal(18, 4) as coverage,
        cast(coalesce(manager_orders.orders, 0) as bigint) as orders,
        case when manager_orders.orders > 0
            then kam_ratio4(coalesce(done.visits_done, 0), manager_orders.orders) end::decimal(18, 4) as visits_per_order
    from keys
    join months
        on months.month = keys.month
    left join planned
        on planned.month = keys.month
        and planned.manager_id = keys.manager_id
    left join done
        on done.month = keys.month
        and done.manager_id = keys.manager_id
    left join coverage
        on coverage.month = keys.month
        and coverage.manager_id = keys.manager_id
    left join manager_orders
        on manager_orders.month = keys.month
        and manager_orders.manager_id = keys.manager_id
)

select * from final
