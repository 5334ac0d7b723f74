package ingest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"
)

const camtDir = "camt053/"

// camtOracle is what a fixture's expected JSON (the genkgo/camt parser's
// output) says about one entry, in the fields that map to payments.
type camtOracle struct {
	stmt, ind, minor, ccy, booking, value, asr, e2e, message, debtor string
	index                                                            int
	hasRemittance                                                    bool
}

func camtOracles(t *testing.T, path string) []camtOracle {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Entries []map[string]any `json:"getEntries"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	str := func(v any, path ...string) string {
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				return ""
			}
			v = m[p]
		}
		s, _ := v.(string)
		return s
	}
	var out []camtOracle
	for _, e := range doc.Entries {
		o := camtOracle{
			stmt:    str(e, "getRecord", "getId"),
			ind:     str(e, "getCreditDebitIndicator"),
			minor:   str(e, "getAmount", "getAmount"),
			ccy:     str(e, "getAmount", "getCurrency", "getCode"),
			booking: str(e, "getBookingDate", "0"),
			value:   str(e, "getValueDate", "0"),
			asr:     str(e, "getAccountServicerReference"),
			e2e:     str(e, "getTransactionDetail", "getReference", "getEndToEndId"),
			message: str(e, "getTransactionDetail", "getRemittanceInformation", "getMessage"),
		}
		if idx, ok := e["getIndex"].(float64); ok {
			o.index = int(idx)
		}
		td, _ := e["getTransactionDetail"].(map[string]any)
		o.hasRemittance = td != nil && td["getRemittanceInformation"] != nil
		if td != nil {
			parties, _ := td["getRelatedParties"].([]any)
			for _, kind := range []string{`Genkgo\Camt\DTO\Debtor`, `Genkgo\Camt\DTO\UltimateDebtor`} {
				for _, p := range parties {
					if str(p, "getRelatedPartyType", "__CLASS__") == kind && o.debtor == "" {
						o.debtor = str(p, "getRelatedPartyType", "getName")
					}
				}
			}
		}
		if len(o.booking) >= 10 {
			o.booking = o.booking[:10]
		}
		if len(o.value) >= 10 {
			o.value = o.value[:10]
		}
		out = append(out, o)
	}
	return out
}

// camtMinor writes an amount in the oracle's form: integer minor units of
// the currency, negative for debits.
func camtMinor(amount, ccy, ind string) string {
	digits := int32(2)
	if ccy == "JPY" {
		digits = 0
	}
	d := decimal.RequireFromString(amount).Shift(digits)
	if ind == "DBIT" {
		d = d.Neg()
	}
	return d.StringFixed(0)
}

// Every fixture with an expected JSON: our entries match the oracle's in
// direction, amount, currency, dates, references, purpose and debtor; the
// number of entries matches the XML's <Ntry> count (the oracle lists only
// the last statement's entries of a multi-statement file, so those are
// checked by count).
func TestCamt053Fixtures(t *testing.T) {
	xmls, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", "camt053", "*.xml"))
	if len(xmls) == 0 {
		bankFixture(t, camtDir+"camt053.v2.minimal.xml") // skips or fails with the reason
	}
	tested := 0
	for _, x := range xmls {
		base := strings.TrimSuffix(filepath.Base(x), ".xml")
		jsonPath := strings.TrimSuffix(x, ".xml") + ".json"
		if _, err := os.Stat(jsonPath); err != nil {
			continue
		}
		tested++
		t.Run(base, func(t *testing.T) {
			raw, err := os.ReadFile(x)
			if err != nil {
				t.Fatal(err)
			}
			f, _ := os.Open(x)
			defer f.Close()
			pays, err := parseCamt053(f)
			if err != nil {
				t.Fatalf("parseCamt053(%s): %v", base, err)
			}
			if n := strings.Count(string(raw), "<Ntry>"); len(pays) != n {
				t.Errorf("%s: %d entries, want %d (<Ntry> in the file)", base, len(pays), n)
			}
			oracles := camtOracles(t, jsonPath)
			if len(oracles) == 0 {
				t.Fatalf("%s: the oracle lists no entries", base)
			}
			credits := 0
			for _, o := range oracles {
				var p *bankPayment
				for i := range pays {
					if pays[i].statementID == o.stmt && pays[i].entryIndex == o.index {
						p = &pays[i]
					}
				}
				if p == nil {
					t.Errorf("%s: no entry %d of statement %s", base, o.index, o.stmt)
					continue
				}
				wantDir := map[string]string{"CRDT": dirIncoming, "DBIT": dirOutgoing}[o.ind]
				if o.ind == "CRDT" {
					credits++
				}
				if p.direction != wantDir {
					t.Errorf("%s entry %d: direction %s, want %s (CdtDbtInd %s)", base, o.index, p.direction, wantDir, o.ind)
				}
				if got := camtMinor(p.amount, p.currency, o.ind); got != o.minor || p.currency != o.ccy {
					t.Errorf("%s entry %d: amount %s %s (%s minor units), want %s %s", base, o.index, p.amount, p.currency, got, o.minor, o.ccy)
				}
				if p.bookingDate != o.booking || p.valueDate != o.value {
					t.Errorf("%s entry %d: booked %q value %q, want %q %q", base, o.index, p.bookingDate, p.valueDate, o.booking, o.value)
				}
				if want := bankFirst(o.booking, o.value); p.paidOn != want {
					t.Errorf("%s entry %d: paid_on %q, want %q", base, o.index, p.paidOn, want)
				}
				if p.acctSvcrRef != o.asr || p.e2eID != o.e2e {
					t.Errorf("%s entry %d: AcctSvcrRef %q EndToEndId %q, want %q %q", base, o.index, p.acctSvcrRef, p.e2eID, o.asr, o.e2e)
				}
				if o.hasRemittance && p.purpose != o.message {
					t.Errorf("%s entry %d: purpose %q, want %q", base, o.index, p.purpose, o.message)
				}
				if p.payerName != o.debtor {
					t.Errorf("%s entry %d: payer %q, want %q", base, o.index, p.payerName, o.debtor)
				}
				if o.asr != "" && !strings.HasSuffix(p.paymentID, "/"+o.asr) {
					t.Errorf("%s entry %d: payment_id %q, want it built from AcctSvcrRef %q", base, o.index, p.paymentID, o.asr)
				}
			}
			incoming := 0
			for _, p := range pays {
				if p.direction == dirIncoming {
					incoming++
				}
			}
			if strings.Contains(base, "multi") {
				credits++ // the first statement's credit entry, which the oracle omits
			}
			if incoming != credits {
				t.Errorf("%s: %d incoming, want %d credit entries", base, incoming, credits)
			}
		})
	}
	if tested < 10 {
		t.Errorf("tested %d fixtures with an expected JSON, want 10", tested)
	}
}

func TestCamt053Rejects(t *testing.T) {
	f, err := os.Open(bankFixture(t, camtDir+"camt053.v2.wrong.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := parseCamt053(f); err == nil || !strings.Contains(err.Error(), "<BkToCstmrStmt> has no <Stmt>") {
		t.Errorf("parseCamt053(wrong) error = %v, want the missing <Stmt>", err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "", "holds no XML element"},
		{"html", "<html><body/></html>", "the root element is <html>"},
		{"camt.054", `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn/></Document>`, "the namespace is urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"},
		{"broken", "<Document>\n<BkToCstmrStmt>\n<Stmt>\n<Ntry><Amt>1</Ntry>", "line 4: broken XML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseCamt053(strings.NewReader(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseCamt053(%q) error = %v, want %q", tc.body, err, tc.want)
			}
		})
	}
	// A statement with a balance and no entries is valid and empty.
	f2, err := os.Open(bankFixture(t, camtDir+"camt53.only-Dt-with-DtTm.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if pays, err := parseCamt053(f2); err != nil || len(pays) != 0 {
		t.Errorf("parseCamt053(only-Dt-with-DtTm) = %d entries, %v; want 0, no error", len(pays), err)
	}
}

// The rules the fixtures do not reach: INN from the debtor's id, batches,
// reversals, pending entries, the id precedence, a declared legacy encoding.
func TestCamt053Rules(t *testing.T) {
	doc := `<?xml version="1.0" encoding="windows-1251"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><Othr><Id>40702810000000000001</Id></Othr></Id></Acct>
<Ntry><NtryRef>N1</NtryRef><Amt Ccy="RUB">1500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
 <BookgDt><Dt>2026-03-02</Dt></BookgDt>
 <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
  <RltdPties><Dbtr><Pty><Nm>ООО Альфа</Nm><Id><OrgId><Othr><Id>7700000001</Id><SchmeNm><Cd>TXID</Cd></SchmeNm></Othr></OrgId></Id></Pty></Dbtr></RltdPties>
  <RmtInf><Ustrd>Оплата по счету №15</Ustrd><Ustrd>НДС не облагается</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="RUB">300</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><ValDt><DtTm>2026-03-03T23:30:00+03:00</DtTm></ValDt><AcctSvcrRef>B1</AcctSvcrRef>
 <NtryDtls>
  <TxDtls><Refs><AcctSvcrRef>B1-1</AcctSvcrRef></Refs><AmtDtls><TxAmt><Amt Ccy="RUB">100</Amt></TxAmt></AmtDtls>
   <RltdPties><Dbtr><Nm>Бета</Nm><Id><PrvtId><Othr><Id>770000000002</Id></Othr></PrvtId></Id></Dbtr></RltdPties></TxDtls>
  <TxDtls><Refs><EndToEndId>E2</EndToEndId></Refs><Amt Ccy="RUB">200</Amt>
   <RltdPties><Dbtr><Nm>Гамма</Nm><Id><PrvtId><Othr><Id>19121212-1212</Id><SchmeNm><Cd>NIDN</Cd></SchmeNm></Othr></PrvtId></Id></Dbtr></RltdPties>
   <RmtInf><Strd><CdtrRefInf><Ref>INV-7</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>
 </NtryDtls></Ntry>
<Ntry><Amt Ccy="RUB">50</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-04</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="RUB">60</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts><BookgDt><Dt>2026-03-04</Dt></BookgDt></Ntry>
<Ntry><Amt Ccy="RUB">70.000</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-03-05</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>`
	enc, err := charmapEncode1251(doc)
	if err != nil {
		t.Fatal(err)
	}
	pays, err := parseCamt053(strings.NewReader(enc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pays {
		got = append(got, strings.Join([]string{p.paymentID, p.direction, p.paidOn, p.amount, p.payerINN, p.payerName, p.purpose, p.invoiceRef}, " | "))
	}
	want := []string{
		"40702810000000000001/ntry/N1 | incoming | 2026-03-02 | 1500.00 | 7700000001 | ООО Альфа | Оплата по счету №15 НДС не облагается | 15",
		"40702810000000000001/B1-1 | incoming | 2026-03-03 | 100 | 770000000002 | Бета |  | ",
		"40702810000000000001/e2e/E2/2026-03-03/200 | incoming | 2026-03-03 | 200 |  | Гамма | INV-7 | INV-7",
		"40702810000000000001/S1/3 | reversal | 2026-03-04 | 50 |  |  |  | ",
		"40702810000000000001/S1/4 | pending | 2026-03-04 | 60 |  |  |  | ",
		"40702810000000000001/S1/5 | outgoing | 2026-03-05 | 70.00 |  |  |  | ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parseCamt053 =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if pays[0].line != 4 || pays[1].line != 9 || pays[2].line != 9 {
		t.Errorf("lines = %d %d %d, want 4 9 9 (the <Ntry> lines)", pays[0].line, pays[1].line, pays[2].line)
	}
}

// Each fixture loads its credit entries and counts its debits as filtered;
// the wrong one fails without touching the ledger.
func TestLoadCamt053(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		file                                string
		loaded, filtered, quarantined, read int64
	}{
		{"camt053.v2.minimal.xml", 1, 0, 0, 1},
		{"camt053.v2.multi.statement.xml", 1, 1, 0, 2},
		{"camt053.v2.five.decimals.xml", 1, 0, 0, 1},
		{"camt053.v8.xml", 1, 0, 0, 1},
		{"camt53.only-Dt-with-DtTm.xml", 0, 0, 0, 0},
	} {
		t.Run(tc.file, func(t *testing.T) {
			db := bankWarehouse(t)
			l := &Loader{DB: db, BaseDir: t.TempDir()}
			src := &Source{Name: "camt", Entity: "payments", Format: "camt053", Files: "*.xml"}
			res := l.LoadFile(ctx, src, bankFixture(t, camtDir+tc.file))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if got, want := [4]int64{res.Read, res.Loaded, res.Filtered, res.Quarantined}, [4]int64{tc.read, tc.loaded, tc.filtered, tc.quarantined}; got != want {
				t.Errorf("read/loaded/filtered/quarantined = %v, want %v", got, want)
			}
			if tc.loaded > 0 {
				if got := bankRows(t, db, "SELECT amount, paid_on FROM payments"); got[0] != "8.8500 | 2014-12-31" {
					t.Errorf("payments = %v, want 8.8500 on 2014-12-31", got)
				}
			}
		})
	}
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: t.TempDir()}
	src := &Source{Name: "camt", Entity: "payments", Format: "camt053", Files: "*.xml"}
	res := l.LoadFile(ctx, src, bankFixture(t, camtDir+"camt053.v2.wrong.xml"))
	if res.Status != StatusFailed || !strings.Contains(res.Err.Error(), "camt053.v2.wrong.xml") || !strings.Contains(res.Err.Error(), "has no <Stmt>") {
		t.Errorf("wrong.xml: %s %v, want a failure naming the file and the missing <Stmt>", res.Status, res.Err)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger"); n != 0 {
		t.Errorf("ledger rows = %d, want 0", n)
	}
}

func charmapEncode1251(s string) (string, error) {
	return charmap.Windows1251.NewEncoder().String(s)
}
