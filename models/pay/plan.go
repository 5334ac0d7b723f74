package pay

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// KPIs a plan component may use, in the order sheets show them.
var KPIs = []string{"sales", "active_clients", "new_clients"}

// GateMetrics a gate may read.
var GateMetrics = []string{"overdue_share"}

// Bases of the sales KPI.
const (
	BasisShipped   = "shipped"   // net sales: shipments − returns (default)
	BasisCollected = "collected" // payments received − returns
)

// Plans is a parsed compensation file: every plan version.
type Plans struct {
	Plans []*Plan `json:"plans"`
}

// Plan is one version of a compensation plan.
type Plan struct {
	Name string `json:"name"`
	// ValidFrom: the version valid on a period's first day applies to it.
	ValidFrom time.Time `json:"valid_from"`
	// Managers it applies to; empty = every manager.
	Managers   []string    `json:"managers,omitempty"`
	Components []Component `json:"components"`
	// Curve of the components that carry none.
	Curve Curve `json:"curve,omitempty"`
	// Cap on the weighted factor; nil = none.
	Cap   *decimal.Decimal `json:"cap,omitempty"`
	Gates []Gate           `json:"gates,omitempty"`
	Basis string           `json:"basis"`
	// Line is where the plan starts in its file (0 when read back from a run).
	Line int `json:"-"`
}

// Component is one KPI of a plan.
type Component struct {
	KPI    string          `json:"kpi"`
	Weight decimal.Decimal `json:"weight"`
	// Curve of this component; empty = the plan's.
	Curve Curve `json:"curve,omitempty"`

	hasCurve bool // given in the file, even if invalid
}

// Gate multiplies the whole factor when its metric is above a limit.
type Gate struct {
	Metric     string          `json:"metric"`
	Above      decimal.Decimal `json:"above"`
	Multiplier decimal.Decimal `json:"multiplier"`
}

// Point is one [attainment, payout factor] point of a curve.
type Point struct {
	Attainment decimal.Decimal `json:"attainment"`
	Payout     decimal.Decimal `json:"payout"`
}

// CurveOf is the curve a component pays by.
func (p *Plan) CurveOf(c Component) Curve {
	if len(c.Curve) > 0 {
		return c.Curve
	}
	return p.Curve
}

// AppliesTo reports whether the plan covers the manager.
func (p *Plan) AppliesTo(managerID string) bool {
	return len(p.Managers) == 0 || slices.Contains(p.Managers, managerID)
}

// For returns the plan version that applies to the manager on day: the one
// with the latest valid_from on or before day among those covering the
// manager; nil when none does. Validation guarantees it is unique.
func (ps *Plans) For(managerID string, day time.Time) *Plan {
	var best *Plan
	for _, p := range ps.Plans {
		if p.ValidFrom.After(day) || !p.AppliesTo(managerID) {
			continue
		}
		if best == nil || p.ValidFrom.After(best.ValidFrom) {
			best = p
		}
	}
	return best
}

// JSON is the canonical JSON of the plans, stored with every locked run.
func (ps *Plans) JSON() []byte {
	b, _ := json.Marshal(ps)
	return b
}

// SHA256 is the hash of the canonical JSON.
func (ps *Plans) SHA256() string {
	s := sha256.Sum256(ps.JSON())
	return hex.EncodeToString(s[:])
}

func plansFromJSON(b []byte) (*Plans, error) {
	ps := &Plans{}
	if err := json.Unmarshal(b, ps); err != nil {
		return nil, fmt.Errorf("read stored plans: %w", err)
	}
	return ps, nil
}

// Problem is one thing wrong with a compensation file.
type Problem struct {
	Line int    // line in the file; 0 = unknown
	Plan string // the plan's name (or plans[i] when it has none); "" = top level
	Key  string // the key path inside the plan, e.g. components[1].kpi
	Msg  string
}

func (p Problem) String() string {
	var parts []string
	if p.Line > 0 {
		parts = append(parts, fmt.Sprintf("line %d", p.Line))
	}
	if p.Plan != "" {
		parts = append(parts, "plan "+p.Plan)
	}
	if p.Key != "" {
		parts = append(parts, p.Key)
	}
	parts = append(parts, p.Msg)
	return strings.Join(parts, ": ")
}

// ValidationError lists every problem found in a compensation file.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// ErrNoPlanFile means the compensation file does not exist.
var ErrNoPlanFile = errors.New("no compensation plan file")

// Load reads and validates a compensation file. Warnings (such as weights
// that do not sum to 1) do not stop it; errors name the file, line, plan
// and key.
func Load(path string) (*Plans, []string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("%s: %w: write one (kam init leaves an example) or point `compensation:` in kam.yaml at it", path, ErrNoPlanFile)
	}
	if err != nil {
		return nil, nil, err
	}
	ps, warns, err := Parse(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return ps, warns, nil
}

// Parse reads and validates compensation YAML of this form:
//
//	plans:
//	  - name: kam-2026
//	    valid_from: 2026-01-01
//	    managers: [M1, M2]          # optional; default every manager
//	    components:
//	      - {kpi: sales, weight: 0.5, curve: [[0.8, 0.5], [1.0, 1.0]]}  # curve optional
//	    curve: [[0.8, 0.5], [1.0, 1.0], [1.5, 2.0]]
//	    cap: 1.8                    # optional
//	    gates:                      # optional
//	      - {metric: overdue_share, above: 0.2, multiplier: 0.5}
//	    basis: shipped              # shipped (default) | collected
//
// Unknown keys, unknown KPIs and metrics, curves whose attainments do not
// strictly increase, and two versions that could apply to the same manager
// from the same valid_from are errors (all of them are reported at once);
// weights that do not sum to 1 and a valid_from that is not a month's first
// day are warnings.
func Parse(b []byte) (*Plans, []string, error) {
	v := &validator{}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, nil, fmt.Errorf("not valid YAML: %w", err)
	}
	ps := &Plans{}
	if len(doc.Content) == 0 {
		v.add(0, "", "", "the file is empty; want `plans:` with at least one plan")
		return nil, nil, v.err()
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		v.add(root.Line, "", "", "want a mapping with the key plans")
		return nil, nil, v.err()
	}
	var plansNode *yaml.Node
	v.mapping(root, "", "", func(key string, k, val *yaml.Node) {
		switch key {
		case "plans":
			plansNode = val
		default:
			v.add(k.Line, "", key, "unknown key at the top level; want plans")
		}
	})
	switch {
	case plansNode == nil:
		v.add(root.Line, "", "plans", "missing; want a list of plans")
	case plansNode.Kind != yaml.SequenceNode:
		v.add(plansNode.Line, "", "plans", "want a list of plans")
	case len(plansNode.Content) == 0:
		v.add(plansNode.Line, "", "plans", "empty; want at least one plan")
	default:
		for i, n := range plansNode.Content {
			if p := v.plan(i, n); p != nil {
				ps.Plans = append(ps.Plans, p)
			}
		}
	}
	v.overlaps(ps.Plans)
	if len(v.problems) > 0 {
		return nil, nil, v.err()
	}
	return ps, v.warnings, nil
}

type validator struct {
	problems []Problem
	warnings []string
}

func (v *validator) add(line int, plan, key, msg string, args ...any) {
	v.problems = append(v.problems, Problem{Line: line, Plan: plan, Key: key, Msg: fmt.Sprintf(msg, args...)})
}

func (v *validator) warn(plan, msg string, args ...any) {
	v.warnings = append(v.warnings, "plan "+plan+": "+fmt.Sprintf(msg, args...))
}

func (v *validator) err() error { return &ValidationError{Problems: v.problems} }

// mapping walks a mapping node's keys in order; duplicate keys are problems.
func (v *validator) mapping(n *yaml.Node, plan, at string, f func(key string, k, val *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			v.add(k.Line, plan, join(at, k.Value), "the key is given twice")
			continue
		}
		seen[k.Value] = true
		f(k.Value, k, val)
	}
}

func join(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

// planName finds a plan's name before walking it, for messages.
func planName(i int, n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == "name" && n.Content[j+1].Kind == yaml.ScalarNode && strings.TrimSpace(n.Content[j+1].Value) != "" {
				return strings.TrimSpace(n.Content[j+1].Value)
			}
		}
	}
	return fmt.Sprintf("plans[%d]", i)
}

func (v *validator) plan(i int, n *yaml.Node) *Plan {
	name := planName(i, n)
	if n.Kind != yaml.MappingNode {
		v.add(n.Line, name, "", "want a mapping with name, valid_from, components, curve, ...")
		return nil
	}
	before := len(v.problems)
	p := &Plan{Line: n.Line, Basis: BasisShipped}
	var hasName, hasFrom, hasComponents, hasCurve bool
	v.mapping(n, name, "", func(key string, k, val *yaml.Node) {
		switch key {
		case "name":
			hasName = true
			if s, ok := v.scalar(val, name, key); ok {
				if s = strings.TrimSpace(s); s == "" {
					v.add(val.Line, name, key, "empty; every plan needs a name")
				}
				p.Name = strings.TrimSpace(s)
			}
		case "valid_from":
			hasFrom = true
			if s, ok := v.scalar(val, name, key); ok {
				d, err := time.Parse("2006-01-02", strings.TrimSpace(s))
				if err != nil {
					v.add(val.Line, name, key, "%q is not a date; want YYYY-MM-DD", s)
				}
				p.ValidFrom = d
			}
		case "managers":
			p.Managers = v.managers(val, name)
		case "components":
			hasComponents = true
			p.Components = v.components(val, name)
		case "curve":
			hasCurve = true
			p.Curve = v.curve(val, name, key)
		case "cap":
			if d, ok := v.number(val, name, key); ok {
				if d.Sign() <= 0 {
					v.add(val.Line, name, key, "%s must be above 0", d)
				}
				p.Cap = &d
			}
		case "gates":
			p.Gates = v.gates(val, name)
		case "basis":
			if s, ok := v.scalar(val, name, key); ok {
				if s != BasisShipped && s != BasisCollected {
					v.add(val.Line, name, key, "%q: want shipped or collected", s)
				}
				p.Basis = s
			}
		default:
			v.add(k.Line, name, key, "unknown key; want name, valid_from, managers, components, curve, cap, gates or basis")
		}
	})
	if !hasName {
		v.add(n.Line, name, "name", "missing; every plan needs a name")
	}
	if !hasFrom {
		v.add(n.Line, name, "valid_from", "missing; want the date the version starts, YYYY-MM-DD")
	}
	if !hasComponents {
		v.add(n.Line, name, "components", "missing; want a list of {kpi, weight}")
	}
	for j, c := range p.Components {
		if len(c.Curve) == 0 && !hasCurve && !c.hasCurve {
			v.add(n.Line, name, fmt.Sprintf("components[%d]", j), "%s has no curve and the plan has none; add curve: to the plan or the component", c.KPI)
		}
	}
	if len(v.problems) > before {
		return nil
	}
	if len(p.Components) > 0 {
		sum := decimal.Zero
		for _, c := range p.Components {
			sum = sum.Add(c.Weight)
		}
		if !sum.Equal(decimal.NewFromInt(1)) {
			v.warn(p.Name, "weights sum to %s, not 1 (at 100 %% attainment the factor is not 1)", sum)
		}
	}
	if p.ValidFrom.Day() != 1 {
		v.warn(p.Name, "valid_from %s is not a month's first day: it applies from %s", p.ValidFrom.Format("2006-01-02"), PeriodOf(p.ValidFrom).Next())
	}
	return p
}

func (v *validator) scalar(n *yaml.Node, plan, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		v.add(n.Line, plan, key, "want a single value")
		return "", false
	}
	return n.Value, true
}

func (v *validator) number(n *yaml.Node, plan, key string) (decimal.Decimal, bool) {
	s, ok := v.scalar(n, plan, key)
	if !ok {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(strings.TrimSpace(s))
	if err != nil || n.Tag == "!!null" || strings.TrimSpace(s) == "" {
		v.add(n.Line, plan, key, "%q is not a number; want a decimal such as 0.8 (not a percentage)", s)
		return decimal.Zero, false
	}
	return d, true
}

func (v *validator) managers(n *yaml.Node, plan string) []string {
	if n.Kind != yaml.SequenceNode {
		v.add(n.Line, plan, "managers", "want a list of manager ids, e.g. [M1, M2]")
		return nil
	}
	if len(n.Content) == 0 {
		v.add(n.Line, plan, "managers", "empty; leave the key out to apply the plan to every manager")
		return nil
	}
	var out []string
	for i, m := range n.Content {
		key := fmt.Sprintf("managers[%d]", i)
		s, ok := v.scalar(m, plan, key)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			v.add(m.Line, plan, key, "empty manager id")
		case slices.Contains(out, s):
			v.add(m.Line, plan, key, "%s is listed twice", s)
		default:
			out = append(out, s)
		}
	}
	return out
}

func (v *validator) components(n *yaml.Node, plan string) []Component {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		v.add(n.Line, plan, "components", "want a non-empty list of {kpi, weight}")
		return nil
	}
	var out []Component
	seen := map[string]bool{}
	for i, cn := range n.Content {
		at := fmt.Sprintf("components[%d]", i)
		if cn.Kind != yaml.MappingNode {
			v.add(cn.Line, plan, at, "want {kpi, weight} with an optional curve")
			continue
		}
		c := Component{}
		var hasKPI, hasWeight bool
		v.mapping(cn, plan, at, func(key string, k, val *yaml.Node) {
			switch key {
			case "kpi":
				hasKPI = true
				if s, ok := v.scalar(val, plan, join(at, key)); ok {
					c.KPI = strings.TrimSpace(s)
					switch {
					case !slices.Contains(KPIs, c.KPI):
						v.add(val.Line, plan, join(at, key), "unknown KPI %q; want one of %s", s, strings.Join(KPIs, ", "))
					case seen[c.KPI]:
						v.add(val.Line, plan, join(at, key), "%s is a component twice", c.KPI)
					}
					seen[c.KPI] = true
				}
			case "weight":
				hasWeight = true
				if d, ok := v.number(val, plan, join(at, key)); ok {
					if d.Sign() <= 0 {
						v.add(val.Line, plan, join(at, key), "%s must be above 0", d)
					}
					c.Weight = d
				}
			case "curve":
				c.hasCurve = true
				c.Curve = v.curve(val, plan, join(at, key))
			default:
				v.add(k.Line, plan, join(at, key), "unknown key; want kpi, weight or curve")
			}
		})
		if !hasKPI {
			v.add(cn.Line, plan, join(at, "kpi"), "missing; want one of %s", strings.Join(KPIs, ", "))
		}
		if !hasWeight {
			v.add(cn.Line, plan, join(at, "weight"), "missing; want a share such as 0.5")
		}
		out = append(out, c)
	}
	return out
}

// curve reads [[attainment, payout], ...]; attainments must strictly increase.
func (v *validator) curve(n *yaml.Node, plan, at string) Curve {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		v.add(n.Line, plan, at, "want a list of [attainment, payout] points, e.g. [[0.8, 0.5], [1.0, 1.0]]")
		return nil
	}
	var out Curve
	ok := true
	for i, pn := range n.Content {
		key := fmt.Sprintf("%s[%d]", at, i)
		if pn.Kind != yaml.SequenceNode || len(pn.Content) != 2 {
			v.add(pn.Line, plan, key, "want a point [attainment, payout]")
			ok = false
			continue
		}
		a, ok1 := v.number(pn.Content[0], plan, key)
		y, ok2 := v.number(pn.Content[1], plan, key)
		if !ok1 || !ok2 {
			ok = false
			continue
		}
		if a.Sign() < 0 || y.Sign() < 0 {
			v.add(pn.Line, plan, key, "[%s, %s]: attainment and payout must not be negative", a, y)
			ok = false
		}
		if len(out) > 0 && !a.GreaterThan(out[len(out)-1].Attainment) {
			v.add(pn.Line, plan, key, "attainment %s does not follow %s: the points must be sorted by attainment, each above the one before", a, out[len(out)-1].Attainment)
			ok = false
		}
		out = append(out, Point{Attainment: a, Payout: y})
	}
	if !ok {
		return nil
	}
	return out
}

func (v *validator) gates(n *yaml.Node, plan string) []Gate {
	if n.Kind != yaml.SequenceNode {
		v.add(n.Line, plan, "gates", "want a list of {metric, above, multiplier}")
		return nil
	}
	var out []Gate
	for i, gn := range n.Content {
		at := fmt.Sprintf("gates[%d]", i)
		if gn.Kind != yaml.MappingNode {
			v.add(gn.Line, plan, at, "want {metric, above, multiplier}")
			continue
		}
		g := Gate{}
		var has [3]bool
		v.mapping(gn, plan, at, func(key string, k, val *yaml.Node) {
			switch key {
			case "metric":
				has[0] = true
				if s, ok := v.scalar(val, plan, join(at, key)); ok {
					g.Metric = strings.TrimSpace(s)
					if !slices.Contains(GateMetrics, g.Metric) {
						v.add(val.Line, plan, join(at, key), "unknown metric %q; want %s", s, strings.Join(GateMetrics, ", "))
					}
				}
			case "above":
				has[1] = true
				if d, ok := v.number(val, plan, join(at, key)); ok {
					if d.Sign() < 0 || d.GreaterThan(decimal.NewFromInt(1)) {
						v.add(val.Line, plan, join(at, key), "%s: a share is between 0 and 1", d)
					}
					g.Above = d
				}
			case "multiplier":
				has[2] = true
				if d, ok := v.number(val, plan, join(at, key)); ok {
					if d.Sign() < 0 {
						v.add(val.Line, plan, join(at, key), "%s must not be negative", d)
					}
					g.Multiplier = d
				}
			default:
				v.add(k.Line, plan, join(at, key), "unknown key; want metric, above or multiplier")
			}
		})
		for j, k := range []string{"metric", "above", "multiplier"} {
			if !has[j] {
				v.add(gn.Line, plan, join(at, k), "missing")
			}
		}
		out = append(out, g)
	}
	return out
}

// overlaps reports versions that could both apply to a manager from the
// same valid_from (a plan without managers applies to everyone), and a
// name used twice with the same valid_from.
func (v *validator) overlaps(plans []*Plan) {
	for i, a := range plans {
		for _, b := range plans[i+1:] {
			if !a.ValidFrom.Equal(b.ValidFrom) {
				continue
			}
			from := a.ValidFrom.Format("2006-01-02")
			var who string
			switch {
			case len(a.Managers) == 0 && len(b.Managers) == 0:
				who = "every manager"
			case len(a.Managers) == 0:
				who = strings.Join(b.Managers, ", ")
			case len(b.Managers) == 0:
				who = strings.Join(a.Managers, ", ")
			default:
				var both []string
				for _, m := range a.Managers {
					if slices.Contains(b.Managers, m) {
						both = append(both, m)
					}
				}
				sort.Strings(both)
				who = strings.Join(both, ", ")
			}
			if who == "" {
				if a.Name == b.Name {
					v.add(b.Line, b.Name, "name", "plan %s from %s is given twice (line %d); give each version its own name or valid_from", a.Name, from, a.Line)
				}
				continue
			}
			v.add(b.Line, b.Name, "valid_from",
				"overlaps plan %s (line %d): both apply to %s from %s; a manager has one version per valid_from, so give one of them another valid_from or list managers that do not overlap",
				a.Name, a.Line, who, from)
		}
	}
}
