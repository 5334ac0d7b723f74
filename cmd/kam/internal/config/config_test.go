package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
)

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown top key", "warehouse: a.duckdb\ncolour: red\n", `field colour not found`},
		{"unknown source key", "sources:\n  - {name: a, entity: clients, files: x.csv, flavour: y}\n", `field flavour not found`},
		{"unknown entity", "sources:\n  - {name: a, entity: customers, files: x.csv}\n", `unknown entity "customers"`},
		{"unknown field", "sources:\n  - {name: a, entity: clients, files: x.csv, columns: {colour: C}}\n", `unknown field "colour"`},
		{"duplicate name", "sources:\n  - {name: a, entity: clients, files: x.csv}\n  - {name: a, entity: clients, files: y.csv}\n", `used twice`},
		{"bad buckets", "models: {ageing_buckets: [30, 20]}\n", `must be increasing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q) = %v, want error containing %q", tc.yaml, err, tc.want)
			}
		})
	}
}

func TestInitWritesLoadableConfigAndRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	if _, err := config.Init(dir, config.Company{Name: `ООО "Ромашка"`, INN: "7701234567"}); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(filepath.Join(dir, "kam.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 14 || c.Company.Name != `ООО "Ромашка"` || c.Resolve(c.Warehouse) != filepath.Join(dir, "kam.duckdb") {
		t.Errorf("loaded config: %d sources, company %q, warehouse %s", len(c.Sources), c.Company.Name, c.Resolve(c.Warehouse))
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "order_lines")); err != nil {
		t.Error(err)
	}
	if _, err := config.Init(dir, config.Company{}); err == nil {
		t.Error("second Init succeeded, want refusal")
	}
}

func TestMissingConfigSaysHowToCreateOne(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "kam.yaml"))
	if err == nil || !strings.Contains(err.Error(), "kam init") {
		t.Errorf("Load(missing) = %v, want a hint to run kam init", err)
	}
}

func TestOverdueGraceDays(t *testing.T) {
	c, err := config.Parse([]byte("models: {overdue_grace_days: 0}\n"))
	if err != nil || c.Models.OverdueGraceDays == nil || *c.Models.OverdueGraceDays != 0 {
		t.Fatalf("explicit 0: %v %v", c, err)
	}
	c, err = config.Parse([]byte("warehouse: kam.duckdb\n"))
	if err != nil || *c.Models.OverdueGraceDays != 7 {
		t.Fatalf("default: %v", err)
	}
	if _, err := config.Parse([]byte("models: {overdue_grace_days: -1}\n")); err == nil || !strings.Contains(err.Error(), "overdue_grace_days") {
		t.Fatalf("negative: %v", err)
	}
}

// The example config of docs/adventureworks.md is one the CLI accepts.
func TestAdventureWorksExampleLoads(t *testing.T) {
	c, err := config.Load("../../../../docs/adventureworks/kam.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var entities []string
	for _, s := range c.Sources {
		entities = append(entities, s.Entity)
	}
	if got := strings.Join(entities, " "); got != "managers clients order_lines plans" {
		t.Errorf("sources feed %q, want managers clients order_lines plans", got)
	}
}

// YAML would read 30.5 days as 30: day counts must be whole, and an empty
// bucket list is refused rather than read as the default.
func TestDayCountsAreWhole(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"models: {ageing_buckets: [30.5, 60]}\n", `line 1: models: ageing_buckets: "30.5" is not a whole number of days`},
		{"models:\n  active_window_days: 90.0\n", `line 2: models: active_window_days: "90.0" is not a whole number of days`},
		{"models: {overdue_grace_days: seven}\n", `line 1: models: overdue_grace_days: "seven" is not a whole number of days`},
		{"models: {ageing_buckets: []}\n", `line 1: models: ageing_buckets: [] gives no limits; leave the key out for the default [30, 60, 90]`},
		// 0 and a wrong number of limits used to fall back to the defaults silently
		{"models:\n  active_window_days: 0\n", `line 2: models: active_window_days: 0 must be at least 1`},
		{"models: {abc: [0.6]}\n", `line 1: models: abc: want two limits, such as [0.8, 0.95]`},
		{"models: {xyz: [0.1, 0.2, 0.3]}\n", `line 1: models: xyz: want two limits, such as [0.1, 0.25]`},
		{"models: {abc: []}\n", `line 1: models: abc: want two limits, such as [0.8, 0.95]`},
	} {
		if _, err := config.Parse([]byte(tc.yaml)); err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q) = %v, want %s", tc.yaml, err, tc.want)
		}
	}
	c, err := config.Parse([]byte("models: {ageing_buckets: [15, 45], active_window_days: 60}\n"))
	if err != nil || fmt.Sprint(c.Models.AgeingBuckets) != "[15 45]" || c.Models.ActiveWindowDays != 60 {
		t.Errorf("whole days: %v, %v", c, err)
	}
}
