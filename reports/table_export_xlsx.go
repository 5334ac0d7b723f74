package reports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kam-analytics/kam/reports/xlsxwriter"
)

// MaxXLSXRows is how many rows below the header a worksheet holds (Excel's
// limit is 1,048,576 rows in all).
const MaxXLSXRows = 1_048_575

// xlsxWriter writes an export as one worksheet. Numbers keep the exact
// decimal text the warehouse gave (Excel itself shows 15 significant
// digits); decimals show grouped thousands and at least two decimal places
// (up to the column's scale, so nothing written is hidden); dates become
// date cells, so that a spreadsheet sorts and filters them as dates.
type xlsxWriter struct {
	xw      *xlsxwriter.Writer
	sheet   *xlsxwriter.Sheet
	numeric []bool
	dates   []bool
	styles  []xlsxwriter.Style // of each number column
	date    xlsxwriter.Style
	rows    int
	cells   []xlsxwriter.Cell
}

func newXLSXWriter(w io.Writer, name string, cols []string, numeric, dates []bool, scales []int64) (*xlsxWriter, error) {
	x := &xlsxWriter{xw: xlsxwriter.New(w, ""), numeric: numeric, dates: dates, styles: make([]xlsxwriter.Style, len(cols))}
	x.date = x.xw.NumberFormat("yyyy-mm-dd")
	for i, scale := range scales {
		if scale > 0 {
			x.styles[i] = x.xw.NumberFormat(decimalFormat(scale))
		}
	}
	widths := make([]float64, len(cols))
	head := make([]xlsxwriter.Cell, len(cols))
	for i, c := range cols {
		widths[i] = float64(min(max(len([]rune(c))+2, 12), 40))
		head[i] = xlsxwriter.Cell{Text: c, Style: x.xw.Bold()}
	}
	var err error
	if x.sheet, err = x.xw.NewSheet(xlsxwriter.SheetName(name), widths); err != nil {
		return nil, err
	}
	return x, x.sheet.Row(head...)
}

func (x *xlsxWriter) row(cells []*string) error {
	if x.rows++; x.rows > MaxXLSXRows {
		return fmt.Errorf("xlsx holds at most %d rows in a sheet; export as csv instead", MaxXLSXRows)
	}
	x.cells = x.cells[:0]
	for i, p := range cells {
		var c xlsxwriter.Cell
		switch {
		case p == nil:
		case x.numeric[i] && isPlainNumber(*p):
			c = xlsxwriter.Cell{Num: *p, Style: x.styles[i]}
		case x.dates[i]:
			if serial, ok := excelDate(*p); ok {
				c = xlsxwriter.Cell{Num: serial, Style: x.date}
			} else {
				c.Text = *p
			}
		case x.numeric[i]:
			c.Text = *p // NaN, Infinity or an exponent: no number cell says it
		default:
			c.Text = GuardCell(*p)
		}
		x.cells = append(x.cells, c)
	}
	return x.sheet.Row(x.cells...)
}

func (x *xlsxWriter) close() error { return x.xw.Close() }

// decimalFormat shows a decimal of the given scale: #,##0.00 for money,
// with optional places up to the scale (0.5 of a DECIMAL(18,4) shows 0.50,
// 0.1234 shows 0.1234).
func decimalFormat(scale int64) string {
	if scale == 1 {
		return "#,##0.0"
	}
	return "#,##0.00" + strings.Repeat("#", int(scale)-2)
}

// isPlainNumber accepts -?digits(.digits)?, what an XLSX number cell holds.
func isPlainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") {
		return false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// excelDate is the serial number of a YYYY-MM-DD date in Excel's 1900 date
// system. Dates before March 1900, where Excel counts a 29 February that
// never was, stay text.
func excelDate(s string) (string, bool) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil || d.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
		return "", false
	}
	days := d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour)
	return strconv.FormatInt(int64(days), 10), true
}
