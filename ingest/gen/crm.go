package gen

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"time"
)

// CRM entities: activities, deals and competitor notes. They depend on the
// company (who owns whom, when clients arrive, churn or stop paying) but
// not on the orders, so each has its own random stream.

var activityResults = map[string][]string{
	"visit":   {"Согласован заказ", "Презентация новинок", "Обсудили ассортимент и выкладку", "Проверка остатков, дозаказ", "Обсудили условия оплаты", "Подписано доп. соглашение"},
	"call":    {"Принят заказ", "Напоминание об оплате", "Уточнение заказа", "Клиент просит скидку", "Согласована встреча", "Информирование об акции"},
	"meeting": {"Переговоры об условиях на следующий год", "Обсуждение спецификации", "Встреча с закупщиком", "Согласование ретро-бонуса"},
	"email":   {"Отправлено коммерческое предложение", "Отправлен прайс-лист", "Отправлен акт сверки", "Отправлены условия акции"},
}

var prospectResults = []string{"Холодный звонок: есть интерес", "Первичная встреча", "Отправлено коммерческое предложение", "Холодный звонок: не актуально", "Запрошены реквизиты"}

type activity struct {
	mgr           int
	client        string
	kind          string
	planned, done int // 0 = none
	status        string
	result        string
}

func (a *activity) day() int {
	if a.planned > 0 {
		return a.planned
	}
	return a.done
}

// writeActivities plans, week by week and per KAM, visits, calls, meetings
// and e-mails to own clients and to prospects (empty client_id), and
// settles them by the KAM's discipline: done, cancelled or missed; the
// next two weeks after the as-of date are only planned.
func (w *world) writeActivities(ctx context.Context, t *table) error {
	r := newRand(w.opt.Seed, streamActivities)
	cal := w.cal
	S, A := cal.start, cal.asOf
	horizon := A + 14
	own := make([][]int, len(w.mgrs))
	var week []activity
	var seq int64
	for mon := S - (int(weekday(S))+6)%7; mon <= horizon; mon += 7 {
		if err := ctx.Err(); err != nil {
			return err
		}
		ref := max(mon, S)
		for i := range own {
			own[i] = own[i][:0]
		}
		for ci, c := range w.clients {
			gone := c.churn + 60
			if c.stopPay < openEnd {
				gone = c.churn + 180 // chased for the debt
			}
			if c.created > ref || (c.orders() && ref >= gone) {
				continue
			}
			if m := c.managerAt(ref); m >= 0 {
				own[m] = append(own[m], ci)
			}
		}
		week = week[:0]
		for mi, m := range w.mgrs {
			add := func(kind string, ci int) {
				day := mon + r.IntN(5)
				if day < S || day > horizon || day < m.hired || day > m.left {
					return
				}
				a := activity{mgr: mi, kind: kind, planned: day}
				if ci >= 0 {
					a.client = w.clients[ci].id
				}
				w.settle(r, &a, m, ci < 0)
				week = append(week, a)
			}
			pickClient := func() int {
				if len(own[mi]) == 0 || r.Float64() < 0.12 {
					return -1 // a prospect, not yet a client
				}
				ci := own[mi][r.IntN(len(own[mi]))]
				if !w.clients[ci].isKey && r.Float64() < 0.4 { // key accounts get more attention
					ci = own[mi][r.IntN(len(own[mi]))]
				}
				return ci
			}
			for _, k := range []struct {
				kind string
				mean float64
			}{{"visit", 3.5}, {"call", 8}, {"meeting", 0.4}, {"email", 2}} {
				for range poisson(r, k.mean) {
					add(k.kind, pickClient())
				}
			}
			for _, ci := range own[mi] {
				if c := w.clients[ci]; mon >= c.stopPay+30 && r.Float64() < 0.6 {
					day := mon + r.IntN(5)
					if day >= S && day <= horizon && day <= m.left {
						a := activity{mgr: mi, client: c.id, kind: "call", planned: day}
						w.settle(r, &a, m, false)
						if a.status == "done" {
							a.result = "Напоминание о просроченной задолженности"
						}
						week = append(week, a)
					}
				}
			}
		}
		slices.SortStableFunc(week, func(a, b activity) int {
			if c := cmp.Compare(a.day(), b.day()); c != 0 {
				return c
			}
			return cmp.Compare(a.mgr, b.mgr)
		})
		for _, a := range week {
			seq++
			t.write(cal.monthName(a.day()), []string{seqID("ACT-", seq, 6), w.mgrs[a.mgr].id, a.client, a.kind,
				cal.dateOr(a.planned), cal.dateOr(a.done), a.status, a.result})
		}
		if t.err != nil {
			return t.err
		}
	}
	return nil
}

func (w *world) settle(r *rand.Rand, a *activity, m *manager, prospect bool) {
	A := w.cal.asOf
	a.status = "planned"
	if a.planned > A || (a.planned >= A-2 && r.Float64() < 0.4) {
		return // in the future, or not yet updated in the CRM
	}
	u := r.Float64()
	switch {
	case u < m.discipline:
		a.status = "done"
		a.done = a.planned
		if r.Float64() < 0.15 {
			a.done = min(A, m.left, a.planned+1+r.IntN(2))
		}
		if prospect {
			a.result = prospectResults[r.IntN(len(prospectResults))]
		} else {
			rs := activityResults[a.kind]
			a.result = rs[r.IntN(len(rs))]
		}
		if r.Float64() < 0.07 { // done without being planned
			a.planned = 0
		}
	case u < m.discipline+0.06:
		a.status = "cancelled"
		a.result = []string{"Перенесено по просьбе клиента", "Отменено"}[r.IntN(2)]
	default:
		a.status = "missed"
		if a.kind == "call" && r.Float64() < 0.5 {
			a.result = "Клиент не ответил"
		}
	}
}

type deal struct {
	client, mgr    int
	opened, closed int // closed 0 = open
	status         string
	amount         int64
	reason         string
}

// roundTo rounds kopecks to a multiple of step kopecks, at least step.
func roundTo(k int64, step int64) int64 { return max(step, (k+step/2)/step*step) }

// writeDeals writes won deals for every new client just before its first
// order, contract renewals of key accounts, upsell attempts (won, lost or
// open), lost deals with prospects and with clients about to leave.
func (w *world) writeDeals(t *table) {
	r := newRand(w.opt.Seed, streamDeals)
	cal := w.cal
	S, A := cal.start, cal.asOf
	var ds []deal
	closeDeal := func(d deal, dur int, pWon float64) deal {
		if d.opened+dur > A {
			d.status = "open"
			return d
		}
		d.closed = d.opened + dur
		if r.Float64() < pWon {
			d.status = "won"
		} else {
			d.status, d.reason = "lost", lostReasons[r.IntN(len(lostReasons))]
		}
		return d
	}
	for ci, c := range w.clients {
		quarter := roundTo(c.monthly*3, 1_000_000)
		switch c.kind {
		case kindNew:
			opened := c.created - 5 - r.IntN(50)
			closed := max(opened, c.arrival-r.IntN(4))
			ds = append(ds, deal{client: ci, opened: opened, closed: min(closed, A), status: "won", amount: quarter})
		case kindProspect:
			ds = append(ds, closeDeal(deal{client: ci, opened: min(A, c.created+r.IntN(15)), amount: quarter}, 20+r.IntN(70), 0))
			continue
		}
		if c.isKey { // yearly contract renewal on the contract's anniversary
			ann := timeOf(c.created).YearDay()
			for y := timeOf(S).Year(); y <= timeOf(A).Year(); y++ {
				opened := dayOf(time.Date(y, 1, ann, 0, 0, 0, 0, time.UTC))
				if opened < max(S, c.arrival+30) || opened >= A || opened >= c.churn {
					continue
				}
				d := closeDeal(deal{client: ci, opened: opened, amount: roundTo(c.monthly*12, 1_000_000)}, 7+r.IntN(30), 0.95)
				ds = append(ds, d)
			}
		}
		if lo, hi := max(S, c.arrival)+30, min(A, c.churn)-5; r.Float64() < 0.15 && lo < hi {
			opened := lo + r.IntN(hi-lo)
			ds = append(ds, closeDeal(deal{client: ci, opened: opened, amount: roundTo(int64(float64(c.monthly)*(0.6+1.2*r.Float64())), 100_000)}, 15+r.IntN(60), 0.3))
		}
		if c.churn == openEnd && r.Float64() < 0.06 && A-60 > max(S, c.arrival) { // in the pipeline now
			ds = append(ds, deal{client: ci, opened: A - r.IntN(60), status: "open",
				amount: roundTo(int64(float64(c.monthly)*(0.6+1.2*r.Float64())), 100_000)})
		}
		if c.churn < openEnd && c.stopPay == openEnd && c.churn-45 > S { // tried to keep a leaving client
			opened := c.churn - 25 - r.IntN(20)
			ds = append(ds, deal{client: ci, opened: opened, closed: min(A, c.churn+r.IntN(10)), status: "lost",
				amount: roundTo(c.monthly*3, 1_000_000), reason: "Выбрали другого поставщика"})
		}
	}
	// The owner on the opening day; a deal opened before the client's first
	// assignment belongs to its first manager, from the day they were hired.
	for i := range ds {
		d := &ds[i]
		c := w.clients[d.client]
		d.mgr = c.managerAt(d.opened)
		if d.mgr < 0 {
			d.mgr = c.segs[0].mgr
			d.opened = max(d.opened, w.mgrs[d.mgr].hired)
			if d.closed > 0 {
				d.closed = max(d.closed, d.opened)
			}
		}
	}
	slices.SortStableFunc(ds, func(a, b deal) int {
		if c := cmp.Compare(a.opened, b.opened); c != 0 {
			return c
		}
		return cmp.Compare(a.client, b.client)
	})
	for i, d := range ds {
		c := w.clients[d.client]
		amount := ""
		if d.amount > 0 {
			amount = money(d.amount)
		}
		t.write("", []string{seqID("DEAL-", int64(i+1), 5), c.id, w.mgrs[d.mgr].id, cal.date(d.opened),
			cal.dateOr(d.closed), d.status, amount, d.reason})
	}
}

// writeNotes writes what KAMs learned about competitors for ~40 % of the
// ordering clients: a competitor's share of the client's purchases in a
// category, or its estimated monthly volume, some noted again later.
func (w *world) writeNotes(t *table) {
	r := newRand(w.opt.Seed, streamNotes)
	cal := w.cal
	S, A := cal.start, cal.asOf
	type note struct {
		day, client, cat int
		rival            string
		share            int64 // tenths of a percent; -1 = volume given
		volume           int64 // kopecks
		mgr              int
	}
	var ns []note
	seen := map[string]bool{}
	for ci, c := range w.clients {
		if !c.orders() || r.Float64() >= 0.4 {
			continue
		}
		lo, hi := max(c.arrival, S)+14, min(c.churn, A)
		if lo >= hi {
			continue
		}
		cats := topCategories(c.catShare, 3)
		k := 1 + weighted(r, []float64{55, 30, 10, 5})
		var prev *note
		for range k {
			n := note{day: lo + r.IntN(hi-lo), client: ci}
			if prev != nil && r.Float64() < 0.6 { // the same competitor, seen again
				n.cat, n.rival = prev.cat, prev.rival
				n.day = min(hi, prev.day+30+r.IntN(120))
				n.share = prev.share
			} else {
				n.cat = cats[r.IntN(len(cats))]
				n.rival = pick(r, segments[c.seg].rivals)
				n.share = 0
				if r.Float64() < 0.45 {
					n.share = -1
				}
			}
			switch {
			case n.share < 0:
				ours := float64(c.monthly) * c.catShare[n.cat]
				share := 0.15 + 0.6*r.Float64()
				n.volume = max(500_000, roundTo(int64(ours*share/(1-share)), 100_000))
			case n.share == 0:
				n.share = int64(50 + r.IntN(700))
			default:
				n.share = min(1000, max(0, n.share+int64(r.IntN(201)-100)))
			}
			n.mgr = -1
			if r.Float64() < 0.85 {
				n.mgr = c.managerAt(n.day)
			}
			key := cal.date(n.day) + c.id + catalogue[n.cat].name + n.rival
			if n.day > A || seen[key] {
				continue
			}
			seen[key] = true
			ns = append(ns, n)
			prev = &ns[len(ns)-1]
		}
	}
	slices.SortStableFunc(ns, func(a, b note) int {
		if c := cmp.Compare(a.day, b.day); c != 0 {
			return c
		}
		return cmp.Compare(a.client, b.client)
	})
	for _, n := range ns {
		share, volume, mgr := "", "", ""
		if n.share >= 0 {
			share = tenths(n.share)
		} else {
			volume = money(n.volume)
		}
		if n.mgr >= 0 {
			mgr = w.mgrs[n.mgr].id
		}
		t.write("", []string{cal.date(n.day), w.clients[n.client].id, catalogue[n.cat].name, n.rival, share, volume, mgr})
	}
}

// topCategories lists the indexes of the k largest shares (ties by index).
func topCategories(share []float64, k int) []int {
	idx := make([]int, 0, len(share))
	for i, s := range share {
		if s > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(share[b], share[a]) })
	return idx[:min(k, len(idx))]
}
