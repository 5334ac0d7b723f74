package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/text/encoding/ianaindex"
)

// Format camt053 reads ISO 20022 bank-to-customer statements (camt.053,
// message versions 001.02 to 001.08 are tested; elements are matched by
// local name, so the namespace version does not matter) into payments.
//
// Every <Ntry> of every <Stmt> is read. Its direction: CdtDbtInd CRDT is
// incoming (a payment), DBIT outgoing; RvslInd=true makes it a reversal and
// a status other than BOOK (PDNG, INFO, …) makes it pending; all but
// incoming are filtered. A batch entry with several <TxDtls> that each carry
// their own amount becomes one payment per transaction; otherwise the entry
// is one payment with the entry's amount and its first <TxDtls>' details.
//
// Fields:
//   - paid_on: BookgDt, else ValDt (<Dt>, or the date part of <DtTm> as
//     written, i.e. the bank's local date);
//   - amount: <Amt> as written (exact; zeros after the second decimal dropped),
//     in its own currency (column currency; kam does not convert);
//   - payer_name: RltdPties/Dbtr (Nm or, from .08 on, Pty/Nm), else UltmtDbtr;
//   - payer_inn: the debtor's Id/OrgId or PrvtId <Othr><Id> whose SchmeNm is
//     Cd TXID or Prtry INN/ИНН, or that has no SchmeNm and is 10 or 12
//     digits; anything else (a passport number, a BIC) is not an INN;
//   - purpose: the RmtInf/Ustrd lines joined with spaces, else the structured
//     creditor references (Strd/CdtrRefInf/Ref);
//   - invoice_ref: the first creditor reference, else an invoice number found
//     in the purpose (see invoiceRefPattern).
//
// payment_id, first that applies ("<acct>" is the statement account's IBAN
// or other id):
//  1. "<acct>/<AcctSvcrRef>": the bank's own reference (the transaction's,
//     else the entry's);
//  2. "<acct>/ntry/<NtryRef>";
//  3. "<acct>/e2e/<EndToEndId>/<paid_on>/<amount>", the amount in canonical
//     form ("700.00" → "700"; NOTPROVIDED is no id): the payer chooses this
//     id, so date and amount keep two payers' equal ids apart;
//  4. "<acct>/tx/<TxId>";
//  5. "<acct>/<Stmt Id>/<n>[/<m>]", the entry's 1-based position in its
//     statement (and the transaction's in a batch): stable for the same
//     statement file, different in a re-issued statement with another Id.
//
// The line of a row is the line of its <Ntry>. A file with no <Stmt> or
// whose root is not a BkToCstmrStmt document fails as a whole.
func init() { registerFormat("camt053", stageCamt053) }

func stageCamt053(ctx context.Context, f *file) (stageResult, []badRow, error) {
	r, err := os.Open(f.path)
	if err != nil {
		return stageResult{}, nil, err
	}
	defer r.Close()
	pays, err := parseCamt053(r)
	if err != nil {
		return stageResult{}, nil, err
	}
	return stageBankPayments(ctx, f, pays, nil)
}

type camtAmt struct {
	Value string `xml:",chardata"`
	Ccy   string `xml:"Ccy,attr"`
}

type camtDate struct {
	Dt   string `xml:"Dt"`
	DtTm string `xml:"DtTm"`
}

func (d camtDate) date() string {
	if s := strings.TrimSpace(d.Dt); s != "" {
		return s
	}
	s := strings.TrimSpace(d.DtTm)
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		return s[:10]
	}
	return s
}

type camtOther struct {
	ID      string `xml:"Id"`
	SchmeNm struct {
		Cd    string `xml:"Cd"`
		Prtry string `xml:"Prtry"`
	} `xml:"SchmeNm"`
}

type camtPartyID struct {
	OrgID  struct{ Othr []camtOther } `xml:"OrgId"`
	PrvtID struct{ Othr []camtOther } `xml:"PrvtId"`
}

// camtParty is a party up to .07 (Nm, Id) or a Party40Choice from .08 on (Pty/Nm, Pty/Id).
type camtParty struct {
	Nm  string      `xml:"Nm"`
	ID  camtPartyID `xml:"Id"`
	Pty *struct {
		Nm string      `xml:"Nm"`
		ID camtPartyID `xml:"Id"`
	} `xml:"Pty"`
}

func (p camtParty) name() string {
	if p.Pty != nil && strings.TrimSpace(p.Pty.Nm) != "" {
		return strings.TrimSpace(p.Pty.Nm)
	}
	return strings.TrimSpace(p.Nm)
}

// inn applies the payer_inn rule of the format comment.
func (p camtParty) inn() string {
	ids := [][]camtOther{p.ID.OrgID.Othr, p.ID.PrvtID.Othr}
	if p.Pty != nil {
		ids = append(ids, p.Pty.ID.OrgID.Othr, p.Pty.ID.PrvtID.Othr)
	}
	for _, list := range ids {
		for _, o := range list {
			id := strings.TrimSpace(o.ID)
			cd, pr := strings.ToUpper(strings.TrimSpace(o.SchmeNm.Cd)), strings.ToUpper(strings.TrimSpace(o.SchmeNm.Prtry))
			switch {
			case cd == "TXID" || pr == "INN" || pr == "ИНН":
				return id
			case cd == "" && pr == "" && bankIsDigits(id) && (len(id) == 10 || len(id) == 12):
				return id
			}
		}
	}
	return ""
}

type camtAcct struct {
	ID struct {
		IBAN string `xml:"IBAN"`
		Othr struct {
			ID string `xml:"Id"`
		} `xml:"Othr"`
	} `xml:"Id"`
}

func (a camtAcct) id() string {
	return bankFirst(a.ID.IBAN, a.ID.Othr.ID)
}

type camtTx struct {
	Refs struct {
		AcctSvcrRef string `xml:"AcctSvcrRef"`
		EndToEndID  string `xml:"EndToEndId"`
		TxID        string `xml:"TxId"`
	} `xml:"Refs"`
	Amt     *camtAmt `xml:"Amt"` // .03 and later
	AmtDtls struct {
		TxAmt struct {
			Amt *camtAmt `xml:"Amt"`
		} `xml:"TxAmt"`
	} `xml:"AmtDtls"`
	CdtDbtInd string `xml:"CdtDbtInd"`
	RltdPties struct {
		Dbtr      camtParty `xml:"Dbtr"`
		UltmtDbtr camtParty `xml:"UltmtDbtr"`
		DbtrAcct  camtAcct  `xml:"DbtrAcct"`
		CdtrAcct  camtAcct  `xml:"CdtrAcct"`
	} `xml:"RltdPties"`
	RmtInf struct {
		Ustrd []string `xml:"Ustrd"`
		Strd  []struct {
			CdtrRefInf struct {
				Ref string `xml:"Ref"`
			} `xml:"CdtrRefInf"`
		} `xml:"Strd"`
	} `xml:"RmtInf"`
}

// amount is the transaction's own amount, if it has one.
func (t *camtTx) amount() *camtAmt {
	if t.AmtDtls.TxAmt.Amt != nil && strings.TrimSpace(t.AmtDtls.TxAmt.Amt.Value) != "" {
		return t.AmtDtls.TxAmt.Amt
	}
	if t.Amt != nil && strings.TrimSpace(t.Amt.Value) != "" {
		return t.Amt
	}
	return nil
}

type camtEntry struct {
	NtryRef   string  `xml:"NtryRef"`
	Amt       camtAmt `xml:"Amt"`
	CdtDbtInd string  `xml:"CdtDbtInd"`
	RvslInd   string  `xml:"RvslInd"`
	Sts       struct {
		Text string `xml:",chardata"` // up to .07: <Sts>BOOK</Sts>
		Cd   string `xml:"Cd"`        // .08: <Sts><Cd>BOOK</Cd></Sts>
	} `xml:"Sts"`
	BookgDt     camtDate `xml:"BookgDt"`
	ValDt       camtDate `xml:"ValDt"`
	AcctSvcrRef string   `xml:"AcctSvcrRef"`
	BkTxCd      struct {
		Domn struct {
			Cd   string `xml:"Cd"`
			Fmly struct {
				Cd        string `xml:"Cd"`
				SubFmlyCd string `xml:"SubFmlyCd"`
			} `xml:"Fmly"`
		} `xml:"Domn"`
		Prtry struct {
			Cd string `xml:"Cd"`
		} `xml:"Prtry"`
	} `xml:"BkTxCd"`
	NtryDtls []struct {
		TxDtls []camtTx `xml:"TxDtls"`
	} `xml:"NtryDtls"`
}

func (e *camtEntry) txs() []camtTx {
	var out []camtTx
	for _, d := range e.NtryDtls {
		out = append(out, d.TxDtls...)
	}
	return out
}

func (e *camtEntry) status() string {
	return strings.ToUpper(bankFirst(e.Sts.Cd, e.Sts.Text))
}

func (e *camtEntry) code() string {
	d := e.BkTxCd.Domn
	if d.Cd != "" {
		return strings.Trim(d.Cd+"/"+d.Fmly.Cd+"/"+d.Fmly.SubFmlyCd, "/")
	}
	return strings.TrimSpace(e.BkTxCd.Prtry.Cd)
}

// camtStmt is what the entries of one <Stmt> need from it.
type camtStmt struct {
	id, acct string
	entries  int
}

// parseCamt053 streams a statement file and returns every entry (or batch
// transaction) as a document, in file order.
func parseCamt053(r io.Reader) ([]bankPayment, error) {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		enc, err := ianaindex.IANA.Encoding(label)
		if err != nil || enc == nil {
			return nil, fmt.Errorf("unsupported XML encoding %q", label)
		}
		return enc.NewDecoder().Reader(in), nil
	}
	var (
		stack      []string
		pays       []bankPayment
		stmt       *camtStmt
		stmts      int
		root       string
		sawBkToCst bool
	)
	parent := func() string {
		if len(stack) == 0 {
			return ""
		}
		return stack[len(stack)-1]
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, camtSyntaxError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if root == "" {
				root = name
				if name != "Document" {
					return nil, fmt.Errorf("not a camt.053 statement: the root element is <%s>, want <Document>", name)
				}
				if ns := t.Name.Space; strings.Contains(ns, "camt.") && !strings.Contains(ns, "camt.053") {
					return nil, fmt.Errorf("not a camt.053 statement: the namespace is %s (only camt.053 bank-to-customer statements are read)", ns)
				}
			}
			switch {
			case name == "BkToCstmrStmt" && parent() == "Document":
				sawBkToCst = true
			case name == "Stmt" && parent() == "BkToCstmrStmt":
				stmts++
				stmt = &camtStmt{}
			case stmt != nil && parent() == "Stmt" && name == "Id":
				var s string
				if err := dec.DecodeElement(&s, &t); err != nil {
					return nil, camtSyntaxError(err)
				}
				stmt.id = strings.TrimSpace(s)
				continue
			case stmt != nil && parent() == "Stmt" && name == "Acct":
				var a camtAcct
				if err := dec.DecodeElement(&a, &t); err != nil {
					return nil, camtSyntaxError(err)
				}
				stmt.acct = a.id()
				continue
			case stmt != nil && parent() == "Stmt" && name == "Ntry":
				line, _ := dec.InputPos()
				var e camtEntry
				if err := dec.DecodeElement(&e, &t); err != nil {
					return nil, camtSyntaxError(err)
				}
				pays = append(pays, camtEntryPayments(stmt, &e, int64(line))...)
				stmt.entries++
				continue
			}
			stack = append(stack, name)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			if t.Name.Local == "Stmt" {
				stmt = nil
			}
		}
	}
	switch {
	case root == "":
		return nil, fmt.Errorf("not a camt.053 statement: the file holds no XML element")
	case !sawBkToCst:
		return nil, fmt.Errorf("not a camt.053 statement: <Document> has no <BkToCstmrStmt>")
	case stmts == 0:
		return nil, fmt.Errorf("invalid camt.053 statement: <BkToCstmrStmt> has no <Stmt> (a statement needs at least one)")
	}
	return pays, nil
}

func camtSyntaxError(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: broken XML: %s", se.Line, se.Msg)
	}
	return fmt.Errorf("read XML: %w", err)
}

// camtEntryPayments turns one entry into one document, or one per
// transaction of a batch whose transactions carry their own amounts.
func camtEntryPayments(st *camtStmt, e *camtEntry, line int64) []bankPayment {
	txs := e.txs()
	batch := len(txs) > 1
	for i := range txs {
		if txs[i].amount() == nil {
			batch = false
		}
	}
	if !batch {
		var tx *camtTx
		if len(txs) > 0 {
			tx = &txs[0]
		}
		return []bankPayment{camtPayment(st, e, tx, e.Amt, line, 0)}
	}
	out := make([]bankPayment, len(txs))
	for i := range txs {
		out[i] = camtPayment(st, e, &txs[i], *txs[i].amount(), line, i+1)
	}
	return out
}

func camtPayment(st *camtStmt, e *camtEntry, tx *camtTx, amt camtAmt, line int64, txNo int) bankPayment {
	p := bankPayment{
		line:         line,
		amount:       bankAmount(amt.Value),
		currency:     strings.TrimSpace(amt.Ccy),
		payeeAccount: st.acct,
		docType:      e.code(),
		statementID:  st.id,
		entryIndex:   st.entries,
		bookingDate:  e.BookgDt.date(),
		valueDate:    e.ValDt.date(),
		acctSvcrRef:  strings.TrimSpace(e.AcctSvcrRef),
		ntryRef:      strings.TrimSpace(e.NtryRef),
	}
	p.paidOn = bankFirst(p.bookingDate, p.valueDate)
	p.docDate = p.valueDate
	ind := strings.ToUpper(strings.TrimSpace(e.CdtDbtInd))
	var crefs []string
	if tx != nil {
		if txNo > 0 && strings.TrimSpace(tx.CdtDbtInd) != "" {
			ind = strings.ToUpper(strings.TrimSpace(tx.CdtDbtInd))
		}
		p.payerName = bankFirst(tx.RltdPties.Dbtr.name(), tx.RltdPties.UltmtDbtr.name())
		p.payerINN = bankFirst(tx.RltdPties.Dbtr.inn(), tx.RltdPties.UltmtDbtr.inn())
		p.payerAccount = tx.RltdPties.DbtrAcct.id()
		var lines []string
		for _, u := range tx.RmtInf.Ustrd {
			if u = strings.TrimSpace(u); u != "" {
				lines = append(lines, u)
			}
		}
		for _, s := range tx.RmtInf.Strd {
			if r := strings.TrimSpace(s.CdtrRefInf.Ref); r != "" {
				crefs = append(crefs, r)
			}
		}
		p.purpose = strings.Join(lines, " ")
		if p.purpose == "" {
			p.purpose = strings.Join(crefs, " ")
		}
		if r := strings.TrimSpace(tx.Refs.AcctSvcrRef); r != "" {
			p.acctSvcrRef = r
		}
		p.e2eID = strings.TrimSpace(tx.Refs.EndToEndID)
		if strings.EqualFold(p.e2eID, "NOTPROVIDED") {
			p.e2eID = ""
		}
		if txNo > 0 && strings.TrimSpace(tx.Refs.AcctSvcrRef) == "" {
			p.acctSvcrRef = "" // a batch's entry reference is shared by all its transactions
		}
		p.txID = strings.TrimSpace(tx.Refs.TxID)
	}
	if len(crefs) > 0 {
		p.invoiceRef = crefs[0]
	} else {
		p.invoiceRef = invoiceRef(p.purpose)
	}
	switch {
	case strings.EqualFold(strings.TrimSpace(e.RvslInd), "true"):
		p.direction = dirReversal
	case e.status() != "" && e.status() != "BOOK":
		p.direction = dirPending
	case ind == "CRDT":
		p.direction = dirIncoming
	case ind == "DBIT":
		p.direction = dirOutgoing
	default:
		p.direction = dirOther
	}
	acct := bankOrDash(st.acct)
	switch {
	case p.acctSvcrRef != "":
		p.paymentID, p.docNumber = acct+"/"+p.acctSvcrRef, p.acctSvcrRef
	case p.ntryRef != "" && txNo == 0:
		p.paymentID, p.docNumber = acct+"/ntry/"+p.ntryRef, p.ntryRef
	case p.e2eID != "":
		p.paymentID, p.docNumber = acct+"/e2e/"+p.e2eID+"/"+bankOrDash(p.paidOn)+"/"+bankAmountKey(p.amount), p.e2eID
	case p.txID != "":
		p.paymentID, p.docNumber = acct+"/tx/"+p.txID, p.txID
	default:
		sid := st.id
		if sid == "" {
			h := sha256.Sum256([]byte(acct + "\x00" + p.paidOn + "\x00" + bankAmountKey(p.amount)))
			sid = "h" + hex.EncodeToString(h[:4])
		}
		p.paymentID = fmt.Sprintf("%s/%s/%d", acct, sid, st.entries+1)
		if txNo > 0 {
			p.paymentID += fmt.Sprintf("/%d", txNo)
		}
	}
	return p
}
