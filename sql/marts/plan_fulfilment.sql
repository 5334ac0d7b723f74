-- @grain: one row per level (manager, team, company), manager or team, period (month, quarter, year) and KPI
-- @unique: level, manager_id, team, period, kpi
-- @not_null: level, period, period_kind, kpi, actual
-- @incremental: period_end
-- @description: plan fulfilment: target, actual, attainment (actual / target, 4 decimals; empty when the target is missing or zero, flagged missing_target), gap (target − actual) and a run-rate projection for the period in progress. sales = net sales; new_clients = clients whose first shipment falls in the period (credited to the manager of that shipment); active_clients = clients active at the period end (a stock: quarter and year take their last month, or the as-of month while they run; 0 when the manager has no active client then). A plan's period is its window: YYYY-MM, YYYY-Qn or YYYY. A quarter or year without its own plan takes the sum of its months' (quarters') targets over its whole window, months after the as-of date included (active_clients: the last one's that has a target), flagged missing_target when any of them is missing or zero; actuals count up to the as-of date
with

months as (
    select * from core.core_calendar_months
),

daily as (
    select * from core.core_sales_daily
),

first_shipments as (
    select * from core.core_client_first_shipment
),

active as (
    select * from core.core_active_clients
),

plans as (
    select * from staging.stg_plans
),

managers as (
    select * from staging.stg_managers
),

monthly_actuals as (
    select date_trunc('month', event_date)::date as month, manager_id, 'sales' as kpi, sum(net_amount) as actual
    from daily
    where manager_id is not null
    group by all
    union all
    select first_month, manager_id, 'new_clients', count(*)
    from first_shipments
    where manager_id is not null
    group by all
    union all
    select month, manager_id, 'active_clients', count(distinct client_id)
    from active
    where manager_id is not null
    group by all
),

monthly_targets as (
    select strptime(period, '%Y-%m')::date as month, manager_id, kpi, target
    from plans
    where kpi in ('sales', 'new_clients', 'active_clients')
        and regexp_full_match(period, '[0-9]{4}-[0-9]{2}')
),

-- plans for a whole quarter (YYYY-Qn) or year (YYYY): the period is the window
period_targets as (
    select
        manager_id,
        kpi,
        period,
        target,
        case when regexp_full_match(period, '[0-9]{4}-Q[1-4]') then 'quarter' else 'year' end as period_kind,
        case when regexp_full_match(period, '[0-9]{4}-Q[1-4]')
            then make_date(cast(left(period, 4) as integer), cast(right(period, 1) as integer) * 3 - 2, 1)
            else make_date(cast(period as integer), 1, 1)
        end as period_start
    from plans
    where kpi in ('sales', 'new_clients', 'active_clients')
        and (regexp_full_match(period, '[0-9]{4}-Q[1-4]') or regexp_full_match(period, '[0-9]{4}'))
),

manager_months as (
    select distinct manager_id, month from monthly_actuals
    union
    select distinct manager_id, month from monthly_targets
    union
    -- a manager with a quarter or year plan gets the window's months (up to the as-of month) even without sales
    select distinct period_targets.manager_id, months.month
    from period_targets
    join months
        on months.month >= period_targets.period_start
        and months.month < period_targets.period_start + case period_targets.period_kind when 'quarter' then interval 3 month else interval 12 month end
),

monthly as (
    select
        manager_months.manager_id,
        months.month,
        months.period_end,
        months.is_in_progress,
        kpis.kpi,
        coalesce(monthly_actuals.actual, 0) as actual,
        monthly_targets.target
    from manager_months
    join months
        on months.month = manager_months.month
    cross join (values ('sales'), ('active_clients'), ('new_clients')) as kpis(kpi)
    left join monthly_actuals
        on monthly_actuals.manager_id = manager_months.manager_id
        and monthly_actuals.month = manager_months.month
        and monthly_actuals.kpi = kpis.kpi
    left join monthly_targets
        on monthly_targets.manager_id = manager_months.manager_id
        and monthly_targets.month = manager_months.month
        and monthly_targets.kpi = kpis.kpi
),

month_periods as (
    select
        manager_id,
        'month' as period_kind,
        strftime(month, '%Y-%m') as period,
        month as period_start,
        (month + interval 1 month - interval 1 day)::date as period_end,
        kpi,
        actual,
        target,
        target is null or target = 0 as has_missing_target,
        is_in_progress
    from monthly
),

-- the target of every quarter of the years shown, for its whole window (months after the as-of month
-- included: a plan is known in advance): its own plan, else the sum of its months' (a stock KPI: the last
-- month's that has one), missing when that of a month the manager works in (hired_on to left_on) is missing or zero
quarter_targets as (
    select
        windows.manager_id,
        windows.kpi,
        windows.period_start,
        case when period_targets.target is not null then period_targets.target
            when windows.kpi = 'active_clients' then arg_max(monthly_targets.target, monthly_targets.month)
            else sum(monthly_targets.target) end as target,
        case when period_targets.target is not null then period_targets.target = 0
            else coalesce(bool_or(monthly_targets.target is null or monthly_targets.target = 0) filter (
                where (managers.hired_on is null or managers.hired_on < windows.period_start + to_months(months_in.i + 1))
                    and (managers.left_on is null or managers.left_on >= windows.period_start + to_months(months_in.i))
            ), false) end as has_missing_target
    from (
        select distinct manager_id, kpi, (date_trunc('year', month) + to_months(3 * quarters.i))::date as period_start
        from monthly
        cross join range(4) as quarters(i)
    ) as windows
    cross join range(3) as months_in(i)
    left join managers
        on managers.manager_id = windows.manager_id
    left join monthly_targets
        on monthly_targets.manager_id = windows.manager_id
        and monthly_targets.kpi = windows.kpi
        and monthly_targets.month = (windows.period_start + to_months(months_in.i))::date
    left join period_targets
        on period_targets.manager_id = windows.manager_id
        and period_targets.kpi = windows.kpi
        and period_targets.period_kind = 'quarter'
        and period_targets.period_start = windows.period_start
    group by windows.manager_id, windows.kpi, windows.period_start, period_targets.target
),

quarter_derived as (
    select
        manager_id,
        'quarter' as period_kind,
        strftime(date_trunc('quarter', month), '%Y') || '-Q' || quarter(date_trunc('quarter', month)) as period,
        date_trunc('quarter', month)::date as period_start,
        (date_trunc('quarter', month) + interval 3 month - interval 1 day)::date as period_end,
        kpi,
        -- a stock KPI takes the value at the window's last month, or the as-of month: 0 where the manager has no
        -- row then (the last row a manager has may be a month they still had clients); flows sum up
        case when kpi = 'active_clients'
            then coalesce(sum(actual) filter (
                where month = least(date_trunc('quarter', month) + interval 2 month, date_trunc('month', getvariable('as_of')::date))
            ), 0)
            else sum(actual) end as actual,
        -- by the window's end: a manager without a row in the as-of month is still in a quarter in progress
        bool_or((date_trunc('quarter', month) + interval 3 month - interval 1 day)::date > getvariable('as_of')::date) as is_in_progress
    from monthly
    group by manager_id, date_trunc('quarter', month), kpi
),

quarter_periods as (
    select
        quarter_derived.*,
        quarter_targets.target,
        quarter_targets.has_missing_target
    from quarter_derived
    join quarter_targets
        on quarter_targets.manager_id = quarter_derived.manager_id
        and quarter_targets.kpi = quarter_derived.kpi
        and quarter_targets.period_start = quarter_derived.period_start
),

-- a year's target is its own plan, else the sum of its four quarters' (a stock KPI: the last quarter's that has one)
year_targets as (
    select
        manager_id,
        kpi,
        date_trunc('year', period_start)::date as year_start,
        case when kpi = 'active_clients' then arg_max(target, period_start) filter (where target is not null)
            else sum(target) end as target,
        bool_or(has_missing_target) as has_missing_target
    from quarter_targets
    group by manager_id, kpi, date_trunc('year', period_start)
),

year_derived as (
    select
        manager_id,
        'year' as period_kind,
        strftime(period_start, '%Y') as period,
        date_trunc('year', period_start)::date as period_start,
        (date_trunc('year', period_start) + interval 1 year - interval 1 day)::date as period_end,
        kpi,
        case when kpi = 'active_clients'
            then coalesce(sum(actual) filter (
                where period_start = least(date_trunc('year', period_start) + interval 9 month, date_trunc('quarter', getvariable('as_of')::date))
            ), 0)
            else sum(actual) end as actual,
        bool_or((date_trunc('year', period_start) + interval 1 year - interval 1 day)::date > getvariable('as_of')::date) as is_in_progress
    from quarter_periods
    group by manager_id, strftime(period_start, '%Y'), date_trunc('year', period_start), kpi
),

year_periods as (
    select
        year_derived.*,
        coalesce(period_targets.target, year_targets.target) as target,
        case when period_targets.target is not null then period_targets.target = 0
            else year_targets.has_missing_target end as has_missing_target
    from year_derived
    join year_targets
        on year_targets.manager_id = year_derived.manager_id
        and year_targets.kpi = year_derived.kpi
        and year_targets.year_start = year_derived.period_start
    left join period_targets
        on period_targets.manager_id = year_derived.manager_id
        and period_targets.kpi = year_derived.kpi
        and period_targets.period = year_derived.period
),

manager_periods as (
    select manager_id, period_kind, period, period_start, period_end, kpi, actual, target, has_missing_target, is_in_progress
    from month_periods
    union all
    select manager_id, period_kind, period, period_start, period_end, kpi, actual, target, has_missing_target, is_in_progress
    from quarter_periods
    union all
    select manager_id, period_kind, period, period_start, period_end, kpi, actual, target, has_missing_target, is_in_progress
    from year_periods
),

team_periods as (
    select
        'team' as level,
        null as manager_id,
        managers.team,
        period_kind, period, period_start, period_end, kpi,
        sum(actual) as actual,
        sum(target) as target,
        bool_or(has_missing_target) as has_missing_target,
        bool_or(is_in_progress) as is_in_progress
    from manager_periods
    join managers
        on managers.manager_id = manager_periods.manager_id
    where managers.team is not null
    group by managers.team, period_kind, period, period_start, period_end, kpi
),

company_periods as (
    select
        'company' as level,
        null as manager_id,
        null as team,
        period_kind, period, period_start, period_end, kpi,
        sum(actual) as actual,
        sum(target) as target,
        bool_or(has_missing_target) as has_missing_target,
        bool_or(is_in_progress) as is_in_progress
    from manager_periods
    group by period_kind, period, period_start, period_end, kpi
),

all_levels as (
    select 'manager' as level, manager_periods.manager_id, managers.team,
        period_kind, period, period_start, period_end, kpi, actual, target, has_missing_target, is_in_progress
    from manager_periods
    left join managers
        on managers.manager_id = manager_periods.manager_id
    union all
    select * from team_periods
    union all
    select * from company_periods
),

final as (
    select
        all_levels.level,
        all_levels.manager_id,
        managers.manager_name,
        all_levels.team,
        all_levels.period,
        all_levels.period_kind,
        all_levels.period_start,
        all_levels.period_end,
        all_levels.kpi,
        all_levels.target::decimal(38, 8) as target,
        all_levels.actual::decimal(38, 8) as actual,
        case when all_levels.target is not null and all_levels.target <> 0
            then kam_ratio4(all_levels.actual, all_levels.target)::decimal(18, 4) end as attainment,
        (all_levels.target - all_levels.actual)::decimal(38, 8) as gap,
        all_levels.is_in_progress,
        -- run-rate: flows scale by days elapsed; a stock stays as it is
        (case
            when all_levels.is_in_progress and all_levels.kpi <> 'active_clients'
                then all_levels.actual * ((all_levels.period_end - all_levels.period_start + 1)
                    / (getvariable('as_of')::date - all_levels.period_start + 1))
            else all_levels.actual
        end)::decimal(38, 8) as projected,
        case when all_levels.has_missing_target then 'missing_target' else '' end as flags
    from all_levels
    left join managers
        on managers.manager_id = all_levels.manager_id
)

select * from final
