package pay_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/models/pay"
)

var weightPattern = regexp.MustCompile(`\(weight ([0-9.]+),`)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// casesDB is the "cases" fixture built once as of 2026-10-31 and shared by
// the read-only tests (each loads a DuckDB file, so they do not run in parallel).
var casesDB = struct {
	sync.Once
	db  *sql.DB
	err error
}{}

func cases(t *testing.T) *sql.DB {
	t.Helper()
	casesDB.Do(func() {
		// A sub-test's TempDir would vanish with it: open under the package test's own folder.
		db := openWarehouseAt(t, filepath.Join(os.TempDir(), fmt.Sprintf("kam-pay-cases-%d.duckdb", os.Getpid())))
		ingestDir(t, db, "cases")
		build(t, db, "cases", "2026-10-31")
		casesDB.db = db
	})
	if casesDB.db == nil {
		t.Fatal("the cases fixture failed to load")
	}
	return casesDB.db
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if casesDB.db != nil {
		casesDB.db.Close()
	}
	os.Remove(filepath.Join(os.TempDir(), fmt.Sprintf("kam-pay-cases-%d.duckdb", os.Getpid())))
	os.Remove(filepath.Join(os.TempDir(), fmt.Sprintf("kam-pay-cases-%d.duckdb.wal", os.Getpid())))
	os.Exit(code)
}

func sheetRows(s *pay.Sheet) []string {
	var out []string
	for _, l := range s.Lines {
		var att []string
		for _, c := range l.Components {
			a := "-"
			if c.Attainment != nil {
				a = c.Attainment.String()
			}
			att = append(att, c.KPI+"="+c.Actual.String()+"/"+a+"/"+c.Payout.String())
		}
		out = append(out, fmt.Sprintf("%s %s %s %s [%s] f=%s g=%s %s %q", l.ManagerID, l.Kind, l.Plan, l.Proration.StringFixed(4),
			strings.Join(att, " "), l.Factor, l.GateMultiplier, l.VariablePay.StringFixed(2), strings.Join(l.Flags, " ")))
	}
	return out
}

func TestSheetCases(t *testing.T) {
	db := cases(t)
	s, err := pay.Calculate(context.Background(), db, loadPlans(t, "cases"), period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Hand-computed, 2026-10 has 31 days; curve [0.8 → 0.5, 1 → 1, 1.5 → 2], cap 1.8,
	// gate overdue_share > 0.2 → × 0.5 unless said otherwise. kpi=actual/attainment/payout.
	want := []string{
		// Reassigned client and returns: C1 10 × 150 + 3 of 5 × 40 (only the shipped 3 count; O12 is
		// not shipped) − R1 300 + C2's O20 on 2026-10-10 (still M1's) 4 × 250 + C4 1 × 80 = 2400.
		// 2400 / 2500 = 0.96 → 0.5 + 0.16 × 2.5 = 0.9 → × 0.5 = 0.45. Active at 2026-10-31: C1, C4 → 2 / 2 → 0.3.
		// New: C4 (first shipped 2026-10-20) → 1 / 1 → 0.2. Factor 0.95; C1 overdue 500 / 5500 ≤ 0.2.
		// 50000 × 0.95 = 47500.
		"M1 pay kam-2026 1.0000 [sales=2400/0.96/0.45 active_clients=2/1/0.3 new_clients=1/1/0.2] f=0.95 g=1 47500.00 \"\"",
		// C2 moved to M2 on 2026-10-16 (valid_to exclusive): O21 2 × 250 = 500 + C3 3 × 100 = 300 → 800 / 1000 = 0.8,
		// exactly the first point → 0.5 × 0.5 = 0.25. Active: C2, C3 → 0.3. New: C3 → 0.2 (C2 first shipped in
		// August). Factor 0.75 × 60000 = 45000.
		"M2 pay kam-2026 1.0000 [sales=800/0.8/0.25 active_clients=2/1/0.3 new_clients=1/1/0.2] f=0.75 g=1 45000.00 \"\"",
		// Accelerator: 1200 / 1000 = 1.2 → 1 + 0.2 × 2 = 1.4 → 14000.
		"MA pay sales-only 1.0000 [sales=1200/1.2/1.4] f=1.4 g=1 14000.00 \"\"",
		// Cap: 2000 / 1000 = 2 → flat 2 → capped 1.8 → 18000.
		"MC pay sales-only 1.0000 [sales=2000/2/2] f=1.8 g=1 18000.00 \"capped\"",
		// Gate: 1000 / 1000 → 1; at 2026-10-31 CG has overdue 200 + 100 of 700 + 300 open = 0.3 > 0.2 → × 0.5 → 5000.
		"MG pay sales-only 1.0000 [sales=1000/1/1] f=1 g=0.5 5000.00 \"gate:overdue_share\"",
		// Hired 2026-10-15: 17 of 31 days; 10000 × 17 × 1 / 31 = 5483.870967… → 5483.87.
		"MH pay sales-only 0.5484 [sales=1000/1/1] f=1 g=1 5483.87 \"\"",
		// Linear: 900 / 1000 = 0.9 → 0.5 + 0.1 × 2.5 = 0.75 → 7500.
		"ML pay sales-only 1.0000 [sales=900/0.9/0.75] f=0.75 g=1 7500.00 \"\"",
		// Missing target: no active_clients row, new_clients target 0 → both pay nothing.
		// Sales 1000 / 1000 → 0.5 × 1 = 0.5 → 40000 × 0.5 = 20000.
		"MM pay kam-2026 1.0000 [sales=1000/1/0.5 active_clients=1/-/0 new_clients=1/-/0] f=0.5 g=1 20000.00 \"missing_target:active_clients missing_target:new_clients\"",
		// Collected: P1 600 (client_id) + P2 300 (payer_inn 7700000001 = CP) + P5 200 (a payer outside the CRM,
		// matched by CP's invoice INV-P1 it names, as the receivables match it) − RP1 100 = 1000; P3 is September's,
		// P4 matches no client, O50's 2000 shipped does not count. Curve [0 → 0, 2 → 2]: 1 → 10000.
		"MP pay collected 1.0000 [sales=1000/1/1] f=1 g=1 10000.00 \"\"",
		// Left 2026-10-10, the last day worked: 10 of 31 days → 10000 × 10 / 31 = 3225.806451… → 3225.81.
		"MQ pay sales-only 0.3226 [sales=1000/1/1] f=1 g=1 3225.81 \"\"",
		// Rounding: 1234.565 × 1 → 1234.57 (half away from zero).
		"MR pay sales-only 1.0000 [sales=1000/1/1] f=1 g=1 1234.57 \"\"",
		// Threshold: 700 / 1000 = 0.7 < 0.8 → 0.
		"MT pay sales-only 1.0000 [sales=700/0.7/0] f=0 g=1 0.00 \"\"",
	}
	if got := sheetRows(s); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Calculate(cases, 2026-10):\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.Status != pay.StatusOpen || s.Total().String() != "176944.25" {
		t.Errorf("sheet status %s total %s, want open 176944.25", s.Status, s.Total())
	}
	wantWarn := "manager MW has targets for 2026-10 but no compensation plan applies to them on 2026-10-01"
	if strings.Join(s.Warnings, "\n") != wantWarn {
		t.Errorf("sheet warnings = %q, want %q", s.Warnings, wantWarn)
	}
	// The later version of sales-only (valid from 2026-11-01) applies to November.
	nov, err := pay.Calculate(context.Background(), db, loadPlans(t, "cases"), period("2026-11"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if l := payOf(nov, "MA", pay.KindPay, ""); l == nil || !l.PlanValidFrom.Equal(date("2026-11-01")) || !strings.Contains(strings.Join(l.Flags, " "), "provisional") {
		t.Errorf("November MA line = %+v, want the 2026-11-01 version, flagged provisional (built as of 2026-10-31)", l)
	}
}

// TestStatementReproducesPay recomputes every manager's pay from the
// figures their statement lists, by hand-rule arithmetic, and compares.
func TestStatementReproducesPay(t *testing.T) {
	db := cases(t)
	s, err := pay.Calculate(context.Background(), db, loadPlans(t, "cases"), period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range s.Lines {
		t.Run(l.ManagerID, func(t *testing.T) {
			st, err := s.Statement(l.ManagerID)
			if err != nil {
				t.Fatal(err)
			}
			got := reproduce(t, st)
			if !got.Equal(l.VariablePay) {
				t.Errorf("pay reproduced from the statement of %s = %s, want %s", l.ManagerID, got, l.VariablePay)
			}
		})
	}
}

// reproduce redoes the arithmetic from a statement's lines: the inputs of a
// KPI sum (or count) to its actual; attainment = actual / target; payout =
// weight × curve value; factor = min(cap, Σ payout); pay = target × days
// employed × factor × gates / days, rounded half away from zero.
func reproduce(t *testing.T, st []pay.StatementLine) decimal.Decimal {
	t.Helper()
	val := func(l pay.StatementLine) decimal.Decimal {
		if l.Num == nil {
			t.Fatalf("statement line %q has no value", l.Text)
		}
		if !l.Num.Equal(decimal.RequireFromString(strings.TrimPrefix(l.Value, "+"))) {
			t.Fatalf("statement line %q shows %s but carries %s", l.Text, l.Value, l.Num)
		}
		return *l.Num
	}
	var employed, days, vt, factor, gate decimal.Decimal
	payouts := decimal.Zero
	var inputs, actual, target, attainment, curveValue, weight decimal.Decimal
	var result decimal.Decimal
	for _, l := range st {
		text := strings.TrimSpace(l.Text)
		switch {
		case l.Num == nil:
			if strings.HasPrefix(l.Text, "  ") {
				continue
			}
			inputs = decimal.Zero // a new section heading
			if m := weightPattern.FindStringSubmatch(text); m != nil {
				weight = decimal.RequireFromString(m[1])
			}
		case strings.HasPrefix(l.Text, "    "): // an input row
			inputs = inputs.Add(val(l))
		case strings.HasPrefix(text, "days employed"):
			employed = val(l)
		case strings.HasPrefix(text, "days in"):
			days = val(l)
		case strings.HasPrefix(text, "actual ="):
			actual = val(l)
			if !actual.Equal(inputs) {
				t.Errorf("%s = %s, but the rows above sum to %s", text, actual, inputs)
			}
		case strings.HasPrefix(text, "target"):
			target = val(l)
		case strings.HasPrefix(text, "attainment ="):
			attainment = val(l)
			if want := actual.DivRound(target, pay.Places); !attainment.Equal(want) {
				t.Errorf("%s shows %s, want %s", text, attainment, want)
			}
		case strings.HasPrefix(text, "curve:"):
			curveValue = val(l)
		case strings.HasPrefix(text, "payout ="):
			if want := weight.Mul(curveValue); !val(l).Equal(want) {
				t.Errorf("%s shows %s, want %s × %s = %s", text, val(l), weight, curveValue, want)
			}
			payouts = payouts.Add(val(l))
		case strings.HasPrefix(text, "missing or zero target"):
			// pays nothing
		case strings.HasPrefix(text, "Σ payout"):
			if !val(l).Equal(payouts) {
				t.Errorf("%s shows %s, the payouts sum to %s", text, val(l), payouts)
			}
		case strings.HasPrefix(text, "cap ") && strings.Contains(text, " reached"):
			c := decimal.RequireFromString(strings.Fields(text)[1])
			factor = val(l)
			if want := decimal.Min(c, payouts); !factor.Equal(want) {
				t.Errorf("%s shows %s, want %s", text, factor, want)
			}
		case strings.HasPrefix(text, "no cap"):
			factor = val(l)
		case text == "gate multiplier" || strings.HasPrefix(text, "no gates"):
			gate = val(l)
		case strings.HasPrefix(text, "variable_target ("):
			vt = val(l)
		case strings.HasPrefix(text, "variable pay, rounded"):
			result = val(l)
		}
	}
	want := vt.Mul(employed).Mul(factor).Mul(gate).DivRound(days, 2)
	if !want.Equal(result) {
		t.Errorf("statement says %s, its figures give %s × %s × %s × %s / %s = %s", result, vt, employed, factor, gate, days, want)
	}
	return want
}

func TestStatementGolden(t *testing.T) {
	db := cases(t)
	s, err := pay.Calculate(context.Background(), db, loadPlans(t, "cases"), period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"M1", "MP", "MG"} {
		st, err := s.Statement(m)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := pay.WriteStatement(&b, st); err != nil {
			t.Fatal(err)
		}
		// The open sheet's heading names the build date; the hash lines depend on JSON details.
		got := b.String()
		golden := filepath.Join("testdata", "cases", "statement_"+m+".golden")
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("statement of %s differs from %s (go test -update rewrites it):\n%s", m, golden, got)
		}
	}
	if _, err := s.Statement("MZ"); err == nil || !strings.Contains(err.Error(), "manager MZ has no line in the pay sheet of 2026-10") {
		t.Errorf("Statement(MZ, left in September) error = %v, want it to say MZ has no line", err)
	}
}

func TestWhatIf(t *testing.T) {
	db := cases(t)
	plans := loadPlans(t, "cases")
	// M1: sales 2400 + 250000 → 252400 / 2500 = 100.96 → flat 2 → 0.5 × 2 = 1; + active 0.3 + new 0.2
	// = 1.5 (below the cap 1.8) → 50000 × 1.5 = 75000, 27500 more than 47500.
	w, err := pay.ComputeWhatIf(context.Background(), db, plans, period("2026-10"), "M1", map[string]decimal.Decimal{"sales": d("250000")})
	if err != nil {
		t.Fatal(err)
	}
	if w.Before.VariablePay.String() != "47500" || w.After.VariablePay.String() != "75000" || w.Gain().String() != "27500" {
		t.Errorf("WhatIf(M1, sales +250000) = %s → %s (+%s), want 47500 → 75000 (+27500)", w.Before.VariablePay, w.After.VariablePay, w.Gain())
	}
	// M2: new_clients + 1 → 2 / 1 = 2 → flat 2 → 0.2 × 2 = 0.4; active + 3 → 5 / 2 = 2.5 → 2 → 0.6;
	// sales 0.25 → 1.25 → 60000 × 1.25 = 75000.
	w, err = pay.ComputeWhatIf(context.Background(), db, plans, period("2026-10"), "M2", map[string]decimal.Decimal{"new_clients": d("1"), "active_clients": d("3")})
	if err != nil {
		t.Fatal(err)
	}
	if w.After.VariablePay.String() != "75000" {
		t.Errorf("WhatIf(M2, active +3, new +1) = %s, want 75000", w.After.VariablePay)
	}
	var b bytes.Buffer
	if err := w.Write(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "variable pay     45000.00 → 75000.00 (+30000.00)") {
		t.Errorf("WhatIf.Write:\n%s\nwant the pay line 45000.00 → 75000.00 (+30000.00)", b.String())
	}
	if _, err := pay.ComputeWhatIf(context.Background(), db, plans, period("2026-10"), "M1", map[string]decimal.Decimal{"visits": d("1")}); err == nil {
		t.Error("WhatIf(visits) = no error, want unknown KPI")
	}
}

func TestMaterializeGapValue(t *testing.T) {
	db := cases(t)
	res, err := pay.Materialize(context.Background(), db, filepath.Join("testdata", "cases", "compensation.yaml"), date("2026-10-31"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Period.String() != "2026-10" || res.Rows != 9*2+3*4 {
		t.Errorf("Materialize = %s, %d rows; want 2026-10, 30 (one per KPI and one 'all' per manager: 9 × 2 + 3 × 4)", res.Period, res.Rows)
	}
	rows, err := db.Query(`SELECT manager_id, kpi, coalesce(gap::VARCHAR, '-'), pay_now::VARCHAR, pay_if_closed::VARCHAR, gap_value::VARCHAR, flags
        FROM marts.pay_gap_value WHERE manager_id IN ('M1', 'ML', 'MM', 'MT', 'MC') ORDER BY manager_id, kpi`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var m, k, gap, now, ifc, v, f string
		if err := rows.Scan(&m, &k, &gap, &now, &ifc, &v, &f); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{m, k, gap, now, ifc, v, f}, " "))
	}
	want := []string{
		// M1: closing the sales gap 2500 − 2400 = 100 → 1 → 0.5 + 0.3 + 0.2 = 1 → 50000: +2500.
		"M1 active_clients 0.0000 47500.00 47500.00 0.00 ",
		"M1 all - 47500.00 50000.00 2500.00 ",
		"M1 new_clients 0.0000 47500.00 47500.00 0.00 ",
		"M1 sales 100.0000 47500.00 50000.00 2500.00 ",
		// MC is above target: nothing to close.
		"MC all - 18000.00 18000.00 0.00 capped",
		"MC sales -1000.0000 18000.00 18000.00 0.00 ",
		// ML: 900 → 1000 → 1 → 10000: +2500.
		"ML all - 7500.00 10000.00 2500.00 ",
		"ML sales 100.0000 7500.00 10000.00 2500.00 ",
		// MM: active and new have no target: no gap to close.
		"MM active_clients - 20000.00 20000.00 0.00 missing_target:active_clients",
		"MM all - 20000.00 20000.00 0.00 missing_target:active_clients missing_target:new_clients",
		"MM new_clients - 20000.00 20000.00 0.00 missing_target:new_clients",
		"MM sales 0.0000 20000.00 20000.00 0.00 ",
		// MT: 700 → 1000 → 1 → 10000.
		"MT all - 0.00 10000.00 10000.00 ",
		"MT sales 300.0000 0.00 10000.00 10000.00 ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("marts.pay_gap_value:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNoReceivablesMart(t *testing.T) {
	db := openWarehouse(t)
	ingestDir(t, db, "cases")
	build(t, db, "cases", "2026-10-31")
	dropReceivables(t, db)
	s, err := pay.Calculate(context.Background(), db, loadPlans(t, "cases"), period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Without the ageing mart the share is 0: MG's gate does not apply → 10000, flagged.
	l := payOf(s, "MG", pay.KindPay, "")
	if l == nil || l.VariablePay.String() != "10000" || strings.Join(l.Flags, " ") != "no_receivables" {
		t.Errorf("MG without receivables_ageing = %+v, want 10000 flagged no_receivables", l)
	}
	// The collected plan has no gates: nothing to flag.
	if l := payOf(s, "MP", pay.KindPay, ""); l == nil || len(l.Flags) != 0 {
		t.Errorf("MP without receivables_ageing flags = %v, want none (its plan has no gate)", l.Flags)
	}
}

// TestGateFromReceivablesMart reads the gate from the real marts.receivables_ageing.
func TestGateFromReceivablesMart(t *testing.T) {
	db := openWarehouse(t)
	ingestDir(t, db, "ageing")
	build(t, db, "ageing", "2026-10-31")
	var n int
	if err := db.QueryRow("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts' AND table_name = 'receivables_ageing'").Scan(&n); err != nil || n == 0 {
		t.Skip("marts.receivables_ageing is not among the models yet")
	}
	s, err := pay.Calculate(context.Background(), db, loadPlans(t, "ageing"), period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// At 2026-10-31: CG owes I1 100 (due 2026-09-25, 36 days overdue), I2 200 (due 2026-10-20, 11 days)
	// and I3 700 (not due): 300 / 1000 = 0.3 > 0.2 → × 0.5 → 10000 × 1 × 0.5 = 5000.
	// CN's P1 300 pays the oldest due I4 400 → 100 overdue; I5 600 not due: 100 / 700 = 0.142857… → × 1.
	want := []string{
		`MG pay gated 1.0000 [sales=1000/1/1] f=1 g=0.5 5000.00 "gate:overdue_share"`,
		`MN pay gated 1.0000 [sales=1000/1/1] f=1 g=1 10000.00 ""`,
	}
	if got := sheetRows(s); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Calculate(ageing, 2026-10):\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if l := payOf(s, "MN", pay.KindPay, ""); l == nil || l.OverdueShare.String() != "0.14285714285714285714" {
		t.Errorf("MN overdue share = %v, want 100 / 700 = 0.14285714285714285714", l.OverdueShare)
	}
	st, err := s.Statement("MG")
	if err != nil {
		t.Fatal(err)
	}
	text := statementText(t, st)
	for _, want := range []string{"invoice I1 due 2026-09-25, 36 days overdue", "open 100.00", "invoice I3 due 2026-11-15, not due", "open 700.00"} {
		if !strings.Contains(text, want) {
			t.Errorf("statement of MG lacks the open invoice detail %q:\n%s", want, text)
		}
	}
}

// The gap values read the month's sales and payments as sums, the pay sheet
// reads every event: both must give every manager the same actuals and pay,
// on either basis (MP's plan is collected: returns and payments).
func TestGapValuesMatchThePaySheet(t *testing.T) {
	db := cases(t)
	if _, err := pay.Materialize(context.Background(), db, filepath.Join("testdata", "cases", "compensation.yaml"), date("2026-10-31")); err != nil {
		t.Fatal(err)
	}
	s := casesSheet(t)
	var want []string
	for _, l := range s.Lines {
		if l.Kind != pay.KindPay {
			continue
		}
		for _, c := range l.Components {
			want = append(want, strings.Join([]string{l.ManagerID, c.KPI, c.Actual.StringFixed(4), l.VariablePay.StringFixed(2)}, " "))
		}
	}
	if !slices.ContainsFunc(want, func(r string) bool { return strings.HasPrefix(r, "MP sales ") }) {
		t.Fatalf("the pay sheet has no line for MP, the collected plan's manager: %v", want)
	}
	rows, err := db.Query("SELECT manager_id, kpi, actual::VARCHAR, pay_now::VARCHAR FROM marts.pay_gap_value WHERE kpi <> 'all' ORDER BY manager_id, kpi")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var m, k, a, p string
		if err := rows.Scan(&m, &k, &a, &p); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{m, k, a, p}, " "))
	}
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("marts.pay_gap_value actuals and pay:\n%s\nthe pay sheet's:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A sheet computed from sums (the director's pay panel) has every pay
// line's figures of the sheet computed from every event: only the events
// and digests are left out.
func TestSumsOnlySheetMatchesThePaySheet(t *testing.T) {
	figures := func(s *pay.Sheet) []string {
		var out []string
		for _, l := range s.Lines {
			if l.Kind != pay.KindPay {
				continue
			}
			c := *l
			c.Inputs, c.InputsSHA256 = nil, ""
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(b))
		}
		return out
	}
	want := figures(casesSheet(t))
	s, err := pay.Calculate(context.Background(), cases(t), loadPlans(t, "cases"), period("2026-10"), pay.Options{SumsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	got := figures(s)
	if len(want) < 3 || !slices.Equal(got, want) {
		t.Errorf("from sums:\n%s\nfrom every event:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range s.Lines {
		if l.Kind != pay.KindPay || l.InputsSHA256 != "" {
			t.Errorf("a sheet from sums has %s line %s with digest %q", l.Kind, l.ManagerID, l.InputsSHA256)
		}
	}
}
