-- @description: allocation conserves money (on the dates the build recomputed: check_from): for every client and snapshot date, everything invoiced minus everything paid or returned (debits_total - credits_total) equals what is open minus the advance (balance); no open amount is negative or above what the debit still owed; named credits apply no more than their invoice's amount
select 'client' as failure, as_of, client_id, null as document_id, debits_total - credits_total as expected, balance as got
from core.core_receivables_client_snapshots
where as_of >= coalesce(getvariable('check_from'), date '0001-01-01')
    and (debits_total - credits_total <> balance
        or open_total - advance <> balance
        or advance < 0)
union all
select 'open item', as_of, client_id, document_id, remaining_amount, open_amount
from core.core_receivables_open_items
where as_of >= coalesce(getvariable('check_from'), date '0001-01-01')
    and (open_amount < 0
        or open_amount > remaining_amount
        or applied_named_amount + applied_pool_amount + open_amount <> amount)
union all
select 'named application', null, client_id, invoice_id, invoice_amount, sum(applied_amount)
from core.core_receivable_applications
-- a full build (no check_from) reads every invoice without the semi join
where getvariable('check_from') is null
    or invoice_id in (select invoice_id from core.core_receivable_applications where effective_date >= getvariable('check_from'))
group by client_id, invoice_id, invoice_amount
having sum(applied_amount) > invoice_amount
    or sum(applied_amount) + sum(overflow_amount) <> sum(credit_amount)
