package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// SegmentForecast is one market segment's monthly net sales: 24 complete
// months of actuals then 12 months of forecast (marts.segment_forecast,
// written by kam build; docs/models.md), with the model's backtest accuracy
// and the overrides KAMs recorded (kam forecast override).
type SegmentForecast struct {
	Segment string
	// Model names the forecasting method chosen for the segment, e.g.
	// "Combo(median of ETS(M,A,M),Theta(seasonal),Damped,SNaive)".
	Model string
	// AsOf is the build's as-of date; the last actual month is the last
	// complete month on that date.
	AsOf time.Time
	// MASE is the chosen model's mean absolute error in the rolling-origin
	// backtest divided by the in-sample MAE of the seasonal naive forecast
	// (below 1: better than "same month last year"). Bias is
	// Σ(forecast − actual) / Σ|actual| over the same backtest: +0.05 means
	// the model over-forecast by 5 %. Both are 0 and HasAccuracy is false
	// when the history was too short for a backtest.
	MASE, Bias  float64
	HasAccuracy bool
	// Points are in period order: the actuals, then the forecast months.
	Points []ForecastPoint
	// Overrides are the latest override of each period (older ones stay in
	// meta.forecast_overrides as history), in period order; periods outside
	// Points are included too.
	Overrides []ForecastOverride
}

// ForecastPoint is one month. An actual month has Actual set and the
// forecast columns invalid; a forecast month the reverse. Override is the
// latest override of the month, invalid when there is none.
type ForecastPoint struct {
	Period                                   string // YYYY-MM
	Actual, Forecast, Lo80, Hi80, Lo95, Hi95 Dec
	Override                                 Dec
}

// IsForecast reports whether the point is a forecast month.
func (p ForecastPoint) IsForecast() bool { return p.Forecast.Valid }

// ForecastOverride is a KAM's own figure for a segment's month, with why,
// who and when.
type ForecastOverride struct {
	Period     string // YYYY-MM
	Value      Dec
	Comment    string
	Author     string
	RecordedAt time.Time
}

// LoadSegmentForecasts reads marts.segment_forecast for the given segments
// (nil: all), sorted by segment, with the latest override per segment and
// month. A warehouse built before the mart existed gives nil, nil.
func LoadSegmentForecasts(ctx context.Context, db *sql.DB, segments []string) ([]SegmentForecast, error) {
	if segments != nil && len(segments) == 0 {
		return nil, nil
	}
	ok, err := tableExists(ctx, db, "marts", "segment_forecast")
	if err != nil || !ok {
		return nil, err
	}
	where, args := forecastSegmentFilter(segments)
	rows, err := db.QueryContext(ctx, `SELECT segment, period, kind, value, lo80, hi80, lo95, hi95,
            coalesce(model, ''), mase, bias, as_of
        FROM marts.segment_forecast`+where+`
        ORDER BY segment, period, kind`, args...)
	if err != nil {
		return nil, fmt.Errorf("segment forecasts: %w", err)
	}
	defer rows.Close()
	var out []SegmentForecast
	index := map[string]int{}
	for rows.Next() {
		var seg, period, kind, model string
		var value, lo80, hi80, lo95, hi95 Dec
		var mase, bias sql.NullFloat64
		var asOf sql.NullTime
		if err := rows.Scan(&seg, &period, &kind, &value, &lo80, &hi80, &lo95, &hi95, &model, &mase, &bias, &asOf); err != nil {
			return nil, fmt.Errorf("segment forecasts: %w", err)
		}
		i, seen := index[seg]
		if !seen {
			i = len(out)
			index[seg] = i
			out = append(out, SegmentForecast{Segment: seg})
		}
		f := &out[i]
		if asOf.Valid {
			f.AsOf = asOf.Time
		}
		p := ForecastPoint{Period: period}
		if kind == "actual" {
			p.Actual = value
		} else {
			p.Forecast, p.Lo80, p.Hi80, p.Lo95, p.Hi95 = value, lo80, hi80, lo95, hi95
			// The model and its accuracy are stated on the forecast rows.
			f.Model = model
			f.MASE, f.Bias, f.HasAccuracy = mase.Float64, bias.Float64, mase.Valid && bias.Valid
		}
		f.Points = append(f.Points, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment forecasts: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}

	ok, err = tableExists(ctx, db, "meta", "forecast_overrides")
	if err != nil || !ok {
		return out, err
	}
	orows, err := db.QueryContext(ctx, `SELECT segment, period, value, coalesce(comment, ''), coalesce(author, ''), recorded_at
        FROM meta.forecast_overrides`+where+`
        QUALIFY row_number() OVER (PARTITION BY segment, period ORDER BY recorded_at DESC, rowid DESC) = 1
        ORDER BY segment, period`, args...)
	if err != nil {
		return nil, fmt.Errorf("forecast overrides: %w", err)
	}
	defer orows.Close()
	for orows.Next() {
		var seg string
		var o ForecastOverride
		var at sql.NullTime
		if err := orows.Scan(&seg, &o.Period, &o.Value, &o.Comment, &o.Author, &at); err != nil {
			return nil, fmt.Errorf("forecast overrides: %w", err)
		}
		o.RecordedAt = at.Time
		i, seen := index[seg]
		if !seen {
			continue // a segment no longer in the mart
		}
		out[i].AddOverride(o)
	}
	if err := orows.Err(); err != nil {
		return nil, fmt.Errorf("forecast overrides: %w", err)
	}
	return out, nil
}

// AddOverride records o, a KAM's figure for one month, and shows it on that
// month's point.
func (f *SegmentForecast) AddOverride(o ForecastOverride) {
	f.Overrides = append(f.Overrides, o)
	for k := range f.Points {
		if f.Points[k].Period == o.Period {
			f.Points[k].Override = o.Value
		}
	}
}

// forecastSegmentFilter is the WHERE clause restricting a query to segments (nil: none).
func forecastSegmentFilter(segments []string) (string, []any) {
	if segments == nil {
		return "", nil
	}
	args := make([]any, len(segments))
	for i, s := range segments {
		args[i] = s
	}
	return " WHERE segment IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(segments)), ", ") + ")", args
}
