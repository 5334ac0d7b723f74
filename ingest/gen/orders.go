package gen

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

type deal struct {
	rec []string
}

// per-client streaming state kept outside the client record
type clientState struct {
	firstShip, lastShip time.Time
}

func (g *generator) state(i int) *clientState {
	if g.states == nil {
		g.states = make([]clientState, len(g.clients))
	}
	return &g.states[i]
}

func (g *generator) orders(m time.Time) {
	mi := g.monthIndex(m)
	monthEnd := m.AddDate(0, 1, -1)
	name := "order_lines_" + m.Format("2006-01")
	for ci, c := range g.clients {
		if !g.activeIn(c, m) {
			continue
		}
		n := poisson(g.r, g.lambda(c, m)*g.monthFraction(c, m)*g.scale)
		from, to := m, monthEnd
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
			continue
		}
		for k := 0; k < n; k++ {
			g.order(ci, c, g.randDay(from, to), name)
		}
	}
	// Active clients at the month end, for the plans: shipped within 90 days.
	end := monthEnd
	if end.After(g.asOf) {
		end = g.asOf
	}
	for ci, c := range g.clients {
		st := g.state(ci)
		if st.lastShip.IsZero() || st.lastShip.After(end) || end.Sub(st.lastShip).Hours()/24 > 89 {
			continue
		}
		if mgr := c.managerOf(end); mgr >= 0 {
			g.active[[2]int{mgr, mi}]++
		}
	}
}

func (g *generator) order(ci int, c *client, date time.Time, file string) {
	g.orderSeq++
	orderID := fmt.Sprintf("ORD-%07d", g.orderSeq)
	st := g.state(ci)
	if c.firstOrder.IsZero() {
		c.firstOrder = date
		mgr := c.managerOf(date)
		opened := date.AddDate(0, 0, -10-g.r.IntN(30))
		g.dealSeq++
		g.deals = append(g.deals, deal{rec: []string{fmt.Sprintf("DEAL-%05d", g.dealSeq), c.id, g.mgrs[mgr].id, iso(opened), iso(date.AddDate(0, 0, -g.r.IntN(5))), "won", rub(int64(50000+g.r.IntN(500000)) * 100), ""}})
	}
	mgr := c.managerOf(date)
	ship := date.AddDate(0, 0, g.r.IntN(6))
	shipped := !ship.After(g.asOf)
	lines := 1
	for i := 0; i < 10; i++ {
		lines += g.r.IntN(2)
	}
	var invoiceAmount int64
	type shippedLine struct {
		sku   string
		qty   int
		price int64
	}
	var shippedLines []shippedLine
	for ln := 1; ln <= lines; ln++ {
		cat := c.cats[g.r.IntN(len(c.cats))]
		if g.r.IntN(5) == 0 {
			cat = g.r.IntN(len(categories))
		}
		pi := g.byCat[cat][g.r.IntN(len(g.byCat[cat]))]
		p := g.products[pi]
		qty := 1 + g.r.IntN(20)
		if c.isKey {
			qty *= 3
		}
		price := p.columnPrice(c.priceCol, date)
		if pr := g.promoFor(pi, date); pr != nil && g.r.IntN(2) == 0 {
			price = price * int64(100-pr.discount) / 100
		} else if g.r.IntN(100) < 3 {
			price = price * int64(85+g.r.IntN(10)) / 100 // below the allowed column
		}
		named := ""
		if g.r.IntN(100) < 5 {
			named = g.mgrs[mgr].id
		}
		shipQty, refused, reason, shipOn := "", "", "", ""
		if shipped && g.r.IntN(1000) >= 20 {
			sq := qty
			switch x := g.r.IntN(1000); {
			case x < 40:
				sq = qty * (50 + g.r.IntN(41)) / 100
			case x < 55:
				rq := 1 + g.r.IntN(qty)
				sq = qty - rq
				refused, reason = strconv.Itoa(rq), refusals[g.r.IntN(len(refusals))]
			}
			if sq > 0 || refused != "" {
				shipQty, shipOn = strconv.Itoa(sq), iso(ship)
			}
			if sq > 0 {
				amount := int64(sq) * price
				invoiceAmount += amount
				shippedLines = append(shippedLines, shippedLine{p.sku, sq, price})
				attributed := mgr
				if named == "" {
					attributed = c.managerOf(ship)
				}
				g.sales[[2]int{attributed, g.monthIndex(ship)}] += amount
			}
		}
		g.w.write("order_lines", file, []string{orderID, strconv.Itoa(ln), iso(date), c.id, named, p.sku,
			strconv.Itoa(qty), rub(price), shipQty, shipOn, refused, reason})
	}
	if invoiceAmount == 0 {
		return
	}
	if st.firstShip.IsZero() {
		st.firstShip = ship
		if m := c.managerOf(ship); m >= 0 {
			g.newCl[[2]int{m, g.monthIndex(ship)}]++
		}
	}
	if ship.After(st.lastShip) {
		st.lastShip = ship
	}
	g.invoiceSeq++
	inv := fmt.Sprintf("INV-%07d", g.invoiceSeq)
	due := ship.AddDate(0, 0, c.terms)
	dueField := ""
	if g.r.IntN(10) == 0 {
		due = due.AddDate(0, 0, g.r.IntN(10))
		dueField = iso(due)
	}
	g.later(event{"invoices", ship, []string{inv, iso(ship), c.id, orderID, rub(invoiceAmount), dueField}})
	g.payments(c, inv, date, ship, due, invoiceAmount)
	if g.r.IntN(1000) < 15 {
		l := shippedLines[g.r.IntN(len(shippedLines))]
		q := 1 + g.r.IntN(l.qty)
		rd := ship.AddDate(0, 0, 3+g.r.IntN(28))
		named := inv
		if g.r.IntN(5) == 0 {
			named = ""
		}
		g.returnSeq++
		g.later(event{"returns", rd, []string{fmt.Sprintf("RET-%06d", g.returnSeq), iso(rd), c.id, named, l.sku,
			strconv.Itoa(q), rub(int64(q) * l.price), returnWhy[g.r.IntN(len(returnWhy))]}})
	}
}

// payments schedules how an invoice gets paid: most on time, some late,
// some in two parts, advances before shipment; stopped payers never pay.
func (g *generator) payments(c *client, inv string, ordered, invoiced, due time.Time, amount int64) {
	if !c.stopPay.IsZero() && !invoiced.Before(c.stopPay.AddDate(0, 0, -30)) {
		return
	}
	pay := func(on time.Time, amt int64, named bool) {
		g.paymentSeq++
		clientID, invField := c.id, ""
		if named {
			invField = inv
		}
		if g.r.IntN(10) == 0 {
			clientID = "" // the bank statement only knows the payer's INN
		}
		purpose := fmt.Sprintf("Оплата по счету %s от %s, в т.ч. НДС 20%%", inv, invoiced.Format("02.01.2006"))
		if !named {
			purpose = "Оплата за товар, в т.ч. НДС 20%"
		}
		g.later(event{"payments", on, []string{fmt.Sprintf("PAY-%07d", g.paymentSeq), iso(on), clientID, c.inn, rub(amt), invField, purpose}})
	}
	named := g.r.IntN(100) < 85
	switch x := g.r.IntN(100); {
	case x < 3:
		pay(ordered.AddDate(0, 0, -g.r.IntN(4)), amount, named) // advance
	case x < 78:
		pay(invoiced.AddDate(0, 0, g.r.IntN(c.terms+1)), amount, named)
	case x < 95:
		pay(due.AddDate(0, 0, 10+g.r.IntN(110)), amount, named)
	default:
		half := amount / 2
		pay(invoiced.AddDate(0, 0, g.r.IntN(c.terms+1)), half, named)
		pay(due.AddDate(0, 0, 15+g.r.IntN(60)), amount-half, named)
	}
}

func (g *generator) activities(m time.Time) {
	file := "activities_" + m.Format("2006-01")
	monthEnd := m.AddDate(0, 1, -1)
	mid := m.AddDate(0, 0, 14)
	own := make([][]int, len(g.mgrs))
	for ci, c := range g.clients {
		if c.arrive.After(monthEnd) {
			continue
		}
		if mgr := c.managerOf(mid); mgr >= 0 {
			own[mgr] = append(own[mgr], ci)
		}
	}
	for mi, mgr := range g.mgrs {
		if !g.employed(mi, mid) {
			continue
		}
		n := 25 + g.r.IntN(20)
		for k := 0; k < n; k++ {
			g.activitySeq++
			kind := "call"
			if k%3 == 0 {
				kind = "visit"
			} else if k%11 == 0 {
				kind = "meeting"
			}
			clientID := ""
			if len(own[mi]) > 0 && g.r.IntN(10) > 0 {
				clientID = g.clients[own[mi][g.r.IntN(len(own[mi]))]].id
			}
			planned := g.randDay(m, monthEnd)
			status, done, result := "planned", "", ""
			if !planned.After(g.asOf) {
				switch x := g.r.IntN(100); {
				case x < 75:
					status, result = "done", results[g.r.IntN(len(results))]
					d := planned.AddDate(0, 0, g.r.IntN(2))
					if d.After(g.asOf) {
						d = planned
					}
					done = iso(d)
				case x < 83:
					status = "cancelled"
				case x < 93:
					status = "missed"
				}
			}
			g.w.write("activities", file, []string{fmt.Sprintf("ACT-%07d", g.activitySeq), mgr.id, clientID, kind, iso(planned), done, status, result})
		}
	}
}

// writeReference writes the entities that are not streamed.
func (g *generator) writeReference() {
	for _, m := range g.mgrs {
		hired := ""
		if !m.hired.IsZero() {
			hired = iso(m.hired)
		}
		g.w.write("managers", "managers", []string{m.id, m.name, m.email, m.team, hired, iso(m.left), rub(int64(m.target) * 100)})
	}
	for _, c := range g.clients {
		credit := ""
		if c.creditLimit > 0 {
			credit = rub(int64(c.creditLimit) * 100)
		}
		created := c.arrive.AddDate(0, 0, -g.r.IntN(10))
		g.w.write("clients", "clients", []string{c.id, c.name, c.inn, c.segment, c.region, strconv.FormatBool(c.isKey),
			c.priceCol, credit, strconv.Itoa(c.terms), iso(created)})
		for _, s := range c.spans {
			g.w.write("client_assignments", "client_assignments", []string{c.id, g.mgrs[s.manager].id, iso(s.from), iso(s.to)})
		}
	}
	listFrom := g.start.AddDate(0, -1, 0)
	for _, p := range g.products {
		g.w.write("products", "products", []string{p.sku, p.name, categories[p.cat], p.brand})
		for _, col := range []string{"A", "B", "C"} {
			g.w.write("price_list", "price_list", []string{p.sku, col, rub(p.columnPrice(col, listFrom)), iso(listFrom)})
			if !p.change.IsZero() {
				g.w.write("price_list", "price_list", []string{p.sku, col, rub(p.columnPrice(col, p.change)), iso(p.change)})
			}
		}
	}
	for _, p := range g.promos {
		cat, sku := "", ""
		if p.cat >= 0 {
			cat = categories[p.cat]
		} else {
			sku = g.products[p.sku].sku
		}
		g.w.write("promotions", "promotions", []string{p.id, p.name, iso(p.from), iso(p.to), cat, sku, strconv.Itoa(p.discount)})
	}
	for _, d := range g.deals {
		g.w.write("deals", "deals", d.rec)
	}
	// Lost and open deals with existing clients (upsell attempts).
	for i, c := range g.clients {
		if i%4 != 0 || c.firstOrder.IsZero() {
			continue
		}
		opened := g.randDay(c.firstOrder, g.asOf)
		mgr := c.managerOf(opened)
		g.dealSeq++
		status, closed, why := "lost", iso(opened.AddDate(0, 0, 5+g.r.IntN(40))), pick(g.r, lostWhy)
		if opened.AddDate(0, 0, 45).After(g.asOf) {
			status, closed, why = "open", "", ""
		}
		g.w.write("deals", "deals", []string{fmt.Sprintf("DEAL-%05d", g.dealSeq), c.id, g.mgrs[mgr].id, iso(opened), closed, status, rub(int64(20000+g.r.IntN(300000)) * 100), why})
	}
	// Competitor notes for ~40 % of clients, some noted several times.
	for _, c := range g.clients {
		if g.r.IntN(10) >= 4 || c.firstOrder.IsZero() {
			continue
		}
		for k := 0; k < 1+g.r.IntN(3); k++ {
			noted := g.randDay(c.firstOrder, g.asOf)
			share, volume := "", ""
			if g.r.IntN(2) == 0 {
				share = strconv.Itoa(10 + g.r.IntN(61))
			} else {
				volume = rub(int64(10000+g.r.IntN(200000)) * 100)
			}
			mgr := c.managerOf(noted)
			g.w.write("competitor_notes", "competitor_notes", []string{iso(noted), c.id, categories[c.cats[g.r.IntN(len(c.cats))]],
				pick(g.r, competitors), share, volume, g.mgrs[mgr].id})
		}
	}
	// A payment from a payer no client has: kept, reported as unmatched.
	g.paymentSeq++
	on := g.asOf.AddDate(0, 0, -3)
	g.w.write("payments", "payments_"+on.Format("2006-01")+"_unmatched", []string{fmt.Sprintf("PAY-%07d", g.paymentSeq), iso(on), "", inn10(g.r), "12345.67", "", "Оплата по договору 17/3, без НДС"})
}

// plans sets monthly targets from what each KAM sold, scaled by a personal
// factor, so some KAMs beat their plan and others fall short.
func (g *generator) plans() {
	n := len(g.months)
	for mi, m := range g.mgrs {
		for k := 0; k < n+2; k++ {
			month := g.start.AddDate(0, k, 0)
			if !g.employed(mi, month.AddDate(0, 0, 20)) {
				continue
			}
			ref := k
			if k >= n-1 { // the month in progress and the future: last full month
				ref = n - 2
			}
			key := [2]int{mi, ref}
			sales := float64(g.sales[key])
			if sales == 0 {
				sales = 30000000 // a new KAM's first months: 300 000 ₽
			}
			noise := 0.93 + 0.14*g.r.Float64()
			target := int64(math.Round(sales*m.planFactor*noise/100000)) * 100000 // whole thousands of roubles
			period := month.Format("2006-01")
			g.w.write("plans", "plans", []string{m.id, period, "sales", rub(target)})
			active := max(1, int(math.Round(float64(g.active[key])*m.planFactor)))
			g.w.write("plans", "plans", []string{m.id, period, "active_clients", strconv.Itoa(active)})
			if mi == 1 && k == n-3 {
				continue // a plan HR forgot: flagged missing_target downstream
			}
			newc := max(1, int(math.Round(float64(g.newCl[key])*m.planFactor)))
			g.w.write("plans", "plans", []string{m.id, period, "new_clients", strconv.Itoa(newc)})
		}
	}
}
