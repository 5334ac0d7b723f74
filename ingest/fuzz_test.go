package ingest

import (
	"bytes"

	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/xuri/excelize/v2"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// Run a fuzz target for a while with, for example:
//
//	go test ./ingest/ -run '^$' -fuzz '^FuzzCSVReader$' -fuzztime 60s
//
// Without -fuzz each runs its seeds as a test.

type parsedRecord struct {
	line    int64
	fields  []string
	raw     string
	problem string
}

func readAllRecords(t testing.TB, r *csvReader) []parsedRecord {
	var out []parsedRecord
	for rec := r.next(); rec != nil; rec = r.next() {
		p := parsedRecord{line: rec.line, raw: string(rec.raw), problem: rec.problem}
		for _, f := range rec.fields {
			p.fields = append(p.fields, string(f))
		}
		out = append(out, p)
	}
	if r.err != nil && !errors.Is(r.err, errRecordTooLong) {
		t.Fatalf("read: %v", r.err)
	}
	return out
}

func csvFuzzDelim(sel byte) string {
	return []string{",", ";", "\t", "|", "+|"}[int(sel)%5]
}

// FuzzCSVReader reads the same bytes through a 1 MiB buffer, through a
// 16-byte one fed a byte at a time, and — for blocks of plain lines — with
// the line splitter the workers use; all must agree. Where encoding/csv
// reads the input without error, it must agree too, lines included.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n",
		"a,b\r\n1,\"x\r\ny\"\r\n\r\n3,4",
		"a;b\r1;2\r\r3;\"4\"\"5\"\r",
		"a,\"b\nc\",d\n\"open\n",
		"x\"y,\"z\"w,\"\"\n",
		"\n\n\r\n,,\n,\n",
		"a+|b+|c\n1+|2+|3+\n",
	} {
		f.Add([]byte(s), byte(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, sel byte) {
		delim := csvFuzzDelim(sel)
		big := readAllRecords(t, newCSVReader(bytes.NewReader(data), delim))
		small := readAllRecords(t, newCSVReaderSize(iotest.OneByteReader(bytes.NewReader(data)), delim, 16))
		if fmt.Sprint(big) != fmt.Sprint(small) {
			t.Fatalf("buffer sizes disagree:\n%v\n%v", big, small)
		}
		lines := int64(bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1)
		var prev int64
		for _, r := range big {
			if r.line <= prev || r.line > lines {
				t.Fatalf("record on line %d after line %d (input has at most %d lines)", r.line, prev, lines)
			}
			prev = r.line
		}
		if len(delim) == 1 && plainLines(data) {
			var plain []parsedRecord
			var rec csvRecord
			err := plainRecords(data, delim[0], 1, &rec, func(rec *csvRecord) error {
				p := parsedRecord{line: rec.line, raw: string(rec.raw)}
				for _, f := range rec.fields {
					p.fields = append(p.fields, string(f))
				}
				plain = append(plain, p)
				return nil
			})
			if err != nil || fmt.Sprint(plain) != fmt.Sprint(big) {
				t.Fatalf("the plain-line splitter disagrees:\n%v\n%v", plain, big)
			}
		}
		if len(delim) == 1 && !bytes.ContainsRune(data, '\r') && delim != "\"" {
			cr := csv.NewReader(bytes.NewReader(data))
			cr.Comma = rune(delim[0])
			cr.FieldsPerRecord = -1
			var want []parsedRecord
			for {
				rec, err := cr.Read()
				if err == io.EOF {
					break
				}
				if err != nil {
					return // not RFC 4180: no oracle
				}
				line, _ := cr.FieldPos(0)
				want = append(want, parsedRecord{line: int64(line), fields: rec})
			}
			if len(want) != len(big) {
				t.Fatalf("encoding/csv reads %d records, we read %d:\n%v\n%v", len(want), len(big), want, big)
			}
			for i := range want {
				if want[i].line != big[i].line || fmt.Sprint(want[i].fields) != fmt.Sprint(big[i].fields) || big[i].problem != "" {
					t.Fatalf("record %d: encoding/csv %v, we %v", i, want[i], big[i])
				}
			}
		}
	})
}

// fastFuzzEntity has one field of the type under test.
func fastFuzzEntity(typ wh.Type, enum []string, min, max string) *wh.Entity {
	return &wh.Entity{Name: "t", Key: []string{"v"}, Fields: []wh.Field{{Name: "v", Type: typ, Required: true, Enum: enum, Min: min, Max: max}}}
}

var fuzzSources = []Source{
	{Name: "plain"},
	{Name: "ru", Decimal: ",", Thousands: " ", DateFormat: "%d.%m.%Y"},
	{Name: "us", Thousands: ",", DateFormat: "%m/%d/%Y", Nulls: []string{"NULL"}},
	{Name: "ymd", Decimal: ",", Thousands: ".", DateFormat: "%Y.%m.%d"},
}

// FuzzFastTyping holds Go's typing of delimited text to SQL's: whenever
// fastTyper accepts a value, typedSelect must accept it too and reach the
// same value. (Values Go is unsure of go to SQL, so they need no check.)
func FuzzFastTyping(f *testing.F) {
	for _, s := range []string{"12", "-0", "+7", "007", "1.5", "1 234,50", "1\u00a0234,5", "5.12345", "5.123400", "1e3", "1_000",
		"0x10", ".5", "1.", "99999999999999.9999", "100000000000000", "2026-01-31", "2026-02-29", "2024-02-29", "2026-01-31 10:00:00",
		"2026-01-31T10:00:00.123", "31.01.2026", "01/31/2026", "2026.01.31", "infinity", "epoch", "Да", "нет", "TRUE", "y", " x ",
		"\u3000a\u00a0", "NULL", "visit", "VISIT", "Визит", "2026-1-31", "１２", "100", "100.0001", "-0.5", "-0.50001", "0"} {
		for i := range fuzzSources {
			f.Add(s, byte(i))
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	types := []struct {
		typ      wh.Type
		enum     []string
		min, max string
	}{{wh.Text, nil, "", ""}, {wh.Text, []string{"visit", "call"}, "", ""}, {wh.Int, nil, "", ""}, {wh.Decimal, nil, "", ""},
		{wh.Decimal, nil, "0", "100"}, {wh.Decimal, nil, "-0.5", ""}, {wh.Date, nil, "", ""}, {wh.Bool, nil, "", ""}}
	f.Fuzz(func(t *testing.T, value string, sel byte) {
		// The reader quarantines rows that are not UTF-8 or hold NULs.
		if !strings.Contains(value, "\x00") && utf8Valid([]byte(value)) && len(value) < 200 {
			src := fuzzSources[int(sel)%len(fuzzSources)]
			for _, ty := range types {
				ent := fastFuzzEntity(ty.typ, ty.enum, ty.min, ty.max)
				ft, ok, err := newFastTyper(&src, ent, []string{"v"})
				if err != nil || !ok {
					t.Fatalf("newFastTyper: %v %v", ok, err)
				}
				vals, ok := ft.rowValues([][]byte{[]byte(value)}, 1)
				if !ok {
					continue
				}
				goVal := fastValueText(ty.typ, vals[0])
				q, err := typedSelect(&src, ent, staged{relation: "(SELECT 1::BIGINT AS _rank, 1::BIGINT AS _line, ?::VARCHAR AS v)", columns: []string{"v"}})
				if err != nil {
					t.Fatal(err)
				}
				var reason, sqlVal sql.NullString
				if err := db.QueryRow("SELECT _reason, v::VARCHAR FROM ("+q+")", value).Scan(&reason, &sqlVal); err != nil {
					t.Fatalf("%q: %v", value, err)
				}
				if reason.Valid || !sqlVal.Valid || sqlVal.String != goVal {
					t.Fatalf("%s %q (source %s): Go reads %q, SQL reads %q (reason %q)", ty.typ, value, src.Name, goVal, sqlVal.String, reason.String)
				}
			}
		}
	})
}

// fastValueText renders a Go-typed value the way DuckDB casts it to text.
func fastValueText(typ wh.Type, v pqValue) string {
	switch typ {
	case wh.Decimal:
		sign := ""
		n := v.i
		if n < 0 {
			sign, n = "-", -n
		}
		return fmt.Sprintf("%s%d.%04d", sign, n/10000, n%10000)
	case wh.Int:
		return fmt.Sprint(v.i)
	case wh.Date:
		return time.Unix(v.i*86400, 0).UTC().Format("2006-01-02")
	case wh.Bool:
		return fmt.Sprint(v.i == 1)
	}
	return string(v.b)
}

// FuzzParquetWriter writes random rows and reads them back with DuckDB.
func FuzzParquetWriter(f *testing.F) {
	f.Add([]byte("abc"), int64(0), int64(0), uint8(0), uint16(3))
	f.Add([]byte("Альфа, \"ООО\""), int64(-1<<62), int64(2932896), uint8(255), uint16(300))
	db, err := sql.Open("duckdb", "")
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	f.Fuzz(func(t *testing.T, s []byte, i, d int64, nulls uint8, n uint16) {
		if !utf8Valid(s) {
			return
		}
		d %= 2932897 // DuckDB's dates end in 9999
		rows := make([][]pqValue, int(n%600))
		var want []string
		for k := range rows {
			r := []pqValue{{b: s}, {i: i + int64(k)}, {i: d}, {i: i % 1e18}, {i: int64(k % 2)}}
			for c := range r {
				if nulls>>(uint(c+k)%8)&1 == 1 {
					r[c] = pqValue{null: true}
				}
			}
			rows[k] = r
			want = append(want, fmt.Sprintf("%s|%s|%s|%s|%s", cell(r[0], func(v pqValue) string { return string(v.b) }),
				cell(r[1], func(v pqValue) string { return fmt.Sprint(v.i) }),
				cell(r[2], func(v pqValue) string { return fastValueText(wh.Date, v) }),
				cell(r[3], func(v pqValue) string { return fastValueText(wh.Decimal, v) }),
				cell(r[4], func(v pqValue) string { return fmt.Sprint(v.i == 1) })))
		}
		got := parquetRoundTrip(t, db, rows)
		for k := range got {
			got[k] = strings.TrimSuffix(got[k], "|DECIMAL(18,4)|DATE")
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("read back\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

func cell(v pqValue, s func(pqValue) string) string {
	if v.null {
		return "∅"
	}
	return s(v)
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "") == string(b) }

// FuzzJSONRecords: no document panics, and records start on lines of the file, in order.
func FuzzJSONRecords(f *testing.F) {
	f.Add([]byte(`[{"a": 1}, {"b": {"c": [1, 2]}}]`), "")
	f.Add([]byte("{\"data\": {\"items\": [\n{\"a\": \"x\"},\n2\n]}}"), "data.items")
	f.Add([]byte(`{"pages": [[], [{"a": null}]]}`), "pages.1")
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		recs, bad, err := jsonRecords(data, path)
		if err != nil {
			return
		}
		lines := int64(bytes.Count(data, []byte{'\n'}) + 1)
		var prev int64
		for _, r := range recs {
			if r.line < prev || r.line < 1 || r.line > lines {
				t.Fatalf("record on line %d after %d (of %d)", r.line, prev, lines)
			}
			prev = r.line
		}
		for _, b := range bad {
			if b.line < 1 || b.line > lines {
				t.Fatalf("bad record on line %d of %d", b.line, lines)
			}
		}
	})
}

func FuzzNDJSONLine(f *testing.F) {
	f.Add([]byte(`{"a": {"b": 1.50}, "c": [true, null]}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, problem := jsonLine(data, nil)
		if problem != "" && fields != nil {
			t.Fatalf("fields and a problem: %q", problem)
		}
	})
}

// FuzzXLSX opens mutated workbooks: a malformed file is an error, never a
// panic, and what is read has sensible lines.
func FuzzXLSX(f *testing.F) {
	dir := f.TempDir()
	x := excelize.NewFile()
	x.SetSheetRow("Sheet1", "A1", &[]any{"sku", "name", "category"})
	x.SetSheetRow("Sheet1", "A2", &[]any{"S1", "Шуруп", 1.5})
	x.SetSheetRow("Sheet1", "A4", &[]any{"S2", time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), true})
	seed := filepath.Join(dir, "seed.xlsx")
	if err := x.SaveAs(seed); err != nil {
		f.Fatal(err)
	}
	x.Close()
	b, _ := os.ReadFile(seed)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, rows, err := readWorkbook(p, &Source{})
		if err != nil {
			return
		}
		var prev int64
		for _, r := range rows {
			if r.line <= prev {
				t.Fatalf("row %d after row %d", r.line, prev)
			}
			prev = r.line
		}
	})
}
