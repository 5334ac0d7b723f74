// Package ingest loads source files into the warehouse's canonical tables:
// it maps and types every row, quarantines the bad ones with file, line and
// reason, upserts by key, and records each file in a ledger by content hash,
// all in one transaction per file.
package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

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
	// Progress, when set, is told of each file (or pulled source) before
	// Run loads it: done of total, counted over the sources' matches.
	Progress func(done, total int, file string)
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
	// Unmatched counts loaded payments with no client_id whose payer_inn is no client's inn.
	Unmatched int64
	// UnknownClients counts loaded rows whose client_id is in no clients row.
	UnknownClients int64
	// Archived is where the file was moved (source `archive:`); ArchiveErr why it could not be.
	Archived   string
	ArchiveErr error
}

func (r FileResult) String() string {
	switch r.Status {
	case StatusSkipped:
		return fmt.Sprintf("%s: skipped, same bytes as %s loaded before", r.File, r.DuplicateOf) + r.notes()
	case StatusFailed:
		return fmt.Sprintf("%s: failed: %v", r.File, r.Err)
	}
	return fmt.Sprintf("%s → %s: read %d, loaded %d (%d of them replace rows loaded before), superseded by a later line of the file %d, quarantined %d, filtered %d",
		r.File, r.Entity, r.Read, r.Loaded, r.Updated, r.Replaced, r.Quarantined, r.Filtered) + r.notes()
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
	done, total := 0, 0
	if l.Progress != nil {
		// counted ahead only to say how many remain; each source's files are
		// listed again when it loads (an earlier source may archive files)
		for i := range sources {
			if isPull(sources[i].Format) {
				total++
			} else if files, err := l.Files(&sources[i]); err == nil {
				total += len(files)
			}
		}
	}
	progress := func(what string) {
		if l.Progress != nil {
			l.Progress(done, max(total, done+1), what)
		}
		done++
	}
	for i := range sources {
		src := &sources[i]
		if isPull(src.Format) {
			progress(src.Name)
			results = append(results, l.Pull(ctx, src))
			continue
		}
		files, err := l.Files(src)
		if err != nil {
			results = append(results, FileResult{Source: src.Name, Entity: src.Entity, File: src.Files, Status: StatusFailed, Err: err})
			continue
		}
		for _, f := range files {
			if ctx.Err() != nil {
				return results
			}
			progress(l.rel(f))
			res := l.LoadFile(ctx, src, f)
			l.archive(src, f, &res)
			results = append(results, res)
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
	src = withFormatDefaults(src)
	res := FileResult{Source: src.Name, Entity: src.Entity, File: l.rel(path)}
	started := l.now()
	ent, ok := wh.Lookup(src.Entity)
	if !ok {
		res.Status, res.Err = StatusFailed, fmt.Errorf("unknown entity %q", src.Entity)
		return res
	}
	fail := func(err error) FileResult {
		res.Status, res.Err = StatusFailed, &FileError{File: res.File, Err: err}
		return res
	}
	st, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	// Only a file of the size of one loaded before can be a duplicate:
	// any other is hashed while it is read for the load (delimited text) and
	// checked against the ledger again before the load commits.
	var same int64
	if err := l.DB.QueryRowContext(ctx, "SELECT count(*) FROM meta.ledger WHERE size_bytes = ?", st.Size()).Scan(&same); err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	var d digest
	hashWhileReading := same == 0 && hashesWhileReading(src.Format)
	if !hashWhileReading {
		if d, err = digestFile(path); err != nil {
			return fail(err)
		}
		res.SHA256 = d.sha256
		if prev, dup, err := l.ledgerFile(ctx, l.DB, d.sha256); err != nil {
			res.Status, res.Err = StatusFailed, err
			return res
		} else if dup {
			res.Status, res.DuplicateOf = StatusSkipped, prev
			return res
		}
	}
	if err := l.load(ctx, src, ent, path, d, &res); err != nil {
		var dup *duplicateError
		if errors.As(err, &dup) {
			res.Status, res.DuplicateOf = StatusSkipped, dup.prev
			return res
		}
		res.Status = StatusFailed
		res.Err = &FileError{File: res.File, Err: err}
		l.recordFailure(ctx, &res, started)
		return res
	}
	res.Status = StatusLoaded
	l.countUnmatched(ctx, src, &res)
	return res
}

// hashesWhileReading reports whether a format's stager hashes the file in
// the pass that reads it.
func hashesWhileReading(format string) bool {
	return format == "" || format == "csv" || format == "tsv"
}

// duplicateError: the file turned out to hold the same bytes as one in the ledger.
type duplicateError struct{ prev string }

func (e *duplicateError) Error() string { return "same bytes as " + e.prev + ", loaded before" }

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ledgerFile names the file loaded earlier with the given hash, if any.
func (l *Loader) ledgerFile(ctx context.Context, q queryRower, sha string) (string, bool, error) {
	var prev string
	err := q.QueryRowContext(ctx, "SELECT file FROM meta.ledger WHERE sha256 = ?", sha).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return prev, err == nil, err
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
	var st stageResult
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
		for _, t := range []string{"_typed", "_src"} {
			_, _ = conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS temp."+t)
		}
		if st.cleanup != nil {
			st.cleanup()
		}
	}()

	f := &file{conn: conn, tx: tx, src: src, ent: ent, path: path, digest: d, hash: d.sha256 == "", companyINN: l.CompanyINN}
	phaseStart := time.Now()
	st, structural, err := stage(ctx, f)
	if err != nil {
		return err
	}
	phase("read", phaseStart)
	if st.hashed != nil {
		d = *st.hashed
		res.SHA256 = d.sha256
		if prev, dup, err := l.ledgerFile(ctx, tx, d.sha256); err != nil {
			return err
		} else if dup {
			return &duplicateError{prev: prev}
		}
	}
	if d.sha256 == "" {
		return fmt.Errorf("the file was not hashed")
	}

	// Rows typed in SQL: everything of most formats, the doubtful and bad
	// rows of delimited text.
	var sideGood int64
	if st.relation != "" {
		q, err := typedSelect(src, ent, st.staged)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE _typed AS "+q); err != nil {
			return fmt.Errorf("read rows: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (NOT _keep),
                count(*) FILTER (_keep AND _reason IS NOT NULL), count(*) FILTER (_keep AND _reason IS NULL) FROM _typed`).
			Scan(&res.Read, &res.Filtered, &res.Quarantined, &sideGood); err != nil {
			return err
		}
	}
	res.Read += st.pretypedRows + int64(len(structural))
	res.Quarantined += int64(len(structural))

	// Whether the table had rows before: if not, nothing can be replaced.
	var existing int64
	if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM main.%s LIMIT 1)", ent.Name)).Scan(&existing); err != nil {
		return err
	}
	fields := strings.Join(ent.FieldNames(), ", ")
	file := sqlStr(res.File)
	insert := func(from string) (int64, error) {
		r, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%s (%s, _source, _file, _line, _load_id)
            SELECT %s, %s, %s, _line, %d FROM %s`, ent.Name, fields, fields, sqlStr(src.Name), file, res.LoadID, from))
		if err != nil {
			return 0, fmt.Errorf("insert rows: %w", err)
		}
		return r.RowsAffected()
	}
	var inserted int64
	phaseStart = time.Now()
	if st.pretyped != "" {
		n, err := insert(st.pretyped)
		if err != nil {
			return err
		}
		if n != st.pretypedRows {
			return fmt.Errorf("insert rows: %d of %d typed rows were written", n, st.pretypedRows)
		}
		inserted += n
	}
	if sideGood > 0 {
		n, err := insert("_typed WHERE _keep AND _reason IS NULL")
		if err != nil {
			return err
		}
		inserted += n
	}

	// A key twice in the file: the row further down wins. Keys Go saw in
	// strictly increasing order are unique; otherwise count.
	newRows := fmt.Sprintf("main.%s WHERE _load_id = %d", ent.Name, res.LoadID)
	key := strings.Join(ent.Key, ", ")
	if inserted > 1 && !(st.sorted && sideGood == 0) {
		var dups int64
		if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) - count(DISTINCT (%s)) FROM %s", key, newRows)).Scan(&dups); err != nil {
			return fmt.Errorf("dedupe keys: %w", err)
		}
		if dups > 0 {
			r, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM main.%s WHERE _load_id = %d AND rowid IN (
                SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY %s ORDER BY _line DESC, rowid DESC) AS _kam_rn FROM %s)
                WHERE _kam_rn > 1)`, ent.Name, res.LoadID, key, newRows))
			if err != nil {
				return fmt.Errorf("dedupe keys: %w", err)
			}
			res.Replaced, _ = r.RowsAffected()
		}
	}
	res.Loaded = inserted - res.Replaced

	// Late corrections: the file's rows replace the warehouse's rows with the same key.
	if existing > 0 && res.Loaded > 0 {
		conds := make([]string, len(ent.Key))
		for i, k := range ent.Key {
			conds[i] = fmt.Sprintf("main.%s.%s = n.%s", ent.Name, k, k)
		}
		r, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM main.%s USING (SELECT %s FROM %s) n WHERE main.%s._load_id <> %d AND %s",
			ent.Name, key, newRows, ent.Name, res.LoadID, strings.Join(conds, " AND ")))
		if err != nil {
			return fmt.Errorf("replace existing keys: %w", err)
		}
		res.Updated, _ = r.RowsAffected()
	}

	if st.relation != "" && res.Quarantined > int64(len(structural)) {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO meta.quarantine
            SELECT %d, %s, %s, %s, _line, _field, _reason, _raw FROM _typed WHERE _keep AND _reason IS NOT NULL ORDER BY _rank`,
			res.LoadID, sqlStr(src.Name), sqlStr(ent.Name), file)); err != nil {
			return fmt.Errorf("quarantine rows: %w", err)
		}
	}
	if err := quarantineRows(ctx, conn, res.LoadID, src.Name, ent.Name, res.File, structural); err != nil {
		return fmt.Errorf("quarantine rows: %w", err)
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
	if testHookBeforeCommit != nil {
		testHookBeforeCommit()
	}
	phase("write", phaseStart)
	phaseStart = time.Now()
	defer phase("commit", phaseStart)
	return tx.Commit()
}

// testHookBeforeCommit, when set by a test, runs just before a load commits.
var testHookBeforeCommit func()

// badRow is a row rejected before typing (wrong number of fields, broken quotes).
type badRow struct {
	line        int64
	field       string
	reason, raw string
}

// quarantineRows appends rows rejected before typing to meta.quarantine,
// in the load's transaction (the Appender works on the load's connection).
func quarantineRows(ctx context.Context, conn *sql.Conn, loadID int64, source, entity, file string, rows []badRow) error {
	if len(rows) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppender(dc.(driver.Conn), "", "meta", "quarantine")
		if err != nil {
			return err
		}
		for _, b := range rows {
			if err := ctx.Err(); err != nil {
				app.Close()
				return err
			}
			if err := app.AppendRow(loadID, source, entity, file, b.line, b.field, b.reason, b.raw); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// phase reports how long a phase of a load took to a test hook (the
// benchmark's breakdown); it does nothing otherwise.
func phase(name string, start time.Time) {
	if testHookPhase != nil {
		testHookPhase(name, time.Since(start))
	}
}

// testHookPhase, when set by a test, receives the duration of each phase
// of a load: read (the stager), write (typing, checks, inserts), commit.
var testHookPhase func(name string, d time.Duration)

// countUnmatched reports, after a load, its rows that name a client_id no
// clients row has (res.UnknownClients) and, for payments, those with no
// client_id whose payer_inn is empty or is no client's inn (res.Unmatched).
// They stay in the warehouse; the counts are a report for the operator.
func (l *Loader) countUnmatched(ctx context.Context, src *Source, res *FileResult) {
	if res.Status != StatusLoaded || res.Loaded == 0 {
		return
	}
	if ent, ok := wh.Lookup(src.Entity); ok && src.Entity != "clients" {
		if _, has := ent.Field("client_id"); has {
			// the marts show such rows under no client name and no manager
			_ = l.DB.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM main.%s t
                WHERE t._load_id = ? AND t.client_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM main.clients c WHERE c.client_id = t.client_id)`, src.Entity),
				res.LoadID).Scan(&res.UnknownClients)
		}
	}
	if src.Entity != "payments" {
		return
	}
	_ = l.DB.QueryRowContext(ctx, `SELECT count(*) FROM main.payments p
        WHERE p._load_id = ? AND p.client_id IS NULL
          AND (p.payer_inn IS NULL OR NOT EXISTS (SELECT 1 FROM main.clients c WHERE trim(c.inn) = trim(p.payer_inn)))`,
		res.LoadID).Scan(&res.Unmatched)
}
