// Package models builds the warehouse's models from the SQL files embedded
// in package sql, in dependency order, and runs the data checks.
//
// The files are the declaration: a model's name is its file stem, its layer
// and schema its folder (staging → core → marts); header comments carry
// annotations (-- @grain, -- @description, -- @materialize, -- @unique,
// -- @not_null); dependencies are the schema-qualified names the SQL uses
// (main.<entity>, staging.x, core.y, marts.z). Session variables set by
// Build are read with getvariable(): as_of, active_window_days.
package models

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"regexp"
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
}

// Check is one data check: a query that returns offending rows.
type Check struct {
	Name        string
	Path        string
	SQL         string
	Description string
}

var (
	refPattern  = regexp.MustCompile(`\b(main|staging|core|marts)\.([a-z_][a-z0-9_]*)\b`)
	annotPrefix = "-- @"
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
		checks = append(checks, &Check{Name: stem(p), Path: p, SQL: string(b), Description: ann["description"]})
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
	if m.Materialize == "" {
		m.Materialize = "table"
		if layer == "staging" {
			m.Materialize = "view"
		}
	}
	if m.Materialize != "view" && m.Materialize != "table" {
		return nil, fmt.Errorf("%s: @materialize: %q must be view or table", p, m.Materialize)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(sql, "\n") {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i]
		}
		for _, g := range refPattern.FindAllStringSubmatch(line, -1) {
			ref := g[1] + "." + g[2]
			if !seen[ref] {
				seen[ref] = true
				m.Refs = append(m.Refs, ref)
			}
		}
	}
	sort.Strings(m.Refs)
	return m, nil
}

// QualifiedName is the schema-qualified name the model is created as.
func (m *Model) QualifiedName() string { return m.Layer + "." + m.Name }
