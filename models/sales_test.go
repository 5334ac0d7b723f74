package models_test

import (
	"testing"

	"github.com/kam-analytics/kam/models"
)

// Distinct SKUs are counted as bits of a 128-bit integer per category for the
// first 127 products of each category, and with count(distinct) beyond that
// and for SKUs missing from the products: the fixture has 130 products in
// "Big" (B000–B129), one whose category is literally "(none)" (N2), and two
// SKUs no product has (N1, ZZZ), which sales_monthly files under "(none)" too.
func TestSalesMonthlyDistinctSKUs(t *testing.T) {
	db := loadFixture(t, "skus")
	build(t, db, models.Options{AsOf: date("2026-10-31")})
	// C1 Big: B000 (twice), B126 (the last bit), B127 and B129 (past the bits), B128 (ordered in September,
	// shipped in October) = 5 SKUs on 7 lines of 4 orders; the return R1 of the unshipped B050 adds no SKU.
	// C1 (none): ZZZ, N1 and N2 together = 3. C2 Big: B127 and B128 = 2.
	assertRows(t, db, `SELECT client_id, category, shipped_amount::decimal(18,2), returns_amount::decimal(18,2), net_sales::decimal(18,2), orders, lines, skus
        FROM sales_monthly WHERE month = '2026-10-01' ORDER BY ALL`, []string{
		"C1 (none) 15.00 0.00 15.00 2 3 3",
		"C1 Big 80.00 10.00 70.00 4 7 5",
		"C1 Food 7.00 0.00 7.00 1 1 1",
		"C2 Big 20.00 0.00 20.00 1 2 2",
	})
}

// Distinct orders per category come from each order's categories, held as
// bits of a 128-bit integer numbered by category name: "(none)" 0 (SKUs no
// product has are filed there and counted with count(distinct)), "Big" 1,
// "Food" 2, then the 130 categories K000–K129 added here at 3–132, so K124
// (127) and later fall back to count(distinct) too. The client's orders across
// categories (core_client_orders_monthly) count each order once.
func TestSalesMonthlyOrdersPerCategory(t *testing.T) {
	db := loadFixture(t, "skus")
	for _, q := range []string{
		// no product is filed under "(none)" any more: the unknown SKUs still need its number
		`DELETE FROM main.products WHERE sku = 'N2'`,
		`INSERT INTO main.products (sku, name, category) SELECT printf('P%03d', i), 'Part', printf('K%03d', i) FROM range(130) t(i)`,
		`INSERT INTO main.clients (client_id, name, segment) VALUES ('C3', 'ООО «Гамма»', 'Retail'), ('C4', 'ИП Дельта', 'Retail')`,
		`INSERT INTO main.client_assignments (client_id, manager_id, valid_from) VALUES ('C3', 'M1', '2026-01-01')`,
		// C3: O7 has lines in K000, K123 (bit 126), K124 (index 127) and K129; O8 in K123 and twice in K124.
		// C4 has no manager: its order O10 is filed under manager ''.
		`INSERT INTO main.order_lines (order_id, line_no, order_date, client_id, sku, qty, price, shipped_qty, shipped_on) VALUES
            ('O7', 1, '2026-10-02', 'C3', 'P000', 1, 1, 1, '2026-10-03'),
            ('O7', 2, '2026-10-02', 'C3', 'P123', 1, 1, 1, '2026-10-03'),
            ('O7', 3, '2026-10-02', 'C3', 'P124', 1, 1, 1, '2026-10-03'),
            ('O7', 4, '2026-10-02', 'C3', 'P129', 1, 1, 1, '2026-10-03'),
            ('O8', 1, '2026-10-04', 'C3', 'P123', 1, 1, 1, '2026-10-05'),
            ('O8', 2, '2026-10-04', 'C3', 'P124', 1, 1, 1, '2026-10-05'),
            ('O8', 3, '2026-10-04', 'C3', 'P124', 2, 1, 2, '2026-10-05'),
            ('O10', 1, '2026-10-04', 'C4', 'S1', 1, 7, 1, '2026-10-06')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	build(t, db, models.Options{AsOf: date("2026-10-31")})
	// C1: O1 (Big, (none)), O2 (Big, (none)), O3 (Big, Food), O5 (Big); the unknown ZZZ, N1 and N2 are one
	// category. C2: O6.
	assertRows(t, db, `SELECT client_id, category, manager_id, orders, lines FROM sales_monthly WHERE month = '2026-10-01' ORDER BY ALL`, []string{
		"C1 (none) M1 2 3",
		"C1 Big M1 4 7",
		"C1 Food M1 1 1",
		"C2 Big M1 1 2",
		"C3 K000 M1 1 1",
		"C3 K123 M1 2 2",
		"C3 K124 M1 2 3",
		"C3 K129 M1 1 1",
		"C4 Food  1 1",
	})
	assertRows(t, db, `SELECT client_id, coalesce(manager_id, 'NULL'), orders FROM core.core_client_orders_monthly WHERE month = '2026-10-01' ORDER BY ALL`, []string{
		"C1 M1 4",
		"C2 M1 1",
		"C3 M1 2",
		"C4 NULL 1",
	})
	assertRows(t, db, `SELECT manager_id, orders FROM activity_monthly WHERE month = '2026-10-01'`, []string{"M1 7"})
}

// A new client is credited to the manager of its first shipment: the one the
// line names, else the one assigned that day, else nobody. C1's first
// shipment (03-10) came before its assignment to M1 (from 04-01), so March's
// new client is nobody's, though every later shipment is M1's; C2's first
// day has a line without a manager and one naming M3: M3's. Before arg_min_null,
// C1 was credited to M1, from a later shipment.
func TestNewClientWithoutManagerOnFirstShipment(t *testing.T) {
	c := &salesCompany{
		categories: map[string]string{"S1": "Food"},
		segments:   map[string]string{"C1": "Retail", "C2": "Retail"},
		assignments: []saleAssignment{
			{client: "C1", manager: "M1", from: date("2026-04-01")},
			{client: "C2", manager: "M2", from: date("2026-04-01")},
		},
		lines: []saleLine{
			{order: "O1", line: 1, client: "C1", sku: "S1", ordered: date("2026-03-10"), shipped: date("2026-03-10"), qty: 10, shippedQty: 10, price: 10000},
			{order: "O2", line: 1, client: "C1", sku: "S1", ordered: date("2026-04-10"), shipped: date("2026-04-10"), qty: 10, shippedQty: 10, price: 10000},
			{order: "O3", line: 1, client: "C2", sku: "S1", ordered: date("2026-03-20"), shipped: date("2026-03-20"), qty: 10, shippedQty: 10, price: 10000},
			{order: "O3", line: 2, client: "C2", manager: "M3", sku: "S1", ordered: date("2026-03-20"), shipped: date("2026-03-20"), qty: 10, shippedQty: 10, price: 10000},
		},
	}
	db := emptyWarehouse(t)
	dir := t.TempDir()
	c.write(t, dir, 0, 0)
	ingestFrom(t, db, dir)
	build(t, db, models.Options{AsOf: date("2026-04-30")})
	assertRows(t, db, `SELECT month, coalesce(nullif(manager_id, ''), '-'), new_clients FROM client_base_monthly WHERE new_clients > 0 ORDER BY ALL`, []string{
		"2026-03-01 - 1",
		"2026-03-01 M3 1",
	})
	assertRows(t, db, `SELECT client_id, first_shipped_on, coalesce(manager_id, '-') FROM core.core_client_first_shipment ORDER BY ALL`, []string{
		"C1 2026-03-10 -",
		"C2 2026-03-20 M3",
	})
}
