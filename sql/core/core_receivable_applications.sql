-- @grain: one row per credit (payment or return) that names an invoice of its own client
-- @incremental: effective_date
-- @compression: credit_id fsst, invoice_id fsst
-- @description: applications of named credits to their invoice, in the order they take effect: on the credit's date, or on the invoice date when the credit came first (until then it waits as prepaid money, an advance). Each credit applies up to what the invoice still owes after the credits before it (applied_amount); the rest (overflow_amount) stays in the client's oldest-due-first pool. settles_invoice marks the credit that brings the invoice to zero
with

credits as not materialized (
    select * from core.core_receivable_credits
    where named_invoice_id is not null
),

invoices as not materialized (
    select * from core.core_receivable_debits
    where document_kind = 'invoice'
),

-- an incremental build recomputes the invoices a new credit or a new invoice touches, with all their credits
-- (empty in a full build, which reads every credit)
touched as (
    select document_id as invoice_id
    from invoices
    where getvariable('rebuild_from') is not null
        and document_date >= getvariable('rebuild_from')
    union
    select named_invoice_id
    from credits
    where getvariable('rebuild_from') is not null
        and document_date >= getvariable('rebuild_from')
),

named as (
    select
        credits.document_kind as credit_kind,
        credits.document_id as credit_id,
        credits.client_id,
        credits.document_date as credit_date,
        credits.amount as credit_amount,
        invoices.document_id as invoice_id,
        invoices.document_date as invoice_date,
        invoices.amount as invoice_amount,
        greatest(credits.document_date, invoices.document_date) as effective_date
    from (
        select * from credits
        where getvariable('rebuild_from') is null
            or named_invoice_id in (select invoice_id from touched)
    ) as credits
    -- the credits are narrowed to the touched invoices, and so is the join: filtering the invoices as well made
    -- DuckDB hash all of them for the semi join (0.15 s of an incremental build at 10 M order lines)
    join invoices
        on invoices.document_id = credits.named_invoice_id
        and invoices.client_id = credits.client_id
),

-- invoices named by more than one credit (few): only their credits need a running total
shared as (
    select invoice_id
    from named
    group by invoice_id
    having count(*) > 1
),

cumulative as (
    select
        named.*,
        named.credit_amount as named_total
    from named
    where named.invoice_id not in (select invoice_id from shared)
    union all
    select
        named.*,
        sum(named.credit_amount) over (
            partition by named.invoice_id
            order by named.effective_date, named.credit_date, named.credit_kind, named.credit_id
            rows between unbounded preceding and current row
        ) as named_total
    from named
    where named.invoice_id in (select invoice_id from shared)
),

final as (
    select
        credit_kind,
        credit_id,
        client_id,
        credit_date,
        credit_amount,
        invoice_id,
        invoice_date,
        invoice_amount,
        effective_date,
        cast(least(invoice_amount, named_total) - least(invoice_amount, named_total - credit_amount) as decimal(18, 4)) as applied_amount,
        cast(credit_amount - (least(invoice_amount, named_total) - least(invoice_amount, named_total - credit_amount)) as decimal(18, 4)) as overflow_amount,
        cast(least(invoice_amount, named_total) as decimal(18, 4)) as applied_total,
        named_total >= invoice_amount and named_total - credit_amount < invoice_amount as settles_invoice
    from cumulative
)

select * from final
