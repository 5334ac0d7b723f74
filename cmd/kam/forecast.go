package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/models/forecast"
	"github.com/kam-analytics/kam/models/forecast/mart"
	"github.com/kam-analytics/kam/reports"
)

const forecastLong = `forecast forecasts monthly series with 80% and 95% prediction intervals,
either from a CSV file (--input) or from the warehouse's net sales (--by).

File mode: FILE (or - for standard input) is CSV with the header
series,period,value, one row per series and month, period YYYY-MM, rows in
any order. Output is CSV (or --format json) with the header

  series,period,forecast,lo80,hi80,lo95,hi95,model

one row per series and future month, series in the order they first appear.

Warehouse mode: --by segment, manager or client forecasts monthly net sales
(shipped − returns, marts.sales_monthly) of every segment, manager or
client (only those of --segment S when given) from the last build: the
complete months up to the build's as-of month; a month in progress is
forecast, not used. Sales without a segment or manager count as "(none)".

Each series gets the method that did best in a rolling-origin backtest:
a combination of ETS, Theta and damped trend by default, a single one of
them or the seasonal naive when clearly better, Croston/TSB for sparse
(intermittent) series. The model column names it. A series shorter than two
years gets non-seasonal models only, shorter than 6 months the last value;
the interval widths are calibrated on the backtest.

Bad input: a month missing inside a series is an error naming the series
and the month, unless --fill zero (the month had no sales); a value that is
not a number names its line; a period given twice names both lines. Such a
series is reported on standard error and left out: the other series are
forecast and written, and the exit code is 3.

kam build also refreshes marts.segment_forecast (24 months of actuals and
12 of forecast per segment, with the backtest MASE and bias) for the
dashboards; kam forecast override records a KAM's own figure beside it.

Exit codes: 0 ok, 1 failed, 2 usage error, 3 some series failed (the others
were forecast).`

const forecastExample = `  kam forecast --input sales.csv --horizon 12 > forecast.csv
  kam forecast --input sales.csv --horizon 6 --fill zero --format json --out forecast.json
  printf 'series,period,value\nA,2026-01,10\nA,2026-02,12\nA,2026-03,11\n' | kam forecast --input - --horizon 3
  kam forecast --by segment --horizon 12
  kam forecast --by client --segment HoReCa --horizon 6
  kam forecast override --segment HoReCa --period 2026-12 --value 1250000 --comment "new café chain signed"
  kam forecast overrides`

func (a *app) forecastCmd() *cobra.Command {
	var input, format, fill, out, by, segment, method string
	var horizon int
	cmd := &cobra.Command{
		Use:     "forecast (--input FILE | --by segment|manager|client) [--horizon H]",
		Short:   "Forecast monthly series (a CSV file or the warehouse's net sales) with 80% and 95% intervals",
		Long:    forecastLong,
		Example: forecastExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if (input == "") == (by == "") {
				return withCode(exitUsage, errors.New("forecast: give either --input FILE or --by segment|manager|client"))
			}
			if format != "csv" && format != "json" {
				return withCode(exitUsage, fmt.Errorf("format %q: want csv or json", format))
			}
			if horizon < 1 || horizon > 120 {
				return withCode(exitUsage, fmt.Errorf("horizon %d: want 1 to 120 months", horizon))
			}
			m := forecast.Method(strings.ToLower(method))
			if !validMethod(m) {
				return withCode(exitUsage, fmt.Errorf("method %q: want auto, combo, ets, theta, damped, snaive, naive, croston or tsb", method))
			}
			opt := forecast.Options{Method: m}
			if input != "" {
				if segment != "" {
					return withCode(exitUsage, errors.New("--segment applies to --by only"))
				}
				fm, err := forecast.ParseFillMode(fill)
				if err != nil {
					return withCode(exitUsage, err)
				}
				return a.forecastFile(cmd.Context(), cmd.InOrStdin(), input, fm, horizon, opt, format, out)
			}
			if cmd.Flags().Changed("fill") {
				return withCode(exitUsage, errors.New("--fill applies to --input only (warehouse months without sales are 0)"))
			}
			dim, err := mart.ParseDim(by)
			if err != nil {
				return withCode(exitUsage, err)
			}
			return a.forecastWarehouse(cmd.Context(), dim, segment, horizon, opt, format, out)
		},
	}
	f := cmd.Flags()
	f.StringVar(&input, "input", "", "CSV file series,period,value to forecast (- for standard input)")
	f.StringVar(&by, "by", "", "forecast the warehouse's monthly net sales by segment, manager or client")
	f.StringVar(&segment, "segment", "", "with --by: only this segment's sales")
	f.IntVar(&horizon, "horizon", 12, "months to forecast")
	f.StringVar(&format, "format", "csv", "output format: csv or json")
	f.StringVar(&fill, "fill", "none", "a month missing inside a series: none (an error for that series) or zero (no sales that month)")
	f.StringVar(&out, "out", "", "write to FILE instead of standard output")
	f.StringVar(&method, "method", "auto", "auto (chosen per series by backtest), combo, ets, theta, damped, snaive, naive, croston or tsb")
	cmd.AddCommand(a.forecastOverrideCmd(), a.forecastOverridesCmd())
	return cmd
}

func validMethod(m forecast.Method) bool {
	switch m {
	case forecast.MethodAuto, forecast.MethodCombo, forecast.MethodETS, forecast.MethodTheta, forecast.MethodDamped,
		forecast.MethodSNaive, forecast.MethodNaive, forecast.MethodCroston, forecast.MethodTSB:
		return true
	}
	return false
}

// forecastFile is file mode: read, forecast the good series, write them,
// report the bad ones.
func (a *app) forecastFile(ctx context.Context, stdin io.Reader, input string, fill forecast.FillMode, horizon int, opt forecast.Options, format, out string) error {
	r := stdin
	name := "standard input"
	if input != "-" {
		f, err := os.Open(input)
		if err != nil {
			return fmt.Errorf("forecast: %w", err)
		}
		defer f.Close()
		r, name = f, input
	}
	series, problems, err := forecast.ReadCSV(r, fill)
	if err != nil {
		return fmt.Errorf("forecast %s: %w", name, err)
	}
	results, failed := forecast.ForecastAll(ctx, series, horizon, opt)
	if err := ctx.Err(); err != nil {
		return err
	}
	problems = append(problems, failed...)
	if err := a.forecastWrite(results, format, out); err != nil {
		return fmt.Errorf("forecast %s: %w", name, err)
	}
	for _, p := range problems {
		fmt.Fprintf(a.stderr, "kam: forecast %s: %v\n", name, p)
	}
	bad := map[string]bool{}
	for _, p := range problems {
		bad[p.Series] = true
	}
	fmt.Fprintf(a.stderr, "forecast: %d series forecast %d months ahead%s%s\n", len(results), horizon, failedNote(len(bad)), payWrittenTo(out))
	switch {
	case len(bad) > 0 && len(results) == 0:
		return fmt.Errorf("forecast %s: no series could be forecast", name)
	case len(bad) > 0:
		return withCode(exitPartial, fmt.Errorf("forecast %s: %d series failed (above); %d forecast", name, len(bad), len(results)))
	case len(results) == 0:
		return fmt.Errorf("forecast %s: no data rows", name)
	}
	return nil
}

func failedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d failed", n)
}

// forecastWarehouse is warehouse mode: net sales by dim from the last build.
func (a *app) forecastWarehouse(ctx context.Context, dim mart.Dim, segment string, horizon int, opt forecast.Options, format, out string) error {
	c, err := a.loadConfig()
	if err != nil {
		return err
	}
	db, err := a.openWarehouse(ctx, c, true)
	if err != nil {
		return err
	}
	defer db.Close()
	asOf, err := lastBuildAsOf(ctx, db)
	if err != nil {
		return err
	}
	hist, err := mart.Sales(ctx, db, dim, segment, asOf)
	if err != nil {
		return fmt.Errorf("forecast: %w", err)
	}
	if len(hist) == 0 {
		if segment == "" {
			return fmt.Errorf("forecast: no net sales in complete months up to %s", asOf.Format("2006-01-02"))
		}
		segs, _ := mart.Segments(ctx, db)
		return fmt.Errorf("forecast: no net sales of segment %q in complete months up to %s (segments: %s)",
			segment, asOf.Format("2006-01-02"), strings.Join(segs, ", "))
	}
	series := make([]forecast.Series, len(hist))
	for i, h := range hist {
		series[i] = h.Series
	}
	results, failed := forecast.ForecastAll(ctx, series, horizon, opt)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := a.forecastWrite(results, format, out); err != nil {
		return fmt.Errorf("forecast: %w", err)
	}
	for _, p := range failed {
		fmt.Fprintf(a.stderr, "kam: forecast: %v\n", p)
	}
	fmt.Fprintf(a.stderr, "forecast: net sales of %d %s(s) to %s (as of %s), %d months ahead%s%s\n",
		len(results), dim, mart.LastComplete(asOf), asOf.Format("2006-01-02"), horizon, failedNote(len(failed)), payWrittenTo(out))
	if len(failed) > 0 {
		return withCode(exitPartial, fmt.Errorf("forecast: %d series failed (above)", len(failed)))
	}
	return nil
}

func (a *app) forecastWrite(results []forecast.Result, format, out string) error {
	return payWriteTo(out, a.stdout, func(w io.Writer) error {
		if format == "json" {
			return forecast.WriteJSON(w, results)
		}
		return forecast.WriteCSV(w, results)
	})
}

func (a *app) forecastOverrideCmd() *cobra.Command {
	var segment, period, value, comment, by string
	cmd := &cobra.Command{
		Use:   "override --segment S --period YYYY-MM --value V --comment TEXT [--by NAME]",
		Short: "Record a KAM's own forecast of a segment's month, with why, who and when",
		Long: `override records your own figure for a segment's monthly net sales in a
forecast month (one of the 12 after the last complete month of the last
build), with a comment saying why. Every override is kept with who recorded
it (--by, default the user name from $USER) and when; the dashboards show
the latest one per segment and month beside the model's forecast and its
accuracy. kam forecast overrides lists them all.`,
		Example: `  kam forecast override --segment HoReCa --period 2026-12 --value 1250000 --comment "new café chain signed"
  kam forecast override --segment Опт --period 2027-01 --value 980000.50 --comment "price rise from January" --by vera`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := forecast.ParseMonth(period); err != nil {
				return withCode(exitUsage, fmt.Errorf("--period: %w", err))
			}
			v, err := decimal.NewFromString(strings.TrimSpace(value))
			if err != nil {
				return withCode(exitUsage, fmt.Errorf("--value %q is not a number", value))
			}
			if strings.TrimSpace(comment) == "" {
				return withCode(exitUsage, errors.New("--comment is empty: say why the forecast is overridden"))
			}
			author, err := forecastAuthor(by)
			if err != nil {
				return withCode(exitUsage, err)
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
			asOf, err := lastBuildAsOf(cmd.Context(), db)
			if err != nil {
				return err
			}
			o, err := mart.RecordOverride(cmd.Context(), db, mart.Override{
				Segment: segment, Period: period, Value: v, Comment: comment, Author: author, RecordedAt: a.now(),
			}, asOf)
			if err != nil {
				return fmt.Errorf("forecast override: %w", err)
			}
			fmt.Fprintf(a.stdout, "forecast override: %s %s = %s by %s, recorded %s\n",
				o.Segment, o.Period, o.Value.StringFixed(2), o.Author, o.RecordedAt.Format("2006-01-02 15:04:05 MST"))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&segment, "segment", "", "the segment (required)")
	f.StringVar(&period, "period", "", "the forecast month, YYYY-MM (required)")
	f.StringVar(&value, "value", "", "your forecast of the month's net sales, e.g. 1250000.50 (required)")
	f.StringVar(&comment, "comment", "", "why (required)")
	f.StringVar(&by, "by", "", "who records it (default: $USER)")
	for _, name := range []string{"segment", "period", "value", "comment"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// forecastAuthor is --by, else $USER, else the account name.
func forecastAuthor(by string) (string, error) {
	if s := strings.TrimSpace(by); s != "" {
		return s, nil
	}
	if s := os.Getenv("USER"); s != "" {
		return s, nil
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username, nil
	}
	return "", errors.New("who records this? pass --by NAME ($USER is not set)")
}

func (a *app) forecastOverridesCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "overrides",
		Short: "List every recorded forecast override (the history), by segment, month and time",
		Long: `overrides lists every override recorded with kam forecast override, older
ones included, sorted by segment, period and the time recorded. Columns:
segment, period, value, comment, author, recorded_at (UTC). The dashboards
use the latest per segment and month.`,
		Example: "  kam forecast overrides\n  kam forecast overrides --format json --out overrides.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "csv" && format != "json" && format != "table" {
				return withCode(exitUsage, fmt.Errorf("format %q: want csv, json or table", format))
			}
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			db, err := a.openWarehouse(cmd.Context(), c, true)
			if err != nil {
				return err
			}
			defer db.Close()
			list, err := mart.Overrides(cmd.Context(), db)
			if err != nil {
				return err
			}
			query := `SELECT segment, period, value, comment, author, strftime(recorded_at, '%Y-%m-%dT%H:%M:%SZ') AS recorded_at
                FROM meta.forecast_overrides ORDER BY segment, period, recorded_at, rowid`
			if list == nil {
				query = `SELECT * FROM (VALUES (NULL::VARCHAR, NULL::VARCHAR, NULL::DECIMAL(18,2), NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR))
                    AS t(segment, period, value, comment, author, recorded_at) WHERE false`
			}
			if err := a.spreadsheetNotToTerminal(format, out); err != nil {
				return err
			}
			err = payWriteTo(out, a.stdout, func(w io.Writer) error {
				_, err := reports.WriteQuery(cmd.Context(), db, "forecast_overrides", query, format, w)
				return err
			})
			if err != nil {
				return fmt.Errorf("forecast overrides: %w", err)
			}
			fmt.Fprintf(a.stderr, "forecast overrides: %d recorded, %d segment-month(s)%s\n", len(list), latestCount(list), payWrittenTo(out))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "output format: csv, json, table or xlsx")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	return cmd
}

// latestCount is the number of distinct segment × period overridden.
func latestCount(list []mart.Override) int {
	keys := map[string]bool{}
	for _, o := range list {
		keys[o.Segment+"\x00"+o.Period] = true
	}
	return len(keys)
}
