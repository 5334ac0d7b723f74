package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// ndjson has one JSON object per line; blank lines are skipped, and a line
// that is not an object is quarantined with its line number. Fields become
// columns as in json (see format_json.go). The file is read twice, once for
// the column names and once for the rows, so that it never has to fit in
// memory.
func init() { registerFormat("ndjson", stageNDJSON) }

func stageNDJSON(ctx context.Context, f *file) (stageResult, []badRow, error) {
	var cols columnSet
	var bad []badRow
	err := eachJSONLine(f, func(line int64, raw []byte, fields []jsonField, problem string) error {
		if problem != "" {
			bad = append(bad, badRow{line: line, reason: problem, raw: truncate(string(raw), 4096)})
			return nil
		}
		cols.add(fields)
		return nil
	})
	if err != nil || len(cols.names) == 0 {
		return stageResult{}, bad, err
	}
	if len(f.src.Columns) == 0 {
		if err := checkCanonicalHeader(f.ent, cols.names); err != nil {
			return stageResult{}, nil, err
		}
	}
	st, err := stageRows(ctx, f, cols.names, func(sink rowSink) error {
		vals := make([]any, len(cols.names))
		return eachJSONLine(f, func(line int64, _ []byte, fields []jsonField, problem string) error {
			if problem != "" {
				return nil
			}
			cols.values(fields, vals)
			return sink(line, vals)
		})
	})
	return stageResult{staged: st}, bad, err
}

// eachJSONLine calls fn for every non-blank line with its fields, or with
// the reason it is not a JSON object.
func eachJSONLine(f *file, fn func(line int64, raw []byte, fields []jsonField, problem string) error) error {
	in, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer in.Close()
	text, err := decodeText(in, f.src.Encoding)
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(text, 1<<20)
	var line int64
	var fields []jsonField
	for {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: gather it whole.
			long := append([]byte(nil), b...)
			for err == bufio.ErrBufferFull {
				if len(long) > maxRecord {
					return fmt.Errorf("line %d: longer than 16 MiB", line+1)
				}
				b, err = br.ReadSlice('\n')
				long = append(long, b...)
			}
			b = long
		}
		if len(b) > 0 {
			line++
			raw := bytes.TrimSpace(b)
			if len(raw) > 0 {
				fields, problem := jsonLine(raw, fields[:0])
				if ferr := fn(line, raw, fields, problem); ferr != nil {
					return ferr
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
	}
}

// jsonLine flattens one line's object.
func jsonLine(raw []byte, fields []jsonField) ([]jsonField, string) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Sprintf("not valid JSON: %v", err)
	}
	if dec.More() {
		return nil, "more than one JSON value on the line"
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, "the line is not a JSON object"
	}
	return flattenJSON("", obj, fields), ""
}
