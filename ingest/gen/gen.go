package gen

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Options size the synthetic company. Zero values take the defaults.
type Options struct {
	Seed       int64     // random seed; 0 means 1; the same options give the same bytes
	Managers   int       // KAMs; default 12
	Clients    int       // clients, prospects included; default 600
	Months     int       // months of history ending with the as-of month; default 24
	OrderLines int64     // 0 = natural volume; N > 0 = scale orders to about N order lines (streamed)
	AsOf       time.Time // last data date, inclusive; the as-of month is in progress; required
	Hostile    bool      // give a few clients hostile names (see HostileNames)
}

// Summary says what Write wrote: every file path, and rows per entity.
type Summary struct {
	Files []string
	Rows  map[string]int64
}

func (o *Options) normalize() error {
	if o.Seed == 0 {
		o.Seed = 1
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{{"managers", &o.Managers, 12}, {"clients", &o.Clients, 600}, {"months", &o.Months, 24}} {
		if *f.v < 0 {
			return fmt.Errorf("gen: %s must not be negative, got %d", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	if o.Months > 600 {
		return fmt.Errorf("gen: at most 600 months of history, got %d", o.Months)
	}
	if o.OrderLines < 0 {
		return fmt.Errorf("gen: order lines must not be negative, got %d", o.OrderLines)
	}
	if o.AsOf.IsZero() {
		return errors.New("gen: an as-of date is required")
	}
	y, m, d := o.AsOf.Date()
	o.AsOf = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return nil
}

// Write generates the company into dir/<entity>/ as canonical CSV files:
// one file per small entity (clients/clients.csv) and one per month for
// the time-based ones (order_lines/order_lines_2026-10.csv). Files an
// earlier run left under the same names are replaced or removed; other
// files are left alone.
func Write(ctx context.Context, dir string, opt Options) (Summary, error) {
	if err := opt.normalize(); err != nil {
		return Summary{}, err
	}
	tabs := map[string]*table{}
	for _, e := range entities {
		if err := os.MkdirAll(filepath.Join(dir, e.name), 0o755); err != nil {
			return Summary{}, fmt.Errorf("gen: %w", err)
		}
		if err := removeStale(dir, e); err != nil {
			return Summary{}, fmt.Errorf("gen: %w", err)
		}
		tabs[e.name] = newTable(dir, e)
	}
	err := generate(ctx, opt, tabs)
	sum := Summary{Rows: map[string]int64{}}
	asOfMonth := opt.AsOf.Format("2006-01")
	for _, e := range entities {
		t := tabs[e.name]
		if ferr := t.finish(asOfMonth); err == nil {
			err = ferr
		}
		sum.Files = append(sum.Files, t.files...)
		sum.Rows[e.name] = t.rows
	}
	if err != nil {
		return Summary{}, err
	}
	slices.Sort(sum.Files)
	return sum, nil
}

func generate(ctx context.Context, opt Options, tabs map[string]*table) error {
	w := newWorld(opt)
	s := newSim(w, tabs)
	if err := s.run(ctx); err != nil {
		return err
	}
	w.writeReference(tabs)
	if err := w.writeActivities(ctx, tabs["activities"]); err != nil {
		return err
	}
	w.writeDeals(tabs["deals"])
	w.writeNotes(tabs["competitor_notes"])
	w.writePlans(tabs["plans"], s)
	return nil
}
