// Package mart connects package forecast to the warehouse: monthly net
// sales series per segment, manager or client read from
// marts.sales_monthly, the marts.segment_forecast table that kam build
// refreshes, and the forecast overrides KAMs record
// (meta.forecast_overrides). It never reads the clock: the as-of date and
// the time an override is recorded come in from the caller.
package mart

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models/forecast"
)

// The shape of marts.segment_forecast.
const (
	ActualMonths = 24 // complete months of actuals per segment (fewer if its history is shorter)
	Horizon      = 12 // months of forecast after the last complete month
)

// None names the segment or manager of sales that have none.
const None = "(none)"

// Dim is what a series adds up: the sales of one segment, manager or client.
type Dim string

// The dimensions of kam forecast --by.
const (
	BySegment Dim = "segment"
	ByManager Dim = "manager"
	ByClient  Dim = "client"
)

// ParseDim reads --by.
func ParseDim(s string) (Dim, error) {
	switch d := Dim(strings.ToLower(strings.TrimSpace(s))); d {
	case BySegment, ByManager, ByClient:
		return d, nil
	}
	return "", fmt.Errorf("by %q: want segment, manager or client", s)
}

// key is the SQL expression of the dimension over marts.sales_monthly.
func (d Dim) key() string {
	switch d {
	case ByManager:
		return "coalesce(nullif(manager_id, ''), '" + None + "')"
	case ByClient:
		return "client_id"
	}
	return segmentExpr
}

const segmentExpr = "coalesce(nullif(segment, ''), '" + None + "')"

// LastComplete is the last complete month on asOf: asOf's own month when
// asOf is its last day, otherwise the month before.
func LastComplete(asOf time.Time) forecast.Month {
	m := forecast.Month{Year: asOf.Year(), Month: asOf.Month()}
	if asOf.AddDate(0, 0, 1).Month() == asOf.Month() {
		m = m.Add(-1)
	}
	return m
}

// History is the monthly net sales of one segment, manager or client: as
// numbers for the forecast, and exactly (rounded to 0.01, as text) for the
// actuals shown beside it.
type History struct {
	Series forecast.Series
	Exact  []string // Exact[i] is Series.Values[i] in DECIMAL(18,2) text
}

// querier is *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Sales reads monthly net sales (shipped − returns) from marts.sales_monthly
// by dim, restricted to one segment unless segment is "", for the complete
// months up to asOf's (LastComplete). A series starts with its first month
// with sales and runs to the last complete month; months without sales in
// between are 0. Series are sorted by name.
func Sales(ctx context.Context, q querier, dim Dim, segment string, asOf time.Time) ([]History, error) {
	if ok, err := warehouse.TableExists(ctx, q, "marts", "sales_monthly"); err != nil {
		return nil, err
	} else if !ok {
		return nil, fmt.Errorf("no marts.sales_monthly in the warehouse: run kam build first")
	}
	last := LastComplete(asOf)
	end := time.Date(last.Year, last.Month, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	where, args := "month < ?", []any{end}
	if segment != "" {
		where += " AND " + segmentExpr + " = ?"
		args = append(args, segment)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+dim.key()+` AS name, strftime(month, '%Y-%m') AS period,
            sum(net_sales)::DOUBLE, round(sum(net_sales), 2)::DECIMAL(38,2)::VARCHAR
        FROM marts.sales_monthly
        WHERE `+where+`
        GROUP BY ALL
        ORDER BY name, period`, args...)
	if err != nil {
		return nil, fmt.Errorf("monthly net sales by %s: %w", dim, err)
	}
	defer rows.Close()
	var out []History
	for rows.Next() {
		var name, period, exact string
		var v float64
		if err := rows.Scan(&name, &period, &v, &exact); err != nil {
			return nil, fmt.Errorf("monthly net sales by %s: %w", dim, err)
		}
		m, err := forecast.ParseMonth(period)
		if err != nil {
			return nil, fmt.Errorf("monthly net sales of %s: %w", name, err)
		}
		if len(out) == 0 || out[len(out)-1].Series.Name != name {
			out = append(out, History{Series: forecast.Series{Name: name, Start: m}})
		}
		h := &out[len(out)-1]
		for h.Series.Start.Add(len(h.Series.Values)) != m { // months without sales
			h.Series.Values = append(h.Series.Values, 0)
			h.Exact = append(h.Exact, "0.00")
		}
		h.Series.Values = append(h.Series.Values, v)
		h.Exact = append(h.Exact, exact)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("monthly net sales by %s: %w", dim, err)
	}
	for i := range out { // to the last complete month
		h := &out[i]
		for h.Series.Start.Add(len(h.Series.Values)-1) != last {
			h.Series.Values = append(h.Series.Values, 0)
			h.Exact = append(h.Exact, "0.00")
		}
	}
	return out, nil
}

// Segments lists the segments with sales in marts.sales_monthly, sorted.
func Segments(ctx context.Context, q querier) ([]string, error) {
	if ok, err := warehouse.TableExists(ctx, q, "marts", "sales_monthly"); err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT DISTINCT "+segmentExpr+" AS s FROM marts.sales_monthly ORDER BY s")
	if err != nil {
		return nil, fmt.Errorf("segments: %w", err)
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

// Materialized says what Materialize wrote.
type Materialized struct {
	Segments   int
	Rows       int
	LastActual forecast.Month
	// Failed are segments that could not be forecast (their actuals are
	// still written).
	Failed []forecast.SeriesError
}

// Row is one row of marts.segment_forecast. Money is DECIMAL(18,2) text
// ("" for NULL); Model, MASE and Bias are nil when the segment could not
// be forecast or the backtest was too short.
type Row struct {
	Segment, Period, Kind         string // kind: actual or forecast
	Value, Lo80, Hi80, Lo95, Hi95 string
	Model                         *string
	MASE, Bias                    *float64
	AsOf                          time.Time
}

// Compute is what Materialize writes, without writing it: per segment the
// last ActualMonths complete months on asOf and Horizon months of forecast,
// in segment and period order. It reads only the months up to asOf's last
// complete one, so a report of a past month can show the forecast as it
// was made then.
func Compute(ctx context.Context, q querier, asOf time.Time) ([]Row, *Materialized, error) {
	hist, err := Sales(ctx, q, BySegment, "", asOf)
	if err != nil {
		return nil, nil, err
	}
	series := make([]forecast.Series, len(hist))
	for i, h := range hist {
		series[i] = h.Series
	}
	results, failed := forecast.ForecastAll(ctx, series, Horizon, forecast.Options{})
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	byName := map[string]forecast.Result{}
	for _, r := range results {
		byName[r.Series] = r
	}
	res := &Materialized{Segments: len(hist), LastActual: LastComplete(asOf), Failed: failed}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	var rows []Row
	for _, h := range hist {
		name := h.Series.Name
		r, ok := byName[name]
		base := Row{Segment: name, AsOf: day}
		if ok {
			base.Model = &r.Model
			if r.BacktestN > 0 {
				mase, bias := round4(r.MASE), round4(r.Bias)
				base.MASE, base.Bias = &mase, &bias
			}
		}
		n := len(h.Series.Values)
		for i := max(0, n-ActualMonths); i < n; i++ {
			row := base
			row.Period, row.Kind, row.Value = h.Series.Start.Add(i).String(), "actual", h.Exact[i]
			rows = append(rows, row)
		}
		for _, p := range r.Points {
			row := base
			row.Period, row.Kind = p.Period.String(), "forecast"
			vals := make([]string, 5)
			for k, v := range []float64{p.Forecast, p.Lo80, p.Hi80, p.Lo95, p.Hi95} {
				if vals[k], err = money(v); err != nil {
					return nil, nil, fmt.Errorf("segment_forecast %s %s: %w", name, p.Period, err)
				}
			}
			row.Value, row.Lo80, row.Hi80, row.Lo95, row.Hi95 = vals[0], vals[1], vals[2], vals[3], vals[4]
			rows = append(rows, row)
		}
	}
	res.Rows = len(rows)
	return rows, res, nil
}

// Materialize recreates marts.segment_forecast from marts.sales_monthly
// (Compute; docs/models.md). The same warehouse and asOf give identical
// rows.
func Materialize(ctx context.Context, db *sql.DB, asOf time.Time) (*Materialized, error) {
	rows, res, err := Compute(ctx, db, asOf)
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TABLE marts.segment_forecast (
    segment VARCHAR,
    period VARCHAR,
    kind VARCHAR,
    value DECIMAL(18,2),
    lo80 DECIMAL(18,2),
    hi80 DECIMAL(18,2),
    lo95 DECIMAL(18,2),
    hi95 DECIMAL(18,2),
    model VARCHAR,
    mase DOUBLE,
    bias DOUBLE,
    as_of DATE
)`); err != nil {
		return nil, fmt.Errorf("create marts.segment_forecast: %w", err)
	}
	// A few hundred rows (segments × 36 months)
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	values := make([][]any, len(rows))
	for i, r := range rows {
		var model, mase, bias any
		if r.Model != nil {
			model = *r.Model
		}
		if r.MASE != nil {
			mase, bias = *r.MASE, *r.Bias
		}
		values[i] = []any{r.Segment, r.Period, r.Kind, r.Value, null(r.Lo80), null(r.Hi80), null(r.Lo95), null(r.Hi95), model, mase, bias, r.AsOf}
	}
	if err := warehouse.InsertRows(ctx, tx, "INSERT INTO marts.segment_forecast VALUES",
		"(?, ?, ?, ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?, ?, ?, ?)", values); err != nil {
		return nil, fmt.Errorf("insert into marts.segment_forecast: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("segment_forecast: %w", err)
	}
	return res, nil
}

// money formats v rounded to 0.01 for a DECIMAL(18,2) column.
func money(v float64) (string, error) {
	r := math.Round(v * 100)
	if math.IsNaN(r) || math.Abs(r) >= 1e18 {
		return "", fmt.Errorf("%g does not fit DECIMAL(18,2)", v)
	}
	if r == 0 {
		r = 0 // no "-0.00"
	}
	return strconv.FormatFloat(r/100, 'f', 2, 64), nil
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
