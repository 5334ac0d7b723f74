package pay

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Sheet statuses.
const (
	StatusOpen   = "open"
	StatusLocked = "locked"
)

// Sheet is the pay sheet of a period: a pay line per manager employed in
// it who has a plan, and the prior-period adjustment lines it carries.
type Sheet struct {
	Period Period
	// Status is open (computed from today's data) or locked (as stored).
	Status string
	// Run is the locked run the sheet was read from (nil when open).
	Run *Run
	// AsOf is the as-of date of the build the figures come from.
	AsOf time.Time
	// InputsSHA256 identifies everything the sheet was computed from.
	InputsSHA256 string
	// Lines: by manager, the pay line first, then its adjustments by period.
	Lines    []*Line
	Warnings []string

	// A locked sheet whose data changed since the lock: Changed is set,
	// Difference is what the next open period (NextOpen) will adjust.
	Changed    bool
	Difference decimal.Decimal
	NextOpen   Period
}

// KPIs lists the KPIs of the sheet's lines in the canonical order.
func (s *Sheet) KPIs() []string {
	seen := map[string]bool{}
	for _, l := range s.Lines {
		for _, c := range l.Components {
			seen[c.KPI] = true
		}
	}
	var out []string
	for _, k := range KPIs {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

// Total is the sum of the sheet's lines: pay and adjustments.
func (s *Sheet) Total() decimal.Decimal {
	t := decimal.Zero
	for _, l := range s.Lines {
		t = t.Add(l.VariablePay)
	}
	return t
}

// ManagerLines are a manager's lines of the sheet.
func (s *Sheet) ManagerLines(managerID string) []*Line {
	var out []*Line
	for _, l := range s.Lines {
		if l.ManagerID == managerID {
			out = append(out, l)
		}
	}
	return out
}

// Options tune Calculate.
type Options struct {
	// Recompute computes a locked period from today's data with the plans
	// it was locked with, instead of returning the stored sheet.
	Recompute bool
	// NoAdjustments leaves prior-period adjustments out of an open sheet.
	NoAdjustments bool
	// SumsOnly computes an open period from each manager's sums of sales
	// and payments instead of every event, without adjustments: the same
	// actuals and pay, read in a fraction of the time, for pages that show
	// pay. Its lines carry no events and no digests: never export or lock
	// such a sheet.
	SumsOnly bool
}

// Calculate returns the pay sheet of a period. A locked period is returned
// exactly as it was locked (its lines never change); when the data behind
// it changed since, Changed and Difference say so. An open period is
// computed from the warehouse with plans, plus one adjustment line per
// manager for each locked earlier period whose next open period it is,
// when recomputing that period from today's data gives a different pay:
//
//	adjustment = recomputed pay − locked pay − adjustments already locked for that period
//
// A locked period is recomputed with the plans stored with it, so only
// data changes make adjustments.
func Calculate(ctx context.Context, db *sql.DB, plans *Plans, p Period, opt Options) (*Sheet, error) {
	return calculate(ctx, db, plans, p, opt)
}

func calculate(ctx context.Context, q querier, plans *Plans, p Period, opt Options) (*Sheet, error) {
	locked, err := lockedRuns(ctx, q)
	if err != nil {
		return nil, err
	}
	if run := locked[p]; run != nil {
		if opt.Recompute {
			stored, err := run.Plans()
			if err != nil {
				return nil, err
			}
			lines, pi, err := computePeriod(ctx, q, stored, p, everyEvent)
			if err != nil {
				return nil, err
			}
			s := &Sheet{Period: p, Status: StatusOpen, AsOf: pi.asOf, Lines: lines, Warnings: pi.warnings}
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s is locked (run %d): this is a recomputation from today's data with the plans it was locked with; the locked sheet stays as it is", p, run.ID))
			s.InputsSHA256 = sheetHash(p, lines)
			return s, nil
		}
		return lockedSheet(ctx, q, run, locked)
	}
	detail := everyEvent
	if opt.SumsOnly {
		detail = sumsOnly
	}
	lines, pi, err := computePeriod(ctx, q, plans, p, detail)
	if err != nil {
		return nil, err
	}
	s := &Sheet{Period: p, Status: StatusOpen, AsOf: pi.asOf, Lines: lines, Warnings: pi.warnings}
	if opt.SumsOnly {
		return s, nil
	}
	if !opt.NoAdjustments {
		adj, err := adjustments(ctx, q, p, locked)
		if err != nil {
			return nil, err
		}
		s.Lines = append(s.Lines, adj...)
		sortLines(s.Lines)
	}
	s.InputsSHA256 = sheetHash(p, s.Lines)
	return s, nil
}

// computePeriod computes the pay lines of a period from today's data; with
// sumsOnly the lines carry no inputs digest.
func computePeriod(ctx context.Context, q querier, plans *Plans, p Period, detail inputDetail) ([]*Line, *periodInputs, error) {
	pi, err := loadInputs(ctx, q, plans, p, detail)
	if err != nil {
		return nil, nil, err
	}
	var lines []*Line
	for _, m := range pi.managers {
		in := pi.inputs[m.ID]
		if in == nil {
			continue
		}
		if detail == sumsOnly {
			lines = append(lines, computeFigures(pi.plan[m.ID], in, nil))
		} else {
			lines = append(lines, Compute(pi.plan[m.ID], in, nil))
		}
	}
	return lines, pi, nil
}

func sortLines(lines []*Line) {
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.ManagerID != b.ManagerID {
			return a.ManagerID < b.ManagerID
		}
		if a.Kind != b.Kind {
			return a.Kind == KindPay
		}
		return a.AdjustsPeriod.Before(b.AdjustsPeriod)
	})
}

func sheetHash(p Period, lines []*Line) string {
	h := sha256.New()
	fmt.Fprintf(h, "period %s\n", p)
	for _, l := range lines {
		fmt.Fprintf(h, "%s %s %s %s\n", l.Kind, l.ManagerID, l.AdjustsPeriod, l.InputsSHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// nextOpen is the first period after p that is not locked.
func nextOpen(p Period, locked map[Period]*Run) Period {
	q := p.Next()
	for locked[q] != nil {
		q = q.Next()
	}
	return q
}

// adjustments are the prior-period adjustment lines an open period carries.
func adjustments(ctx context.Context, q querier, p Period, locked map[Period]*Run) ([]*Line, error) {
	var periods []Period
	for lp := range locked {
		if lp.Before(p) && nextOpen(lp, locked) == p {
			periods = append(periods, lp)
		}
	}
	sort.Slice(periods, func(i, j int) bool { return periods[i].Before(periods[j]) })
	var out []*Line
	for _, lp := range periods {
		run := locked[lp]
		stored, err := run.Plans()
		if err != nil {
			return nil, err
		}
		recomputed, _, err := computePeriod(ctx, q, stored, lp, everyEvent)
		if err != nil {
			return nil, fmt.Errorf("recompute locked %s: %w", lp, err)
		}
		lockedLines, err := runLines(ctx, q, run.ID)
		if err != nil {
			return nil, err
		}
		prior, err := adjustedBefore(ctx, q, lp)
		if err != nil {
			return nil, err
		}
		out = append(out, differences(p, run, recomputed, lockedLines, prior)...)
	}
	return out, nil
}

// differences compares a locked period's pay lines with their recomputation.
func differences(p Period, run *Run, recomputed, locked []*Line, prior map[string]decimal.Decimal) []*Line {
	rec := map[string]*Line{}
	lk := map[string]*Line{}
	ids := map[string]bool{}
	for _, l := range recomputed {
		rec[l.ManagerID], ids[l.ManagerID] = l, true
	}
	for _, l := range locked {
		if l.Kind == KindPay {
			lk[l.ManagerID], ids[l.ManagerID] = l, true
		}
	}
	for m := range prior {
		ids[m] = true
	}
	var sorted []string
	for m := range ids {
		sorted = append(sorted, m)
	}
	sort.Strings(sorted)
	var out []*Line
	for _, m := range sorted {
		r, l := rec[m], lk[m]
		recPay, lockedPay := decimal.Zero, decimal.Zero
		if r != nil {
			recPay = r.VariablePay
		}
		if l != nil {
			lockedPay = l.VariablePay
		}
		before := prior[m]
		diff := recPay.Sub(lockedPay).Sub(before)
		if diff.IsZero() {
			continue
		}
		a := &Line{
			Kind: KindAdjustment, Period: p, AdjustsPeriod: run.Period, ManagerID: m,
			VariablePay: diff, AdjustedBefore: before, LockedRunID: run.ID,
			Flags: []string{"adjustment:" + run.Period.String()},
		}
		var recHash string
		if r != nil {
			a.Name, a.Plan, a.PlanValidFrom, a.Basis = r.Name, r.Plan, r.PlanValidFrom, r.Basis
			a.Recomputed = r
			recHash = r.InputsSHA256
		}
		if l != nil {
			if a.Name == "" {
				a.Name, a.Plan, a.PlanValidFrom, a.Basis = l.Name, l.Plan, l.PlanValidFrom, l.Basis
			}
			c := *l
			c.Inputs = nil // they stay with the locked run
			a.Locked = &c
		}
		s := sha256.Sum256([]byte(strings.Join([]string{run.Period.String(), m, recHash, lockedPay.String(), before.String()}, "\n")))
		a.InputsSHA256 = hex.EncodeToString(s[:])
		out = append(out, a)
	}
	return out
}

// lockedSheet is a locked run's sheet as stored, with a note of whether the
// data behind it changed since.
func lockedSheet(ctx context.Context, q querier, run *Run, locked map[Period]*Run) (*Sheet, error) {
	lines, err := runLines(ctx, q, run.ID)
	if err != nil {
		return nil, err
	}
	s := &Sheet{Period: run.Period, Status: StatusLocked, Run: run, AsOf: run.AsOf, InputsSHA256: run.InputsSHA256, Lines: lines, NextOpen: nextOpen(run.Period, locked)}
	stored, err := run.Plans()
	if err != nil {
		return nil, err
	}
	s.Difference = decimal.Zero
	// The stored sheet stands whatever happens next: a failed check of the
	// data behind it is a warning, not an error.
	recomputed, _, err := computePeriod(ctx, q, stored, run.Period, everyEvent)
	if err != nil {
		s.Warnings = append(s.Warnings, fmt.Sprintf("could not check whether the data behind locked %s changed: %v", run.Period, err))
		return s, nil
	}
	prior, err := adjustedBefore(ctx, q, run.Period)
	if err != nil {
		return nil, err
	}
	adjusted := decimal.Zero
	for _, a := range prior {
		adjusted = adjusted.Add(a)
	}
	for _, d := range differences(s.NextOpen, run, recomputed, lines, prior) {
		s.Difference = s.Difference.Add(d.VariablePay)
	}
	byManager := map[string]string{}
	for _, l := range lines {
		if l.Kind == KindPay {
			byManager[l.ManagerID] = l.InputsSHA256
		}
	}
	s.Changed = len(recomputed) != len(byManager)
	for _, l := range recomputed {
		if byManager[l.ManagerID] != l.InputsSHA256 {
			s.Changed = true
		}
	}
	if s.Changed {
		switch {
		case s.Difference.IsZero() && !adjusted.IsZero():
			s.Warnings = append(s.Warnings, fmt.Sprintf("the data behind locked %s changed since it was locked; adjustments locked in later periods (%s) carry the difference", run.Period, signed(adjusted)))
		case s.Difference.IsZero():
			s.Warnings = append(s.Warnings, fmt.Sprintf("the data behind locked %s changed since it was locked, without changing the pay", run.Period))
		default:
			s.Warnings = append(s.Warnings, fmt.Sprintf("the data behind locked %s changed since it was locked: %s shows as a prior-period adjustment in %s", run.Period, signed(s.Difference), s.NextOpen))
		}
	}
	return s, nil
}

func signed(d decimal.Decimal) string {
	if d.Sign() > 0 {
		return "+" + money(d)
	}
	return money(d)
}
