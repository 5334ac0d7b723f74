package ingest

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// An xlsx workbook is read one sheet at a time (`sheet:` a name or a
// 1-based index; the first sheet by default). The first non-empty row is
// the header unless `header: false`; without `names:` the columns are then
// called by their letters (A, B, ...). A row's line is its row number in
// the sheet, as Excel shows it. Empty rows are skipped.
//
// Cells come as text: numbers as Excel stores them (a number Excel shows
// with fifteen significant digits keeps those, so 0.1+0.2 reads 0.3, and a
// thousands format or a currency sign never reaches the value), dates and
// date-times — numbers in cells with a date format — as ISO text
// (YYYY-MM-DD, YYYY-MM-DD hh:mm:ss), booleans as TRUE/FALSE, formulas as
// their last computed value.
func init() { registerFormat("xlsx", stageXLSX) }

func stageXLSX(ctx context.Context, f *file) (stageResult, []badRow, error) {
	cols, data, err := readWorkbook(f.path, f.src)
	if err != nil {
		return stageResult{}, nil, err
	}
	if f.src.HasHeader() && len(f.src.Columns) == 0 {
		if err := checkCanonicalHeader(f.ent, cols); err != nil {
			return stageResult{}, nil, err
		}
	}
	if len(cols) == 0 {
		return stageResult{}, nil, nil
	}
	var bad []badRow
	st, err := stageRows(ctx, f, cols, func(sink rowSink) error {
		vals := make([]any, len(cols))
		for _, r := range data {
			if extra := lastValue(r.cells); extra > len(cols) {
				name, _ := excelize.ColumnNumberToName(extra)
				bad = append(bad, badRow{line: r.line, reason: fmt.Sprintf("a value in column %s, right of the %d named columns", name, len(cols)),
					raw: strings.Join(r.cells, ",")})
				continue
			}
			for i := range vals {
				vals[i] = nil
				if i < len(r.cells) && r.cells[i] != "" {
					vals[i] = r.cells[i]
				}
			}
			if err := sink(r.line, vals); err != nil {
				return err
			}
		}
		return nil
	})
	return stageResult{staged: st}, bad, err
}

// readWorkbook reads the source's sheet: its column names and data rows.
func readWorkbook(path string, src *Source) (cols []string, data []xlsxRow, err error) {
	defer func() {
		// The workbook is someone else's file, parsed by a library: a
		// malformed one fails the file, never the process.
		if r := recover(); r != nil {
			cols, data, err = nil, nil, fmt.Errorf("read workbook: malformed file (%v)", r)
		}
	}()
	x, err := excelize.OpenFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open workbook: %w", err)
	}
	defer x.Close()
	sheet, err := pickSheet(x, src.Sheet)
	if err != nil {
		return nil, nil, err
	}
	if err := isoDateStyles(x); err != nil {
		return nil, nil, fmt.Errorf("read styles: %w", err)
	}
	rows, err := sheetRows(x, sheet)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case src.HasHeader():
		if len(rows) == 0 {
			return nil, nil, fmt.Errorf("sheet %s is empty: expected a header row", sheet)
		}
		for _, c := range rows[0].cells {
			cols = append(cols, headerName(c))
		}
		for len(cols) > 0 && cols[len(cols)-1] == "" {
			cols = cols[:len(cols)-1]
		}
		data = rows[1:]
	case len(src.Names) > 0:
		cols, data = append(cols, src.Names...), rows
	default:
		width := 0
		for _, r := range rows {
			width = max(width, len(r.cells))
		}
		for i := range width {
			name, _ := excelize.ColumnNumberToName(i + 1)
			cols = append(cols, name)
		}
		data = rows
	}
	return uniqueNames(cols), data, nil
}

// xlsxRow is a non-empty row and its number in the sheet.
type xlsxRow struct {
	line  int64
	cells []string
}

func sheetRows(x *excelize.File, sheet string) ([]xlsxRow, error) {
	it, err := x.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sheet, err)
	}
	defer it.Close()
	var rows []xlsxRow
	var n int64
	for it.Next() {
		n++
		cells, err := it.Columns()
		if err != nil {
			return nil, fmt.Errorf("sheet %s row %d: %w", sheet, n, err)
		}
		if lastValue(cells) == 0 {
			continue
		}
		for i, c := range cells {
			cells[i] = plainNumber(c)
		}
		rows = append(rows, xlsxRow{line: n, cells: cells})
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sheet, err)
	}
	return rows, nil
}

// lastValue is the 1-based position of the last non-empty cell, 0 if none.
func lastValue(cells []string) int {
	for i := len(cells) - 1; i >= 0; i-- {
		if strings.TrimSpace(cells[i]) != "" {
			return i + 1
		}
	}
	return 0
}

// plainNumber writes a number excelize rounded to fifteen significant
// digits in exponent form (1.23456789012346E+19) in plain digits.
func plainNumber(s string) string {
	if !strings.ContainsAny(s, "Ee") || strings.ContainsAny(s, " \t") {
		return s
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return s
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// pickSheet finds the sheet a source names: by name (ignoring case if it
// must), or by 1-based position; the first sheet when it names none.
func pickSheet(x *excelize.File, want string) (string, error) {
	sheets := x.GetSheetList()
	if len(sheets) == 0 {
		return "", fmt.Errorf("the workbook has no sheets")
	}
	if want == "" {
		return sheets[0], nil
	}
	if m := matchFold(sheets, want); m != "" {
		return m, nil
	}
	if n, err := strconv.Atoi(want); err == nil {
		if n >= 1 && n <= len(sheets) {
			return sheets[n-1], nil
		}
		return "", fmt.Errorf("sheet %d does not exist: the workbook has %d sheets (%s)", n, len(sheets), strings.Join(sheets, ", "))
	}
	return "", fmt.Errorf("sheet %q does not exist (sheets: %s)", want, strings.Join(sheets, ", "))
}

// isoDateStyles makes excelize's formatted cell values what ingest wants:
// every date format becomes ISO, every other number format General (the
// number itself), text formats stay. It changes the styles of the open
// workbook only; the file is never written.
func isoDateStyles(x *excelize.File) error {
	if _, err := x.GetStyle(0); err != nil {
		return nil // no styles at all
	}
	s := x.Styles
	if s == nil || s.CellXfs == nil {
		return nil
	}
	custom := map[int]string{}
	if s.NumFmts != nil {
		for _, nf := range s.NumFmts.NumFmt {
			custom[nf.NumFmtID] = nf.FormatCode
		}
	}
	n := len(s.CellXfs.Xf)
	var ids [3]*int // date, date-time, time
	for i, code := range []string{"yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "hh:mm:ss"} {
		st, err := x.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			return err
		}
		ids[i] = x.Styles.CellXfs.Xf[st].NumFmtID
	}
	general := 0
	for i := range n {
		xf := &x.Styles.CellXfs.Xf[i]
		id := 0
		if xf.NumFmtID != nil {
			id = *xf.NumFmtID
		}
		code, ok := custom[id]
		kind := numFmtBuiltin(id)
		if ok {
			kind = numFmtKind(code)
		}
		switch kind {
		case fmtDate:
			xf.NumFmtID = ids[0]
		case fmtDateTime:
			xf.NumFmtID = ids[1]
		case fmtTime:
			xf.NumFmtID = ids[2]
		case fmtText:
		default:
			xf.NumFmtID = &general
		}
	}
	return nil
}

type fmtKind int

const (
	fmtNumber fmtKind = iota
	fmtDate
	fmtDateTime
	fmtTime
	fmtText
)

// numFmtBuiltin classifies Excel's built-in number formats.
func numFmtBuiltin(id int) fmtKind {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 54, id == 57, id == 58:
		return fmtDate
	case id == 22:
		return fmtDateTime
	case id >= 18 && id <= 21, id >= 45 && id <= 47, id == 32, id == 33, id == 55, id == 56:
		return fmtTime
	case id == 49:
		return fmtText
	}
	return fmtNumber
}

// numFmtKind classifies a custom number format code by the tokens left
// once quoted text, escaped characters and [bracketed] parts are gone.
func numFmtKind(code string) fmtKind {
	if code == "@" {
		return fmtText
	}
	var b strings.Builder
	lower := strings.ToLower(code)
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; c {
		case '"':
			for i++; i < len(lower) && lower[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++
		case '[':
			j := strings.IndexByte(lower[i:], ']')
			if j < 0 {
				i = len(lower)
				continue
			}
			inner := lower[i+1 : i+j]
			if inner == "h" || inner == "hh" || inner == "m" || inner == "mm" || inner == "s" || inner == "ss" {
				b.WriteString(inner)
			}
			i += j
		default:
			b.WriteByte(c)
		}
	}
	t := b.String()
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i] // the format of positive numbers decides
	}
	date := strings.ContainsAny(t, "yd")
	clock := strings.ContainsAny(t, "hs")
	switch {
	case date && clock:
		return fmtDateTime
	case date:
		return fmtDate
	case clock:
		return fmtTime
	}
	return fmtNumber
}
