package pay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// Tables pay keeps in the warehouse:
//
//	meta.pay_runs   one row per lock of a period (status locked, or unlocked later)
//	meta.pay_lines  the lines of each run as locked, with the full line (inputs included) as JSON
//	meta.pay_log    every lock and unlock, with who, when and why
var tablesDDL = []string{
	`CREATE TABLE IF NOT EXISTS meta.pay_runs (
    run_id BIGINT,
    period VARCHAR,
    status VARCHAR,
    as_of DATE,
    lines INTEGER,
    total_pay DECIMAL(18,2),
    inputs_sha256 VARCHAR,
    plans_sha256 VARCHAR,
    plans_json VARCHAR,
    locked_at TIMESTAMP,
    locked_by VARCHAR,
    unlocked_at TIMESTAMP,
    unlocked_by VARCHAR,
    unlock_reason VARCHAR
)`,
	`CREATE TABLE IF NOT EXISTS meta.pay_lines (
    run_id BIGINT,
    period VARCHAR,
    line_no INTEGER,
    kind VARCHAR,
    adjusts_period VARCHAR,
    manager_id VARCHAR,
    manager_name VARCHAR,
    plan VARCHAR,
    variable_target DECIMAL(18,4),
    proration DECIMAL(38,20),
    factor DECIMAL(38,20),
    overdue_share DECIMAL(38,20),
    gate_multiplier DECIMAL(38,20),
    variable_pay DECIMAL(18,2),
    flags VARCHAR,
    inputs_sha256 VARCHAR,
    line_json VARCHAR
)`,
	`CREATE TABLE IF NOT EXISTS meta.pay_log (
    logged_at TIMESTAMP,
    period VARCHAR,
    run_id BIGINT,
    action VARCHAR,
    actor VARCHAR,
    reason VARCHAR,
    inputs_sha256 VARCHAR,
    total_pay DECIMAL(18,2)
)`,
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func ensureTables(ctx context.Context, x execer) error {
	for _, q := range tablesDDL {
		if _, err := x.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("create pay tables: %w", err)
		}
	}
	return nil
}

// Run is one lock of a period.
type Run struct {
	ID           int64
	Period       Period
	Status       string // locked or unlocked
	AsOf         time.Time
	Lines        int
	Total        decimal.Decimal
	InputsSHA256 string
	PlansSHA256  string
	LockedAt     time.Time
	LockedBy     string
	UnlockedAt   *time.Time
	UnlockedBy   string
	UnlockReason string
	plansJSON    string
}

// Plans are the plans the run was locked with.
func (r *Run) Plans() (*Plans, error) { return plansFromJSON([]byte(r.plansJSON)) }

// Runs lists every run, oldest first (none when pay was never locked).
func Runs(ctx context.Context, db *sql.DB) ([]*Run, error) { return runs(ctx, db, "") }

func runs(ctx context.Context, q querier, where string) ([]*Run, error) {
	ok, err := wh.TableExists(ctx, q, "meta", "pay_runs")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT run_id, period, status, as_of, lines, total_pay, inputs_sha256, plans_sha256, plans_json,
            locked_at, coalesce(locked_by, ''), unlocked_at, coalesce(unlocked_by, ''), coalesce(unlock_reason, '')
        FROM meta.pay_runs `+where+` ORDER BY run_id`)
	if err != nil {
		return nil, fmt.Errorf("read pay runs: %w", err)
	}
	var out []*Run
	err = scanAll(rows, func(r *sql.Rows) error {
		run := &Run{}
		var period string
		var total dec
		var unlocked sql.NullTime
		if err := r.Scan(&run.ID, &period, &run.Status, &run.AsOf, &run.Lines, &total, &run.InputsSHA256, &run.PlansSHA256, &run.plansJSON,
			&run.LockedAt, &run.LockedBy, &unlocked, &run.UnlockedBy, &run.UnlockReason); err != nil {
			return err
		}
		p, err := ParsePeriod(period)
		if err != nil {
			return err
		}
		run.Period, run.Total = p, total.d
		if unlocked.Valid {
			run.UnlockedAt = &unlocked.Time
		}
		out = append(out, run)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pay runs: %w", err)
	}
	return out, nil
}

func lockedRuns(ctx context.Context, q querier) (map[Period]*Run, error) {
	rs, err := runs(ctx, q, "WHERE status = 'locked'")
	if err != nil {
		return nil, err
	}
	out := map[Period]*Run{}
	for _, r := range rs {
		out[r.Period] = r
	}
	return out, nil
}

func runLines(ctx context.Context, q querier, runID int64) ([]*Line, error) {
	rows, err := q.QueryContext(ctx, "SELECT line_json FROM meta.pay_lines WHERE run_id = ? ORDER BY line_no", runID)
	if err != nil {
		return nil, fmt.Errorf("read pay lines of run %d: %w", runID, err)
	}
	var out []*Line
	err = scanAll(rows, func(r *sql.Rows) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		l := &Line{}
		if err := json.Unmarshal([]byte(s), l); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pay lines of run %d: %w", runID, err)
	}
	return out, nil
}

// adjustedBefore sums, by manager, the adjustments for period p that
// locked runs already carry.
func adjustedBefore(ctx context.Context, q querier, p Period) (map[string]decimal.Decimal, error) {
	out := map[string]decimal.Decimal{}
	ok, err := wh.TableExists(ctx, q, "meta", "pay_lines")
	if err != nil || !ok {
		return out, err
	}
	rows, err := q.QueryContext(ctx, `SELECT l.manager_id, sum(l.variable_pay)
        FROM meta.pay_lines l
        JOIN meta.pay_runs r ON r.run_id = l.run_id AND r.status = 'locked'
        WHERE l.kind = 'adjustment' AND l.adjusts_period = ?
        GROUP BY l.manager_id`, p.String())
	if err != nil {
		return nil, fmt.Errorf("read adjustments of %s: %w", p, err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m string
		var d dec
		if err := r.Scan(&m, &d); err != nil {
			return err
		}
		out[m] = d.d
		return nil
	})
	return out, err
}

// LockedError means the period is locked already.
type LockedError struct {
	Period Period
	Run    *Run
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is locked (run %d, %s by %s): a locked period never changes; unlock it with a reason first (kam pay unlock)",
		e.Period, e.Run.ID, e.Run.LockedAt.UTC().Format("2006-01-02 15:04"), orUnknown(e.Run.LockedBy))
}

// ErrNotLocked means there is nothing to unlock.
var ErrNotLocked = errors.New("not locked")

// ErrIncomplete means the period is not over in the built data.
var ErrIncomplete = errors.New("the month is not over in the warehouse")

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// LockOptions say who locks and when.
type LockOptions struct {
	// Now stamps the run and the log (the CLI passes its clock).
	Now func() time.Time
	// Actor is who locks or unlocks, for the log.
	Actor string
	// Force locks a period whose data is not complete (built as of a date before its end).
	Force bool
}

func (o LockOptions) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// Lock freezes the sheet of an open period: its lines (adjustments
// included) are stored in meta.pay_lines under a new run in meta.pay_runs
// with the SHA-256 of their inputs and the plans they were computed with,
// and logged in meta.pay_log. A period built only part way (the build's
// as-of date before its end) is refused unless Force is set.
func Lock(ctx context.Context, db *sql.DB, plans *Plans, p Period, opt LockOptions) (*Sheet, error) {
	if err := ensureTables(ctx, db); err != nil {
		return nil, err
	}
	locked, err := lockedRuns(ctx, db)
	if err != nil {
		return nil, err
	}
	if run := locked[p]; run != nil {
		return nil, &LockedError{Period: p, Run: run}
	}
	s, err := calculate(ctx, db, plans, p, Options{})
	if err != nil {
		return nil, err
	}
	if len(s.Lines) == 0 {
		return nil, fmt.Errorf("lock %s: no manager employed in it has a plan, so there is nothing to lock", p)
	}
	if s.AsOf.Before(p.End()) && !opt.Force {
		return nil, fmt.Errorf("lock %s: %w (built as of %s): build after the month's data is in, or pass --force",
			p, ErrIncomplete, s.AsOf.Format("2006-01-02"))
	}
	now := opt.now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM meta.pay_runs WHERE period = ? AND status = 'locked'", p.String()).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("lock %s: locked meanwhile by another kam", p)
	}
	run := &Run{Period: p, Status: StatusLocked, AsOf: s.AsOf, Lines: len(s.Lines), Total: s.Total(),
		InputsSHA256: s.InputsSHA256, PlansSHA256: plans.SHA256(), LockedAt: now, LockedBy: opt.Actor, plansJSON: string(plans.JSON())}
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(run_id), 0) + 1 FROM meta.pay_runs").Scan(&run.ID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta.pay_runs (run_id, period, status, as_of, lines, total_pay, inputs_sha256, plans_sha256, plans_json, locked_at, locked_by)
        VALUES (?, ?, 'locked', ?::DATE, ?, ?::DECIMAL(18,2), ?, ?, ?, ?, ?)`,
		run.ID, p.String(), run.AsOf, run.Lines, run.Total.String(), run.InputsSHA256, run.PlansSHA256, run.plansJSON, now, opt.Actor); err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	lines := make([][]any, len(s.Lines))
	for i, l := range s.Lines {
		b, err := json.Marshal(l)
		if err != nil {
			return nil, err
		}
		var adj any
		if !l.AdjustsPeriod.IsZero() {
			adj = l.AdjustsPeriod.String()
		}
		lines[i] = []any{run.ID, p.String(), i + 1, l.Kind, adj, l.ManagerID, l.Name, l.Plan,
			l.VariableTarget.String(), l.Proration.Round(20).String(), l.Factor.Round(20).String(), l.OverdueShare.Round(20).String(),
			gateOrOne(l).Round(20).String(), l.VariablePay.String(), strings.Join(l.Flags, " "), l.InputsSHA256, string(b)}
	}
	if err := wh.InsertRows(ctx, tx, "INSERT INTO meta.pay_lines VALUES",
		"(?, ?, ?, ?, ?, ?, ?, ?, ?::DECIMAL(18,4), ?::DECIMAL(38,20), ?::DECIMAL(38,20), ?::DECIMAL(38,20), ?::DECIMAL(38,20), ?::DECIMAL(18,2), ?, ?, ?)", lines); err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	if err := logAction(ctx, tx, now, p, run.ID, "lock", opt.Actor, "", run.InputsSHA256, run.Total); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	s.Status, s.Run = StatusLocked, run
	locked[p] = run
	s.NextOpen = nextOpen(p, locked)
	s.Difference = decimal.Zero
	return s, nil
}

func gateOrOne(l *Line) decimal.Decimal {
	if l.Kind == KindAdjustment {
		return decimal.NewFromInt(1)
	}
	return l.GateMultiplier
}

func logAction(ctx context.Context, x execer, at time.Time, p Period, runID int64, action, actor, reason, sha string, total decimal.Decimal) error {
	_, err := x.ExecContext(ctx, "INSERT INTO meta.pay_log VALUES (?, ?, ?, ?, ?, ?, ?, ?::DECIMAL(18,2))",
		at, p.String(), runID, action, actor, reason, sha, total.String())
	if err != nil {
		return fmt.Errorf("log %s of %s: %w", action, p, err)
	}
	return nil
}

// Unlock reopens a locked period; the reason is required and logged in
// meta.pay_log. The run stays in meta.pay_runs with status unlocked. Unlock
// is meant for a sheet that was locked by mistake before it was paid: the
// next lock of the period replaces its amounts, and adjustments already
// locked in later periods for it still count against it.
func Unlock(ctx context.Context, db *sql.DB, p Period, reason string, opt LockOptions) (*Run, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, fmt.Errorf("unlock %s: a reason is required; it goes to the log", p)
	}
	if err := ensureTables(ctx, db); err != nil {
		return nil, err
	}
	now := opt.now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rs, err := runs(ctx, tx, "WHERE status = 'locked' AND period = "+quote(p.String()))
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("unlock %s: %w", p, ErrNotLocked)
	}
	run := rs[len(rs)-1]
	if _, err := tx.ExecContext(ctx, "UPDATE meta.pay_runs SET status = 'unlocked', unlocked_at = ?, unlocked_by = ?, unlock_reason = ? WHERE run_id = ?",
		now, opt.Actor, reason, run.ID); err != nil {
		return nil, fmt.Errorf("unlock %s: %w", p, err)
	}
	if err := logAction(ctx, tx, now, p, run.ID, "unlock", opt.Actor, reason, run.InputsSHA256, run.Total); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("unlock %s: %w", p, err)
	}
	run.Status, run.UnlockedAt, run.UnlockedBy, run.UnlockReason = "unlocked", &now, opt.Actor, reason
	return run, nil
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
