package ingest

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// stageResult is a staged relation plus an optional step, run after the
// typed table exists, that corrects line numbers and collects rows the
// reader rejected.
type stageResult struct {
	staged
	fixLines func(ctx context.Context, tx *sql.Tx, bad []badRow) ([]badRow, error)
}

// file is what a format's stager gets to work with.
type file struct {
	conn   *sql.Conn // the load's connection, for the Appender
	tx     *sql.Tx   // the load's transaction
	src    *Source
	ent    *wh.Entity
	path   string
	digest digest
	// companyINN tells incoming bank payments (to us) from outgoing ones.
	companyINN string
}

// stager exposes one file's rows to SQL as text columns; bad rows it finds
// before typing (broken structure) are returned for the quarantine.
type stager func(ctx context.Context, f *file) (stageResult, []badRow, error)

// stagers maps a source format to its stager; formats register in init.
var stagers = map[string]stager{}

// registerFormat adds a format; a duplicate name is a programming error.
func registerFormat(name string, s stager) {
	if _, dup := stagers[name]; dup {
		panic("ingest: format registered twice: " + name)
	}
	stagers[name] = s
}

func init() {
	registerFormat("csv", stageCSV)
	registerFormat("tsv", stageCSV)
}

// stage dispatches on the source's format.
func stage(ctx context.Context, f *file) (stageResult, []badRow, error) {
	format := f.src.Format
	if format == "" {
		format = "csv"
	}
	s, ok := stagers[format]
	if !ok {
		return stageResult{}, nil, fmt.Errorf("format %s cannot be read from files", format)
	}
	return s(ctx, f)
}

func (s *Source) delimiter() string {
	if s.Delimiter != "" {
		return s.Delimiter
	}
	if s.Format == "tsv" {
		return "\t"
	}
	return ","
}

// readHeader returns the trimmed cells of the first record, without a BOM.
func readHeader(path string, delim string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = []rune(delim)[0]
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("the file is empty: expected a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	cols := make([]string, len(rec))
	for i, c := range rec {
		cols[i] = strings.TrimSpace(strings.TrimPrefix(c, "\ufeff"))
	}
	return cols, nil
}

// uniqueNames suffixes repeated column names (_2, _3) so SQL can address them.
func uniqueNames(cols []string) []string {
	seen := map[string]int{}
	out := make([]string, len(cols))
	for i, c := range cols {
		if c == "" {
			c = fmt.Sprintf("column%d", i+1)
		}
		seen[c]++
		if n := seen[c]; n > 1 {
			c = fmt.Sprintf("%s_%d", c, n)
		}
		out[i] = c
	}
	return out
}

var expectedFound = regexp.MustCompile(`Expected Number of Columns: (\d+) Found: (\d+)`)

func stageCSV(ctx context.Context, file *file) (stageResult, []badRow, error) {
	src, ent, path, d := file.src, file.ent, file.path, file.digest
	delim := src.delimiter()
	var cols []string
	if src.HasHeader() {
		h, err := readHeader(path, delim)
		if err != nil {
			return stageResult{}, nil, err
		}
		if len(src.Columns) == 0 {
			if err := checkCanonicalHeader(ent, h); err != nil {
				return stageResult{}, nil, err
			}
		}
		cols = uniqueNames(h)
	} else {
		cols = uniqueNames(src.Names)
	}
	types := make([]string, len(cols))
	for i, c := range cols {
		types[i] = fmt.Sprintf("%s: 'VARCHAR'", sqlStr(c))
	}
	header := 0
	if src.HasHeader() {
		header = 1
	}
	read := fmt.Sprintf(`read_csv(%s, header=%t, all_varchar=true, auto_detect=false, delim=%s, quote='"', escape='"',
        columns={%s}, store_rejects=true, rejects_table='_rej', rejects_scan='_rejscan', strict_mode=true)`,
		sqlStr(path), src.HasHeader(), sqlStr(delim), strings.Join(types, ", "))
	rel := fmt.Sprintf("(SELECT *, _rank + %d AS _line FROM (SELECT row_number() OVER () AS _rank, * FROM %s))", header, read)

	fix := func(ctx context.Context, tx *sql.Tx, bad []badRow) ([]badRow, error) {
		rows, err := tx.QueryContext(ctx, `SELECT line, line_byte_position, coalesce(column_name, ''), error_type, coalesce(csv_line, ''), error_message
            FROM _rej ORDER BY line_byte_position`)
		if err != nil {
			return nil, fmt.Errorf("read rejected rows: %w", err)
		}
		type rej struct {
			line, pos int64
			b         badRow
		}
		var rejs []rej
		for rows.Next() {
			var r rej
			var kind, msg string
			if err := rows.Scan(&r.line, &r.pos, &r.b.field, &kind, &r.b.raw, &msg); err != nil {
				rows.Close()
				return nil, err
			}
			r.b.reason = strings.ToLower(kind)
			if m := expectedFound.FindStringSubmatch(msg); m != nil {
				r.b.reason = fmt.Sprintf("expected %s fields, found %s", m[1], m[2])
			}
			rejs = append(rejs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(rejs) == 0 && !d.irregular {
			return bad, nil
		}
		// DuckDB counts records, not physical lines, and skips blank lines:
		// rescan the file to map every row to the line it starts on.
		rejected := map[int64]bool{}
		for _, r := range rejs {
			rejected[r.pos-1] = true
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		segs, rejLines, err := lineSegments(f, '"', src.HasHeader(), rejected)
		if err != nil {
			return nil, err
		}
		for _, r := range rejs {
			r.b.line = r.line
			if l, ok := rejLines[r.pos-1]; ok {
				r.b.line = l
			}
			bad = append(bad, r.b)
		}
		if len(segs) == 0 || (len(segs) == 1 && segs[0].rank == 1 && segs[0].offset == int64(header)) {
			return bad, nil
		}
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE _segs (rank BIGINT, off BIGINT)"); err != nil {
			return nil, err
		}
		vals := make([]string, len(segs))
		for i, s := range segs {
			vals[i] = fmt.Sprintf("(%d, %d)", s.rank, s.offset)
		}
		for i := 0; i < len(vals); i += 1000 {
			j := min(i+1000, len(vals))
			if _, err := tx.ExecContext(ctx, "INSERT INTO _segs VALUES "+strings.Join(vals[i:j], ", ")); err != nil {
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE _typed SET _line = m.line FROM (
                SELECT t._rank AS r, t._rank + s.off AS line FROM _typed t ASOF JOIN _segs s ON t._rank >= s.rank) m
            WHERE _typed._rank = m.r`); err != nil {
			return nil, fmt.Errorf("number lines: %w", err)
		}
		return bad, nil
	}
	return stageResult{staged: staged{relation: rel, columns: cols}, fixLines: fix}, nil, nil
}
