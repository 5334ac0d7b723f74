package models

import (
	"strings"
	"testing"
	"time"
)

// A generated check of an incrementally rebuilt table, or of a view declaring
// @incremental whose inputs changed from a date, reads the recomputed dates
// only; any other check reads everything.
func TestNarrowCheck(t *testing.T) {
	floor := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	table := &Model{Name: "t", Layer: "marts", Materialize: "table", Incremental: "as_of", Unique: []string{"as_of", "id"}}
	view := &Model{Name: "v", Layer: "marts", Materialize: "view", Incremental: "as_of", Unique: []string{"as_of", "id"}}
	plain := &Model{Name: "p", Layer: "marts", Materialize: "view", Unique: []string{"as_of", "id"}}
	byName := map[string]*Model{"t": table, "v": view, "p": plain}
	checks := map[string]*Check{}
	for _, c := range generatedChecks([]*Model{table, view, plain}) {
		checks[c.Name] = c
	}
	for _, tc := range []struct {
		check  string
		plan   modelPlan
		narrow bool
	}{
		{"t__unique", modelPlan{mode: ModeIncremental, floor: floor}, true},
		{"t__unique", modelPlan{mode: ModeFull, floor: floorAll}, false},
		{"v__unique", modelPlan{mode: ModeView, floor: floor}, true},
		{"v__unique", modelPlan{mode: ModeView, floor: floorAll}, false},
		{"p__unique", modelPlan{mode: ModeView, floor: floor}, false},
	} {
		_, name, _ := strings.Cut(checks[tc.check].Refs[0], ".")
		got := narrowCheck(checks[tc.check], byName, map[string]modelPlan{name: tc.plan}).SQL
		if narrowed := strings.Contains(got, "\"as_of\" >= DATE '2026-10-31'"); narrowed != tc.narrow {
			t.Errorf("%s planned %s from %s: narrowed %v, want %v: %s", tc.check, tc.plan.mode, tc.plan.floor.Format("2006-01-02"), narrowed, tc.narrow, got)
		}
	}
}
