package models

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// How a build treats a model.
const (
	ModeFull        = "full"        // recomputed from scratch
	ModeIncremental = "incremental" // rows from a date on recomputed, earlier rows kept
	ModeSkipped     = "skipped"     // nothing it reads changed: the built table stays
	ModeView        = "view"        // staging views are recreated every build
)

// datedEntities maps a canonical entity that grows with time to the SQL
// expression of a row's date: new rows of such an entity only touch models
// from the earliest of those dates on. Every other entity (managers,
// clients, assignments, products, price list, plans, promotions) is
// reference data: any change to it rebuilds what reads it.
var datedEntities = map[string]string{
	"order_lines": "least(order_date, coalesce(shipped_on, order_date))",
	"returns":     "return_date",
	// an invoice also touches the days of the credits that name it: they wait for it as prepaid money
	"invoices": `least(invoice_date,
        coalesce((SELECT min(paid_on) FROM main.payments p WHERE p.invoice_id = invoices.invoice_id), invoice_date),
        coalesce((SELECT min(return_date) FROM main.returns r WHERE r.invoice_id = invoices.invoice_id), invoice_date))`,
	"payments":         "paid_on",
	"activities":       "least(coalesce(planned_on, done_on), coalesce(done_on, planned_on))",
	"competitor_notes": "noted_on",
	"deals":            "opened_on",
}

// Sentinel floors: a model untouched by the changes, and one touched
// everywhere (reference data changed, rows replaced, settings changed).
var (
	floorNone = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	floorAll  = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
)

// entityState is what a build remembers of a canonical table.
type entityState struct {
	Rows   int64
	LoadID int64
}

// buildState is what the last successful build left behind.
type buildState struct {
	BuildID int64
	AsOf    time.Time
	// Unfinished: a build begun since was not published. One that is not a
	// single transaction commits core tables model by model, so they may
	// hold rows of data since replaced, or as of another date.
	Unfinished bool
	Settings   string
	Entities   map[string]entityState
	Models     map[string]string // model → hash of its SQL
}

var stateDDL = []string{
	`CREATE TABLE IF NOT EXISTS meta.builds (build_id BIGINT, as_of DATE, models INTEGER, checks INTEGER, built_at TIMESTAMP)`,
	`CREATE TABLE IF NOT EXISTS meta.build_state (build_id BIGINT, as_of DATE, settings VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS meta.build_entities (build_id BIGINT, entity VARCHAR, row_count BIGINT, load_id BIGINT)`,
	`CREATE TABLE IF NOT EXISTS meta.build_models (build_id BIGINT, model VARCHAR, sql_hash VARCHAR, mode VARCHAR, rebuilt_from DATE)`,
	`CREATE TABLE IF NOT EXISTS meta.build_attempts (as_of DATE)`,
}

func loadState(ctx context.Context, q querier) (*buildState, error) {
	st := &buildState{Entities: map[string]entityState{}, Models: map[string]string{}}
	err := q.QueryRowContext(ctx, "SELECT build_id, as_of, settings FROM meta.build_state ORDER BY build_id DESC LIMIT 1").Scan(&st.BuildID, &st.AsOf, &st.Settings)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// a warehouse last built by an older kam has no such table
	if err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'build_attempts'), false)`).Scan(&st.Unfinished); err != nil {
		return nil, err
	}
	if st.Unfinished {
		if err := q.QueryRowContext(ctx, "SELECT count(*) > 0 FROM meta.build_attempts").Scan(&st.Unfinished); err != nil {
			return nil, err
		}
	}
	rows, err := q.QueryContext(ctx, "SELECT entity, row_count, load_id FROM meta.build_entities WHERE build_id = ?", st.BuildID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e string
		var s entityState
		if err := rows.Scan(&e, &s.Rows, &s.LoadID); err != nil {
			rows.Close()
			return nil, err
		}
		st.Entities[e] = s
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, "SELECT model, sql_hash FROM meta.build_models WHERE build_id = ?", st.BuildID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m, h string
		if err := rows.Scan(&m, &h); err != nil {
			return nil, err
		}
		st.Models[m] = h
	}
	return st, rows.Err()
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// entityChange is how a canonical table changed since the last build.
type entityChange struct {
	now   entityState
	floor time.Time // floorNone, floorAll or the earliest date of the new rows
}

// entityChanges compares every canonical table with the last build:
// unchanged, grown by new loads only (a dated entity: from their earliest
// date), or changed in any other way (rows replaced or deleted, reference
// data): everywhere.
func entityChanges(ctx context.Context, q querier, prev *buildState) (map[string]entityChange, error) {
	out := map[string]entityChange{}
	for _, e := range wh.Entities {
		var c entityChange
		if err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*), coalesce(max(_load_id), 0) FROM main.%s", e.Name)).Scan(&c.now.Rows, &c.now.LoadID); err != nil {
			return nil, err
		}
		c.floor = floorAll
		if prev != nil {
			if was, ok := prev.Entities[e.Name]; ok {
				var newRows int64
				var minDate sql.NullTime
				dateExpr, dated := datedEntities[e.Name]
				if !dated {
					dateExpr = "NULL::DATE"
				}
				if err := q.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*), min(%s) FROM main.%s WHERE _load_id > ?", dateExpr, e.Name), was.LoadID).Scan(&newRows, &minDate); err != nil {
					return nil, err
				}
				switch {
				case c.now.Rows != was.Rows+newRows:
					// rows replaced (late corrections), deleted or added outside a load
				case newRows == 0:
					c.floor = floorNone
				case dated && minDate.Valid:
					c.floor = minDate.Time
				}
			}
		}
		out[e.Name] = c
	}
	return out, nil
}

// modelPlan is what one build does with one model.
type modelPlan struct {
	mode  string
	floor time.Time // incremental: rows with the partition column on or after it are recomputed
}

// planBuild decides per model, in build order, whether to rebuild it fully,
// incrementally from a date, or skip it. A model is rebuilt fully when it is
// new, its SQL changed, the settings it reads changed, the as-of date went
// back, or something it reads changed everywhere; an incremental model
// otherwise recomputes from the earliest date any input changed (and, when
// it reads the as-of date, from the first day of the previous as-of month);
// a table declaring @unchanged_before is rebuilt fully but passes that date
// on to what reads it; any model whose inputs did not change at all is
// skipped.
func planBuild(order []*Model, prev *buildState, changes map[string]entityChange, exists map[string]bool, opt Options, settings string) map[string]modelPlan {
	plans := map[string]modelPlan{}
	for _, m := range order {
		inputs := func() time.Time {
			f := floorNone
			for _, ref := range m.Refs {
				_, name, _ := strings.Cut(ref, ".")
				if strings.HasPrefix(ref, "main.") {
					f = minTime(f, changes[name].floor)
				} else {
					f = minTime(f, plans[name].floor)
				}
			}
			return f
		}
		changed := prev == nil || prev.Models[m.Name] != sqlHash(m.SQL)
		if m.Materialize == "view" {
			// a view is recreated every build and changes when what it reads changes
			f := minTime(inputs(), asOfFloor(m, prev, opt))
			if changed {
				f = floorAll
			}
			plans[m.Name] = modelPlan{mode: ModeView, floor: f}
			continue
		}
		full := func() { plans[m.Name] = modelPlan{mode: ModeFull, floor: floorAll} }
		if changed || !exists[m.QualifiedName()] {
			full()
			continue
		}
		if readsSettings(m.SQL) && settings != prev.Settings {
			full()
			continue
		}
		f := minTime(inputs(), asOfFloor(m, prev, opt))
		switch {
		case f.Equal(floorNone):
			plans[m.Name] = modelPlan{mode: ModeSkipped, floor: floorNone}
		case m.UnchangedBefore != "" && !f.Equal(floorAll):
			// rebuilt in full, but what reads it recomputes from f only
			plans[m.Name] = modelPlan{mode: ModeFull, floor: f}
		case m.Incremental == "" || f.Equal(floorAll):
			full()
		default:
			if m.IncrementalGrain == "month" {
				f = time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, time.UTC)
			}
			plans[m.Name] = modelPlan{mode: ModeIncremental, floor: f}
		}
	}
	return plans
}

// asOfFloor is the earliest date from which a model's rows change because
// the as-of date moved since the previous build. Moving forward, a cut
// (@as_of_cut) shows only the rows dated after the earlier date; any other
// reading of the date is assumed to concern the as-of month (a month in
// progress, a period end): from the first day of the earlier as-of month.
// Moving back, both are rebuilt whole, so that no table is cut in place
// before the build is published.
func asOfFloor(m *Model, prev *buildState, opt Options) time.Time {
	if prev == nil || opt.AsOf.Equal(prev.AsOf) {
		return floorNone
	}
	reads := strings.Count(stripComments(m.SQL), "getvariable('as_of')")
	if m.AsOfCut != "" {
		reads-- // the cut's own
	}
	switch {
	case reads <= 0 && m.AsOfCut == "":
		return floorNone
	case opt.AsOf.Before(prev.AsOf):
		return floorAll
	case reads > 0:
		return time.Date(prev.AsOf.Year(), prev.AsOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return prev.AsOf.AddDate(0, 0, 1)
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func sqlHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// settingsKey identifies the settings models read other than the as-of date.
func (o Options) settingsKey() string {
	var parts []string
	for _, v := range o.variables() {
		switch v.name {
		case "as_of", "as_of_only", "rebuild_from", "rebuild_to":
			continue
		}
		parts = append(parts, v.name+"="+v.literal)
	}
	return strings.Join(parts, "; ")
}
