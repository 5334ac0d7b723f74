package pay_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/models/pay"
)

const hostile = `=HYPERLINK("http://evil.example","click")`

func casesSheet(t *testing.T) *pay.Sheet {
	t.Helper()
	s, err := pay.Calculate(context.Background(), cases(t), loadPlans(t, "cases"), period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWriteCSV(t *testing.T) {
	s := casesSheet(t)
	var b bytes.Buffer
	if err := pay.WriteCSV(&b, s); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHead := "manager_id,name,period,line,adjusts_period,plan,variable_target,proration,attainment_sales,payout_sales,attainment_active_clients,payout_active_clients,attainment_new_clients,payout_new_clients,factor,overdue_share,gate_multiplier,variable_pay,flags"
	if got := strings.Join(recs[0], ","); got != wantHead {
		t.Errorf("CSV header:\n got %s\nwant %s", got, wantHead)
	}
	rows := map[string]string{}
	for _, r := range recs[1:] {
		rows[r[0]] = strings.Join(r, ",")
	}
	want := map[string]string{
		"M1": "M1,Иванов Иван,2026-10,pay,,kam-2026,50000.00,1.0000,0.9600,0.4500,1.0000,0.3000,1.0000,0.2000,0.9500,0.0909,1.0000,47500.00,",
		"MH": "MH,Hired Mid-Month,2026-10,pay,,sales-only,10000.00,0.5484,1.0000,1.0000,,,,,1.0000,0.0000,1.0000,5483.87,",
		"MM": "MM,Missing Target Maria,2026-10,pay,,kam-2026,40000.00,1.0000,1.0000,0.5000,,0.0000,,0.0000,0.5000,0.0000,1.0000,20000.00,missing_target:active_clients missing_target:new_clients",
		// A name a spreadsheet would run as a formula stays text.
		"MT": "MT,'" + hostile + ",2026-10,pay,,sales-only,10000.00,1.0000,0.7000,0.0000,,,,,0.0000,0.0000,1.0000,0.00,",
		"MR": "MR,Rounding Rita,2026-10,pay,,sales-only,1234.565,1.0000,1.0000,1.0000,,,,,1.0000,0.0000,1.0000,1234.57,",
	}
	for m, w := range want {
		if rows[m] != w {
			t.Errorf("CSV row of %s:\n got %s\nwant %s", m, rows[m], w)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	s := casesSheet(t)
	var b bytes.Buffer
	if err := pay.WriteJSON(&b, s); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Period string           `json:"period"`
		Status string           `json:"status"`
		Total  json.Number      `json:"total"`
		Rows   []map[string]any `json:"rows"`
	}
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("WriteJSON output is not JSON: %v", err)
	}
	if doc.Period != "2026-10" || doc.Status != "open" || doc.Total.String() != "176944.25" || len(doc.Rows) != 12 {
		t.Errorf("JSON = %s %s total %s, %d rows; want 2026-10 open 176944.25, 12 rows (MP 10000.00)", doc.Period, doc.Status, doc.Total, len(doc.Rows))
	}
	mh := doc.Rows[5]
	if mh["manager_id"] != "MH" || mh["variable_pay"] != json.Number("5483.87") || mh["attainment_active_clients"] != nil {
		t.Errorf("JSON row 6 = %v, want MH with variable_pay 5483.87 as a number and no active_clients", mh)
	}
}

func TestWriteXLSX(t *testing.T) {
	s := casesSheet(t)
	var b bytes.Buffer
	if err := pay.WriteXLSX(&b, s); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	wantSheets := "Pay 2026-10 M1 M2 MA MC MG MH ML MM MP MQ MR MT Run"
	if strings.Join(sheets, " ") != wantSheets {
		t.Errorf("XLSX sheets = %q, want %q", sheets, wantSheets)
	}
	rows, err := f.GetRows("Pay 2026-10")
	if err != nil {
		t.Fatal(err)
	}
	var mt int
	for i, r := range rows {
		if r[0] == "MT" {
			mt = i + 1
		}
	}
	name, _ := excelize.CoordinatesToCellName(2, mt)
	v, _ := f.GetCellValue("Pay 2026-10", name)
	formula, _ := f.GetCellFormula("Pay 2026-10", name)
	typ, _ := f.GetCellType("Pay 2026-10", name)
	if v != hostile || formula != "" || typ != excelize.CellTypeInlineString {
		t.Errorf("XLSX name of MT = %q, formula %q, type %v; want the text %q, no formula, an inline string", v, formula, typ, hostile)
	}
	// variable_pay of MH is a number cell holding 5483.87.
	pay18, _ := excelize.CoordinatesToCellName(18, 7)
	if v, _ := f.GetCellValue("Pay 2026-10", pay18, excelize.Options{RawCellValue: true}); v != "5483.87" {
		t.Errorf("XLSX %s (MH variable_pay) = %q, want 5483.87", pay18, v)
	}
	st, err := f.GetRows("MH")
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, r := range st {
		text = append(text, strings.Join(r, " | "))
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"step | description | value | exact value", "days employed in 2026-10: 2026-10-15 to 2026-10-31 | 17 | 17", "variable pay, rounded half away from zero to 0.01 | 5,483.87 | 5483.87"} {
		if !strings.Contains(all, want) {
			t.Errorf("statement sheet MH lacks %q:\n%s", want, all)
		}
	}
}

// The same sheet gives the same workbook bytes: excelize writes stream
// sheets in map order and styles were made in map order before.
func TestWriteXLSXDeterministic(t *testing.T) {
	s := &pay.Sheet{Period: period("2026-10"), Status: pay.StatusOpen, AsOf: date("2026-10-31")}
	for _, m := range []string{"M01", "M02", "M03", "M04", "M05", "M06"} {
		s.Lines = append(s.Lines, &pay.Line{Kind: pay.KindPay, Period: s.Period, ManagerID: m, Name: "=HYPERLINK(\"http://x\",\"" + m + "\")",
			VariableTarget: d("50000"), VariablePay: d("1234.56"), Proration: d("1"),
			Factor: d("1"), GateMultiplier: d("1"), PeriodDays: 31, EmployedDays: 31})
	}
	var first []byte
	for i := 0; i < 8; i++ {
		var b bytes.Buffer
		if err := pay.WriteXLSX(&b, s); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.Bytes()
		} else if !bytes.Equal(first, b.Bytes()) {
			t.Fatalf("WriteXLSX run %d gave other bytes than run 0", i)
		}
	}
}

// The workbook carries its key: the same sheet gives the same key, a sheet
// that differs only in a name (left out of the inputs hash) another one.
func TestXLSXKey(t *testing.T) {
	s := &pay.Sheet{Period: period("2026-10"), Status: pay.StatusOpen, AsOf: date("2026-10-31"),
		Lines: []*pay.Line{{Kind: pay.KindPay, Period: period("2026-10"), ManagerID: "M01", Name: "Анна", VariablePay: d("100.00")}}}
	path := filepath.Join(t.TempDir(), "p.xlsx")
	var b bytes.Buffer
	if err := pay.WriteXLSX(&b, s); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	key, _ := pay.XLSXKey(s)
	if got := pay.XLSXKeyOf(path); got != key || key == "" {
		t.Errorf("XLSXKeyOf = %q, want XLSXKey %q", got, key)
	}
	s.Lines[0].Name = "Анна Петровна"
	if k2, _ := pay.XLSXKey(s); k2 == key {
		t.Error("a renamed manager keeps the workbook key")
	}
	if got := pay.XLSXKeyOf(filepath.Join(t.TempDir(), "none.xlsx")); got != "" {
		t.Errorf("XLSXKeyOf(missing) = %q", got)
	}
}
