package pay_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/models/pay"
)

const issuePlan = `plans:
  - name: kam-2026
    valid_from: 2026-01-01          # the version valid on a period's first day applies
    managers: [M1, M2]              # optional; default: every manager
    components:
      - {kpi: sales, weight: 0.5}
      - {kpi: active_clients, weight: 0.3}
      - {kpi: new_clients, weight: 0.2}
    curve:                          # [attainment, payout factor]; below the first point pays 0,
      - [0.8, 0.5]                  # linear between points, flat after the last point
      - [1.0, 1.0]
      - [1.5, 2.0]
    cap: 1.8                        # optional cap on the weighted factor
    gates:                          # optional multipliers on the whole factor
      - {metric: overdue_share, above: 0.2, multiplier: 0.5}
    basis: shipped                  # shipped (default) | collected
`

func TestParseIssueForm(t *testing.T) {
	ps, warns, err := pay.Parse([]byte(issuePlan))
	if err != nil {
		t.Fatalf("Parse(issue form) error: %v", err)
	}
	if len(warns) != 0 {
		t.Errorf("Parse(issue form) warnings = %q, want none", warns)
	}
	if len(ps.Plans) != 1 {
		t.Fatalf("Parse(issue form) = %d plans, want 1", len(ps.Plans))
	}
	p := ps.Plans[0]
	got := []string{p.Name, p.ValidFrom.Format("2006-01-02"), strings.Join(p.Managers, ","), p.Curve.String(), p.Cap.String(), p.Basis,
		p.Components[1].KPI + "=" + p.Components[1].Weight.String(), p.Gates[0].Metric + ">" + p.Gates[0].Above.String() + "×" + p.Gates[0].Multiplier.String()}
	want := []string{"kam-2026", "2026-01-01", "M1,M2", "[0.8 → 0.5, 1 → 1, 1.5 → 2]", "1.8", "shipped", "active_clients=0.3", "overdue_share>0.2×0.5"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("Parse(issue form):\n got %q\nwant %q", got, want)
	}
}

func TestParseComponentCurveAndDefaults(t *testing.T) {
	ps, _, err := pay.Parse([]byte(`plans:
  - name: p
    valid_from: 2026-01-01
    components:
      - {kpi: sales, weight: 0.6, curve: [[0.9, 1], [1.2, 1.5]]}
      - {kpi: new_clients, weight: 0.4}
    curve: [[1, 1]]
`))
	if err != nil {
		t.Fatal(err)
	}
	p := ps.Plans[0]
	if p.Basis != "shipped" || p.Cap != nil || len(p.Managers) != 0 {
		t.Errorf("defaults: basis %q cap %v managers %v, want shipped, no cap, every manager", p.Basis, p.Cap, p.Managers)
	}
	if got := p.CurveOf(p.Components[0]).String(); got != "[0.9 → 1, 1.2 → 1.5]" {
		t.Errorf("CurveOf(sales) = %s, want the component's own curve", got)
	}
	if got := p.CurveOf(p.Components[1]).String(); got != "[1 → 1]" {
		t.Errorf("CurveOf(new_clients) = %s, want the plan's curve", got)
	}
}

func TestParseErrors(t *testing.T) {
	base := func(plan string) string { return "plans:\n" + plan }
	const ok = `  - name: kam
    valid_from: 2026-01-01
    components:
      - {kpi: sales, weight: 1}
    curve: [[0.8, 0.5], [1.0, 1.0]]
`
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown top-level key", "plan:\n" + ok, []string{"line 1", "plan", "unknown key at the top level"}},
		{"unknown plan key", base(ok + "    capp: 1.8\n"), []string{"line 7", "plan kam", "capp", "unknown key"}},
		{"unknown component key", base(strings.Replace(ok, "weight: 1}", "wieght: 1}", 1)), []string{"plan kam", "components[0].wieght", "unknown key", "components[0].weight: missing"}},
		{"unknown KPI", base(strings.Replace(ok, "kpi: sales", "kpi: revenue", 1)), []string{"line 5", "plan kam", "components[0].kpi", `unknown KPI "revenue"`, "sales, active_clients, new_clients"}},
		{"unsorted curve", base(strings.Replace(ok, "[[0.8, 0.5], [1.0, 1.0]]", "[[1.0, 1.0], [0.8, 0.5]]", 1)), []string{"plan kam", "curve[1]", "attainment 0.8 does not follow 1", "sorted"}},
		{"repeated curve point", base(strings.Replace(ok, "[[0.8, 0.5], [1.0, 1.0]]", "[[0.8, 0.5], [0.8, 1.0]]", 1)), []string{"curve[1]", "does not follow"}},
		{"bad point", base(strings.Replace(ok, "[[0.8, 0.5], [1.0, 1.0]]", "[[0.8, 0.5], [1.0]]", 1)), []string{"curve[1]", "want a point [attainment, payout]"}},
		{"percent", base(strings.Replace(ok, "weight: 1", "weight: 50%", 1)), []string{"components[0].weight", `"50%" is not a number`}},
		{"unknown gate metric", base(ok + "    gates: [{metric: dso, above: 0.2, multiplier: 0.5}]\n"), []string{"gates[0].metric", `unknown metric "dso"`}},
		{"gate without multiplier", base(ok + "    gates: [{metric: overdue_share, above: 0.2}]\n"), []string{"gates[0].multiplier: missing"}},
		{"bad basis", base(ok + "    basis: invoiced\n"), []string{"basis", `"invoiced": want shipped or collected`}},
		{"bad date", base(strings.Replace(ok, "2026-01-01", "01.01.2026", 1)), []string{"valid_from", `"01.01.2026" is not a date`}},
		{"no curve", base(strings.Replace(ok, "    curve: [[0.8, 0.5], [1.0, 1.0]]\n", "", 1)), []string{"components[0]", "sales has no curve"}},
		{"duplicate KPI", base(strings.Replace(ok, "      - {kpi: sales, weight: 1}\n", "      - {kpi: sales, weight: 0.5}\n      - {kpi: sales, weight: 0.5}\n", 1)), []string{"components[1].kpi", "sales is a component twice"}},
		{"duplicate key", base(ok + "    cap: 1\n    cap: 2\n"), []string{"cap", "given twice"}},
		{"negative cap", base(ok + "    cap: -1\n"), []string{"cap", "must be above 0"}},
		{"empty managers", base(ok + "    managers: []\n"), []string{"managers", "leave the key out"}},
		{"missing name", base(strings.Replace(ok, "  - name: kam\n    valid_from", "  - valid_from", 1)), []string{"plan plans[0]", "name: missing"}},
		{"two defaults from the same day", base(ok + strings.Replace(ok, "name: kam", "name: kam-b", 1)),
			[]string{"plan kam-b", "valid_from", "overlaps plan kam (line 2)", "every manager from 2026-01-01"}},
		{"a default and a list from the same day", base(ok + strings.Replace(ok, "name: kam", "name: kam-m1\n    managers: [M1]", 1)),
			[]string{"plan kam-m1", "overlaps plan kam", "apply to M1 from 2026-01-01"}},
		{"two lists sharing a manager", base(strings.Replace(ok, "name: kam", "name: a\n    managers: [M1, M2]", 1) + strings.Replace(ok, "name: kam", "name: b\n    managers: [M3, M2]", 1)),
			[]string{"plan b", "overlaps plan a", "apply to M2 from"}},
		{"empty file", "", []string{"the file is empty"}},
		{"not YAML", "plans: [\n", []string{"not valid YAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := pay.Parse([]byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse(%s) = no error, want one containing %q", tt.name, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%s) error:\n%v\nwant it to contain %q", tt.name, err, w)
				}
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, _, err := pay.Parse([]byte(`plans:
  - name: a
    valid_from: 2026-01-01
    components: [{kpi: sale, weight: 1}]
    curve: [[1, 1], [0.5, 0.5]]
    colour: red
`))
	var ve *pay.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 3 {
		t.Fatalf("Parse(3 problems) = %v, want a ValidationError with 3 problems", err)
	}
	if !strings.HasPrefix(err.Error(), "3 problems:\n  line 4: plan a: components[0].kpi") {
		t.Errorf("Parse(3 problems) error = %q, want it to start with the count and the first problem by line", err)
	}
}

func TestParseWarnings(t *testing.T) {
	_, warns, err := pay.Parse([]byte(`plans:
  - name: a
    valid_from: 2026-03-15
    components: [{kpi: sales, weight: 0.5}, {kpi: new_clients, weight: 0.4}]
    curve: [[1, 1]]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"plan a: weights sum to 0.9, not 1 (at 100 % attainment the factor is not 1)",
		"plan a: valid_from 2026-03-15 is not a month's first day: it applies from 2026-04",
	}
	if strings.Join(warns, "\n") != strings.Join(want, "\n") {
		t.Errorf("Parse warnings:\n got %q\nwant %q", warns, want)
	}
}

func TestPlansFor(t *testing.T) {
	ps, _, err := pay.Parse([]byte(`plans:
  - {name: base-2026, valid_from: 2026-01-01, components: [{kpi: sales, weight: 1}], curve: [[1, 1]]}
  - {name: m3-special, valid_from: 2026-03-01, managers: [M3], components: [{kpi: sales, weight: 1}], curve: [[1, 1]]}
  - {name: base-2026h2, valid_from: 2026-07-01, components: [{kpi: sales, weight: 1}], curve: [[1, 1]]}
  - {name: mid-month, valid_from: 2026-09-15, managers: [M1], components: [{kpi: sales, weight: 1}], curve: [[1, 1]]}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ manager, period, want string }{
		{"M1", "2025-12", ""},
		{"M1", "2026-01", "base-2026"},
		{"M3", "2026-02", "base-2026"},
		{"M3", "2026-03", "m3-special"},
		{"M1", "2026-03", "base-2026"},
		{"M3", "2026-07", "base-2026h2"}, // the later default version supersedes M3's own
		{"M1", "2026-09", "base-2026h2"}, // valid from 2026-09-15: not valid on 2026-09-01
		{"M1", "2026-10", "mid-month"},
	}
	for _, tt := range tests {
		got := ""
		if p := ps.For(tt.manager, period(tt.period).Start()); p != nil {
			got = p.Name
		}
		if got != tt.want {
			t.Errorf("For(%s, %s) = %q, want %q", tt.manager, tt.period, got, tt.want)
		}
	}
}
