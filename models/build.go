package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
	kamsql "github.com/kam-analytics/kam/sql"
)

// Options are the business settings models read as session variables.
type Options struct {
	// AsOf is the build's report date; zero = the last date found in the data.
	AsOf time.Time
	// ActiveWindowDays is the trailing window of the active client base (default 90).
	ActiveWindowDays int
	// AgeingBuckets are the overdue bucket limits in days (default 30, 60, 90).
	AgeingBuckets []int
	// AgeingBasis is due_date (default) or invoice_date.
	AgeingBasis string
	// ABC are the cumulative net-sales shares closing classes A and B (default 0.80, 0.95).
	ABC []float64
	// XYZ are the coefficient-of-variation limits of classes X and Y (default 0.10, 0.25).
	XYZ []float64
	// Now stamps the build log (bookkeeping only; no model reads it).
	Now func() time.Time
}

func (o *Options) setDefaults() {
	if o.ActiveWindowDays <= 0 {
		o.ActiveWindowDays = 90
	}
	if len(o.AgeingBuckets) == 0 {
		o.AgeingBuckets = []int{30, 60, 90}
	}
	if o.AgeingBasis == "" {
		o.AgeingBasis = "due_date"
	}
	if len(o.ABC) != 2 {
		o.ABC = []float64{0.80, 0.95}
	}
	if len(o.XYZ) != 2 {
		o.XYZ = []float64{0.10, 0.25}
	}
}

// Variables are the SET VARIABLE statements the SQL files read with
// getvariable(); run them in a duckdb shell to run a model file by hand.
func (o Options) Variables() []string {
	o.setDefaults()
	ints := make([]string, len(o.AgeingBuckets))
	for i, b := range o.AgeingBuckets {
		ints[i] = fmt.Sprint(b)
	}
	return []string{
		"SET VARIABLE as_of = DATE " + wh.QuoteString(o.AsOf.Format("2006-01-02")),
		fmt.Sprintf("SET VARIABLE active_window_days = %d", o.ActiveWindowDays),
		fmt.Sprintf("SET VARIABLE ageing_buckets = [%s]::INTEGER[]", strings.Join(ints, ", ")),
		"SET VARIABLE ageing_basis = " + wh.QuoteString(o.AgeingBasis),
		fmt.Sprintf("SET VARIABLE abc_limits = [%g, %g]::DOUBLE[]", o.ABC[0], o.ABC[1]),
		fmt.Sprintf("SET VARIABLE xyz_limits = [%g, %g]::DOUBLE[]", o.XYZ[0], o.XYZ[1]),
	}
}

// Result describes a finished build.
type Result struct {
	BuildID int64
	AsOf    time.Time
	Models  []ModelResult
	Checks  int
}

// ModelResult is one built model.
type ModelResult struct {
	Name     string
	Rows     int64
	Duration time.Duration
}

// ModelError is a model that failed to build.
type ModelError struct {
	Model, Path string
	Err         error
}

func (e *ModelError) Error() string {
	return fmt.Sprintf("build model %s (sql/%s): %v", e.Model, e.Path, e.Err)
}
func (e *ModelError) Unwrap() error { return e.Err }

// CheckError is a data check that found offending rows.
type CheckError struct {
	Check, Description string
	Columns            []string
	Rows               [][]string // the first offending rows
	Count              int
}

func (e *CheckError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "check %s failed: %d offending row(s)", e.Check, e.Count)
	if e.Description != "" {
		fmt.Fprintf(&b, " (%s)", e.Description)
	}
	b.WriteString("\n  " + strings.Join(e.Columns, " | "))
	for _, r := range e.Rows {
		b.WriteString("\n  " + strings.Join(r, " | "))
	}
	return b.String()
}

// ErrNoData means there is nothing to build from and no as-of date was given.
var ErrNoData = errors.New("the warehouse holds no dated rows yet: ingest data first (kam ingest) or pass --as-of")

// LastDataDate is the latest event date in the canonical tables.
func LastDataDate(ctx context.Context, db *sql.DB) (time.Time, error) {
	var d sql.NullTime
	err := db.QueryRowContext(ctx, `SELECT greatest(
        (SELECT max(order_date) FROM main.order_lines), (SELECT max(shipped_on) FROM main.order_lines),
        (SELECT max(invoice_date) FROM main.invoices), (SELECT max(paid_on) FROM main.payments),
        (SELECT max(return_date) FROM main.returns))`).Scan(&d)
	if err != nil {
		return time.Time{}, err
	}
	if !d.Valid {
		return time.Time{}, ErrNoData
	}
	return d.Time, nil
}

// Build creates every model in order and runs the checks, all in one
// transaction: when a model or a check fails, the previous marts stay.
func Build(ctx context.Context, db *sql.DB, opt Options) (*Result, error) {
	models, checks, err := Parse(kamsql.Files)
	if err != nil {
		return nil, err
	}
	order, err := Order(models)
	if err != nil {
		return nil, err
	}
	if opt.AsOf.IsZero() {
		if opt.AsOf, err = LastDataDate(ctx, db); err != nil {
			return nil, err
		}
	}
	opt.setDefaults()
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, q := range append(opt.Variables(),
		`CREATE TABLE IF NOT EXISTS meta.builds (build_id BIGINT, as_of DATE, models INTEGER, checks INTEGER, built_at TIMESTAMP)`,
	) {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	res := &Result{AsOf: opt.AsOf}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(build_id), 0) + 1 FROM meta.builds").Scan(&res.BuildID); err != nil {
		return nil, err
	}
	for _, m := range order {
		start := time.Now()
		kind := "TABLE"
		if m.Materialize == "view" {
			kind = "VIEW"
		}
		// A model that changed between view and table must drop the old object first.
		var existing string
		err := tx.QueryRowContext(ctx, "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", m.Layer, m.Name).Scan(&existing)
		if err == nil && (existing == "VIEW") != (kind == "VIEW") {
			old := "TABLE"
			if existing == "VIEW" {
				old = "VIEW"
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("DROP %s %s CASCADE", old, m.QualifiedName())); err != nil {
				return nil, &ModelError{Model: m.Name, Path: m.Path, Err: err}
			}
		}
		q := fmt.Sprintf("CREATE OR REPLACE %s %s AS\n%s", kind, m.QualifiedName(), m.SQL)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return nil, &ModelError{Model: m.Name, Path: m.Path, Err: err}
		}
		mr := ModelResult{Name: m.Name}
		if m.Materialize == "table" {
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+m.QualifiedName()).Scan(&mr.Rows); err != nil {
				return nil, &ModelError{Model: m.Name, Path: m.Path, Err: err}
			}
		}
		mr.Duration = time.Since(start)
		res.Models = append(res.Models, mr)
	}
	all := append(generatedChecks(order), checks...)
	for _, c := range all {
		if err := runCheck(ctx, tx, c); err != nil {
			return nil, err
		}
	}
	res.Checks = len(all)
	builtAt := now().UTC()
	for _, mr := range res.Models {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta.build_log VALUES (?, ?, ?, 'model', ?, ?, ?)",
			res.BuildID, opt.AsOf, mr.Name, mr.Rows, mr.Duration.Milliseconds(), builtAt); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta.builds VALUES (?, ?, ?, ?, ?)",
		res.BuildID, opt.AsOf, len(res.Models), res.Checks, builtAt); err != nil {
		return nil, err
	}
	return res, tx.Commit()
}

// generatedChecks turns @unique and @not_null annotations into checks.
func generatedChecks(models []*Model) []*Check {
	var out []*Check
	for _, m := range models {
		if len(m.Unique) > 0 {
			cols := strings.Join(m.Unique, ", ")
			out = append(out, &Check{
				Name:        m.Name + "__unique",
				Description: fmt.Sprintf("one row per %s", cols),
				SQL:         fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY ALL HAVING count(*) > 1", cols, m.QualifiedName()),
			})
		}
		for _, c := range m.NotNull {
			out = append(out, &Check{
				Name:        m.Name + "__not_null_" + c,
				Description: c + " is never empty",
				SQL:         fmt.Sprintf("SELECT * FROM %s WHERE %s IS NULL", m.QualifiedName(), c),
			})
		}
	}
	return out
}

const shownRows = 5

func runCheck(ctx context.Context, tx *sql.Tx, c *Check) error {
	q := strings.TrimRight(strings.TrimSpace(c.SQL), ";")
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("check %s: %w", c.Name, err)
	}
	cols, shown, n, err := wh.ScanStrings(rows, shownRows)
	if err != nil {
		return fmt.Errorf("check %s: %w", c.Name, err)
	}
	if n > 0 {
		return &CheckError{Check: c.Name, Description: c.Description, Columns: cols, Rows: shown, Count: n}
	}
	return nil
}
