package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/ingest"
)

func (a *app) scheduleCmd() *cobra.Command {
	var build bool
	cmd := &cobra.Command{
		Use:   "schedule [SOURCE...]",
		Short: "Run the sources that have a schedule: in the foreground until stopped",
		Long: `schedule is a foreground daemon: every source with ` + "`schedule:`" + ` (a 5-field cron
expression in the local time zone, e.g. "*/15 * * * *") is ingested at those
times, exactly as ` + "`kam ingest SOURCE`" + ` would: new files in its inbox are loaded
(and moved to its ` + "`archive:`" + ` folder), pull sources are pulled. A source never
runs twice at once (a firing while it still runs is skipped) and runs of
different sources take turns; the warehouse is opened only during a run, so
other kam commands can use it in between. Every run is recorded in
meta.schedule_runs with its outcome and counts and printed as one line.

With --build the marts are rebuilt after every run that loaded something.
Stop with Ctrl+C or SIGTERM: running loads are cancelled and roll back.`,
		Example: "  kam schedule\n  kam schedule --build\n  kam schedule bank_statements erp_orders",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			return a.schedule(cmd.Context(), c, args, build)
		},
	}
	cmd.Flags().BoolVar(&build, "build", false, "rebuild the marts after each run that loaded something")
	return cmd
}

// schedule runs the scheduler until ctx ends.
func (a *app) schedule(ctx context.Context, c *config.Config, names []string, build bool) error {
	a.logging = true // its jobs' builds run among the log lines
	sources := c.Sources
	if len(names) > 0 {
		sources = nil
		for _, n := range names {
			s, ok := c.Source(n)
			if !ok {
				return withCode(exitUsage, fmt.Errorf("no source named %q in %s", n, c.Path()))
			}
			if s.Schedule == "" {
				return withCode(exitUsage, fmt.Errorf("source %s has no schedule: add e.g. `schedule: \"*/15 * * * *\"` to it in %s", n, c.Path()))
			}
			sources = append(sources, *s)
		}
	}
	n := 0
	for _, s := range sources {
		if s.Schedule != "" {
			n++
			fmt.Fprintf(a.stdout, "schedule: %s at %q\n", s.Name, s.Schedule)
		}
	}
	if n > 0 {
		fmt.Fprintf(a.stdout, "schedule: %d source(s) scheduled; stop with Ctrl+C\n", n)
	}
	s := &ingest.Scheduler{
		Sources: sources,
		Open: func(ctx context.Context) (*ingest.Loader, error) {
			db, err := a.openWarehouse(ctx, c, false)
			if err != nil {
				return nil, err
			}
			return &ingest.Loader{DB: db, BaseDir: c.Dir(), Now: a.now, CompanyINN: c.Company.INN}, nil
		},
		OnRun: func(ctx context.Context, r ingest.ScheduledRun) {
			fmt.Fprintf(a.stdout, "schedule %s %s\n", r.Started.Format("2006-01-02 15:04:05"), r)
			for _, f := range r.Results {
				switch {
				case f.Status == ingest.StatusFailed:
					fmt.Fprintf(a.stderr, "schedule %s: %v\n", r.Source, f.Err)
				case f.Status == ingest.StatusLoaded && f.LoadID > 0:
					fmt.Fprintf(a.stdout, "  %s\n", f)
				case f.ArchiveErr != nil:
					fmt.Fprintf(a.stderr, "schedule %s: %v\n", r.Source, f.ArchiveErr)
				}
			}
			if build && r.Loaded > 0 && r.RowsLoaded > 0 && ctx.Err() == nil {
				if _, err := a.build(ctx, c, zeroTime, false); err != nil {
					fmt.Fprintf(a.stderr, "schedule %s: build: %v\n", r.Source, err)
				}
			}
		},
	}
	if err := s.Run(ctx); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "schedule: stopped")
	return nil
}
