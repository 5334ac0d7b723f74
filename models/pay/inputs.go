package pay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// ErrNotBuilt means the models pay reads have not been built.
var ErrNotBuilt = errors.New("the warehouse has no models yet: run `kam build` (or `kam run`) first")

// querier is a *sql.DB, *sql.Conn or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// dec scans a DuckDB DECIMAL, integer or text into a decimal.
type dec struct {
	d     decimal.Decimal
	valid bool
}

func (x *dec) Scan(v any) error {
	x.valid = v != nil
	x.d = decimal.Zero
	switch t := v.(type) {
	case nil:
	case duckdb.Decimal:
		x.d = decimal.NewFromBigInt(new(big.Int).Set(t.Value), -int32(t.Scale))
	case *big.Int:
		x.d = decimal.NewFromBigInt(t, 0)
	case int64:
		x.d = decimal.NewFromInt(t)
	case int32:
		x.d = decimal.NewFromInt(int64(t))
	case string:
		d, err := decimal.NewFromString(t)
		if err != nil {
			return err
		}
		x.d = d
	default:
		return fmt.Errorf("pay: cannot read %T as a decimal", v)
	}
	return nil
}

// builtAsOf is the as-of date of the last build.
func builtAsOf(ctx context.Context, q querier) (time.Time, error) {
	for _, t := range [][2]string{{"core", "core_sales_events"}, {"core", "core_active_clients"}, {"core", "core_client_first_shipment"}, {"staging", "stg_plans"}, {"staging", "stg_managers"}, {"meta", "builds"}} {
		ok, err := wh.TableExists(ctx, q, t[0], t[1])
		if err != nil {
			return time.Time{}, err
		}
		if !ok {
			return time.Time{}, ErrNotBuilt
		}
	}
	var d sql.NullTime
	if err := q.QueryRowContext(ctx, "SELECT as_of FROM meta.builds ORDER BY build_id DESC LIMIT 1").Scan(&d); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, ErrNotBuilt
		}
		return time.Time{}, err
	}
	return d.Time, nil
}

// periodInputs are the inputs of every manager employed in a period.
type periodInputs struct {
	asOf     time.Time
	managers []Manager
	plan     map[string]*Plan   // by manager
	inputs   map[string]*Inputs // by manager, only those with a plan
	warnings []string
}

// inputDetail is how the sales and payments of a period's inputs are read.
type inputDetail int

const (
	// everyEvent reads each shipment, return and payment: pay sheets,
	// statements and exports list them, and the inputs digest covers them.
	everyEvent inputDetail = iota
	// sumsOnly reads one event per manager and kind carrying the kind's sums
	// (its date the latest): the same actuals, hence the same pay, from a few
	// rows instead of the month's hundreds of thousands. Its inputs are never
	// listed or hashed.
	sumsOnly
)

// loadInputs reads a period's inputs for every manager employed in it who
// has a plan: a handful of queries for the whole period, split by manager.
func loadInputs(ctx context.Context, q querier, plans *Plans, p Period, detail inputDetail) (*periodInputs, error) {
	asOf, err := builtAsOf(ctx, q)
	if err != nil {
		return nil, err
	}
	start, end := p.Start(), p.End()
	pi := &periodInputs{asOf: asOf, plan: map[string]*Plan{}, inputs: map[string]*Inputs{}}

	rows, err := q.QueryContext(ctx, `SELECT manager_id, coalesce(manager_name, ''), hired_on, left_on, variable_target
        FROM staging.stg_managers
        WHERE (hired_on IS NULL OR hired_on <= ?::DATE) AND (left_on IS NULL OR left_on >= ?::DATE)
        ORDER BY manager_id`, end, start)
	if err != nil {
		return nil, fmt.Errorf("read managers: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m Manager
		var hired, left sql.NullTime
		var vt dec
		if err := r.Scan(&m.ID, &m.Name, &hired, &left, &vt); err != nil {
			return err
		}
		if hired.Valid {
			m.HiredOn = &hired.Time
		}
		if left.Valid {
			m.LeftOn = &left.Time
		}
		m.VariableTarget = vt.d
		pi.managers = append(pi.managers, m)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read managers: %w", err)
	}

	targets := map[string]map[string]decimal.Decimal{}
	rows, err = q.QueryContext(ctx, "SELECT manager_id, kpi, target FROM staging.stg_plans WHERE period = ? ORDER BY manager_id, kpi", p.String())
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m, kpi string
		var t dec
		if err := r.Scan(&m, &kpi, &t); err != nil {
			return err
		}
		if targets[m] == nil {
			targets[m] = map[string]decimal.Decimal{}
		}
		if t.valid {
			targets[m][kpi] = t.d
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read targets: %w", err)
	}

	employed := map[string]bool{}
	for _, m := range pi.managers {
		employed[m.ID] = true
		plan := plans.For(m.ID, start)
		if plan == nil {
			if len(targets[m.ID]) > 0 {
				pi.warnings = append(pi.warnings, fmt.Sprintf("manager %s has targets for %s but no compensation plan applies to them on %s", m.ID, p, start.Format("2006-01-02")))
			}
			continue
		}
		pi.plan[m.ID] = plan
		t := targets[m.ID]
		if t == nil {
			t = map[string]decimal.Decimal{}
		}
		pi.inputs[m.ID] = &Inputs{
			Period: p, Manager: m, Basis: plan.Basis, Targets: t,
			Sales: []Event{}, ActiveClients: []Client{}, NewClients: []Client{}, Receivables: []Receivable{},
			Provisional: asOf.Before(end),
		}
	}
	for _, pl := range plans.Plans {
		for _, m := range pl.Managers {
			if !employed[m] && !pl.ValidFrom.After(start) && plans.For(m, start) == pl {
				if ok, _ := managerExists(ctx, q, m); !ok {
					pi.warnings = append(pi.warnings, fmt.Sprintf("plan %s lists manager %s, who is not in managers", pl.Name, m))
				}
			}
		}
	}
	if len(pi.inputs) == 0 {
		return pi, nil
	}

	// Sales: shipments and returns attributed on their event dates.
	salesQuery := `SELECT e.manager_id, e.event_kind, e.event_date, e.event_id, e.client_id,
            coalesce(c.client_name, ''), coalesce(e.sku, ''), e.qty, e.amount
        FROM core.core_sales_events e
        LEFT JOIN staging.stg_clients c ON c.client_id = e.client_id
        WHERE e.event_date BETWEEN ?::DATE AND ?::DATE AND e.manager_id IS NOT NULL
        ORDER BY e.manager_id, e.event_date, e.event_kind DESC, e.event_id`
	if detail == sumsOnly {
		salesQuery = `SELECT e.manager_id, e.event_kind, max(e.event_date), '', '', '', '', sum(e.qty), sum(e.amount)
        FROM core.core_sales_events e
        WHERE e.event_date BETWEEN ?::DATE AND ?::DATE AND e.manager_id IS NOT NULL
        GROUP BY e.manager_id, e.event_kind
        ORDER BY e.manager_id, e.event_kind DESC`
	}
	rows, err = q.QueryContext(ctx, salesQuery, start, end)
	if err != nil {
		return nil, fmt.Errorf("read sales events: %w", err)
	}
	// Tens of thousands of rows a month, sorted by manager: each manager's
	// run is collected in a scratch slice and copied out at its exact
	// length, so that neither the rows nor the scan targets are allocated
	// per row.
	var (
		m, cur      string
		e           Event
		qty, amount dec
		run         []Event
	)
	flush := func() {
		if in := pi.inputs[cur]; in != nil && len(run) > 0 {
			in.Sales = append(in.Sales, run...) // empty until now: one exact allocation
		}
		run = run[:0]
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		e = Event{}
		if err := r.Scan(&m, &e.Kind, &e.Date, &e.Ref, &e.ClientID, &e.ClientName, &e.SKU, &qty, &amount); err != nil {
			return err
		}
		if m != cur {
			flush()
			cur = m
		}
		e.Qty, e.Amount = qty.d, amount.d
		if in := pi.inputs[m]; in != nil && (in.Basis != BasisCollected || e.Kind == "return") {
			run = append(run, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read sales events: %w", err)
	}
	flush()
	if err := loadPayments(ctx, q, pi, start, end, detail); err != nil {
		return nil, err
	}
	for _, in := range pi.inputs {
		sortEvents(in.Sales)
	}

	rows, err = q.QueryContext(ctx, `SELECT a.manager_id, a.client_id, coalesce(c.client_name, ''), a.period_end, a.window_net_sales
        FROM core.core_active_clients a
        LEFT JOIN staging.stg_clients c ON c.client_id = a.client_id
        WHERE a.month = ?::DATE AND a.manager_id IS NOT NULL
        ORDER BY a.manager_id, a.client_id`, start)
	if err != nil {
		return nil, fmt.Errorf("read active clients: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m string
		var c Client
		var amount dec
		if err := r.Scan(&m, &c.ClientID, &c.ClientName, &c.Date, &amount); err != nil {
			return err
		}
		c.Amount = amount.d
		if in := pi.inputs[m]; in != nil {
			in.ActiveClients = append(in.ActiveClients, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read active clients: %w", err)
	}

	rows, err = q.QueryContext(ctx, `SELECT f.manager_id, f.client_id, coalesce(c.client_name, ''), f.first_shipped_on
        FROM core.core_client_first_shipment f
        LEFT JOIN staging.stg_clients c ON c.client_id = f.client_id
        WHERE f.first_month = ?::DATE AND f.manager_id IS NOT NULL
        ORDER BY f.manager_id, f.first_shipped_on, f.client_id`, start)
	if err != nil {
		return nil, fmt.Errorf("read new clients: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m string
		var c Client
		if err := r.Scan(&m, &c.ClientID, &c.ClientName, &c.Date); err != nil {
			return err
		}
		c.Amount = decimal.Zero
		if in := pi.inputs[m]; in != nil {
			in.NewClients = append(in.NewClients, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read new clients: %w", err)
	}

	if err := loadReceivables(ctx, q, pi, start, end, detail); err != nil {
		return nil, err
	}
	return pi, nil
}

func managerExists(ctx context.Context, q querier, id string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, "SELECT count(*) FROM staging.stg_managers WHERE manager_id = ?", id).Scan(&n)
	return n > 0, err
}

// sortEvents orders a manager's sales inputs by date, then shipments,
// payments, returns, then reference.
func sortEvents(es []Event) {
	rank := map[string]int{"shipment": 0, "payment": 1, "return": 2}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.Before(b.Date)
		}
		if rank[a.Kind] != rank[b.Kind] {
			return rank[a.Kind] < rank[b.Kind]
		}
		return refLess(a.Ref, b.Ref)
	})
}

// refLess orders references, order_id/line_no by line number within an order.
func refLess(a, b string) bool {
	i, j := strings.LastIndex(a, "/"), strings.LastIndex(b, "/")
	if i >= 0 && j >= 0 && a[:i] == b[:j] {
		x, errx := strconv.Atoi(a[i+1:])
		y, erry := strconv.Atoi(b[j+1:])
		if errx == nil && erry == nil {
			return x < y
		}
	}
	return a < b
}

// loadPayments adds the payments received in the period to the managers
// whose plan has basis collected. A payment belongs to the client it names,
// else to the one client whose inn is its payer_inn, else to the client of
// the invoice it names (core.core_payments_matched, as in the receivables),
// and is attributed to the manager assigned to that client on paid_on.
func loadPayments(ctx context.Context, q querier, pi *periodInputs, start, end time.Time, detail inputDetail) error {
	need := false
	for _, in := range pi.inputs {
		need = need || in.Basis == BasisCollected
	}
	if !need {
		return nil
	}
	// the payments of the period with their client (core_payments_matched: the rule the receivables follow)
	attributed := `WITH matched AS (
            SELECT p.payment_id, p.paid_on, p.client_id,
                CASE p.match_kind WHEN 'client_id' THEN 'client_id' WHEN 'inn' THEN 'payer_inn' ELSE 'invoice' END AS matched_by,
                coalesce(p.payer_inn, '') AS payer_inn, coalesce(p.invoice_id, '') AS invoice_id, p.amount
            FROM core.core_payments_matched p
            WHERE p.client_id IS NOT NULL
                AND p.paid_on BETWEEN ?::DATE AND ?::DATE
        )
        `
	from := `
        FROM matched m
        JOIN staging.stg_client_assignments a
            ON a.client_id = m.client_id AND m.paid_on >= a.valid_from AND m.paid_on < a.valid_to`
	query := attributed + `SELECT a.manager_id, m.payment_id, m.paid_on, m.client_id, coalesce(c.client_name, ''),
            m.matched_by, m.payer_inn, m.invoice_id, m.amount` + from + `
        LEFT JOIN staging.stg_clients c ON c.client_id = m.client_id
        ORDER BY a.manager_id, m.paid_on, m.payment_id`
	if detail == sumsOnly {
		query = attributed + `SELECT a.manager_id, '', max(m.paid_on), '', '', '', '', '', sum(m.amount)` + from + `
        GROUP BY a.manager_id
        ORDER BY a.manager_id`
	}
	rows, err := q.QueryContext(ctx, query, start, end)
	if err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m string
		e := Event{Kind: "payment", Qty: decimal.Zero}
		var amount dec
		if err := r.Scan(&m, &e.Ref, &e.Date, &e.ClientID, &e.ClientName, &e.MatchedBy, &e.PayerINN, &e.InvoiceID, &amount); err != nil {
			return err
		}
		e.Amount = amount.d
		if in := pi.inputs[m]; in != nil && in.Basis == BasisCollected {
			in.Sales = append(in.Sales, e)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	return nil
}

// loadReceivables reads marts.receivables_ageing at its last as-of date in
// the period (the month end once the month is built). Without the table, or
// without a date in the period, every manager is flagged no_receivables and
// the overdue share is 0.
func loadReceivables(ctx context.Context, q querier, pi *periodInputs, start, end time.Time, detail inputDetail) error {
	noData := func() error {
		for _, in := range pi.inputs {
			in.NoReceivables = true
		}
		return nil
	}
	ok, err := wh.TableExists(ctx, q, "marts", "receivables_ageing")
	if err != nil {
		return err
	}
	if !ok {
		return noData()
	}
	rows, err := q.QueryContext(ctx, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'receivables_ageing' ORDER BY ordinal_position")
	if err != nil {
		return err
	}
	cols := map[string]bool{}
	var overdue []string
	err = scanAll(rows, func(r *sql.Rows) error {
		var c string
		if err := r.Scan(&c); err != nil {
			return err
		}
		cols[c] = true
		if strings.HasPrefix(c, "overdue_") {
			overdue = append(overdue, c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range []string{"as_of", "client_id", "manager_id", "not_due"} {
		if !cols[c] {
			return fmt.Errorf("marts.receivables_ageing has no column %s; pay reads as_of, client_id, manager_id, not_due and overdue_*", c)
		}
	}
	var at sql.NullTime
	if err := q.QueryRowContext(ctx, "SELECT max(as_of) FROM marts.receivables_ageing WHERE as_of BETWEEN ?::DATE AND ?::DATE", start, end).Scan(&at); err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}
	if !at.Valid {
		return noData()
	}
	for _, in := range pi.inputs {
		in.ReceivablesAsOf = &at.Time
	}
	sel := []string{"r.manager_id", "r.client_id", "coalesce(c.client_name, '')", "coalesce(r.not_due, 0)"}
	if cols["advance"] {
		sel = append(sel, "coalesce(r.advance, 0)")
	} else {
		sel = append(sel, "0")
	}
	for _, c := range overdue {
		sel = append(sel, "coalesce(r."+wh.QuoteIdent(c)+", 0)")
	}
	rows, err = q.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+`
        FROM marts.receivables_ageing r
        LEFT JOIN staging.stg_clients c ON c.client_id = r.client_id
        WHERE r.as_of = ?::DATE AND r.manager_id IS NOT NULL
        ORDER BY r.manager_id, r.client_id`, at.Time)
	if err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m string
		var rec Receivable
		vals := make([]dec, 2+len(overdue))
		dest := []any{&m, &rec.ClientID, &rec.ClientName}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := r.Scan(dest...); err != nil {
			return err
		}
		rec.NotDue, rec.Advance = vals[0].d, vals[1].d
		for i, c := range overdue {
			rec.Overdue = append(rec.Overdue, Amount{Name: c, Amount: vals[2+i].d})
		}
		if in := pi.inputs[m]; in != nil {
			in.Receivables = append(in.Receivables, rec)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read receivables_ageing: %w", err)
	}
	if detail == sumsOnly {
		return nil // the open invoices are listed, never summed: pay reads the buckets
	}
	return loadOpenItems(ctx, q, pi, at.Time)
}

// loadOpenItems attaches the open invoices of marts.receivables_open_invoices
// at the ageing date to their clients' receivables, for statements.
func loadOpenItems(ctx context.Context, q querier, pi *periodInputs, at time.Time) error {
	ok, err := wh.TableExists(ctx, q, "marts", "receivables_open_invoices")
	if err != nil || !ok {
		return err
	}
	index := map[string]int{} // manager and client → the client's place in the manager's receivables
	for m, in := range pi.inputs {
		for i, r := range in.Receivables {
			index[m+"\x00"+r.ClientID] = i
		}
	}
	rows, err := q.QueryContext(ctx, `SELECT manager_id, client_id, document_kind, document_id, document_date, due_date,
            open_amount, coalesce(days_overdue, 0), coalesce(bucket, '')
        FROM marts.receivables_open_invoices
        WHERE as_of = ?::DATE AND manager_id IS NOT NULL
        ORDER BY manager_id, client_id, due_date NULLS LAST, document_kind, document_id`, at)
	if err != nil {
		return fmt.Errorf("read receivables_open_invoices: %w", err)
	}
	err = scanAll(rows, func(r *sql.Rows) error {
		var m, client string
		var it OpenItem
		var docDate, due sql.NullTime
		var open dec
		if err := r.Scan(&m, &client, &it.Kind, &it.ID, &docDate, &due, &open, &it.DaysOverdue, &it.Bucket); err != nil {
			return err
		}
		if docDate.Valid {
			it.Date = &docDate.Time
		}
		if due.Valid {
			it.DueDate = &due.Time
		}
		it.Open = open.d
		if i, ok := index[m+"\x00"+client]; ok {
			rs := pi.inputs[m].Receivables
			rs[i].Items = append(rs[i].Items, it)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read receivables_open_invoices: %w", err)
	}
	return nil
}

func scanAll(rows *sql.Rows, f func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
