-- @grain: one row per as_of date (every month end up to the build's as-of date, and that date) and document with something still open on it: an invoice, or a payment or return with a negative amount (money paid back to the client)
-- @unique: as_of, document_kind, document_id
-- @not_null: as_of, client_id, document_kind, document_id, open_amount, bucket
-- @materialize: view
-- @incremental: as_of
-- @description: the open items behind receivables_ageing: each with its due date, what was applied to it by name and from the oldest-due-first pool, what is still open, days overdue and the ageing bucket. A view: the rows are core_receivables_allocation's, aged by core_receivables_open_items, with the client's name and manager, so the build does not write them twice (its checks look at the as_of dates the build recomputed). kam export receivables_open_invoices --as-of DATE computes any other date
with

allocation as (
    select * from core.core_receivables_open_items
),

clients as (
    select * from staging.stg_clients
),

assignments as (
    select * from staging.stg_client_assignments
),

final as (
    select
        allocation.as_of,
        allocation.client_id,
        clients.client_name,
        assignments.manager_id,
        allocation.document_kind,
        allocation.document_id,
        allocation.document_date,
        allocation.due_date,
        allocation.amount,
        allocation.applied_named_amount,
        allocation.applied_pool_amount,
        allocation.open_amount,
        allocation.days_overdue,
        allocation.bucket
    from allocation
    left join clients
        on clients.client_id = allocation.client_id
    left join assignments
        on assignments.client_id = allocation.client_id
        and allocation.as_of >= assignments.valid_from
        and allocation.as_of < assignments.valid_to
    where allocation.open_amount > 0
)

select * from final
