package reports

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// KPIs in the order dashboards show them.
var KPIs = []string{"sales", "active_clients", "new_clients"}

// Fulfilment is one KPI of one manager (or team, or the company) in a period.
type Fulfilment struct {
	Level, ManagerID, ManagerName, Team string
	Period, PeriodKind, KPI             string
	Target, Actual, Attainment          Dec
	Projected, Gap                      Dec
	InProgress                          bool
	Flags                               string
}

// Manager is a KAM as dashboards list them.
type Manager struct {
	ID, Name, Team string
}

// TrendPoint is one month of company net sales with the same month a year before.
type TrendPoint struct {
	Month              time.Time
	NetSales, LastYear Dec
}

// Director is the commercial director's monthly view.
type Director struct {
	AsOf   time.Time
	Period string // YYYY-MM
	Year   string // YYYY, for year to date
	// Month and YTD hold manager rows for every KPI, ordered by manager and KPI.
	Month, YTD []Fulfilment
	// Totals hold team and company rows of the month and the year.
	Totals   []Fulfilment
	Managers []Manager
	Trend    []TrendPoint
}

const fulfilmentCols = `level, coalesce(manager_id, ''), coalesce(manager_name, ''), coalesce(team, ''), period, period_kind, kpi,
    target, actual, attainment, projected, gap, is_in_progress, flags`

func scanFulfilment(rows *sql.Rows) ([]Fulfilment, error) {
	defer rows.Close()
	var out []Fulfilment
	for rows.Next() {
		var f Fulfilment
		if err := rows.Scan(&f.Level, &f.ManagerID, &f.ManagerName, &f.Team, &f.Period, &f.PeriodKind, &f.KPI,
			&f.Target, &f.Actual, &f.Attainment, &f.Projected, &f.Gap, &f.InProgress, &f.Flags); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

const kpiOrder = "CASE kpi WHEN 'sales' THEN 1 WHEN 'active_clients' THEN 2 WHEN 'new_clients' THEN 3 ELSE 4 END"

// LoadDirector reads plan fulfilment, the sales trend and the managers.
func LoadDirector(ctx context.Context, db *sql.DB, p Params) (*Director, error) {
	d := &Director{AsOf: p.AsOf, Period: p.period()}
	if len(d.Period) < 4 {
		return nil, fmt.Errorf("period %q: want YYYY-MM", d.Period)
	}
	d.Year = d.Period[:4]
	var err error
	q := func(where string, args ...any) ([]Fulfilment, error) {
		rows, err := db.QueryContext(ctx, "SELECT "+fulfilmentCols+" FROM marts.plan_fulfilment WHERE "+where+
			" ORDER BY level, coalesce(team, ''), coalesce(manager_id, ''), "+kpiOrder, args...)
		if err != nil {
			return nil, fmt.Errorf("read plan_fulfilment: %w", err)
		}
		return scanFulfilment(rows)
	}
	if d.Month, err = q("level = 'manager' AND period = ?", d.Period); err != nil {
		return nil, err
	}
	if d.YTD, err = q("level = 'manager' AND period = ?", d.Year); err != nil {
		return nil, err
	}
	if d.Totals, err = q("level <> 'manager' AND period IN (?, ?)", d.Period, d.Year); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT manager_id, name, coalesce(team, '') FROM main.managers ORDER BY manager_id")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var m Manager
		if err := rows.Scan(&m.ID, &m.Name, &m.Team); err != nil {
			rows.Close()
			return nil, err
		}
		d.Managers = append(d.Managers, m)
	}
	rows.Close()
	// 24 months ending with the period, each beside the same month a year before.
	end, err := time.Parse("2006-01", d.Period)
	if err != nil {
		return nil, fmt.Errorf("period %q: want YYYY-MM", d.Period)
	}
	start := end.AddDate(0, -23, 0)
	rows, err = db.QueryContext(ctx, `WITH months AS (
            SELECT unnest(generate_series(?::DATE, ?::DATE, INTERVAL 1 MONTH))::DATE AS month),
        totals AS (SELECT month, sum(net_sales) AS net_sales FROM marts.sales_monthly GROUP BY month)
        SELECT months.month, coalesce(cur.net_sales, 0), coalesce(prev.net_sales, 0)
        FROM months
        LEFT JOIN totals cur ON cur.month = months.month
        LEFT JOIN totals prev ON prev.month = months.month - INTERVAL 1 YEAR
        ORDER BY months.month`, start, end)
	if err != nil {
		return nil, fmt.Errorf("read sales_monthly: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t TrendPoint
		if err := rows.Scan(&t.Month, &t.NetSales, &t.LastYear); err != nil {
			return nil, err
		}
		d.Trend = append(d.Trend, t)
	}
	return d, rows.Err()
}
