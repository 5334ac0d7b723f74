// Package reports reads the marts into typed, presentation-free values for
// dashboards and exports. It never reads the clock: the as-of date comes in
// with Params, and every query is sorted.
package reports

import (
	"database/sql"
	"fmt"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

// Params select what a report covers.
type Params struct {
	// AsOf is the report date (the build's as-of date).
	AsOf time.Time
	// Period is the month reported, YYYY-MM; empty = the month of AsOf.
	Period string
}

// Month returns the reported period and its first day.
func (p Params) Month() (string, time.Time, error) {
	period := p.Period
	if period == "" {
		if p.AsOf.IsZero() {
			return "", time.Time{}, fmt.Errorf("reports: neither a period nor an as-of date")
		}
		period = p.AsOf.Format("2006-01")
	}
	m, err := time.Parse("2006-01", period)
	if err != nil || m.Format("2006-01") != period {
		return "", time.Time{}, fmt.Errorf("reports: period %q: want YYYY-MM", period)
	}
	return period, m, nil
}

// Dec is a nullable exact decimal scanned from DuckDB.
type Dec struct {
	decimal.Decimal
	Valid bool
}

// NewDec parses s into a valid Dec and panics if it is not a number; for
// tests and values written in code.
func NewDec(s string) Dec { return Dec{Decimal: decimal.RequireFromString(s), Valid: true} }

// Scan implements sql.Scanner. duckdb-go returns DECIMAL as duckdb.Decimal
// (an unscaled *big.Int and a scale) and HUGEINT as *big.Int; both convert
// exactly.
func (d *Dec) Scan(v any) error {
	d.Decimal, d.Valid = decimal.Zero, v != nil
	switch x := v.(type) {
	case nil:
	case duckdb.Decimal:
		d.Decimal = decimal.NewFromBigInt(x.Value, -int32(x.Scale))
	case *big.Int:
		d.Decimal = decimal.NewFromBigInt(x, 0)
	case int64:
		d.Decimal = decimal.NewFromInt(x)
	case int32:
		d.Decimal = decimal.NewFromInt(int64(x))
	case int16:
		d.Decimal = decimal.NewFromInt(int64(x))
	case int8:
		d.Decimal = decimal.NewFromInt(int64(x))
	case uint64:
		d.Decimal = decimal.NewFromBigInt(new(big.Int).SetUint64(x), 0)
	case uint32:
		d.Decimal = decimal.NewFromInt(int64(x))
	case float64:
		d.Decimal = decimal.NewFromFloat(x)
	case float32:
		d.Decimal = decimal.NewFromFloat32(x)
	case string:
		v, err := decimal.NewFromString(x)
		if err != nil {
			d.Valid = false
			return fmt.Errorf("reports: %q is not a decimal: %w", x, err)
		}
		d.Decimal = v
	default:
		d.Valid = false
		return fmt.Errorf("reports: cannot scan %T into a decimal", v)
	}
	return nil
}

var _ sql.Scanner = (*Dec)(nil)

// Float is the value for drawing only (charts); never compute money with it.
func (d Dec) Float() float64 { f, _ := d.Decimal.Float64(); return f }

// monthInProgress reports whether the month starting at m has not ended by asOf.
func monthInProgress(m, asOf time.Time) bool {
	return !asOf.IsZero() && m.AddDate(0, 1, -1).After(asOf)
}
