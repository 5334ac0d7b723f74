package gen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

type generator struct {
	opt      Options
	r        *rand.Rand
	w        *writers
	start    time.Time // first day of history
	asOf     time.Time
	months   []time.Time
	mgrs     []*manager
	clients  []*client
	products []*product
	promos   []*promo
	byCat    [][]int // product indexes per category
	scale    float64 // order-count multiplier for OrderLines

	// per manager × month: shipped sales (kopecks), new and active clients, for plans
	sales  map[[2]int]int64
	newCl  map[[2]int]int
	active map[[2]int]int

	// events dated in later months, written when their month comes
	pending map[time.Time][]event

	states []clientState
	deals  []deal

	orderSeq, invoiceSeq, returnSeq, paymentSeq, activitySeq, dealSeq int
}

type event struct {
	entity string
	date   time.Time
	rec    []string
}

func newGenerator(dir string, opt Options) *generator {
	asOf := day(opt.AsOf)
	start := monthStart(asOf).AddDate(0, -(opt.Months - 1), 0)
	g := &generator{
		opt:     opt,
		r:       rand.New(rand.NewPCG(uint64(opt.Seed), uint64(opt.Seed)*0x9E3779B97F4A7C15+1)),
		w:       newWriters(dir),
		start:   start,
		asOf:    asOf,
		sales:   map[[2]int]int64{},
		newCl:   map[[2]int]int{},
		active:  map[[2]int]int{},
		pending: map[time.Time][]event{},
	}
	for m := start; !m.After(asOf); m = m.AddDate(0, 1, 0) {
		g.months = append(g.months, m)
	}
	return g
}

func (g *generator) monthIndex(t time.Time) int {
	return (t.Year()-g.start.Year())*12 + int(t.Month()) - int(g.start.Month())
}

// randDay is a uniformly random day of [from, to].
func (g *generator) randDay(from, to time.Time) time.Time {
	n := int(to.Sub(from).Hours() / 24)
	if n <= 0 {
		return from
	}
	return from.AddDate(0, 0, g.r.IntN(n+1))
}

func (g *generator) run(ctx context.Context) error {
	g.makeManagers()
	g.makeProducts()
	g.makeClients()
	g.makePromotions()
	g.calibrate()
	for _, m := range g.months {
		if err := ctx.Err(); err != nil {
			return err
		}
		g.orders(m)
		g.activities(m)
		g.flush(m)
		if g.w.err != nil {
			return g.w.err
		}
	}
	g.writeReference()
	g.plans()
	return g.w.err
}

func (g *generator) makeManagers() {
	n := g.opt.Managers
	for i := 0; i < n; i++ {
		m := &manager{
			id:         fmt.Sprintf("M%02d", i+1),
			name:       pick(g.r, lastNames) + " " + pick(g.r, firstNames),
			team:       teams[i%len(teams)],
			target:     40000 + 5000*g.r.IntN(11),
			perf:       0.8 + 0.45*g.r.Float64(),
			planFactor: 0.85 + 0.35*g.r.Float64(),
		}
		m.email = fmt.Sprintf("%s@example.ru", strings.ToLower(m.id))
		m.hired = g.start.AddDate(-1-g.r.IntN(5), -g.r.IntN(12), 0)
		g.mgrs = append(g.mgrs, m)
	}
	// One joins mid-history on the 15th, one leaves three months before the as-of date.
	hire := g.months[len(g.months)/3].AddDate(0, 0, 14)
	g.mgrs[n-1].hired = hire
	g.mgrs[n-2].left = monthStart(g.asOf).AddDate(0, -3, 9)
}

func (g *generator) employed(mi int, t time.Time) bool {
	m := g.mgrs[mi]
	return !t.Before(m.hired) && (m.left.IsZero() || t.Before(m.left))
}

// managerAt picks a random manager employed on t.
func (g *generator) managerAt(t time.Time) int {
	for {
		mi := g.r.IntN(len(g.mgrs))
		if g.employed(mi, t) {
			return mi
		}
	}
}

func (g *generator) makeProducts() {
	g.byCat = make([][]int, len(categories))
	for i := 0; i < 200; i++ {
		cat := i % len(categories)
		p := &product{
			sku:   fmt.Sprintf("SKU-%04d", i+1),
			cat:   cat,
			brand: pick(g.r, brands),
			price: int64(5000 + g.r.IntN(400000)), // 50–4 050 ₽
		}
		p.name = fmt.Sprintf("%s %s %d", categories[cat], p.brand, 100+g.r.IntN(900))
		if g.r.IntN(5) == 0 {
			p.change = g.months[len(g.months)/2].AddDate(0, 0, g.r.IntN(28))
			p.changePct = 5 + g.r.IntN(6)
		}
		g.products = append(g.products, p)
		g.byCat[cat] = append(g.byCat[cat], i)
	}
}

// columnPrice is the price-list price of a column on a date, in kopecks.
func (p *product) columnPrice(col string, t time.Time) int64 {
	base := p.price
	if !p.change.IsZero() && !t.Before(p.change) {
		base = base * int64(100+p.changePct) / 100
	}
	switch col {
	case "B":
		return base * 95 / 100
	case "C":
		return base * 90 / 100
	}
	return base
}

func (g *generator) clientName(i int) string {
	if g.opt.Hostile && i%53 == 6 {
		return HostileNames[(i/53)%len(HostileNames)]
	}
	w := pick(g.r, words) + pick(g.r, kinds)
	switch g.r.IntN(10) {
	case 0, 1:
		return "ИП " + pick(g.r, lastNames) + " " + string([]rune(pick(g.r, firstNames))[:1]) + "."
	case 2, 3:
		return "АО «" + w + "»"
	default:
		return "ООО «" + w + "»"
	}
}

func (g *generator) makeClients() {
	last := g.months[len(g.months)-1]
	for i := 0; i < g.opt.Clients; i++ {
		c := &client{
			id:      fmt.Sprintf("C%04d", i+1),
			segment: segments[g.r.IntN(len(segments))],
			region:  pick(g.r, regions),
			isKey:   g.r.IntN(100) < 15,
			terms:   []int{0, 14, 30, 30, 45, 60}[g.r.IntN(6)],
		}
		c.name = g.clientName(i)
		if len(c.name) > 3 && c.name[:3] == "ИП"[:3] {
			c.inn = inn12(g.r)
		} else {
			c.inn = inn10(g.r)
		}
		c.priceCol = []string{"A", "B", "B", "C", "C"}[g.r.IntN(5)]
		if g.r.IntN(10) < 7 {
			c.creditLimit = 100000 * (1 + g.r.IntN(20))
		}
		// 40 % are clients from the start; the rest arrive month by month.
		if g.r.IntN(10) < 4 {
			c.arrive = g.start.AddDate(0, 0, g.r.IntN(20))
		} else {
			c.arrive = g.randDay(g.start, last.AddDate(0, 0, 27))
		}
		if c.arrive.After(g.asOf) {
			c.arrive = g.asOf
		}
		if g.r.IntN(10) == 0 {
			c.churn = g.randDay(c.arrive.AddDate(0, 2, 0), g.asOf.AddDate(0, 6, 0))
		}
		if g.r.IntN(100) < 3 {
			c.stopPay = g.randDay(g.start.AddDate(0, len(g.months)/2, 0), g.asOf)
		}
		nc := 2 + g.r.IntN(4)
		perm := g.r.Perm(len(categories))
		c.cats = perm[:nc]
		c.freq = 1.2 + g.r.Float64()
		if c.isKey {
			c.freq = 3.5 + 2*g.r.Float64()
		}
		// Assignment from arrival; ~5 % move to another KAM mid-history,
		// and the clients of a KAM who leaves move on the day they leave.
		mi := g.managerAt(c.arrive)
		c.spans = []span{{manager: mi, from: c.arrive}}
		if g.r.IntN(100) < 5 {
			t := g.randDay(c.arrive.AddDate(0, 1, 0), g.asOf)
			if t.Before(g.asOf) {
				g.reassign(c, t)
			}
		}
		for {
			cur := &c.spans[len(c.spans)-1]
			lm := g.mgrs[cur.manager].left
			if lm.IsZero() || !lm.After(cur.from) {
				break
			}
			g.reassign(c, lm)
		}
		g.clients = append(g.clients, c)
	}
}

func (g *generator) reassign(c *client, t time.Time) {
	cur := &c.spans[len(c.spans)-1]
	next := g.managerAt(t)
	for next == cur.manager {
		next = g.managerAt(t)
	}
	cur.to = t
	c.spans = append(c.spans, span{manager: next, from: t})
}

// managerOf is the client's manager on t (-1 before arrival).
func (c *client) managerOf(t time.Time) int {
	for _, s := range c.spans {
		if !t.Before(s.from) && (s.to.IsZero() || t.Before(s.to)) {
			return s.manager
		}
	}
	return -1
}

func (g *generator) makePromotions() {
	n := 0
	for _, m := range g.months {
		if g.r.IntN(2) != 0 {
			continue
		}
		n++
		p := &promo{id: fmt.Sprintf("PR-%03d", n), cat: -1, discount: 5 + g.r.IntN(11)}
		p.from = m.AddDate(0, 0, g.r.IntN(15))
		p.to = p.from.AddDate(0, 0, 6+g.r.IntN(9))
		if g.r.IntN(3) == 0 {
			p.sku = g.r.IntN(len(g.products))
			p.name = fmt.Sprintf("Скидка на %s", g.products[p.sku].sku)
		} else {
			p.cat = g.r.IntN(len(categories))
			p.name = fmt.Sprintf("Неделя категории «%s»", categories[p.cat])
		}
		g.promos = append(g.promos, p)
	}
}

func (g *generator) promoFor(pi int, t time.Time) *promo {
	for _, p := range g.promos {
		if t.Before(p.from) || t.After(p.to) {
			continue
		}
		if (p.cat >= 0 && p.cat == g.products[pi].cat) || (p.cat < 0 && p.sku == pi) {
			return p
		}
	}
	return nil
}

// trend grows demand about 8 % a year.
func (g *generator) trend(m time.Time) float64 {
	return math.Pow(1.08, float64(g.monthIndex(m))/12)
}

func (g *generator) lambda(c *client, m time.Time) float64 {
	mi := c.managerOf(m.AddDate(0, 0, 14))
	if mi < 0 {
		mi = c.spans[0].manager
	}
	return c.freq * seasonality(m.Month(), c.segment) * g.trend(m) * g.mgrs[mi].perf
}

const meanLines = 6.0 // lines per order: 1 + Binomial-ish(10, 0.5)

// calibrate scales order counts to reach about OrderLines lines.
func (g *generator) calibrate() {
	g.scale = 1
	if g.opt.OrderLines <= 0 {
		return
	}
	var expected float64
	for _, c := range g.clients {
		for _, m := range g.months {
			if g.activeIn(c, m) {
				expected += g.lambda(c, m) * g.monthFraction(c, m)
			}
		}
	}
	if expected > 0 {
		g.scale = float64(g.opt.OrderLines) / (expected * meanLines)
	}
}

func (g *generator) activeIn(c *client, m time.Time) bool {
	end := m.AddDate(0, 1, -1)
	return !c.arrive.After(end) && (c.churn.IsZero() || c.churn.After(m))
}

// monthFraction is the part of month m in which the client can order.
func (g *generator) monthFraction(c *client, m time.Time) float64 {
	from, to := m, m.AddDate(0, 1, -1)
	if c.arrive.After(from) {
		from = c.arrive
	}
	if to.After(g.asOf) {
		to = g.asOf
	}
	if !c.churn.IsZero() && c.churn.Before(to) {
		to = c.churn
	}
	if to.Before(from) {
		return 0
	}
	days := float64(m.AddDate(0, 1, 0).Sub(m).Hours() / 24)
	return (to.Sub(from).Hours()/24 + 1) / days
}

func (g *generator) later(e event) {
	k := monthStart(e.date)
	g.pending[k] = append(g.pending[k], e)
}

// flush writes the events of month m (dated in it) and closes its files.
func (g *generator) flush(m time.Time) {
	evs := g.pending[m]
	delete(g.pending, m)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].date.Before(evs[j].date) })
	name := m.Format("2006-01")
	for _, e := range evs {
		if e.date.After(g.asOf) {
			continue
		}
		g.w.write(e.entity, e.entity+"_"+name, e.rec)
	}
	for _, e := range []string{"order_lines", "invoices", "returns", "payments", "activities"} {
		g.w.close(e, e+"_"+name)
	}
}
