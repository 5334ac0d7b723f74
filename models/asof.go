package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	kamsql "github.com/kam-analytics/kam/sql"
)

var getvariablePattern = regexp.MustCompile(`getvariable\('([a-z_]+)'\)`)

// asOfPrefix names the common table expressions QueryAsOf gives the models
// it recomputes, so they cannot collide with names inside the model files.
const asOfPrefix = "asof__"

// ErrNotBuilt means the built tables do not follow from the data loaded.
var ErrNotBuilt = errors.New("the warehouse holds data the last build did not see")

// QueryAsOf returns one read-only SQL statement that computes a mart as of
// opt.AsOf (required) without touching the built marts, sorted by every
// column. Every model the mart depends on that reads a session variable
// (the as-of date, bucket limits, ...) is recomputed inside the statement as
// a common table expression with the values of opt written in, and only for
// that one date (snapshot marts such as receivables_ageing hold every month
// end when built; as of a date they hold that date alone). Models that read
// no variable are read from the built warehouse, so run `kam build` once
// first. The statement runs on any connection, including a read-only one.
func QueryAsOf(ctx context.Context, db *sql.DB, mart string, opt Options) (string, error) {
	if opt.AsOf.IsZero() {
		return "", fmt.Errorf("%s as of a date: the date is missing", mart)
	}
	opt.setDefaults()
	if err := opt.validate(); err != nil {
		return "", err
	}
	opt.asOfOnly = true
	models, _, err := Parse(kamsql.Files)
	if err != nil {
		return "", err
	}
	order, err := Order(models)
	if err != nil {
		return "", err
	}
	byName := map[string]*Model{}
	for _, m := range order {
		byName[m.Name] = m
	}
	target, ok := byName[mart]
	if !ok || target.Layer != "marts" {
		return "", fmt.Errorf("%s as of a date: no such mart (marts that depend on the as-of date: %s)", mart, strings.Join(DatedMarts(), ", "))
	}
	dynamic := dynamicModels(order)
	if !dynamic[mart] {
		return "", fmt.Errorf("%s does not depend on the as-of date: export it without --as-of (marts that do: %s)", mart, strings.Join(DatedMarts(), ", "))
	}
	// The mart's closure: dynamic models become CTEs; the others must be built.
	need := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if need[n] {
			return
		}
		need[n] = true
		for _, ref := range byName[n].Refs {
			schema, name, _ := strings.Cut(ref, ".")
			if schema != "main" && dynamic[name] {
				visit(name)
			}
		}
	}
	visit(mart)
	var built []string
	for n := range need {
		for _, ref := range byName[n].Refs {
			schema, name, _ := strings.Cut(ref, ".")
			if schema != "main" && !dynamic[name] {
				built = append(built, ref)
			}
		}
	}
	sort.Strings(built)
	for _, ref := range built {
		schema, name, _ := strings.Cut(ref, ".")
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", schema, name).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", fmt.Errorf("%s as of a date reads %s, which is not built yet: run `kam build` first", mart, ref)
		}
	}
	// The built tables must follow from the data: read beside data loaded
	// since, or after a build that was not published, they would mix two
	// states. Only the entities the mart reads, directly or through any
	// model, count.
	prev, err := loadState(ctx, db)
	if err != nil {
		return "", err
	}
	if prev == nil || prev.Unfinished {
		return "", fmt.Errorf("%s as of a date: %w: the last build was not published (it failed or was interrupted), so run `kam build` first", mart, ErrNotBuilt)
	}
	changes, err := entityChanges(ctx, db, prev)
	if err != nil {
		return "", err
	}
	reads, seen := map[string]bool{}, map[string]bool{}
	var entities func(string)
	entities = func(n string) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, ref := range byName[n].Refs {
			schema, name, _ := strings.Cut(ref, ".")
			if schema == "main" {
				reads[name] = true
			} else if byName[name] != nil {
				entities(name)
			}
		}
	}
	entities(mart)
	for _, e := range slices.Sorted(maps.Keys(changes)) {
		if reads[e] && !changes[e].floor.Equal(floorNone) {
			return "", fmt.Errorf("%s as of a date: %w: %s changed since the last build, so run `kam build` first", mart, ErrNotBuilt, e)
		}
	}
	if ok, err := macrosExist(ctx, db); err != nil {
		return "", err
	} else if !ok {
		return "", fmt.Errorf("%s as of a date needs the SQL functions `kam build` writes into the warehouse (this one was built by an older kam): run `kam build` first", mart)
	}
	values := map[string]string{"rebuild_from": "NULL::DATE", "rebuild_to": "NULL::DATE"} // everything, as in a full build
	for _, v := range opt.variables() {
		values[v.name] = v.literal
	}
	var ctes []string
	for _, m := range order {
		if !need[m.Name] {
			continue
		}
		body, err := inlineModel(m, dynamic, values)
		if err != nil {
			return "", err
		}
		ctes = append(ctes, fmt.Sprintf("%s%s AS (\n%s\n)", asOfPrefix, m.Name, body))
	}
	return "WITH " + strings.Join(ctes, ",\n") + "\nSELECT * FROM " + asOfPrefix + mart + " ORDER BY ALL", nil
}

// DatedMarts lists the marts that depend on the as-of date or another
// session variable, the ones QueryAsOf can compute for any date.
func DatedMarts() []string {
	models, _, err := Parse(kamsql.Files)
	if err != nil {
		return nil
	}
	order, err := Order(models)
	if err != nil {
		return nil
	}
	dynamic := dynamicModels(order)
	var out []string
	for _, m := range order {
		if m.Layer == "marts" && dynamic[m.Name] {
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return out
}

// dynamicModels marks the models that read a setting (a session variable
// other than rebuild_from), directly or through a model they read. order
// must be a build order.
func dynamicModels(order []*Model) map[string]bool {
	dynamic := map[string]bool{}
	for _, m := range order {
		if readsSettings(m.SQL) {
			dynamic[m.Name] = true
			continue
		}
		for _, ref := range m.Refs {
			if schema, name, _ := strings.Cut(ref, "."); schema != "main" && dynamic[name] {
				dynamic[m.Name] = true
				break
			}
		}
	}
	return dynamic
}

// inlineModel rewrites a model's SQL for use as a CTE: references to
// recomputed models point at their CTEs, session variables become literals.
func inlineModel(m *Model, dynamic map[string]bool, values map[string]string) (string, error) {
	var missing []string
	body := refPattern.ReplaceAllStringFunc(m.SQL, func(ref string) string {
		g := refPattern.FindStringSubmatch(ref)
		if g[1] != "main" && dynamic[g[2]] {
			return asOfPrefix + g[2]
		}
		return ref
	})
	body = getvariablePattern.ReplaceAllStringFunc(body, func(call string) string {
		name := getvariablePattern.FindStringSubmatch(call)[1]
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
			return call
		}
		return "(" + v + ")"
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("model %s (sql/%s) reads session variables kam does not set: %s", m.Name, m.Path, strings.Join(missing, ", "))
	}
	return strings.TrimRight(strings.TrimSpace(body), ";"), nil
}

// readsSettings reports whether SQL reads a session variable other than
// rebuild_from and rebuild_to (which only narrow what a build recomputes).
func readsSettings(sqlText string) bool {
	for _, g := range getvariablePattern.FindAllStringSubmatch(stripComments(sqlText), -1) {
		if g[1] != "rebuild_from" && g[1] != "rebuild_to" && g[1] != "check_from" {
			return true
		}
	}
	return false
}

// stripComments drops -- comments, line by line.
func stripComments(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if j := strings.Index(l, "--"); j >= 0 {
			lines[i] = l[:j]
		}
	}
	return strings.Join(lines, "\n")
}
