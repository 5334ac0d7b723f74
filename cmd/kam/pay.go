package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/models/pay"
)

const payLong = `pay computes the variable part of each KAM's pay for a month from the
warehouse (run kam build first) and the plans in compensation.yaml (the
config's compensation: key), one row per manager:

  pay = variable_target × proration × min(cap, Σ weight × curve(attainment)) × gate multipliers

rounded half away from zero to 0.01 once, at the end. Proration counts the
days employed in the month, hired_on and left_on both inclusive. A KPI
without a target (or with 0) pays nothing and flags the row
missing_target:<kpi>.

A locked period (kam pay lock) is shown exactly as it was locked. Late data
that would change it shows as a prior-period adjustment row in the next
period that is not locked.

Columns: manager_id, name, period, line (pay or adjustment), adjusts_period,
plan, variable_target, proration, attainment_<kpi> and payout_<kpi> for each
KPI, factor, overdue_share, gate_multiplier, variable_pay, flags. Ratios show
4 decimals; kam pay explain shows every digit.`

func (a *app) payCmd() *cobra.Command {
	var periodFlag, format, out string
	cmd := &cobra.Command{
		Use:   "pay",
		Short: "Variable pay: the pay sheet of a month, statements, locks, what-if, payroll export",
		Long:  payLong,
		Example: `  kam pay --period 2026-10
  kam pay --period 2026-10 --format xlsx --out pay-2026-10.xlsx
  kam pay explain --period 2026-10 --manager M04
  kam pay lock --period 2026-10
  kam pay whatif --period 2026-11 --manager M04 --sales +250000 --new-clients +1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(pay.Formats, format) {
				return withCode(exitUsage, fmt.Errorf("format %q: want one of %s", format, strings.Join(pay.Formats, ", ")))
			}
			if format == "xlsx" && out == "" && interactive(a.stdout) {
				return withCode(exitUsage, errors.New("xlsx is binary: pass --out FILE (or redirect standard output)"))
			}
			p, err := payParsePeriod(periodFlag)
			if err != nil {
				return err
			}
			return a.withPay(cmd.Context(), true, func(db *sql.DB, plans *pay.Plans) error {
				s, err := pay.Calculate(cmd.Context(), db, plans, p, pay.Options{})
				if err != nil {
					return err
				}
				a.payWarn(s.Warnings...)
				if err := payWriteTo(out, a.stdout, func(w io.Writer) error {
					switch format {
					case "json":
						return pay.WriteJSON(w, s)
					case "xlsx":
						return pay.WriteXLSX(w, s)
					}
					return pay.WriteCSV(w, s)
				}); err != nil {
					return fmt.Errorf("pay %s: %w", p, err)
				}
				fmt.Fprintf(a.stderr, "pay %s: %s%s\n", p, paySummary(s), payWrittenTo(out))
				return nil
			})
		},
	}
	cmd.PersistentFlags().StringVar(&periodFlag, "period", "", "the pay period, YYYY-MM (required)")
	_ = cmd.MarkPersistentFlagRequired("period")
	cmd.Flags().StringVar(&format, "format", "csv", "output format: csv, json or xlsx (a sheet for the period and a statement sheet per manager)")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	cmd.AddCommand(a.payExplainCmd(&periodFlag), a.payLockCmd(&periodFlag), a.payUnlockCmd(&periodFlag), a.payWhatIfCmd(&periodFlag))
	return cmd
}

func (a *app) payExplainCmd(periodFlag *string) *cobra.Command {
	var manager string
	var recompute bool
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Explain a manager's pay step by step, with the shipments, returns, clients and receivables behind each KPI",
		Long: `explain prints the calculation of one manager's pay for a period step by step:
proration, then for each KPI the input rows (shipments, returns or payments,
clients, receivables) with their amounts, the actual they sum to, the target,
attainment, the curve and the payout, then the factor, cap, gates and the
rounded pay, and any prior-period adjustment. Every figure follows from the
lines above it. For a locked period it explains the locked figures;
--recompute explains what today's data would give with the plans it was
locked with.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := payParsePeriod(*periodFlag)
			if err != nil {
				return err
			}
			return a.withPay(cmd.Context(), true, func(db *sql.DB, plans *pay.Plans) error {
				s, err := pay.Calculate(cmd.Context(), db, plans, p, pay.Options{Recompute: recompute})
				if err != nil {
					return err
				}
				a.payWarn(s.Warnings...)
				lines, err := s.Statement(manager)
				if err != nil {
					return err
				}
				return pay.WriteStatement(a.stdout, lines)
			})
		},
	}
	cmd.Flags().StringVar(&manager, "manager", "", "the manager_id (required)")
	cmd.Flags().BoolVar(&recompute, "recompute", false, "a locked period: explain it as recomputed from today's data")
	_ = cmd.MarkFlagRequired("manager")
	return cmd
}

func (a *app) payLockCmd(periodFlag *string) *cobra.Command {
	var by string
	var force bool
	cmd := &cobra.Command{
		Use:   "lock",
		Short: "Freeze a period's pay sheet (stored with a SHA-256 of its inputs); it never changes afterwards",
		Long: `lock stores the period's pay sheet, its prior-period adjustments included, in
meta.pay_runs and meta.pay_lines with the SHA-256 of the inputs that
produced it and the plans it was computed with, and logs it in meta.pay_log.
From then on kam pay shows the stored sheet; late data that would change it
shows as an adjustment in the next period that is not locked.

A month the warehouse was built only part of (the build's as-of date before
the month end) is refused unless --force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := payParsePeriod(*periodFlag)
			if err != nil {
				return err
			}
			return a.withPay(cmd.Context(), false, func(db *sql.DB, plans *pay.Plans) error {
				s, err := pay.Lock(cmd.Context(), db, plans, p, pay.LockOptions{Now: a.now, Actor: payActor(by), Force: force})
				if err != nil {
					return err
				}
				a.payWarn(s.Warnings...)
				fmt.Fprintf(a.stdout, "pay lock %s: run %d, %s, inputs sha256 %s\n", p, s.Run.ID, paySummary(s), s.InputsSHA256)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", "", "who locks, for the log (default: the user name)")
	cmd.Flags().BoolVar(&force, "force", false, "lock even though the warehouse was built as of a date before the month end")
	return cmd
}

func (a *app) payUnlockCmd(periodFlag *string) *cobra.Command {
	var by, reason string
	cmd := &cobra.Command{
		Use:   "unlock",
		Short: "Reopen a locked period; the reason is logged in meta.pay_log",
		Long: `unlock reopens a locked period so that it is computed from today's data
again (and can be locked anew). The run stays in meta.pay_runs marked
unlocked; the reason, who and when go to meta.pay_log. Meant for a sheet
locked by mistake before it was paid: after payment, let late data flow
into the next period as adjustments instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := payParsePeriod(*periodFlag)
			if err != nil {
				return err
			}
			if strings.TrimSpace(reason) == "" {
				return withCode(exitUsage, errors.New("--reason TEXT is required: it goes to the log"))
			}
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			db, err := a.openWarehouse(cmd.Context(), c, false)
			if err != nil {
				return err
			}
			defer db.Close()
			run, err := pay.Unlock(cmd.Context(), db, p, reason, pay.LockOptions{Now: a.now, Actor: payActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "pay unlock %s: run %d (locked %s) is unlocked; reason logged\n", p, run.ID, run.LockedAt.UTC().Format("2006-01-02 15:04"))
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the period is reopened (required; logged)")
	cmd.Flags().StringVar(&by, "by", "", "who unlocks, for the log (default: the user name)")
	return cmd
}

func (a *app) payWhatIfCmd(periodFlag *string) *cobra.Command {
	var manager, sales, active, newClients string
	cmd := &cobra.Command{
		Use:   "whatif",
		Short: "Show a manager's pay after closing part of a gap, e.g. --sales +250000",
		Long: `whatif computes a manager's pay for the period from today's data, then again
with the given amounts added to the KPI actuals, and shows both with the
difference. Nothing is stored. marts.pay_gap_value (written by kam build)
holds what closing each remaining gap is worth for every KAM.`,
		Example: "  kam pay whatif --period 2026-11 --manager M04 --sales +250000 --active-clients +3 --new-clients +1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := payParsePeriod(*periodFlag)
			if err != nil {
				return err
			}
			delta := map[string]decimal.Decimal{}
			for _, f := range []struct{ kpi, flag, value string }{
				{"sales", "--sales", sales}, {"active_clients", "--active-clients", active}, {"new_clients", "--new-clients", newClients},
			} {
				if f.value == "" {
					continue
				}
				v, err := decimal.NewFromString(strings.TrimPrefix(strings.TrimSpace(f.value), "+"))
				if err != nil {
					return withCode(exitUsage, fmt.Errorf("%s %q: want a number such as +250000", f.flag, f.value))
				}
				delta[f.kpi] = v
			}
			if len(delta) == 0 {
				return withCode(exitUsage, errors.New("say what to add: --sales, --active-clients and/or --new-clients"))
			}
			return a.withPay(cmd.Context(), true, func(db *sql.DB, plans *pay.Plans) error {
				w, err := pay.ComputeWhatIf(cmd.Context(), db, plans, p, manager, delta)
				if err != nil {
					return err
				}
				return w.Write(a.stdout)
			})
		},
	}
	cmd.Flags().StringVar(&manager, "manager", "", "the manager_id (required)")
	cmd.Flags().StringVar(&sales, "sales", "", "amount added to net sales, e.g. +250000")
	cmd.Flags().StringVar(&active, "active-clients", "", "clients added to the active client base, e.g. +3")
	cmd.Flags().StringVar(&newClients, "new-clients", "", "new clients added, e.g. +1")
	_ = cmd.MarkFlagRequired("manager")
	return cmd
}

// withPay loads the config and the plans, opens the warehouse and runs f.
func (a *app) withPay(ctx context.Context, readOnly bool, f func(*sql.DB, *pay.Plans) error) error {
	c, err := a.loadConfig()
	if err != nil {
		return err
	}
	plans, err := a.payPlans(c)
	if err != nil {
		return err
	}
	db, err := a.openWarehouse(ctx, c, readOnly)
	if err != nil {
		return err
	}
	defer db.Close()
	return f(db, plans)
}

// payPlans reads the config's compensation file, printing its warnings.
func (a *app) payPlans(c *config.Config) (*pay.Plans, error) {
	path := c.Resolve(c.Compensation)
	plans, warns, err := pay.Load(path)
	if err != nil {
		return nil, err
	}
	for _, w := range warns {
		a.payWarn(c.Compensation + ": " + w)
	}
	return plans, nil
}

func (a *app) payWarn(msgs ...string) {
	for _, m := range msgs {
		fmt.Fprintf(a.stderr, "kam: warning: %s\n", m)
	}
}

func payParsePeriod(s string) (pay.Period, error) {
	p, err := pay.ParsePeriod(s)
	if err != nil {
		return p, withCode(exitUsage, fmt.Errorf("--period: %w", err))
	}
	return p, nil
}

func paySummary(s *pay.Sheet) string {
	managers, adjustments := map[string]bool{}, 0
	for _, l := range s.Lines {
		if l.Kind == pay.KindPay {
			managers[l.ManagerID] = true
		} else {
			adjustments++
		}
	}
	state := "open, built as of " + s.AsOf.Format("2006-01-02")
	if s.Status == pay.StatusLocked && s.Run != nil {
		state = fmt.Sprintf("locked in run %d", s.Run.ID)
	}
	return fmt.Sprintf("%d manager(s), %d adjustment(s), total %s (%s)", len(managers), adjustments, s.Total().StringFixed(2), state)
}

func payWrittenTo(out string) string {
	if out == "" {
		return ""
	}
	return ", written to " + out
}

// payWriteTo writes to the file out (removed again on failure) or to w.
func payWriteTo(out string, w io.Writer, write func(io.Writer) error) error {
	if out == "" {
		return write(w)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(out)
		return err
	}
	return f.Close()
}

// payActor is who runs a lock or unlock: --by, else the user name.
func payActor(by string) string {
	if by != "" {
		return by
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if s := os.Getenv("USER"); s != "" {
		return s
	}
	return "unknown"
}
