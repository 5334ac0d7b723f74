package reports

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ClientSales is one client's net sales for a KAM's page.
type ClientSales struct {
	ClientID, Name, Segment string
	Last12, PeriodSales     Dec // net sales over the 12 months to the period, and in the period
	Prev12                  Dec // the 12 months before that, for the trend
	LastShipped             time.Time
}

// CategorySales is net sales of one category over the last 12 months.
type CategorySales struct {
	Category string
	Last12   Dec
}

// KAM is one key account manager's page: only their own clients.
type KAM struct {
	AsOf       time.Time
	Period     string
	Manager    Manager
	Month, YTD []Fulfilment
	// Clients are those assigned to the manager on the as-of date.
	Clients    []ClientSales
	Categories []CategorySales
	Trend      []TrendPoint
}

// LoadKAM reads one manager's page. Every client-level query is restricted
// to the clients assigned to the manager on the as-of date (commercial
// secrecy: a KAM's page never shows another KAM's clients).
func LoadKAM(ctx context.Context, db *sql.DB, p Params, managerID string) (*KAM, error) {
	period, end, err := p.month()
	if err != nil {
		return nil, err
	}
	k := &KAM{AsOf: p.AsOf, Period: period}
	err = db.QueryRowContext(ctx, "SELECT manager_id, name, coalesce(team, '') FROM main.managers WHERE manager_id = ?", managerID).
		Scan(&k.Manager.ID, &k.Manager.Name, &k.Manager.Team)
	if err != nil {
		return nil, fmt.Errorf("manager %s: %w", managerID, err)
	}
	const where = "level = 'manager' AND manager_id = ? AND period_kind = ? AND period = ?"
	if k.Month, err = queryFulfilment(ctx, db, where, kpiOrder, managerID, "month", period); err != nil {
		return nil, err
	}
	if k.YTD, err = queryFulfilment(ctx, db, where, kpiOrder, managerID, "year", period[:4]); err != nil {
		return nil, err
	}
	from12 := end.AddDate(0, -11, 0)
	from24 := end.AddDate(0, -23, 0)
	rows, err := db.QueryContext(ctx, `WITH own AS (
            SELECT client_id FROM main.client_assignments
            WHERE manager_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)),
        sales AS (
            SELECT s.client_id,
                sum(s.net_sales) FILTER (WHERE s.month BETWEEN ? AND ?) AS last12,
                sum(s.net_sales) FILTER (WHERE s.month BETWEEN ? AND ?) AS prev12,
                sum(s.net_sales) FILTER (WHERE s.month = ?) AS period_sales
            FROM marts.sales_monthly s JOIN own USING (client_id)
            GROUP BY s.client_id),
        shipped AS (
            SELECT client_id, max(shipped_on) AS last_shipped FROM main.order_lines JOIN own USING (client_id)
            WHERE shipped_on <= ? GROUP BY client_id)
        SELECT c.client_id, c.name, c.segment, coalesce(sales.last12, 0), coalesce(sales.prev12, 0),
            coalesce(sales.period_sales, 0), shipped.last_shipped
        FROM own JOIN main.clients c USING (client_id)
        LEFT JOIN sales USING (client_id) LEFT JOIN shipped USING (client_id)
        ORDER BY coalesce(sales.last12, 0) DESC, c.client_id`,
		managerID, p.AsOf, p.AsOf, from12, end, from24, end.AddDate(0, -12, 0), end, p.AsOf)
	if err != nil {
		return nil, fmt.Errorf("read own clients: %w", err)
	}
	for rows.Next() {
		var c ClientSales
		var last sql.NullTime
		if err := rows.Scan(&c.ClientID, &c.Name, &c.Segment, &c.Last12, &c.Prev12, &c.PeriodSales, &last); err != nil {
			rows.Close()
			return nil, err
		}
		c.LastShipped = last.Time
		k.Clients = append(k.Clients, c)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT category, sum(net_sales) FROM marts.sales_monthly
        WHERE manager_id = ? AND month BETWEEN ? AND ? GROUP BY category ORDER BY 2 DESC, 1`, managerID, from12, end)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c CategorySales
		if err := rows.Scan(&c.Category, &c.Last12); err != nil {
			rows.Close()
			return nil, err
		}
		k.Categories = append(k.Categories, c)
	}
	rows.Close()
	if k.Trend, err = loadTrend(ctx, db, end, p.AsOf, managerID); err != nil {
		return nil, err
	}
	return k, nil
}

// ManagerIDs lists the managers who get a page: employed at some point in
// the year of the period.
func ManagerIDs(ctx context.Context, db *sql.DB, p Params) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT manager_id FROM main.managers
        WHERE (hired_on IS NULL OR hired_on <= ?) AND (left_on IS NULL OR left_on >= date_trunc('year', ?::DATE))
        ORDER BY manager_id`, p.AsOf, p.AsOf)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
