package pay_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/models/pay"
)

func linesOf(s *pay.Sheet) string {
	var out []string
	for _, l := range s.Lines {
		adj := ""
		if !l.AdjustsPeriod.IsZero() {
			adj = " " + l.AdjustsPeriod.String()
		}
		out = append(out, l.ManagerID+" "+l.Kind+adj+" "+l.VariablePay.StringFixed(2))
	}
	return strings.Join(out, "; ")
}

// TestLockLateDataAdjustments: L1 earns 10000 × sales / 1000 (curve [0 → 0, 2 → 2], target 1000
// every month). Locked sheets never change; late data shows as adjustments in the next open period.
func TestLockLateDataAdjustments(t *testing.T) {
	ctx := context.Background()
	db := openWarehouse(t)
	plans := loadPlans(t, "late")
	clock := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	opt := pay.LockOptions{Now: func() time.Time { return clock }, Actor: "hr-anna"}
	calc := func(p string) *pay.Sheet {
		t.Helper()
		s, err := pay.Calculate(ctx, db, plans, period(p), pay.Options{})
		if err != nil {
			t.Fatalf("Calculate(%s): %v", p, err)
		}
		return s
	}
	expect := func(what string, s *pay.Sheet, status, want string) {
		t.Helper()
		if got := linesOf(s); got != want || s.Status != status {
			t.Errorf("%s: %s [%s], want %s [%s]", what, got, s.Status, want, status)
		}
	}

	ingestDir(t, db, "late")
	build(t, db, "late", "2026-10-31")
	// October: 800 shipped → 0.8 → 8000.
	expect("October before the lock", calc("2026-10"), "open", "L1 pay 8000.00")
	locked, err := pay.Lock(ctx, db, plans, period("2026-10"), opt)
	if err != nil {
		t.Fatal(err)
	}
	octHash := locked.InputsSHA256
	if again := calc("2026-10"); again.Changed || len(again.Warnings) > 0 || linesOf(again) != "L1 pay 8000.00" || again.InputsSHA256 != octHash {
		t.Errorf("October right after the lock: changed %v, warnings %q, %s; want unchanged, no warnings, the same hash", again.Changed, again.Warnings, linesOf(again))
	}
	if locked.Run.ID != 1 || locked.Status != "locked" {
		t.Errorf("Lock(2026-10) = run %d %s, want run 1 locked", locked.Run.ID, locked.Status)
	}
	var le *pay.LockedError
	if _, err := pay.Lock(ctx, db, plans, period("2026-10"), opt); !errors.As(err, &le) || !strings.Contains(err.Error(), "2026-10 is locked (run 1, 2026-11-02 09:30 by hr-anna)") {
		t.Errorf("second Lock(2026-10) error = %v, want a LockedError naming run 1", err)
	}
	// The build is as of 2026-10-31: November is not over.
	if _, err := pay.Lock(ctx, db, plans, period("2026-11"), opt); !errors.Is(err, pay.ErrIncomplete) || !strings.Contains(err.Error(), "built as of 2026-10-31") {
		t.Errorf("Lock(2026-11) built as of 2026-10-31: error = %v, want ErrIncomplete", err)
	}

	// Late data: a shipment of 100 on 2026-10-25.
	ingestDir(t, db, "late/late1")
	build(t, db, "late", "2026-11-30")
	oct := calc("2026-10")
	expect("locked October after late data", oct, "locked", "L1 pay 8000.00")
	if oct.InputsSHA256 != octHash || !oct.Changed || oct.Difference.String() != "1000" || oct.NextOpen.String() != "2026-11" {
		t.Errorf("locked October: hash kept %v, changed %v, difference %s, next open %s; want the locked hash, changed, 1000, 2026-11",
			oct.InputsSHA256 == octHash, oct.Changed, oct.Difference, oct.NextOpen)
	}
	if w := strings.Join(oct.Warnings, "\n"); !strings.Contains(w, "changed since it was locked: +1000.00 shows as a prior-period adjustment in 2026-11") {
		t.Errorf("locked October warnings = %q, want the +1000.00 adjustment announced", w)
	}
	// November: 1000 → 10000; October recomputed 900 → 9000 − locked 8000 = +1000.
	expect("November", calc("2026-11"), "open", "L1 pay 10000.00; L1 adjustment 2026-10 1000.00")
	clock = clock.AddDate(0, 1, 0)
	if _, err := pay.Lock(ctx, db, plans, period("2026-11"), opt); err != nil {
		t.Fatal(err)
	}

	// More late data: a return of 50 on 2026-10-28 and a shipment of 200 on 2026-11-20.
	ingestDir(t, db, "late/late2")
	build(t, db, "late", "2026-12-31")
	octAgain := calc("2026-10")
	expect("locked October, again", octAgain, "locked", "L1 pay 8000.00")
	// 8500 − 8000 − 1000 already adjusted in November = −500 for December.
	if octAgain.Difference.String() != "-500" || octAgain.NextOpen.String() != "2026-12" {
		t.Errorf("locked October after more late data: difference %s in %s, want -500 in 2026-12", octAgain.Difference, octAgain.NextOpen)
	}
	expect("locked November", calc("2026-11"), "locked", "L1 pay 10000.00; L1 adjustment 2026-10 1000.00")
	// December: 500 → 5000; October 850 → 8500 − 8000 − 1000 already adjusted = −500;
	// November 1200 → 12000 − 10000 = +2000.
	dec := calc("2026-12")
	expect("December", dec, "open", "L1 pay 5000.00; L1 adjustment 2026-10 -500.00; L1 adjustment 2026-11 2000.00")
	if dec.Total().String() != "6500" {
		t.Errorf("December total = %s, want 5000 − 500 + 2000 = 6500", dec.Total())
	}
	st, err := dec.Statement("L1")
	if err != nil {
		t.Fatal(err)
	}
	text := statementText(t, st)
	for _, want := range []string{
		"Prior-period adjustment for 2026-10 (locked in run 1)",
		"adjustment = 8500.00 − 8000.00 − 1000.00",
		"sales actual: locked 800 → now 850",
		"to pay for 2026-12: pay 5000.00, adjustment for 2026-10 -500.00, adjustment for 2026-11 +2000.00",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("December statement of L1 lacks %q:\n%s", want, text)
		}
	}
	if rec, err := pay.Calculate(ctx, db, plans, period("2026-10"), pay.Options{Recompute: true}); err != nil || linesOf(rec) != "L1 pay 8500.00" {
		t.Errorf("Calculate(2026-10, Recompute) = %v, %v; want L1 pay 8500.00", linesOf(rec), err)
	}
	lockedOct, err := pay.Calculate(ctx, db, plans, period("2026-10"), pay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := lockedOct.Statement("L1"); !strings.Contains(statementText(t, st), "sheet locked in run 1 on 2026-11-02 09:30 by hr-anna (data built as of 2026-10-31)") {
		t.Errorf("statement of locked October:\n%s\nwant it to say it is locked in run 1", statementText(t, st))
	}

	// Unlock November: it is computed afresh, and October's adjustment moves back into it.
	if _, err := pay.Unlock(ctx, db, period("2026-11"), " ", opt); err == nil || !strings.Contains(err.Error(), "a reason is required") {
		t.Errorf("Unlock without a reason: error = %v, want a reason required", err)
	}
	if _, err := pay.Unlock(ctx, db, period("2026-09"), "typo", opt); !errors.Is(err, pay.ErrNotLocked) {
		t.Errorf("Unlock(2026-09) error = %v, want ErrNotLocked", err)
	}
	clock = clock.Add(time.Hour)
	if _, err := pay.Unlock(ctx, db, period("2026-11"), "target for November was wrong", opt); err != nil {
		t.Fatal(err)
	}
	// November 1200 → 12000; October 8500 − 8000 − 0 (November's run no longer counts) = +500.
	expect("unlocked November", calc("2026-11"), "open", "L1 pay 12000.00; L1 adjustment 2026-10 500.00")
	expect("December with November open", calc("2026-12"), "open", "L1 pay 5000.00")

	assertRows(t, db, "SELECT period, run_id, action, actor, coalesce(reason, ''), total_pay FROM meta.pay_log ORDER BY logged_at", []string{
		"2026-10 1 lock hr-anna  8000.00",
		"2026-11 2 lock hr-anna  11000.00",
		"2026-11 2 unlock hr-anna target for November was wrong 11000.00",
	})
	assertRows(t, db, "SELECT run_id, period, status, lines, total_pay, unlock_reason FROM meta.pay_runs ORDER BY run_id", []string{
		"1 2026-10 locked 1 8000.00 ",
		"2 2026-11 unlocked 2 11000.00 target for November was wrong",
	})
	assertRows(t, db, "SELECT run_id, line_no, kind, coalesce(adjusts_period, ''), manager_id, variable_pay, length(inputs_sha256) FROM meta.pay_lines ORDER BY run_id, line_no", []string{
		"1 1 pay  L1 8000.00 64",
		"2 1 pay  L1 10000.00 64",
		"2 2 adjustment 2026-10 L1 1000.00 64",
	})
}

func statementText(t *testing.T, st []pay.StatementLine) string {
	t.Helper()
	var b strings.Builder
	if err := pay.WriteStatement(&b, st); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
