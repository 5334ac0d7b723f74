package ingest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Bank statements (formats 1c-bank and camt053) become payments. Their
// stagers produce one row per payment document with the columns below: the
// canonical payments fields under their own names, so such a source needs no
// `columns:`, plus the document's other details for `filter:` and for
// `columns: {expr: ...}` mappings.
//
// Only incoming payments load: every source of these formats gets the
// built-in filter `direction = 'incoming'` (ANDed with the source's own
// `filter:`), so outgoing payments, payments between third parties and
// reversals are read and counted as filtered, never dropped silently.
var bankColumns = []string{
	"payment_id",    // stable id, see the format's file for the rule
	"paid_on",       // ISO date the money reached us
	"payer_inn",     // empty when the document carries none
	"amount",        // exact decimal text, point as separator
	"purpose",       // payment purpose text
	"invoice_id",    // set only when invoice_ref names an invoice already in the warehouse
	"direction",     // incoming | outgoing | internal | other | reversal | pending
	"payer_name",    //
	"payer_account", //
	"payee_inn",     //
	"payee_account", //
	"currency",      // camt053 only (1c-bank statements are in roubles)
	"doc_type",      // 1c-bank: СекцияДокумент type; camt053: bank transaction code
	"doc_number",    // 1c-bank: Номер; camt053: the reference the id was built from
	"doc_date",      // 1c-bank: Дата; camt053: value date
	"invoice_ref",   // the invoice number found in the purpose (or camt's creditor reference), checked or not
}

// Directions of a bank document, as seen from the company.
const (
	dirIncoming = "incoming" // paid to us by someone else: a payment
	dirOutgoing = "outgoing" // paid by us
	dirInternal = "internal" // between our own accounts
	dirOther    = "other"    // neither side is us (e.g. an export of someone else's orders)
	dirReversal = "reversal" // camt053: a reversal of an earlier entry
	dirPending  = "pending"  // camt053: an entry not booked yet
)

// bankPayment is one document of a statement, whatever its direction.
type bankPayment struct {
	line                          int64 // where the document starts
	paymentID, paidOn, payerINN   string
	amount, purpose, invoiceRef   string
	direction                     string
	payerName, payerAccount       string
	payeeINN, payeeAccount        string
	currency, docType, docNumber  string
	docDate                       string
	statementID                   string // camt053: Stmt/Id
	entryIndex                    int    // camt053: 0-based position of the entry in its statement
	bookingDate, valueDate, e2eID string // camt053 details the tests compare
	acctSvcrRef, ntryRef, txID    string
}

// isBankFormat reports whether a format reads bank statements into payments.
func isBankFormat(format string) bool { return format == "1c-bank" || format == "camt053" }

// withFormatDefaults returns the source as loading sees it: bank statement
// formats get the built-in `direction = 'incoming'` filter. Other sources are
// returned unchanged.
func withFormatDefaults(src *Source) *Source {
	if !isBankFormat(src.Format) {
		return src
	}
	s := *src
	s.Filter = "direction = 'incoming'"
	if src.Filter != "" {
		s.Filter += " AND (" + src.Filter + ")"
	}
	return &s
}

// stageBankPayments stages a statement's documents through the Appender.
// invoice_id is filled only for invoice references that name an invoice
// already in the warehouse (exact match), so a guess never points a payment
// at an invoice that does not exist; the guess itself stays in invoice_ref.
func stageBankPayments(ctx context.Context, f *file, pays []bankPayment, bad []badRow) (stageResult, []badRow, error) {
	known, err := knownInvoices(ctx, f, pays)
	if err != nil {
		return stageResult{}, nil, err
	}
	st, err := stageRows(ctx, f, bankColumns, func(sink rowSink) error {
		for i := range pays {
			p := &pays[i]
			inv := ""
			if p.direction == dirIncoming && known[p.invoiceRef] {
				inv = p.invoiceRef
			}
			vals := []string{p.paymentID, p.paidOn, p.payerINN, p.amount, p.purpose, inv,
				p.direction, p.payerName, p.payerAccount, p.payeeINN, p.payeeAccount, p.currency,
				p.docType, p.docNumber, p.docDate, p.invoiceRef}
			row := make([]any, len(vals))
			for j, v := range vals {
				if v != "" {
					row[j] = v
				}
			}
			if err := sink(p.line, row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return stageResult{}, nil, err
	}
	return stageResult{staged: st}, bad, nil
}

// knownInvoices returns which of the incoming payments' invoice references
// are invoice ids in the warehouse, read in the load's transaction.
func knownInvoices(ctx context.Context, f *file, pays []bankPayment) (map[string]bool, error) {
	seen := map[string]bool{}
	var refs []string
	for _, p := range pays {
		if p.direction == dirIncoming && p.invoiceRef != "" && !seen[p.invoiceRef] {
			seen[p.invoiceRef] = true
			refs = append(refs, sqlStr(p.invoiceRef))
		}
	}
	known := map[string]bool{}
	for i := 0; i < len(refs); i += 500 {
		j := min(i+500, len(refs))
		rows, err := f.tx.QueryContext(ctx, "SELECT invoice_id FROM main.invoices WHERE invoice_id IN ("+strings.Join(refs[i:j], ", ")+")")
		if err != nil {
			return nil, fmt.Errorf("look up invoices named in payment purposes: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			known[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return known, nil
}

// invoiceRefPattern finds an invoice number in a payment purpose. It is
// deliberately narrow: the word счёт/счет (or счета, счету, счетом, счете),
// the abbreviation "сч." or the English "invoice"/"inv.", standing as a word
// of its own, then an optional №, N, # or No, then a token of letters,
// digits, "/", "_" and "-" that holds at least one digit:
//
//	"За товары, по счету №125 на сумму 175000-00"     → 125
//	"Оплата по счету N 1024 от 01.01.23г 18026,52"    → 1024
//	"... за март 2022г. по сч.34 от 31.03.2022"       → 34
//	"Оплата по заказу клиента №9614"                   → (none: a заказ is not an invoice)
//	"счет-фактура №12", "счетчик 5", "Счёт на оплату" → (none)
//
// A token followed by ".digit" (the start of a date) is not taken. Only the
// first acceptable token counts.
var invoiceRefPattern = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(?:сч[её]т(?:ом|а|у|е)?|сч\.|invoice|inv\.)\s*(?:№|#|No\.?|N)?\s*([\p{L}\p{N}][\p{L}\p{N}/_-]*)`)

// invoiceRef returns the invoice number named in a purpose text, or "".
func invoiceRef(purpose string) string {
	for _, m := range invoiceRefPattern.FindAllStringSubmatchIndex(purpose, -1) {
		tok := strings.TrimRight(purpose[m[2]:m[3]], "/_-")
		if !strings.ContainsFunc(tok, unicode.IsDigit) {
			continue
		}
		end := m[2] + len(tok)
		if rest := purpose[end:]; len(rest) >= 2 && rest[0] == '.' && rest[1] >= '0' && rest[1] <= '9' {
			continue
		}
		return tok
	}
	return ""
}

var decimalText = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// bankAmount returns a statement amount as exact decimal text: spaces
// (also no-break ones) dropped, a lone decimal comma read as a point and
// trailing fractional zeros beyond the second decimal dropped ("8.850" →
// "8.85", "5442.09000" → "5442.09"; "700" and "6000.00" stay), so the
// four-decimal limit of the warehouse is not hit by zeros. Text that is not
// a number comes back trimmed but otherwise as it was, for the typing step
// to quarantine.
func bankAmount(s string) string {
	s = strings.TrimSpace(s)
	t := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' {
			return -1
		}
		return r
	}, s)
	if !strings.Contains(t, ".") && strings.Count(t, ",") == 1 {
		t = strings.Replace(t, ",", ".", 1)
	}
	if !decimalText.MatchString(t) {
		return s
	}
	if dot := strings.IndexByte(t, '.'); dot >= 0 {
		for len(t)-dot-1 > 2 && t[len(t)-1] == '0' {
			t = t[:len(t)-1]
		}
	}
	return t
}

// bankAmountKey is an amount in one canonical spelling for ids: "700",
// "700.00" and "700.0" are all "700".
func bankAmountKey(s string) string {
	t := bankAmount(s)
	if !decimalText.MatchString(t) {
		return t
	}
	t = strings.TrimPrefix(t, "+")
	if strings.Contains(t, ".") {
		t = strings.TrimSuffix(strings.TrimRight(t, "0"), ".")
	}
	neg := strings.HasPrefix(t, "-")
	t = strings.TrimLeft(strings.TrimPrefix(t, "-"), "0")
	if t == "" || t[0] == '.' {
		t = "0" + t
	}
	if neg && t != "0" {
		t = "-" + t
	}
	return t
}
