package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Run with: go test ./ingest/ -run '^$' -fuzz FuzzParse1CBank -fuzztime 60s
// (and FuzzParseCamt053). Without -fuzz they run their seeds as tests.

func bankFuzzSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "shared", "data", pattern))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func FuzzParse1CBank(f *testing.F) {
	bankFuzzSeeds(f, "1c-clientbankexchange/*.txt")
	f.Add([]byte("1CClientBankExchange\r\nРасчСчет=1\r\nСекцияДокумент\r\nСумма=1,5\r\nПолучательИНН=7701234567\r\nНазначениеПлатежа=по счету №7\r\nКонецФайла\r\n"))
	f.Add([]byte("1CClientBankExchange\nДокумент=Платежное поручение\nСекцияДокумент\nКонецДокумента\nКонецДокумента\nСекцияРасчСчет\nКонецФайла"))
	f.Add([]byte("\xef\xbb\xbf1CClientBankExchange\r\xcf\xeb\xe0\xf2\xe5\xe6=\xff\xfe\r\nКонецФайла"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parse1CBank(data)
		if err != nil {
			if st != nil {
				t.Fatalf("parse1CBank returned both a statement and %v", err)
			}
			return
		}
		lines := int64(len(onecSplitLines(data)))
		for _, inn := range []string{"7701234567", "123123123123"} {
			pays, bad := st.payments(inn)
			for _, p := range pays {
				if p.line < 1 || p.line > lines {
					t.Fatalf("document line %d outside the file's %d lines", p.line, lines)
				}
				if p.direction == "" || p.paymentID == "" {
					t.Fatalf("document at line %d has no direction or id: %+v", p.line, p)
				}
				_ = bankAmountKey(p.amount)
				_ = invoiceRef(p.purpose)
			}
			for _, b := range append(bad, st.bad...) {
				if b.line < 1 || b.line > lines || b.reason == "" {
					t.Fatalf("bad row %+v outside the file's %d lines or without a reason", b, lines)
				}
			}
		}
	})
}

func FuzzParseCamt053(f *testing.F) {
	bankFuzzSeeds(f, "camt053/*.xml")
	f.Add([]byte(`<Document><BkToCstmrStmt><Stmt><Id>S</Id><Ntry><Amt Ccy="EUR">1.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><NtryDtls><TxDtls><AmtDtls><TxAmt><Amt>1</Amt></TxAmt></AmtDtls></TxDtls><TxDtls><Amt>0.5</Amt></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>`))
	f.Add([]byte(`<?xml version="1.0" encoding="koi8-r"?><Document><BkToCstmrStmt><Stmt><Ntry><Amt>x</Amt></Ntry></Stmt></BkToCstmrStmt></Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		pays, err := parseCamt053(bytes.NewReader(data))
		if err != nil {
			if pays != nil {
				t.Fatalf("parseCamt053 returned entries and %v", err)
			}
			return
		}
		lines := int64(bytes.Count(data, []byte("\n")) + 1)
		for _, p := range pays {
			if p.line < 1 || p.line > lines {
				t.Fatalf("entry line %d outside the file's %d lines", p.line, lines)
			}
			if p.direction == "" || p.paymentID == "" {
				t.Fatalf("entry at line %d has no direction or id: %+v", p.line, p)
			}
		}
	})
}
