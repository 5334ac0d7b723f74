// Package reports reads the marts into typed, presentation-free values for
// dashboards and exports. It never reads the clock: the as-of date comes in
// with Params, and every query is sorted.
package reports

import (
	"database/sql"
	"fmt"
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

func (p Params) period() string {
	if p.Period != "" {
		return p.Period
	}
	return p.AsOf.Format("2006-01")
}

// Dec is a nullable exact decimal scanned from DuckDB.
type Dec struct {
	decimal.Decimal
	Valid bool
}

// Scan implements sql.Scanner for DuckDB DECIMAL, integers and text.
func (d *Dec) Scan(v any) error {
	d.Valid = v != nil
	switch x := v.(type) {
	case nil:
		d.Decimal = decimal.Zero
		return nil
	case duckdb.Decimal:
		d.Decimal = decimal.NewFromBigInt(x.Value, -int32(x.Scale))
		return nil
	case int64:
		d.Decimal = decimal.NewFromInt(x)
		return nil
	case int32:
		d.Decimal = decimal.NewFromInt(int64(x))
		return nil
	case float64:
		d.Decimal = decimal.NewFromFloat(x)
		return nil
	case string:
		v, err := decimal.NewFromString(x)
		d.Decimal = v
		return err
	}
	return fmt.Errorf("reports: cannot scan %T into a decimal", v)
}

var _ sql.Scanner = (*Dec)(nil)

// Float is the value for drawing only (charts); never compute money with it.
func (d Dec) Float() float64 { f, _ := d.Decimal.Float64(); return f }
