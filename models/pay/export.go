package pay

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
	"github.com/kam-analytics/kam/reports/xlsxwriter"
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

// WriteXLSX writes the payroll workbook: a sheet for the period, a
// statement sheet per manager with the explanation lines, and a run sheet
// (status, hashes). Text is always written as a string cell, never as a
// formula, so a name such as "=HYPERLINK(...)" stays text; numbers are
// numbers, written with the digits shown.
func WriteXLSX(w io.Writer, s *Sheet) error {
	key, err := XLSXKey(s)
	if err != nil {
		return err
	}
	return WriteXLSXKeyed(w, s, key)
}

// WriteXLSXKeyed is WriteXLSX for a caller that has the sheet's key
// already (XLSXKey(s), to compare with a workbook on disk). The workbook
// holds every input row of every statement (tens of thousands a month), so
// it is streamed by reports/xlsxwriter rather than excelize: the HR page
// writes one per month on every render.
func WriteXLSXKeyed(w io.Writer, s *Sheet, key string) error {
	xw := xlsxwriter.New(w, key)
	bold := xw.Bold()
	styles := map[int32]xlsxwriter.Style{
		0: xw.NumberFormat("0"),
		2: xw.NumberFormat("#,##0.00"),
		4: xw.NumberFormat("0.0000"),
	}
	names := map[string]bool{}
	cells := make([]xlsxwriter.Cell, 0, 32)
	toCells := func(row []cell, style xlsxwriter.Style) []xlsxwriter.Cell {
		cells = cells[:0]
		for _, c := range row {
			switch {
			case c.isNum():
				st, ok := styles[c.places]
				if !ok {
					st = styles[4]
				}
				cells = append(cells, xlsxwriter.Cell{Num: numberText(*c.num, c.places), Style: st})
			case c.text != "":
				cells = append(cells, xlsxwriter.Cell{Text: c.text, Style: style})
			default:
				cells = append(cells, xlsxwriter.Cell{})
			}
		}
		return cells
	}
	writeSheet := func(name string, header []string, widths []float64, rows [][]cell) error {
		sw, err := xw.NewSheet(sheetName(name, names), widths)
		if err != nil {
			return err
		}
		head := make([]cell, len(header))
		for i, h := range header {
			head[i] = txt(h)
		}
		if err := sw.Row(toCells(head, bold)...); err != nil {
			return err
		}
		for _, row := range rows {
			if err := sw.Row(toCells(row, 0)...); err != nil {
				return err
			}
		}
		return nil
	}

	cols := s.Columns()
	widths := make([]float64, len(cols))
	for i := range widths {
		widths[i] = 14
	}
	widths[1] = 28
	widths[len(widths)-1] = 30
	if err := writeSheet("Pay "+s.Period.String(), cols, widths, s.table()); err != nil {
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
		if err := writeSheet(m, []string{"step", "description", "value", "exact value"}, []float64{14, 100, 16, 26}, rows); err != nil {
			return fmt.Errorf("statement of %s: %w", m, err)
		}
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
	if err := writeSheet("Run", []string{"key", "value"}, []float64{16, 90}, info); err != nil {
		return err
	}
	return xw.Close()
}

// xlsxVersion names what WriteXLSX writes: change it with any change to
// the workbook's content or form, so that XLSXKey changes too.
const xlsxVersion = "kam payroll xlsx 4"

// XLSXKey identifies the workbook WriteXLSX writes for s: the SHA-256 of
// xlsxVersion, of the sheet as JSON without the lines' inputs (every line,
// the run, the warnings) and of every line's inputs in full (digestInputs:
// the tens of thousands of input rows of a month, written by hand, as
// encoding/json took most of the key's time). WriteXLSX stores it as the
// zip comment, so that a caller can tell an existing file is the one it
// would write (XLSXKeyOf).
func XLSXKey(s *Sheet) (string, error) {
	h := sha256.New()
	bw := bufio.NewWriterSize(h, 32<<10)
	bw.WriteString(xlsxVersion + "\n")
	bare := *s
	bare.Lines = make([]*Line, len(s.Lines))
	var inputs []*Inputs
	var strip func(l *Line) *Line
	strip = func(l *Line) *Line {
		if l == nil {
			return nil
		}
		c := *l
		inputs = append(inputs, c.Inputs)
		c.Inputs = nil
		c.Recomputed, c.Locked = strip(l.Recomputed), strip(l.Locked)
		return &c
	}
	for i, l := range s.Lines {
		bare.Lines[i] = strip(l)
	}
	if err := json.NewEncoder(bw).Encode(&bare); err != nil {
		return "", err
	}
	for _, in := range inputs {
		digestInputs(bw, in)
	}
	if err := bw.Flush(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// digestInputs writes every field of in, in a fixed order, each value
// ended by a tab and each record by a newline (the values hold no tabs or
// newlines that matter: a value with one is quoted). A field added to
// Inputs or to the types it holds must be added here: TestDigestCoversInputs
// counts them.
func digestInputs(w *bufio.Writer, in *Inputs) {
	if in == nil {
		w.WriteString("no inputs\n")
		return
	}
	v := func(s string) {
		if strings.ContainsAny(s, "\t\n\\") {
			s = strconv.Quote(s)
		}
		w.WriteString(s)
		w.WriteByte('\t')
	}
	d := func(x decimal.Decimal) { v(x.String()) }
	var scratch []byte
	t := func(x time.Time) {
		scratch = strconv.AppendInt(scratch[:0], x.UnixNano(), 10)
		w.Write(scratch)
		w.WriteByte('\t')
	}
	pt := func(x *time.Time) {
		if x == nil {
			v("-")
			return
		}
		t(*x)
	}
	b := func(x bool) { v(strconv.FormatBool(x)) }
	end := func() { w.WriteByte('\n') }

	v("inputs")
	v(in.Period.String())
	v(in.Basis)
	b(in.NoReceivables)
	b(in.Provisional)
	pt(in.ReceivablesAsOf)
	end()
	m := in.Manager
	v("manager")
	v(m.ID)
	v(m.Name)
	d(m.VariableTarget)
	pt(m.HiredOn)
	pt(m.LeftOn)
	end()
	kpis := make([]string, 0, len(in.Targets))
	for k := range in.Targets {
		kpis = append(kpis, k)
	}
	sort.Strings(kpis)
	for _, k := range kpis {
		v("target")
		v(k)
		d(in.Targets[k])
		end()
	}
	for _, e := range in.Sales {
		v("sale")
		v(e.Kind)
		t(e.Date)
		v(e.Ref)
		v(e.ClientID)
		v(e.ClientName)
		v(e.SKU)
		d(e.Qty)
		d(e.Amount)
		v(e.MatchedBy)
		v(e.PayerINN)
		v(e.InvoiceID)
		end()
	}
	for _, group := range []struct {
		name    string
		clients []Client
	}{{"active", in.ActiveClients}, {"new", in.NewClients}} {
		for _, c := range group.clients {
			v(group.name)
			v(c.ClientID)
			v(c.ClientName)
			t(c.Date)
			d(c.Amount)
			end()
		}
	}
	for _, r := range in.Receivables {
		v("receivable")
		v(r.ClientID)
		v(r.ClientName)
		d(r.NotDue)
		d(r.Advance)
		for _, a := range r.Overdue {
			v(a.Name)
			d(a.Amount)
		}
		end()
		for _, it := range r.Items {
			v("item")
			v(it.Kind)
			v(it.ID)
			pt(it.Date)
			pt(it.DueDate)
			d(it.Open)
			v(strconv.FormatInt(it.DaysOverdue, 10))
			v(it.Bucket)
			end()
		}
	}
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

// numberText is d rounded half away from zero to places decimals, as
// decimal text. A figure that has no more decimals than that (most: money
// read from DECIMAL(…,2) columns) is written from its coefficient without
// decimal arithmetic, keeping its trailing zeros.
func numberText(d decimal.Decimal, places int32) string {
	exp := d.Exponent()
	if exp > 0 || exp < -places || d.NumDigits() > 18 {
		return d.Round(places).String()
	}
	return scaledText(d.CoefficientInt64(), int(-exp))
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
	name = xlsxwriter.SheetName(name)
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
