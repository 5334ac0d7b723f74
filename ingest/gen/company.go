package gen

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// RNG streams: each part of the company draws from its own stream, so
// e.g. more clients do not change the products, and --order-lines does not
// change the CRM.
const (
	streamManagers = iota + 1
	streamProducts
	streamClients
	streamAssign
	streamPromos
	streamOrders
	streamActivities
	streamDeals
	streamNotes
	streamPlans
)

func newRand(seed int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x6b616d00+stream))
}

type manager struct {
	id, name, email, team string
	teamIdx               int
	hired                 int     // first working day
	left                  int     // last working day; openEnd = still employed
	varTarget             int64   // kopecks a month
	planFactor            float64 // targets ≈ actual × factor: < 1 beats the plan
	discipline            float64 // share of planned activities done
	breach                float64 // chance to sell below the allowed column
	weight                float64 // share of new clients they get
}

// employed says the manager works on d and for margin more days.
func (m *manager) employed(d, margin int) bool { return d >= m.hired && d+margin <= m.left }

type pricePoint struct {
	from int
	col  [3]int64 // kopecks for columns A, B, C
}

type product struct {
	sku, name, brand string
	cat              int
	pack             int
	weight           bool
	popularity       float64
	prices           []pricePoint // by from, ascending
}

func (p *product) price(d, col int) int64 {
	for i := len(p.prices) - 1; i > 0; i-- {
		if d >= p.prices[i].from {
			return p.prices[i].col[col]
		}
	}
	return p.prices[0].col[col]
}

type promo struct {
	id, name string
	start    int
	end      int // inclusive
	cat      int // -1 for a SKU promo
	sku      int // -1 for a category promo
	pct      int
}

func (p *promo) covers(d int, prod *product, pi int) bool {
	return d >= p.start && d <= p.end && (p.sku == pi || (p.sku < 0 && p.cat == prod.cat))
}

type span struct {
	mgr      int
	from, to int // to exclusive; openEnd = still assigned
}

const (
	kindExisting = iota // ordering before the history starts
	kindNew             // arrives during the history
	kindProspect        // in the CRM, never orders
)

const (
	payGood = iota
	payLate
	payPartial
)

type client struct {
	id, name, inn string // inn as the bank knows it
	innKnown      bool   // the CRM has the INN too
	seg, region   int
	ip, isKey     bool
	column        int   // 0..2 = A..C
	creditLimit   int64 // kopecks; -1 = no limit
	terms         int
	prepay        bool // pays an advance before shipment
	payProfile    int
	kind          int
	created       int
	arrival       int // first day it can order; openEnd for prospects
	churn         int // first day it no longer orders; openEnd = never
	stopPay       int // invoices from this day on are never paid; openEnd = never
	ordersPerDay  float64
	regularity    int // shape of the gaps between orders: 1 = at random, 8 = like clockwork
	linesMean     float64
	units         float64
	drift         float64 // own growth a year, on top of the market trend
	core, ext     []int32 // preferred and occasional SKUs
	catShare      []float64
	monthly       int64 // expected monthly purchases, kopecks
	segs          []span
	firstForced   bool // a new client orders on its arrival day
}

func (c *client) managerAt(d int) int {
	for _, s := range c.segs {
		if d >= s.from && d < s.to {
			return s.mgr
		}
	}
	return -1
}

func (c *client) orders() bool { return c.kind != kindProspect }

// world is the company before any order: people, clients, products, prices.
type world struct {
	opt      Options
	cal      *calendar
	span     int // days of history
	mgrs     []*manager
	teams    []string
	newHire  int // index of the KAM hired mid-history, -1 none
	leaver   int // index of the KAM who left, -1 none
	clients  []*client
	products []*product
	promos   []*promo
	inns     map[string]bool
	unknown  []string // INNs of payers that are no client
	demand   [][]float64
}

func newWorld(opt Options) *world {
	w := &world{opt: opt, cal: newCalendar(opt.AsOf, opt.Months), inns: map[string]bool{"7701234567": true}}
	w.span = w.cal.asOf - w.cal.start + 1
	w.makeManagers(newRand(opt.Seed, streamManagers))
	w.makeProducts(newRand(opt.Seed, streamProducts))
	w.makeClients(newRand(opt.Seed, streamClients))
	w.makeAssignments(newRand(opt.Seed, streamAssign))
	w.makePromotions(newRand(opt.Seed, streamPromos))
	w.makeDemand()
	return w
}

// clampDay keeps d within [lo, hi] (lo wins if the range is empty).
func clampDay(d, lo, hi int) int { return max(lo, min(d, hi)) }

// midMonth moves d to a day between the 8th and the 22nd of its month.
func (w *world) midMonth(r *rand.Rand, d int) int {
	i := w.cal.month(d)
	if i < 0 {
		return d
	}
	return w.cal.monthStart[i] + 7 + r.IntN(15)
}

func (w *world) makeManagers(r *rand.Rand) {
	n := w.opt.Managers
	w.teams = []string{"Центр", "Северо-Запад", "Регионы"}[:min(n, 2+boolInt(n >= 8))]
	factors := make([]float64, n)
	for i := range factors {
		factors[i] = 1
		if n > 1 {
			factors[i] = 0.85 + 0.35*float64(i)/float64(n-1)
		}
	}
	r.Shuffle(n, func(i, j int) { factors[i], factors[j] = factors[j], factors[i] })
	names, emails := map[string]bool{}, map[string]bool{}
	S, A := w.cal.start, w.cal.asOf
	for i := range n {
		p := randomPerson(r)
		for names[p.full()] {
			p = randomPerson(r)
		}
		names[p.full()] = true
		email := latin(string([]rune(p.first)[:1])) + "." + latin(p.last)
		for k := 2; emails[email]; k++ {
			email = fmt.Sprintf("%s.%s%d", latin(string([]rune(p.first)[:1])), latin(p.last), k)
		}
		emails[email] = true
		w.mgrs = append(w.mgrs, &manager{
			id: fmt.Sprintf("M%02d", i+1), name: p.full(), email: email + "@demo-distrib.ru",
			teamIdx: i % len(w.teams), team: w.teams[i%len(w.teams)],
			hired: S - 120 - r.IntN(2900), left: openEnd,
			varTarget:  int64(40000+5000*r.IntN(11)) * 100,
			planFactor: factors[i], discipline: 0.68 + 0.24*r.Float64(),
			breach: 0.01 + 0.045*r.Float64(), weight: 0.7 + 0.6*r.Float64(),
		})
	}
	w.newHire, w.leaver = -1, -1
	if n >= 2 && w.span > 60 {
		w.newHire = n - 1
		d := S + int(float64(w.span)*(0.3+0.15*r.Float64()))
		w.mgrs[n-1].hired = clampDay(w.midMonth(r, d), S+15, A-30)
	}
	if n >= 3 && w.span > 90 {
		w.leaver = r.IntN(n - 1)
		d := S + int(float64(w.span)*(0.6+0.15*r.Float64()))
		w.mgrs[w.leaver].left = clampDay(w.midMonth(r, d), S+45, A-20)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *world) makeProducts(r *rand.Rand) {
	type draft struct {
		name, brand string
		cat         int
		it          item
	}
	var all []draft
	for ci, cat := range catalogue {
		var combos []draft
		for _, it := range cat.items {
			for _, size := range it.sizes {
				for _, b := range cat.brands {
					name := it.name + " «" + b + "» " + size
					if it.weight {
						name = it.name + " «" + b + "», кг"
					}
					combos = append(combos, draft{name, b, ci, it})
				}
			}
		}
		r.Shuffle(len(combos), func(i, j int) { combos[i], combos[j] = combos[j], combos[i] })
		all = append(all, combos[:min(cat.skus, len(combos))]...)
	}
	// SKU codes interleave the categories, as an ERP numbering would.
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	S, A := w.cal.start, w.cal.asOf
	for i, d := range all {
		p := &product{sku: fmt.Sprintf("SKU-%04d", i+1), name: d.name, brand: d.brand, cat: d.cat,
			pack: d.it.pack, weight: d.it.weight, popularity: math.Exp(0.7 * r.NormFloat64())}
		roubles := d.it.lo * math.Pow(d.it.hi/d.it.lo, r.Float64())
		a := int64(math.Round(roubles))*100 - 10 // shelf-style x.90 prices
		p.prices = []pricePoint{{S, columns(a)}}
		// About a third of the SKUs get a price rise during the history,
		// mostly from the 1st of a month, some twice.
		if r.Float64() < 0.35 && w.span > 60 {
			from := S + int(float64(w.span)*(0.15+0.45*r.Float64()))
			changes := 1 + boolInt(r.Float64() < 0.3)
			for k := 0; k < changes && from < A; k++ {
				if r.Float64() < 0.7 {
					from = w.cal.monthStart[w.cal.month(from)+1]
				}
				if from > A {
					break
				}
				a = a * int64(103+r.IntN(10)) / 100
				p.prices = append(p.prices, pricePoint{from, columns(a)})
				from += 60 + r.IntN(200)
			}
		}
		w.products = append(w.products, p)
	}
}

// columns derives the price-list columns from column A: B is 5 % and C 10 %
// below it.
func columns(a int64) [3]int64 { return [3]int64{a, (a*95 + 50) / 100, (a*90 + 50) / 100} }

func weighted(r *rand.Rand, ws []float64) int {
	var sum float64
	for _, x := range ws {
		sum += x
	}
	u := r.Float64() * sum
	for i, x := range ws {
		if u < x {
			return i
		}
		u -= x
	}
	return len(ws) - 1
}

func (w *world) makeClients(r *rand.Rand) {
	n := w.opt.Clients
	S, A := w.cal.start, w.cal.asOf
	nProspect := 0
	if n >= 20 {
		nProspect = n * 5 / 100
	}
	// New clients arrive at 17 % of the starting base a year and clients
	// leave at 15 % a year: the base grows slowly, as a mature one does.
	years := float64(w.span) / 365.25
	nNew := n - nProspect - int(math.Round(float64(n-nProspect)/(1+0.17*years)))
	if n-nProspect-nNew < 1 {
		nNew = max(0, n-nProspect-1)
	}
	segShares := make([]float64, len(segments))
	for i, s := range segments {
		segShares[i] = s.share
	}
	regionW := make([]float64, len(regionCodes))
	for i, rc := range regionCodes {
		regionW[i] = rc.w
	}
	names := map[string]bool{}
	for i := range n {
		c := &client{kind: kindExisting, churn: openEnd, stopPay: openEnd}
		switch {
		case i < nProspect:
			c.kind = kindProspect
		case i < nProspect+nNew:
			c.kind = kindNew
		}
		c.seg = weighted(r, segShares)
		seg := &segments[c.seg]
		c.region = weighted(r, regionW)
		c.ip = c.seg != segWholesale && r.Float64() < 0.12
		c.name = w.clientName(r, c, names)
		c.isKey = !c.ip && r.Float64() < seg.keyChance
		size := math.Exp(0.5 * r.NormFloat64())
		if c.isKey {
			size *= 2 + 1.5*r.Float64()
		}
		c.ordersPerDay = min(30, max(0.5, seg.orders*math.Sqrt(size)*(0.8+0.4*r.Float64()))) * 12 / 365.25
		c.regularity = []int{1, 2, 4, 8}[weighted(r, []float64{30, 35, 25, 10})]
		if c.isKey {
			c.regularity = 4 + 4*r.IntN(2)
		}
		c.linesMean = min(40, max(1.5, seg.lines*math.Pow(size, 0.3)))
		c.units = seg.units * math.Sqrt(size)
		c.drift = 0.08 * r.NormFloat64()
		c.terms = []int{0, 14, 30, 45, 60}[weighted(r, []float64{15, 20, 35, 18, 12})]
		if c.isKey { // key accounts negotiate longer terms
			c.terms = []int{30, 45, 60}[weighted(r, []float64{30, 40, 30})]
		}
		c.prepay = c.terms == 0 && r.Float64() < 0.5
		c.payProfile = weighted(r, []float64{72, 17, 11})
		switch {
		case c.isKey || c.seg == segWholesale:
			c.column = 1 + weighted(r, []float64{45, 55})
		default:
			c.column = weighted(r, []float64{55, 35, 10})
		}
		w.pickAssortment(r, c)
		inn := randomINN(r, regionCodes[c.region].inn, c.ip)
		for w.inns[inn] {
			inn = randomINN(r, regionCodes[c.region].inn, c.ip)
		}
		w.inns[inn] = true
		c.inn, c.innKnown = inn, r.Float64() >= 0.015 // a few CRM records lack the INN the bank knows
		switch c.kind {
		case kindExisting:
			c.created, c.arrival = S-30-r.IntN(2500), S
		case kindNew:
			// arrivals grow a little over time: more new clients later
			a := S + 1 + int(float64(max(w.span-4, 1))*math.Pow(r.Float64(), 0.85))
			if weekday(a) == time.Sunday {
				a++
			}
			c.arrival = min(a, A)
			c.created = c.arrival - r.IntN(21)
			c.firstForced = true
		default:
			c.created, c.arrival = S+r.IntN(w.span), openEnd
		}
		if c.orders() { // leaves at a hazard of 15 % a year, not in its first two months
			if d := c.arrival + 60 + int(r.ExpFloat64()/0.15*365.25); d <= A-30 {
				c.churn = d
			}
		}
		c.creditLimit = -1
		switch {
		case c.prepay:
			c.creditLimit = 0
		case r.Float64() < 0.75:
			lim := float64(c.monthly) * (float64(c.terms)/30 + 1) * (0.9 + 0.9*r.Float64())
			c.creditLimit = max(5_000_000, int64(math.Round(lim/5_000_000))*5_000_000)
		}
		w.clients = append(w.clients, c)
	}
	// CRM numbering follows the creation date.
	slices.SortStableFunc(w.clients, func(a, b *client) int { return cmp.Compare(a.created, b.created) })
	for i, c := range w.clients {
		c.id = fmt.Sprintf("C%04d", i+1)
	}
	w.pickNonPayers(r)
	if w.opt.Hostile {
		w.hostile()
	}
	// Payers that are no client: unknown INNs in bank statements.
	for len(w.unknown) < 2 {
		inn := randomINN(r, "77", false)
		if !w.inns[inn] {
			w.inns[inn] = true
			w.unknown = append(w.unknown, inn)
		}
	}
}

func (w *world) clientName(r *rand.Rand, c *client, used map[string]bool) string {
	for try := 0; ; try++ {
		var name string
		switch {
		case c.ip:
			name = "ИП " + randomPerson(r).full()
		default:
			form := []string{"ООО", "ООО", "ООО", "ООО", "АО"}[r.IntN(5)]
			inner := pick(r, companyWords) + pick(r, companyTails)
			if r.Float64() < 0.55 {
				inner = fmt.Sprintf(pick(r, segments[c.seg].names), pick(r, niceWords))
			}
			name = form + " «" + inner + "»"
		}
		if try > 20 {
			name = strings.TrimSuffix(name, "»") + fmt.Sprintf("-%d»", try)
		}
		if !used[name] {
			used[name] = true
			return name
		}
	}
}

// pickAssortment draws the SKUs a client buys, weighted by the segment's
// category affinity and SKU popularity (Efraimidis–Spirakis sampling).
func (w *world) pickAssortment(r *rand.Rand, c *client) {
	aff := segments[c.seg].affinity
	type keyed struct {
		key float64
		i   int32
	}
	keys := make([]keyed, 0, len(w.products))
	for i, p := range w.products {
		wt := aff[p.cat] * p.popularity
		if wt <= 0 {
			continue
		}
		keys = append(keys, keyed{math.Pow(r.Float64(), 1/wt), int32(i)})
	}
	slices.SortFunc(keys, func(a, b keyed) int {
		if c := cmp.Compare(b.key, a.key); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	k := min(len(keys), max(5, int(math.Round(c.linesMean*(2.5+1.5*r.Float64())))))
	nCore := max(1, k*2/5)
	c.catShare = make([]float64, len(catalogue))
	var value float64
	for j := range k {
		if j < nCore {
			c.core = append(c.core, keys[j].i)
		} else {
			c.ext = append(c.ext, keys[j].i)
		}
		p := w.products[keys[j].i]
		v := float64(p.prices[0].col[c.column])
		if p.weight {
			v *= 0.4 // kilograms, not units
		}
		c.catShare[p.cat] += v
		value += v
	}
	for i := range c.catShare {
		c.catShare[i] /= value
	}
	avg := value / float64(k)
	c.monthly = int64(c.ordersPerDay * 30.4 * c.linesMean * c.units * 1.13 * avg)
}

// pickNonPayers chooses the 2–3 % of clients that stop paying at some
// point: their later invoices stay open, and they stop ordering (credit
// hold) one to two and a half months later.
func (w *world) pickNonPayers(r *rand.Rand) {
	S, A := w.cal.start, w.cal.asOf
	var cand, ordering []int
	for i, c := range w.clients {
		if !c.orders() {
			continue
		}
		ordering = append(ordering, i)
		if c.churn == openEnd && !c.prepay && c.arrival <= A-240 {
			cand = append(cand, i)
		}
	}
	if len(ordering) < 10 || len(cand) == 0 {
		return
	}
	k := min(len(cand), max(1, int(math.Round(0.025*float64(len(ordering))))))
	for _, j := range r.Perm(len(cand))[:k] {
		c := w.clients[cand[j]]
		lo, hi := max(c.arrival+60, S+w.span/3), A-150
		c.stopPay = lo
		if hi > lo {
			c.stopPay = lo + r.IntN(hi-lo)
		}
		c.churn = c.stopPay + 30 + r.IntN(46)
	}
}

// hostile renames a few long-standing, still active clients, so the names
// show up on every dashboard.
func (w *world) hostile() {
	limit := max(1, len(w.clients)/10)
	k := 0
	for i, c := range w.clients {
		if k >= len(HostileNames) || k >= limit {
			break
		}
		if i == 0 || c.kind != kindExisting || c.churn != openEnd || c.stopPay != openEnd {
			continue
		}
		c.name = HostileNames[k]
		k++
	}
}

// makeAssignments gives every client an owner from its creation, moves
// ~5 % to another KAM mid-history (some mid-month), hands the new hire a
// few clients on the hiring day, and moves the clients of the KAM who left
// on the day after the last working day.
func (w *world) makeAssignments(r *rand.Rand) {
	S, A := w.cal.start, w.cal.asOf
	choose := func(d, not, team int) int {
		ws := make([]float64, len(w.mgrs))
		same := false
		for i, m := range w.mgrs {
			if i != not && m.employed(d, 30) && m.teamIdx == team {
				same = true
			}
		}
		for i, m := range w.mgrs {
			if i == not || !m.employed(d, 30) || (same && m.teamIdx != team && r.Float64() < 0.7) {
				continue
			}
			ws[i] = m.weight
			if i == w.newHire && d < m.hired+365 {
				ws[i] *= 2.5 // building a portfolio
			}
		}
		var sum float64
		for _, x := range ws {
			sum += x
		}
		if sum == 0 { // nobody else: keep whoever is employed
			for i, m := range w.mgrs {
				if m.employed(d, 0) {
					return i
				}
			}
			return 0
		}
		return weighted(r, ws)
	}
	for _, c := range w.clients {
		t0 := c.created
		if c.kind == kindExisting {
			t0 = S
		}
		m := choose(t0, -1, r.IntN(len(w.teams)))
		from := t0
		if c.kind == kindExisting {
			from = max(c.created, w.mgrs[m].hired)
		}
		c.segs = []span{{m, from, openEnd}}
	}
	reassign := func(c *client, d, m int) {
		for i, s := range c.segs {
			if d < s.from || d >= s.to || s.mgr == m {
				continue
			}
			if d == s.from {
				c.segs[i].mgr = m
				return
			}
			c.segs[i].to = d
			c.segs = slices.Insert(c.segs, i+1, span{m, d, s.to})
			return
		}
	}
	for _, c := range w.clients {
		if !c.orders() || r.Float64() >= 0.05 {
			continue
		}
		lo, hi := max(c.arrival, S)+30, min(c.churn, A)-20
		if lo >= hi {
			continue
		}
		d := lo + r.IntN(hi-lo)
		if r.Float64() < 0.6 { // most moves from the 1st of a month
			if first := w.cal.monthStart[w.cal.month(d)+1]; first < hi {
				d = first
			}
		}
		cur := c.managerAt(d)
		reassign(c, d, choose(d, cur, w.mgrs[cur].teamIdx))
	}
	if w.newHire >= 0 {
		h := w.mgrs[w.newHire].hired
		var live []*client
		for _, c := range w.clients {
			if c.orders() && c.arrival <= h && c.churn > h+60 && c.managerAt(h) >= 0 {
				live = append(live, c)
			}
		}
		k := min(len(live), max(1, len(w.clients)*3/100))
		for _, j := range r.Perm(len(live))[:k] {
			reassign(live[j], h, w.newHire)
		}
	}
	if w.leaver >= 0 {
		next := w.mgrs[w.leaver].left + 1
		for _, c := range w.clients {
			for i := 0; i < len(c.segs); i++ {
				s := c.segs[i]
				if s.mgr != w.leaver || s.to <= next {
					continue
				}
				not := w.leaver
				repl := choose(next, not, w.mgrs[w.leaver].teamIdx)
				for try := 0; i+1 < len(c.segs) && repl == c.segs[i+1].mgr && try < 10; try++ {
					repl = choose(next, not, r.IntN(len(w.teams)))
				}
				c.segs[i].to = next
				c.segs = slices.Insert(c.segs, i+1, span{repl, next, s.to})
				break
			}
		}
	}
	// Adjacent spans with the same manager are one assignment.
	for _, c := range w.clients {
		out := c.segs[:1]
		for _, s := range c.segs[1:] {
			if last := &out[len(out)-1]; last.mgr == s.mgr && last.to == s.from {
				last.to = s.to
				continue
			}
			out = append(out, s)
		}
		c.segs = out
	}
}

// Promotion calendar: about six a year, by month of the year.
var promoPlan = []struct {
	month int
	cat   int
	sku   bool
	name  string
}{
	{2, catSweets, false, "К 23 февраля и 8 марта: кондитерские изделия"},
	{4, catAuto, true, "Весенний сезон: %s"},
	{6, catDrinks, false, "Лето: напитки"},
	{8, catGrocery, true, "Скидка недели: %s"},
	{10, catHousehold, false, "Осенняя уборка: бытовая химия"},
	{12, catCoffee, false, "Новогодняя: кофе и чай"},
}

func (w *world) makePromotions(r *rand.Rand) {
	S, A := w.cal.start, w.cal.asOf
	for i := 0; i < w.cal.nMonths; i++ {
		first := w.cal.monthStart[i]
		month := int(timeOf(first).Month())
		for _, pp := range promoPlan {
			if pp.month != month {
				continue
			}
			start := first + r.IntN(12)
			end := start + 6 + r.IntN(15)
			if start < S || end > A {
				continue
			}
			p := &promo{start: start, end: end, cat: pp.cat, sku: -1, pct: []int{5, 7, 10, 12, 15}[r.IntN(5)], name: pp.name}
			if pp.sku {
				var in []int
				for j, prod := range w.products {
					if prod.cat == pp.cat {
						in = append(in, j)
					}
				}
				p.sku = in[r.IntN(len(in))]
				p.cat = -1
				p.name = fmt.Sprintf(pp.name, w.products[p.sku].name)
			}
			w.promos = append(w.promos, p)
		}
	}
	for i, p := range w.promos {
		p.id = fmt.Sprintf("PR-%03d", i+1)
	}
}

// makeDemand tabulates the market's daily factor per segment: weekday ×
// season × a trend of +1.5 % a year per client (with the growing client
// base and the price rises, total sales grow about 8 % a year).
func (w *world) makeDemand() {
	w.demand = make([][]float64, len(segments))
	for s, seg := range segments {
		var wsum float64
		for _, x := range seg.weekdays {
			wsum += x
		}
		w.demand[s] = make([]float64, w.span)
		for i := range w.span {
			d := w.cal.start + i
			month := timeOf(d).Month()
			trend := math.Pow(1.015, float64(i)/365.25)
			w.demand[s][i] = seg.weekdays[weekday(d)] * 7 / wsum * seg.season[month-1] * trend
		}
	}
}
