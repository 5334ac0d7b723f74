package models

import (
	"strings"
	"testing"
)

// @unchanged_before is for tables rebuilt in full: an incremental model or a
// view has no full rebuild to vouch for.
func TestParseUnchangedBefore(t *testing.T) {
	m, err := parseModel("core/first.sql", "core", "-- @grain: one row per client\n-- @unchanged_before: first_on\nselect 1")
	if err != nil || m.UnchangedBefore != "first_on" {
		t.Fatalf("got %+v, %v; want first_on", m, err)
	}
	for _, header := range []string{
		"-- @incremental: first_on\n-- @unchanged_before: first_on",
		"-- @materialize: view\n-- @unchanged_before: first_on",
	} {
		_, err := parseModel("core/first.sql", "core", header+"\nselect 1")
		if err == nil || !strings.Contains(err.Error(), "@unchanged_before") {
			t.Errorf("%q: got %v, want an error naming @unchanged_before", header, err)
		}
	}
	if _, err := parseModel("staging/first.sql", "staging", "-- @unchanged_before: first_on\nselect 1"); err == nil {
		t.Error("a staging view accepted @unchanged_before")
	}
}
