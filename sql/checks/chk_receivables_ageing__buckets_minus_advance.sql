-- @description: in receivables_ageing the bucket columns minus the advance equal the balance, and the buckets add up to the client's open amount
select ageing.as_of, ageing.client_id, ageing.advance, ageing.balance, snapshots.open_total
from marts.receivables_ageing as ageing
join core.core_receivables_client_snapshots as snapshots
    on snapshots.as_of = ageing.as_of
    and snapshots.client_id = ageing.client_id
where ageing.as_of >= coalesce(getvariable('check_from'), date '0001-01-01')
    and (list_sum(list_value(*columns('^(not_due|overdue_[0-9]+_([0-9]+|plus))$'))) - ageing.advance <> ageing.balance
        or list_sum(list_value(*columns('^(not_due|overdue_[0-9]+_([0-9]+|plus))$'))) <> snapshots.open_total)
