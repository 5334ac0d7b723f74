package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
)

// Exit codes: scripts and schedulers branch on them.
const (
	exitOK      = 0
	exitFailure = 1 // the command failed; nothing was changed by its failing step
	exitUsage   = 2 // wrong flags or arguments
	exitPartial = 3 // some inputs failed (e.g. files that did not load); the rest succeeded
	exitCheck   = 4 // a data check failed; the previous marts were kept
)

// exitError carries an exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// app is what every command shares.
type app struct {
	stdout, stderr io.Writer
	configPath     string
	// now is the wall clock; only the CLI edge reads it (defaults of dates, bookkeeping).
	now func() time.Time
	// logging: the command writes a log (kam schedule), where a status line
	// redrawn in place would garble the lines around it
	logging bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, now: time.Now}
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var sig *interrupted
	if errors.As(context.Cause(ctx), &sig) {
		// The driver's own words ("INTERRUPT Error", "context canceled") say
		// nothing useful here; what the user needs is what was kept.
		fmt.Fprintf(stderr, "kam: %v\n", sig)
		return 128 + int(sig.sig)
	}
	fmt.Fprintf(stderr, "kam: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce *models.CheckError
	if errors.As(err, &ce) {
		return exitCheck
	}
	if isUsage(err) {
		return exitUsage
	}
	return exitFailure
}

// interrupted is the cause of a context cancelled by SIGINT or SIGTERM.
type interrupted struct{ sig syscall.Signal }

func (i *interrupted) Error() string {
	name := "SIGINT"
	if i.sig == syscall.SIGTERM {
		name = "SIGTERM"
	}
	return fmt.Sprintf("interrupted by %s: the step in progress was rolled back and the steps reported "+
		"done are kept (each file load, build and render is all or nothing); run the command again to finish", name)
}

func isUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

const rootLong = `kam turns orders, payments and CRM exports into exact key-account-management
analytics: sales history, client-base growth, receivables ageing, competitor
share, plan fulfilment and the variable part of each KAM's pay, with HTML
dashboards for the commercial director, each KAM and HR.

Start here:
  kam demo                 generate a sample company and open demo/site/index.html
  kam init DIR             start your own: DIR/kam.yaml plus inbox/<entity>/ folders
  kam run                  ingest new files, build the marts, write the dashboards

Exit codes: 0 ok, 1 failed, 2 usage error, 3 some inputs failed (the rest
succeeded), 4 a data check failed (the previous marts were kept), 130 and 143
interrupted by SIGINT or SIGTERM (what was in progress was rolled back).`

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "kam",
		Short:         "Key-account-management analytics: ingest, warehouse, marts, dashboards",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", config.DefaultPath, "the kam.yaml to use; relative paths inside it resolve against its folder")
	root.AddCommand(
		a.initCmd(), a.genCmd(), a.ingestCmd(), a.buildCmd(), a.renderCmd(), a.runCmd(),
		a.demoCmd(), a.queryCmd(), a.exportCmd(), a.reportCmd(), a.scheduleCmd(), a.payCmd(),
	)
	root.AddCommand(a.forecastCmd())
	return root
}

func (a *app) loadConfig() (*config.Config, error) {
	return config.Load(a.configPath)
}

// openWarehouse opens the config's warehouse for writing.
func (a *app) openWarehouse(ctx context.Context, c *config.Config, readOnly bool) (*sql.DB, error) {
	path := c.Resolve(c.Warehouse)
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no warehouse at %s yet: run `kam ingest` (or `kam run`) first", path)
		}
	}
	return warehouse.Open(ctx, path, warehouse.Settings{Threads: c.Threads, MemoryLimit: c.MemoryLimit, ReadOnly: readOnly})
}

// interactive reports whether progress may be drawn on w.
func interactive(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func parseDate(s string) (time.Time, error) {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		if len(s) == 10 && strings.Count(s, "-") == 2 && strings.Trim(strings.ReplaceAll(s, "-", ""), "0123456789") == "" {
			return time.Time{}, withCode(exitUsage, fmt.Errorf("date %q: there is no such day", s))
		}
		return time.Time{}, withCode(exitUsage, fmt.Errorf("date %q: want YYYY-MM-DD", s))
	}
	return d, nil
}
