package ingest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// fastTyper types rows of delimited text in Go, but only where it is sure
// to reach exactly the value typedSelect would: plain numbers, ISO dates
// and dates in a few common layouts, booleans, text. A row with any value
// it is not sure of — or a bad value, which needs a reason — goes to
// typedSelect whole, so SQL stays the one definition of how values are
// typed and why rows are rejected; FuzzFastTyping holds the two to it.
//
// Typed rows are written to a Parquet file (see pqWriter): the fields in
// contract order, then the line.
type fastTyper struct {
	fields    []fastField
	nulls     [][]byte
	thousands [][]byte
	comma     bool // decimal comma
	dates     dateLayout

	// sorted stays true while every typed row's key is greater than the
	// previous one's, which proves the keys unique.
	sorted    bool
	prev, key []byte
	rows      int64
	scratch   []byte

	// products are the field indexes of Entity.Products; num and isNum hold
	// the row's decimal values (ten-thousandths) to check them.
	products [][2]int
	num      []int64
	isNum    []bool
}

type fastField struct {
	name     string
	typ      wh.Type
	required bool
	col      int // source column, -1 when the file does not have it
	key      bool
	product  bool // multiplied by another field (Entity.Products)
	enum     map[string]bool
	pattern  *regexp.Regexp
	low      []byte // the lower-cased enum value
	// min and max bound a decimal in ten-thousandths (Field.Min, Max)
	min, max       int64
	hasMin, hasMax bool
	// last is the last date read, lastDays its value.
	last     []byte
	lastDays int64
	lastOK   bool
}

// dateLayout is a date_format of day, month and four-digit year with one
// separator between them, which Go can read as DuckDB's strptime does.
type dateLayout struct {
	ok     bool
	order  [3]byte // 'd', 'm', 'Y' in the order they appear
	sep    [2]byte
	custom bool // a date_format is set (ok or not)
}

func parseDateLayout(format string) dateLayout {
	l := dateLayout{custom: format != ""}
	if format == "" {
		return l
	}
	if len(format) != 8 || format[0] != '%' || format[3] != '%' || format[6] != '%' {
		return l
	}
	seen := map[byte]bool{}
	for i, p := range []int{1, 4, 7} {
		c := format[p]
		if (c != 'd' && c != 'm' && c != 'Y') || seen[c] {
			return l
		}
		seen[c] = true
		l.order[i] = c
	}
	l.sep = [2]byte{format[2], format[5]}
	for _, s := range l.sep {
		if s == '%' || (s >= '0' && s <= '9') || s >= utf8.RuneSelf || s == ' ' {
			return l
		}
	}
	l.ok = true
	return l
}

// newFastTyper prepares the Go typing of a source's rows, or reports that
// it cannot be used: expressions in `columns:` and filters need SQL.
func newFastTyper(src *Source, ent *wh.Entity, cols []string) (*fastTyper, bool, error) {
	if src.Filter != "" {
		return nil, false, nil
	}
	t := &fastTyper{sorted: true, comma: src.Decimal == ",", dates: parseDateLayout(src.DateFormat)}
	for _, m := range src.Nulls {
		t.nulls = append(t.nulls, []byte(strings.TrimSpace(m)))
	}
	if src.Thousands != "" {
		for _, s := range []string{src.Thousands, " ", "\u00a0", "\u202f"} {
			if !containsBytes(t.thousands, s) {
				t.thousands = append(t.thousands, []byte(s))
			}
		}
	}
	var plainNumbers fastTyper // bounds are written without separators
	for _, f := range ent.Fields {
		col, expr, err := fieldColumn(src, ent, f, cols)
		if err != nil {
			return nil, false, err
		}
		if expr != "" {
			return nil, false, nil
		}
		ff := fastField{name: f.Name, typ: f.Type, required: f.Required, col: -1}
		if col != "" {
			for i, c := range cols {
				if c == col {
					ff.col = i
				}
			}
		}
		if len(f.Enum) > 0 {
			ff.enum = map[string]bool{}
			for _, v := range f.Enum {
				ff.enum[v] = true
			}
		}
		if f.Pattern != "" {
			re, err := regexp.Compile(`^(?:` + f.Pattern + `)$`)
			if err != nil {
				return nil, false, nil
			}
			ff.pattern = re
		}
		if f.Min != "" {
			if ff.min, ff.hasMin = plainNumbers.decimal([]byte(f.Min)); !ff.hasMin {
				return nil, false, fmt.Errorf("%s.%s: minimum %q is not a number", ent.Name, f.Name, f.Min)
			}
		}
		if f.Max != "" {
			if ff.max, ff.hasMax = plainNumbers.decimal([]byte(f.Max)); !ff.hasMax {
				return nil, false, fmt.Errorf("%s.%s: maximum %q is not a number", ent.Name, f.Name, f.Max)
			}
		}
		t.fields = append(t.fields, ff)
	}
	for _, k := range ent.Key {
		for i, f := range ent.Fields {
			if f.Name == k {
				t.fields[i].key = true
			}
		}
	}
	index := func(name string) int {
		for i, f := range ent.Fields {
			if f.Name == name {
				return i
			}
		}
		return -1
	}
	for _, pr := range ent.Products {
		a, b := index(pr[0]), index(pr[1])
		if a < 0 || b < 0 || t.fields[a].typ != wh.Decimal || t.fields[b].typ != wh.Decimal {
			return nil, false, fmt.Errorf("%s: product %s × %s names a field that is not a decimal", ent.Name, pr[0], pr[1])
		}
		t.fields[a].product, t.fields[b].product = true, true
		t.products = append(t.products, [2]int{a, b})
	}
	t.num, t.isNum = make([]int64, len(t.fields)), make([]bool, len(t.fields))
	return t, true, nil
}

func absInt64(n int64) uint64 {
	if n < 0 {
		return uint64(-n)
	}
	return uint64(n)
}

func containsBytes(list [][]byte, s string) bool {
	for _, b := range list {
		if string(b) == s {
			return true
		}
	}
	return false
}

// cellSink receives a typed row a cell at a time (see pqWriter).
type cellSink interface {
	setNull(col int)
	setInt(col int, v int64)
	setBytes(col int, b []byte)
}

// row types one row into out: the entity's fields, then the line. It
// reports false, having written part of the row, when the row must be
// typed in SQL instead.
func (t *fastTyper) row(fields [][]byte, line int64, out cellSink) bool {
	t.key = t.key[:0]
	for i := range t.fields {
		ff := &t.fields[i]
		var v []byte
		if ff.col >= 0 && ff.col < len(fields) {
			v = trimSpaces(fields[ff.col])
			for _, m := range t.nulls {
				if bytes.Equal(v, m) {
					v = nil
					break
				}
			}
		}
		if len(v) == 0 {
			if ff.required {
				return false
			}
			out.setNull(i)
			if ff.product {
				t.isNum[i] = false
			}
			continue
		}
		var n int64
		ok := true
		switch ff.typ {
		case wh.Decimal:
			n, ok = t.decimal(v)
			if ok && (ff.hasMin && n < ff.min || ff.hasMax && n > ff.max) {
				return false // out of range: SQL says why
			}
		case wh.Int:
			n, ok = plainInt(v)
		case wh.Date:
			// Rows often share their dates: remember the last one.
			if ff.lastOK && bytes.Equal(v, ff.last) {
				n = ff.lastDays
			} else if n, ok = t.date(v); ok {
				ff.last, ff.lastDays, ff.lastOK = append(ff.last[:0], v...), n, true
			}
		case wh.Bool:
			var b bool
			if b, ok = plainBool(v); b {
				n = 1
			}
		default:
			if ff.enum != nil {
				ff.low, ok = lowerASCII(v, ff.low[:0])
				if !ok || !ff.enum[string(ff.low)] {
					return false
				}
				v = ff.low
			}
			if ff.pattern != nil && !ff.pattern.Match(v) {
				return false
			}
			out.setBytes(i, v)
			if ff.key {
				t.key = append(t.key, v...)
				t.key = append(t.key, 0)
			}
			continue
		}
		if !ok {
			return false
		}
		out.setInt(i, n)
		if ff.product {
			t.num[i], t.isNum[i] = n, true
		}
		if ff.key {
			t.key = binary.BigEndian.AppendUint64(t.key, uint64(n)^(1<<63))
		}
	}
	for _, pr := range t.products {
		// values in ten-thousandths: the product is in 10^-8, the limit 10^18 of them
		if a, b := pr[0], pr[1]; t.isNum[a] && t.isNum[b] {
			hi, lo := bits.Mul64(absInt64(t.num[a]), absInt64(t.num[b]))
			if hi > 0 || lo >= wh.MaxProduct*100_000_000 {
				return false // SQL says why
			}
		}
	}
	out.setInt(len(t.fields), line)
	if t.sorted && t.rows > 0 && bytes.Compare(t.key, t.prev) <= 0 {
		t.sorted = false
	}
	t.prev = append(t.prev[:0], t.key...)
	t.rows++
	return true
}

// rowValues types one row into values, for tests.
func (t *fastTyper) rowValues(fields [][]byte, line int64) ([]pqValue, bool) {
	r := &valueRecorder{vals: make([]pqValue, len(t.fields)+1)}
	ok := t.row(fields, line, r)
	return r.vals, ok
}

type valueRecorder struct{ vals []pqValue }

func (r *valueRecorder) setNull(col int)         { r.vals[col] = pqValue{null: true} }
func (r *valueRecorder) setInt(col int, v int64) { r.vals[col] = pqValue{i: v} }
func (r *valueRecorder) setBytes(col int, b []byte) {
	r.vals[col] = pqValue{b: append([]byte(nil), b...)}
}

// pqKinds are the Parquet column kinds of the typed rows: the fields, then
// the line.
func (t *fastTyper) pqKinds() (names []string, kinds []pqKind) {
	for _, ff := range t.fields {
		names = append(names, ff.name)
		k := pqString
		switch ff.typ {
		case wh.Decimal:
			k = pqDecimal
		case wh.Int:
			k = pqInt64
		case wh.Date:
			k = pqDate
		case wh.Bool:
			k = pqBool
		}
		kinds = append(kinds, k)
	}
	return append(names, "_line"), append(kinds, pqInt64)
}

// trimSpaces removes leading and trailing Unicode space separators, as
// DuckDB's trim() does (not tabs or line ends).
func trimSpaces(b []byte) []byte {
	for len(b) > 0 {
		if c := b[0]; c < utf8.RuneSelf {
			if c != ' ' {
				break
			}
			b = b[1:]
			continue
		}
		r, n := utf8.DecodeRune(b)
		if !unicode.Is(unicode.Zs, r) {
			break
		}
		b = b[n:]
	}
	for len(b) > 0 {
		if c := b[len(b)-1]; c < utf8.RuneSelf {
			if c != ' ' {
				break
			}
			b = b[:len(b)-1]
			continue
		}
		r, n := utf8.DecodeLastRune(b)
		if !unicode.Is(unicode.Zs, r) {
			break
		}
		b = b[:len(b)-n]
	}
	return b
}

// decimal cleans thousands separators and a decimal comma, then accepts
// a plain number with at most 4 decimal places (trailing zeros aside) and
// at most 14 integer digits; it returns the value times 10^4.
func (t *fastTyper) decimal(v []byte) (int64, bool) {
	n := v
	if len(t.thousands) > 0 || t.comma {
		n = append(t.scratch[:0], v...)
		for _, s := range t.thousands {
			if bytes.Contains(n, s) {
				n = bytes.ReplaceAll(n, s, nil)
			}
		}
		if t.comma {
			for i, c := range n {
				if c == ',' {
					n[i] = '.'
				}
			}
		}
		t.scratch = n
	}
	i := 0
	neg := false
	if i < len(n) && (n[i] == '+' || n[i] == '-') {
		neg = n[i] == '-'
		i++
	}
	var whole, frac int64
	intDigits, fracDigits := 0, 0
	for ; i < len(n) && n[i] >= '0' && n[i] <= '9'; i++ {
		whole = whole*10 + int64(n[i]-'0')
		intDigits++
	}
	if i < len(n) && n[i] == '.' {
		i++
		places := 0
		for ; i < len(n) && n[i] >= '0' && n[i] <= '9'; i++ {
			fracDigits++
			if n[i] != '0' {
				// Only digits up to the last non-zero one count as places.
				for places < fracDigits-1 {
					frac *= 10
					places++
				}
				frac = frac*10 + int64(n[i]-'0')
				places++
			}
		}
		if places > 4 {
			return 0, false
		}
		for ; places < 4; places++ {
			frac *= 10
		}
	}
	if i != len(n) || intDigits+fracDigits == 0 || intDigits > 14 || fracDigits > 10 {
		return 0, false
	}
	v2 := whole*10000 + frac
	if neg {
		v2 = -v2
	}
	return v2, true
}

// plainInt accepts an optional sign and 1 to 18 digits.
func plainInt(v []byte) (int64, bool) {
	d := v
	if len(d) > 0 && (d[0] == '+' || d[0] == '-') {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if v[0] == '-' {
		n = -n
	}
	return n, true
}

func plainBool(v []byte) (bool, bool) {
	switch strings.ToLower(string(v)) {
	case "true", "1", "да", "yes", "t", "y":
		return true, true
	case "false", "0", "нет", "no", "f", "n":
		return false, true
	}
	return false, false
}

func lowerASCII(v, buf []byte) ([]byte, bool) {
	for _, c := range v {
		if c >= utf8.RuneSelf {
			return buf, false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf, true
}

// date reads a date in the source's date_format (when Go knows the layout)
// or in ISO form (YYYY-MM-DD, optionally with a time of day); it returns
// days since 1970-01-01.
func (t *fastTyper) date(v []byte) (int64, bool) {
	if t.dates.custom {
		if !t.dates.ok {
			return 0, false
		}
		if y, m, d, ok := t.dates.parse(v); ok {
			if !validDate(y, m, d) {
				return 0, false
			}
			return daysFromCivil(y, m, d), true
		}
	}
	y, m, d, ok := parseISO(v)
	if !ok || !validDate(y, m, d) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// daysFromCivil counts days from 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097 + doe - 719468)
}

// parse reads exactly the layout: two-digit day and month, four-digit year.
func (l dateLayout) parse(v []byte) (y, m, d int, ok bool) {
	i := 0
	for k, part := range l.order {
		w := 2
		if part == 'Y' {
			w = 4
		}
		if i+w > len(v) {
			return 0, 0, 0, false
		}
		n, ok := digits(v[i : i+w])
		if !ok {
			return 0, 0, 0, false
		}
		switch part {
		case 'Y':
			y = n
		case 'm':
			m = n
		case 'd':
			d = n
		}
		i += w
		if k < 2 {
			if i >= len(v) || v[i] != l.sep[k] {
				return 0, 0, 0, false
			}
			i++
		}
	}
	return y, m, d, i == len(v)
}

// parseISO reads YYYY-MM-DD, optionally followed by T or a space and
// HH:MM:SS with up to nine fraction digits.
func parseISO(v []byte) (y, m, d int, ok bool) {
	if len(v) < 10 || v[4] != '-' || v[7] != '-' {
		return 0, 0, 0, false
	}
	y, ok1 := digits(v[0:4])
	m, ok2 := digits(v[5:7])
	d, ok3 := digits(v[8:10])
	if !ok1 || !ok2 || !ok3 {
		return 0, 0, 0, false
	}
	rest := v[10:]
	if len(rest) == 0 {
		return y, m, d, true
	}
	if len(rest) < 9 || (rest[0] != 'T' && rest[0] != ' ') || rest[3] != ':' || rest[6] != ':' {
		return 0, 0, 0, false
	}
	hh, ok1 := digits(rest[1:3])
	mm, ok2 := digits(rest[4:6])
	ss, ok3 := digits(rest[7:9])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return 0, 0, 0, false
	}
	rest = rest[9:]
	if len(rest) > 0 {
		if rest[0] != '.' || len(rest) < 2 || len(rest) > 10 {
			return 0, 0, 0, false
		}
		if _, ok := digits(rest[1:]); !ok {
			return 0, 0, 0, false
		}
	}
	return y, m, d, true
}

func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(b) > 0
}

func validDate(y, m, d int) bool {
	if y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		days = 29
	}
	return d <= days
}
