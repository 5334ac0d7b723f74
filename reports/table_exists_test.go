package reports

import (
	"context"
	"testing"

	"github.com/kam-analytics/kam/reports/reportstest"
)

func TestTableExists(t *testing.T) {
	db := reportstest.Open(t, "CREATE VIEW marts.a_view AS SELECT 1 AS x")
	for _, c := range []struct {
		schema, name string
		want         bool
	}{
		{"marts", "plan_fulfilment", true}, {"marts", "a_view", true}, {"main", "managers", true},
		{"marts", "no_such_mart", false}, {"no_such_schema", "plan_fulfilment", false}, {"marts", `x"; DROP TABLE main.managers; --`, false},
	} {
		got, err := tableExists(context.Background(), db, c.schema, c.name)
		if err != nil || got != c.want {
			t.Errorf("tableExists(%q, %q) = %v, %v; want %v", c.schema, c.name, got, err, c.want)
		}
	}
	if ok, _ := tableExists(context.Background(), db, "main", "managers"); !ok {
		t.Error("main.managers is gone")
	}
}
