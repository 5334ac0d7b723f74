package reports

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/reports/reportstest"
)

// An xlsx export keeps every figure exact, makes dates dates and leaves
// formula-like text as guarded text.
func TestWriteQueryXLSX(t *testing.T) {
	db := reportstest.Open(t)
	query := `SELECT * FROM (VALUES
            ('=HYPERLINK("http://x")', DATE '2026-03-31', 1234567.89012345::DECIMAL(38, 8), -0.5::DECIMAL(18, 4), 42::BIGINT, 'nan'::DOUBLE, true),
            ('Альфа', NULL, NULL, NULL, NULL, 1.5::DOUBLE, false)
        ) AS t(client_name, as_of, balance, advance, orders, ratio, flag) ORDER BY ALL`
	var buf bytes.Buffer
	n, err := WriteQuery(context.Background(), db, "receivables/ageing: 2026-03-31 [a long name of more than 31 characters]", query, "xlsx", &buf)
	if err != nil || n != 2 {
		t.Fatalf("WriteQuery = %d, %v", n, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 || sheets[0] != "receivables_ageing_ 2026-03-31 " {
		t.Fatalf("sheets %q", sheets)
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue(sheets[0], cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(cell string) excelize.CellType {
		ct, err := f.GetCellType(sheets[0], cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	for cell, want := range map[string]string{
		"A1": "client_name", "G1": "flag",
		// sorted: '=' before 'А'
		"A2": `'=HYPERLINK("http://x")`, "B2": "46112", "C2": "1234567.89012345", "D2": "-0.5000", "E2": "42", "F2": "NaN", "G2": "true",
		"A3": "Альфа", "B3": "", "C3": "", "F3": "1.5", "G3": "false",
	} {
		if got := raw(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset, "C2": excelize.CellTypeUnset, "E2": excelize.CellTypeUnset,
		"F2": excelize.CellTypeInlineString, "F3": excelize.CellTypeUnset, "G2": excelize.CellTypeInlineString,
	} {
		if got := typ(cell); got != want {
			t.Errorf("%s is of type %v, want %v", cell, got, want)
		}
	}
	// dates show as dates; decimals with grouped thousands and two places at
	// least, up to their scale; integers as they are
	for cell, want := range map[string]string{"B2": "2026-03-31", "C2": "1,234,567.89012345", "D2": "-0.50", "E2": "42"} {
		if v, err := f.GetCellValue(sheets[0], cell); err != nil || v != want {
			t.Errorf("%s shows %q, %v; want %q", cell, v, err, want)
		}
	}
}

func TestWriteQueryXLSXRowLimit(t *testing.T) {
	db := reportstest.Open(t)
	n, err := WriteQuery(context.Background(), db, "big", "SELECT range AS i FROM range(1048576)", "xlsx", io.Discard)
	if err == nil || !strings.Contains(err.Error(), "export as csv") {
		t.Fatalf("WriteQuery of 1,048,576 rows = %d, %v; want the row limit's error", n, err)
	}
	if n != MaxXLSXRows {
		t.Errorf("stopped after %d rows, want %d", n, MaxXLSXRows)
	}
}
