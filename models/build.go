package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
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
	// AgeingBuckets are the overdue bucket limits in days, increasing (default 30, 60, 90).
	AgeingBuckets []int
	// AgeingBasis is due_date (default) or invoice_date.
	AgeingBasis string
	// ABC are the cumulative net-sales shares closing classes A and B (default 0.80, 0.95).
	ABC []float64
	// XYZ are the coefficient-of-variation limits of classes X and Y (default 0.10, 0.25).
	XYZ []float64
	// OverdueGraceDays is added to a client's payment terms to give its
	// tolerance in credit_control (nil: 7 days).
	OverdueGraceDays *int
	// Full rebuilds every model from scratch instead of only what changed.
	Full bool
	// Now stamps the build log (bookkeeping only; no model reads it).
	Now func() time.Time
	// Progress, when set, is told each step before it starts: every model
	// in build order ("model <name>"), then "checks", "publish" and
	// "checkpoint"; done steps of total. kam build draws it on a terminal.
	Progress func(done, total int, step string)

	// asOfOnly restricts snapshot models to the as-of date (QueryAsOf).
	asOfOnly bool
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
	if len(o.ABC) == 0 {
		o.ABC = []float64{0.80, 0.95}
	}
	if len(o.XYZ) == 0 {
		o.XYZ = []float64{0.10, 0.25}
	}
	if o.OverdueGraceDays == nil {
		grace := 7
		o.OverdueGraceDays = &grace
	}
}

// validate rejects settings the models cannot use (after setDefaults).
func (o *Options) validate() error {
	for i, b := range o.AgeingBuckets {
		if b <= 0 || (i > 0 && b <= o.AgeingBuckets[i-1]) {
			return fmt.Errorf("models: ageing_buckets %v: want increasing day limits above 0, such as [30, 60, 90]", o.AgeingBuckets)
		}
	}
	if o.AgeingBasis != "due_date" && o.AgeingBasis != "invoice_date" {
		return fmt.Errorf("models: ageing_basis %q: want due_date or invoice_date", o.AgeingBasis)
	}
	if !(len(o.ABC) == 2 && o.ABC[0] > 0 && o.ABC[0] < o.ABC[1] && o.ABC[1] <= 1) {
		return fmt.Errorf("models: abc %v: want two increasing shares in (0, 1], such as [0.8, 0.95]", o.ABC)
	}
	if !(len(o.XYZ) == 2 && o.XYZ[0] > 0 && o.XYZ[0] < o.XYZ[1]) {
		return fmt.Errorf("models: xyz %v: want two increasing coefficients of variation above 0, such as [0.1, 0.25]", o.XYZ)
	}
	return nil
}

// variable is one session variable and its value as a SQL literal.
type variable struct{ name, literal string }

func (o Options) variables() []variable {
	o.setDefaults()
	ints := make([]string, len(o.AgeingBuckets))
	for i, b := range o.AgeingBuckets {
		ints[i] = fmt.Sprint(b)
	}
	return []variable{
		{"as_of", "DATE " + wh.QuoteString(o.AsOf.Format("2006-01-02"))},
		{"active_window_days", fmt.Sprint(o.ActiveWindowDays)},
		{"ageing_buckets", fmt.Sprintf("[%s]::INTEGER[]", strings.Join(ints, ", "))},
		{"ageing_basis", wh.QuoteString(o.AgeingBasis)},
		// decimals, not doubles: total × 0.8 in doubles misses exact boundaries (400.08 of 500.10 is 80 %, not less)
		{"abc_limits", decimalList(o.ABC)},
		{"xyz_limits", decimalList(o.XYZ)},
		{"overdue_grace_days", fmt.Sprint(*o.OverdueGraceDays)},
		{"as_of_only", fmt.Sprint(o.asOfOnly)},
	}
}

// decimalList writes limits as a DECIMAL(18, 9)[] literal.
func decimalList(xs []float64) string {
	lits := make([]string, len(xs))
	for i, x := range xs {
		lits[i] = decimalLiteral(x)
	}
	return "[" + strings.Join(lits, ", ") + "]::DECIMAL(18, 9)[]"
}

// decimalLiteral writes a limit from kam.yaml as the decimal it was written as
// (0.8, not 0.8000000000000000444).
func decimalLiteral(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Variables are the SET VARIABLE statements the SQL files read with
// getvariable(); run them in a duckdb shell to run a model file by hand.
func (o Options) Variables() []string {
	var out []string
	for _, v := range o.variables() {
		out = append(out, "SET VARIABLE "+v.name+" = "+v.literal)
	}
	return out
}

// Result describes a finished build.
type Result struct {
	BuildID int64
	AsOf    time.Time
	Models  []ModelResult
	// Checks is how many data checks ran (and passed); checks of models
	// nothing changed for are not run again.
	Checks int
	// Recovered: the previous build wrote tables in place and was not
	// published, so this one rebuilt everything.
	Recovered bool
	// ChecksDuration is the time the data checks took, PlanDuration the
	// time spent finding what changed, PublishDuration the swap, and
	// CheckpointDuration the final checkpoint.
	ChecksDuration, PlanDuration, PublishDuration, CheckpointDuration time.Duration
	// ChecksCPU, PublishCPU and CheckpointCPU are the process CPU time of
	// those phases (zero unless a CPU clock is set, as for ModelResult.CPU).
	ChecksCPU, PublishCPU, CheckpointCPU time.Duration
}

// cpuNow reads the CPU clock, zero without one.
func cpuNow() time.Duration {
	if cpuClock == nil {
		return 0
	}
	return cpuClock()
}

// ModelResult is one built model.
type ModelResult struct {
	Name     string
	Rows     int64
	Duration time.Duration
	// Mode is full, incremental, skipped or view; an incremental build
	// recomputed the rows from From on.
	Mode string
	From time.Time
	// CPU is the process CPU time the model took (zero unless a CPU clock
	// is set: tests and benchmarks on a shared machine, where it varies
	// less than wall time).
	CPU time.Duration
}

// cpuClock, when set, reads the process's CPU time (tests set it).
var cpuClock func() time.Duration

// ModelError is a model that failed to build.
type ModelError struct {
	Model, Path string
	Err         error
}

func (e *ModelError) Error() string {
	msg := fmt.Sprintf("build model %s (sql/%s): %v", e.Model, e.Path, e.Err)
	if strings.Contains(msg, "Overflow in multiplication of DECIMAL") {
		// DuckDB's own advice (add a cast) is not the user's to follow.
		msg += "\nA product of two source values is too large: quantity × price and other products of DECIMAL(18,4) values must stay below " + wh.MaxProductText +
			". Look for a misplaced decimal point in the source rows; the previous marts are unchanged"
	}
	return msg
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

// dataSpan is the first event date in the canonical tables and the as-of date.
func dataSpan(ctx context.Context, q querier, asOf time.Time) ([2]time.Time, error) {
	var d sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT least(
        (SELECT min(order_date) FROM main.order_lines), (SELECT min(shipped_on) FROM main.order_lines),
        (SELECT min(invoice_date) FROM main.invoices), (SELECT min(paid_on) FROM main.payments),
        (SELECT min(return_date) FROM main.returns))`).Scan(&d)
	if err != nil || !d.Valid || d.Time.After(asOf) {
		return [2]time.Time{asOf, asOf}, err
	}
	return [2]time.Time{d.Time, asOf}, nil
}

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

// nextSuffix names the tables a build writes before it publishes them, and
// deltaSuffix the new rows of an incremental mart.
const (
	nextSuffix  = "__next"
	deltaSuffix = "__delta"
)

// Build brings every model up to date and runs the checks; when a model or
// a check fails, the previous marts stay as they were.
//
// Each rebuilt table is written as <schema>.<name>__next and committed (so
// later models are planned on real statistics), the checks run against
// those, and one short transaction then swaps them in by name: readers see
// the old marts until the swap and the new ones after it. Models that
// nothing changed for are skipped. Incremental models (-- @incremental)
// recompute only the rows from the earliest changed date on; in the core
// layer they are updated in place, each in its own transaction (a failed
// build leaves them ahead of the marts, and the next build, planned from
// the last successful one, recomputes the same rows again), while marts are
// copied and swapped like the others. Staging views are recreated in place.
//
// An incremental build that rebuilds no history in full runs as one
// transaction instead (see inOneTransaction): incremental tables, marts
// too, are updated in place, and the __next tables of the small models
// rebuilt in full are swapped in before it commits. Readers see the old
// marts until the commit; a failure rolls everything back.
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
	if err := opt.validate(); err != nil {
		return nil, err
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for _, q := range append(append(opt.Variables(), "SET VARIABLE rebuild_from = NULL::DATE", "SET VARIABLE rebuild_to = NULL::DATE"), stateDDL...) {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	if err := createMacros(ctx, conn); err != nil {
		return nil, err
	}
	if err := dropNext(ctx, conn); err != nil {
		return nil, err
	}
	// One checkpoint at the end instead of automatic ones between models
	// (each would rewrite what the models before it wrote).
	var threshold string
	if err := conn.QueryRowContext(ctx, "SELECT current_setting('checkpoint_threshold')").Scan(&threshold); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "SET checkpoint_threshold = '1TB'"); err != nil {
		return nil, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SET checkpoint_threshold = "+wh.QuoteString(threshold))
	planStart := time.Now()
	prev, err := loadState(ctx, conn)
	if err != nil {
		return nil, err
	}
	changes, err := entityChanges(ctx, conn, prev)
	if err != nil {
		return nil, err
	}
	exists, err := existingObjects(ctx, conn)
	if err != nil {
		return nil, err
	}
	settings := opt.settingsKey()
	recovered := prev != nil && prev.Unfinished && !opt.Full
	if opt.Full || recovered {
		// after a build that wrote core tables in place and was not
		// published, their rows are no longer what any plan can tell
		prev = nil
	}
	plans := planBuild(order, prev, changes, exists, opt, settings)

	span, err := dataSpan(ctx, conn, opt.AsOf)
	if err != nil {
		return nil, err
	}
	res := &Result{AsOf: opt.AsOf, PlanDuration: time.Since(planStart), Recovered: recovered}
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(max(build_id), 0) + 1 FROM meta.builds").Scan(&res.BuildID); err != nil {
		return nil, err
	}
	published := false
	defer func() {
		if !published {
			_ = dropNext(context.WithoutCancel(ctx), conn)
		}
	}()
	oneTx := inOneTransaction(order, plans, prev != nil)
	if !oneTx {
		// tables are committed model by model: until this build is published,
		// the next one must assume they may hold rows as of this date
		if _, err := conn.ExecContext(ctx, "INSERT INTO meta.build_attempts VALUES (?)", opt.AsOf); err != nil {
			return nil, err
		}
	}
	if oneTx {
		if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
			return nil, err
		}
		defer func() {
			if !published {
				_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
			}
		}()
	}
	next := map[string]bool{} // models written as __next this build
	steps := len(order) + 3
	progress := func(done int, step string) {
		if opt.Progress != nil {
			opt.Progress(done, steps, step)
		}
	}
	for i, m := range order {
		progress(i, "model "+m.Name)
		start := time.Now()
		cpu0 := cpuNow()
		p := plans[m.Name]
		mr := ModelResult{Name: m.Name, Mode: p.mode}
		if err := buildModel(ctx, conn, m, p, next, span, oneTx); err != nil {
			return nil, &ModelError{Model: m.Name, Path: m.Path, Err: err}
		}
		if p.mode == ModeIncremental {
			mr.From = p.floor
		}
		if m.Materialize == "table" && p.mode != ModeSkipped {
			name := m.QualifiedName()
			if next[m.Name] {
				name += nextSuffix
			}
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM "+name).Scan(&mr.Rows); err != nil {
				return nil, &ModelError{Model: m.Name, Path: m.Path, Err: err}
			}
		}
		mr.Duration = time.Since(start)
		mr.CPU = cpuNow() - cpu0
		res.Models = append(res.Models, mr)
	}
	progress(len(order), "checks")
	checkStart, checkCPU := time.Now(), cpuNow()
	byName := map[string]*Model{}
	for _, m := range order {
		byName[m.Name] = m
	}
	all := append(generatedChecks(order), checks...)
	for _, m := range order {
		if p := plans[m.Name]; m.UnchangedBefore != "" && p.mode == ModeFull && !p.floor.Equal(floorAll) {
			all = append(all, unchangedBeforeCheck(m, p.floor))
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return layerIndex(all[i].Layer) < layerIndex(all[j].Layer) })
	for _, c := range all {
		if prev != nil && unchanged(c, plans) {
			continue
		}
		// a file check may skip rows before the earliest date its inputs changed
		from := "NULL::DATE"
		if f := checkFloor(c, plans); !f.Equal(floorAll) {
			from = "DATE '" + f.Format("2006-01-02") + "'"
		}
		if _, err := conn.ExecContext(ctx, "SET VARIABLE check_from = "+from); err != nil {
			return nil, err
		}
		if err := runCheck(ctx, conn, narrowCheck(c, byName, plans), next); err != nil {
			return nil, err
		}
		res.Checks++
	}
	res.ChecksDuration, res.ChecksCPU = time.Since(checkStart), cpuNow()-checkCPU
	progress(len(order)+1, "publish")
	publishStart, publishCPU := time.Now(), cpuNow()
	if err := publish(ctx, conn, order, next, plans, changes, res, opt, settings, now().UTC(), oneTx); err != nil {
		return nil, err
	}
	if oneTx {
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			return nil, fmt.Errorf("commit the build: %w", err)
		}
	}
	published = true
	res.PublishDuration, res.PublishCPU = time.Since(publishStart), cpuNow()-publishCPU
	progress(len(order)+2, "checkpoint")
	checkpointStart, checkpointCPU := time.Now(), cpuNow()
	// published: an interrupt now would only report a failure that is not one
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), "CHECKPOINT"); err != nil {
		return nil, fmt.Errorf("checkpoint after the build: %w", err)
	}
	res.CheckpointDuration, res.CheckpointCPU = time.Since(checkpointStart), cpuNow()-checkpointCPU
	return res, nil
}

// buildChunked writes a model from scratch slice by slice of its partition
// column: before the first month of the data span, then ChunkMonths at a
// time, then everything after; together the slices hold every row. The
// slices are written in one transaction: committed one by one, each left a
// part-filled row group that the build's checkpoint then had to rewrite.
func buildChunked(ctx context.Context, conn *sql.Conn, m *Model, body string, span [2]time.Time) error {
	col := wh.QuoteIdent(m.Incremental)
	target := m.QualifiedName() + nextSuffix
	lit := func(t time.Time) string { return "DATE '" + t.Format("2006-01-02") + "'" }
	start := time.Date(span[0].Year(), span[0].Month(), 1, 0, 0, 0, 0, time.UTC)
	bounds := []time.Time{floorAll}
	for t := start; !t.After(span[1]); t = t.AddDate(0, m.ChunkMonths, 0) {
		bounds = append(bounds, t)
	}
	bounds = append(bounds, floorNone)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := 0; i+1 < len(bounds); i++ {
		from, to := bounds[i], bounds[i+1]
		for _, q := range []string{"SET VARIABLE rebuild_from = " + lit(from), "SET VARIABLE rebuild_to = " + lit(to)} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		slice := fmt.Sprintf("SELECT * FROM (\n%s\n) AS model WHERE %s >= %s AND %s < %s", body, col, lit(from), col, lit(to))
		if i == 0 {
			if err := createTableAs(ctx, tx, target, slice, m.Compression); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s %s", target, slice)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, "SET VARIABLE rebuild_from = NULL::DATE; SET VARIABLE rebuild_to = NULL::DATE"); err != nil {
		return err
	}
	return tx.Commit()
}

// createTableAs writes the rows of query into a new table. Columns with a
// pinned compression need the table declared first: CREATE TABLE AS cannot
// say it, and DuckDB keeps a column's method for the table's life, so the
// rows an incremental build inserts later are stored the same way.
func createTableAs(ctx context.Context, q querier, table, query string, pinned []ColumnCompression) error {
	if len(pinned) == 0 {
		_, err := q.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s AS\n%s", table, query))
		return err
	}
	rows, err := q.QueryContext(ctx, "DESCRIBE "+query)
	if err != nil {
		return err
	}
	_, described, _, err := wh.ScanStrings(rows, 0)
	if err != nil {
		return err
	}
	method := map[string]string{}
	for _, c := range pinned {
		method[c.Column] = c.Method
	}
	cols := make([]string, len(described))
	for i, d := range described {
		name, typ := d[0], d[1]
		cols[i] = wh.QuoteIdent(name) + " " + typ
		if m, ok := method[name]; ok {
			cols[i] += " USING COMPRESSION " + m
			delete(method, name)
		}
	}
	if len(method) > 0 {
		missing := slices.Sorted(maps.Keys(method))
		return fmt.Errorf("@compression names %s, which the model does not have", strings.Join(missing, ", "))
	}
	if _, err := q.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %s (\n    %s\n)", table, strings.Join(cols, ",\n    "))); err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s\n%s", table, query))
	return err
}

// buildModel writes one model as its plan says.
func buildModel(ctx context.Context, conn *sql.Conn, m *Model, p modelPlan, next map[string]bool, span [2]time.Time, inTx bool) error {
	exec := func(q string, args ...any) error {
		_, err := conn.ExecContext(ctx, q, args...)
		return err
	}
	body := strings.TrimRight(strings.TrimSpace(rewriteRefs(m.SQL, next)), ";")
	live := m.QualifiedName()
	switch p.mode {
	case ModeSkipped:
		return nil
	case ModeView:
		if m.Layer == "staging" {
			return exec(fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", live, body))
		}
		// a core or mart view is swapped in with the tables
		if err := exec(fmt.Sprintf("CREATE VIEW %s AS\n%s", live+nextSuffix, body)); err != nil {
			return err
		}
		next[m.Name] = true
		return nil
	case ModeFull:
		if m.ChunkMonths > 0 && m.Materialize == "table" {
			if err := buildChunked(ctx, conn, m, body, span); err != nil {
				return err
			}
			next[m.Name] = true
			return nil
		}
		if err := exec("SET VARIABLE rebuild_from = NULL::DATE"); err != nil {
			return err
		}
		var err error
		if m.Materialize == "view" {
			err = exec(fmt.Sprintf("CREATE VIEW %s AS\n%s", live+nextSuffix, body))
		} else {
			err = createTableAs(ctx, conn, live+nextSuffix, body, m.Compression)
		}
		if err != nil {
			return err
		}
		next[m.Name] = true
		return nil
	}
	// incremental
	from := p.floor.Format("2006-01-02")
	if err := exec("SET VARIABLE rebuild_from = DATE " + wh.QuoteString(from)); err != nil {
		return err
	}
	defer exec("SET VARIABLE rebuild_from = NULL::DATE")
	col := wh.QuoteIdent(m.Incremental)
	fresh := fmt.Sprintf("SELECT * FROM (\n%s\n) AS model WHERE %s >= DATE '%s'", body, col, from)
	if m.Layer == "marts" && !inTx {
		// a mart changes only when the build is published: the new rows wait
		// in __delta, and __next shows the mart as it will be
		if err := exec(fmt.Sprintf("CREATE TABLE %s AS %s", live+deltaSuffix, fresh)); err != nil {
			return err
		}
		next[m.Name] = true
		return exec(fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s WHERE %s < DATE '%s' UNION ALL BY NAME SELECT * FROM %s",
			live+nextSuffix, live, col, from, live+deltaSuffix))
	}
	tx, err := begin(ctx, conn, inTx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s >= DATE '%s'", live, col, from)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME %s", live, fresh)); err != nil {
		return err
	}
	return tx.Commit()
}

// rewriteRefs points references to models rebuilt in this build at their
// __next tables.
func rewriteRefs(sqlText string, next map[string]bool) string {
	return refPattern.ReplaceAllStringFunc(sqlText, func(ref string) string {
		g := refPattern.FindStringSubmatch(ref)
		if g[1] != "main" && next[g[2]] {
			return ref + nextSuffix
		}
		return ref
	})
}

// publish swaps the __next tables in and records the build, in one transaction.
func publish(ctx context.Context, conn *sql.Conn, order []*Model, next map[string]bool, plans map[string]modelPlan,
	changes map[string]entityChange, res *Result, opt Options, settings string, builtAt time.Time, inTx bool) error {
	tx, err := begin(ctx, conn, inTx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	}
	for _, m := range order {
		if !next[m.Name] {
			continue
		}
		live := m.QualifiedName()
		if p := plans[m.Name]; p.mode == ModeIncremental {
			from := p.floor.Format("2006-01-02")
			col := wh.QuoteIdent(m.Incremental)
			for _, q := range []string{
				"DROP VIEW " + live + nextSuffix,
				fmt.Sprintf("DELETE FROM %s WHERE %s >= DATE '%s'", live, col, from),
				fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", live, live+deltaSuffix),
				"DROP TABLE " + live + deltaSuffix,
			} {
				if err := exec(q); err != nil {
					return fmt.Errorf("publish %s: %w", live, err)
				}
			}
			continue
		}
		var existing string
		err := tx.QueryRowContext(ctx, "SELECT table_type FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", m.Layer, m.Name).Scan(&existing)
		switch {
		case err == sql.ErrNoRows:
			err = nil
		case err != nil:
			return err
		case existing == "VIEW":
			err = exec("DROP VIEW " + live)
		default:
			err = exec("DROP TABLE " + live)
		}
		if err != nil {
			return fmt.Errorf("publish %s: %w", live, err)
		}
		if m.Materialize == "view" {
			// a view's text names the tables it reads: create it anew with the final names
			err = exec("DROP VIEW " + live + nextSuffix)
			if err == nil {
				err = exec(fmt.Sprintf("CREATE VIEW %s AS\n%s", live, strings.TrimRight(strings.TrimSpace(m.SQL), ";")))
			}
		} else {
			err = exec(fmt.Sprintf("ALTER TABLE %s RENAME TO %s", live+nextSuffix, wh.QuoteIdent(m.Name)))
		}
		if err != nil {
			return fmt.Errorf("publish %s: %w", live, err)
		}
	}
	// one INSERT per table: a statement per row cost about 0.1 s of an incremental build
	var logRows, modelRows, entityRows [][]any
	for _, mr := range res.Models {
		logRows = append(logRows, []any{res.BuildID, opt.AsOf, mr.Name, "model", mr.Rows, mr.Duration.Milliseconds(), builtAt})
	}
	for _, m := range order {
		p := plans[m.Name]
		var from any
		if p.mode == ModeIncremental {
			from = p.floor
		}
		modelRows = append(modelRows, []any{res.BuildID, m.Name, sqlHash(m.SQL), p.mode, from})
	}
	for name, c := range changes {
		entityRows = append(entityRows, []any{res.BuildID, name, c.now.Rows, c.now.LoadID})
	}
	for _, ins := range []struct {
		table string
		rows  [][]any
	}{{"meta.build_log", logRows}, {"meta.build_models", modelRows}, {"meta.build_entities", entityRows}} {
		if len(ins.rows) == 0 {
			continue
		}
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ins.rows[0])), ", ") + ")"
		if err := wh.InsertRows(ctx, tx, "INSERT INTO "+ins.table+" VALUES", tuple, ins.rows); err != nil {
			return err
		}
	}
	if err := exec("INSERT INTO meta.build_state VALUES (?, ?, ?)", res.BuildID, opt.AsOf, settings); err != nil {
		return err
	}
	if err := exec("DELETE FROM meta.build_attempts"); err != nil {
		return err
	}
	if err := exec("INSERT INTO meta.builds VALUES (?, ?, ?, ?, ?)", res.BuildID, opt.AsOf, len(res.Models), res.Checks, builtAt); err != nil {
		return err
	}
	return tx.Commit()
}

// existingObjects lists the tables and views of the model schemas.
func existingObjects(ctx context.Context, q querier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('staging', 'core', 'marts')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[s] = true
	}
	return out, rows.Err()
}

// dropNext removes the __next and __delta tables and views a build left
// behind (views first: they read the tables).
func dropNext(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT table_schema, table_name, table_type FROM information_schema.tables
        WHERE table_schema IN ('staging', 'core', 'marts') AND (suffix(table_name, ?) OR suffix(table_name, ?))
        ORDER BY table_type DESC, table_schema, table_name`, nextSuffix, deltaSuffix)
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var schema, name, kind string
		if err := rows.Scan(&schema, &name, &kind); err != nil {
			rows.Close()
			return err
		}
		what := "TABLE"
		if kind == "VIEW" {
			what = "VIEW"
		}
		drops = append(drops, fmt.Sprintf("DROP %s IF EXISTS %s.%s", what, schema, wh.QuoteIdent(name)))
	}
	rows.Close()
	for _, q2 := range drops {
		if _, err := q.ExecContext(ctx, q2); err != nil {
			return err
		}
	}
	return nil
}

// generatedChecks turns @unique and @not_null annotations into checks.
func generatedChecks(models []*Model) []*Check {
	var out []*Check
	for _, m := range models {
		refs := []string{m.QualifiedName()}
		if len(m.Unique) > 0 {
			cols := strings.Join(m.Unique, ", ")
			out = append(out, &Check{
				Layer:       m.Layer,
				Refs:        refs,
				Name:        m.Name + "__unique",
				Description: fmt.Sprintf("one row per %s", cols),
				SQL:         fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY ALL HAVING count(*) > 1", cols, m.QualifiedName()),
			})
		}
		if len(m.NotNull) > 0 {
			conds := make([]string, len(m.NotNull))
			for i, c := range m.NotNull {
				conds[i] = c + " IS NULL"
			}
			out = append(out, &Check{
				Layer:       m.Layer,
				Refs:        refs,
				Name:        m.Name + "__not_null",
				Description: strings.Join(m.NotNull, ", ") + " are never empty",
				SQL:         fmt.Sprintf("SELECT * FROM %s WHERE %s", m.QualifiedName(), strings.Join(conds, " OR ")),
			})
		}
	}
	return out
}

// unchangedBeforeCheck holds a table declaring @unchanged_before to it: its
// rebuilt rows dated before floor are the rows it had. The models reading it
// were planned from floor on and would otherwise miss the difference.
func unchangedBeforeCheck(m *Model, floor time.Time) *Check {
	col := wh.QuoteIdent(m.UnchangedBefore)
	// the quoted name is not rewritten to __next: the live table, as the last build left it
	before := func(table string) string {
		return fmt.Sprintf("SELECT * FROM %s WHERE %s < DATE '%s'", table, col, floor.Format("2006-01-02"))
	}
	rebuilt, previous := m.QualifiedName(), m.Layer+"."+wh.QuoteIdent(m.Name)
	return &Check{
		Layer:       m.Layer,
		Refs:        []string{m.QualifiedName()},
		Name:        m.Name + "__unchanged_before",
		Description: fmt.Sprintf("rows with %s before %s are as the last build left them (@unchanged_before: the models reading it were planned on that; `kam build --full` rebuilds all of them)", m.UnchangedBefore, floor.Format("2006-01-02")),
		SQL: fmt.Sprintf("SELECT 'rebuilt' AS version, * FROM (%s EXCEPT ALL %s)\nUNION ALL\nSELECT 'previous', * FROM (%s EXCEPT ALL %s)",
			before(rebuilt), before(previous), before(previous), before(rebuilt)),
	}
}

// narrowCheck limits a generated check of an incrementally rebuilt model to
// the recomputed rows: the kept rows passed before, and when the key holds
// the partition column a new row can only clash with other new rows.
func narrowCheck(c *Check, byName map[string]*Model, plans map[string]modelPlan) *Check {
	if c.Path != "" || len(c.Refs) != 1 {
		return c
	}
	_, name, _ := strings.Cut(c.Refs[0], ".")
	m, p := byName[name], plans[name]
	// a view declaring @incremental is read like an incremental table: its rows before the floor come from
	// unchanged inputs
	incrementalView := m != nil && p.mode == ModeView && m.Incremental != "" && !p.floor.Equal(floorAll)
	if m == nil || (p.mode != ModeIncremental && !incrementalView) {
		return c
	}
	if strings.HasSuffix(c.Name, "__unique") && !slices.Contains(m.Unique, m.Incremental) {
		return c
	}
	narrowed := *c
	from := fmt.Sprintf("(SELECT * FROM %s WHERE %s >= DATE '%s')", m.QualifiedName(), wh.QuoteIdent(m.Incremental), p.floor.Format("2006-01-02"))
	narrowed.SQL = strings.Replace(c.SQL, "FROM "+m.QualifiedName(), "FROM "+from+" AS recomputed", 1)
	return &narrowed
}

// checkFloor is the earliest date from which anything a check reads changed.
func checkFloor(c *Check, plans map[string]modelPlan) time.Time {
	f := floorNone
	for _, ref := range c.Refs {
		schema, name, _ := strings.Cut(ref, ".")
		p, ok := plans[name]
		if schema == "main" || !ok {
			return floorAll
		}
		f = minTime(f, p.floor)
	}
	return f
}

// unchanged reports whether nothing a check reads changed in this build,
// so its earlier pass still holds.
func unchanged(c *Check, plans map[string]modelPlan) bool {
	for _, ref := range c.Refs {
		schema, name, _ := strings.Cut(ref, ".")
		p, ok := plans[name]
		if schema == "main" || !ok || !p.floor.Equal(floorNone) {
			return false
		}
	}
	return len(c.Refs) > 0
}

const shownRows = 5

func runCheck(ctx context.Context, q querier, c *Check, next map[string]bool) error {
	text := strings.TrimRight(strings.TrimSpace(rewriteRefs(c.SQL, next)), ";")
	rows, err := q.QueryContext(ctx, text)
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

// inOneTransaction reports whether a build runs as one transaction: an
// incremental one, where no history is rebuilt in full. Its models update
// their tables in place, so the rows it replaces are written once (not to a
// __delta table and again into the mart), there is one commit instead of
// one per model, and a failed model or check rolls back the core tables
// too. A build that rebuilds history writes each table in a transaction of
// its own: reading back a large uncommitted table made the checks of a full
// build twice as slow.
func inOneTransaction(order []*Model, plans map[string]modelPlan, incremental bool) bool {
	if !incremental {
		return false
	}
	for _, m := range order {
		if m.Incremental != "" && m.Materialize == "table" && plans[m.Name].mode == ModeFull {
			return false
		}
	}
	return true
}

// txn is a transaction of its own, or the build's (which its owner ends).
type txn interface {
	querier
	Commit() error
	Rollback() error
}

type buildTx struct{ *sql.Conn }

func (buildTx) Commit() error   { return nil }
func (buildTx) Rollback() error { return nil }

// begin starts a transaction on conn, or joins the build's.
func begin(ctx context.Context, conn *sql.Conn, inBuildTx bool) (txn, error) {
	if inBuildTx {
		return buildTx{conn}, nil
	}
	return conn.BeginTx(ctx, nil)
}
