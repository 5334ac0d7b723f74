package ingest

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"
)

const onecDir = "1c-clientbankexchange/"

// onecSummary is what a test checks of one document.
func onecSummary(p bankPayment) string {
	return fmt.Sprintf("line %d %s %s payer=%s %q amount=%s inv=%q %q", p.line, p.direction, p.paidOn, p.payerINN, p.payerName, p.amount, p.invoiceRef, p.docType)
}

// The expected splits below were counted by hand in the files (decoded with
// iconv -f cp1251, `grep -n ^СекцияДокумент` for the lines):
//
// kilylabs_one_day (13 documents, one day, statement account
// 40702810200000000001): the anonymiser gave every party the INN
// 123123123123, so with that as our INN both sides are "ours" and the
// accounts decide. Documents 11–13 (lines 330, 361, 392) are credited to
// 40702810200000000001 and carry ДатаПоступило: incoming, 6000.00 + 14000.00
// + 20000.00 = 40000.00, the statement's ВсегоПоступило. Documents 1–10 are
// debited from an account that is not the statement's and carry ДатаСписано:
// outgoing, 83.23 + 199.74 + 271.87 + 561.77 + 1348.26 + 1835.13 + 2762.80 +
// 10000.00 + 10000.00 + 14121.20 = 41184.00, the statement's ВсегоСписано.
//
// dronm_kl_to_1c (3 documents): line 20 is a bank fee paid by 7777777777 to
// the bank 7702070139; lines 86 and 152 are paid by 7123456789 and 7123456777
// to 7123456789012 (ИП Пупкин). Taking 7123456789012 as ours: 2 incoming and
// the fee is between others; taking 7777777777: the fee is outgoing and the
// other two are between others.
//
// dronm_to_bank (a 1C → bank export, 2 payment orders at lines 10 and 42,
// from 1234567891 to 111122223344, bare СекцияДокумент typed by the header's
// Документ=, the last line КонецФайла in UTF-8 inside a windows-1251 file).
//
// odoo-ru_kl_to_1c (1 document at line 20, 108159.12 from 0000000002 to
// 0000000001, "Оплата по счету N 1024 …": the statement's ВсегоСписано is
// that amount, so for the statement's owner 0000000002 it is outgoing).
//
// condo (4 documents, our INN 6671093163): line 20 a payment request debited
// from us (700), lines 50 and 80 incoming from private persons (1052.98 with
// no payer INN, 1166.98 from 667220109459), line 109 a payment to a
// contractor (14000).
func TestParse1CBankFixtures(t *testing.T) {
	for _, tc := range []struct {
		file, inn, enc string
		docs           int
		dirs           map[string]int
		incoming       []string
	}{
		{"kilylabs_one_day.cp1251.txt", "123123123123", "windows-1251", 13,
			map[string]int{dirIncoming: 3, dirOutgoing: 10}, []string{
				`line 330 incoming 2016-01-11 payer=123123123123 "Some random payer" amount=6000.00 inv="" "Платежное поручение"`,
				`line 361 incoming 2016-01-11 payer=123123123123 "Some random payer" amount=14000.00 inv="" "Платежное поручение"`,
				`line 392 incoming 2016-01-11 payer=123123123123 "Some random payer" amount=20000.00 inv="" "Платежное поручение"`,
			}},
		{"kilylabs_one_day.utf8.txt", "123123123123", "utf-8", 13,
			map[string]int{dirIncoming: 3, dirOutgoing: 10}, nil},
		{"dronm_kl_to_1c.cp1251.txt", "7123456789012", "windows-1251", 3,
			map[string]int{dirIncoming: 2, dirOther: 1}, []string{
				`line 86 incoming 2024-01-09 payer=7123456789 "ООО \"Рога и копыта\"" amount=13056.00 inv="" "Платежное поручение"`,
				`line 152 incoming 2024-01-10 payer=7123456777 "ООО \"Пупкин и К\"" amount=150000.00 inv="" "Платежное поручение"`,
			}},
		{"dronm_kl_to_1c.cp1251.txt", "7777777777", "windows-1251", 3,
			map[string]int{dirOutgoing: 1, dirOther: 2}, []string{}},
		{"dronm_to_bank.cp1251.txt", "111122223344", "windows-1251+utf-8", 2,
			map[string]int{dirIncoming: 2}, []string{
				`line 10 incoming 2024-06-10 payer=1234567891 "ООО \"Рога и Копыта\"" amount=175000.00 inv="125" "Платежное поручение"`,
				`line 42 incoming 2024-06-10 payer=1234567891 "ООО \"Рога и Копыта\"" amount=375.25 inv="777" "Платежное поручение"`,
			}},
		{"dronm_to_bank.cp1251.txt", "1234567891", "windows-1251+utf-8", 2,
			map[string]int{dirOutgoing: 2}, []string{}},
		{"odoo-ru_kl_to_1c.cp1251.txt", "0000000001", "windows-1251", 1,
			map[string]int{dirIncoming: 1}, []string{
				`line 20 incoming 2023-03-31 payer=0000000002 "ООО Плательщик" amount=108159.12 inv="1024" "Платежное поручение"`,
			}},
		{"odoo-ru_kl_to_1c.cp1251.txt", "0000000002", "windows-1251", 1,
			map[string]int{dirOutgoing: 1}, []string{}},
		{"odoo-ru_1c_to_kl-win-min-example.cp1251.txt", "7701234567", "windows-1251", 0,
			map[string]int{}, []string{}},
		{"condo_1CClientBankExchange.utf8.txt", "6671093163", "utf-8", 4,
			map[string]int{dirIncoming: 2, dirOutgoing: 2}, []string{
				`line 50 incoming 2022-04-15 payer= "Иванов Иван Иванович" amount=1052.98 inv="" "Платежное поручение"`,
				`line 80 incoming 2022-04-18 payer=667220109459 "ПЕТРОВ ПЁТР ПЕТРОВИЧ" amount=1166.98 inv="" "Платежное поручение"`,
			}},
	} {
		t.Run(tc.file+"/"+tc.inn, func(t *testing.T) {
			b, err := os.ReadFile(bankFixture(t, onecDir+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			st, err := parse1CBank(b)
			if err != nil {
				t.Fatalf("parse1CBank(%s): %v", tc.file, err)
			}
			if st.encoding != tc.enc {
				t.Errorf("parse1CBank(%s) encoding = %s, want %s", tc.file, st.encoding, tc.enc)
			}
			if len(st.docs) != tc.docs || len(st.bad) != 0 {
				t.Fatalf("parse1CBank(%s) = %d documents, %d bad, want %d and 0", tc.file, len(st.docs), len(st.bad), tc.docs)
			}
			pays, bad := st.payments(tc.inn)
			if len(bad) != 0 {
				t.Errorf("payments(%s) bad rows = %+v, want none", tc.inn, bad)
			}
			dirs := map[string]int{}
			var in []string
			for _, p := range pays {
				dirs[p.direction]++
				if p.direction == dirIncoming {
					in = append(in, onecSummary(p))
				}
			}
			if !reflect.DeepEqual(dirs, tc.dirs) {
				t.Errorf("directions for INN %s = %v, want %v", tc.inn, dirs, tc.dirs)
			}
			if tc.incoming != nil && strings.Join(in, "\n") != strings.Join(tc.incoming, "\n") {
				t.Errorf("incoming payments for INN %s =\n%s\nwant\n%s", tc.inn, strings.Join(in, "\n"), strings.Join(tc.incoming, "\n"))
			}
		})
	}
}

// The statement's own totals reconcile with the split (see above).
func TestParse1CBankKilylabsTotals(t *testing.T) {
	b, err := os.ReadFile(bankFixture(t, onecDir+"kilylabs_one_day.cp1251.txt"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := parse1CBank(b)
	if err != nil {
		t.Fatal(err)
	}
	pays, _ := st.payments("123123123123")
	sum := map[string]decimal.Decimal{}
	for _, p := range pays {
		sum[p.direction] = sum[p.direction].Add(decimal.RequireFromString(p.amount))
	}
	if got := sum[dirIncoming].StringFixed(2); got != "40000.00" {
		t.Errorf("incoming total = %s, want 40000.00 (ВсегоПоступило)", got)
	}
	if got := sum[dirOutgoing].StringFixed(2); got != "41184.00" {
		t.Errorf("outgoing total = %s, want 41184.00 (ВсегоСписано)", got)
	}
	if !st.accounts["40702810200000000001"] || len(st.accounts) != 1 {
		t.Errorf("statement accounts = %v, want 40702810200000000001", st.accounts)
	}
}

// The windows-1251 and UTF-8 copies of one statement, and a cp866 copy
// whose header still says Windows, give the same payments.
func TestParse1CBankEncodingsAgree(t *testing.T) {
	read := func(b []byte) []bankPayment {
		t.Helper()
		st, err := parse1CBank(b)
		if err != nil {
			t.Fatal(err)
		}
		pays, _ := st.payments("123123123123")
		return pays
	}
	cp, err := os.ReadFile(bankFixture(t, onecDir+"kilylabs_one_day.cp1251.txt"))
	if err != nil {
		t.Fatal(err)
	}
	u8, err := os.ReadFile(bankFixture(t, onecDir+"kilylabs_one_day.utf8.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dos, err := charmap.CodePage866.NewEncoder().Bytes(u8)
	if err != nil {
		t.Fatal(err)
	}
	want := read(cp)
	if len(want) != 13 {
		t.Fatalf("cp1251 copy: %d documents, want 13", len(want))
	}
	for name, b := range map[string][]byte{"utf-8": u8, "cp866": dos, "utf-8 with BOM, LF": append([]byte("\ufeff"), []byte(strings.ReplaceAll(string(u8), "\r\n", "\n"))...)} {
		if got := read(b); !reflect.DeepEqual(got, want) {
			t.Errorf("%s copy gives different payments than the windows-1251 copy:\n%v\nwant\n%v", name, got, want)
		}
	}
	// A windows-1251 file that claims DOS is still read as windows-1251.
	lying, _ := charmap.Windows1251.NewEncoder().Bytes([]byte(strings.Replace(string(u8), "Кодировка=Windows", "Кодировка=DOS", 1)))
	st, err := parse1CBank(lying)
	if err != nil || st.encoding != "windows-1251" {
		t.Errorf("windows-1251 bytes under Кодировка=DOS read as %v (%v), want windows-1251", st.encoding, err)
	}
}

func TestParse1CBankRejects(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "", "the file is empty"},
		{"blank", "\r\n\r\n", "the file is empty"},
		{"other format", "order_id,amount\n1,2\n", `line 1: not a 1CClientBankExchange file: the first line is "order_id,amount"`},
		{"truncated", "1CClientBankExchange\nВерсияФормата=1.03\nСекцияДокумент=Платежное поручение\nНомер=1\nСумма=10", "the file ends at line 5 without КонецФайла: it may be truncated or still being written (the document at line 3 is not closed)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse1CBank([]byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parse1CBank(%q) error = %v, want %q", tc.body, err, tc.want)
			}
		})
	}
}

func TestInvoiceRef(t *testing.T) {
	for _, tc := range []struct{ purpose, want string }{
		{"За товары, по счету №125 на сумму 175000-00", "125"},
		{"Оплата по счету N 1024 от 01.01.23г 18026,52", "1024"},
		{"за март 2022г. по сч.34 от 31.03.2022, Без налога (НДС)", "34"},
		{"Оплата по счёту № А-15 от 01.03.2026", "А-15"},
		{"ОПЛАТА ПО СЧЕТУ №INV-2026-0042", "INV-2026-0042"},
		{"payment for invoice #77/2", "77/2"},
		{"Оплата по заказу клиента №9614, НДС не облагается", ""},
		{"Счёт на оплату № 15", ""},
		{"счет-фактура №12", ""},
		{"показания счетчика 5", ""},
		{"по счету 31.03.2022", ""},
		{"Some random string", ""},
		{"", ""},
	} {
		if got := invoiceRef(tc.purpose); got != tc.want {
			t.Errorf("invoiceRef(%q) = %q, want %q", tc.purpose, got, tc.want)
		}
	}
}

func TestBankAmount(t *testing.T) {
	for _, tc := range []struct{ in, want, key string }{
		{"700", "700", "700"},
		{"700.00", "700.00", "700"},
		{"8.850", "8.85", "8.85"},
		{"5442.09000", "5442.09", "5442.09"},
		{"1 234,50", "1234.50", "1234.5"},
		{"1\u00a0234.5", "1234.5", "1234.5"},
		{"0.10000", "0.10", "0.1"},
		{"-0.00", "-0.00", "0"},
		{"abc", "abc", "abc"},
		{"1.000,50", "1.000,50", "1.000,50"},
	} {
		if got, key := bankAmount(tc.in), bankAmountKey(tc.in); got != tc.want || key != tc.key {
			t.Errorf("bankAmount(%q), bankAmountKey = %q, %q; want %q, %q", tc.in, got, key, tc.want, tc.key)
		}
	}
}

// Loading the kilylabs statement twice (both encodings) loads its three
// incoming payments once; unmatched payers are counted until a client has
// their INN.
func TestLoad1CBank(t *testing.T) {
	ctx := context.Background()
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: t.TempDir(), CompanyINN: "123123123123"}
	src := &Source{Name: "bank", Entity: "payments", Format: "1c-bank", Files: "*.txt"}

	res := l.LoadFile(ctx, src, bankFixture(t, onecDir+"kilylabs_one_day.cp1251.txt"))
	if res.Err != nil {
		t.Fatalf("LoadFile: %v", res.Err)
	}
	if got, want := [6]int64{res.Read, res.Loaded, res.Replaced, res.Quarantined, res.Filtered, res.Unmatched}, [6]int64{13, 3, 0, 0, 10, 3}; got != want {
		t.Errorf("read/loaded/replaced/quarantined/filtered/unmatched = %v, want %v", got, want)
	}
	if !strings.Contains(res.String(), "3 payment(s) match no client by payer_inn") {
		t.Errorf("summary %q does not report the unmatched payments", res.String())
	}
	// The digests were computed outside Go:
	// printf '123123123123\x0012312312312312312\x006000' | sha256sum | cut -c1-8 → ee80b008
	got := bankRows(t, db, "SELECT payment_id, paid_on, payer_inn, amount, coalesce(client_id, '-'), coalesce(invoice_id, '-'), purpose, _line FROM payments ORDER BY _line")
	want := []string{
		"1c:2016-01-11:5:ee80b008 | 2016-01-11 | 123123123123 | 6000.0000 | - | - | Some random string | 330",
		"1c:2016-01-11:6:b1521814 | 2016-01-11 | 123123123123 | 14000.0000 | - | - | Some random string | 361",
		"1c:2016-01-11:1:267f2345 | 2016-01-11 | 123123123123 | 20000.0000 | - | - | Some random string | 392",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payments =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	if _, err := db.Exec("INSERT INTO clients (client_id, name, inn, segment) VALUES ('C1', 'Some random payer', '123123123123', 'Опт')"); err != nil {
		t.Fatal(err)
	}
	res = l.LoadFile(ctx, src, bankFixture(t, onecDir+"kilylabs_one_day.utf8.txt"))
	if res.Err != nil || res.Loaded != 3 || res.Updated != 3 || res.Unmatched != 0 {
		t.Errorf("the UTF-8 copy: %+v, want 3 loaded replacing the same 3 payments, none unmatched", res)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM payments"); n != 3 {
		t.Errorf("payments after both copies = %d, want 3", n)
	}
	if r := l.LoadFile(ctx, src, bankFixture(t, onecDir+"kilylabs_one_day.utf8.txt")); r.Status != StatusSkipped {
		t.Errorf("third load of the same bytes: %s, want skipped", r.Status)
	}

	// A filter of the source applies on top of the built-in one.
	db2 := bankWarehouse(t)
	l2 := &Loader{DB: db2, BaseDir: t.TempDir(), CompanyINN: "123123123123"}
	big := &Source{Name: "bank", Entity: "payments", Format: "1c-bank", Files: "*.txt", Filter: "CAST(amount AS DECIMAL(18,2)) >= 14000"}
	res = l2.LoadFile(ctx, big, bankFixture(t, onecDir+"kilylabs_one_day.cp1251.txt"))
	if res.Err != nil || res.Loaded != 2 || res.Filtered != 11 {
		t.Errorf("with filter: %+v, want 2 loaded, 11 filtered", res)
	}
}

func TestLoad1CBankNeedsCompanyINN(t *testing.T) {
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: t.TempDir()}
	src := &Source{Name: "bank", Entity: "payments", Format: "1c-bank", Files: "*.txt"}
	res := l.LoadFile(context.Background(), src, bankFixture(t, onecDir+"condo_1CClientBankExchange.utf8.txt"))
	if res.Status != StatusFailed || !strings.Contains(res.Err.Error(), "set company.inn in kam.yaml") || !strings.Contains(res.Err.Error(), "condo_1CClientBankExchange.utf8.txt") {
		t.Errorf("LoadFile without company.inn = %s %v, want a failure naming the file and company.inn", res.Status, res.Err)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger"); n != 0 {
		t.Errorf("ledger rows after the failure = %d, want 0", n)
	}
}

// invoice_id is set only when the invoice named in the purpose exists.
func TestLoad1CBankInvoiceMatch(t *testing.T) {
	ctx := context.Background()
	for _, withInvoice := range []bool{false, true} {
		db := bankWarehouse(t)
		if withInvoice {
			if _, err := db.Exec("INSERT INTO invoices (invoice_id, invoice_date, client_id, amount) VALUES ('1024', '2023-01-01', 'C1', 18026.52)"); err != nil {
				t.Fatal(err)
			}
		}
		l := &Loader{DB: db, BaseDir: t.TempDir(), CompanyINN: "0000000001"}
		src := &Source{Name: "bank", Entity: "payments", Format: "1c-bank", Files: "*.txt"}
		res := l.LoadFile(ctx, src, bankFixture(t, onecDir+"odoo-ru_kl_to_1c.cp1251.txt"))
		if res.Err != nil || res.Loaded != 1 {
			t.Fatalf("LoadFile: %+v", res)
		}
		want := "-"
		if withInvoice {
			want = "1024"
		}
		if got := bankRows(t, db, "SELECT coalesce(invoice_id, '-') FROM payments"); len(got) != 1 || got[0] != want {
			t.Errorf("invoice %v: invoice_id = %v, want %s", withInvoice, got, want)
		}
	}
}

// Broken documents are quarantined with their line and reason; the rest of
// the file loads.
func TestLoad1CBankBadDocuments(t *testing.T) {
	body := strings.Join([]string{
		"1CClientBankExchange",               // 1
		"ВерсияФормата=1.03",                 // 2
		"Кодировка=Windows",                  // 3
		"РасчСчет=40702810000000000001",      // 4
		"СекцияДокумент=Платежное поручение", // 5: a date that does not exist
		"Номер=1", "Дата=31.02.2026", "Сумма=100.00", "ПлательщикИНН=7700000001", "ПолучательИНН=7701234567",
		"КонецДокумента",                     // 11
		"СекцияДокумент=Платежное поручение", // 12: an amount that is not a number
		"Номер=2", "Дата=01.03.2026", "Сумма=abc", "ПлательщикИНН=7700000001", "ПолучательИНН=7701234567",
		"КонецДокумента",                     // 18
		"СекцияДокумент=Платежное поручение", // 19: never closed
		"Номер=3", "Дата=01.03.2026", "Сумма=5", "ПлательщикИНН=7700000001", "ПолучательИНН=7701234567",
		"СекцияДокумент=Платежное поручение", // 25: fine; the INN comes from the one-line payer
		"Номер=4", "Дата=02.03.2026", "Сумма=1 234,50", "ПлательщикИНН=", "Плательщик=ИНН 7700000002 ООО Тест",
		"ПолучательСчет=40702810000000000001", "ДатаПоступило=03.03.2026",
		"НазначениеПлатежа=Оплата по счёту № А-15 от 01.03.2026",
		"КонецДокумента",                     // 34
		"СекцияДокумент=Платежное поручение", // 35: ours, outgoing
		"Номер=5", "Дата=02.03.2026", "Сумма=10", "ПлательщикИНН=7701234567", "ПолучательИНН=7700000001",
		"КонецДокумента",
		"КонецФайла",
	}, "\r\n")
	dir := t.TempDir()
	p := bankWrite(t, dir, "st.txt", []byte(body))
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: dir, CompanyINN: "7701234567"}
	src := &Source{Name: "bank", Entity: "payments", Format: "1c-bank", Files: "*.txt"}
	res := l.LoadFile(context.Background(), src, p)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got, want := [5]int64{res.Read, res.Loaded, res.Quarantined, res.Filtered, res.Unmatched}, [5]int64{5, 1, 3, 1, 1}; got != want {
		t.Errorf("read/loaded/quarantined/filtered/unmatched = %v, want %v", got, want)
	}
	got := bankRows(t, db, "SELECT line, field, reason FROM quarantine ORDER BY line")
	want := []string{
		`5 | paid_on | paid_on "31.02.2026" (Дата) is not a date (expected ДД.ММ.ГГГГ)`,
		`12 | amount | amount "abc" is not a number`,
		`19 |  | СекцияДокумент at line 19 has no КонецДокумента before the next СекцияДокумент at line 25`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quarantine =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = bankRows(t, db, "SELECT paid_on, payer_inn, amount, purpose, _line FROM payments")
	if want := "2026-03-03 | 7700000002 | 1234.5000 | Оплата по счёту № А-15 от 01.03.2026 | 25"; len(got) != 1 || got[0] != want {
		t.Errorf("payments = %q, want [%s]", got, want)
	}

	// Without its last line the file fails as a whole and is not recorded.
	trunc := bankWrite(t, dir, "cut.txt", []byte(strings.TrimSuffix(body, "\r\nКонецФайла")))
	r := l.LoadFile(context.Background(), src, trunc)
	if r.Status != StatusFailed || !strings.Contains(r.Err.Error(), "cut.txt") || !strings.Contains(r.Err.Error(), "without КонецФайла") {
		t.Errorf("truncated file: %s %v, want a failure naming cut.txt and the missing КонецФайла", r.Status, r.Err)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger"); n != 1 {
		t.Errorf("ledger rows = %d, want 1 (the truncated file is not recorded)", n)
	}
}
