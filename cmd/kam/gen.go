package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/ingest/gen"
)

func (a *app) genCmd() *cobra.Command {
	opt := gen.Options{}
	var asOf string
	cmd := &cobra.Command{
		Use:   "gen --out DIR",
		Short: "Generate a realistic synthetic distributor as canonical CSV files",
		Long: `gen writes a synthetic B2B distributor into DIR/<entity>/*.csv: KAMs with
teams and variable targets, clients in segments with payment terms and credit
limits, reassignments, products and price lists, seasonal orders with partial
shipments, refusals and returns, invoices and payments (most on time, some
late, a few clients stop paying), CRM activities, deals, competitor notes,
monthly plans and promotions. The same seed gives the same bytes.
--order-lines scales the orders for benchmarks (streams; 10 M works).`,
		Example: "  kam gen --out demo/inbox --seed 7\n  kam gen --out big --order-lines 10000000",
		RunE: func(cmd *cobra.Command, args []string) error {
			out, _ := cmd.Flags().GetString("out")
			if out == "" {
				return withCode(exitUsage, fmt.Errorf("--out DIR is required"))
			}
			var err error
			if opt.AsOf, err = a.defaultAsOf(asOf); err != nil {
				return err
			}
			start := time.Now()
			sum, err := gen.Write(cmd.Context(), out, opt)
			if err != nil {
				return err
			}
			var rows int64
			for _, n := range sum.Rows {
				rows += n
			}
			fmt.Fprintf(a.stdout, "gen: %d files, %d rows into %s, data up to %s (%.1fs)\n",
				len(sum.Files), rows, out, opt.AsOf.Format("2006-01-02"), time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.String("out", "", "folder to write DIR/<entity>/*.csv into (required)")
	f.Int64Var(&opt.Seed, "seed", 1, "random seed; the same seed gives the same files")
	f.IntVar(&opt.Managers, "managers", 12, "number of KAMs")
	f.IntVar(&opt.Clients, "clients", 600, "number of clients")
	f.IntVar(&opt.Months, "months", 24, "months of history ending with the as-of month")
	f.Int64Var(&opt.OrderLines, "order-lines", 0, "scale orders to about N order lines (0 = natural volume)")
	f.StringVar(&asOf, "as-of", "", "last data date YYYY-MM-DD (default: yesterday)")
	f.BoolVar(&opt.Hostile, "hostile", false, "give some clients hostile names (script tags, formula prefixes) to test escaping")
	return cmd
}

// defaultAsOf parses a date flag; empty means yesterday, the last full day.
func (a *app) defaultAsOf(s string) (time.Time, error) {
	if s != "" {
		return parseDate(s)
	}
	y, m, d := a.now().AddDate(0, 0, -1).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}
