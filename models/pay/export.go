package pay

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/reports"
)

// Formats the sheet is exported in.
var Formats = []string{"csv", "json", "xlsx"}

// cell is one exported cell: text, or a number shown with places decimals.
type cell struct {
	text   string
	num    *decimal.Decimal
	places int32
	// blankNum is an empty cell of a number column (null in JSON).
	blankNum bool
}

func (c cell) isNum() bool { return c.num != nil }

// String renders a number with its display places (half away from zero).
func (c cell) String() string {
	if c.num != nil {
		return c.num.StringFixed(c.places)
	}
	return c.text
}

func txt(s string) cell { return cell{text: s} }
func nm(d decimal.Decimal, places int32) cell {
	return cell{num: &d, places: places}
}
func nmp(d *decimal.Decimal, places int32) cell {
	if d == nil {
		return cell{blankNum: true}
	}
	return nm(*d, places)
}

// Columns lists the sheet's columns: attainment_<kpi> and payout_<kpi>
// for each KPI of its plans.
func (s *Sheet) Columns() []string {
	cols := []string{"manager_id", "name", "period", "line", "adjusts_period", "plan", "variable_target", "proration"}
	for _, k := range s.KPIs() {
		cols = append(cols, "attainment_"+k, "payout_"+k)
	}
	return append(cols, "factor", "overdue_share", "gate_multiplier", "variable_pay", "flags")
}

// table is the sheet as rows of cells. Ratios show 4 decimals and money 2;
// the statement carries every digit.
func (s *Sheet) table() [][]cell {
	kpis := s.KPIs()
	var out [][]cell
	for _, l := range s.Lines {
		adj := ""
		if !l.AdjustsPeriod.IsZero() {
			adj = l.AdjustsPeriod.String()
		}
		row := []cell{txt(l.ManagerID), txt(l.Name), txt(l.Period.String()), txt(l.Kind), txt(adj), txt(l.Plan)}
		if l.Kind == KindPay {
			row = append(row, nm(l.VariableTarget, moneyPlaces(l.VariableTarget)), nm(l.Proration, 4))
			for _, k := range kpis {
				c, ok := l.Component(k)
				if !ok {
					row = append(row, cell{blankNum: true}, cell{blankNum: true})
					continue
				}
				row = append(row, nmp(c.Attainment, 4), nm(c.Payout, 4))
			}
			row = append(row, nm(l.Factor, 4), nm(l.OverdueShare, 4), nm(l.GateMultiplier, 4))
		} else {
			for range 2 + 2*len(kpis) + 3 {
				row = append(row, cell{blankNum: true})
			}
		}
		row = append(row, nm(l.VariablePay, 2), txt(strings.Join(l.Flags, " ")))
		out = append(out, row)
	}
	return out
}

// WriteCSV writes the sheet as CSV with a header row. Text cells a
// spreadsheet would run as a formula are prefixed with ' (reports.GuardCell).
func WriteCSV(w io.Writer, s *Sheet) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(s.Columns()); err != nil {
		return err
	}
	for _, row := range s.table() {
		rec := make([]string, len(row))
		for i, c := range row {
			if c.isNum() {
				rec[i] = c.String()
			} else {
				rec[i] = reports.GuardCell(c.text)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the sheet as a JSON object: the period, its status and
// run, the inputs hash, the total, warnings and rows (numbers as JSON
// numbers with the CSV's decimals).
func WriteJSON(w io.Writer, s *Sheet) error {
	bw := bufio.NewWriter(w)
	str := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	fmt.Fprintf(bw, "{\n  \"period\": %s,\n  \"status\": %s,\n", str(s.Period.String()), str(s.Status))
	if s.Run != nil {
		fmt.Fprintf(bw, "  \"run_id\": %d,\n  \"locked_at\": %s,\n", s.Run.ID, str(s.Run.LockedAt.UTC()))
	}
	fmt.Fprintf(bw, "  \"as_of\": %s,\n  \"inputs_sha256\": %s,\n  \"total\": %s,\n", str(s.AsOf.Format("2006-01-02")), str(s.InputsSHA256), money(s.Total()))
	warnings := s.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	fmt.Fprintf(bw, "  \"warnings\": %s,\n  \"rows\": [", str(warnings))
	cols := s.Columns()
	for r, row := range s.table() {
		if r > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    {")
		for i, c := range row {
			if i > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString(str(cols[i]) + ": ")
			switch {
			case c.isNum():
				bw.WriteString(c.String())
			case c.blankNum:
				bw.WriteString("null")
			default:
				bw.WriteString(str(c.text))
			}
		}
		bw.WriteString("}")
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// WriteXLSX writes the payroll workbook with excelize's StreamWriter: a
// sheet for the period, a statement sheet per manager with the explanation
// lines, and a run sheet (status, hashes). Text is always written as a
// string cell, never as a formula, so a name such as "=HYPERLINK(...)"
// stays text; numbers are numbers.
func WriteXLSX(w io.Writer, s *Sheet) error {
	key, err := XLSXKey(s)
	if err != nil {
		return err
	}
	return WriteXLSXKeyed(w, s, key)
}

// WriteXLSXKeyed is WriteXLSX for a caller that has the sheet's key
// already (XLSXKey(s), to compare with a workbook on disk): it writes the
// same bytes without encoding the sheet a second time.
func WriteXLSXKeyed(w io.Writer, s *Sheet, key string) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		return &sortedZip{w: w, comment: key, parts: map[string]*bytes.Buffer{}}
	})
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	// Styles in a fixed order: their ids go into every cell, so the same
	// sheet gives the same bytes.
	styles := map[int32]int{}
	for _, sf := range []struct {
		places int32
		format string
	}{{0, "0"}, {2, "#,##0.00"}, {4, "0.0000"}} {
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &sf.format})
		if err != nil {
			return err
		}
		styles[sf.places] = id
	}
	names := map[string]bool{}
	first := true
	newSheet := func(name string) (*excelize.StreamWriter, error) {
		name = sheetName(name, names)
		if first {
			first = false
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		return f.NewStreamWriter(name)
	}
	toCells := func(row []cell, style int) []any {
		out := make([]any, len(row))
		for i, c := range row {
			switch {
			case c.isNum():
				st, ok := styles[c.places]
				if !ok {
					st = styles[4]
				}
				out[i] = excelize.Cell{StyleID: st, Value: c.num.Round(c.places).InexactFloat64()}
			case c.text != "":
				out[i] = excelize.Cell{StyleID: style, Value: c.text}
			}
		}
		return out
	}
	writeRows := func(sw *excelize.StreamWriter, rows [][]cell, header []string, widths []float64) error {
		for i, wd := range widths {
			if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
				return err
			}
		}
		head := make([]cell, len(header))
		for i, h := range header {
			head[i] = txt(h)
		}
		if err := sw.SetRow("A1", toCells(head, bold)); err != nil {
			return err
		}
		for r, row := range rows {
			axis, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(axis, toCells(row, 0)); err != nil {
				return err
			}
		}
		return sw.Flush()
	}

	sw, err := newSheet("Pay " + s.Period.String())
	if err != nil {
		return err
	}
	cols := s.Columns()
	widths := make([]float64, len(cols))
	for i := range widths {
		widths[i] = 14
	}
	widths[1] = 28
	widths[len(widths)-1] = 30
	if err := writeRows(sw, s.table(), cols, widths); err != nil {
		return fmt.Errorf("sheet of %s: %w", s.Period, err)
	}

	var managers []string
	seen := map[string]bool{}
	for _, l := range s.Lines {
		if !seen[l.ManagerID] {
			seen[l.ManagerID] = true
			managers = append(managers, l.ManagerID)
		}
	}
	for _, m := range managers {
		lines, err := s.Statement(m)
		if err != nil {
			return err
		}
		rows := make([][]cell, len(lines))
		for i, l := range lines {
			rows[i] = []cell{txt(l.Step), txt(l.Text), {}, txt(l.Value)}
			if l.Num != nil {
				rows[i][2] = cell{num: l.Num, places: statementPlaces(l.Value)}
			}
		}
		sw, err := newSheet(m)
		if err != nil {
			return err
		}
		if err := writeRows(sw, rows, []string{"step", "description", "value", "exact value"}, []float64{14, 100, 16, 26}); err != nil {
			return fmt.Errorf("statement of %s: %w", m, err)
		}
	}

	sw, err = newSheet("Run")
	if err != nil {
		return err
	}
	info := [][]cell{{txt("period"), txt(s.Period.String())}, {txt("status"), txt(s.Status)}}
	if s.Run != nil {
		info = append(info, []cell{txt("run_id"), nm(decimal.NewFromInt(s.Run.ID), 0)},
			[]cell{txt("locked_at"), txt(s.Run.LockedAt.UTC().Format("2006-01-02 15:04:05") + " UTC")},
			[]cell{txt("locked_by"), txt(s.Run.LockedBy)})
	}
	info = append(info, []cell{txt("as_of"), txt(s.AsOf.Format("2006-01-02"))},
		[]cell{txt("inputs_sha256"), txt(s.InputsSHA256)},
		[]cell{txt("total"), nm(s.Total(), 2)},
		[]cell{txt("rounding"), txt("variable pay rounded half away from zero to 0.01, once, at the end")})
	for _, wn := range s.Warnings {
		info = append(info, []cell{txt("warning"), txt(wn)})
	}
	if err := writeRows(sw, info, []string{"key", "value"}, []float64{16, 90}); err != nil {
		return err
	}
	// No SetActiveSheet: the first sheet is active already, and setting it
	// makes excelize parse and rewrite every streamed sheet (most of the time
	// of a large workbook).
	return f.Write(w)
}

// sortedZip is an excelize.ZipWriter that collects the workbook's parts
// and writes them on Close sorted by name, without timestamps: excelize
// writes the sheets of stream writers in map order, and the same sheet
// must give the same bytes (rendered sites are compared byte for byte).
// Parts are deflated at BestSpeed: a payroll workbook holds every input
// row of every statement, and the default level took a third of the time.
type sortedZip struct {
	w       io.Writer
	comment string
	names   []string
	parts   map[string]*bytes.Buffer
}

// xlsxVersion names what WriteXLSX writes: change it with any change to
// the workbook's content or form, so that XLSXKey changes too.
const xlsxVersion = "kam payroll xlsx 2"

// XLSXKey identifies the workbook WriteXLSX writes for s: the SHA-256 of
// xlsxVersion and of the sheet as JSON (every line with its inputs, the
// run, the warnings). WriteXLSX stores it as the zip comment, so that a
// caller can tell an existing file is the one it would write (XLSXKeyOf).
func XLSXKey(s *Sheet) (string, error) {
	h := sha256.New()
	io.WriteString(h, xlsxVersion+"\n")
	if err := json.NewEncoder(h).Encode(s); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// XLSXKeyOf reads the key WriteXLSX stored in the workbook at path ("" when
// there is no such file or it has none).
func XLSXKeyOf(path string) string {
	r, err := zip.OpenReader(path)
	if err != nil {
		return ""
	}
	defer r.Close()
	return r.Comment
}

func (z *sortedZip) Create(name string) (io.Writer, error) {
	if _, ok := z.parts[name]; ok {
		return nil, fmt.Errorf("xlsx: part %s written twice", name)
	}
	b := &bytes.Buffer{}
	z.parts[name] = b
	z.names = append(z.names, name)
	return b, nil
}

func (z *sortedZip) AddFS(fs.FS) error { return errors.New("xlsx: AddFS is not supported") }

func (z *sortedZip) Close() error {
	sort.Strings(z.names)
	zw := zip.NewWriter(z.w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, name := range z.names {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			return err
		}
		if _, err := f.Write(z.parts[name].Bytes()); err != nil {
			return err
		}
	}
	if err := zw.SetComment(z.comment); err != nil {
		return err
	}
	return zw.Close()
}

// moneyPlaces shows an amount with 2 decimals, or all it has when more.
func moneyPlaces(d decimal.Decimal) int32 {
	if d.Equal(d.Round(2)) {
		return 2
	}
	_, frac, _ := strings.Cut(d.String(), ".")
	return int32(len(frac))
}

// statementPlaces picks the display decimals of a statement value.
func statementPlaces(v string) int32 {
	_, frac, ok := strings.Cut(v, ".")
	switch {
	case !ok:
		return 0
	case len(frac) <= 2:
		return 2
	}
	return 4
}

// sheetName makes a valid, unique worksheet name (31 characters, none of
// : \ / ? * [ ], not starting or ending with ').
func sheetName(name string, used map[string]bool) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, "'")
	if name == "" {
		name = "_"
	}
	base := name
	for i := 2; ; i++ {
		if utf8.RuneCountInString(name) > 31 {
			name = string([]rune(name)[:31])
		}
		if !used[strings.ToLower(name)] {
			used[strings.ToLower(name)] = true
			return name
		}
		suffix := fmt.Sprintf(" (%d)", i)
		r := []rune(base)
		if len(r) > 31-len(suffix) {
			r = r[:31-len(suffix)]
		}
		name = string(r) + suffix
	}
}
