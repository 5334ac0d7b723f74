// Package pay computes the variable part of each key account manager's pay
// from the warehouse and the compensation plans (compensation.yaml), keeps
// approved sheets locked, and exports them for payroll.
//
// # Rules
//
//	pay = variable_target × proration × min(cap, Σ weight × curve(attainment)) × Π gate multipliers
//
// where:
//
//   - Money is github.com/shopspring/decimal throughout, never a float. The
//     pay is rounded once, at the end, to 0.01, half away from zero (as
//     Excel's ROUND and Russian payroll practice do). Quotients that do not
//     terminate (attainment, interpolation, shares) carry Places (20)
//     decimals; proration is applied as days employed × … / days in the
//     period inside that one final division.
//   - The plan version that applies to a period is the one valid on the
//     period's first day: the latest valid_from on or before it among the
//     versions covering the manager (no managers list = every manager).
//   - Proration = days employed in the period / days in the period; hired_on
//     is the first day employed and left_on the last one, both inclusive
//     (the day of dismissal is a working day).
//   - attainment = actual / target (staging.stg_plans). A missing target or
//     one not above 0 makes the component pay nothing and flags the line
//     missing_target:<kpi>.
//   - The curve pays 0 below its first point, is linear between points and
//     flat at and after the last point.
//   - sales: net sales of the period from core.core_sales_events — shipped
//     lines (shipped_qty × price on shipped_on; unshipped lines do not
//     count) minus returns on their dates — each attributed to the manager
//     the event names, else to the manager assigned to the client that day.
//     With basis collected, payments received in the period
//     (core.core_payments_matched: the client the payment names, else the
//     one client whose inn is its payer_inn, else the client of the invoice
//     it names; attributed by assignment on paid_on) replace the shipments;
//     returns still reduce it.
//   - active_clients: clients active at the period end and assigned to the
//     manager then (core.core_active_clients).
//   - new_clients: clients whose first ever shipment falls in the period,
//     credited to the manager of that shipment (core.core_client_first_shipment).
//   - overdue_share = Σ overdue_* / Σ (not_due + overdue_*) of the manager's
//     clients in marts.receivables_ageing at its last as_of in the period
//     (the month end); 0 when nothing is open. Without that mart (or a date
//     in the period) it is 0 and lines of plans with gates are flagged
//     no_receivables. A gate applies when the metric is strictly above its
//     limit.
//   - Other flags: capped, gate:<metric>, provisional (the warehouse was built
//     as of a date before the period end), adjustment:<period>.
//
// # Locks and adjustments
//
// Lock stores a period's sheet in meta.pay_runs and meta.pay_lines (every
// line as JSON with its inputs, and a SHA-256 of the inputs) and logs it in
// meta.pay_log. A locked period is read back exactly as stored. When late
// data changes what a locked period would pay, the next period that is not
// locked carries a prior-period adjustment line per manager:
//
//	adjustment = pay recomputed from today's data (with the plans stored with the run)
//	           − pay as locked − adjustments for that period already locked later
//
// Lock every period that is paid: late data for a locked period goes to the
// first period after it that is not locked.
//
// Unlock (with a reason, logged) reopens a period.
package pay
