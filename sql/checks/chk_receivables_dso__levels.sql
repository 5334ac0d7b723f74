-- @description: DSO levels add up: each manager's and the company's balance and billing equal the sums over their clients
with

dso as (
    select * from marts.receivables_dso where as_of >= coalesce(getvariable('check_from'), date '0001-01-01')
),

clients as (
    select * from dso where level = 'client'
),

sums as (
    select as_of, 'manager' as level, manager_id, sum(balance) as balance, sum(billed_90d) as billed_90d
    from clients
    where manager_id is not null
    group by all
    union all
    select as_of, 'company', null, sum(balance), sum(billed_90d)
    from clients
    group by all
)

select dso.as_of, dso.level, dso.manager_id, dso.balance, dso.billed_90d, sums.balance as clients_balance, sums.billed_90d as clients_billed
from dso
full join sums
    on sums.as_of = dso.as_of
    and sums.level = dso.level
    and sums.manager_id is not distinct from dso.manager_id
where coalesce(dso.level, sums.level) <> 'client'
    and (dso.balance is distinct from sums.balance or dso.billed_90d is distinct from sums.billed_90d)
