package gen

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// The order simulation walks the history day by day. Each day every live
// client may place orders (a renewal process whose clock runs with the
// segment's seasonality, the weekday, the trend and the client's drift); each order line is written at once, and what the
// order sets in motion later (shipments → invoices, returns, payments) goes
// into an agenda of future days. Only the agenda and a little per-client
// state are kept, so memory does not grow with the number of lines, and
// every monthly file receives its rows in date order.

const (
	evShipment = iota
	evReturn
	evPayment
	evAdvance
	evUnknown
)

// event is something dated in the future of an order.
type event struct {
	kind    uint8
	named   bool // the payment or return names its invoice
	partial bool
	reason  uint8
	client  int32
	sku     int32
	invDay  int32
	inv     int64
	order   int64
	amount  int64 // kopecks
	qty     int64 // thousandths
	price   int64 // kopecks
}

type sim struct {
	w        *world
	cal      *calendar
	r        *rand.Rand
	lines    *table
	invoices *table
	returns  *table
	payments *table
	agenda   [][]event
	scale    float64

	orderN, invoiceN, returnN, paymentN int64

	firstShip, lastShip []int     // per client; 0 = never
	due                 []float64 // per client: expected orders left until its next order

	// per manager × month of history, for the plans
	sales  [][]int64 // net sales, thousandths of a kopeck
	active [][]int
	newCl  [][]int

	rec   []string
	picks []int32
}

func newSim(w *world, tabs map[string]*table) *sim {
	s := &sim{
		w: w, cal: w.cal, r: newRand(w.opt.Seed, streamOrders),
		lines: tabs["order_lines"], invoices: tabs["invoices"], returns: tabs["returns"], payments: tabs["payments"],
		agenda:    make([][]event, w.span),
		firstShip: make([]int, len(w.clients)),
		lastShip:  make([]int, len(w.clients)),
		rec:       make([]string, 12),
		scale:     1,
	}
	for range w.mgrs {
		s.sales = append(s.sales, make([]int64, w.cal.nMonths))
		s.active = append(s.active, make([]int, w.cal.nMonths))
		s.newCl = append(s.newCl, make([]int, w.cal.nMonths))
	}
	if n := w.opt.OrderLines; n > 0 {
		if e := s.expectedLines(); e > 0 {
			s.scale = float64(n) / e
		}
	}
	s.due = make([]float64, len(w.clients))
	for ci, c := range w.clients {
		s.due[ci] = s.gap(c) * s.r.Float64()
	}
	// Two payments from INNs that belong to no client.
	for k := range w.unknown { // inv holds the index of the unknown INN
		d := workday(w.cal.start + w.span*(k+1)/3)
		s.schedule(d, event{kind: evUnknown, inv: int64(k), amount: int64(15000+s.r.IntN(75000))*100 + int64(s.r.IntN(100))})
	}
	return s
}

// rate is a client's expected orders on day d (before scaling).
func (s *sim) rate(c *client, d int) float64 {
	i := d - s.cal.start
	return c.ordersPerDay * s.w.demand[c.seg][i] * math.Exp(c.drift*float64(i)/365.25)
}

// expectedLines is the natural number of order lines, to scale to OrderLines.
func (s *sim) expectedLines() float64 {
	var total float64
	for _, c := range s.w.clients {
		if !c.orders() {
			continue
		}
		var orders float64
		for d := max(c.arrival, s.cal.start); d <= s.cal.asOf && d < c.churn; d++ {
			orders += s.rate(c, d)
		}
		if c.firstForced {
			orders++
		}
		total += orders * c.linesMean
	}
	return total
}

func (s *sim) schedule(d int, e event) {
	if d > s.cal.asOf {
		return // beyond the data: has not happened yet
	}
	s.agenda[d-s.cal.start] = append(s.agenda[d-s.cal.start], e)
}

func (s *sim) run(ctx context.Context) error {
	A := s.cal.asOf
	for d := s.cal.start; d <= A; d++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		for ci, c := range s.w.clients {
			if d < c.arrival || d >= c.churn {
				continue
			}
			if c.firstForced && d == c.arrival {
				s.order(ci, d)
				s.due[ci] = s.gap(c)
				continue
			}
			s.due[ci] -= s.rate(c, d) * s.scale
			for s.due[ci] <= 0 {
				s.order(ci, d)
				s.due[ci] += s.gap(c)
			}
		}
		today := &s.agenda[d-s.cal.start]
		for i := 0; i < len(*today); i++ { // events may add events for today
			s.handle(d, (*today)[i])
		}
		*today = nil
		if mi := s.cal.month(d); d == s.cal.monthEnd(mi) || d == A {
			s.countActive(d, mi)
		}
		for _, t := range []*table{s.lines, s.invoices, s.returns, s.payments} {
			if t.err != nil {
				return t.err
			}
		}
	}
	for ci, f := range s.firstShip {
		if f == 0 {
			continue
		}
		if m := s.w.clients[ci].managerAt(f); m >= 0 {
			s.newCl[m][s.cal.month(f)]++
		}
	}
	return nil
}

// countActive counts, per KAM, the clients shipped to within 90 days of d.
func (s *sim) countActive(d, mi int) {
	for ci, c := range s.w.clients {
		if last := s.lastShip[ci]; last > 0 && last > d-90 {
			if m := c.managerAt(d); m >= 0 {
				s.active[m][mi]++
			}
		}
	}
}

// gap is the expected-order "distance" to a client's next order: a
// Gamma(k, 1/k) draw with mean 1. Orders form a renewal process on the
// client's seasonal clock; k = 1 is Poisson, a large k orders regularly,
// which is what keeps a key account's months steady.
func (s *sim) gap(c *client) float64 {
	var g float64
	for range c.regularity {
		g += s.r.ExpFloat64()
	}
	return g / float64(c.regularity)
}

// poisson draws a Poisson count: Knuth's method for small means, a normal
// approximation for large ones (only reached when scaling up).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, r.Float64()
	for p > l {
		k++
		p *= r.Float64()
	}
	return k
}

func seqID(prefix string, n int64, width int) string {
	b := make([]byte, 0, len(prefix)+width+2)
	b = append(b, prefix...)
	digits := strconv.AppendInt(make([]byte, 0, 20), n, 10)
	for i := len(digits); i < width; i++ {
		b = append(b, '0')
	}
	return string(append(b, digits...))
}

func orderID(n int64) string   { return seqID("ORD-", n, 7) }
func invoiceID(n int64) string { return seqID("INV-", n, 6) }

// shipLag is the days from order to shipment: mostly the next day, never
// more than five, never on a Sunday.
func (s *sim) shipLag(d, minLag int) int {
	u := s.r.Float64()
	l := 0
	switch {
	case u < 0.25:
	case u < 0.70:
		l = 1
	case u < 0.90:
		l = 2
	default:
		l = 3 + s.r.IntN(3)
	}
	l = max(l, minLag)
	if l > 5 {
		l = 5
	}
	if weekday(d+l) == time.Sunday {
		if l < 5 {
			l++
		} else {
			l--
		}
	}
	return l
}

// pickSKUs draws n distinct SKUs, about three in four from the client's
// core assortment.
func (s *sim) pickSKUs(c *client, n int) []int32 {
	n = min(n, len(c.core)+len(c.ext))
	nCore := 0
	for range n {
		if s.r.Float64() < 0.75 {
			nCore++
		}
	}
	nCore = min(nCore, len(c.core))
	nCore = max(nCore, n-len(c.ext))
	s.picks = s.picks[:0]
	partial := func(xs []int32, k int) {
		for i := range k {
			j := i + s.r.IntN(len(xs)-i)
			xs[i], xs[j] = xs[j], xs[i]
			s.picks = append(s.picks, xs[i])
		}
	}
	partial(c.core, nCore)
	partial(c.ext, n-nCore)
	return s.picks
}

func (s *sim) units(c *client, p *product) int64 {
	x := c.units * math.Exp(0.6*s.r.NormFloat64())
	if p.weight {
		return max(100, int64(math.Round(x*400))) // kilograms with grams
	}
	if c.seg == segWholesale && p.pack > 1 {
		return max(1, int64(math.Round(x/float64(p.pack)))) * int64(p.pack) * 1000
	}
	return max(1, int64(math.Round(x))) * 1000
}

func (s *sim) promoFor(d int, pi int32) *promo {
	p := s.w.products[pi]
	for _, pr := range s.w.promos {
		if pr.covers(d, p, int(pi)) {
			return pr
		}
	}
	return nil
}

// shipGroup is one shipment of an order: the lines shipped on one day.
type shipGroup struct {
	day    int
	milli  int64 // Σ shipped_qty × price, thousandths of a kopeck
	n      int   // shipped lines, for the reservoir sample
	sample event // one shipped line, for a possible return
}

func (s *sim) order(ci, d int) {
	w, r, cal := s.w, s.r, s.cal
	c := w.clients[ci]
	s.orderN++
	oid := orderID(s.orderN)
	mgr := c.managerAt(d)
	named := -1
	if mgr >= 0 && r.Float64() < 0.05 {
		named = mgr
		if r.Float64() < 0.15 { // a teammate took the order
			for _, k := range r.Perm(len(w.mgrs)) {
				if k != mgr && w.mgrs[k].employed(d, 0) && w.mgrs[k].teamIdx == w.mgrs[mgr].teamIdx {
					named = k
					break
				}
			}
		}
	}
	breach := 0.03
	if mgr >= 0 {
		breach = w.mgrs[mgr].breach
	}
	n := 1 + poisson(r, c.linesMean-1)
	skus := s.pickSKUs(c, n)
	// Promotions lift sales: the client often adds a promoted SKU.
	for _, pr := range w.promos {
		if d < pr.start || d > pr.end || r.Float64() >= 0.4 {
			continue
		}
		cand := int32(pr.sku)
		if pr.sku < 0 {
			cand = s.skuInCategory(c, pr.cat)
		}
		if cand >= 0 && !containsSKU(skus, cand) {
			skus = append(skus, cand)
		}
	}
	s.picks = skus
	var groups [2]shipGroup
	groups[0].day = d + s.shipLag(d, 0)
	split := len(skus)
	if len(skus) >= 2 && r.Float64() < 0.06 { // part of the order follows later
		split = 1 + r.IntN(len(skus)-1)
		late := groups[0].day - d + 1 + r.IntN(3)
		groups[1].day = d + s.shipLag(d, late)
		if groups[1].day <= groups[0].day {
			split = len(skus)
		}
	}
	rec := s.rec
	rec[0], rec[2], rec[3] = oid, cal.date(d), c.id
	rec[4] = ""
	if named >= 0 {
		rec[4] = w.mgrs[named].id
	}
	for i, pi := range skus {
		p := w.products[pi]
		q := s.units(c, p)
		list := p.price(d, c.column)
		price := list
		if pr := s.promoFor(d, pi); pr != nil {
			price = (list*int64(100-pr.pct) + 50) / 100
			if p.weight {
				q = q * 3 / 2
			} else {
				q = max(1000, q*3/2/1000*1000)
			}
		} else if r.Float64() < breach { // sold below the allowed column
			price = (list*int64(100-3-r.IntN(13)) + 50) / 100
		}
		g := &groups[0]
		if i >= split {
			g = &groups[1]
		}
		shipped, refused, reason := q, int64(0), ""
		u := r.Float64()
		switch {
		case u < 0.02: // never shipped: out of stock
			shipped = -1
		case u < 0.06: // partial shipment
			if p.weight {
				shipped = q * int64(50+r.IntN(46)) / 100
			} else if q >= 2000 {
				shipped = max(1000, q*int64(30+r.IntN(61))/100/1000*1000)
			}
		case u < 0.075: // refused at delivery; shipped_qty is what was accepted
			if p.weight {
				refused = q * int64(10+r.IntN(91)) / 100
			} else if q >= 2000 && r.Float64() < 0.8 {
				refused = (1 + r.Int64N(q/1000-1)) * 1000
			} else {
				refused = q
			}
			shipped = q - refused
			reason = refusalReasons[r.IntN(len(refusalReasons))]
		}
		rec[1], rec[5], rec[6], rec[7] = itoa(i+1), p.sku, qty(q), money(price)
		rec[8], rec[9], rec[10], rec[11] = "", "", "", ""
		if shipped >= 0 && g.day <= cal.asOf {
			rec[8], rec[9] = qty(shipped), cal.date(g.day)
			if refused > 0 {
				rec[10], rec[11] = qty(refused), reason
			}
		}
		s.lines.write(cal.monthName(d), rec)
		if shipped <= 0 {
			continue
		}
		g.milli += price * shipped
		g.n++
		if r.IntN(g.n) == 0 {
			g.sample = event{sku: pi, qty: shipped, price: price}
		}
		if g.day > cal.asOf {
			continue
		}
		attr := named
		if attr < 0 {
			attr = c.managerAt(g.day)
		}
		if attr >= 0 {
			s.sales[attr][cal.month(g.day)] += price * shipped
		}
		if f := s.firstShip[ci]; f == 0 || g.day < f {
			s.firstShip[ci] = g.day
		}
	}
	var total int64
	for k := range groups {
		g := &groups[k]
		if g.milli == 0 {
			continue
		}
		amount := (g.milli + 500) / 1000
		total += amount
		e := g.sample
		e.kind, e.client, e.order, e.amount = evShipment, int32(ci), s.orderN, amount
		s.schedule(g.day, e)
	}
	if c.prepay && total > 0 { // advance on the order day, before any invoice
		s.schedule(d, event{kind: evAdvance, client: int32(ci), order: s.orderN, amount: total, named: false})
	}
}

// skuInCategory picks one of the client's SKUs in the category, -1 if none.
func (s *sim) skuInCategory(c *client, cat int) int32 {
	n := 0
	for _, xs := range [][]int32{c.core, c.ext} {
		for _, x := range xs {
			if s.w.products[x].cat == cat {
				n++
			}
		}
	}
	if n == 0 {
		return -1
	}
	k := s.r.IntN(n)
	for _, xs := range [][]int32{c.core, c.ext} {
		for _, x := range xs {
			if s.w.products[x].cat == cat {
				if k == 0 {
					return x
				}
				k--
			}
		}
	}
	return -1
}

func containsSKU(xs []int32, x int32) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func (s *sim) handle(d int, e event) {
	switch e.kind {
	case evShipment:
		s.invoice(d, e)
	case evReturn:
		s.writeReturn(d, e)
	case evPayment, evAdvance, evUnknown:
		s.writePayment(d, e)
	}
}

// invoice bills one shipment and decides its return and payments.
func (s *sim) invoice(d int, e event) {
	r, cal := s.r, s.cal
	c := s.w.clients[e.client]
	s.invoiceN++
	inv := s.invoiceN
	due := d + c.terms
	dueStr := ""
	if r.Float64() < 0.1 { // stated on the invoice, sometimes a negotiated delay
		extra := 0
		if r.Float64() < 0.5 {
			extra = 5 + r.IntN(16)
		}
		if d+c.terms+extra <= cal.asOf {
			due += extra
			dueStr = cal.date(due)
		}
	}
	s.invoices.write(cal.monthName(d), []string{invoiceID(inv), cal.date(d), c.id, orderID(e.order), money(e.amount), dueStr})
	s.lastShip[e.client] = d
	var ret int64
	if r.Float64() < 0.015 {
		rd := workday(d + 3 + r.IntN(28))
		rq := e.qty
		if e.qty%1000 != 0 {
			rq = max(1, e.qty*int64(10+r.IntN(51))/100)
		} else if units := e.qty / 1000; units > 1 {
			rq = (1 + r.Int64N(max(1, units/3))) * 1000
		}
		ret = (e.price*rq + 500) / 1000
		named := r.Float64() < 0.8
		if ret > 0 && rd <= cal.asOf {
			s.schedule(rd, event{kind: evReturn, client: e.client, inv: inv, named: named, sku: e.sku, qty: rq,
				amount: ret, price: e.price, reason: uint8(r.IntN(len(returnReasons)))})
		} else {
			ret = 0
		}
	}
	s.schedulePayments(c, e.client, inv, d, due, e.amount-ret)
}

// schedulePayments decides how an invoice is paid, by the client's habit:
// on time before the due date, late by 10–120 days, or in two parts.
// Clients that stopped paying never pay; prepaying clients paid already.
func (s *sim) schedulePayments(c *client, ci int32, inv int64, invDay, due int, net int64) {
	r := s.r
	if net <= 0 || c.prepay || invDay >= c.stopPay {
		return
	}
	onTime := func() int {
		if c.terms == 0 {
			if r.Float64() < 0.6 {
				return invDay
			}
			return invDay + 1 + r.IntN(3)
		}
		return due - r.IntN(min(c.terms, 12)+1)
	}
	late := func() int { return due + 10 + min(110, int(r.ExpFloat64()*25)) }
	named := r.Float64() < 0.9
	pay := func(d int, amount int64, partial bool) {
		d = workday(max(d, invDay))
		s.schedule(d, event{kind: evPayment, client: ci, inv: inv, invDay: int32(invDay), amount: amount, named: named, partial: partial})
	}
	switch c.payProfile {
	case payGood:
		d := onTime()
		if r.Float64() < 0.05 {
			d = due + 3 + r.IntN(25)
		}
		pay(d, net, false)
	case payLate:
		d := onTime()
		if r.Float64() < 0.7 {
			d = late()
		}
		pay(d, net, false)
	default:
		if first := net * int64(40+r.IntN(31)) / 100 / 10000 * 10000; r.Float64() < 0.5 && first > 0 {
			pay(onTime(), first, true)
			pay(due+15+r.IntN(46), net-first, true)
			return
		}
		d := onTime()
		if r.Float64() < 0.3 {
			d = late()
		}
		pay(d, net, false)
	}
}

func (s *sim) writeReturn(d int, e event) {
	cal := s.cal
	c := s.w.clients[e.client]
	s.returnN++
	invID := ""
	if e.named {
		invID = invoiceID(e.inv)
	}
	s.returns.write(cal.monthName(d), []string{seqID("RET-", s.returnN, 6), cal.date(d), c.id, invID,
		s.w.products[e.sku].sku, qty(e.qty), money(e.amount), returnReasons[e.reason]})
	if m := c.managerAt(d); m >= 0 {
		s.sales[m][cal.month(d)] -= e.amount * 1000
	}
}

// vatRate is the Russian VAT rate in percent on a day: 22 % from 2026.
func vatRate(d int) int64 {
	if timeOf(d).Year() >= 2026 {
		return 22
	}
	return 20
}

func vatText(d int, amount int64) string {
	rate := vatRate(d)
	vat := (amount*rate + (100+rate)/2) / (100 + rate)
	return ", в т.ч. НДС " + strconv.FormatInt(rate, 10) + "% - " + money(vat) + " руб."
}

func (s *sim) writePayment(d int, e event) {
	cal, r := s.cal, s.r
	s.paymentN++
	id := seqID("PAY-", s.paymentN, 7)
	if e.kind == evUnknown {
		s.payments.write(cal.monthName(d), []string{id, cal.date(d), "", s.w.unknown[e.inv], money(e.amount), "",
			"Оплата по счету № " + strconv.Itoa(10+r.IntN(300)) + " от " + cal.dmy(d-3) + " за товар" + vatText(d, e.amount)})
		return
	}
	c := s.w.clients[e.client]
	clientID := c.id
	if c.innKnown && r.Float64() < 0.10 { // the statement only carries the payer's INN
		clientID = ""
	}
	invID, purpose := "", ""
	switch {
	case e.kind == evAdvance:
		purpose = "Предоплата по заказу " + orderID(e.order) + vatText(d, e.amount)
	case e.named:
		invID = invoiceID(e.inv)
		purpose = "Оплата по счету "
		if e.partial {
			purpose = "Частичная оплата по счету "
		}
		purpose += invID + " от " + cal.dmy(int(e.invDay)) + vatText(int(e.invDay), e.amount)
	default:
		purpose = "Оплата по договору поставки № ДП-" + c.id[1:] + " за товар" + vatText(int(e.invDay), e.amount)
	}
	s.payments.write(cal.monthName(d), []string{id, cal.date(d), clientID, c.inn, money(e.amount), invID, purpose})
}
