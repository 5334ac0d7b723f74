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
	// Target and Attainment are invalid (NULL) when the target is missing;
	// Attainment also when it is zero.
	Target, Actual, Attainment Dec
	// Projected is the run-rate to the period end; Actual once it is over.
	Projected, Gap Dec
	InProgress     bool
	Flags          string // comma-separated, e.g. "missing_target"; "" when none
}

// Manager is a KAM as dashboards list them.
type Manager struct {
	ID, Name, Team string
}

// TrendPoint is one month of company (or one KAM's) net sales with the
// same month a year before. A month without any sales row is invalid
// (NULL), not zero, so a chart shows a gap before the history starts.
type TrendPoint struct {
	Month              time.Time // first day
	NetSales, LastYear Dec
	InProgress         bool // the month had not ended on the as-of date
}

// Director is the commercial director's monthly view.
type Director struct {
	AsOf   time.Time
	Period string // YYYY-MM
	Year   string // YYYY, for year to date
	// Month and YTD hold manager rows for every KPI, ordered by team,
	// manager id and KPI (in the order of KPIs).
	Month, YTD []Fulfilment
	// Totals hold team and company rows of the month and of the year:
	// company first, then teams by name; within each the month, then the year.
	Totals []Fulfilment
	// Managers are all managers in main.managers, by id.
	Managers []Manager
	// Trend holds the 24 months ending with the period, oldest first.
	Trend []TrendPoint

	// The panels below are nil (empty) when their mart is absent.

	// ClientBase holds the 13 months ending with the period, oldest first.
	ClientBase []ClientBaseMonth
	// Ageing is the receivables ageing at the last date on or before AsOf.
	Ageing *AgeingSummary
	// Competitors are the segment × category share estimates of the period.
	Competitors []SegmentShare
	// Pay is the variable pay of the period (when kam build wrote it).
	Pay *Pay
	// Alerts are credit control, lost clients and discount breaches.
	Alerts *Alerts
	// Forecasts are the segment forecasts (marts.segment_forecast).
	Forecasts []SegmentForecast
}

// Total finds the company row (team "") or a team's row of a KPI for the
// month ("month") or the year to date ("year").
func (d *Director) Total(team, periodKind, kpi string) (Fulfilment, bool) {
	for _, f := range d.Totals {
		level := "team"
		if team == "" {
			level = "company"
		}
		if f.Level == level && f.Team == team && f.PeriodKind == periodKind && f.KPI == kpi {
			return f, true
		}
	}
	return Fulfilment{}, false
}

// RunRateAttainment is Projected / Target rounded to 4 decimals: the
// attainment the period ends with at the current pace, equal to Attainment
// once the period is over. Invalid when the target is missing or zero.
func (f Fulfilment) RunRateAttainment() Dec {
	if !f.Target.Valid || f.Target.Decimal.IsZero() || !f.Projected.Valid {
		return Dec{}
	}
	return Dec{Decimal: f.Projected.Decimal.DivRound(f.Target.Decimal, 4), Valid: true}
}

const fulfilmentCols = `level, coalesce(manager_id, ''), coalesce(manager_name, ''), coalesce(team, ''), period, period_kind, kpi,
    target, actual, attainment, projected, gap, is_in_progress, coalesce(flags, '')`

const kpiOrder = "CASE kpi WHEN 'sales' THEN 1 WHEN 'active_clients' THEN 2 WHEN 'new_clients' THEN 3 ELSE 4 END"

func queryFulfilment(ctx context.Context, db *sql.DB, where, order string, args ...any) ([]Fulfilment, error) {
	rows, err := db.QueryContext(ctx, "SELECT "+fulfilmentCols+" FROM marts.plan_fulfilment WHERE "+where+" ORDER BY "+order, args...)
	if err != nil {
		return nil, fmt.Errorf("read plan_fulfilment: %w", err)
	}
	defer rows.Close()
	var out []Fulfilment
	for rows.Next() {
		var f Fulfilment
		if err := rows.Scan(&f.Level, &f.ManagerID, &f.ManagerName, &f.Team, &f.Period, &f.PeriodKind, &f.KPI,
			&f.Target, &f.Actual, &f.Attainment, &f.Projected, &f.Gap, &f.InProgress, &f.Flags); err != nil {
			return nil, fmt.Errorf("read plan_fulfilment: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// LoadDirector reads plan fulfilment, the sales trend and the managers.
func LoadDirector(ctx context.Context, db *sql.DB, p Params) (*Director, error) {
	period, month, err := p.Month()
	if err != nil {
		return nil, err
	}
	d := &Director{AsOf: p.AsOf, Period: period, Year: period[:4]}
	managerOrder := "coalesce(team, ''), manager_id, " + kpiOrder
	if d.Month, err = queryFulfilment(ctx, db, "level = 'manager' AND period_kind = 'month' AND period = ?", managerOrder, d.Period); err != nil {
		return nil, err
	}
	if d.YTD, err = queryFulfilment(ctx, db, "level = 'manager' AND period_kind = 'year' AND period = ?", managerOrder, d.Year); err != nil {
		return nil, err
	}
	if d.Totals, err = queryFulfilment(ctx, db,
		"level IN ('team', 'company') AND ((period_kind = 'month' AND period = ?) OR (period_kind = 'year' AND period = ?))",
		"CASE level WHEN 'company' THEN 0 ELSE 1 END, coalesce(team, ''), CASE period_kind WHEN 'month' THEN 0 ELSE 1 END, "+kpiOrder,
		d.Period, d.Year); err != nil {
		return nil, err
	}
	if d.Managers, err = loadManagers(ctx, db); err != nil {
		return nil, err
	}
	if d.Trend, err = loadTrend(ctx, db, month, p.AsOf, ""); err != nil {
		return nil, err
	}
	if err := d.loadPanels(ctx, db, month); err != nil {
		return nil, err
	}
	return d, nil
}

func loadManagers(ctx context.Context, db *sql.DB) ([]Manager, error) {
	rows, err := db.QueryContext(ctx, "SELECT manager_id, name, coalesce(team, '') FROM main.managers ORDER BY manager_id")
	if err != nil {
		return nil, fmt.Errorf("read managers: %w", err)
	}
	defer rows.Close()
	var out []Manager
	for rows.Next() {
		var m Manager
		if err := rows.Scan(&m.ID, &m.Name, &m.Team); err != nil {
			return nil, fmt.Errorf("read managers: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// loadTrend reads the 24 months ending with the month starting at end, each
// beside the same month a year before; managerID "" means the whole company.
func loadTrend(ctx context.Context, db *sql.DB, end, asOf time.Time, managerID string) ([]TrendPoint, error) {
	start := end.AddDate(0, -23, 0)
	rows, err := db.QueryContext(ctx, `WITH months AS (
            SELECT unnest(generate_series(?::DATE, ?::DATE, INTERVAL 1 MONTH))::DATE AS month),
        totals AS (
            SELECT month, sum(net_sales) AS net_sales FROM marts.sales_monthly
            WHERE ? = '' OR manager_id = ?
            GROUP BY month)
        SELECT months.month, cur.net_sales, prev.net_sales
        FROM months
        LEFT JOIN totals cur ON cur.month = months.month
        LEFT JOIN totals prev ON prev.month = months.month - INTERVAL 1 YEAR
        ORDER BY months.month`, start, end, managerID, managerID)
	if err != nil {
		return nil, fmt.Errorf("read sales_monthly: %w", err)
	}
	defer rows.Close()
	var out []TrendPoint
	for rows.Next() {
		var t TrendPoint
		if err := rows.Scan(&t.Month, &t.NetSales, &t.LastYear); err != nil {
			return nil, fmt.Errorf("read sales_monthly: %w", err)
		}
		t.Month = t.Month.UTC()
		t.InProgress = monthInProgress(t.Month, asOf)
		out = append(out, t)
	}
	return out, rows.Err()
}
