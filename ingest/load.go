// Package ingest loads source files into the warehouse's canonical tables:
// it maps and types every row, quarantines the bad ones with file, line and
// reason, upserts by key, and records each file in a ledger by content hash,
// all in one transaction per file.
package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// Loader runs sources against one warehouse.
type Loader struct {
	DB *sql.DB
	// BaseDir is the config file's folder; globs resolve against it.
	BaseDir string
	// Now stamps ledger and run rows (ingest bookkeeping only; models never read it).
	Now func() time.Time
	// CompanyINN is our INN: bank documents paid to it are incoming payments.
	CompanyINN string
}

// Status of one file's load.
const (
	StatusLoaded  = "loaded"
	StatusSkipped = "skipped" // the same bytes were loaded before
	StatusFailed  = "failed"
)

// FileResult reports one file (or pull). Read = Loaded + Replaced + Quarantined + Filtered.
type FileResult struct {
	Source, Entity, File string
	SHA256               string
	LoadID               int64
	Status               string
	Read                 int64
	Loaded               int64 // rows now in the warehouse from this file
	Replaced             int64 // rows superseded by a later row with the same key in the same file
	Quarantined          int64
	Filtered             int64
	Updated              int64 // existing warehouse rows this file replaced (late corrections)
	// DuplicateOf names the file loaded earlier with the same bytes.
	DuplicateOf string
	Err         error
}

func (r FileResult) String() string {
	switch r.Status {
	case StatusSkipped:
		return fmt.Sprintf("%s: skipped, same bytes as %s loaded before", r.File, r.DuplicateOf)
	case StatusFailed:
		return fmt.Sprintf("%s: failed: %v", r.File, r.Err)
	}
	return fmt.Sprintf("%s → %s: read %d, loaded %d, replaced %d, quarantined %d, filtered %d (updated %d existing)",
		r.File, r.Entity, r.Read, r.Loaded, r.Replaced, r.Quarantined, r.Filtered, r.Updated)
}

// FileError is a failure of one file, naming it.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("ingest %s: %v", e.File, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// Files lists a source's files, sorted by name.
func (l *Loader) Files(src *Source) ([]string, error) {
	pattern := src.Files
	if !filepath.IsAbs(pattern) {
		pattern = filepath.Join(l.BaseDir, pattern)
	}
	files, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("source %s: files %q: %w", src.Name, src.Files, err)
	}
	sort.Strings(files)
	return files, nil
}

// Run loads every file of the given sources. A failing file or source does
// not stop the others; its error is in its FileResult.
func (l *Loader) Run(ctx context.Context, sources []Source) []FileResult {
	var results []FileResult
	for i := range sources {
		src := &sources[i]
		files, err := l.Files(src)
		if err != nil {
			results = append(results, FileResult{Source: src.Name, Entity: src.Entity, File: src.Files, Status: StatusFailed, Err: err})
			continue
		}
		for _, f := range files {
			if ctx.Err() != nil {
				return results
			}
			results = append(results, l.LoadFile(ctx, src, f))
		}
	}
	return results
}

func (l *Loader) rel(path string) string {
	if r, err := filepath.Rel(l.BaseDir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

func (l *Loader) now() time.Time {
	if l.Now != nil {
		return l.Now().UTC()
	}
	return time.Now().UTC()
}

// LoadFile loads one file in one transaction: nothing of it is visible
// unless all of it (rows, quarantine, ledger, run record) commits.
func (l *Loader) LoadFile(ctx context.Context, src *Source, path string) FileResult {
	res := FileResult{Source: src.Name, Entity: src.Entity, File: l.rel(path)}
	started := l.now()
	ent, ok := wh.Lookup(src.Entity)
	if !ok {
		res.Status, res.Err = StatusFailed, fmt.Errorf("unknown entity %q", src.Entity)
		return res
	}
	d, err := digestFile(path, src.Format == "" || src.Format == "csv" || src.Format == "tsv")
	if err != nil {
		res.Status, res.Err = StatusFailed, &FileError{File: res.File, Err: err}
		return res
	}
	res.SHA256 = d.sha256
	var prev string
	err = l.DB.QueryRowContext(ctx, "SELECT file FROM meta.ledger WHERE sha256 = ?", d.sha256).Scan(&prev)
	if err == nil {
		res.Status, res.DuplicateOf = StatusSkipped, prev
		return res
	} else if !errors.Is(err, sql.ErrNoRows) {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	if err := l.load(ctx, src, ent, path, d, &res); err != nil {
		res.Status = StatusFailed
		res.Err = &FileError{File: res.File, Err: err}
		l.recordFailure(ctx, &res, started)
		return res
	}
	res.Status = StatusLoaded
	return res
}

func (l *Loader) recordFailure(ctx context.Context, res *FileResult, started time.Time) {
	_, _ = l.DB.ExecContext(ctx, `INSERT INTO meta.load_runs
        (load_id, source, entity, file, sha256, status, rows_read, rows_loaded, rows_replaced, rows_quarantined, rows_filtered, rows_updated, message, started_at, finished_at)
        VALUES (nextval('meta.load_id_seq'), ?, ?, ?, ?, 'failed', 0, 0, 0, 0, 0, 0, ?, ?, ?)`,
		res.Source, res.Entity, res.File, res.SHA256, res.Err.Error(), started, l.now())
}

func (l *Loader) load(ctx context.Context, src *Source, ent *wh.Entity, path string, d digest, res *FileResult) (err error) {
	conn, err := l.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	started := l.now()
	if err := conn.QueryRowContext(ctx, "SELECT nextval('meta.load_id_seq')").Scan(&res.LoadID); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
		for _, t := range []string{"_typed", "_good", "_rej", "_rejscan", "_segs", "_src"} {
			_, _ = conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+t)
		}
	}()

	st, structural, err := stage(ctx, &file{conn: conn, tx: tx, src: src, ent: ent, path: path, digest: d, companyINN: l.CompanyINN})
	if err != nil {
		return err
	}
	q, err := typedSelect(src, ent, st.staged)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE _typed AS "+q); err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	if st.fixLines != nil {
		if structural, err = st.fixLines(ctx, tx, structural); err != nil {
			return err
		}
	}

	key := strings.Join(ent.Key, ", ")
	fields := strings.Join(ent.FieldNames(), ", ")
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE _good AS
        SELECT %s, _line FROM _typed WHERE _keep AND _reason IS NULL
        QUALIFY row_number() OVER (PARTITION BY %s ORDER BY _line DESC) = 1`, fields, key)); err != nil {
		return fmt.Errorf("dedupe keys: %w", err)
	}
	var valid int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (NOT _keep),
            count(*) FILTER (_keep AND _reason IS NOT NULL), count(*) FILTER (_keep AND _reason IS NULL) FROM _typed`).
		Scan(&res.Read, &res.Filtered, &res.Quarantined, &valid); err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM _good").Scan(&res.Loaded); err != nil {
		return err
	}
	res.Read += int64(len(structural))
	res.Quarantined += int64(len(structural))
	res.Replaced = valid - res.Loaded

	var existing int64
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM main.%s LIMIT 1)", ent.Name)).Scan(&existing); err != nil {
		return err
	}
	if existing > 0 && res.Loaded > 0 {
		conds := make([]string, len(ent.Key))
		for i, k := range ent.Key {
			conds[i] = fmt.Sprintf("main.%s.%s = g.%s", ent.Name, k, k)
		}
		r, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM main.%s USING _good g WHERE %s", ent.Name, strings.Join(conds, " AND ")))
		if err != nil {
			return fmt.Errorf("replace existing keys: %w", err)
		}
		res.Updated, _ = r.RowsAffected()
	}
	file := sqlStr(res.File)
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%s (%s, _source, _file, _line, _load_id)
        SELECT %s, %s, %s, _line, %d FROM _good`, ent.Name, fields, fields, sqlStr(src.Name), file, res.LoadID)); err != nil {
		return fmt.Errorf("insert rows: %w", err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO meta.quarantine
        SELECT %d, %s, %s, %s, _line, _field, _reason, _raw FROM _typed WHERE _keep AND _reason IS NOT NULL`,
		res.LoadID, sqlStr(src.Name), sqlStr(ent.Name), file)); err != nil {
		return fmt.Errorf("quarantine rows: %w", err)
	}
	for _, b := range structural {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			res.LoadID, src.Name, ent.Name, res.File, b.line, b.field, b.reason, b.raw); err != nil {
			return fmt.Errorf("quarantine rows: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta.ledger VALUES (?, ?, ?, ?, ?, ?)",
		res.SHA256, src.Name, res.File, d.size, res.LoadID, l.now()); err != nil {
		return fmt.Errorf("record in ledger: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta.load_runs VALUES (?, ?, ?, ?, ?, 'loaded', ?, ?, ?, ?, ?, ?, '', ?, ?)`,
		res.LoadID, src.Name, ent.Name, res.File, res.SHA256, res.Read, res.Loaded, res.Replaced, res.Quarantined,
		res.Filtered, res.Updated, started, l.now()); err != nil {
		return fmt.Errorf("record load run: %w", err)
	}
	return tx.Commit()
}

// badRow is a row rejected before typing (wrong number of fields, broken quotes).
type badRow struct {
	line        int64
	field       string
	reason, raw string
}
