package reports

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// ExportFormats are the formats WriteQuery writes.
var ExportFormats = []string{"csv", "json", "table", "xlsx"}

// WriteQuery runs a query and writes its rows with a header in the format:
// csv (text cells that a spreadsheet would run as a formula are prefixed
// with '), json (an array of objects, numbers exact), table (aligned text)
// or xlsx (one sheet called name: numbers as numbers written from their
// exact decimal text, dates as dates, text as text guarded like csv's).
func WriteQuery(ctx context.Context, db *sql.DB, name, query, format string, w io.Writer) (int, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return 0, err
	}
	cols := make([]string, len(types))
	numeric := make([]bool, len(types))
	dates := make([]bool, len(types))
	scales := make([]int64, len(types))
	for i, t := range types {
		cols[i] = t.Name()
		numeric[i] = isNumeric(t.DatabaseTypeName())
		dates[i] = t.DatabaseTypeName() == "DATE"
		scales[i] = decimalScale(t.DatabaseTypeName())
	}
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	var out rowWriter
	switch format {
	case "", "csv":
		out = newCSVWriter(bw, cols, numeric)
	case "json":
		out = &jsonWriter{w: bw, cols: cols, numeric: numeric}
	case "table":
		out = &tableWriter{w: bw, cols: cols}
	case "xlsx":
		if out, err = newXLSXWriter(bw, name, cols, numeric, dates, scales); err != nil {
			return 0, err
		}
	default:
		return 0, fmt.Errorf("format %q: want one of %s", format, strings.Join(ExportFormats, ", "))
	}
	n := 0
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		cells := make([]*string, len(cols))
		for i, v := range vals {
			if v != nil {
				s := wh.FormatValue(v)
				cells[i] = &s
			}
		}
		if err := out.row(cells); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := out.close(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// decimalScale is the scale of a DECIMAL(p,s) type name, 0 for any other
// (the driver does not report it through ColumnType.DecimalSize).
func decimalScale(t string) int64 {
	rest, ok := strings.CutPrefix(strings.ToUpper(t), "DECIMAL(")
	if !ok {
		return 0
	}
	_, scale, _ := strings.Cut(strings.TrimSuffix(rest, ")"), ",")
	n, _ := strconv.ParseInt(strings.TrimSpace(scale), 10, 64)
	return n
}

func isNumeric(t string) bool {
	t = strings.ToUpper(t)
	for _, p := range []string{"DECIMAL", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "UBIGINT", "UINTEGER"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

type rowWriter interface {
	row(cells []*string) error
	close() error
}

// GuardCell keeps a text cell from being run as a formula by a spreadsheet.
func GuardCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

type csvWriter struct {
	w       *csv.Writer
	numeric []bool
}

func newCSVWriter(w io.Writer, cols []string, numeric []bool) *csvWriter {
	c := &csvWriter{w: csv.NewWriter(w), numeric: numeric}
	_ = c.w.Write(cols)
	return c
}

func (c *csvWriter) row(cells []*string) error {
	rec := make([]string, len(cells))
	for i, p := range cells {
		if p == nil {
			continue
		}
		rec[i] = *p
		if !c.numeric[i] {
			rec[i] = GuardCell(*p)
		}
	}
	return c.w.Write(rec)
}

func (c *csvWriter) close() error { c.w.Flush(); return c.w.Error() }

type jsonWriter struct {
	w       *bufio.Writer
	cols    []string
	numeric []bool
	n       int
}

func (j *jsonWriter) row(cells []*string) error {
	if j.n == 0 {
		j.w.WriteString("[\n")
	} else {
		j.w.WriteString(",\n")
	}
	j.n++
	j.w.WriteString("  {")
	for i, p := range cells {
		if i > 0 {
			j.w.WriteString(", ")
		}
		k, _ := json.Marshal(j.cols[i])
		j.w.Write(k)
		j.w.WriteString(": ")
		switch {
		case p == nil:
			j.w.WriteString("null")
		case j.numeric[i]:
			j.w.WriteString(*p)
		default:
			v, _ := json.Marshal(*p)
			j.w.Write(v)
		}
	}
	j.w.WriteString("}")
	return nil
}

func (j *jsonWriter) close() error {
	if j.n == 0 {
		j.w.WriteString("[")
	}
	j.w.WriteString("\n]\n")
	return nil
}

// tableWriter aligns columns for a terminal; it holds the rows it prints.
type tableWriter struct {
	w    *bufio.Writer
	cols []string
	rows [][]string
}

func (t *tableWriter) row(cells []*string) error {
	r := make([]string, len(cells))
	for i, p := range cells {
		if p == nil {
			r[i] = "NULL"
		} else {
			r[i] = strings.NewReplacer("\n", "⏎", "\t", " ").Replace(*p)
		}
	}
	t.rows = append(t.rows, r)
	return nil
}

func (t *tableWriter) close() error {
	width := make([]int, len(t.cols))
	for i, c := range t.cols {
		width[i] = utf8.RuneCountInString(c)
	}
	for _, r := range t.rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				t.w.WriteString("  ")
			}
			t.w.WriteString(c)
			if i < len(cells)-1 {
				t.w.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
			}
		}
		t.w.WriteString("\n")
	}
	line(t.cols)
	sep := make([]string, len(t.cols))
	for i := range sep {
		sep[i] = strings.Repeat("-", width[i])
	}
	line(sep)
	for _, r := range t.rows {
		line(r)
	}
	fmt.Fprintf(t.w, "(%d rows)\n", len(t.rows))
	return nil
}
