package mart

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models/forecast"
)

// Override is a KAM's own figure for a segment's month, kept with a
// comment, who recorded it and when. Every override is kept; readers show
// the latest per segment and month (reports.LoadSegmentForecasts).
type Override struct {
	Segment    string          `json:"segment"`
	Period     string          `json:"period"` // YYYY-MM
	Value      decimal.Decimal `json:"value"`  // net sales, rounded to 0.01
	Comment    string          `json:"comment"`
	Author     string          `json:"author"`
	RecordedAt time.Time       `json:"recorded_at"`
}

const overridesTable = `CREATE TABLE IF NOT EXISTS meta.forecast_overrides (
    segment VARCHAR,
    period VARCHAR,
    value DECIMAL(18,2),
    comment VARCHAR,
    author VARCHAR,
    recorded_at TIMESTAMP
)`

// ErrUnknownSegment is returned by RecordOverride for a segment without sales.
var ErrUnknownSegment = errors.New("unknown segment")

// RecordOverride validates o and appends it to meta.forecast_overrides. The
// segment must have sales in the warehouse and the period must be a
// forecast month of the build (one of the Horizon months after the last
// complete month on asOf).
// It returns the override as stored (the value rounded to 0.01).
func RecordOverride(ctx context.Context, db *sql.DB, o Override, asOf time.Time) (Override, error) {
	o.Segment, o.Comment, o.Author = strings.TrimSpace(o.Segment), strings.TrimSpace(o.Comment), strings.TrimSpace(o.Author)
	m, err := forecast.ParseMonth(strings.TrimSpace(o.Period))
	if err != nil {
		return o, err
	}
	o.Period = m.String()
	switch {
	case o.Segment == "":
		return o, errors.New("segment is empty")
	case o.Comment == "":
		return o, errors.New("comment is empty: say why the forecast is overridden")
	case o.Author == "":
		return o, errors.New("author is empty")
	case o.RecordedAt.IsZero():
		return o, errors.New("recorded time is missing")
	}
	o.Value = o.Value.Round(2)
	if o.Value.Abs().Cmp(decimal.New(1, 16)) >= 0 {
		return o, fmt.Errorf("value %s does not fit DECIMAL(18,2)", o.Value)
	}
	if first := LastComplete(asOf).Add(1); m.Sub(first) < 0 || m.Sub(first) >= Horizon {
		return o, fmt.Errorf("period %s is not a forecast month: forecasts as of %s run from %s to %s", o.Period, asOf.Format("2006-01-02"), first, first.Add(Horizon-1))
	}
	segs, err := Segments(ctx, db)
	if err != nil {
		return o, err
	}
	known := false
	for _, s := range segs {
		known = known || s == o.Segment
	}
	if !known {
		return o, fmt.Errorf("%w %q: segments with sales are %s", ErrUnknownSegment, o.Segment, strings.Join(segs, ", "))
	}
	o.RecordedAt = o.RecordedAt.UTC().Truncate(time.Microsecond)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return o, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, overridesTable); err != nil {
		return o, fmt.Errorf("create meta.forecast_overrides: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO meta.forecast_overrides VALUES (?, ?, ?::DECIMAL(18,2), ?, ?, ?)",
		o.Segment, o.Period, o.Value.StringFixed(2), o.Comment, o.Author, o.RecordedAt); err != nil {
		return o, fmt.Errorf("record override: %w", err)
	}
	return o, tx.Commit()
}

// Overrides lists every recorded override (the history), by segment, period
// and time recorded; none when nothing was ever recorded.
func Overrides(ctx context.Context, db *sql.DB) ([]Override, error) {
	if ok, err := warehouse.TableExists(ctx, db, "meta", "forecast_overrides"); err != nil || !ok {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT segment, period, value::VARCHAR, coalesce(comment, ''), coalesce(author, ''), recorded_at
        FROM meta.forecast_overrides
        ORDER BY segment, period, recorded_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("forecast overrides: %w", err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		var o Override
		var v string
		var at sql.NullTime
		if err := rows.Scan(&o.Segment, &o.Period, &v, &o.Comment, &o.Author, &at); err != nil {
			return nil, fmt.Errorf("forecast overrides: %w", err)
		}
		if o.Value, err = decimal.NewFromString(v); err != nil {
			return nil, fmt.Errorf("forecast override %s %s: %w", o.Segment, o.Period, err)
		}
		o.RecordedAt = at.Time.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}
