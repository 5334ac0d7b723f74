package models_test

import (
	"encoding/csv"
	"fmt"
	"maps"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/models"
)

// The sales marts against a plain reading of their definitions
// (docs/models.md, docs/data-contract.md), written here without SQL: random
// companies of orders shipped whole, in part, late or not at all, lines
// naming a manager, unknown SKUs, returns, clients reassigned, left
// without a manager or never assigned are built, and sales_monthly,
// client_base_monthly and client_cohorts are compared with the reference,
// then again after late lines and an incremental build.

type saleLine struct {
	order, client, manager, sku string // manager: the one the line names, or ""
	line                        int
	ordered, shipped            time.Time // shipped: zero when not shipped
	qty, shippedQty             int64     // tenths
	price                       int64     // kopecks
}

type saleReturn struct {
	id, client, sku string
	date            time.Time
	qty             int64 // tenths, 0 = empty
	amount          int64 // kopecks
}

type saleAssignment struct {
	client, manager string
	from, to        time.Time // to: zero = open
}

type salesCompany struct {
	categories  map[string]string // sku → category
	segments    map[string]string // client → segment
	assignments []saleAssignment
	lines       []saleLine
	returns     []saleReturn
}

// saleEvent is a shipment or a return as the marts count it.
type saleEvent struct {
	shipment                    bool
	date                        time.Time
	client, manager, order, sku string
	category                    string
	qty                         int64 // tenths
	amount                      int64 // thousandths of a rouble; returns negative
}

func (c *salesCompany) assigned(client string, day time.Time) string {
	for _, a := range c.assignments {
		if a.client == client && !day.Before(a.from) && (a.to.IsZero() || day.Before(a.to)) {
			return a.manager
		}
	}
	return ""
}

func (c *salesCompany) events() []saleEvent {
	category := func(sku string) string {
		if cat, ok := c.categories[sku]; ok && cat != "" {
			return cat
		}
		return "(none)"
	}
	var out []saleEvent
	for _, l := range c.lines {
		if l.shipped.IsZero() || l.shippedQty == 0 {
			continue
		}
		m := l.manager
		if m == "" {
			m = c.assigned(l.client, l.shipped)
		}
		out = append(out, saleEvent{true, l.shipped, l.client, m, l.order, l.sku, category(l.sku), l.shippedQty, l.shippedQty * l.price})
	}
	for _, r := range c.returns {
		out = append(out, saleEvent{false, r.date, r.client, c.assigned(r.client, r.date), "", r.sku, category(r.sku), 0, -r.amount * 10})
	}
	return out
}

func month(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

func milli(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%03d", sign, v/1000, v%1000)
}

func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// growth is round(now / before − 1, 4), or "-" unless before is above 0.
func growth(now, before int64) string {
	if before <= 0 {
		return "-"
	}
	return roundHalfAway(new(big.Rat).Sub(big.NewRat(now, before), big.NewRat(1, 1)), 4)
}

// salesMonthlyRows are the expected rows of sales_monthly.
func (c *salesCompany) salesMonthlyRows() []string {
	type key struct {
		month                     time.Time
		client, category, manager string
	}
	type row struct {
		shipped, returned, qty, lines int64
		orders, skus                  map[string]bool
	}
	rows := map[key]*row{}
	for _, e := range c.events() {
		k := key{month(e.date), e.client, e.category, e.manager}
		r := rows[k]
		if r == nil {
			r = &row{orders: map[string]bool{}, skus: map[string]bool{}}
			rows[k] = r
		}
		if e.shipment {
			r.shipped += e.amount
			r.qty += e.qty
			r.lines++
			r.orders[e.order] = true
			r.skus[e.sku] = true
		} else {
			r.returned -= e.amount
		}
	}
	net := func(k key) int64 {
		if r := rows[k]; r != nil {
			return r.shipped - r.returned
		}
		return 0
	}
	var out []string
	for k, r := range rows {
		prevMonth, prevYear := k, k
		prevMonth.month = k.month.AddDate(0, -1, 0)
		prevYear.month = k.month.AddDate(0, -12, 0)
		n := r.shipped - r.returned
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s %s %d.%d %d %d %d %s %s %s %s", k.month.Format("2006-01-02"), k.client, k.category,
			dashIfEmpty(k.manager), milli(r.shipped), milli(r.returned), milli(n), r.qty/10, r.qty%10, len(r.orders), r.lines, len(r.skus),
			milli(net(prevMonth)), growth(n, net(prevMonth)), milli(net(prevYear)), growth(n, net(prevYear))))
	}
	slices.Sort(out)
	return out
}

// months lists the months from the first sales event's to the as-of month
// with their period ends (the month end, or as-of in the month in progress).
func (c *salesCompany) months(asOf time.Time) [][2]time.Time {
	first := month(asOf)
	for _, e := range c.events() {
		if e.date.Before(first) {
			first = month(e.date)
		}
	}
	var out [][2]time.Time
	for m := first; !m.After(asOf); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, -1)
		if end.After(asOf) {
			end = asOf
		}
		out = append(out, [2]time.Time{m, end})
	}
	return out
}

// active maps each client active at day (net sales in the 90 days ending
// on it above 0) to the manager assigned to it on day.
func (c *salesCompany) active(day time.Time) map[string]string {
	net := map[string]int64{}
	for _, e := range c.events() {
		if !e.date.After(day) && e.date.After(day.AddDate(0, 0, -90)) {
			net[e.client] += e.amount
		}
	}
	out := map[string]string{}
	for client, n := range net {
		if n > 0 {
			out[client] = c.assigned(client, day)
		}
	}
	return out
}

// firstShipments maps each client ever shipped to: its first shipment's
// day and the manager credited (of that day's managers the first by id,
// one named or assigned before none).
func (c *salesCompany) firstShipments() map[string]saleEvent {
	out := map[string]saleEvent{}
	for _, e := range c.events() {
		if !e.shipment {
			continue
		}
		f, ok := out[e.client]
		if !ok || e.date.Before(f.date) || e.date.Equal(f.date) && (f.manager == "" && e.manager != "" || e.manager != "" && e.manager < f.manager) {
			out[e.client] = e
		}
	}
	return out
}

// clientBaseRows are the expected rows of client_base_monthly.
func (c *salesCompany) clientBaseRows(asOf time.Time) []string {
	months := c.months(asOf)
	activeAt := make([]map[string]string, len(months))
	firstActive := map[string]time.Time{}
	for i, m := range months {
		activeAt[i] = c.active(m[1])
		for client := range activeAt[i] {
			if _, ok := firstActive[client]; !ok {
				firstActive[client] = m[0]
			}
		}
	}
	type key struct {
		month   time.Time
		manager string
	}
	type counts struct{ start, new, newActive, reactivated, in, lost, out, active int }
	rows := map[key]*counts{}
	at := func(m time.Time, manager string) *counts {
		k := key{m, manager}
		if rows[k] == nil {
			rows[k] = &counts{}
		}
		return rows[k]
	}
	for i, m := range months {
		before := map[string]string{}
		if i > 0 {
			before = activeAt[i-1]
		}
		now := activeAt[i]
		for client, b := range before {
			r := at(m[0], b)
			r.start++
			n, ok := now[client]
			switch {
			case !ok:
				r.lost++
			case n != b:
				r.out++
			}
		}
		for client, n := range now {
			r := at(m[0], n)
			r.active++
			b, ok := before[client]
			switch {
			case ok && b != n:
				r.in++
			case !ok && firstActive[client].Equal(m[0]):
				r.newActive++
			case !ok:
				r.reactivated++
			}
		}
	}
	for _, f := range c.firstShipments() {
		at(month(f.date), f.manager).new++
	}
	var out []string
	for k, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %d %d %d %d %d %d %d %d", k.month.Format("2006-01-02"), dashIfEmpty(k.manager),
			r.start, r.new, r.newActive, r.reactivated, r.in, r.lost, r.out, r.active))
	}
	slices.Sort(out)
	return out
}

// cohortRows are the expected rows of client_cohorts.
func (c *salesCompany) cohortRows(asOf time.Time) []string {
	cohortOf := map[string]time.Time{}
	size := map[time.Time]int64{}
	for client, f := range c.firstShipments() {
		cohortOf[client] = month(f.date)
		size[month(f.date)]++
	}
	type key struct{ cohort, month time.Time }
	shipped := map[key]map[string]int64{}
	net := map[key]int64{}
	for _, e := range c.events() {
		cohort, ok := cohortOf[e.client]
		if !ok {
			continue
		}
		k := key{cohort, month(e.date)}
		if shipped[k] == nil {
			shipped[k] = map[string]int64{}
		}
		if e.shipment {
			shipped[k][e.client] += e.amount
		}
		net[k] += e.amount
	}
	var out []string
	for cohort, n := range size {
		for _, m := range c.months(asOf) {
			if m[0].Before(cohort) {
				continue
			}
			k := key{cohort, m[0]}
			var buying int64
			for _, amount := range shipped[k] {
				if amount > 0 {
					buying++
				}
			}
			since := (m[0].Year()-cohort.Year())*12 + int(m[0].Month()-cohort.Month())
			out = append(out, fmt.Sprintf("%s %s %d %d %d %s %s", cohort.Format("2006-01-02"), m[0].Format("2006-01-02"), since, n, buying,
				roundHalfAway(big.NewRat(buying, n), 4), milli(net[k])))
		}
	}
	slices.Sort(out)
	return out
}

// salesGen makes a random company.
type salesGen struct {
	r        *rand.Rand
	c        *salesCompany
	orders   int
	returns  int
	clients  []string
	managers []string
}

func (g *salesGen) day(from, to time.Time) time.Time {
	return from.AddDate(0, 0, g.r.IntN(int(to.Sub(from).Hours()/24)+1))
}

func (g *salesGen) sku() string {
	if g.r.IntN(25) == 0 {
		return "SKU-99" // no such product
	}
	return fmt.Sprintf("SKU-%02d", 1+g.r.IntN(13))
}

// orders adds orders dated in [from, to]: each client has its own rhythm
// (none, a few, many), so clients come, go and come back.
func (g *salesGen) addOrders(from, to time.Time, scale int) {
	for i, client := range g.clients {
		n := []int{0, 1, 3, 6, 12}[(i+g.r.IntN(2))%5] * scale
		for range n {
			g.orders++
			id := fmt.Sprintf("O-%05d", g.orders)
			ordered := g.day(from, to)
			for line := 1; line <= 1+g.r.IntN(4); line++ {
				l := saleLine{order: id, line: line, client: client, sku: g.sku(), ordered: ordered,
					qty: int64(5 + g.r.IntN(200)), price: int64(1000 + g.r.IntN(99000))}
				switch k := g.r.IntN(10); {
				case k < 7:
					l.shippedQty = l.qty
				case k < 9:
					l.shippedQty = l.qty / 2
				}
				if l.shippedQty > 0 {
					l.shipped = ordered.AddDate(0, 0, g.r.IntN(8)) // may fall in the next month
					if l.shipped.After(to) {
						l.shipped = to
					}
				}
				if g.r.IntN(10) == 0 {
					l.manager = g.managers[g.r.IntN(len(g.managers))]
				}
				g.c.lines = append(g.c.lines, l)
			}
		}
		for range g.r.IntN(2 * scale) {
			g.returns++
			r := saleReturn{id: fmt.Sprintf("R-%04d", g.returns), client: client, date: g.day(from, to), amount: int64(100 + g.r.IntN(300000))}
			switch g.r.IntN(4) {
			case 0:
				r.sku = "" // no SKU: category (none)
			default:
				r.sku = g.sku()
				r.qty = int64(10 * (1 + g.r.IntN(3)))
			}
			g.c.returns = append(g.c.returns, r)
		}
	}
}

// write writes the company as CSV source files in dir; lines and returns
// only from the given positions on, master data only when both are 0.
func (c *salesCompany) write(t *testing.T, dir string, fromLine, fromReturn int) {
	t.Helper()
	ymd := func(d time.Time) string {
		if d.IsZero() {
			return ""
		}
		return d.Format("2006-01-02")
	}
	tenths := func(v int64) string { return fmt.Sprintf("%d.%d", v/10, v%10) }
	files := map[string][][]string{
		"order_lines": {{"order_id", "line_no", "order_date", "client_id", "manager_id", "sku", "qty", "price", "shipped_qty", "shipped_on"}},
		"returns":     {{"return_id", "return_date", "client_id", "sku", "qty", "amount"}},
	}
	if fromLine == 0 && fromReturn == 0 {
		files["managers"] = [][]string{{"manager_id", "name", "team", "variable_target"}, {"M1", "One", "North", "1"}, {"M2", "Two", "North", "1"}, {"M3", "Three", "South", "1"}}
		files["products"] = [][]string{{"sku", "name", "category"}}
		for _, sku := range slices.Sorted(maps.Keys(c.categories)) {
			files["products"] = append(files["products"], []string{sku, "Product " + sku, c.categories[sku]})
		}
		files["clients"] = [][]string{{"client_id", "name", "segment", "payment_terms_days"}}
		for _, client := range slices.Sorted(maps.Keys(c.segments)) {
			files["clients"] = append(files["clients"], []string{client, "Client " + client, c.segments[client], "0"})
		}
		files["client_assignments"] = [][]string{{"client_id", "manager_id", "valid_from", "valid_to"}}
		for _, a := range c.assignments {
			files["client_assignments"] = append(files["client_assignments"], []string{a.client, a.manager, ymd(a.from), ymd(a.to)})
		}
	}
	for _, l := range c.lines[fromLine:] {
		shippedQty := ""
		if l.shippedQty > 0 {
			shippedQty = tenths(l.shippedQty)
		}
		files["order_lines"] = append(files["order_lines"], []string{l.order, fmt.Sprint(l.line), ymd(l.ordered), l.client, l.manager, l.sku,
			tenths(l.qty), kopecks(l.price), shippedQty, ymd(l.shipped)})
	}
	for _, r := range c.returns[fromReturn:] {
		qty := ""
		if r.qty > 0 {
			qty = tenths(r.qty)
		}
		files["returns"] = append(files["returns"], []string{r.id, ymd(r.date), r.client, r.sku, qty, kopecks(r.amount)})
	}
	for name, rows := range files {
		f, err := os.Create(filepath.Join(dir, name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		if err := w.WriteAll(rows); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSalesMatchReference(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { checkSalesReference(t, seed) })
	}
}

func checkSalesReference(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	c := &salesCompany{categories: map[string]string{}, segments: map[string]string{}}
	for i := 1; i <= 13; i++ {
		c.categories[fmt.Sprintf("SKU-%02d", i)] = []string{"Bakery", "Dairy", "Drinks", "Meat", "Frozen"}[(i-1)/3]
	}
	g := &salesGen{r: r, c: c, managers: []string{"M1", "M2", "M3"}}
	for i := 1; i <= 16; i++ {
		client := fmt.Sprintf("C%02d", i)
		g.clients = append(g.clients, client)
		c.segments[client] = []string{"Retail", "HoReCa"}[i%2]
		a, b := g.managers[r.IntN(3)], g.managers[r.IntN(3)]
		switch i % 4 {
		case 0: // one manager throughout
			c.assignments = append(c.assignments, saleAssignment{client, a, date("2024-01-01"), time.Time{}})
		case 1: // handed over
			s := g.day(date("2025-03-01"), date("2026-05-01"))
			c.assignments = append(c.assignments, saleAssignment{client, a, date("2024-01-01"), s}, saleAssignment{client, b, s, time.Time{}})
		case 2: // assigned late, a gap, then another manager
			s := g.day(date("2025-06-01"), date("2026-03-01"))
			c.assignments = append(c.assignments, saleAssignment{client, a, date("2025-04-01"), s}, saleAssignment{client, b, s.AddDate(0, 0, 20), time.Time{}})
		}
	}
	g.addOrders(date("2025-01-01"), date("2026-05-20"), 1)

	db := emptyWarehouse(t)
	loaded, loadedReturns := 0, 0
	load := func() {
		t.Helper()
		dir := t.TempDir()
		c.write(t, dir, loaded, loadedReturns)
		ingestFrom(t, db, dir)
		loaded, loadedReturns = len(c.lines), len(c.returns)
	}
	sorted := func(q string) []string {
		t.Helper()
		rows := rowsOf(t, db, q)
		slices.Sort(rows)
		return rows
	}
	compare := func(asOf time.Time) {
		t.Helper()
		for _, check := range []struct {
			mart, query string
			want        []string
		}{
			{"sales_monthly", `SELECT month, client_id, category, coalesce(nullif(manager_id, ''), '-'), shipped_amount::decimal(18,3),
                returns_amount::decimal(18,3), net_sales::decimal(18,3), qty_shipped::decimal(18,1), orders, lines, skus,
                net_sales_prev_month::decimal(18,3), coalesce(mom_growth::varchar, '-'), net_sales_prev_year::decimal(18,3),
                coalesce(yoy_growth::varchar, '-') FROM sales_monthly`, c.salesMonthlyRows()},
			{"client_base_monthly", `SELECT month, coalesce(nullif(manager_id, ''), '-'), active_start, new_clients, new_active, reactivated,
                transferred_in, lost, transferred_out, active FROM client_base_monthly`, c.clientBaseRows(asOf)},
			{"client_cohorts", `SELECT cohort_month, month, months_since, cohort_clients, buying_clients, retention, net_sales::decimal(18,3)
                FROM client_cohorts`, c.cohortRows(asOf)},
		} {
			got := sorted(check.query)
			if !slices.Equal(got, check.want) {
				t.Errorf("%s as of %s:\n%s", check.mart, asOf.Format("2006-01-02"), lineDiff(got, check.want))
			}
		}
	}

	load()
	build(t, db, models.Options{AsOf: date("2026-05-20")})
	compare(date("2026-05-20"))

	// Late lines and returns back to March, and two more weeks.
	g.addOrders(date("2026-03-01"), date("2026-06-03"), 1)
	load()
	res := build(t, db, models.Options{AsOf: date("2026-06-03")})
	if m := modes(res); !strings.Contains(m, "sales_monthly:incremental@2026-03-01") || !strings.Contains(m, "client_base_monthly:incremental@2026-03-01") {
		t.Errorf("the build after late lines, want the sales marts incremental from 03-01: %s", m)
	}
	compare(date("2026-06-03"))
}

// lineDiff lists the rows only one side has.
func lineDiff(got, want []string) string {
	var b strings.Builder
	in := func(rows []string, s string) bool { _, ok := slices.BinarySearch(rows, s); return ok }
	for _, s := range got {
		if !in(want, s) {
			fmt.Fprintf(&b, "  got only:  %s\n", s)
		}
	}
	for _, s := range want {
		if !in(got, s) {
			fmt.Fprintf(&b, "  want only: %s\n", s)
		}
	}
	return b.String()
}
