package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
	Panels     KAMPanels
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
	if err := loadKAMPanels(ctx, db, p, k, end); err != nil {
		return nil, fmt.Errorf("manager %s: %w", managerID, err)
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

// GapValue is one row of marts.pay_gap_value: what closing the remaining
// gap of a KPI (kpi "all": of every KPI) would add to the variable pay.
type GapValue struct {
	KPI                        string
	Target, Actual, Gap        Dec
	PayNow, PayIfClosed, Value Dec
	Flags                      string
}

// ClientClass is a client's ABC/XYZ class in the period's month.
type ClientClass struct {
	ABC, XYZ, Class, Prev string
	Changed               bool
	Share                 Dec // of the positive 12-month total
}

// ClientMonth is a client's net sales in one month.
type ClientMonth struct {
	ClientID string
	Month    time.Time
	NetSales Dec
}

// AssortmentRow is one category of a client's segment assortment: bought
// (with its 12-month sales) or a gap worth offering (with its potential).
type AssortmentRow struct {
	ClientID, Name, Segment, Category string
	Bought, Gap                       bool
	NetSales12, Potential             Dec // potential: monthly, for a gap
	MonthsBought                      int64
	Penetration                       Dec // share of the segment's buyers buying the category
}

// OpenInvoice is an open document of an own client at the ageing date.
type OpenInvoice struct {
	ClientID, Name, Kind, ID string
	Date, Due                time.Time
	Amount, Open             Dec
	DaysOverdue              int64
	Bucket                   string
}

// ClientAgeing is an own client's receivables by bucket at the ageing date.
type ClientAgeing struct {
	ClientID, Name string
	Buckets        []Dec // in the order of KAMPanels.Buckets
	Advance        Dec
	Balance        Dec
}

// ActivityMonth is one month of a manager's activity plan and fact.
type ActivityMonth struct {
	Month                              time.Time
	Planned, Done, Cancelled, Missed   int64
	DoneAsPlanned                      Dec // share of planned
	VisitsPlanned, VisitsDone          int64
	CallsPlanned, CallsDone            int64
	MeetingsPlanned, MeetingsDone      int64
	OwnClients, CoveredClients, Orders int64
	Coverage, VisitsPerOrder           Dec
}

// ClientShare is an own client's share of wallet in a category.
type ClientShare struct {
	ClientID, Name, Segment, Category string
	Ours, Competitors, Wallet, Share  Dec
	CompetitorCount                   int64
}

// ClientCredit is an own client's credit position at the ageing date.
type ClientCredit struct {
	ClientID, Name                          string
	Limit, Balance, Overdue, Available      Dec
	Utilisation                             Dec
	TermsDays, ToleranceDays, OldestOverdue int64
	OverLimit, BeyondTolerance              bool
}

// KAMPanels are the work lists of a KAM's page, own clients only.
type KAMPanels struct {
	// GapPeriod is the period of GapValues (the build's as-of month).
	GapPeriod  string
	GapValues  []GapValue
	Classes    map[string]ClientClass // by client_id
	History    []ClientMonth          // 12 months to the period, own clients
	Months     []time.Time            // the months of History, oldest first
	Assortment []AssortmentRow
	// ReceivablesAsOf is the ageing date: the last on or before AsOf.
	ReceivablesAsOf time.Time
	Buckets         []string // overdue_* and not_due column names, not_due first
	Ageing          []ClientAgeing
	Overdue         []OpenInvoice   // overdue documents, oldest due first
	Activity        []ActivityMonth // 12 months to the period
	Competitors     []ClientShare
	Credit          []ClientCredit
	Forecasts       []SegmentForecast // the segments of own clients
}

// ownClients is the SQL of the clients assigned to manager ? on date ?
// (the argument twice): every client-level panel joins it.
const ownClients = `SELECT client_id FROM main.client_assignments
    WHERE manager_id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)`

// loadKAMPanels reads the work lists of k's page. A mart missing from the
// warehouse leaves its panel empty.
func loadKAMPanels(ctx context.Context, db *sql.DB, p Params, k *KAM, end time.Time) error {
	m, asOf := k.Manager.ID, p.AsOf
	own := func(args ...any) []any { return append([]any{m, asOf, asOf}, args...) }
	has := func(name string) (bool, error) { return tableExists(ctx, db, "marts", name) }
	x := &k.Panels

	if ok, err := has("pay_gap_value"); err != nil {
		return err
	} else if ok {
		rows, err := db.QueryContext(ctx, `SELECT kpi, target, actual, gap, pay_now, pay_if_closed, gap_value, coalesce(flags, '')
            FROM marts.pay_gap_value WHERE manager_id = ? AND period = ?
            ORDER BY `+kpiOrder, m, k.Period)
		if err != nil {
			return fmt.Errorf("read pay_gap_value: %w", err)
		}
		err = scanRows(rows, func(r *sql.Rows) error {
			var g GapValue
			if err := r.Scan(&g.KPI, &g.Target, &g.Actual, &g.Gap, &g.PayNow, &g.PayIfClosed, &g.Value, &g.Flags); err != nil {
				return err
			}
			x.GapValues = append(x.GapValues, g)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read pay_gap_value: %w", err)
		}
		if len(x.GapValues) > 0 {
			x.GapPeriod = k.Period
		}
	}

	if ok, err := has("client_abc_xyz"); err != nil {
		return err
	} else if ok {
		x.Classes = map[string]ClientClass{}
		rows, err := db.QueryContext(ctx, `WITH own AS (`+ownClients+`)
            SELECT client_id, coalesce(abc_class, ''), coalesce(xyz_class, ''), coalesce(abc_xyz, ''), coalesce(prev_abc_xyz, ''),
                coalesce(is_class_changed, false), share_12m
            FROM marts.client_abc_xyz JOIN own USING (client_id)
            WHERE month = ? ORDER BY client_id`, own(end)...)
		if err != nil {
			return fmt.Errorf("read client_abc_xyz: %w", err)
		}
		err = scanRows(rows, func(r *sql.Rows) error {
			var id string
			var c ClientClass
			if err := r.Scan(&id, &c.ABC, &c.XYZ, &c.Class, &c.Prev, &c.Changed, &c.Share); err != nil {
				return err
			}
			x.Classes[id] = c
			return nil
		})
		if err != nil {
			return fmt.Errorf("read client_abc_xyz: %w", err)
		}
	}

	for i := 11; i >= 0; i-- {
		x.Months = append(x.Months, end.AddDate(0, -i, 0))
	}
	rows, err := db.QueryContext(ctx, `WITH own AS (`+ownClients+`)
        SELECT client_id, month, sum(net_sales) FROM marts.sales_monthly JOIN own USING (client_id)
        WHERE month BETWEEN ? AND ? GROUP BY client_id, month ORDER BY client_id, month`, own(x.Months[0], end)...)
	if err != nil {
		return fmt.Errorf("read sales history: %w", err)
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var c ClientMonth
		if err := r.Scan(&c.ClientID, &c.Month, &c.NetSales); err != nil {
			return err
		}
		x.History = append(x.History, c)
		return nil
	}); err != nil {
		return fmt.Errorf("read sales history: %w", err)
	}

	if ok, err := has("client_assortment"); err != nil {
		return err
	} else if ok {
		rows, err := db.QueryContext(ctx, `WITH own AS (`+ownClients+`)
            SELECT a.client_id, coalesce(c.name, a.client_name, ''), coalesce(a.segment, ''), coalesce(a.category, ''),
                coalesce(a.is_bought, false), coalesce(a.is_gap, false), a.net_sales_12m, a.gap_potential_monthly,
                coalesce(a.months_bought, 0), a.segment_penetration
            FROM marts.client_assortment a JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE a.is_bought OR a.is_gap
            ORDER BY a.is_gap, coalesce(a.gap_potential_monthly, 0) DESC, coalesce(a.net_sales_12m, 0) DESC, a.client_id, a.category`, own()...)
		if err != nil {
			return fmt.Errorf("read client_assortment: %w", err)
		}
		if err := scanRows(rows, func(r *sql.Rows) error {
			var a AssortmentRow
			if err := r.Scan(&a.ClientID, &a.Name, &a.Segment, &a.Category, &a.Bought, &a.Gap, &a.NetSales12, &a.Potential, &a.MonthsBought, &a.Penetration); err != nil {
				return err
			}
			x.Assortment = append(x.Assortment, a)
			return nil
		}); err != nil {
			return fmt.Errorf("read client_assortment: %w", err)
		}
	}

	if err := loadReceivablePanels(ctx, db, x, own); err != nil {
		return err
	}

	if ok, err := has("activity_monthly"); err != nil {
		return err
	} else if ok {
		rows, err := db.QueryContext(ctx, `SELECT month, coalesce(planned, 0), coalesce(done, 0), coalesce(cancelled, 0), coalesce(missed, 0),
                done_as_planned_share, coalesce(visits_planned, 0), coalesce(visits_done, 0), coalesce(calls_planned, 0),
                coalesce(calls_done, 0), coalesce(meetings_planned, 0), coalesce(meetings_done, 0), coalesce(own_clients, 0),
                coalesce(covered_clients, 0), coalesce(orders, 0), coverage, visits_per_order
            FROM marts.activity_monthly WHERE manager_id = ? AND month BETWEEN ? AND ? ORDER BY month`, m, x.Months[0], end)
		if err != nil {
			return fmt.Errorf("read activity_monthly: %w", err)
		}
		if err := scanRows(rows, func(r *sql.Rows) error {
			var a ActivityMonth
			if err := r.Scan(&a.Month, &a.Planned, &a.Done, &a.Cancelled, &a.Missed, &a.DoneAsPlanned, &a.VisitsPlanned, &a.VisitsDone,
				&a.CallsPlanned, &a.CallsDone, &a.MeetingsPlanned, &a.MeetingsDone, &a.OwnClients, &a.CoveredClients, &a.Orders,
				&a.Coverage, &a.VisitsPerOrder); err != nil {
				return err
			}
			x.Activity = append(x.Activity, a)
			return nil
		}); err != nil {
			return fmt.Errorf("read activity_monthly: %w", err)
		}
	}

	if ok, err := has("competitor_share"); err != nil {
		return err
	} else if ok {
		rows, err := db.QueryContext(ctx, `WITH own AS (`+ownClients+`),
            last AS (SELECT max(month) AS month FROM marts.competitor_share WHERE level = 'client' AND month <= ?)
            SELECT s.client_id, coalesce(c.name, ''), coalesce(s.segment, ''), coalesce(s.category, ''),
                s.our_monthly_sales, s.competitor_monthly_sales, s.wallet, s.share, coalesce(s.competitors, 0)
            FROM marts.competitor_share s JOIN last USING (month) JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE s.level = 'client'
            ORDER BY s.share NULLS LAST, s.wallet DESC, s.client_id, s.category`, own(end)...)
		if err != nil {
			return fmt.Errorf("read competitor_share: %w", err)
		}
		if err := scanRows(rows, func(r *sql.Rows) error {
			var c ClientShare
			if err := r.Scan(&c.ClientID, &c.Name, &c.Segment, &c.Category, &c.Ours, &c.Competitors, &c.Wallet, &c.Share, &c.CompetitorCount); err != nil {
				return err
			}
			x.Competitors = append(x.Competitors, c)
			return nil
		}); err != nil {
			return fmt.Errorf("read competitor_share: %w", err)
		}
	}

	// The forecasts of the segments of own clients.
	seen := map[string]bool{}
	segments := []string{}
	for _, c := range k.Clients {
		if c.Segment != "" && !seen[c.Segment] {
			seen[c.Segment] = true
			segments = append(segments, c.Segment)
		}
	}
	if x.Forecasts, err = LoadSegmentForecasts(ctx, db, segments); err != nil {
		return err
	}
	return nil
}

// loadReceivablePanels reads ageing, overdue documents and credit control
// of own clients at the last ageing date on or before the as-of date.
func loadReceivablePanels(ctx context.Context, db *sql.DB, x *KAMPanels, own func(...any) []any) error {
	ok, err := tableExists(ctx, db, "marts", "receivables_ageing")
	if err != nil || !ok {
		return err
	}
	args := own()
	var at sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT max(as_of) FROM marts.receivables_ageing WHERE as_of <= ?", args[1]).Scan(&at); err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}
	if !at.Valid {
		return nil
	}
	x.ReceivablesAsOf = at.Time
	rows, err := db.QueryContext(ctx, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'receivables_ageing' AND (column_name = 'not_due' OR column_name LIKE 'overdue\\_%' ESCAPE '\\') ORDER BY ordinal_position")
	if err != nil {
		return err
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var c string
		if err := r.Scan(&c); err != nil {
			return err
		}
		x.Buckets = append(x.Buckets, c)
		return nil
	}); err != nil {
		return err
	}
	sel := ""
	for _, b := range x.Buckets {
		sel += ", coalesce(r." + kamIdent(b) + ", 0)"
	}
	rows, err = db.QueryContext(ctx, `WITH own AS (`+ownClients+`)
        SELECT r.client_id, coalesce(c.name, r.client_name, '')`+sel+`, coalesce(r.advance, 0), coalesce(r.balance, 0)
        FROM marts.receivables_ageing r JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
        WHERE r.as_of = ? AND coalesce(r.balance, 0) <> 0
        ORDER BY coalesce(r.balance, 0) - coalesce(r.not_due, 0) DESC, r.client_id`, own(at.Time)...)
	if err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		a := ClientAgeing{Buckets: make([]Dec, len(x.Buckets))}
		dest := []any{&a.ClientID, &a.Name}
		for i := range a.Buckets {
			dest = append(dest, &a.Buckets[i])
		}
		if err := r.Scan(append(dest, &a.Advance, &a.Balance)...); err != nil {
			return err
		}
		x.Ageing = append(x.Ageing, a)
		return nil
	}); err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}

	if ok, err := tableExists(ctx, db, "marts", "receivables_open_invoices"); err != nil {
		return err
	} else if ok {
		rows, err := db.QueryContext(ctx, `WITH own AS (`+ownClients+`)
            SELECT i.client_id, coalesce(c.name, i.client_name, ''), coalesce(i.document_kind, ''), coalesce(i.document_id, ''),
                i.document_date, i.due_date, i.amount, i.open_amount, coalesce(i.days_overdue, 0), coalesce(i.bucket, '')
            FROM marts.receivables_open_invoices i JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE i.as_of = ? AND i.days_overdue > 0 AND i.open_amount > 0
            ORDER BY i.days_overdue DESC, i.due_date, i.client_id, i.document_id`, own(at.Time)...)
		if err != nil {
			return fmt.Errorf("read receivables_open_invoices: %w", err)
		}
		if err := scanRows(rows, func(r *sql.Rows) error {
			var o OpenInvoice
			var d, due sql.NullTime
			if err := r.Scan(&o.ClientID, &o.Name, &o.Kind, &o.ID, &d, &due, &o.Amount, &o.Open, &o.DaysOverdue, &o.Bucket); err != nil {
				return err
			}
			o.Date, o.Due = d.Time, due.Time
			x.Overdue = append(x.Overdue, o)
			return nil
		}); err != nil {
			return fmt.Errorf("read receivables_open_invoices: %w", err)
		}
	}

	if ok, err := tableExists(ctx, db, "marts", "credit_control"); err != nil {
		return err
	} else if ok {
		rows, err := db.QueryContext(ctx, `WITH own AS (`+ownClients+`)
            SELECT k.client_id, coalesce(c.name, k.client_name, ''), k.credit_limit, k.balance, k.overdue_amount, k.available_credit,
                k.utilisation, coalesce(k.payment_terms_days, 0), coalesce(k.tolerance_days, 0), coalesce(k.oldest_overdue_days, 0),
                coalesce(k.is_over_limit, false), coalesce(k.is_beyond_tolerance, false)
            FROM marts.credit_control k JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE k.as_of = ? AND (k.is_over_limit OR k.is_beyond_tolerance OR k.utilisation >= 0.8)
            ORDER BY k.is_over_limit DESC, k.is_beyond_tolerance DESC, k.utilisation DESC NULLS LAST, k.client_id`, own(at.Time)...)
		if err != nil {
			return fmt.Errorf("read credit_control: %w", err)
		}
		if err := scanRows(rows, func(r *sql.Rows) error {
			var c ClientCredit
			if err := r.Scan(&c.ClientID, &c.Name, &c.Limit, &c.Balance, &c.Overdue, &c.Available, &c.Utilisation,
				&c.TermsDays, &c.ToleranceDays, &c.OldestOverdue, &c.OverLimit, &c.BeyondTolerance); err != nil {
				return err
			}
			x.Credit = append(x.Credit, c)
			return nil
		}); err != nil {
			return fmt.Errorf("read credit_control: %w", err)
		}
	}
	return nil
}

// scanRows calls f for every row and closes rows.
func scanRows(rows *sql.Rows, f func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// kamIdent quotes a column name for DuckDB.
func kamIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
