package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/dashboards/browsercheck"
	"github.com/kam-analytics/kam/reports"
)

func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write reports for people: the director's monthly pack as XLSX or PDF",
	}
	var period, format, out, lang string
	monthly := &cobra.Command{
		Use:   "monthly --period YYYY-MM --format xlsx|pdf",
		Short: "The director's monthly pack: plan fulfilment, sales trend, client base, receivables, competitors, variable pay, alerts, forecasts",
		Long: `report monthly writes the commercial director's pack for a month: as XLSX
(one sheet per table, numbers as numbers, text never as formulas) or as PDF,
printed from the director's dashboard (every chart drawn, A4 landscape) by
headless Chromium (Debian: apt-get install chromium).

The pack holds plan fulfilment of every KAM for each KPI (month and year to
date, with run-rate projections), team and company totals, the sales trend
with the year before, the client base (active, new, lost), receivables ageing
with the worst debtors, competitor share by segment with its range, variable
pay against budget with what each KPI shortfall cost (when kam build wrote
marts.pay_gap_value for the month), alerts (credit limits, clients gone
inactive, discount breaches) and the segment forecasts.

The month of the last build is reported as of that build. A past month is
reported as of its last day, from a copy of the warehouse built as of that
day (beside it, removed afterwards), so its year to date, run-rates and gap
values count nothing after it.`,
		Example: "  kam report monthly --period 2026-10 --format pdf --out pack-2026-10.pdf",
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := time.Parse("2006-01", period); err != nil {
				return withCode(exitUsage, fmt.Errorf("--period %q: want YYYY-MM", period))
			}
			if format != "xlsx" && format != "pdf" {
				return withCode(exitUsage, fmt.Errorf("--format %q: want xlsx or pdf", format))
			}
			if out == "" {
				out = fmt.Sprintf("monthly-%s.%s", period, format)
			}
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			asOf, err := a.lastBuild(cmd.Context(), c)
			if err != nil {
				return err
			}
			// A past month is reported as of its last day; the current one as of the build.
			if end := monthEnd(period); end.Before(asOf) {
				asOf = end
			}
			db, asOf, closeDB, err := a.openBuiltAsOf(cmd.Context(), c, true, asOf)
			if err != nil {
				return err
			}
			defer closeDB()
			var data []byte
			// Pay of a month kam build did not write pay_gap_value for is computed from the plans.
			opt := dashboards.Options{Lang: lang, AsOf: asOf, Period: period, Compensation: c.Resolve(c.Compensation)}
			switch format {
			case "xlsx":
				d, err := dashboards.LoadDirector(cmd.Context(), db, opt)
				if err != nil {
					return err
				}
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				if err := reports.WriteXLSX(f, reports.DirectorSheets(d)); err != nil {
					f.Close()
					return err
				}
				if err := f.Close(); err != nil {
					return err
				}
			case "pdf":
				tmp, err := os.MkdirTemp("", "kam-report-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				page := filepath.Join(tmp, "director.html")
				if err := dashboards.RenderDirector(cmd.Context(), db, page, opt); err != nil {
					return err
				}
				if data, err = browsercheck.PDF(cmd.Context(), page); err != nil {
					return fmt.Errorf("print to PDF: %w", err)
				}
				if err := os.WriteFile(out, data, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.stdout, "report: monthly pack for %s written to %s\n", period, out)
			return nil
		},
	}
	f := monthly.Flags()
	f.StringVar(&period, "period", "", "month YYYY-MM (required)")
	f.StringVar(&format, "format", "pdf", "xlsx or pdf")
	f.StringVar(&out, "out", "", "output file (default monthly-PERIOD.FORMAT)")
	f.StringVar(&lang, "lang", "ru", "language of the PDF: ru or en")
	cmd.AddCommand(monthly)
	return cmd
}

func monthEnd(period string) time.Time {
	m, _ := time.Parse("2006-01", period)
	return m.AddDate(0, 1, -1)
}
