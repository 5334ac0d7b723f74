package models_test

import (
	"fmt"
	"maps"
	"math"
	"math/big"
	"math/rand/v2"
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
	qty, shippedQty, refusedQty int64     // tenths
	price                       int64     // kopecks
	reason                      string    // refusal_reason
}

type saleReturn struct {
	id, client, sku, reason string
	date                    time.Time
	qty                     int64 // tenths, 0 = empty
	amount                  int64 // kopecks
}

// pricePoint is a price-list row: the price of a SKU in a column from a day.
type pricePoint struct {
	sku, column string
	from        time.Time
	price       int64 // ten-thousandths of a rouble (four decimals, as stored)
}

type salePromo struct {
	id, category, sku string // neither category nor SKU: everything
	from, to          time.Time
	pct               int64 // tenths of a percent
}

// salePlan is a target: period YYYY-MM, YYYY-Qn or YYYY.
type salePlan struct {
	manager, period, kpi string
	target               int64 // sales: kopecks; the others: clients
}

// saleActivity is a CRM activity; client "" is a prospect.
type saleActivity struct {
	id, manager, client, kind, status string
	planned, done                     time.Time // zero = empty
}

// saleNote is a competitor note: a share (tenths of a percent) or, when
// volume is set, a monthly volume (kopecks).
type saleNote struct {
	day                          time.Time
	client, category, competitor string
	share, volume                int64 // -1 = empty
}

type saleAssignment struct {
	client, manager string
	from, to        time.Time // to: zero = open
}

type salesCompany struct {
	categories  map[string]string // sku → category
	segments    map[string]string // client → segment
	columns     map[string]string // client → price column ("" = none)
	plans       []salePlan
	activities  []saleActivity
	notes       []saleNote
	prices      []pricePoint
	promos      []salePromo
	assignments []saleAssignment
	lines       []saleLine
	returns     []saleReturn
	// asOf leaves out what happened after it (zero: nothing left out), as
	// a build as of that date does
	asOf time.Time
}

// after reports whether a day is after the as-of date.
func (c *salesCompany) after(day time.Time) bool { return !c.asOf.IsZero() && day.After(c.asOf) }

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
		if l.shipped.IsZero() || l.shippedQty == 0 || c.after(l.shipped) {
			continue
		}
		m := l.manager
		if m == "" {
			m = c.assigned(l.client, l.shipped)
		}
		out = append(out, saleEvent{true, l.shipped, l.client, m, l.order, l.sku, category(l.sku), l.shippedQty, l.shippedQty * l.price})
	}
	for _, r := range c.returns {
		if c.after(r.date) {
			continue
		}
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

// calendar is the models' month spine (core_calendar_months): months,
// started earlier by a plan before the first sale.
func (c *salesCompany) calendar(asOf time.Time) [][2]time.Time {
	months := c.months(asOf)
	first := months[0][0]
	for _, p := range c.plans {
		first = minTime(first, planStart(p.period))
	}
	for m := months[0][0].AddDate(0, -1, 0); !m.Before(first); m = m.AddDate(0, -1, 0) {
		months = append([][2]time.Time{{m, m.AddDate(0, 1, -1)}}, months...)
	}
	return months
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

// listPrice is the price of sku in column on day (the latest row from on or
// before it), false when there is none.
func (c *salesCompany) listPrice(sku, column string, day time.Time) (int64, bool) {
	var best *pricePoint
	for i, p := range c.prices {
		if p.sku == sku && p.column == column && !p.from.After(day) && (best == nil || p.from.After(best.from)) {
			best = &c.prices[i]
		}
	}
	if best == nil {
		return 0, false
	}
	return best.price, true
}

// covers reports whether a promotion covers a SKU: its SKU, else its
// category, else everything.
func (c *salesCompany) covers(p salePromo, sku string) bool {
	switch {
	case p.sku != "":
		return p.sku == sku
	case p.category != "":
		cat, ok := c.categories[sku]
		return ok && cat == p.category
	}
	return true
}

func rat(num, den int64) *big.Rat { return big.NewRat(num, den) }

func ratString(r *big.Rat, places int) string { return r.FloatString(places) }

// discountRows are the expected rows of discount_compliance (docs/models.md,
// docs/data-contract.md "Discount compliance").
func (c *salesCompany) discountRows() []string {
	var out []string
	for _, l := range c.lines {
		column := c.columns[l.client]
		if column == "" || c.after(l.ordered) {
			continue
		}
		list, ok := c.listPrice(l.sku, column, l.ordered)
		if !ok || l.price*100 >= list {
			continue
		}
		var promo *salePromo
		for i, p := range c.promos {
			if p.pct > 0 && !l.ordered.Before(p.from) && !l.ordered.After(p.to) && c.covers(p, l.sku) &&
				(promo == nil || p.pct > promo.pct || p.pct == promo.pct && p.id > promo.id) {
				promo = &c.promos[i]
			}
		}
		allowed := list // ten-thousandths
		promoID, pct := "-", "-"
		if promo != nil {
			// floor(list price × (100 − pct)) kopecks
			allowed = new(big.Int).Quo(big.NewInt(list*(1000-promo.pct)), big.NewInt(100000)).Int64() * 100
			promoID, pct = promo.id, ratString(rat(promo.pct, 10), 1)
		}
		if l.price*100 >= allowed {
			continue
		}
		manager := l.manager
		if manager == "" {
			manager = c.assigned(l.client, l.ordered)
		}
		category := c.categories[l.sku]
		out = append(out, fmt.Sprintf("%s %d %s %s %s %s %s %s %s %s %s %s %s %s %s", l.order, l.line, l.ordered.Format("2006-01-02"), l.client,
			dashIfEmpty(manager), l.sku, dashIfEmpty(category), column, ratString(rat(list, 10000), 4), promoID, pct,
			ratString(rat(allowed, 10000), 4), ratString(rat(l.price, 100), 2), ratString(rat(l.qty, 10), 1),
			ratString(rat((allowed-l.price*100)*l.qty, 100000), 5)))
	}
	slices.Sort(out)
	return out
}

// refusalRows are the expected rows of returns_refusals: returns by return
// date, refusals by ship date, else order date.
func (c *salesCompany) refusalRows() []string {
	type key struct {
		month                              time.Time
		kind, reason, client, sku, manager string
	}
	type sums struct{ events, qty, amount int64 } // qty tenths, amount thousandths
	rows := map[key]*sums{}
	add := func(k key, qty, amount int64) {
		if rows[k] == nil {
			rows[k] = &sums{}
		}
		rows[k].events++
		rows[k].qty += qty
		rows[k].amount += amount
	}
	for _, r := range c.returns {
		if c.after(r.date) {
			continue
		}
		add(key{month(r.date), "return", r.reason, r.client, r.sku, c.assigned(r.client, r.date)}, r.qty, r.amount*10)
	}
	for _, l := range c.lines {
		if l.refusedQty == 0 {
			continue
		}
		day := l.shipped
		if day.IsZero() {
			day = l.ordered
		}
		if c.after(day) {
			continue
		}
		manager := l.manager
		if manager == "" {
			manager = c.assigned(l.client, day)
		}
		add(key{month(day), "refusal", l.reason, l.client, l.sku, manager}, l.refusedQty, l.refusedQty*l.price)
	}
	var out []string
	for k, r := range rows {
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s %d %s %s", k.month.Format("2006-01-02"), k.kind, dashIfEmpty(k.reason), k.client,
			dashIfEmpty(k.sku), dashIfEmpty(k.manager), r.events, ratString(rat(r.qty, 10), 1), milli(r.amount)))
	}
	slices.Sort(out)
	return out
}

// upliftRows are the expected rows of promo_uplift as of a date.
func (c *salesCompany) upliftRows(asOf time.Time) []string {
	var out []string
	for _, p := range c.promos {
		if p.from.After(asOf) || p.to.Before(p.from) {
			continue
		}
		to := p.to
		if to.After(asOf) {
			to = asOf
		}
		days := int(to.Sub(p.from).Hours()/24) + 1
		beforeFrom := p.from.AddDate(0, 0, -days)
		var during, before, qtyDuring, qtyBefore int64
		clientsDuring, clientsBefore := map[string]bool{}, map[string]bool{}
		for _, e := range c.events() {
			if !c.covers(p, e.sku) {
				continue
			}
			switch {
			case !e.date.Before(p.from) && !e.date.After(to):
				during += e.amount
				if e.shipment {
					qtyDuring += e.qty
					clientsDuring[e.client] = true
				}
			case !e.date.Before(beforeFrom) && e.date.Before(p.from):
				before += e.amount
				if e.shipment {
					qtyBefore += e.qty
					clientsBefore[e.client] = true
				}
			}
		}
		uplift := "-"
		if before > 0 {
			uplift = roundHalfAway(new(big.Rat).Sub(rat(during, before), rat(1, 1)), 4)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s %d %t %s %s %s %s %d %d %s", p.id, to.Format("2006-01-02"), beforeFrom.Format("2006-01-02"),
			p.from.AddDate(0, 0, -1).Format("2006-01-02"), p.from.Format("2006-01-02"), days, p.to.After(asOf), milli(during), milli(before),
			ratString(rat(qtyDuring, 10), 1), ratString(rat(qtyBefore, 10), 1), len(clientsDuring), len(clientsBefore), uplift))
	}
	slices.Sort(out)
	return out
}

// teams are the managers' teams as write gives them.
var teams = map[string]string{"M1": "North", "M2": "North", "M3": "South", "M4": "South"}

// planRows are the expected rows of plan_fulfilment as of a date: per
// manager, team and company, month, quarter and year, and KPI.
func (c *salesCompany) planRows(asOf time.Time) []string {
	months := c.calendar(asOf)
	inSpine := map[time.Time]bool{}
	for _, m := range months {
		inSpine[m[0]] = true
	}
	type mk struct {
		manager string
		month   time.Time
	}
	present := map[mk]bool{}
	actual := map[mk]map[string]int64{} // sales in thousandths
	add := func(k mk, kpi string, v int64) {
		if !inSpine[k.month] || k.manager == "" {
			return
		}
		present[k] = true
		if actual[k] == nil {
			actual[k] = map[string]int64{}
		}
		actual[k][kpi] += v
	}
	for _, e := range c.events() {
		add(mk{e.manager, month(e.date)}, "sales", e.amount)
	}
	for _, f := range c.firstShipments() {
		add(mk{f.manager, month(f.date)}, "new_clients", 1)
	}
	for _, m := range months {
		for _, manager := range c.active(m[1]) {
			add(mk{manager, m[0]}, "active_clients", 1)
		}
	}
	monthTarget := map[mk]map[string]int64{}
	periodTarget := map[string]int64{} // manager|period|kpi
	for _, p := range c.plans {
		if len(p.period) == 7 && p.period[5] != 'Q' {
			k := mk{p.manager, planStart(p.period)}
			if inSpine[k.month] {
				present[k] = true
			}
			if monthTarget[k] == nil {
				monthTarget[k] = map[string]int64{}
			}
			monthTarget[k][p.kpi] = p.target
			continue
		}
		periodTarget[p.manager+"|"+p.period+"|"+p.kpi] = p.target
		start := planStart(p.period)
		n := 3
		if len(p.period) == 4 {
			n = 12
		}
		for i := range n {
			if m := start.AddDate(0, i, 0); inSpine[m] {
				present[mk{p.manager, m}] = true
			}
		}
	}

	type row struct {
		level, manager, team, period, kind string
		start, end                         time.Time
		kpi                                string
		actual                             int64
		target                             *int64
		missing, inProgress                bool
	}
	var rows []*row
	kpis := []string{"sales", "active_clients", "new_clients"}
	quarterOf := func(m time.Time) string { return fmt.Sprintf("%d-Q%d", m.Year(), (int(m.Month())+2)/3) }
	// month rows, then quarters and years from them, per manager
	byManager := map[string][]time.Time{}
	for k := range present {
		byManager[k.manager] = append(byManager[k.manager], k.month)
	}
	for _, manager := range slices.Sorted(maps.Keys(byManager)) {
		ms := byManager[manager]
		slices.SortFunc(ms, func(a, b time.Time) int { return a.Compare(b) })
		for _, kpi := range kpis {
			var monthRows []*row
			for _, m := range ms {
				r := &row{level: "manager", manager: manager, period: m.Format("2006-01"), kind: "month", start: m, end: m.AddDate(0, 1, -1), kpi: kpi,
					actual: actual[mk{manager, m}][kpi], inProgress: m.AddDate(0, 1, -1).After(asOf)}
				if t, ok := monthTarget[mk{manager, m}][kpi]; ok {
					r.target = &t
				}
				r.missing = r.target == nil || *r.target == 0
				monthRows = append(monthRows, r)
			}
			rows = append(rows, monthRows...)
			// A quarter's (year's) target covers its whole window, months after the as-of
			// date included: it sums its months' (quarters') targets, a stock takes the last
			// one that has a target; missing when any of them is missing or zero.
			combine := func(sum, t *int64) *int64 {
				if kpi != "active_clients" {
					return plusTarget(sum, t)
				}
				if t != nil {
					return t
				}
				return sum
			}
			quarterTarget := func(start time.Time) (*int64, bool) {
				if t, ok := periodTarget[manager+"|"+quarterOf(start)+"|"+kpi]; ok {
					return &t, t == 0
				}
				var target *int64
				missing := false
				for i := range 3 {
					var t *int64
					if v, ok := monthTarget[mk{manager, start.AddDate(0, i, 0)}][kpi]; ok {
						t = &v
					}
					target, missing = combine(target, t), missing || t == nil || *t == 0
				}
				return target, missing
			}
			derive := func(parts []*row, period, kind string, start, end time.Time) *row {
				r := &row{level: "manager", manager: manager, period: period, kind: kind, start: start, end: end, kpi: kpi, inProgress: end.After(asOf)}
				if kpi == "active_clients" { // a stock: at the period's last month, or the as-of month (0 without a row)
					last := month(end)
					if last.After(asOf) {
						last = month(asOf)
					}
					r.actual = actual[mk{manager, last}][kpi]
				}
				for _, p := range parts {
					if kpi != "active_clients" {
						r.actual += p.actual
					}
				}
				if kind == "quarter" {
					r.target, r.missing = quarterTarget(start)
				} else {
					r.target, r.missing = nil, false
					for i := range 4 {
						t, missing := quarterTarget(start.AddDate(0, 3*i, 0))
						r.target, r.missing = combine(r.target, t), r.missing || missing
					}
				}
				if t, ok := periodTarget[manager+"|"+period+"|"+kpi]; ok {
					r.target, r.missing = &t, t == 0
				}
				return r
			}
			var quarters []*row
			for _, run := range runs(monthRows, func(r *row) string { return quarterOf(r.start) }) {
				q := quarterOf(run[0].start)
				start := planStart(q)
				quarters = append(quarters, derive(run, q, "quarter", start, start.AddDate(0, 3, -1)))
			}
			rows = append(rows, quarters...)
			for _, run := range runs(quarters, func(r *row) string { return fmt.Sprint(r.start.Year()) }) {
				y := fmt.Sprint(run[0].start.Year())
				start := planStart(y)
				rows = append(rows, derive(run, y, "year", start, start.AddDate(1, 0, -1)))
			}
		}
	}
	// teams and the company sum their managers' rows
	type gk struct{ level, team, period, kpi string }
	groups := map[gk]*row{}
	var order []gk
	for _, r := range rows {
		r.team = teams[r.manager]
		for _, k := range []gk{{"team", r.team, r.period, r.kpi}, {"company", "", r.period, r.kpi}} {
			if k.level == "team" && k.team == "" {
				continue
			}
			g := groups[k]
			if g == nil {
				g = &row{level: k.level, team: k.team, period: r.period, kind: r.kind, start: r.start, end: r.end, kpi: r.kpi}
				groups[k] = g
				order = append(order, k)
			}
			g.actual += r.actual
			g.target = plusTarget(g.target, r.target)
			g.missing = g.missing || r.missing
			g.inProgress = g.inProgress || r.inProgress
		}
	}
	for _, k := range order {
		rows = append(rows, groups[k])
	}
	var out []string
	for _, r := range rows {
		scale := int64(1) // clients
		if r.kpi == "sales" {
			scale = 1000
		}
		value := func(v int64) string { return roundHalfAway(big.NewRat(v, scale), 2) }
		target, attainment, gap := "-", "-", "-"
		if r.target != nil {
			t := *r.target
			if r.kpi == "sales" {
				t *= 10 // kopecks → thousandths
			}
			target, gap = value(t), value(t-r.actual)
			if t != 0 {
				attainment = roundHalfAway(big.NewRat(r.actual, t), 4)
			}
		}
		projected := value(r.actual)
		if r.inProgress && r.kpi != "active_clients" {
			days := int64(r.end.Sub(r.start).Hours()/24) + 1
			elapsed := int64(asOf.Sub(r.start).Hours()/24) + 1
			projected = roundHalfAway(new(big.Rat).Mul(big.NewRat(r.actual, scale), big.NewRat(days, elapsed)), 2)
		}
		flags := "-"
		if r.missing {
			flags = "missing_target"
		}
		out = append(out, fmt.Sprintf("%s %s %s %s %s %s %s %s %s %s %s %t %s %s", r.level, dashIfEmpty(r.manager), dashIfEmpty(r.team), r.period,
			r.kind, r.end.Format("2006-01-02"), r.kpi, target, value(r.actual), attainment, gap, r.inProgress, projected, flags))
	}
	slices.Sort(out)
	return out
}

// activityRows are the expected rows of activity_monthly as of a date:
// months with activities or shipped orders of the manager.
func (c *salesCompany) activityRows(asOf time.Time) []string {
	months := c.calendar(asOf)
	type key struct {
		month   time.Time
		manager string
	}
	type counts struct {
		planned, done, asPlanned, cancelled, missed                    int64
		visitsPlanned, visitsDone, callsPlanned, callsDone             int64
		meetingsPlanned, meetingsDone, emails, prospects, own, covered int64
		orders                                                         map[string]bool
	}
	periodEnd := map[time.Time]time.Time{}
	for _, m := range months {
		periodEnd[m[0]] = m[1]
	}
	rows := map[key]*counts{}
	at := func(m time.Time, manager string) *counts {
		k := key{m, manager}
		if rows[k] == nil {
			rows[k] = &counts{orders: map[string]bool{}}
		}
		return rows[k]
	}
	contacted := map[key]map[string]bool{}
	for _, a := range c.activities {
		if !a.planned.IsZero() {
			if _, ok := periodEnd[month(a.planned)]; ok {
				r := at(month(a.planned), a.manager)
				r.planned++
				switch a.kind {
				case "visit":
					r.visitsPlanned++
				case "call":
					r.callsPlanned++
				case "meeting":
					r.meetingsPlanned++
				}
				doneDay := a.done
				if doneDay.IsZero() {
					doneDay = a.planned
				}
				switch a.status {
				case "done":
					// done within the month planned, and by the as-of date
					if !doneDay.After(asOf) && !doneDay.After(month(a.planned).AddDate(0, 1, -1)) {
						r.asPlanned++
					}
				case "cancelled":
					r.cancelled++
				case "missed":
					r.missed++
				}
			}
		}
		day := a.done
		if day.IsZero() {
			day = a.planned
		}
		if a.status != "done" || day.IsZero() || day.After(asOf) {
			continue
		}
		if _, ok := periodEnd[month(day)]; !ok {
			continue
		}
		r := at(month(day), a.manager)
		r.done++
		switch a.kind {
		case "visit":
			r.visitsDone++
		case "call":
			r.callsDone++
		case "meeting":
			r.meetingsDone++
		case "email":
			r.emails++
		}
		if a.client == "" {
			r.prospects++
		} else if a.kind != "email" {
			k := key{month(day), a.manager}
			if contacted[k] == nil {
				contacted[k] = map[string]bool{}
			}
			contacted[k][a.client] = true
		}
	}
	for _, e := range c.events() {
		if e.shipment && e.manager != "" {
			if _, ok := periodEnd[month(e.date)]; ok {
				at(month(e.date), e.manager).orders[e.client+"/"+e.order] = true
			}
		}
	}
	ratio := func(a, b int64) string {
		if b == 0 {
			return "-"
		}
		return roundHalfAway(big.NewRat(a, b), 4)
	}
	var out []string
	for k, r := range rows {
		for client := range c.segments {
			if c.assigned(client, periodEnd[k.month]) == k.manager {
				r.own++
				if contacted[k][client] {
					r.covered++
				}
			}
		}
		orders := int64(len(r.orders))
		out = append(out, fmt.Sprintf("%s %s %d %d %d %s %d %d %d %d %d %d %d %d %d %d %d %d %s %d %s", k.month.Format("2006-01-02"), k.manager,
			r.planned, r.done, r.asPlanned, ratio(r.asPlanned, r.planned), r.cancelled, r.missed, r.visitsPlanned, r.visitsDone, r.callsPlanned,
			r.callsDone, r.meetingsPlanned, r.meetingsDone, r.emails, r.prospects, r.own, r.covered, ratio(r.covered, r.own), orders,
			ratio(r.visitsDone, orders)))
	}
	slices.Sort(out)
	return out
}

// assortmentRows are the expected rows of client_assortment as of a date:
// clients shipped to in the 12 months ending with the as-of month, each
// with the categories its segment's clients were shipped.
func (c *salesCompany) assortmentRows(asOf time.Time) []string {
	from := month(asOf).AddDate(0, -11, 0)
	type ck struct{ client, category string }
	shipped, net := map[ck]int64{}, map[ck]int64{}
	months := map[ck]map[time.Time]int64{}
	for _, e := range c.events() {
		if month(e.date).Before(from) || e.date.After(asOf) {
			continue
		}
		k := ck{e.client, e.category}
		net[k] += e.amount
		if e.shipment {
			shipped[k] += e.amount
			if months[k] == nil {
				months[k] = map[time.Time]int64{}
			}
			months[k][month(e.date)] += e.amount
		}
	}
	// a month counts as bought when the month's shipments in it are above 0 (sales_monthly sums per manager first)
	bought := func(k ck) bool { return shipped[k] > 0 }
	segBuyers := map[string]map[string]bool{}            // segment → clients
	catBuyers := map[string]map[string]map[string]bool{} // segment → category → clients
	catNet := map[string]map[string]int64{}
	clientCats := map[string]int{}
	for k := range shipped {
		if !bought(k) {
			continue
		}
		seg := c.segments[k.client]
		if segBuyers[seg] == nil {
			segBuyers[seg], catBuyers[seg], catNet[seg] = map[string]bool{}, map[string]map[string]bool{}, map[string]int64{}
		}
		segBuyers[seg][k.client] = true
		if catBuyers[seg][k.category] == nil {
			catBuyers[seg][k.category] = map[string]bool{}
		}
		catBuyers[seg][k.category][k.client] = true
		catNet[seg][k.category] += net[k]
		clientCats[k.client]++
	}
	var out []string
	for seg, clients := range segBuyers {
		for client := range clients {
			for category, buyers := range catBuyers[seg] {
				k := ck{client, category}
				n := int64(len(buyers))
				gap := !bought(k) && 2*n >= int64(len(clients))
				potential := "-"
				if !bought(k) {
					potential = roundHalfAway(big.NewRat(catNet[seg][category], 1000*12*n), 2)
				}
				monthsBought := 0
				for _, v := range months[k] {
					if v > 0 {
						monthsBought++
					}
				}
				out = append(out, fmt.Sprintf("%s %s %s %s %t %s %d %d %d %d %s %t %s", client, seg, dashIfEmpty(c.assigned(client, asOf)), category,
					bought(k), milli(net[k]), monthsBought, clientCats[client], n, len(clients), roundHalfAway(big.NewRat(n, int64(len(clients))), 4),
					gap, potential))
			}
		}
	}
	slices.Sort(out)
	return out
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// competitorRows are the expected rows of competitor_share as of a date,
// by docs/data-contract.md "Competitor share", for every month of the
// calendar; amounts to 2 decimals, shares to 4.
func (c *salesCompany) competitorRows(asOf time.Time) []string {
	type ck struct{ client, category string }
	var out []string
	money := func(r *big.Rat) string {
		if r == nil {
			return "-"
		}
		return roundHalfAway(r, 2)
	}
	share := func(r *big.Rat) string {
		if r == nil {
			return "-"
		}
		return roundHalfAway(r, 4)
	}
	div := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Quo(a, b) }
	addR := func(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }
	zero := new(big.Rat)
	for _, m := range c.calendar(asOf) {
		start, end := m[0].AddDate(0, -11, 0), m[1]
		// ours: net sales of the 12 months ÷ 12, not below 0, for every client × category with sales rows
		ours := map[ck]*big.Rat{}
		sum := map[ck]int64{}
		for _, e := range c.events() {
			if !month(e.date).Before(start) && !month(e.date).After(m[0]) {
				sum[ck{e.client, e.category}] += e.amount
			}
		}
		// the mart stores a mean with 8 decimals, and the segment sums what its clients store
		round8 := func(r *big.Rat) *big.Rat { v, _ := new(big.Rat).SetString(roundHalfAway(r, 8)); return v }
		for k, v := range sum {
			ours[k] = round8(big.NewRat(max(v, 0), 12000))
		}
		// the latest note per client, category and competitor noted in the 12 months to the period end
		latest := map[[3]string]saleNote{}
		for _, n := range c.notes {
			// a note with neither a share nor a volume says nothing of the wallet
			if n.day.After(end) || !n.day.After(end.AddDate(0, -12, 0)) || n.share < 0 && n.volume < 0 {
				continue
			}
			k := [3]string{n.client, n.category, n.competitor}
			if l, ok := latest[k]; !ok || !n.day.Before(l.day) { // a second note the same day replaces the first (its key)
				latest[k] = n
			}
		}
		type noted struct {
			competitors   int
			volume, share *big.Rat
		}
		notes := map[ck]*noted{}
		segCompetitors := map[[2]string]map[string]bool{}
		for k, n := range latest {
			key := ck{k[0], k[1]}
			if notes[key] == nil {
				notes[key] = &noted{volume: new(big.Rat), share: new(big.Rat)}
			}
			nd := notes[key]
			nd.competitors++
			if n.volume >= 0 {
				nd.volume.Add(nd.volume, big.NewRat(n.volume, 100))
			} else {
				nd.share.Add(nd.share, big.NewRat(n.share, 1000))
			}
			sk := [2]string{c.segments[k[0]], k[1]}
			if segCompetitors[sk] == nil {
				segCompetitors[sk] = map[string]bool{}
			}
			segCompetitors[sk][k[2]] = true
		}
		type seg struct {
			ours, notedOurs, notedWallet, unnotedOurs, lowest *big.Rat
			noted, unnoted                                    int
			inconsistent                                      bool
		}
		segs := map[[2]string]*seg{}
		at := func(k ck) *seg {
			sk := [2]string{c.segments[k.client], k.category}
			if segs[sk] == nil {
				segs[sk] = &seg{ours: new(big.Rat), notedOurs: new(big.Rat), notedWallet: new(big.Rat)}
			}
			return segs[sk]
		}
		for k, nd := range notes {
			o := ours[k]
			if o == nil {
				o = new(big.Rat)
			}
			inconsistent := nd.share.Cmp(big.NewRat(1, 1)) >= 0
			compShare := nd.share
			if compShare.Cmp(big.NewRat(99, 100)) > 0 {
				compShare = big.NewRat(99, 100)
			}
			wallet := round8(div(addR(o, nd.volume), new(big.Rat).Sub(big.NewRat(1, 1), compShare)))
			sh := new(big.Rat)
			if wallet.Sign() > 0 {
				sh = div(o, wallet)
			}
			out = append(out, fmt.Sprintf("%s %s client %s %s %s %s %s %s %s %s %s %d 1 0 %t", m[0].Format("2006-01-02"), end.Format("2006-01-02"),
				c.segments[k.client], k.client, k.category, money(o), money(new(big.Rat).Sub(wallet, o)), money(wallet), share(sh), share(sh), share(sh),
				nd.competitors, inconsistent))
			g := at(k)
			g.ours.Add(g.ours, o)
			g.notedOurs.Add(g.notedOurs, o)
			g.notedWallet.Add(g.notedWallet, wallet)
			g.noted++
			g.inconsistent = g.inconsistent || inconsistent
			if wallet.Sign() > 0 && o.Sign() > 0 && (g.lowest == nil || sh.Cmp(g.lowest) < 0) {
				g.lowest = sh
			}
		}
		for k, o := range ours {
			if notes[k] != nil || o.Sign() <= 0 { // a client buys the category from us when its 12 months are above 0
				continue
			}
			g := at(k)
			g.ours.Add(g.ours, o)
			if g.unnotedOurs == nil {
				g.unnotedOurs = new(big.Rat)
			}
			g.unnotedOurs.Add(g.unnotedOurs, o)
			g.unnoted++
		}
		for sk, g := range segs {
			var wallet, point *big.Rat
			low, high := new(big.Rat), new(big.Rat)
			unnotedOurs := g.unnotedOurs
			if unnotedOurs == nil {
				unnotedOurs = zero
			}
			switch {
			case g.unnoted == 0:
				wallet = g.notedWallet
				point = new(big.Rat)
				if g.notedWallet.Sign() > 0 {
					point = div(g.ours, g.notedWallet)
				}
				low = point
			case g.notedOurs.Sign() > 0:
				pooled := div(g.notedOurs, g.notedWallet)
				wallet = addR(g.notedWallet, div(unnotedOurs, pooled))
				point = div(g.ours, wallet)
				if g.lowest != nil {
					lowest := g.lowest
					if pooled.Cmp(lowest) < 0 {
						lowest = pooled
					}
					low = div(g.ours, addR(g.notedWallet, div(unnotedOurs, lowest)))
				}
			}
			if d := addR(g.notedWallet, unnotedOurs); d.Sign() > 0 {
				high = div(g.ours, d)
			}
			out = append(out, fmt.Sprintf("%s %s segment %s - %s %s %s %s %s %s %s %d %d %d %t", m[0].Format("2006-01-02"), end.Format("2006-01-02"),
				sk[0], sk[1], money(g.ours), money(new(big.Rat).Sub(g.notedWallet, g.notedOurs)), money(wallet), share(point), share(low), share(high),
				len(segCompetitors[sk]), g.noted, g.unnoted, g.inconsistent))
		}
	}
	slices.Sort(out)
	return out
}

// abcRows are the expected rows of client_abc_xyz as of a date (default
// limits: A below 80 %, B below 95 %; X up to 0.10, Y up to 0.25), the
// classes decided in exact arithmetic.
func (c *salesCompany) abcRows(asOf time.Time) []string {
	type cm struct {
		client string
		month  time.Time
	}
	monthly := map[cm]int64{} // thousandths
	for _, e := range c.events() {
		monthly[cm{e.client, month(e.date)}] += e.amount
	}
	// kopecks of a month's net sales, rounded half away from zero
	kop := func(v int64) int64 {
		if v < 0 {
			return -((-v + 5) / 10)
		}
		return (v + 5) / 10
	}
	type row struct {
		client                   string
		net, cents, cents2       int64
		months                   int
		abc, xyz                 string
		share, cumulative, cvStr string
	}
	class := map[cm]string{}
	var out []string
	for _, m := range c.months(asOf) {
		byClient := map[string]*row{}
		for k, v := range monthly {
			if k.month.After(m[0]) || !k.month.After(m[0].AddDate(0, -12, 0)) {
				continue
			}
			r := byClient[k.client]
			if r == nil {
				r = &row{client: k.client}
				byClient[k.client] = r
			}
			r.net += v
			if v != 0 {
				r.months++
			}
			r.cents += kop(v)
			r.cents2 += kop(v) * kop(v)
		}
		rows := slices.Collect(maps.Values(byClient))
		slices.SortFunc(rows, func(a, b *row) int {
			if a.net != b.net {
				return -cmpInt(a.net, b.net)
			}
			return strings.Compare(a.client, b.client)
		})
		var total int64
		for _, r := range rows {
			total += max(r.net, 0)
		}
		var larger int64
		for _, r := range rows {
			switch {
			case r.net <= 0:
				r.abc = "C"
			case larger*100 < total*80:
				r.abc = "A"
			case larger*100 < total*95:
				r.abc = "B"
			default:
				r.abc = "C"
			}
			r.share, r.cumulative = "0.0000", "0.0000"
			if total > 0 {
				if r.net > 0 {
					r.share = roundHalfAway(big.NewRat(r.net, total), 4)
				}
				r.cumulative = roundHalfAway(big.NewRat(larger+max(r.net, 0), total), 4)
			}
			larger += max(r.net, 0)
			r.xyz, r.cvStr = "Z", "-"
			if r.cents > 0 {
				// cv = sqrt(12 Σc² − (Σc)²) / Σc, compared as its square: exact
				v := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(12), big.NewInt(r.cents2)), new(big.Int).Mul(big.NewInt(r.cents), big.NewInt(r.cents)))
				s2 := new(big.Int).Mul(big.NewInt(r.cents), big.NewInt(r.cents))
				le := func(num, den int64) bool { // cv ≤ num/den
					return new(big.Int).Mul(v, big.NewInt(den*den)).Cmp(new(big.Int).Mul(s2, big.NewInt(num*num))) <= 0
				}
				switch {
				case le(10, 100):
					r.xyz = "X"
				case le(25, 100):
					r.xyz = "Y"
				}
				f, _ := new(big.Float).SetInt(v).Float64()
				r.cvStr = fmt.Sprintf("%.4f", math.Sqrt(f)/float64(r.cents))
			}
			prev, ok := class[cm{r.client, m[0].AddDate(0, -1, 0)}]
			class[cm{r.client, m[0]}] = r.abc + r.xyz
			changed := ok && prev != r.abc+r.xyz
			if !ok {
				prev = "-"
			}
			out = append(out, fmt.Sprintf("%s %s %s %s %s %s %s %d %s %s %s %s %s %t", m[0].Format("2006-01-02"), r.client, dashIfEmpty(c.assigned(r.client, m[1])),
				milli(r.net), r.share, r.cumulative, r.abc, r.months, roundHalfAway(big.NewRat(r.net, 12000), 2), r.cvStr, r.xyz, r.abc+r.xyz, prev, changed))
		}
	}
	slices.Sort(out)
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// plusTarget adds target t to a sum of targets; a missing one (nil) adds
// nothing, and the sum of none is missing.
func plusTarget(sum, t *int64) *int64 {
	if t == nil {
		return sum
	}
	v := *t
	if sum != nil {
		v += *sum
	}
	return &v
}

// runs splits rows into runs of consecutive rows with the same key.
func runs[T any](rows []T, key func(T) string) [][]T {
	var out [][]T
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && key(rows[j]) == key(rows[i]) {
			j++
		}
		out = append(out, rows[i:j])
		i = j
	}
	return out
}

// planStart is the first day of a plan period (YYYY-MM, YYYY-Qn, YYYY).
func planStart(period string) time.Time {
	switch {
	case len(period) == 4:
		return date(period + "-01-01")
	case period[5] == 'Q':
		return date(fmt.Sprintf("%s-%02d-01", period[:4], (int(period[6]-'0')-1)*3+1))
	}
	return date(period + "-01")
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
				// near the client's list price: at it, a little under (a promotion may allow it) or over
				if list, ok := g.c.listPrice(l.sku, g.c.columns[client], ordered); ok {
					switch g.r.IntN(4) {
					case 0:
						l.price = list / 100
					case 1:
						l.price = max(1, list/100-int64(g.r.IntN(int(list/100/5)+1)))
					case 2:
						l.price = list/100 + int64(g.r.IntN(500))
					}
				}
				switch k := g.r.IntN(10); {
				case k < 7:
					l.shippedQty = l.qty
				case k < 9:
					l.shippedQty = l.qty / 2
					if g.r.IntN(2) == 0 {
						l.refusedQty = l.qty - l.shippedQty
						l.reason = []string{"", "брак", "пересорт"}[g.r.IntN(3)]
					}
				default:
					if g.r.IntN(3) == 0 {
						l.refusedQty, l.reason = l.qty, "отказ"
					}
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
			r := saleReturn{id: fmt.Sprintf("R-%04d", g.returns), client: client, date: g.day(from, to), amount: int64(100 + g.r.IntN(300000)),
				reason: []string{"", "брак"}[g.r.IntN(2)]}
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
		"order_lines": {{"order_id", "line_no", "order_date", "client_id", "manager_id", "sku", "qty", "price", "shipped_qty", "shipped_on", "refused_qty", "refusal_reason"}},
		"returns":     {{"return_id", "return_date", "client_id", "sku", "qty", "amount", "reason"}},
	}
	if fromLine == 0 && fromReturn == 0 {
		files["managers"] = [][]string{{"manager_id", "name", "team", "variable_target"}, {"M1", "One", teams["M1"], "1"}, {"M2", "Two", teams["M2"], "1"},
			{"M3", "Three", teams["M3"], "1"}, {"M4", "Four", teams["M4"], "1"}}
		files["plans"] = [][]string{{"manager_id", "period", "kpi", "target"}}
		for _, p := range c.plans {
			target := fmt.Sprint(p.target)
			if p.kpi == "sales" {
				target = kopecks(p.target)
			}
			files["plans"] = append(files["plans"], []string{p.manager, p.period, p.kpi, target})
		}
		files["products"] = [][]string{{"sku", "name", "category"}}
		for _, sku := range slices.Sorted(maps.Keys(c.categories)) {
			files["products"] = append(files["products"], []string{sku, "Product " + sku, c.categories[sku]})
		}
		files["clients"] = [][]string{{"client_id", "name", "segment", "payment_terms_days", "price_column"}}
		for _, client := range slices.Sorted(maps.Keys(c.segments)) {
			files["clients"] = append(files["clients"], []string{client, "Client " + client, c.segments[client], "0", c.columns[client]})
		}
		files["competitor_notes"] = [][]string{{"noted_on", "client_id", "category", "competitor", "share_pct", "monthly_volume"}}
		for _, n := range c.notes {
			share, volume := "", ""
			if n.share >= 0 {
				share = rat(n.share, 10).FloatString(1)
			}
			if n.volume >= 0 {
				volume = kopecks(n.volume)
			}
			files["competitor_notes"] = append(files["competitor_notes"], []string{ymd(n.day), n.client, n.category, n.competitor, share, volume})
		}
		files["activities"] = [][]string{{"activity_id", "manager_id", "client_id", "kind", "planned_on", "done_on", "status"}}
		for _, a := range c.activities {
			files["activities"] = append(files["activities"], []string{a.id, a.manager, a.client, a.kind, ymd(a.planned), ymd(a.done), a.status})
		}
		files["price_list"] = [][]string{{"sku", "price_column", "price", "valid_from"}}
		for _, p := range c.prices {
			files["price_list"] = append(files["price_list"], []string{p.sku, p.column, rat(p.price, 10000).FloatString(4), ymd(p.from)})
		}
		files["promotions"] = [][]string{{"promo_id", "name", "starts_on", "ends_on", "category", "sku", "discount_pct"}}
		for _, p := range c.promos {
			files["promotions"] = append(files["promotions"], []string{p.id, "Promo " + p.id, ymd(p.from), ymd(p.to), p.category, p.sku, rat(p.pct, 10).FloatString(1)})
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
		refusedQty := ""
		if l.refusedQty > 0 {
			refusedQty = tenths(l.refusedQty)
		}
		files["order_lines"] = append(files["order_lines"], []string{l.order, fmt.Sprint(l.line), ymd(l.ordered), l.client, l.manager, l.sku,
			tenths(l.qty), kopecks(l.price), shippedQty, ymd(l.shipped), refusedQty, l.reason})
	}
	for _, r := range c.returns[fromReturn:] {
		qty := ""
		if r.qty > 0 {
			qty = tenths(r.qty)
		}
		files["returns"] = append(files["returns"], []string{r.id, ymd(r.date), r.client, r.sku, qty, kopecks(r.amount), r.reason})
	}
	writeCSVFiles(t, dir, files)
}

func TestSalesMatchReference(t *testing.T) {
	for seed := range referenceSeeds(t) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { checkSalesReference(t, seed) })
	}
}

func checkSalesReference(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	c := &salesCompany{categories: map[string]string{}, segments: map[string]string{}}
	for i := 1; i <= 13; i++ {
		c.categories[fmt.Sprintf("SKU-%02d", i)] = []string{"Bakery", "Dairy", "Drinks", "Meat", "Frozen"}[(i-1)/3]
	}
	c.columns = map[string]string{}
	for i := 1; i <= 13; i++ {
		sku := fmt.Sprintf("SKU-%02d", i)
		for _, column := range []string{"A", "B"} {
			from := date("2024-06-01")
			for range 1 + r.IntN(3) {
				price := int64(100000 + r.IntN(10_000_000)) // 10.0000–1010.0000
				if r.IntN(2) == 0 {
					price = price / 100 * 100 // whole kopecks
				}
				c.prices = append(c.prices, pricePoint{sku, column, from, price})
				from = from.AddDate(0, 0, 60+r.IntN(240))
			}
		}
	}
	// promotions on a SKU (one also names a category, which the SKU overrides), on a category and on
	// everything; overlapping, one without a discount, one running on the as-of date, one after it
	kinds := []salePromo{{sku: "SKU-02"}, {sku: "SKU-05", category: "Meat"}, {category: "Dairy"}, {category: "Drinks"}, {}, {}, {category: "Bakery"}, {sku: "SKU-99"}}
	for i, p := range kinds {
		p.id = fmt.Sprintf("PR%d", i+1)
		p.from = date("2025-02-01").AddDate(0, 0, r.IntN(420))
		p.to = p.from.AddDate(0, 0, 5+r.IntN(40))
		p.pct = []int64{50, 100, 125, 150, 0}[r.IntN(5)]
		c.promos = append(c.promos, p)
	}
	c.promos[0].from, c.promos[0].to = date("2026-05-10"), date("2026-06-20")  // running on both as-of dates
	c.promos[5].from, c.promos[5].to = date("2026-05-28"), date("2026-06-10")  // starts after the first as-of date
	c.promos[1].to, c.promos[1].pct = c.promos[1].from.AddDate(0, 0, 120), 150 // long enough to meet Meat lines it must not cover
	// targets: most months of most managers and KPIs (some 0), a few quarters and a year of their own, one plan
	// before the first sale
	for m := date("2025-01-01"); m.Before(date("2026-07-01")); m = m.AddDate(0, 1, 0) {
		for _, manager := range []string{"M1", "M2", "M3"} {
			for _, kpi := range []string{"sales", "active_clients", "new_clients"} {
				if r.IntN(4) == 0 {
					continue
				}
				target := int64(r.IntN(4))
				if kpi == "sales" {
					target = int64(r.IntN(3_000_000)) * 100
				}
				c.plans = append(c.plans, salePlan{manager, m.Format("2006-01"), kpi, target})
			}
		}
	}
	c.plans = append(c.plans, salePlan{"M1", "2024-12", "sales", 10_000_000}, salePlan{"M2", "2025-Q3", "sales", 50_000_000},
		salePlan{"M3", "2026-Q2", "active_clients", 3}, salePlan{"M1", "2026-Q2", "new_clients", 0}, salePlan{"M2", "2026", "sales", 90_000_000},
		salePlan{"M3", "2025", "new_clients", 5})
	// CRM activities: planned and done, done without a plan or without a date, emails, prospects
	for i := range 160 {
		a := saleActivity{id: fmt.Sprintf("A-%04d", i), manager: []string{"M1", "M2", "M3"}[r.IntN(3)], kind: []string{"visit", "call", "meeting", "email"}[r.IntN(4)],
			status: []string{"planned", "done", "done", "cancelled", "missed"}[r.IntN(5)]}
		if r.IntN(8) > 0 {
			a.client = fmt.Sprintf("C%02d", 1+r.IntN(16))
		}
		day := date("2025-01-01").AddDate(0, 0, r.IntN(540)) // up to mid-2026, past both as-of dates
		switch k := r.IntN(6); {
		case k == 0 && a.status == "done":
			a.done = day // not planned
		case k == 1:
			a.planned = day // done without a date counts on its planned day
		default:
			a.planned = day
			if a.status == "done" {
				a.done = day.AddDate(0, 0, r.IntN(20)) // may fall in the next month
			}
		}
		if a.planned.IsZero() && a.done.IsZero() {
			a.planned = day
		}
		c.activities = append(c.activities, a)
	}
	// competitor notes: shares (adding up to 100 % or more for some), volumes, both, neither, notes replaced by later ones
	for range 70 {
		n := saleNote{day: date("2025-01-01").AddDate(0, 0, r.IntN(500)), client: fmt.Sprintf("C%02d", 1+r.IntN(16)),
			category: []string{"Bakery", "Dairy", "Drinks", "Meat", "Frozen"}[r.IntN(5)], competitor: []string{"Rival", "Local", "Mega"}[r.IntN(3)],
			share: int64(r.IntN(700)), volume: -1}
		switch r.IntN(5) {
		case 0:
			n.share, n.volume = -1, int64(r.IntN(5_000_000))
		case 1:
			n.volume = int64(r.IntN(5_000_000)) // both: the volume counts
		case 2:
			n.share = -1 // neither: ignored
		}
		c.notes = append(c.notes, n)
	}
	g := &salesGen{r: r, c: c, managers: []string{"M1", "M2", "M3"}}
	for i := 1; i <= 16; i++ {
		client := fmt.Sprintf("C%02d", i)
		g.clients = append(g.clients, client)
		c.segments[client] = []string{"Retail", "HoReCa"}[i%2]
		c.columns[client] = []string{"A", "B", ""}[i%3]
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
	// M4's only client is shipped to in January 2026 and handed to M1 on 02-05: at the end of the first
	// quarter (and of May) M4 has no active client, though January, its last row, had one
	c.segments["C17"], c.columns["C17"] = "Retail", ""
	c.assignments = append(c.assignments, saleAssignment{"C17", "M4", date("2025-01-01"), date("2026-02-05")},
		saleAssignment{"C17", "M1", date("2026-02-05"), time.Time{}})
	c.lines = append(c.lines, saleLine{order: "O-M4", line: 1, client: "C17", sku: "SKU-01", ordered: date("2026-01-15"),
		shipped: date("2026-01-15"), qty: 10, shippedQty: 10, price: 100000})
	// C18 ties with C17 on net sales (ABC orders ties by client_id), and its February nets to 0 (not a month with sales)
	c.segments["C18"], c.columns["C18"] = "Retail", ""
	c.lines = append(c.lines, saleLine{order: "O-T1", line: 1, client: "C18", sku: "SKU-01", ordered: date("2026-01-15"),
		shipped: date("2026-01-15"), qty: 10, shippedQty: 10, price: 100000},
		saleLine{order: "O-T2", line: 1, client: "C18", sku: "SKU-02", ordered: date("2026-02-10"), shipped: date("2026-02-10"), qty: 10, shippedQty: 10, price: 5000})
	c.returns = append(c.returns, saleReturn{id: "R-T1", client: "C18", sku: "SKU-02", date: date("2026-02-12"), qty: 10, amount: 5000})

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
		c.asOf = asOf
		defer func() { c.asOf = time.Time{} }()
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
			{"discount_compliance", `SELECT order_id, line_no, order_date, client_id, coalesce(nullif(manager_id, ''), '-'), sku, coalesce(category, '-'),
                price_column, list_price::decimal(18,4), coalesce(promo_id, '-'), coalesce(promo_discount_pct::decimal(18,1)::varchar, '-'),
                allowed_price::decimal(18,4), price::decimal(18,2), qty::decimal(18,1), shortfall_amount::decimal(18,5)
                FROM discount_compliance`, c.discountRows()},
			{"plan_fulfilment", `SELECT level, coalesce(manager_id, '-'), coalesce(team, '-'), period, period_kind, period_end, kpi,
                coalesce(target::decimal(18,2)::varchar, '-'), actual::decimal(18,2), coalesce(attainment::varchar, '-'),
                coalesce(gap::decimal(18,2)::varchar, '-'), is_in_progress, projected::decimal(18,2), coalesce(nullif(flags, ''), '-')
                FROM plan_fulfilment`, c.planRows(asOf)},
			{"activity_monthly", `SELECT month, manager_id, planned, done, done_as_planned, coalesce(done_as_planned_share::varchar, '-'), cancelled,
                missed, visits_planned, visits_done, calls_planned, calls_done, meetings_planned, meetings_done, emails_done,
                prospect_contacts, own_clients, covered_clients, coalesce(coverage::varchar, '-'), orders, coalesce(visits_per_order::varchar, '-')
                FROM activity_monthly`, c.activityRows(asOf)},
			{"client_assortment", `SELECT client_id, segment, coalesce(manager_id, '-'), category, is_bought, net_sales_12m::decimal(18,3),
                months_bought, categories_bought, segment_category_buyers, segment_buyers, segment_penetration, is_gap,
                coalesce(gap_potential_monthly::decimal(18,2)::varchar, '-') FROM client_assortment`, c.assortmentRows(asOf)},
			{"competitor_share", `SELECT month, as_of, level, segment, coalesce(client_id, '-'), category, our_monthly_sales::decimal(18,2),
                competitor_monthly_sales::decimal(18,2), coalesce(wallet::decimal(18,2)::varchar, '-'), coalesce(share::varchar, '-'),
                share_low, share_high, competitors, noted_clients, unnoted_clients, is_inconsistent FROM competitor_share`, c.competitorRows(asOf)},
			{"client_abc_xyz", `SELECT month, client_id, coalesce(manager_id, '-'), net_sales_12m::decimal(18,3), share_12m, cumulative_share, abc_class,
                months_with_sales, mean_monthly::decimal(18,2), coalesce(cv::varchar, '-'), xyz_class, abc_xyz, coalesce(prev_abc_xyz, '-'),
                is_class_changed FROM client_abc_xyz`, c.abcRows(asOf)},
			{"returns_refusals", `SELECT month, kind, coalesce(nullif(reason, ''), '-'), client_id, coalesce(nullif(sku, ''), '-'),
                coalesce(nullif(manager_id, ''), '-'), events, qty::decimal(18,1), amount::decimal(18,3) FROM returns_refusals`, c.refusalRows()},
			{"promo_uplift", `SELECT promo_id, during_to, before_from, before_to, during_from, days, is_in_progress, net_sales_during::decimal(18,3),
                net_sales_before::decimal(18,3), qty_during::decimal(18,1), qty_before::decimal(18,1), clients_during, clients_before,
                coalesce(uplift::varchar, '-') FROM promo_uplift`, c.upliftRows(asOf)},
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

	// Late lines and returns back to March, and the rest of May: built as of a month end, when the month
	// is over but its quarter and year are not.
	g.addOrders(date("2026-03-01"), date("2026-05-31"), 1)
	load()
	res := build(t, db, models.Options{AsOf: date("2026-05-31")})
	if m := modes(res); !strings.Contains(m, "sales_monthly:incremental@2026-03-01") || !strings.Contains(m, "client_base_monthly:incremental@2026-03-01") {
		t.Errorf("the build after late lines, want the sales marts incremental from 03-01: %s", m)
	}
	compare(date("2026-05-31"))

	// An earlier date on the same data: what happened after it is left out of every mart, its month included.
	build(t, db, models.Options{AsOf: date("2026-05-24")})
	compare(date("2026-05-24"))
	// Forward again with nothing new loaded: the cut models recompute only the days after the earlier date.
	res = build(t, db, models.Options{AsOf: date("2026-05-31")})
	if m := modes(res); !strings.Contains(m, "core_sales_daily:incremental@2026-05-25") || !strings.Contains(m, "discount_compliance:incremental@2026-05-25") {
		t.Errorf("the build moved forward from 05-24, want the cut models incremental from 05-25: %s", m)
	}
	compare(date("2026-05-31"))
	// Into the next month, twice: the second build recomputes from June 1 only, so what May's rows say
	// must not change with the days after June 2 (an activity planned in May and done in June).
	for _, day := range []string{"2026-06-02", "2026-06-20"} {
		build(t, db, models.Options{AsOf: date(day)})
		compare(date(day))
	}
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
