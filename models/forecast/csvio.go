package forecast

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// FillMode says what ReadCSV does with a month missing inside a series.
type FillMode int

const (
	FillNone FillMode = iota // a missing month is an error for that series
	FillZero                 // a missing month is a zero (no sales recorded)
)

// ParseFillMode reads the CLI's --fill value: "none" (or "") or "zero".
func ParseFillMode(s string) (FillMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return FillNone, nil
	case "zero":
		return FillZero, nil
	}
	return FillNone, fmt.Errorf("fill %q: want none or zero", s)
}

func (f FillMode) String() string {
	if f == FillZero {
		return "zero"
	}
	return "none"
}

type obs struct {
	m    Month
	v    float64
	line int
}

// ReadCSV reads long-format monthly data with the header series,period,value
// (any column order, extra columns ignored, rows in any order, period
// YYYY-MM). Series come back in order of first appearance, each sorted by
// month. A row or series that is wrong becomes a SeriesError and only its
// series is dropped: a value that is not a number (with its line), a bad
// period, a period given twice, or a month missing inside the series unless
// fill is FillZero. err is for problems with the whole file (no header, a
// missing column, unreadable CSV).
func ReadCSV(r io.Reader, fill FillMode) (series []Series, problems []SeriesError, err error) {
	cr := csv.NewReader(newLineReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errors.New("empty input: want header series,period,value")
	}
	if err != nil {
		return nil, nil, err
	}
	col := map[string]int{"series": -1, "period": -1, "value": -1}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if c, ok := col[h]; ok && c < 0 {
			col[h] = i
		}
	}
	for _, name := range []string{"series", "period", "value"} {
		if col[name] < 0 {
			return nil, nil, fmt.Errorf("header %q has no %s column: want series,period,value", strings.Join(head, ","), name)
		}
	}
	need := max(col["series"], col["period"], col["value"]) + 1

	var order []string
	rows := map[string][]obs{}
	bad := map[string]bool{}
	report := func(name string, line int, e error) {
		problems = append(problems, SeriesError{Series: name, Line: line, Err: e})
		bad[name] = true
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, err // broken quoting: the rest of the file cannot be trusted
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		name := ""
		if col["series"] < len(rec) {
			name = strings.TrimSpace(rec[col["series"]])
		}
		if _, seen := rows[name]; !seen && !bad[name] {
			order = append(order, name)
			rows[name] = nil
		}
		if name == "" {
			report(name, line, errors.New("series name is empty"))
			continue
		}
		if len(rec) < need {
			report(name, line, fmt.Errorf("%d fields, want at least %d", len(rec), need))
			continue
		}
		m, err := ParseMonth(strings.TrimSpace(rec[col["period"]]))
		if err != nil {
			report(name, line, err)
			continue
		}
		raw := strings.TrimSpace(rec[col["value"]])
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			report(name, line, fmt.Errorf("value %q is not a number", raw))
			continue
		}
		rows[name] = append(rows[name], obs{m, v, line})
	}

	for _, name := range order {
		if name == "" || bad[name] {
			continue
		}
		o := rows[name]
		sort.SliceStable(o, func(i, j int) bool { return o[i].m.Sub(o[j].m) < 0 })
		ok := true
		for i := 1; i < len(o); i++ {
			if o[i].m == o[i-1].m {
				problems = append(problems, SeriesError{Series: name, Line: o[i].line,
					Err: fmt.Errorf("period %s appears twice (also on line %d)", o[i].m, o[i-1].line)})
				ok = false
			}
		}
		if !ok {
			continue
		}
		s := Series{Name: name, Start: o[0].m, Values: make([]float64, o[len(o)-1].m.Sub(o[0].m)+1)}
		var missing []Month
		k := 0
		for i := range s.Values {
			if m := s.Start.Add(i); o[k].m == m {
				s.Values[i] = o[k].v
				k++
			} else {
				missing = append(missing, m)
			}
		}
		if len(missing) > 0 && fill != FillZero {
			msg := fmt.Sprintf("month %s is missing", missing[0])
			if len(missing) > 1 {
				msg = fmt.Sprintf("month %s is missing (and %d more months between %s and %s)", missing[0], len(missing)-1, s.Start, s.Start.Add(len(s.Values)-1))
			}
			problems = append(problems, SeriesError{Series: name, Err: errors.New(msg + "; fill with zero to accept gaps")})
			continue
		}
		series = append(series, s)
	}
	return series, problems, nil
}

// lineReader turns lone CR line ends (classic Mac exports) into LF, which
// encoding/csv does not recognise; CRLF is left to encoding/csv.
type lineReader struct{ r *bufio.Reader }

func newLineReader(r io.Reader) io.Reader { return &lineReader{bufio.NewReader(r)} }

func (l *lineReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b == '\r' {
			if next, err := l.r.Peek(1); err != nil || next[0] != '\n' {
				b = '\n'
			}
		}
		p[n] = b
		n++
	}
	return n, nil
}

// WriteCSV writes one row per series and future month with the header
// series,period,forecast,lo80,hi80,lo95,hi95,model.
func WriteCSV(w io.Writer, results []Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"series", "period", "forecast", "lo80", "hi80", "lo95", "hi95", "model"}); err != nil {
		return err
	}
	for _, r := range results {
		for _, p := range r.Points {
			if err := cw.Write([]string{r.Series, p.Period.String(), num(p.Forecast), num(p.Lo80), num(p.Hi80),
				num(p.Lo95), num(p.Hi95), r.Model}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// num keeps four decimals: forecasts are not more precise than that and
// shorter numbers read better in spreadsheets.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

// WriteJSON writes the results as an indented JSON array.
func WriteJSON(w io.Writer, results []Result) error {
	if results == nil {
		results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}
