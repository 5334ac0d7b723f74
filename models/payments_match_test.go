package models_test

import (
	"testing"

	"github.com/kam-analytics/kam/models"
)

// A payment from a payer outside the CRM that names a known invoice belongs
// to that invoice's client: it is applied to the invoice, not reported as
// unmatched. One naming an unknown invoice stays unmatched.
func TestPaymentMatchedByNamedInvoice(t *testing.T) {
	db := loadFixture(t, "receivables")
	opt := models.Options{AsOf: date("2026-03-31")}
	build(t, db, opt)
	// Before: B owes 100 on INV-B2 (31-60 days); C 600 on INV-C1 (61-90) + 200 not due.
	assertRows(t, db, "SELECT client_id, overdue_31_60::decimal(18,2), overdue_61_90::decimal(18,2), balance::decimal(18,2) FROM receivables_ageing WHERE as_of = '2026-03-31' AND client_id IN ('B', 'C') ORDER BY 1", []string{
		"B 100.00 0.00 100.00",
		"C 0.00 600.00 800.00",
	})

	ingestDir(t, db, "receivables/invoice_match")
	build(t, db, opt)
	// PAY-X3 (unknown INN) pays INV-B2's 100; PAY-X4 (no INN) 7.50 of INV-C1.
	assertRows(t, db, "SELECT client_id, overdue_31_60::decimal(18,2), overdue_61_90::decimal(18,2), balance::decimal(18,2) FROM receivables_ageing WHERE as_of = '2026-03-31' AND client_id IN ('B', 'C') ORDER BY 1", []string{
		"B 0.00 0.00 0.00",
		"C 0.00 592.50 792.50",
	})
	assertRows(t, db, "SELECT payment_id, coalesce(client_id, '-'), match_kind FROM core.core_payments_matched WHERE payment_id LIKE 'PAY-X%' ORDER BY 1", []string{
		"PAY-X1 - unmatched_inn",
		"PAY-X2 - ambiguous_inn",
		"PAY-X3 B invoice",
		"PAY-X4 C invoice",
		"PAY-X5 - unmatched_inn",
	})
	assertRows(t, db, "SELECT payment_id, reason FROM unmatched_payments ORDER BY 1", []string{
		"PAY-X1 unmatched_inn",
		"PAY-X2 ambiguous_inn",
		"PAY-X5 unmatched_inn",
	})
}

// A payment naming a client_id no client has yet stays on that id, nameless,
// until the client is loaded (docs/data-contract.md, rule 1).
func TestPaymentOfAClientNotLoadedYet(t *testing.T) {
	db := loadFixture(t, "receivables")
	ingestCSV(t, db, "payments", "payment_id,paid_on,client_id,payer_inn,amount,invoice_id,purpose\nPAY-N1,2026-03-23,NOSUCH,,40,,аванс\n")
	opt := models.Options{AsOf: date("2026-03-31")}
	build(t, db, opt)
	q := "SELECT client_id, coalesce(client_name, '-'), advance::decimal(18,2), balance::decimal(18,2) FROM receivables_ageing WHERE as_of = '2026-03-31' AND client_id = 'NOSUCH'"
	assertRows(t, db, q, []string{"NOSUCH - 40.00 -40.00"})
	assertRows(t, db, "SELECT count(*) FROM unmatched_payments WHERE payment_id = 'PAY-N1'", []string{"0"})
	ingestCSV(t, db, "clients", "client_id,name,segment\nNOSUCH,Новый клиент,Retail\n")
	build(t, db, opt)
	assertRows(t, db, q, []string{"NOSUCH Новый клиент 40.00 -40.00"})
}
