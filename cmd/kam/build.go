package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/models"
	"github.com/kam-analytics/kam/models/forecast/mart"
	"github.com/kam-analytics/kam/models/pay"
)

func (a *app) buildCmd() *cobra.Command {
	var asOf string
	var full bool
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the staging, core and mart models and run the data checks",
		Long: `build recreates every model from the SQL embedded in kam (sql/ in the source
tree) in dependency order, then runs the data checks, all in one transaction:
if a model or a check fails, the error names it with the offending rows and
the previous marts stay as they were (exit code 4 for a failed check).

The as-of date is the last date found in the data unless --as-of is given.

Builds are incremental: marts that allow it recompute only the months the
loads since the last build touched (docs/models.md lists which, and how late
data is handled). --full recomputes everything from scratch. On a terminal a
status line names the step under way (off one, e.g. under cron, nothing is
drawn).

Settings under models: in kam.yaml (active_window_days, ageing_buckets,
ageing_basis, abc, xyz, overdue_grace_days) change the marts; after a change
the next build recomputes every model that reads them.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var d time.Time
			var err error
			if asOf != "" {
				if d, err = parseDate(asOf); err != nil {
					return err
				}
			}
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			_, err = a.build(cmd.Context(), c, d, full)
			return err
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "report date YYYY-MM-DD (default: the last date in the data)")
	cmd.Flags().BoolVar(&full, "full", false, "recompute every model from scratch instead of only what changed")
	return cmd
}

// modelOptions carries kam.yaml's models: settings into a build or an as-of query.
func modelOptions(c *config.Config, asOf time.Time) models.Options {
	return models.Options{
		AsOf:             asOf,
		ActiveWindowDays: c.Models.ActiveWindowDays,
		AgeingBuckets:    c.Models.AgeingBuckets,
		AgeingBasis:      c.Models.AgeingBasis,
		ABC:              c.Models.ABC,
		XYZ:              c.Models.XYZ,
		OverdueGraceDays: c.Models.OverdueGraceDays,
	}
}

// build runs the models; full recomputes every model instead of only what
// the loads since the last build touched.
func (a *app) build(ctx context.Context, c *config.Config, asOf time.Time, full bool) (*models.Result, error) {
	db, err := a.openWarehouse(ctx, c, false)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	start := time.Now()
	opt := modelOptions(c, asOf)
	opt.Full = full
	opt.Now = a.now
	line := a.progress()
	defer line.clear()
	if line != nil {
		opt.Progress = func(done, total int, step string) { line.show("build %d/%d: %s", done+1, total, step) }
	}
	res, err := models.Build(ctx, db, opt)
	line.clear()
	if err != nil {
		return nil, err
	}
	incremental := 0
	for _, m := range res.Models {
		if m.Mode == models.ModeIncremental || m.Mode == models.ModeSkipped {
			incremental++
		}
	}
	if res.Recovered {
		fmt.Fprintln(a.stdout, "build: the previous build stopped after writing some tables, so every model was rebuilt")
	}
	fmt.Fprintf(a.stdout, "build: %d models (%d incremental or unchanged), %d checks passed, as of %s (%.1fs)\n",
		len(res.Models), incremental, res.Checks, res.AsOf.Format("2006-01-02"), time.Since(start).Seconds())
	// What closing each KAM's remaining gap is worth (marts.pay_gap_value), when there is a plan file.
	if plans := c.Resolve(c.Compensation); isRegularFile(plans) {
		line.show("build: pay gap values")
		m, err := pay.Materialize(ctx, db, plans, res.AsOf)
		line.clear()
		if err != nil {
			return nil, fmt.Errorf("pay gap values: %w", err)
		}
		for _, w := range m.Warnings {
			fmt.Fprintf(a.stderr, "kam: warning: pay: %s\n", w)
		}
	}
	// Market-segment forecasts with their backtest accuracy (marts.segment_forecast).
	line.show("build: segment forecasts")
	fm, err := mart.Materialize(ctx, db, res.AsOf)
	line.clear()
	if err != nil {
		return nil, fmt.Errorf("segment forecasts: %w", err)
	}
	for _, f := range fm.Failed {
		fmt.Fprintf(a.stderr, "kam: warning: segment forecast: %v\n", f)
	}
	return res, nil
}

// isRegularFile reports whether path is an existing file (not a folder).
func isRegularFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
