package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// A json document holds its records in an array: the document itself, or
// the array at `records:`, a path of keys (and array positions) such as
// "data.items". Each record is an object; its fields become columns, those
// of nested objects under dotted names ("customer.inn"), arrays as JSON
// text. Numbers keep the digits they were written with. A record's line is
// the line of the file it starts on. A record that is not an object is
// quarantined; a document that is not valid JSON fails the file.
func init() { registerFormat("json", stageJSON) }

func stageJSON(ctx context.Context, f *file) (stageResult, []badRow, error) {
	in, err := os.Open(f.path)
	if err != nil {
		return stageResult{}, nil, err
	}
	defer in.Close()
	text, err := decodeText(in, f.src.Encoding)
	if err != nil {
		return stageResult{}, nil, err
	}
	data, err := io.ReadAll(text)
	if err != nil {
		return stageResult{}, nil, fmt.Errorf("read: %w", err)
	}
	recs, bad, err := jsonRecords(data, f.src.Records)
	if err != nil {
		return stageResult{}, nil, err
	}
	if len(recs) == 0 {
		return stageResult{}, bad, nil
	}
	var cols columnSet
	for _, r := range recs {
		cols.add(r.fields)
	}
	if len(f.src.Columns) == 0 {
		if err := checkCanonicalHeader(f.ent, cols.names); err != nil {
			return stageResult{}, nil, err
		}
	}
	st, err := stageRows(ctx, f, cols.names, func(sink rowSink) error {
		vals := make([]any, len(cols.names))
		for _, r := range recs {
			cols.values(r.fields, vals)
			if err := sink(r.line, vals); err != nil {
				return err
			}
		}
		return nil
	})
	return stageResult{staged: st}, bad, err
}

// jsonRecord is a record flattened to text values (nil for null).
type jsonRecord struct {
	line   int64
	fields []jsonField
}

type jsonField struct {
	name  string
	value any // string or nil
}

// jsonRecords finds the records array of a document and flattens its records.
func jsonRecords(data []byte, path string) ([]jsonRecord, []badRow, error) {
	lines := newLineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := seekJSON(dec, path); err != nil {
		return nil, nil, jsonError(err, lines)
	}
	var recs []jsonRecord
	var bad []badRow
	for dec.More() {
		start := skipJSONSpace(data, int(dec.InputOffset()))
		line := lines.at(start)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, jsonError(err, lines)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			raw := strings.TrimSpace(string(data[start:dec.InputOffset()]))
			bad = append(bad, badRow{line: line, reason: "the record is not a JSON object", raw: truncate(raw, 4096)})
			continue
		}
		recs = append(recs, jsonRecord{line: line, fields: flattenJSON("", obj, nil)})
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, jsonError(err, lines)
	}
	return recs, bad, nil
}

// seekJSON reads tokens up to the opening bracket of the records array.
func seekJSON(dec *json.Decoder, path string) error {
	var segs []string
	if path != "" {
		segs = strings.Split(path, ".")
	}
	for i := 0; ; i++ {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		at := "the document"
		if i > 0 {
			at = strconv.Quote(strings.Join(segs[:i], "."))
		}
		d, ok := tok.(json.Delim)
		if i == len(segs) {
			if !ok || d != '[' {
				if path == "" {
					return fmt.Errorf("the document is not an array of records: name the path to its records with `records:`")
				}
				return fmt.Errorf("records: %s is not an array", at)
			}
			return nil
		}
		seg := segs[i]
		switch {
		case ok && d == '{':
			if err := seekKey(dec, seg); err != nil {
				return fmt.Errorf("records: %s has no key %q", at, seg)
			}
		case ok && d == '[':
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 {
				return fmt.Errorf("records: %s is an array: %q is not a position in it", at, seg)
			}
			for k := 0; k < n; k++ {
				if !dec.More() {
					return fmt.Errorf("records: %s has no element %d", at, n)
				}
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return err
				}
			}
			if !dec.More() {
				return fmt.Errorf("records: %s has no element %d", at, n)
			}
		default:
			return fmt.Errorf("records: %s is not an object", at)
		}
	}
}

// seekKey reads an object's keys up to key, skipping the other values.
func seekKey(dec *json.Decoder, key string) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if k, _ := tok.(string); k == key {
			return nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return errors.New("not found")
}

func jsonError(err error, lines *lineCounter) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: not valid JSON: %v", lines.at(int(se.Offset)), se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the JSON ends too early")
	}
	return err
}

func skipJSONSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r', ',':
			i++
		default:
			return i
		}
	}
	return i
}

// flattenJSON turns an object into fields: nested objects under dotted
// names, arrays as JSON text, numbers as written; keys in sorted order.
func flattenJSON(prefix string, obj map[string]any, out []jsonField) []jsonField {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		switch v := obj[k].(type) {
		case map[string]any:
			out = flattenJSON(name, v, out)
		case nil:
			out = append(out, jsonField{name, nil})
		case string:
			out = append(out, jsonField{name, v})
		case json.Number:
			out = append(out, jsonField{name, v.String()})
		case bool:
			out = append(out, jsonField{name, strconv.FormatBool(v)})
		default:
			b, _ := json.Marshal(v)
			out = append(out, jsonField{name, string(b)})
		}
	}
	return out
}

// columnSet is the union of the records' field names, in the order they
// first appear.
type columnSet struct {
	names []string
	index map[string]int
}

func (c *columnSet) add(fields []jsonField) {
	if c.index == nil {
		c.index = map[string]int{}
	}
	for _, f := range fields {
		if _, ok := c.index[f.name]; !ok {
			c.index[f.name] = len(c.names)
			c.names = append(c.names, f.name)
		}
	}
}

// values fills vals (one per column) from a record's fields.
func (c *columnSet) values(fields []jsonField, vals []any) {
	clear(vals)
	for _, f := range fields {
		if i, ok := c.index[f.name]; ok {
			vals[i] = f.value
		}
	}
}

// lineCounter maps byte offsets to 1-based lines, for offsets that mostly
// increase.
type lineCounter struct {
	data []byte
	off  int
	line int64
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

func (l *lineCounter) at(off int) int64 {
	off = min(max(off, 0), len(l.data))
	if off < l.off {
		l.off, l.line = 0, 1
	}
	l.line += int64(bytes.Count(l.data[l.off:off], []byte{'\n'}))
	l.off = off
	return l.line
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
