// Package models builds the warehouse's models from the SQL files embedded
// in package sql, in dependency order, and runs the data checks.
//
// The files are the declaration: a model's name is its file stem, its layer
// and schema its folder (staging → core → marts); header comments carry
// annotations (-- @grain, -- @description, -- @materialize, -- @unique,
// -- @not_null, -- @incremental, -- @unchanged_before, -- @chunks,
// -- @compression, -- @as_of_cut; see docs/models.md);
// dependencies are the schema-qualified names the SQL uses
// (main.<entity>, staging.x, core.y, marts.z). Session variables set by
// Build are read with getvariable(): see Options.Variables.
package models

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Layers in build order; a model may read its own layer and those before it.
var Layers = []string{"staging", "core", "marts"}

// Model is one SQL file.
type Model struct {
	Name        string
	Layer       string // staging, core, marts
	Path        string
	SQL         string
	Refs        []string // schema-qualified names it reads, sorted
	Materialize string   // view or table
	Grain       string
	Description string
	Unique      []string // columns that together identify a row
	NotNull     []string
	// Incremental is the DATE column a model is partitioned by
	// (-- @incremental: column [by month]): a build may recompute only the
	// rows from a date on and keep the earlier ones. Empty = always rebuilt.
	// On a view it says the same of the view's rows, so checks of it look at
	// the recomputed dates only.
	Incremental string
	// IncrementalGrain is day or month: the column holds dates or month starts.
	IncrementalGrain string
	// ChunkMonths > 0 (-- @chunks: N months) builds an incremental model
	// from scratch in slices of N months of its partition column, each with
	// the session variables rebuild_from and rebuild_to (exclusive) set: for
	// aggregations whose one-shot hash tables would not fit in memory.
	ChunkMonths int
	// UnchangedBefore (-- @unchanged_before: column) declares of a table
	// rebuilt in full every build that its rows dated by column before the
	// earliest date its inputs changed come out as they were (a first
	// shipment moves only to a new, later-dated shipment), so the models
	// reading it may stay incremental from that date. Each build that relies
	// on it checks it.
	UnchangedBefore string
	// Compression pins DuckDB's compression of some columns of a table
	// (-- @compression: column method, ...), in the order written: for
	// columns of unique strings such as document ids, where DuckDB would try
	// a dictionary on every row group before it settles on FSST.
	Compression []ColumnCompression
	// AsOfCut (-- @as_of_cut: column) leaves out the rows whose DATE column
	// is after the as-of date: the file's query is wrapped in SELECT * FROM
	// (...) WHERE column <= as_of, so what the model says of "as of" holds by
	// construction, and a build that moves the as-of date recomputes only
	// the rows dated after the earlier of the two dates.
	AsOfCut string
}

// ColumnCompression is one column's pinned compression method.
type ColumnCompression struct {
	Column, Method string
}

// compressionMethods are the methods @compression accepts (DuckDB has more;
// these are the ones that suit strings).
var compressionMethods = []string{"dictionary", "fsst", "uncompressed"}

// Check is one data check: a query that returns offending rows.
type Check struct {
	Name        string
	Path        string
	SQL         string
	Description string
	// Layer is the latest layer the check reads; checks run layer by layer,
	// so a broken input is reported before the marts it breaks.
	Layer string
	// Refs are the schema-qualified names the check reads.
	Refs []string
}

var (
	refPattern    = regexp.MustCompile(`\b(main|staging|core|marts)\.([a-z_][a-z0-9_]*)\b`)
	columnPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	annotPrefix   = "-- @"
)

// Parse reads every model and check from fsys.
func Parse(fsys fs.FS) ([]*Model, []*Check, error) {
	var models []*Model
	for _, layer := range Layers {
		files, err := fs.Glob(fsys, layer+"/*.sql")
		if err != nil {
			return nil, nil, err
		}
		for _, p := range files {
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return nil, nil, err
			}
			m, err := parseModel(p, layer, string(b))
			if err != nil {
				return nil, nil, err
			}
			models = append(models, m)
		}
	}
	files, err := fs.Glob(fsys, "checks/*.sql")
	if err != nil {
		return nil, nil, err
	}
	var checks []*Check
	for _, p := range files {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, nil, err
		}
		ann := annotations(string(b))
		c := &Check{Name: stem(p), Path: p, SQL: string(b), Description: ann["description"], Layer: Layers[0], Refs: parseRefs(string(b))}
		for _, ref := range c.Refs {
			if schema, _, _ := strings.Cut(ref, "."); layerIndex(schema) > layerIndex(c.Layer) {
				c.Layer = schema
			}
		}
		checks = append(checks, c)
	}
	return models, checks, nil
}

func stem(p string) string { return strings.TrimSuffix(path.Base(p), ".sql") }

func annotations(sql string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(sql))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "--") {
			if line == "" {
				continue
			}
			break
		}
		if rest, ok := strings.CutPrefix(line, annotPrefix); ok {
			k, v, _ := strings.Cut(rest, ":")
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseModel(p, layer, sql string) (*Model, error) {
	ann := annotations(sql)
	m := &Model{
		Name:        stem(p),
		Layer:       layer,
		Path:        p,
		SQL:         sql,
		Materialize: ann["materialize"],
		Grain:       ann["grain"],
		Description: ann["description"],
		Unique:      splitList(ann["unique"]),
		NotNull:     splitList(ann["not_null"]),
	}
	if inc := ann["incremental"]; inc != "" {
		col, grain, _ := strings.Cut(inc, " by ")
		m.Incremental, m.IncrementalGrain = strings.TrimSpace(col), strings.TrimSpace(grain)
		if m.IncrementalGrain == "" {
			m.IncrementalGrain = "day"
		}
		if m.IncrementalGrain != "day" && m.IncrementalGrain != "month" {
			return nil, fmt.Errorf("%s: @incremental: %q: want a column, optionally followed by `by day` or `by month`", p, inc)
		}
		if layer == "staging" {
			return nil, fmt.Errorf("%s: @incremental: staging models are views", p)
		}
	}
	if col := ann["unchanged_before"]; col != "" {
		if m.Incremental != "" || layer == "staging" || ann["materialize"] == "view" {
			return nil, fmt.Errorf("%s: @unchanged_before: only on a table rebuilt in full (not @incremental, not a view)", p)
		}
		m.UnchangedBefore = col
	}
	if ch := ann["chunks"]; ch != "" {
		var unit string
		if _, err := fmt.Sscanf(ch, "%d %s", &m.ChunkMonths, &unit); err != nil || (unit != "months" && unit != "month") || m.ChunkMonths <= 0 || m.Incremental == "" {
			return nil, fmt.Errorf("%s: @chunks: %q: want `N months` on an @incremental model", p, ch)
		}
	}
	if m.Materialize == "" {
		m.Materialize = "table"
		if layer == "staging" {
			m.Materialize = "view"
		}
	}
	if m.Materialize != "view" && m.Materialize != "table" {
		return nil, fmt.Errorf("%s: @materialize: %q must be view or table", p, m.Materialize)
	}
	for _, item := range splitList(ann["compression"]) {
		col, method, _ := strings.Cut(item, " ")
		col, method = strings.TrimSpace(col), strings.ToLower(strings.TrimSpace(method))
		if col == "" || !slices.Contains(compressionMethods, method) {
			return nil, fmt.Errorf("%s: @compression: %q: want `column method` with a method of %s", p, item, strings.Join(compressionMethods, ", "))
		}
		m.Compression = append(m.Compression, ColumnCompression{Column: col, Method: method})
	}
	if len(m.Compression) > 0 && m.Materialize != "table" {
		return nil, fmt.Errorf("%s: @compression: only a table has stored columns", p)
	}
	if col := ann["as_of_cut"]; col != "" {
		if !columnPattern.MatchString(col) {
			return nil, fmt.Errorf("%s: @as_of_cut: %q: want one DATE column of the model", p, col)
		}
		m.AsOfCut = col
		asOf := "getvariable('as_of')::date"
		if m.Materialize == "view" {
			// read outside a build too (kam pay, the dashboards), where no
			// variable is set: then as of the last build
			asOf = "coalesce(" + asOf + ", (select as_of from meta.builds order by build_id desc limit 1))"
		}
		m.SQL = fmt.Sprintf("select * from (\n%s\n) as cut\nwhere %s <= %s\n",
			strings.TrimRight(strings.TrimSpace(sql), ";"), col, asOf)
	}
	m.Refs = parseRefs(sql)
	return m, nil
}

// parseRefs lists the schema-qualified names a query reads, sorted.
func parseRefs(sql string) []string {
	var refs []string
	seen := map[string]bool{}
	for _, line := range strings.Split(sql, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		for _, g := range refPattern.FindAllStringSubmatch(line, -1) {
			ref := g[1] + "." + g[2]
			if !seen[ref] {
				seen[ref] = true
				refs = append(refs, ref)
			}
		}
	}
	sort.Strings(refs)
	return refs
}

// QualifiedName is the schema-qualified name the model is created as.
func (m *Model) QualifiedName() string { return m.Layer + "." + m.Name }
