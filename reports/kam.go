package reports

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
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
	ks, err := LoadKAMs(ctx, db, p, []string{managerID})
	if err != nil {
		return nil, err
	}
	return ks[0], nil
}

// LoadKAMs reads the pages of the given managers, in their order, as
// LoadKAM would read each: one query per panel for all of them (preparing
// a query costs DuckDB more than running it for 50 managers), every row
// carrying its manager_id and split by it in Go. Client-level rows come
// from joins with own, the pairs (manager, client) of the assignments on
// the as-of date, so each page still gets only its own clients.
func LoadKAMs(ctx context.Context, db *sql.DB, p Params, managerIDs []string) ([]*KAM, error) {
	period, end, err := p.Month()
	if err != nil {
		return nil, err
	}
	if len(managerIDs) == 0 {
		return nil, nil
	}
	b := &kamBatch{ctx: ctx, db: db, asOf: p.AsOf, byID: map[string]*KAM{}}
	out := make([]*KAM, len(managerIDs))
	for i, id := range managerIDs {
		if b.byID[id] == nil {
			b.byID[id] = &KAM{AsOf: p.AsOf, Period: period}
			b.ids = append(b.ids, id)
		}
		out[i] = b.byID[id]
	}
	found := map[string]bool{}
	err = b.query("SELECT manager_id, name, coalesce(team, '') FROM main.managers WHERE manager_id IN (SELECT manager_id FROM ids) ORDER BY manager_id",
		false, nil, func(r *sql.Rows) error {
			var m Manager
			if err := r.Scan(&m.ID, &m.Name, &m.Team); err != nil {
				return err
			}
			if !found[m.ID] {
				found[m.ID] = true
				b.byID[m.ID].Manager = m
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read managers: %w", err)
	}
	for _, id := range managerIDs {
		if !found[id] {
			return nil, fmt.Errorf("manager %s: %w", id, sql.ErrNoRows)
		}
	}
	for _, f := range []struct {
		kind, period string
		set          func(k *KAM, f Fulfilment)
	}{
		{"month", period, func(k *KAM, f Fulfilment) { k.Month = append(k.Month, f) }},
		{"year", period[:4], func(k *KAM, f Fulfilment) { k.YTD = append(k.YTD, f) }},
	} {
		fs, err := queryFulfilment(ctx, db, "level = 'manager' AND manager_id IN ("+b.placeholders()+") AND period_kind = ? AND period = ?",
			"manager_id, "+kpiOrder, b.args(false, f.kind, f.period)...)
		if err != nil {
			return nil, err
		}
		for _, x := range fs {
			f.set(b.byID[x.ManagerID], x)
		}
	}
	from12 := end.AddDate(0, -11, 0)
	from24 := end.AddDate(0, -23, 0)
	err = b.query(`, sales AS (
            SELECT own.manager_id, s.client_id,
                sum(s.net_sales) FILTER (WHERE s.month BETWEEN ? AND ?) AS last12,
                sum(s.net_sales) FILTER (WHERE s.month BETWEEN ? AND ?) AS prev12,
                sum(s.net_sales) FILTER (WHERE s.month = ?) AS period_sales
            FROM marts.sales_monthly s JOIN own USING (client_id)
            GROUP BY own.manager_id, s.client_id),
        shipped AS (
            SELECT own.manager_id, o.client_id, max(o.shipped_on) AS last_shipped FROM main.order_lines o JOIN own USING (client_id)
            WHERE o.shipped_on <= ? GROUP BY own.manager_id, o.client_id)
        SELECT own.manager_id, c.client_id, c.name, c.segment, coalesce(sales.last12, 0), coalesce(sales.prev12, 0),
            coalesce(sales.period_sales, 0), shipped.last_shipped
        FROM own JOIN main.clients c USING (client_id)
        LEFT JOIN sales ON sales.manager_id = own.manager_id AND sales.client_id = own.client_id
        LEFT JOIN shipped ON shipped.manager_id = own.manager_id AND shipped.client_id = own.client_id
        ORDER BY own.manager_id, coalesce(sales.last12, 0) DESC, c.client_id`,
		true, []any{from12, end, from24, end.AddDate(0, -12, 0), end, p.AsOf}, func(r *sql.Rows) error {
			var m string
			var c ClientSales
			var last sql.NullTime
			if err := r.Scan(&m, &c.ClientID, &c.Name, &c.Segment, &c.Last12, &c.Prev12, &c.PeriodSales, &last); err != nil {
				return err
			}
			c.LastShipped = last.Time
			k, err := b.page(m)
			if err != nil {
				return err
			}
			k.Clients = append(k.Clients, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read own clients: %w", err)
	}
	err = b.query(`SELECT manager_id, category, sum(net_sales) FROM marts.sales_monthly
        WHERE manager_id IN (SELECT manager_id FROM ids) AND month BETWEEN ? AND ? GROUP BY manager_id, category ORDER BY 1, 3 DESC, 2`,
		false, []any{from12, end}, func(r *sql.Rows) error {
			var m string
			var c CategorySales
			if err := r.Scan(&m, &c.Category, &c.Last12); err != nil {
				return err
			}
			k, err := b.page(m)
			if err != nil {
				return err
			}
			k.Categories = append(k.Categories, c)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = b.query(`, months AS (
            SELECT unnest(generate_series(?::DATE, ?::DATE, INTERVAL 1 MONTH))::DATE AS month),
        totals AS (
            SELECT manager_id, month, sum(net_sales) AS net_sales FROM marts.sales_monthly
            WHERE manager_id IN (SELECT manager_id FROM ids)
            GROUP BY manager_id, month)
        SELECT ids.manager_id, months.month, cur.net_sales, prev.net_sales
        FROM ids CROSS JOIN months
        LEFT JOIN totals cur ON cur.manager_id = ids.manager_id AND cur.month = months.month
        LEFT JOIN totals prev ON prev.manager_id = ids.manager_id AND prev.month = months.month - INTERVAL 1 YEAR
        ORDER BY ids.manager_id, months.month`,
		false, []any{from24, end}, func(r *sql.Rows) error {
			var m string
			var t TrendPoint
			if err := r.Scan(&m, &t.Month, &t.NetSales, &t.LastYear); err != nil {
				return err
			}
			t.Month = t.Month.UTC()
			t.InProgress = monthInProgress(t.Month, p.AsOf)
			k, err := b.page(m)
			if err != nil {
				return err
			}
			k.Trend = append(k.Trend, t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read sales_monthly: %w", err)
	}
	if err := b.loadPanels(p, period, end); err != nil {
		return nil, err
	}
	return out, nil
}

// kamBatch reads the pages of several managers (LoadKAMs).
type kamBatch struct {
	ctx  context.Context
	db   *sql.DB
	asOf time.Time
	ids  []string // distinct
	byID map[string]*KAM
}

// placeholders is "?, ?, …", one per manager.
func (b *kamBatch) placeholders() string {
	return strings.TrimSuffix(strings.Repeat("?::VARCHAR, ", len(b.ids)), ", ")
}

// args are the managers' ids, then the as-of date twice when own is
// used, then more.
func (b *kamBatch) args(own bool, more ...any) []any {
	args := make([]any, 0, len(b.ids)+2+len(more))
	for _, id := range b.ids {
		args = append(args, id)
	}
	if own {
		args = append(args, b.asOf, b.asOf)
	}
	return append(args, more...)
}

// query runs q after a WITH clause defining ids (the managers) and, with
// own, own (manager_id, client_id: each manager's clients on the as-of
// date); q starts either with its own further CTEs (", name AS (…)") or
// with the SELECT. f sees every row.
func (b *kamBatch) query(q string, own bool, more []any, f func(*sql.Rows) error) error {
	head := "WITH ids AS (SELECT manager_id FROM (VALUES (" + strings.ReplaceAll(b.placeholders(), ", ", "), (") + ")) AS t(manager_id))"
	if own {
		head += `, own AS (SELECT a.manager_id, a.client_id FROM main.client_assignments a
            WHERE a.manager_id IN (SELECT manager_id FROM ids) AND a.valid_from <= ? AND (a.valid_to IS NULL OR a.valid_to > ?))`
	}
	if !strings.HasPrefix(strings.TrimSpace(q), ",") {
		head += "\n"
	}
	rows, err := b.db.QueryContext(b.ctx, head+q, b.args(own, more...)...)
	if err != nil {
		return err
	}
	return scanRows(rows, f)
}

// page is the page of manager m, which must be one of the batch's.
func (b *kamBatch) page(m string) (*KAM, error) {
	if k := b.byID[m]; k != nil {
		return k, nil
	}
	return nil, fmt.Errorf("row of manager %q, not asked for", m)
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

// loadPanels reads the work lists of the batch's pages. A mart missing
// from the warehouse leaves its panel empty.
func (b *kamBatch) loadPanels(p Params, period string, end time.Time) error {
	ctx, db := b.ctx, b.db
	has := func(name string) (bool, error) { return tableExists(ctx, db, "marts", name) }
	each := func(f func(x *KAMPanels)) {
		for _, k := range b.byID {
			f(&k.Panels)
		}
	}
	// scan reads a row whose first column is manager_id into dest and
	// gives the manager's panels.
	scan := func(r *sql.Rows, dest ...any) (*KAMPanels, error) {
		var m string
		if err := r.Scan(append([]any{&m}, dest...)...); err != nil {
			return nil, err
		}
		k, err := b.page(m)
		if err != nil {
			return nil, err
		}
		return &k.Panels, nil
	}

	if ok, err := has("pay_gap_value"); err != nil {
		return err
	} else if ok {
		err := b.query(`SELECT manager_id, kpi, target, actual, gap, pay_now, pay_if_closed, gap_value, coalesce(flags, '')
            FROM marts.pay_gap_value WHERE manager_id IN (SELECT manager_id FROM ids) AND period = ?
            ORDER BY manager_id, `+kpiOrder, false, []any{period}, func(r *sql.Rows) error {
			var g GapValue
			x, err := scan(r, &g.KPI, &g.Target, &g.Actual, &g.Gap, &g.PayNow, &g.PayIfClosed, &g.Value, &g.Flags)
			if err != nil {
				return err
			}
			x.GapValues = append(x.GapValues, g)
			x.GapPeriod = period
			return nil
		})
		if err != nil {
			return fmt.Errorf("read pay_gap_value: %w", err)
		}
	}

	if ok, err := has("client_abc_xyz"); err != nil {
		return err
	} else if ok {
		each(func(x *KAMPanels) { x.Classes = map[string]ClientClass{} })
		err := b.query(`SELECT own.manager_id, client_id, coalesce(abc_class, ''), coalesce(xyz_class, ''), coalesce(abc_xyz, ''), coalesce(prev_abc_xyz, ''),
                coalesce(is_class_changed, false), share_12m
            FROM marts.client_abc_xyz JOIN own USING (client_id)
            WHERE month = ? ORDER BY own.manager_id, client_id`, true, []any{end}, func(r *sql.Rows) error {
			var id string
			var c ClientClass
			x, err := scan(r, &id, &c.ABC, &c.XYZ, &c.Class, &c.Prev, &c.Changed, &c.Share)
			if err != nil {
				return err
			}
			x.Classes[id] = c
			return nil
		})
		if err != nil {
			return fmt.Errorf("read client_abc_xyz: %w", err)
		}
	}

	var months []time.Time
	for i := 11; i >= 0; i-- {
		months = append(months, end.AddDate(0, -i, 0))
	}
	each(func(x *KAMPanels) { x.Months = append([]time.Time(nil), months...) })
	err := b.query(`SELECT own.manager_id, client_id, month, sum(net_sales) FROM marts.sales_monthly JOIN own USING (client_id)
        WHERE month BETWEEN ? AND ? GROUP BY own.manager_id, client_id, month ORDER BY own.manager_id, client_id, month`,
		true, []any{months[0], end}, func(r *sql.Rows) error {
			var c ClientMonth
			x, err := scan(r, &c.ClientID, &c.Month, &c.NetSales)
			if err != nil {
				return err
			}
			x.History = append(x.History, c)
			return nil
		})
	if err != nil {
		return fmt.Errorf("read sales history: %w", err)
	}

	if ok, err := has("client_assortment"); err != nil {
		return err
	} else if ok {
		err := b.query(`SELECT own.manager_id, a.client_id, coalesce(c.name, a.client_name, ''), coalesce(a.segment, ''), coalesce(a.category, ''),
                coalesce(a.is_bought, false), coalesce(a.is_gap, false), a.net_sales_12m, a.gap_potential_monthly,
                coalesce(a.months_bought, 0), a.segment_penetration
            FROM marts.client_assortment a JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE a.is_bought OR a.is_gap
            ORDER BY own.manager_id, a.is_gap, coalesce(a.gap_potential_monthly, 0) DESC, coalesce(a.net_sales_12m, 0) DESC, a.client_id, a.category`,
			true, nil, func(r *sql.Rows) error {
				var a AssortmentRow
				x, err := scan(r, &a.ClientID, &a.Name, &a.Segment, &a.Category, &a.Bought, &a.Gap, &a.NetSales12, &a.Potential, &a.MonthsBought, &a.Penetration)
				if err != nil {
					return err
				}
				x.Assortment = append(x.Assortment, a)
				return nil
			})
		if err != nil {
			return fmt.Errorf("read client_assortment: %w", err)
		}
	}

	if err := b.loadReceivablePanels(scan, each); err != nil {
		return err
	}

	if ok, err := has("activity_monthly"); err != nil {
		return err
	} else if ok {
		err := b.query(`SELECT manager_id, month, coalesce(planned, 0), coalesce(done, 0), coalesce(cancelled, 0), coalesce(missed, 0),
                done_as_planned_share, coalesce(visits_planned, 0), coalesce(visits_done, 0), coalesce(calls_planned, 0),
                coalesce(calls_done, 0), coalesce(meetings_planned, 0), coalesce(meetings_done, 0), coalesce(own_clients, 0),
                coalesce(covered_clients, 0), coalesce(orders, 0), coverage, visits_per_order
            FROM marts.activity_monthly WHERE manager_id IN (SELECT manager_id FROM ids) AND month BETWEEN ? AND ? ORDER BY manager_id, month`,
			false, []any{months[0], end}, func(r *sql.Rows) error {
				var a ActivityMonth
				x, err := scan(r, &a.Month, &a.Planned, &a.Done, &a.Cancelled, &a.Missed, &a.DoneAsPlanned, &a.VisitsPlanned, &a.VisitsDone,
					&a.CallsPlanned, &a.CallsDone, &a.MeetingsPlanned, &a.MeetingsDone, &a.OwnClients, &a.CoveredClients, &a.Orders,
					&a.Coverage, &a.VisitsPerOrder)
				if err != nil {
					return err
				}
				x.Activity = append(x.Activity, a)
				return nil
			})
		if err != nil {
			return fmt.Errorf("read activity_monthly: %w", err)
		}
	}

	if ok, err := has("competitor_share"); err != nil {
		return err
	} else if ok {
		err := b.query(`, last AS (SELECT max(month) AS month FROM marts.competitor_share WHERE level = 'client' AND month <= ?)
            SELECT own.manager_id, s.client_id, coalesce(c.name, ''), coalesce(s.segment, ''), coalesce(s.category, ''),
                s.our_monthly_sales, s.competitor_monthly_sales, s.wallet, s.share, coalesce(s.competitors, 0)
            FROM marts.competitor_share s JOIN last USING (month) JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE s.level = 'client'
            ORDER BY own.manager_id, s.share NULLS LAST, s.wallet DESC, s.client_id, s.category`, true, []any{end}, func(r *sql.Rows) error {
			var c ClientShare
			x, err := scan(r, &c.ClientID, &c.Name, &c.Segment, &c.Category, &c.Ours, &c.Competitors, &c.Wallet, &c.Share, &c.CompetitorCount)
			if err != nil {
				return err
			}
			x.Competitors = append(x.Competitors, c)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read competitor_share: %w", err)
		}
	}

	// The forecasts of the segments of own clients: every segment's read
	// once, each page given those of its own clients, in segment order (as
	// LoadSegmentForecasts(segments) gives them).
	segments := []string{}
	seen := map[string]bool{}
	for _, k := range b.byID {
		for _, c := range k.Clients {
			if seg := forecastSegment(c.Segment); !seen[seg] {
				seen[seg] = true
				segments = append(segments, seg)
			}
		}
	}
	sort.Strings(segments)
	all, err := LoadSegmentForecasts(ctx, db, segments)
	if err != nil {
		return err
	}
	for _, k := range b.byID {
		own := map[string]bool{}
		for _, c := range k.Clients {
			own[forecastSegment(c.Segment)] = true
		}
		for _, f := range all {
			if own[f.Segment] {
				k.Panels.Forecasts = append(k.Panels.Forecasts, f)
			}
		}
	}
	return nil
}

// forecastSegment is the segment_forecast series of a client's segment:
// clients without one are forecast together as "(none)" (models/forecast/mart.None).
func forecastSegment(segment string) string {
	if segment == "" {
		return "(none)"
	}
	return segment
}

// loadReceivablePanels reads ageing, overdue documents and credit control
// of own clients at the last ageing date on or before the as-of date.
func (b *kamBatch) loadReceivablePanels(scan func(*sql.Rows, ...any) (*KAMPanels, error), each func(func(*KAMPanels))) error {
	ctx, db := b.ctx, b.db
	ok, err := tableExists(ctx, db, "marts", "receivables_ageing")
	if err != nil || !ok {
		return err
	}
	var at sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT max(as_of) FROM marts.receivables_ageing WHERE as_of <= ?", b.asOf).Scan(&at); err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}
	if !at.Valid {
		return nil
	}
	var buckets []string
	rows, err := db.QueryContext(ctx, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'receivables_ageing' AND (column_name = 'not_due' OR column_name LIKE 'overdue\\_%' ESCAPE '\\') ORDER BY ordinal_position")
	if err != nil {
		return err
	}
	if err := scanRows(rows, func(r *sql.Rows) error {
		var c string
		if err := r.Scan(&c); err != nil {
			return err
		}
		buckets = append(buckets, c)
		return nil
	}); err != nil {
		return err
	}
	each(func(x *KAMPanels) {
		x.ReceivablesAsOf = at.Time
		x.Buckets = append([]string(nil), buckets...)
	})
	sel := ""
	for _, c := range buckets {
		sel += ", coalesce(r." + kamIdent(c) + ", 0)"
	}
	err = b.query(`SELECT own.manager_id, r.client_id, coalesce(c.name, r.client_name, '')`+sel+`, coalesce(r.advance, 0), coalesce(r.balance, 0)
        FROM marts.receivables_ageing r JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
        WHERE r.as_of = ? AND coalesce(r.balance, 0) <> 0
        ORDER BY own.manager_id, coalesce(r.balance, 0) - coalesce(r.not_due, 0) DESC, r.client_id`, true, []any{at.Time}, func(r *sql.Rows) error {
		a := ClientAgeing{Buckets: make([]Dec, len(buckets))}
		dest := []any{&a.ClientID, &a.Name}
		for i := range a.Buckets {
			dest = append(dest, &a.Buckets[i])
		}
		x, err := scan(r, append(dest, &a.Advance, &a.Balance)...)
		if err != nil {
			return err
		}
		x.Ageing = append(x.Ageing, a)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}

	if ok, err := tableExists(ctx, db, "marts", "receivables_open_invoices"); err != nil {
		return err
	} else if ok {
		err := b.query(`SELECT own.manager_id, i.client_id, coalesce(c.name, i.client_name, ''), coalesce(i.document_kind, ''), coalesce(i.document_id, ''),
                i.document_date, i.due_date, i.amount, i.open_amount, coalesce(i.days_overdue, 0), coalesce(i.bucket, '')
            FROM marts.receivables_open_invoices i JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE i.as_of = ? AND i.days_overdue > 0 AND i.open_amount > 0
            ORDER BY own.manager_id, i.days_overdue DESC, i.due_date, i.client_id, i.document_id`, true, []any{at.Time}, func(r *sql.Rows) error {
			var o OpenInvoice
			var d, due sql.NullTime
			x, err := scan(r, &o.ClientID, &o.Name, &o.Kind, &o.ID, &d, &due, &o.Amount, &o.Open, &o.DaysOverdue, &o.Bucket)
			if err != nil {
				return err
			}
			o.Date, o.Due = d.Time, due.Time
			x.Overdue = append(x.Overdue, o)
			return nil
		})
		if err != nil {
			return fmt.Errorf("read receivables_open_invoices: %w", err)
		}
	}

	if ok, err := tableExists(ctx, db, "marts", "credit_control"); err != nil {
		return err
	} else if ok {
		err := b.query(`SELECT own.manager_id, k.client_id, coalesce(c.name, k.client_name, ''), k.credit_limit, k.balance, k.overdue_amount, k.available_credit,
                k.utilisation, coalesce(k.payment_terms_days, 0), coalesce(k.tolerance_days, 0), coalesce(k.oldest_overdue_days, 0),
                coalesce(k.is_over_limit, false), coalesce(k.is_beyond_tolerance, false)
            FROM marts.credit_control k JOIN own USING (client_id) LEFT JOIN main.clients c USING (client_id)
            WHERE k.as_of = ? AND (k.is_over_limit OR k.is_beyond_tolerance OR k.utilisation >= 0.8)
            ORDER BY own.manager_id, k.is_over_limit DESC, k.is_beyond_tolerance DESC, k.utilisation DESC NULLS LAST, k.client_id`, true, []any{at.Time}, func(r *sql.Rows) error {
			var c ClientCredit
			x, err := scan(r, &c.ClientID, &c.Name, &c.Limit, &c.Balance, &c.Overdue, &c.Available, &c.Utilisation,
				&c.TermsDays, &c.ToleranceDays, &c.OldestOverdue, &c.OverLimit, &c.BeyondTolerance)
			if err != nil {
				return err
			}
			x.Credit = append(x.Credit, c)
			return nil
		})
		if err != nil {
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
