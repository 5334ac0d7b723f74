package pay_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/models/pay"
)

func TestCurveAt(t *testing.T) {
	c := pay.Curve{{Attainment: d("0.8"), Payout: d("0.5")}, {Attainment: d("1.0"), Payout: d("1.0")}, {Attainment: d("1.5"), Payout: d("2.0")}}
	tests := []struct{ a, want string }{
		{"-0.5", "0"},
		{"0", "0"},
		{"0.79999", "0"},  // threshold: below the first point pays 0
		{"0.8", "0.5"},    // at the first point pays its payout
		{"0.9", "0.75"},   // 0.5 + (0.9 − 0.8) × (1 − 0.5) / (1 − 0.8) = 0.5 + 0.1 × 2.5
		{"0.96", "0.9"},   // 0.5 + 0.16 × 2.5
		{"1", "1"},        // at a middle point
		{"1.2", "1.4"},    // accelerator: 1 + (1.2 − 1) × (2 − 1) / (1.5 − 1) = 1 + 0.2 × 2
		{"1.5", "2"},      // at the last point
		{"3", "2"},        // flat after the last point
		{"0.85", "0.625"}, // 0.5 + 0.05 × 2.5
	}
	for _, tt := range tests {
		got, how := c.At(d(tt.a))
		if !got.Equal(d(tt.want)) {
			t.Errorf("Curve.At(%s) = %s (%s), want %s", tt.a, got, how, tt.want)
		}
	}
	// A slope that does not terminate carries pay.Places decimals:
	// 0 + (0.5 − 0) × (1 − 0) / (0.3 − 0) = 0.5 / 0.3 = 1.666…
	third := pay.Curve{{Attainment: d("0"), Payout: d("0")}, {Attainment: d("0.3"), Payout: d("1")}}
	if got, _ := third.At(d("0.25")); got.String() != "0.83333333333333333333" {
		t.Errorf("Curve.At(0.25) on [0 → 0, 0.3 → 1] = %s, want 0.83333333333333333333 (20 places)", got)
	}
}

// plan builds a one-component plan for Compute tests.
func salesPlan(t *testing.T, extra string) *pay.Plan {
	t.Helper()
	ps, _, err := pay.Parse([]byte("plans:\n  - name: p\n    valid_from: 2026-01-01\n    components: [{kpi: sales, weight: 1}]\n    curve: [[0.8, 0.5], [1.0, 1.0], [1.5, 2.0]]\n" + extra))
	if err != nil {
		t.Fatal(err)
	}
	return ps.Plans[0]
}

func salesInputs(vt, actual, target string) *pay.Inputs {
	in := &pay.Inputs{
		Period:  period("2026-10"),
		Manager: pay.Manager{ID: "M", Name: "M", VariableTarget: d(vt)},
		Basis:   "shipped",
		Targets: map[string]decimal.Decimal{},
		Sales:   []pay.Event{{Kind: "shipment", Date: date("2026-10-05"), Ref: "O/1", ClientID: "C", Amount: d(actual)}},
	}
	if target != "" {
		in.Targets["sales"] = d(target)
	}
	return in
}

func TestComputeRounding(t *testing.T) {
	tests := []struct {
		name, vt, actual, target, hired, left, want string
		flags                                       string
	}{
		// 10000 × 0.75 = 7500
		{"linear", "10000", "900", "1000", "", "", "7500.00", ""},
		// half a kopeck rounds away from zero: 1234.565 × 1 = 1234.565 → 1234.57 (banker's would give 1234.56)
		{"half up", "1234.565", "1000", "1000", "", "", "1234.57", ""},
		// 1234.5649 → 1234.56
		{"below half", "1234.5649", "1000", "1000", "", "", "1234.56", ""},
		// hired 2026-10-15: 17 of 31 days; 10000 × 17 / 31 = 5483.870967… → 5483.87
		{"hired mid-month", "10000", "1000", "1000", "2026-10-15", "", "5483.87", ""},
		// left 2026-10-10, inclusive: 10 of 31 days; 10000 × 10 / 31 = 3225.806451… → 3225.81
		{"left mid-month", "10000", "1000", "1000", "", "2026-10-10", "3225.81", ""},
		// hired and left the same day: 1 of 31; 31000 × 1 / 31 = 1000
		{"one day", "31000", "1000", "1000", "2026-10-07", "2026-10-07", "1000.00", ""},
		// left before the period: 0 days
		{"left before", "10000", "1000", "1000", "", "2026-09-30", "0.00", ""},
		// no target: pays nothing, flagged
		{"missing target", "10000", "1000", "", "", "", "0.00", "missing_target:sales"},
		{"zero target", "10000", "1000", "0", "", "", "0.00", "missing_target:sales"},
		// returns exceed shipments: attainment −0.1 is below the first point
		{"negative sales", "10000", "-100", "1000", "", "", "0.00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := salesInputs(tt.vt, tt.actual, tt.target)
			if tt.hired != "" {
				h := date(tt.hired)
				in.Manager.HiredOn = &h
			}
			if tt.left != "" {
				l := date(tt.left)
				in.Manager.LeftOn = &l
			}
			l := pay.Compute(salesPlan(t, ""), in, nil)
			if l.VariablePay.StringFixed(2) != tt.want || strings.Join(l.Flags, " ") != tt.flags {
				t.Errorf("Compute(%s) = %s flags %q, want %s flags %q", tt.name, l.VariablePay.StringFixed(2), l.Flags, tt.want, tt.flags)
			}
		})
	}
}

func TestComputeCapGatesAndWhatIf(t *testing.T) {
	plan := salesPlan(t, "    cap: 1.8\n    gates:\n      - {metric: overdue_share, above: 0.2, multiplier: 0.5}\n      - {metric: overdue_share, above: 0.5, multiplier: 0.5}\n")
	in := salesInputs("10000", "2000", "1000")
	// 2000 / 1000 = 2 → flat 2 → capped at 1.8; nothing open → share 0 → 10000 × 1.8 = 18000
	l := pay.Compute(plan, in, nil)
	if l.VariablePay.String() != "18000" || !l.Capped || l.WeightedSum.String() != "2" {
		t.Errorf("Compute(cap) = %s (Σ %s, capped %v), want 18000 with Σ 2 capped", l.VariablePay, l.WeightedSum, l.Capped)
	}
	// overdue 300 of 700 + 300 open = 0.3 > 0.2 → × 0.5 (the 0.5 gate does not apply) → 9000
	in.Receivables = []pay.Receivable{{ClientID: "C", NotDue: d("700"), Overdue: []pay.Amount{{Name: "overdue_1_30", Amount: d("300")}}}}
	if l := pay.Compute(plan, in, nil); l.VariablePay.String() != "9000" || l.OverdueShare.String() != "0.3" {
		t.Errorf("Compute(gate 0.3) = %s share %s, want 9000 share 0.3", l.VariablePay, l.OverdueShare)
	}
	// exactly at the limit is not above it: overdue 200 of 1000 = 0.2 → × 1
	in.Receivables[0].NotDue, in.Receivables[0].Overdue[0].Amount = d("800"), d("200")
	if l := pay.Compute(plan, in, nil); l.VariablePay.String() != "18000" {
		t.Errorf("Compute(gate at 0.2) = %s, want 18000 (not above the limit)", l.VariablePay)
	}
	// both gates: 600 of 1000 = 0.6 → × 0.5 × 0.5 → 4500
	in.Receivables[0].NotDue, in.Receivables[0].Overdue[0].Amount = d("400"), d("600")
	if l := pay.Compute(plan, in, nil); l.VariablePay.String() != "4500" || l.GateMultiplier.String() != "0.25" {
		t.Errorf("Compute(two gates) = %s (× %s), want 4500 (× 0.25)", l.VariablePay, l.GateMultiplier)
	}
	// what-if: 900 + 250 = 1150 of 1000 → 1 + 0.15 × 2 = 1.3 → 13000 × 0.25 = 3250
	in = salesInputs("10000", "900", "1000")
	w := pay.Compute(plan, in, map[string]decimal.Decimal{"sales": d("250")})
	if w.VariablePay.String() != "13000" || w.Components[0].Actual.String() != "1150" {
		t.Errorf("Compute(what-if +250) = %s (actual %s), want 13000 (actual 1150)", w.VariablePay, w.Components[0].Actual)
	}
}

func TestInputsHash(t *testing.T) {
	plan := salesPlan(t, "")
	base := pay.Compute(plan, salesInputs("10000", "900", "1000"), nil).InputsSHA256
	if len(base) != 64 {
		t.Fatalf("InputsSHA256 = %q, want 64 hex digits", base)
	}
	tests := []struct {
		name    string
		change  func(*pay.Inputs)
		changed bool
	}{
		{"nothing", func(*pay.Inputs) {}, false},
		{"a client renamed", func(in *pay.Inputs) { in.Sales[0].ClientName = "Renamed" }, false},
		{"the build date (provisional)", func(in *pay.Inputs) { in.Provisional = true }, false},
		{"the same amount at another scale", func(in *pay.Inputs) { in.Sales[0].Amount = d("900.00000000") }, false},
		{"an amount", func(in *pay.Inputs) { in.Sales[0].Amount = d("900.01") }, true},
		{"a target", func(in *pay.Inputs) { in.Targets["sales"] = d("1001") }, true},
		{"a late return", func(in *pay.Inputs) {
			in.Sales = append(in.Sales, pay.Event{Kind: "return", Date: date("2026-10-30"), Ref: "R9", ClientID: "C", Amount: d("0")})
		}, true},
		{"left_on", func(in *pay.Inputs) { l := date("2026-10-31"); in.Manager.LeftOn = &l }, true},
	}
	for _, tt := range tests {
		in := salesInputs("10000", "900", "1000")
		tt.change(in)
		if got := pay.Compute(plan, in, nil).InputsSHA256; (got != base) != tt.changed {
			t.Errorf("InputsSHA256 after %s changed = %v, want %v", tt.name, got != base, tt.changed)
		}
	}
}
