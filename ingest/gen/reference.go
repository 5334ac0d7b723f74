package gen

// writeReference writes the entities that describe the company rather than
// its events: managers, clients, assignments, products, price list,
// promotions.
func (w *world) writeReference(tabs map[string]*table) {
	cal := w.cal
	for _, m := range w.mgrs {
		tabs["managers"].write("", []string{m.id, m.name, m.email, m.team, cal.date(m.hired), cal.dateOr(m.left), money(m.varTarget)})
	}
	cols := []string{"A", "B", "C"}
	for _, c := range w.clients {
		credit := ""
		if c.creditLimit >= 0 {
			credit = money(c.creditLimit)
		}
		inn := ""
		if c.innKnown {
			inn = c.inn
		}
		tabs["clients"].write("", []string{c.id, c.name, inn, segments[c.seg].name, regionCodes[c.region].name,
			boolStr(c.isKey), cols[c.column], credit, itoa(c.terms), cal.date(c.created)})
		for _, s := range c.segs {
			tabs["client_assignments"].write("", []string{c.id, w.mgrs[s.mgr].id, cal.date(s.from), cal.dateOr(s.to)})
		}
	}
	for _, p := range w.products {
		tabs["products"].write("", []string{p.sku, p.name, catalogue[p.cat].name, p.brand})
	}
	for _, p := range w.products {
		for col := range cols {
			for _, pp := range p.prices {
				tabs["price_list"].write("", []string{p.sku, cols[col], money(pp.col[col]), cal.date(pp.from)})
			}
		}
	}
	for _, p := range w.promos {
		cat, sku := "", ""
		if p.sku >= 0 {
			sku = w.products[p.sku].sku
		} else {
			cat = catalogue[p.cat].name
		}
		tabs["promotions"].write("", []string{p.id, p.name, cal.date(p.start), cal.date(p.end), cat, sku, itoa(p.pct)})
	}
}
