package ingest_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/warehouse"
)

// crmWorkbook writes a CRM export as Excel makes it: a cover sheet first,
// then the clients with Russian headers (one padded), numbers in money and
// thousands formats, dates as serial numbers in date formats, a boolean, a
// blank row and a stray value right of the table.
func crmWorkbook(t *testing.T, path string) {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	x.SetSheetName("Sheet1", "Сводка")
	x.SetCellValue("Сводка", "A1", "Выгрузка из CRM")
	x.NewSheet("Клиенты")
	sh := "Клиенты"
	money := "#,##0.00\\ \"₽\""
	moneyStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &money})
	ruDate := "dd.mm.yyyy"
	ruDateStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &ruDate})
	usDateStyle, _ := x.NewStyle(&excelize.Style{NumFmt: 14})
	stampFmt := "yyyy-mm-dd hh:mm"
	stampStyle, _ := x.NewStyle(&excelize.Style{CustomNumFmt: &stampFmt})
	thousands, _ := x.NewStyle(&excelize.Style{NumFmt: 3})
	x.SetSheetRow(sh, "A1", &[]any{"Код", " Наименование ", "Сегмент", "Ключевой", "Кредитный лимит", "Отсрочка", "Создан"})
	x.SetSheetRow(sh, "A2", &[]any{"C1", "ООО «Ромашка»", "Опт", true, 1234567.5, 30, time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)})
	x.SetSheetRow(sh, "A3", &[]any{"C2", "ИП Ёлкин", "horeca", false, 0.1 + 0.2, 45, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)})
	// row 4 is blank
	x.SetSheetRow(sh, "A5", &[]any{"C3", "Тест", "Опт", nil, "много", 7, time.Date(2026, 2, 1, 14, 30, 0, 0, time.UTC)})
	x.SetSheetRow(sh, "A6", &[]any{"C4", "Лишний", "Опт", nil, 1, 1, nil, nil, "?"})
	x.SetCellStyle(sh, "E2", "E2", moneyStyle)
	x.SetCellStyle(sh, "E3", "E3", thousands)
	x.SetCellStyle(sh, "G2", "G2", ruDateStyle)
	x.SetCellStyle(sh, "G3", "G3", usDateStyle)
	x.SetCellStyle(sh, "G5", "G5", stampStyle)
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := filepath.Join(dir, "crm.xlsx")
	crmWorkbook(t, p)
	cols := map[string]ingest.Column{
		"client_id": {Source: "Код"}, "name": {Source: "Наименование"}, "segment": {Expr: "upper(Сегмент)"},
		"is_key": {Source: "Ключевой"}, "credit_limit": {Source: "Кредитный лимит"}, "payment_terms_days": {Source: "Отсрочка"},
		"created_on": {Source: "Создан"},
	}
	for _, sheet := range []string{"Клиенты", "2", "клиенты"} {
		t.Run("sheet "+sheet, func(t *testing.T) {
			db := openWarehouse(t)
			l := &ingest.Loader{DB: db, BaseDir: dir}
			res := load(t, db, l, ingest.Source{Name: "crm", Entity: "clients", Files: "*.xlsx", Format: "xlsx", Sheet: sheet, Columns: cols}, p)
			if got, want := [4]int64{res.Read, res.Loaded, res.Quarantined, res.Filtered}, [4]int64{4, 2, 2, 0}; got != want {
				t.Errorf("read/loaded/quarantined/filtered = %v, want %v", got, want)
			}
			got := queryStrings(t, db, `SELECT concat_ws('|', client_id, name, segment, is_key, credit_limit, payment_terms_days, created_on, _line) FROM clients ORDER BY client_id`)
			want := []string{
				"C1|ООО «Ромашка»|ОПТ|true|1234567.5000|30|2026-01-31|2",
				"C2|ИП Ёлкин|HORECA|false|0.3000|45|2025-12-01|3",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("clients =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			got = queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine ORDER BY line")
			want = []string{`5: credit_limit "много" is not a number`, "6: a value in column I, right of the 7 named columns"}
			if strings.Join(got, "; ") != strings.Join(want, "; ") {
				t.Errorf("quarantine = %q, want %q", got, want)
			}
		})
	}
	for _, tc := range []struct{ sheet, want string }{
		{"Orders", `sheet "Orders" does not exist (sheets: Сводка, Клиенты)`},
		{"3", "sheet 3 does not exist: the workbook has 2 sheets"},
	} {
		r := l.LoadFile(t.Context(), &ingest.Source{Name: "crm", Entity: "clients", Files: "*.xlsx", Format: "xlsx", Sheet: tc.sheet, Columns: cols}, p)
		if r.Err == nil || !strings.Contains(r.Err.Error(), tc.want) {
			t.Errorf("sheet %s: %v, want %q", tc.sheet, r.Err, tc.want)
		}
	}
}

// A sheet without a header row: its columns are called by their letters.
func TestXLSXWithoutHeader(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A3", &[]any{"S1", "Шуруп", "Крепёж"})
	x.SetSheetRow("Sheet1", "A4", &[]any{"S2", "Гвоздь", "Крепёж"})
	p := filepath.Join(dir, "skus.xlsx")
	if err := x.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	x.Close()
	no := false
	res := load(t, db, l, ingest.Source{Name: "skus", Entity: "products", Files: "*.xlsx", Format: "xlsx", Header: &no,
		Columns: map[string]ingest.Column{"sku": {Source: "A"}, "name": {Source: "B"}, "category": {Source: "C"}}}, p)
	got := queryStrings(t, db, "SELECT sku || ' ' || name || ' ' || _line FROM products ORDER BY sku")
	if strings.Join(got, "; ") != "S1 Шуруп 3; S2 Гвоздь 4" || res.Loaded != 2 {
		t.Errorf("products = %q", got)
	}
}

const paymentsJSON = `{
  "meta": {"page": 1},
  "data": {
    "items": [
      {"id": "P1", "paid": "2026-10-01T09:30:00+03:00", "sum": 1234.50,
       "payer": {"inn": "7701234567", "name": "ООО Ромашка"}, "tags": ["a", "b"]},
      {"id": "P2", "paid": "2026-10-02", "sum": "99.999", "payer": {"inn": null}},
      42,
      {"id": "P3", "paid": "2026-10-03", "sum": 0.30000000000000004, "payer": {"inn": "7709876543"}},
      {"id": "P4", "paid": "2026-10-04", "sum": 1e3}
    ]
  }
}`

func TestJSON(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := write(t, dir, "payments.json", paymentsJSON)
	src := ingest.Source{Name: "api", Entity: "payments", Files: "*.json", Format: "json", Records: "data.items",
		Columns: map[string]ingest.Column{"payment_id": {Source: "id"}, "paid_on": {Source: "paid"}, "amount": {Source: "sum"},
			"payer_inn": {Source: "payer.inn"}, "purpose": {Expr: `"payer.name" || ' ' || tags`}}}
	res := load(t, db, l, src, p)
	if got, want := [4]int64{res.Read, res.Loaded, res.Quarantined, res.Filtered}, [4]int64{5, 2, 3, 0}; got != want {
		t.Errorf("read/loaded/quarantined/filtered = %v, want %v", got, want)
	}
	got := queryStrings(t, db, `SELECT concat_ws('|', payment_id, paid_on, amount, coalesce(payer_inn, '-'), coalesce(purpose, '-'), _line) FROM payments ORDER BY 1`)
	want := []string{`P1|2026-10-01|1234.5000|7701234567|ООО Ромашка ["a","b"]|5`, "P2|2026-10-02|99.9990|-|-|7"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payments =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine ORDER BY line")
	want = []string{"8: the record is not a JSON object", `9: amount "0.30000000000000004" has more than 4 decimal places`, `10: amount "1e3" is not a number`}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("quarantine = %q, want %q", got, want)
	}

	for _, tc := range []struct{ name, body, records, want string }{
		{"broken", "[\n{\"id\": 1},\n{\"id\": }\n]", "", "line 3: not valid JSON"},
		{"not an array", `{"items": []}`, "", "not an array of records: name the path to its records with `records:`"},
		{"no such key", `{"data": {}}`, "data.items", `records: "data" has no key "items"`},
		{"a position", `{"pages": [{"items": []}, {"items": [{"payment_id": "X", "paid_on": "2026-01-01", "amount": 1}]}]}`, "pages.1.items", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := ingest.Source{Name: "api-" + tc.name, Entity: "payments", Files: "*.json", Format: "json", Records: tc.records}
			r := l.LoadFile(t.Context(), &src, write(t, dir, tc.name+".json", tc.body))
			if tc.want == "" {
				if r.Err != nil || r.Loaded != 1 {
					t.Errorf("LoadFile = %+v, want one row", r)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), tc.want) {
				t.Errorf("LoadFile = %v, want an error with %q", r.Err, tc.want)
			}
		})
	}
}

func TestNDJSON(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	body := `{"id": "A1", "manager": "M1", "client": {"id": "C1"}, "type": "Визит", "status": "done", "done": "2026-10-01T16:30:00"}` + "\r\n" +
		"\r\n" +
		`{"id": "A2", "manager": "M1", "client": null, "type": "Звонок", "status": "planned", "planned": "2026-10-02"}` + "\n" +
		`{"id": "A3", "manager": ` + "\n" +
		`["not", "an", "object"]` + "\n" +
		`{"id": "A4", "manager": "M2", "type": "Визит", "status": "lost"}` + "\n" +
		`{"id": "A5", "manager": "M2", "type": "Визит", "status": "done"} {"id": "A6"}` + "\n" +
		`{"id": "A7", "manager": "M2", "type": "Письмо", "status": "DONE"}`
	p := write(t, dir, "activities.ndjson", body)
	src := ingest.Source{Name: "api", Entity: "activities", Files: "*.ndjson", Format: "ndjson",
		Columns: map[string]ingest.Column{"activity_id": {Source: "id"}, "manager_id": {Source: "manager"}, "client_id": {Source: "client.id"},
			"kind":       {Expr: "CASE type WHEN 'Визит' THEN 'visit' WHEN 'Письмо' THEN 'email' ELSE 'call' END"},
			"planned_on": {Source: "planned"}, "done_on": {Source: "done"}}}
	res := load(t, db, l, src, p)
	if got, want := [4]int64{res.Read, res.Loaded, res.Quarantined, res.Filtered}, [4]int64{7, 3, 4, 0}; got != want {
		t.Errorf("read/loaded/quarantined/filtered = %v, want %v", got, want)
	}
	got := queryStrings(t, db, `SELECT concat_ws('|', activity_id, kind, coalesce(client_id, '-'), status, coalesce(done_on::VARCHAR, '-'), _line) FROM activities ORDER BY 1`)
	want := []string{"A1|visit|C1|done|2026-10-01|1", "A2|call|-|planned|-|3", "A7|email|-|done|-|8"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("activities =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = queryStrings(t, db, "SELECT line || ': ' || left(reason, 40) FROM quarantine ORDER BY line")
	want = []string{"4: not valid JSON: unexpected EOF", "5: the line is not a JSON object", `6: status "lost" is not one of planned, don`, "7: more than one JSON value on the line"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("quarantine = %q, want %q", got, want)
	}
}

func TestParquet(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := filepath.Join(dir, "invoices.parquet")
	mem, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.Exec(`COPY (SELECT * FROM (VALUES
            ('I1', DATE '2026-10-01', 'C1', 1234.5678::DECIMAL(18,4), TIMESTAMP '2026-10-31 00:00:00', 0.1::DOUBLE),
            ('I2', DATE '2026-10-02', 'C2', -1.0::DECIMAL(18,4), NULL, 1e300::DOUBLE),
            ('I3', NULL, 'C3', 5::DECIMAL(18,4), NULL, NULL))
            t(invoice_id, invoice_date, client_id, total, due, fx)) TO ` + warehouse.QuoteString(p) + ` (FORMAT parquet)`); err != nil {
		t.Fatal(err)
	}
	res := load(t, db, l, ingest.Source{Name: "bi", Entity: "invoices", Files: "*.parquet", Format: "parquet",
		Columns: map[string]ingest.Column{"amount": {Source: "total"}, "due_date": {Source: "due"}, "order_id": {Source: "fx"}}}, p)
	if got, want := [3]int64{res.Read, res.Loaded, res.Quarantined}, [3]int64{3, 2, 1}; got != want {
		t.Errorf("read/loaded/quarantined = %v, want %v", got, want)
	}
	got := queryStrings(t, db, `SELECT concat_ws('|', invoice_id, invoice_date, amount, coalesce(due_date::VARCHAR, '-'), coalesce(order_id, '-'), _line) FROM invoices ORDER BY 1`)
	want := []string{"I1|2026-10-01|1234.5678|2026-10-31|0.1|1", "I2|2026-10-02|-1.0000|-|1e+300|2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("invoices =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine"); len(got) != 1 || got[0] != "3: invoice_date is required" {
		t.Errorf("quarantine = %q", got)
	}
}

// Staging reads payment and return text as stored (sql/staging): a load
// stores every text value trimmed and a blank one as NULL, on the fast path
// and on the SQL one (the second row's amount goes to SQL typing).
func TestTextStoredTrimmedBlankAsNull(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := write(t, dir, "payments.csv", "payment_id,paid_on,client_id,payer_inn,amount,invoice_id,purpose\n"+
		" P1 ,2026-10-01,\u00a0C0001\u3000,  ,100.50, INV-1 ,\n"+
		"P2,2026-10-02,   , 7701234567 ,\"1 234,50\", \u2009 ,x\n")
	res := load(t, db, l, ingest.Source{Name: "bank", Entity: "payments", Files: "*.csv", Format: "csv", Thousands: " ", Decimal: ","}, p)
	if res.Loaded != 2 {
		t.Fatalf("loaded %d of 2 rows: %+v", res.Loaded, res)
	}
	got := queryStrings(t, db, `SELECT concat_ws('|', '[' || payment_id || ']', coalesce('[' || client_id || ']', 'NULL'), coalesce('[' || payer_inn || ']', 'NULL'),
        amount, coalesce('[' || invoice_id || ']', 'NULL'), coalesce('[' || purpose || ']', 'NULL')) FROM payments ORDER BY payment_id`)
	want := []string{"[P1]|[C0001]|NULL|100.5000|[INV-1]|NULL", "[P2]|NULL|[7701234567]|1234.5000|NULL|[x]"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payments =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
