package ingest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// Pull sources (formats postgres and http) are fetched from a server
// instead of globbed. One pull is handled like one file: its rows go
// through the same mapping, typing, quarantine and upsert in one
// transaction, and it is recorded in the ledger by the SHA-256 of its
// content (the source, the watermark it started from, the column names and
// every value), so a pull that brings exactly what an earlier one brought
// is skipped. A pull that returns no rows changes nothing and records
// nothing. A failed pull is recorded in load_runs only, never in the ledger,
// and a postgres watermark advances in the load's own transaction, so a
// failure or a crash re-pulls the same rows next time.
//
// The pulled rows are held in memory: keep pulls incremental (a watermark,
// or an API filter in the url). The line of a pulled row is its 1-based
// position in the pull; it is what the quarantine shows.

// isPull reports whether a format is pulled from a server instead of read from files.
func isPull(format string) bool { return format == "postgres" || format == "http" }

// pulled is the content of one pull.
type pulled struct {
	columns []string
	rows    [][]any // text or nil
	from    string  // the watermark the pull started from ("" for none)
	size    int64   // bytes of values, for the ledger
	mark    *watermark
}

// watermark is the new high-water mark a pull stores with its load.
type watermark struct {
	column, value string
	at            time.Time
}

type pulledKey struct{}

func init() {
	registerFormat("postgres", stagePulled)
	registerFormat("http", stagePulled)
}

// watermarksDDL is the table of postgres watermarks, one row per source.
// Delete a source's row to make its next pull start from the beginning.
const watermarksDDL = `CREATE TABLE IF NOT EXISTS meta.watermarks (
    source VARCHAR PRIMARY KEY,
    watermark_column VARCHAR,
    value VARCHAR,
    sha256 VARCHAR,
    updated_at TIMESTAMP
)`

// Pull fetches one pull source and loads what it brought.
func (l *Loader) Pull(ctx context.Context, src *Source) FileResult {
	res := FileResult{Source: src.Name, Entity: src.Entity, File: src.Format + ":" + src.Name}
	started := l.now()
	fail := func(err error) FileResult {
		res.Status = StatusFailed
		res.Err = &FileError{File: res.File, Err: err}
		l.recordFailure(ctx, &res, started)
		return res
	}
	ent, ok := wh.Lookup(src.Entity)
	if !ok {
		return fail(fmt.Errorf("unknown entity %q", src.Entity))
	}
	if _, err := l.DB.ExecContext(ctx, watermarksDDL); err != nil {
		return fail(fmt.Errorf("create meta.watermarks: %w", err))
	}
	var (
		p   *pulled
		err error
	)
	switch src.Format {
	case "postgres":
		p, err = l.pullPostgres(ctx, src)
	case "http":
		p, err = pullHTTP(ctx, src)
	default:
		err = fmt.Errorf("format %s is not pulled", src.Format)
	}
	if err != nil {
		return fail(err)
	}
	if len(p.rows) == 0 {
		res.Status = StatusLoaded
		return res
	}
	if p.mark != nil {
		p.mark.at = l.now()
	}
	res.SHA256 = p.digest(src)
	var prev string
	err = l.DB.QueryRowContext(ctx, "SELECT file FROM meta.ledger WHERE sha256 = ?", res.SHA256).Scan(&prev)
	if err == nil {
		res.Status, res.DuplicateOf = StatusSkipped, prev
		return res
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fail(err)
	}
	d := digest{sha256: res.SHA256, size: p.size}
	if err := l.load(context.WithValue(ctx, pulledKey{}, p), src, ent, res.File, d, &res); err != nil {
		return fail(err)
	}
	res.Status = StatusLoaded
	l.countUnmatched(ctx, src, &res)
	return res
}

// digest is the pull's ledger key.
func (p *pulled) digest(src *Source) string {
	h := sha256.New()
	var n [8]byte
	put := func(v any) {
		if v == nil {
			h.Write([]byte{0})
			return
		}
		s := v.(string)
		h.Write([]byte{1})
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put("kam pull v1")
	put(src.Format)
	put(src.Name)
	put(p.from)
	binary.BigEndian.PutUint64(n[:], uint64(len(p.columns)))
	h.Write(n[:])
	for _, c := range p.columns {
		put(c)
	}
	for _, r := range p.rows {
		for i := range p.columns {
			var v any
			if i < len(r) {
				v = r[i]
			}
			put(v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// stagePulled stages a pull's rows (found in the context) and, in the same
// transaction, advances the source's watermark.
func stagePulled(ctx context.Context, f *file) (stageResult, []badRow, error) {
	p, _ := ctx.Value(pulledKey{}).(*pulled)
	if p == nil {
		return stageResult{}, nil, fmt.Errorf("format %s is pulled from a server, not read from files", f.src.Format)
	}
	st, err := stageRows(ctx, f, p.columns, func(sink rowSink) error {
		for i, r := range p.rows {
			if err := sink(int64(i+1), r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return stageResult{}, nil, err
	}
	if p.mark != nil {
		if _, err := f.tx.ExecContext(ctx, "INSERT OR REPLACE INTO meta.watermarks VALUES (?, ?, ?, ?, ?)",
			f.src.Name, p.mark.column, p.mark.value, f.digest.sha256, p.mark.at); err != nil {
			return stageResult{}, nil, fmt.Errorf("advance the watermark: %w", err)
		}
	}
	return stageResult{staged: st}, nil, nil
}

// storedWatermark returns the source's watermark, if one was stored for the
// same watermark column.
func (l *Loader) storedWatermark(ctx context.Context, src *Source) (string, bool, error) {
	var col, val string
	err := l.DB.QueryRowContext(ctx, "SELECT watermark_column, value FROM meta.watermarks WHERE source = ?", src.Name).Scan(&col, &val)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && col != src.Watermark) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read the watermark: %w", err)
	}
	return val, true, nil
}

// Watermark returns the stored watermark of a postgres source ("" if none yet).
func (l *Loader) Watermark(ctx context.Context, source string) (string, error) {
	if _, err := l.DB.ExecContext(ctx, watermarksDDL); err != nil {
		return "", err
	}
	var v string
	err := l.DB.QueryRowContext(ctx, "SELECT value FROM meta.watermarks WHERE source = ?", source).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}
