package xlsxwriter_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/reports/xlsxwriter"
)

func write(t *testing.T, comment string, build func(w *xlsxwriter.Writer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	w := xlsxwriter.New(&b, comment)
	if err := build(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var hostile = []string{
	`=HYPERLINK("http://example.com","x")`,
	`</t></is></c><c t="str"><f>1+1</f>`,
	`ООО "Ромашка" & Co <b>`,
	"  leading and trailing  ",
	"two\nlines\tand a tab",
	"_x0041_ is not an A",
	"__f__alert(1)__f__",
}

// Every cell reads back from excelize (another implementation) as written:
// text as inline strings, never formulas; numbers with their exact digits
// and their number format; sheets in order with their widths.
func TestRoundTripThroughExcelize(t *testing.T) {
	data := write(t, "key-1", func(w *xlsxwriter.Writer) error {
		money := w.NumberFormat("#,##0.00")
		ratio := w.NumberFormat("0.0000")
		if again := w.NumberFormat("#,##0.00"); again != money {
			t.Errorf("NumberFormat twice gave styles %d and %d", money, again)
		}
		s, err := w.NewSheet("Pay 2026-10", []float64{14, 28, 0})
		if err != nil {
			return err
		}
		if err := s.Row(xlsxwriter.Cell{Text: "name", Style: w.Bold()}, xlsxwriter.Cell{Text: "pay", Style: w.Bold()}, xlsxwriter.Cell{Text: "ratio", Style: w.Bold()}); err != nil {
			return err
		}
		for i, h := range hostile {
			num := []string{"1234567.89", "-0.01", "0", "5483.87", "12345678901234567890.12", "3", "0.5"}[i]
			if err := s.Row(xlsxwriter.Text(h), xlsxwriter.Cell{Num: num, Style: money}, xlsxwriter.Cell{Num: "0.1234", Style: ratio}); err != nil {
				return err
			}
		}
		// A row with a gap: the empty cell is left out, C keeps its column.
		if err := s.Row(xlsxwriter.Text("gap"), xlsxwriter.Cell{}, xlsxwriter.Text("C")); err != nil {
			return err
		}
		s2, err := w.NewSheet("Second", nil)
		if err != nil {
			return err
		}
		wide := make([]xlsxwriter.Cell, 30)
		wide[29] = xlsxwriter.Text("AD")
		return s2.Row(wide...)
	})
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != "Pay 2026-10|Second" {
		t.Errorf("sheets = %q", got)
	}
	for i, h := range hostile {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		v, _ := f.GetCellValue("Pay 2026-10", cell)
		formula, _ := f.GetCellFormula("Pay 2026-10", cell)
		typ, _ := f.GetCellType("Pay 2026-10", cell)
		if v != h || formula != "" || typ != excelize.CellTypeInlineString {
			t.Errorf("%s = %q, formula %q, type %v; want the text %q", cell, v, formula, typ, h)
		}
	}
	if v, _ := f.GetCellValue("Pay 2026-10", "B2"); v != "1,234,567.89" {
		t.Errorf("B2 shown as %q, want 1,234,567.89 (#,##0.00)", v)
	}
	if v, _ := f.GetCellValue("Pay 2026-10", "B6", excelize.Options{RawCellValue: true}); v != "12345678901234567890.12" {
		t.Errorf("B6 raw = %q, want the digits written", v)
	}
	if v, _ := f.GetCellValue("Pay 2026-10", "C3"); v != "0.1234" {
		t.Errorf("C3 shown as %q, want 0.1234", v)
	}
	if typ, _ := f.GetCellType("Pay 2026-10", "B3"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("B3 type = %v, want a number", typ)
	}
	if v, _ := f.GetCellValue("Pay 2026-10", "C9"); v != "C" {
		t.Errorf("C9 = %q, want C", v)
	}
	if v, _ := f.GetCellValue("Pay 2026-10", "B9"); v != "" {
		t.Errorf("B9 = %q, want empty", v)
	}
	if v, _ := f.GetCellValue("Second", "AD1"); v != "AD" {
		t.Errorf("Second!AD1 = %q, want AD", v)
	}
	if wd, _ := f.GetColWidth("Pay 2026-10", "B"); wd != 28 {
		t.Errorf("width of B = %v, want 28", wd)
	}
	st, _ := f.GetCellStyle("Pay 2026-10", "A1")
	if style, err := f.GetStyle(st); err != nil || style.Font == nil || !style.Font.Bold {
		t.Errorf("A1 style = %+v (%v), want bold", style, err)
	}
}

// Every part is well-formed XML, the comment is the key and the same calls
// give the same bytes.
func TestPartsAreXMLAndBytesRepeat(t *testing.T) {
	build := func(w *xlsxwriter.Writer) error {
		n := w.NumberFormat("0")
		s, err := w.NewSheet(`Run & "quotes"`, []float64{16})
		if err != nil {
			return err
		}
		for _, h := range append(hostile, "bell\x07 and \x00 nul", "bad utf-8 \xff\xfe", "\uFFFE") {
			if err := s.Row(xlsxwriter.Text(h), xlsxwriter.Cell{Num: "42", Style: n}); err != nil {
				return err
			}
		}
		return nil
	}
	a, b := write(t, "k", build), write(t, "k", build)
	if !bytes.Equal(a, b) {
		t.Fatal("the same workbook gave other bytes")
	}
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Comment != "k" {
		t.Errorf("zip comment = %q, want k", zr.Comment)
	}
	var names []string
	for _, zf := range zr.File {
		names = append(names, zf.Name)
		if !zf.Modified.IsZero() && zf.Modified.Year() > 1980 {
			t.Errorf("%s carries a time stamp %v", zf.Name, zf.Modified)
		}
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(r)
		for {
			if _, err := dec.Token(); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("%s is not well-formed XML: %v", zf.Name, err)
				}
				break
			}
		}
		r.Close()
	}
	for _, want := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
		if !strings.Contains(strings.Join(names, "\n"), want) {
			t.Errorf("parts %q lack %s", names, want)
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != `Run & "quotes"` {
		t.Errorf("sheet names = %q", got)
	}
}

func TestRejectsWhatIsNotANumber(t *testing.T) {
	for _, bad := range []string{"1e5", "NaN", "1,5", "--1", "1.", ".5", "-", "1 000"} {
		w := xlsxwriter.New(io.Discard, "")
		s, err := w.NewSheet("S", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Row(xlsxwriter.Cell{Num: bad}); err == nil {
			t.Errorf("Num %q accepted", bad)
		}
	}
}

func TestRowAfterTheSheetEnded(t *testing.T) {
	w := xlsxwriter.New(io.Discard, "")
	s1, _ := w.NewSheet("A", nil)
	if _, err := w.NewSheet("B", nil); err != nil {
		t.Fatal(err)
	}
	if err := s1.Row(xlsxwriter.Text("late")); err == nil {
		t.Error("a row written to an ended sheet was accepted")
	}
	if err := xlsxwriter.New(io.Discard, "").Close(); err == nil {
		t.Error("a workbook without sheets was accepted")
	}
}
