package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"
)

// ClientBaseMonth is the company's client base in a month
// (marts.client_base_monthly summed over managers; transfers between
// managers cancel out).
type ClientBaseMonth struct {
	Month                         time.Time // first day
	ActiveStart, Active           int64
	New, Lost, Reactivated        int64
	InProgress                    bool
	TransferredIn, TransferredOut int64
}

// AgeingRow is one line of the receivables ageing: a client or a manager.
type AgeingRow struct {
	ID, Name               string
	ManagerID, ManagerName string
	// Amounts are in the order of AgeingSummary.Buckets.
	Amounts          []Dec
	Overdue, Balance Dec
	Advance          Dec
}

// AgeingSummary is the company's receivables ageing on one date.
type AgeingSummary struct {
	AsOf time.Time
	// Buckets are the mart's bucket columns in order: not_due, then one
	// overdue_* column per configured limit (overdue_1_30, …, overdue_90_plus).
	Buckets []string
	// ByManager sums the clients of each manager (by the assignment on
	// AsOf; "" for none), ordered by overdue, largest first.
	ByManager []AgeingRow
	// Debtors are the clients with the largest overdue amounts (at most
	// WorstDebtors), largest first.
	Debtors []AgeingRow
	Total   AgeingRow
}

// WorstDebtors is how many clients AgeingSummary.Debtors lists.
const WorstDebtors = 10

// SegmentShare is our estimated share of a segment's purchases of a
// category (marts.competitor_share, level segment), with its range.
type SegmentShare struct {
	Segment, Category string
	AsOf              time.Time
	// Ours is our monthly sales (the 12-month average), Competitors' the
	// noted competitors', Wallet the segment's estimated purchases.
	Ours, CompetitorMonthlySales, Wallet Dec
	// Share is the point estimate, Low and High its range; ratios.
	Share, Low, High      Dec
	Competitors           int64
	NotedClients, Unnoted int64
	Inconsistent          bool
}

// PayLine is a manager's variable pay of the period against the budget,
// and what closing each KPI's remaining gap would add (marts.pay_gap_value).
type PayLine struct {
	ManagerID, Name, Team, Plan string
	// Budget is the variable target prorated by the days employed in the period.
	Budget Dec
	// Pay is the variable pay computed from the data as of the build.
	Pay Dec
	// GapValue by KPI: what closing that KPI's gap alone would add; All:
	// closing every gap at once (caps and gates make it differ from the sum).
	GapValue map[string]Dec
	All      Dec
	Flags    string
}

// Pay is the variable pay cost of the period.
type Pay struct {
	Period string
	AsOf   time.Time
	Lines  []PayLine
	// Budget, Cost and GapValue are the sums of the lines.
	Budget, Cost, GapValue Dec
}

// CreditAlert is a client over its credit limit or with debt overdue
// beyond tolerance (marts.credit_control).
type CreditAlert struct {
	ClientID, ClientName, ManagerID, ManagerName string
	Balance, CreditLimit, Overdue                Dec
	OldestOverdueDays, ToleranceDays             int64
	OverLimit, BeyondTolerance                   bool
}

// LostClient was active at the end of the previous month and is not now.
type LostClient struct {
	ClientID, ClientName, ManagerID, ManagerName string
	// WindowSales are the client's net sales of the active window that
	// ended with the previous month.
	WindowSales Dec
}

// DiscountBreach sums a manager's order lines of the month priced below
// the allowed price (marts.discount_compliance).
type DiscountBreach struct {
	ManagerID, ManagerName string
	Lines, Clients         int64
	Shortfall              Dec
	MaxDiscount            Dec
}

// Alerts are what the director should act on.
type Alerts struct {
	AsOf time.Time // the date credit control was read at
	// Credit lists clients over limit or beyond tolerance, largest overdue
	// first, at most MaxAlerts; CreditCount counts them all.
	Credit      []CreditAlert
	CreditCount int
	// Lost lists the clients lost in the month, the largest first, at most
	// MaxAlerts; LostCount counts them all.
	Lost      []LostClient
	LostCount int
	// Discounts by manager, the largest shortfall first.
	Discounts []DiscountBreach
}

// MaxAlerts caps each list of alerts.
const MaxAlerts = 20

// tableExists reports whether the table or view schema.name exists in the
// warehouse. It binds an empty read of it and takes DuckDB's catalog error
// for "no": 0.4 ms where a look-up in information_schema takes 2 ms, which
// adds up over ~15 look-ups per KAM page.
func tableExists(ctx context.Context, db *sql.DB, schema, name string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM "+sqlIdent(schema)+"."+sqlIdent(name)+" LIMIT 0)").Scan(&n)
	var de *duckdb.Error
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &de) && de.Type == duckdb.ErrorTypeCatalog:
		return false, nil
	}
	return false, fmt.Errorf("look for %s.%s: %w", schema, name, err)
}

// loadPanels reads everything the director sees beyond plan fulfilment;
// each panel is left empty when its mart is absent (a warehouse built
// before it existed).
func (d *Director) loadPanels(ctx context.Context, db *sql.DB, month time.Time) error {
	var err error
	if d.ClientBase, err = loadClientBase(ctx, db, month, d.AsOf); err != nil {
		return err
	}
	if d.Ageing, err = loadAgeing(ctx, db, d.AsOf); err != nil {
		return err
	}
	if d.Competitors, err = loadCompetitorShare(ctx, db, month); err != nil {
		return err
	}
	if d.Pay, err = loadPay(ctx, db, d.Period, month); err != nil {
		return err
	}
	if d.Alerts, err = loadAlerts(ctx, db, month, d.AsOf); err != nil {
		return err
	}
	if d.Forecasts, err = LoadSegmentForecasts(ctx, db, nil); err != nil {
		return err
	}
	return nil
}

// loadClientBase reads the 13 months ending with the reported one.
func loadClientBase(ctx context.Context, db *sql.DB, month, asOf time.Time) ([]ClientBaseMonth, error) {
	if ok, err := tableExists(ctx, db, "marts", "client_base_monthly"); err != nil || !ok {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT month, sum(active_start), sum(active), sum(new_clients), sum(lost), sum(reactivated),
            sum(transferred_in), sum(transferred_out)
        FROM marts.client_base_monthly
        WHERE month BETWEEN ? AND ?
        GROUP BY month ORDER BY month`, month.AddDate(0, -12, 0), month)
	if err != nil {
		return nil, fmt.Errorf("read client_base_monthly: %w", err)
	}
	defer rows.Close()
	var out []ClientBaseMonth
	for rows.Next() {
		var c ClientBaseMonth
		if err := rows.Scan(&c.Month, &c.ActiveStart, &c.Active, &c.New, &c.Lost, &c.Reactivated, &c.TransferredIn, &c.TransferredOut); err != nil {
			return nil, fmt.Errorf("read client_base_monthly: %w", err)
		}
		c.Month = c.Month.UTC()
		c.InProgress = monthInProgress(c.Month, asOf)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ageingBuckets lists the bucket columns of marts.receivables_ageing in
// order: they follow the configured limits, so they are read, not assumed.
func ageingBuckets(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'marts' AND table_name = 'receivables_ageing'
            AND (column_name = 'not_due' OR column_name LIKE 'overdue\_%' ESCAPE '\')
        ORDER BY ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("read receivables_ageing columns: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// loadAgeing reads the ageing at the last date on or before asOf.
func loadAgeing(ctx context.Context, db *sql.DB, asOf time.Time) (*AgeingSummary, error) {
	if ok, err := tableExists(ctx, db, "marts", "receivables_ageing"); err != nil || !ok {
		return nil, err
	}
	buckets, err := ageingBuckets(ctx, db)
	if err != nil || len(buckets) == 0 {
		return nil, err
	}
	var at sql.NullTime
	if err := db.QueryRowContext(ctx, "SELECT max(as_of) FROM marts.receivables_ageing WHERE as_of <= ?", asOf).Scan(&at); err != nil {
		return nil, fmt.Errorf("read receivables_ageing: %w", err)
	}
	if !at.Valid {
		return nil, nil
	}
	a := &AgeingSummary{AsOf: at.Time.UTC(), Buckets: buckets}
	var overdue []string
	for _, b := range buckets {
		if b != "not_due" {
			overdue = append(overdue, "coalesce("+sqlIdent(b)+", 0)")
		}
	}
	overdueExpr := "0"
	if len(overdue) > 0 {
		overdueExpr = strings.Join(overdue, " + ")
	}
	base := `SELECT r.client_id, coalesce(r.client_name, r.client_id) AS client_name, coalesce(r.manager_id, '') AS manager_id,
            coalesce(m.name, r.manager_id, '') AS manager_name,
            ` + strings.Join(quoted(buckets), ", ") + `, ` + overdueExpr + ` AS overdue, r.advance, r.balance
        FROM marts.receivables_ageing r LEFT JOIN main.managers m ON m.manager_id = r.manager_id
        WHERE r.as_of = ?`
	scan := func(rows *sql.Rows, withClient bool) (AgeingRow, error) {
		var r AgeingRow
		r.Amounts = make([]Dec, len(buckets))
		dest := []any{}
		if withClient {
			dest = append(dest, &r.ID, &r.Name)
		}
		dest = append(dest, &r.ManagerID, &r.ManagerName)
		for i := range r.Amounts {
			dest = append(dest, &r.Amounts[i])
		}
		dest = append(dest, &r.Overdue, &r.Advance, &r.Balance)
		err := rows.Scan(dest...)
		return r, err
	}
	rows, err := db.QueryContext(ctx, base+` AND (`+overdueExpr+`) > 0 ORDER BY overdue DESC, r.client_id LIMIT `+fmt.Sprint(WorstDebtors), at.Time)
	if err != nil {
		return nil, fmt.Errorf("read receivables_ageing: %w", err)
	}
	for rows.Next() {
		r, err := scan(rows, true)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read receivables_ageing: %w", err)
		}
		a.Debtors = append(a.Debtors, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT manager_id, manager_name, `+strings.Join(sumOf(buckets), ", ")+`, sum(overdue), sum(advance), sum(balance)
        FROM (`+base+`) GROUP BY ALL ORDER BY sum(overdue) DESC, manager_id`, at.Time)
	if err != nil {
		return nil, fmt.Errorf("read receivables_ageing: %w", err)
	}
	defer rows.Close()
	a.Total = AgeingRow{Amounts: make([]Dec, len(buckets))}
	for rows.Next() {
		r, err := scan(rows, false)
		if err != nil {
			return nil, fmt.Errorf("read receivables_ageing: %w", err)
		}
		r.ID, r.Name = r.ManagerID, r.ManagerName
		a.ByManager = append(a.ByManager, r)
		for i := range r.Amounts {
			a.Total.Amounts[i] = addDec(a.Total.Amounts[i], r.Amounts[i])
		}
		a.Total.Overdue = addDec(a.Total.Overdue, r.Overdue)
		a.Total.Advance = addDec(a.Total.Advance, r.Advance)
		a.Total.Balance = addDec(a.Total.Balance, r.Balance)
	}
	return a, rows.Err()
}

func quoted(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = sqlIdent(c)
	}
	return out
}

func sumOf(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = "sum(" + sqlIdent(c) + ")"
	}
	return out
}

// addDec adds b to a; invalid (NULL) counts as nothing, and the sum is
// valid when either is.
func addDec(a, b Dec) Dec {
	if !b.Valid {
		return a
	}
	return Dec{Decimal: a.Decimal.Add(b.Decimal), Valid: true}
}

// loadCompetitorShare reads the segment rows of the reported month.
func loadCompetitorShare(ctx context.Context, db *sql.DB, month time.Time) ([]SegmentShare, error) {
	if ok, err := tableExists(ctx, db, "marts", "competitor_share"); err != nil || !ok {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT segment, category, as_of, our_monthly_sales, competitor_monthly_sales, wallet,
            share, share_low, share_high, competitors, noted_clients, unnoted_clients, is_inconsistent
        FROM marts.competitor_share
        WHERE level = 'segment' AND month = ? AND noted_clients > 0
        ORDER BY segment, category`, month)
	if err != nil {
		return nil, fmt.Errorf("read competitor_share: %w", err)
	}
	defer rows.Close()
	var out []SegmentShare
	for rows.Next() {
		var c SegmentShare
		if err := rows.Scan(&c.Segment, &c.Category, &c.AsOf, &c.Ours, &c.CompetitorMonthlySales, &c.Wallet,
			&c.Share, &c.Low, &c.High, &c.Competitors, &c.NotedClients, &c.Unnoted, &c.Inconsistent); err != nil {
			return nil, fmt.Errorf("read competitor_share: %w", err)
		}
		c.AsOf = c.AsOf.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// loadPay reads marts.pay_gap_value of the period (kam build writes it for
// the month of its as-of date when there is a compensation plan file) and
// the budget: each manager's variable target prorated by days employed.
func loadPay(ctx context.Context, db *sql.DB, period string, month time.Time) (*Pay, error) {
	if ok, err := tableExists(ctx, db, "marts", "pay_gap_value"); err != nil || !ok {
		return nil, err
	}
	end := month.AddDate(0, 1, -1)
	days := end.Day()
	rows, err := db.QueryContext(ctx, `SELECT g.manager_id, coalesce(g.manager_name, ''), coalesce(m.team, ''), coalesce(g.plan, ''), g.kpi,
            g.pay_now, g.gap_value, coalesce(g.flags, ''), max(g.as_of) OVER (),
            m.variable_target,
            greatest(0, datediff('day', greatest(coalesce(m.hired_on, ?::DATE), ?::DATE), least(coalesce(m.left_on, ?::DATE), ?::DATE)) + 1)
        FROM marts.pay_gap_value g LEFT JOIN main.managers m ON m.manager_id = g.manager_id
        WHERE g.period = ?
        ORDER BY coalesce(m.team, ''), g.manager_id, `+kpiOrder, month, month, end, end, period)
	if err != nil {
		return nil, fmt.Errorf("read pay_gap_value: %w", err)
	}
	defer rows.Close()
	p := &Pay{Period: period}
	index := map[string]int{}
	for rows.Next() {
		var id, name, team, plan, kpi, flags string
		var pay, gap, target Dec
		var employed int64
		var asOf time.Time
		if err := rows.Scan(&id, &name, &team, &plan, &kpi, &pay, &gap, &flags, &asOf, &target, &employed); err != nil {
			return nil, fmt.Errorf("read pay_gap_value: %w", err)
		}
		p.AsOf = asOf.UTC()
		i, ok := index[id]
		if !ok {
			i = len(p.Lines)
			index[id] = i
			l := PayLine{ManagerID: id, Name: name, Team: team, Plan: plan, Pay: pay, GapValue: map[string]Dec{}}
			if target.Valid {
				// Prorated like the pay: target × days employed / days in the month, to the kopeck.
				l.Budget = Dec{Decimal: target.Decimal.Mul(decimal.NewFromInt(employed)).DivRound(decimal.NewFromInt(int64(days)), 2), Valid: true}
			}
			p.Lines = append(p.Lines, l)
		}
		l := &p.Lines[i]
		if kpi == "all" {
			l.All, l.Flags, l.Pay = gap, flags, pay
		} else {
			l.GapValue[kpi] = gap
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(p.Lines) == 0 {
		return nil, nil
	}
	for _, l := range p.Lines {
		p.Budget = addDec(p.Budget, l.Budget)
		p.Cost = addDec(p.Cost, l.Pay)
		p.GapValue = addDec(p.GapValue, l.All)
	}
	return p, nil
}

// loadAlerts reads credit control at the last date on or before asOf, the
// clients lost in the month and the month's discount breaches.
func loadAlerts(ctx context.Context, db *sql.DB, month, asOf time.Time) (*Alerts, error) {
	a := &Alerts{}
	if ok, err := tableExists(ctx, db, "marts", "credit_control"); err != nil {
		return nil, err
	} else if ok {
		var at sql.NullTime
		if err := db.QueryRowContext(ctx, "SELECT max(as_of) FROM marts.credit_control WHERE as_of <= ?", asOf).Scan(&at); err != nil {
			return nil, fmt.Errorf("read credit_control: %w", err)
		}
		if at.Valid {
			a.AsOf = at.Time.UTC()
			rows, err := db.QueryContext(ctx, `SELECT c.client_id, coalesce(c.client_name, c.client_id), coalesce(c.manager_id, ''), coalesce(m.name, c.manager_id, ''),
                    c.balance, c.credit_limit, c.overdue_amount, c.oldest_overdue_days, c.tolerance_days, c.is_over_limit, c.is_beyond_tolerance,
                    count(*) OVER ()
                FROM marts.credit_control c LEFT JOIN main.managers m ON m.manager_id = c.manager_id
                WHERE c.as_of = ? AND (c.is_over_limit OR c.is_beyond_tolerance)
                ORDER BY c.overdue_amount DESC, c.balance DESC, c.client_id
                LIMIT ?`, at.Time, MaxAlerts)
			if err != nil {
				return nil, fmt.Errorf("read credit_control: %w", err)
			}
			for rows.Next() {
				var c CreditAlert
				var tol sql.NullInt64
				if err := rows.Scan(&c.ClientID, &c.ClientName, &c.ManagerID, &c.ManagerName, &c.Balance, &c.CreditLimit, &c.Overdue,
					&c.OldestOverdueDays, &tol, &c.OverLimit, &c.BeyondTolerance, &a.CreditCount); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read credit_control: %w", err)
				}
				c.ToleranceDays = tol.Int64
				a.Credit = append(a.Credit, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	if ok, err := tableExists(ctx, db, "core", "core_active_clients"); err != nil {
		return nil, err
	} else if ok {
		rows, err := db.QueryContext(ctx, `SELECT b.client_id, coalesce(c.name, b.client_id), coalesce(b.manager_id, ''), coalesce(m.name, b.manager_id, ''),
                b.window_net_sales, count(*) OVER ()
            FROM core.core_active_clients b
            LEFT JOIN core.core_active_clients n ON n.client_id = b.client_id AND n.month = ?
            LEFT JOIN main.clients c ON c.client_id = b.client_id
            LEFT JOIN main.managers m ON m.manager_id = b.manager_id
            WHERE b.month = ? AND n.client_id IS NULL
            ORDER BY b.window_net_sales DESC, b.client_id
            LIMIT ?`, month, month.AddDate(0, -1, 0), MaxAlerts)
		if err != nil {
			return nil, fmt.Errorf("read core_active_clients: %w", err)
		}
		for rows.Next() {
			var l LostClient
			if err := rows.Scan(&l.ClientID, &l.ClientName, &l.ManagerID, &l.ManagerName, &l.WindowSales, &a.LostCount); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read core_active_clients: %w", err)
			}
			a.Lost = append(a.Lost, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if ok, err := tableExists(ctx, db, "marts", "discount_compliance"); err != nil {
		return nil, err
	} else if ok {
		rows, err := db.QueryContext(ctx, `SELECT coalesce(d.manager_id, ''), coalesce(m.name, d.manager_id, ''), count(*), count(DISTINCT d.client_id),
                sum(d.shortfall_amount), max(d.discount_pct)
            FROM marts.discount_compliance d LEFT JOIN main.managers m ON m.manager_id = d.manager_id
            WHERE d.order_date >= ? AND d.order_date < ? AND d.order_date <= ?
            GROUP BY ALL ORDER BY sum(d.shortfall_amount) DESC, 1`, month, month.AddDate(0, 1, 0), asOf)
		if err != nil {
			return nil, fmt.Errorf("read discount_compliance: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var b DiscountBreach
			if err := rows.Scan(&b.ManagerID, &b.ManagerName, &b.Lines, &b.Clients, &b.Shortfall, &b.MaxDiscount); err != nil {
				return nil, fmt.Errorf("read discount_compliance: %w", err)
			}
			a.Discounts = append(a.Discounts, b)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// BySegment sums segment × category shares to one row per segment (Category
// ""), in segment order: share = Σ ours / Σ wallet; the range divides Σ ours
// by the wallets each bound implies per category (ours / share_high and
// ours / share_low), so a category whose low bound is 0 while we sell in it
// makes the segment's low bound 0 (nothing is known of it). A category we do
// not sell in adds its wallet to every bound.
func BySegment(shares []SegmentShare) []SegmentShare {
	var out []SegmentShare
	type acc struct{ ours, wallet, walletLow, walletHigh decimal.Decimal }
	var a acc
	lowUnknown := false
	flush := func() {
		s := &out[len(out)-1]
		s.Ours = Dec{Decimal: a.ours, Valid: true}
		s.Wallet = Dec{Decimal: a.wallet, Valid: true}
		s.CompetitorMonthlySales = Dec{Decimal: a.wallet.Sub(a.ours), Valid: true}
		div := func(w decimal.Decimal) Dec {
			if w.Sign() <= 0 {
				return Dec{Decimal: decimal.Zero, Valid: true}
			}
			return Dec{Decimal: a.ours.DivRound(w, 4), Valid: true}
		}
		s.Share, s.High, s.Low = div(a.wallet), div(a.walletLow), div(a.walletHigh)
		if lowUnknown {
			s.Low = Dec{Decimal: decimal.Zero, Valid: true}
		}
	}
	for _, c := range shares {
		if len(out) == 0 || out[len(out)-1].Segment != c.Segment {
			if len(out) > 0 {
				flush()
			}
			out = append(out, SegmentShare{Segment: c.Segment, AsOf: c.AsOf})
			a, lowUnknown = acc{}, false
		}
		s := &out[len(out)-1]
		s.Competitors = max(s.Competitors, c.Competitors)
		s.NotedClients += c.NotedClients
		s.Unnoted += c.Unnoted
		s.Inconsistent = s.Inconsistent || c.Inconsistent
		ours := c.Ours.Decimal
		wallet := c.Wallet.Decimal
		if !c.Wallet.Valid {
			wallet = ours
		}
		a.ours, a.wallet = a.ours.Add(ours), a.wallet.Add(wallet)
		switch {
		case ours.Sign() <= 0:
			a.walletLow, a.walletHigh = a.walletLow.Add(wallet), a.walletHigh.Add(wallet)
		default:
			if c.High.Valid && c.High.Decimal.Sign() > 0 {
				a.walletLow = a.walletLow.Add(ours.DivRound(c.High.Decimal, 8))
			} else {
				a.walletLow = a.walletLow.Add(wallet)
			}
			if c.Low.Valid && c.Low.Decimal.Sign() > 0 {
				a.walletHigh = a.walletHigh.Add(ours.DivRound(c.Low.Decimal, 8))
			} else {
				lowUnknown = true
			}
		}
	}
	if len(out) > 0 {
		flush()
	}
	return out
}
