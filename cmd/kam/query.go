package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models"
	"github.com/kam-analytics/kam/reports"
)

func (a *app) queryCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run a read-only SQL query against the warehouse",
		Long: `query runs one SQL statement on a read-only connection. Canonical entities
(order_lines, clients, ...), marts (sales_monthly, plan_fulfilment, ...) and
the bookkeeping tables (quarantine, load_runs, ledger) are visible by bare name.`,
		Example: `  kam query "select manager_id, sum(net_sales) from sales_monthly group by all order by 2 desc"
  kam query --format json "select * from plan_fulfilment where period = '2026-10'"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			db, err := a.openWarehouse(cmd.Context(), c, true)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := a.spreadsheetNotToTerminal(format, ""); err != nil {
				return err
			}
			_, err = reports.WriteQuery(cmd.Context(), db, "query", args[0], format, a.stdout)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: csv, json, table or xlsx")
	return cmd
}

func (a *app) exportCmd() *cobra.Command {
	var format, out, asOf, manager string
	var lineage bool
	cmd := &cobra.Command{
		Use:   "export NAME",
		Short: "Export a canonical entity, a mart, the quarantine or load_runs with a header row",
		Long: `export writes every row of NAME, sorted, with a header row: a canonical
entity (in the canonical CSV format, so it loads back), a mart, the quarantine
(every bad row with its file, line and reason) or load_runs (per-file counts).
Text cells that a spreadsheet would run as formulas are prefixed with '.
--format xlsx (the default for --out FILE.xlsx) writes one sheet: numbers as
numbers from their exact decimal text, dates as dates; a sheet holds at most
1,048,575 rows, so export larger tables as csv.

With --as-of, a mart is computed for that date instead of read as built,
as if the data stopped on it: nothing dated later counts, not even in the
date's own month (receivables, sales, plan fulfilment with its run-rate).
The warehouse is not changed.

With --manager ID, only the rows whose manager_id is ID are written: what
the mart attributes to that manager (sales by the manager assigned on the
event date, receivables by the client's manager on the as-of date), and
neither team nor company totals. It is the file to hand one KAM: nothing of
another manager's clients is in it. A table without a manager_id column
(competitor_share, promo_uplift, order_lines, ...) is refused rather than
written whole.`,
		Example: "  kam export quarantine\n  kam export sales_monthly --format json --out sales.json\n  kam export receivables_ageing --as-of 2026-03-15 --out ageing-2026-03-15.xlsx\n  kam export receivables_open_invoices --manager M07 --out M07-open-invoices.xlsx",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			db, err := a.openWarehouse(cmd.Context(), c, true)
			if err != nil {
				return err
			}
			defer db.Close()
			var q string
			if asOf != "" {
				// computed for that date in one read-only query; the built marts stay as they are
				d, err := parseDate(asOf)
				if err != nil {
					return err
				}
				switch args[0] {
				case "segment_forecast", "pay_gap_value":
					// computed in Go by kam build, for the build's as-of date only
					return withCode(exitUsage, fmt.Errorf("export %s --as-of %s: %s is computed by kam build for its as-of date; run `kam build --as-of %s`, then export it without --as-of",
						args[0], asOf, args[0], asOf))
				}
				q, err = models.QueryAsOf(cmd.Context(), db, args[0], modelOptions(c, d))
				if err != nil {
					code := exitUsage
					if errors.Is(err, models.ErrNotBuilt) {
						code = exitFailure // not the command's fault: the warehouse needs a build
					}
					return withCode(code, fmt.Errorf("export %s --as-of %s: %w", args[0], asOf, err))
				}
			} else if q, err = exportQuery(cmd.Context(), db, args[0], lineage); err != nil {
				return err
			}
			if cmd.Flags().Changed("manager") {
				if q, err = scopeToManager(cmd.Context(), db, args[0], q, manager); err != nil {
					return err
				}
			}
			if format == "" {
				format = formatOf(out)
			}
			if !slices.Contains(reports.ExportFormats, format) {
				return withCode(exitUsage, fmt.Errorf("--format %q: want one of %s", format, strings.Join(reports.ExportFormats, ", ")))
			}
			if err := a.spreadsheetNotToTerminal(format, out); err != nil {
				return err
			}
			var n int
			err = payWriteTo(out, a.stdout, func(w io.Writer) error {
				n, err = reports.WriteQuery(cmd.Context(), db, args[0], q, format, w)
				return err
			})
			if err != nil {
				return fmt.Errorf("export %s: %w", args[0], err)
			}
			if out != "" {
				fmt.Fprintf(a.stderr, "export: %d rows of %s written to %s\n", n, args[0], out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "output format: csv, json, table or xlsx (default: after the --out file's extension, else csv)")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&asOf, "as-of", "", "compute the mart as of YYYY-MM-DD (nothing dated later counts)")
	cmd.Flags().StringVar(&manager, "manager", "", "only the rows of this manager_id (a KAM's own file); tables without manager_id are refused")
	cmd.Flags().BoolVar(&lineage, "lineage", false, "canonical entities: add the lineage columns (_source, _file, _line, _load_id)")
	return cmd
}

// formatOf is the export format a file name asks for: xlsx or json by its
// extension, csv otherwise.
func formatOf(out string) string {
	switch strings.ToLower(filepath.Ext(out)) {
	case ".xlsx":
		return "xlsx"
	case ".json":
		return "json"
	}
	return "csv"
}

// spreadsheetNotToTerminal refuses to print a workbook's bytes on a terminal.
func (a *app) spreadsheetNotToTerminal(format, out string) error {
	if format == "xlsx" && out == "" && interactive(a.stdout) {
		return withCode(exitUsage, errors.New("--format xlsx writes a workbook: give --out FILE.xlsx or redirect standard output to a file"))
	}
	return nil
}

// scopeToManager narrows an export query to the rows of one manager. A
// query without a manager_id column is refused: written whole, it would
// hand one KAM everybody's clients.
func scopeToManager(ctx context.Context, db *sql.DB, name, q, manager string) (string, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM ("+q+") AS scoped LIMIT 0")
	if err != nil {
		return "", err
	}
	cols, err := rows.Columns()
	rows.Close()
	if err != nil {
		return "", err
	}
	if !slices.Contains(cols, "manager_id") {
		return "", withCode(exitUsage, fmt.Errorf("export %s --manager %s: %s has no manager_id column, so it cannot be cut to one manager's rows", name, manager, name))
	}
	var known bool
	if err := db.QueryRowContext(ctx, "SELECT count(*) > 0 FROM main.managers WHERE manager_id = ?", manager).Scan(&known); err != nil {
		return "", err
	}
	if !known {
		return "", withCode(exitUsage, fmt.Errorf("export %s --manager %s: no manager has that id (`kam export managers` lists them)", name, manager))
	}
	return "SELECT * FROM (" + q + ") AS scoped WHERE manager_id = " + warehouse.QuoteString(manager) + " ORDER BY ALL", nil
}

// exportQuery resolves an export name to a sorted query.
func exportQuery(ctx context.Context, db *sql.DB, name string, lineage bool) (string, error) {
	if e, ok := warehouse.Lookup(name); ok {
		cols := e.FieldNames()
		if lineage {
			cols = append(cols, warehouse.LineageColumns...)
		}
		return fmt.Sprintf("SELECT %s FROM main.%s ORDER BY %s", strings.Join(cols, ", "), e.Name, strings.Join(e.Key, ", ")), nil
	}
	switch name {
	case "quarantine":
		return "SELECT * FROM meta.quarantine ORDER BY load_id, file, line, field", nil
	case "load_runs":
		return "SELECT * FROM meta.load_runs ORDER BY load_id", nil
	case "ledger":
		return "SELECT * FROM meta.ledger ORDER BY load_id", nil
	}
	marts, err := martNames(ctx, db)
	if err != nil {
		return "", err
	}
	for _, m := range marts {
		if m == name {
			return fmt.Sprintf("SELECT * FROM marts.%s ORDER BY ALL", name), nil
		}
	}
	names := []string{"quarantine", "load_runs", "ledger"}
	for _, e := range warehouse.Entities {
		names = append(names, e.Name)
	}
	names = append(names, marts...)
	sort.Strings(names)
	hint := ""
	if len(marts) == 0 {
		hint = " (no marts yet: run `kam build`)"
	}
	return "", withCode(exitUsage, fmt.Errorf("nothing named %q to export%s; one of: %s", name, hint, strings.Join(names, ", ")))
}

func martNames(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
