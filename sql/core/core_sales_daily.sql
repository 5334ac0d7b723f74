-- @grain: one row per event date, client and manager with sales events
-- @incremental: event_date
-- @as_of_cut: event_date
-- @description: net sales per client, manager and day (shipments − returns), with the shipped part apart; what the active client base, first shipments and plan actuals are computed from. The events and their manager are those of core_sales_events: the manager the event names, else the one assigned to the client on the event date
with

order_lines as (
    select * from staging.stg_order_lines
    where shipped_on >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
        and shipped_qty <> 0
),

returns as (
    select * from staging.stg_returns
    where return_date >= coalesce(getvariable('rebuild_from'), date '0001-01-01')
),

assignments as (
    select * from staging.stg_client_assignments
),

-- summed per day, client and named manager before the assigned manager is looked up: the assignment depends on
-- the client and the day alone, and the 10 M lines shrink to under a million rows first (core_sales_events
-- attributes line by line, which took a third longer here)
shipped as (
    select
        shipped_on as event_date,
        client_id,
        manager_id as named_manager_id,
        sum(shipped_qty * price) as shipped_amount,
        count(*) as shipped_lines
    from order_lines
    group by all
),

returned as (
    select
        return_date as event_date,
        client_id,
        sum(amount) as returned_amount
    from returns
    group by all
),

days as (
    select event_date, client_id, named_manager_id, shipped_amount, 0 as returned_amount, shipped_lines
    from shipped
    union all
    select event_date, client_id, null, null, returned_amount, 0
    from returned
),

final as (
    select
        days.event_date,
        days.client_id,
        coalesce(days.named_manager_id, assignments.manager_id) as manager_id,
        cast(sum(days.shipped_amount) as decimal(38, 8)) as shipped_amount,
        cast(sum(coalesce(days.shipped_amount, 0) - days.returned_amount) as decimal(38, 8)) as net_amount,
        cast(sum(days.shipped_lines) as bigint) as shipped_lines
    from days
    left join assignments
        on assignments.client_id = days.client_id
        and days.event_date >= assignments.valid_from
        and days.event_date < assignments.valid_to
    group by all
)

select * from final
