// Package gen writes a synthetic B2B distributor as canonical CSV files
// (data-contract.md): the sample company of kam demo and the load for
// benchmarks. The same Options give the same bytes: every random draw comes
// from a PCG stream seeded by Options.Seed, one stream per part of the
// company (so scaling the orders leaves clients and CRM unchanged), and no
// map is iterated to produce output.
//
// Layout: dir/<entity>/<entity>.csv for small entities, one file per month
// (dir/order_lines/order_lines_2026-10.csv) for order_lines, invoices,
// returns, payments and activities; header in contract order, UTF-8,
// comma, ISO dates, '.' decimals (money 2 places, quantities up to 3).
//
// What is in it, because downstream models and dashboards need it:
//   - KAMs M01.. in two or three teams, with monthly variable targets; one
//     hired mid-month during the history, one who left (left_on is the last
//     working day; the clients move to teammates the next day).
//   - Clients C0001.. (numbered by creation date) in five segments with
//     Russian company names, valid unique INNs (12 digits for ИП, a few
//     clients without one), regions, key accounts, price columns A/B/C,
//     credit limits (some none, prepaying clients 0) and payment terms.
//     ~5 % are prospects that never order; new clients arrive every month
//     (with a won deal just before the first order) and clients leave at
//     ~15 % a year.
//   - Assignments from the client's creation; ~5 % move to another KAM,
//     most from the 1st of a month, some mid-month; the new KAM takes over
//     a few clients on the hiring day.
//   - 200 SKUs in nine categories, price list columns A, B (-5 %), C
//     (-10 %), about a third with a price rise during the history.
//   - Orders as a renewal process per client on a seasonal clock (December
//     peak, January dip, summer dip or peak by segment, spring and autumn
//     for car services), a small trend, weekday pattern, key accounts
//     ordering like clockwork. Totals grow about 8 % a year with the
//     growing base and the price rises. ~5 % of lines name a manager (some
//     a covering teammate); ~3 % are priced below the client's column
//     (each KAM has their own breach rate); promotion lines carry the
//     promo discount and promotions lift sales.
//   - Shipments 0–5 days after the order, never on Sunday, never after the
//     as-of date (later ones are not shipped yet); ~6 % of orders ship in
//     two parts (two invoices); ~4 % partial lines, ~2 % never shipped,
//     ~1.5 % refused at delivery: refused_qty with a reason, and
//     shipped_qty is what the client accepted, so shipped_qty × price is
//     what was sold and invoiced.
//   - One invoice per order and shipment day: amount = Σ shipped_qty ×
//     price rounded to the kopeck; due_date mostly empty (terms apply),
//     sometimes explicit, some with a negotiated delay.
//   - Returns on ~1.5 % of invoices (part of one line), 20 % without the
//     invoice_id; the client then pays the invoice net of the return.
//   - Payments by client habit: most on time, some 10–120 days late, some
//     in two parts; prepaying clients pay an advance on the order day;
//     2–3 % of clients stop paying (their later invoices go 90+ overdue)
//     and stop ordering a month or two later. ~85 % name the invoice,
//     ~10 % carry only the payer's INN, two come from INNs that belong to
//     no client. Purposes read like Russian bank statements, with VAT at
//     20 % before 2026 and 22 % from 2026.
//   - Activities planned weekly per KAM (visits, calls, meetings, e-mails;
//     ~12 % with prospects), settled by the KAM's discipline; the two
//     weeks after the as-of date are planned only. Deals won, lost and
//     open; competitor notes for ~40 % of clients (share or volume, some
//     repeated over time); promotions about six a year.
//   - Plans for every KAM and month employed, to two months past the
//     as-of month: sales, active_clients and new_clients calibrated on the
//     KAM's actual times a personal factor 0.85–1.2, so some KAMs are above
//     plan and some below month after month; one new_clients target is
//     missing.
//
// Orders are simulated day by day and written as they are made; what they
// set in motion (invoices, returns, payments) waits in an agenda of future
// days. Memory stays flat: 10 M order lines take 11–16 s and under 30 MB.
package gen
