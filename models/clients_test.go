package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/models"
)

// The clients fixture (testdata/clients), hand-computed. Every order ships
// on the 15th of its month, one line each; the active window is 30 days, so
// a client is active at a month end exactly when it bought that month.
//
//	K1 (M1, Retail, column A) P1 Food at 100: 11, 9, 11, ... units Jul 2025 - Jun 2026
//	   (1100, 900, ...: 12000); the list price of column A rises to 110 on 2026-04-01.
//	K6 (M2, Retail, column C: no list price) P1: 12, 8, 12, ... units (1200, 800, ...: 12000).
//	K2 (M1, Retail) P2 Drinks: Jan 500, Feb 450 (10 at 45 against a list of 50), May 500.
//	K3 (M2, HoReCa; M1 from 2026-04-01) P3 Food: 3000 in each of Feb, Mar, Apr, May 2026.
//	K4 (M2, HoReCa) P3: 300 on Mar 15, returned Mar 20; 300 in Apr.
//	K5 (M2, Retail) P2: 200 in Jun.  K7 (M1, HoReCa) P1: 10 at 120 in Jun.
//	PR1: Food -10 % in May 2026.
func TestClientMarts(t *testing.T) {
	db := loadFixture(t, "clients")
	build(t, db, models.Options{AsOf: date("2026-06-30"), ActiveWindowDays: 30})

	// Client base per manager and month; active_start - lost - transferred_out +
	// transferred_in + new_active + reactivated = active.
	//	Jan M1: K2 is new (first shipment and first active month). M2: K6 stays.
	//	Feb M2: K3 is new. Mar M1: K2 bought nothing → lost. M2: K4 is new but its
	//	shipment was returned: net 0, not active. Apr: K3 moved to M1 and bought:
	//	transferred out of M2, into M1; K4 is active for the first time (new_active).
	//	May M1: K2 is back (active in Jan): reactivated. M2: K4 lost. Jun M1: K2, K3
	//	lost, K7 new. M2: K5 new.
	assertRows(t, db, `SELECT month, manager_id, active_start, new_clients, new_active, reactivated, transferred_in, lost, transferred_out, active
        FROM client_base_monthly WHERE month >= '2026-01-01' ORDER BY month, manager_id`, []string{
		"2026-01-01 M1 1 1 1 0 0 0 0 2",
		"2026-01-01 M2 1 0 0 0 0 0 0 1",
		"2026-02-01 M1 2 0 0 0 0 0 0 2",
		"2026-02-01 M2 1 1 1 0 0 0 0 2",
		"2026-03-01 M1 2 0 0 0 0 1 0 1",
		"2026-03-01 M2 2 1 0 0 0 0 0 2",
		"2026-04-01 M1 1 0 0 0 1 0 0 2",
		"2026-04-01 M2 2 0 1 0 0 0 1 2",
		"2026-05-01 M1 2 0 0 1 0 0 0 3",
		"2026-05-01 M2 2 0 0 0 0 1 0 1",
		"2026-06-01 M1 3 1 1 0 0 2 0 2",
		"2026-06-01 M2 1 1 1 0 0 0 0 2",
	})

	// ABC/XYZ for June 2026 (Jul 2025 - Jun 2026). Positive net sales total
	// 3 × 12000 + 1450 + 1200 + 300 + 200 = 39150; A while the larger clients hold
	// less than 0.80 × 39150 = 31320, B while less than 0.95 × 39150 = 37192.5:
	// K1, K3, K6 (ties by id; before them 0, 12000, 24000) A; K2 (36000) B;
	// K7 (37450), K4, K5 C. CV = population sd / mean of the 12 months: K1
	// 1100/900 → 100 / 1000 = 0.1 → X (the limit belongs to X); K6 1200/800 → 0.2 → Y;
	// K3 four months of 3000 → sqrt(2·10⁶) / 1000 = 1.4142 → Z; K2 → 1.7348;
	// one month → sqrt(11) = 3.3166.
	assertRows(t, db, `SELECT client_id, net_sales_12m::decimal(18,2), share_12m, cumulative_share, cv, abc_xyz, months_with_sales
        FROM client_abc_xyz WHERE month = '2026-06-01' ORDER BY cumulative_share`, []string{
		"K1 12000.00 0.3065 0.3065 0.1000 AX 12",
		"K3 12000.00 0.3065 0.6130 1.4142 AZ 4",
		"K6 12000.00 0.3065 0.9195 0.2000 AY 12",
		"K2 1450.00 0.0370 0.9566 1.7348 BZ 3",
		"K7 1200.00 0.0307 0.9872 3.3166 CZ 1",
		"K4 300.00 0.0077 0.9949 3.3166 CZ 1",
		"K5 200.00 0.0051 1.0000 3.3166 CZ 1",
	})

	// Month on month on the same row key: K1 Jun 900 after May 1100 → -0.1818;
	// K2 Feb 450 after 500 → -0.1; nothing a year before.
	assertRows(t, db, `SELECT month, client_id, net_sales::decimal(18,2), net_sales_prev_month::decimal(18,2), mom_growth, net_sales_prev_year::decimal(18,2), coalesce(yoy_growth::varchar, '-')
        FROM sales_monthly WHERE (client_id = 'K1' AND month = '2026-06-01') OR (client_id = 'K2' AND month = '2026-02-01') ORDER BY ALL`, []string{
		"2026-02-01 K2 450.00 500.00 -0.1000 0.00 -",
		"2026-06-01 K1 900.00 1100.00 -0.1818 0.00 -",
	})

	// Cohorts: K3's (Feb 2026) bought Feb-May, not in June.
	assertRows(t, db, `SELECT month, months_since, cohort_clients, buying_clients, retention FROM client_cohorts WHERE cohort_month = '2026-02-01' ORDER BY month`, []string{
		"2026-02-01 0 1 1 1.0000",
		"2026-03-01 1 1 1 1.0000",
		"2026-04-01 2 1 1 1.0000",
		"2026-05-01 3 1 1 1.0000",
		"2026-06-01 4 1 0 0.0000",
	})

	// Competitor share on 2026-06-30: our monthly sales = 12 months / 12; the
	// latest note per competitor within 12 months (K1's Local note of 2025-05-01 is too old).
	//	K1 Food: ours 1000, Metro 500 a month, Rival 20 % → wallet (1000 + 500) / 0.8 = 1875, share 0.5333.
	//	K3 Food: Metro 50 % → wallet 2000, 0.5.  K4 Food: ours 25, Rival 80 % → 125, 0.2.
	//	Retail Food: K1 noted, K6 (1000) not: high = 2000 / (1875 + 1000) = 0.6957; point and
	//	low both read K6 at K1's share: 2000 / 3750 = 0.5333.
	//	Retail Drinks: no notes (K2 120.83 + K5 16.67): high 1, point unknown, low 0.
	//	HoReCa Food: noted K3, K4 (ours 1025, wallets 2125, pooled share 0.4824), K7 (100) not:
	//	high = 1125 / 2225 = 0.5056; point = 1125 / (2125 + 100 / 0.4824) = 0.4824;
	//	low at the lowest noted share 0.2: 1125 / (2125 + 500) = 0.4286.
	assertRows(t, db, `SELECT level, segment, coalesce(client_id, '-'), category, our_monthly_sales::decimal(18,2), coalesce(wallet::decimal(18,2)::varchar, '-'),
            coalesce(share::varchar, '-'), share_low, share_high, competitors, noted_clients, unnoted_clients
        FROM competitor_share WHERE month = '2026-06-01' ORDER BY level, segment, 3, category`, []string{
		"client HoReCa K3 Food 1000.00 2000.00 0.5000 0.5000 0.5000 1 1 0",
		"client HoReCa K4 Food 25.00 125.00 0.2000 0.2000 0.2000 1 1 0",
		"client Retail K1 Food 1000.00 1875.00 0.5333 0.5333 0.5333 2 1 0",
		"segment HoReCa - Food 1125.00 2332.32 0.4824 0.4286 0.5056 2 2 1",
		"segment Retail - Drinks 137.50 - - 0.0000 1.0000 0 0 2",
		"segment Retail - Food 2000.00 3750.00 0.5333 0.5333 0.6957 2 1 1",
	})

	// Discount compliance: K1 paid 100 after column A rose to 110 (Apr, Jun: 9 units
	// each, 90 short); in May PR1 allowed 110 - 10 % = 99. K2 paid 45 against 50 in
	// Feb. K6 has no list price for column C: not checked.
	assertRows(t, db, `SELECT order_id, client_id, manager_id, list_price::decimal(18,2), allowed_price::decimal(18,2), price::decimal(18,2), qty::decimal(18,0), shortfall_amount::decimal(18,2), discount_pct
        FROM discount_compliance ORDER BY order_id`, []string{
		"O-K1-202604 K1 M1 110.00 110.00 100.00 9 90.00 0.0909",
		"O-K1-202606 K1 M1 110.00 110.00 100.00 9 90.00 0.0909",
		"O-K2-202602 K2 M1 50.00 50.00 45.00 10 50.00 0.1000",
	})

	// Promotion uplift: PR1 (Food, May 1-31) sold 1100 + 1200 + 3000 = 5300; the
	// 31 days before (Mar 31 - Apr 30) 900 + 800 + 3000 + 300 = 5000: +6 %.
	// PR2 covers everything in January: K1 1100 + K6 1200 + K2 500 = 2800 against
	// December's 900 + 800 = 1700: 2800 / 1700 - 1 = 0.647058… → 0.6471.
	assertRows(t, db, `SELECT promo_id, before_from, before_to, days, net_sales_during::decimal(18,2), net_sales_before::decimal(18,2), uplift, clients_during, clients_before
        FROM promo_uplift ORDER BY promo_id`, []string{
		"PR1 2026-03-31 2026-04-30 31 5300.00 5000.00 0.0600 3 4",
		"PR2 2025-12-01 2025-12-31 31 2800.00 1700.00 0.6471 3 2",
	})

	// Returns and refusals: K4's return of P3.
	assertRows(t, db, `SELECT month, kind, reason, client_id, sku, manager_id, events, amount::decimal(18,2) FROM returns_refusals`, []string{
		"2026-03-01 return брак K4 P3 M2 1 300.00",
	})
}

// Discount compliance in exact decimals at large prices (testdata/discount):
// P1 lists at 150,000,000.37. In May PR1 allows 10 % off, rounded down to the
// kopeck: floor(150000000.37 × 90) = 13,500,000,033 kopecks, so 135,000,000.33
// (through a double it came out 135000000.33000002, and the product overflowed
// DECIMAL(18,8)). O1 paid 135,000,000.00: 0.33 short. O2 in June paid
// 150,000,000.00 for 2 against the list: 0.37 × 2 = 0.74 short. In July PR2
// takes 5 % off everything: floor(150000000.37 × 95) kopecks = 142,500,000.35
// allowed; O4 at 143,000,000.00 complies, O5 at 142,000,000.00 is 500,000.35
// short (1 - 142000000 / 150000000.37 = 0.05333… → 0.0533). P2 lists at
// 9.9999 (four decimals, kept whole): O6 paid 9.9990 for 1000, 0.9 short.
func TestDiscountComplianceExactAtLargePrices(t *testing.T) {
	db := loadFixture(t, "discount")
	build(t, db, models.Options{AsOf: date("2026-07-31")})
	assertRows(t, db, `SELECT order_id, promo_id, list_price, allowed_price, price, qty, shortfall_amount, discount_pct
        FROM discount_compliance ORDER BY order_id`, []string{
		"O1 PR1 150000000.3700 135000000.33000000 135000000.0000 1.0000 0.33000000 0.1000",
		"O2  150000000.3700 150000000.37000000 150000000.0000 2.0000 0.74000000 0.0000",
		"O5 PR2 150000000.3700 142500000.35000000 142000000.0000 1.0000 500000.35000000 0.0533",
		"O6  9.9999 9.99990000 9.9990 1000.0000 0.90000000 0.0001",
	})
	// A promotion ending before it starts covers no day: PR3 would allow 50 % off
	// O2 in June, which would then comply. It is in no mart.
	ingestCSV(t, db, "promotions", "promo_id,name,starts_on,ends_on,category,discount_pct\nPR3,Отозвана,2026-06-30,2026-06-01,Equipment,50\n")
	build(t, db, models.Options{AsOf: date("2026-07-31")})
	assertRows(t, db, `SELECT order_id, coalesce(promo_id, '-') FROM discount_compliance ORDER BY order_id`, []string{"O1 PR1", "O2 -", "O5 PR2", "O6 -"})
	assertRows(t, db, `SELECT promo_id FROM promo_uplift ORDER BY promo_id`, []string{"PR1", "PR2"})
}

// A line of 100,000 × 150,000,000 overflows DECIMAL(18,8). kam ingest
// quarantines such a line (ingest's TestCSVQuarantinesProductsTooLarge), so
// only a warehouse loaded before that rule can hold one: the build fails
// saying what to look for, and the marts built before stay.
func TestBuildOverflowSaysWhatToCheck(t *testing.T) {
	db := loadFixture(t, "discount")
	build(t, db, models.Options{AsOf: date("2026-07-31")})
	if _, err := db.Exec(`INSERT INTO main.order_lines (order_id, line_no, order_date, client_id, sku, qty, price, shipped_qty, shipped_on, _load_id)
        VALUES ('O3', 1, DATE '2026-06-20', 'K1', 'P1', 100000, 150000000, 100000, DATE '2026-06-20', 999)`); err != nil {
		t.Fatal(err)
	}
	_, err := models.Build(context.Background(), db, models.Options{AsOf: date("2026-07-31"), Full: true})
	if err == nil || !strings.Contains(err.Error(), "quantity × price") || !strings.Contains(err.Error(), "misplaced decimal point") {
		t.Fatalf("build error = %v, want the overflow explained", err)
	}
	assertRows(t, db, `SELECT order_id FROM discount_compliance ORDER BY order_id`, []string{"O1", "O2", "O5", "O6"})
}

// The ABC limits are exact: a client whose larger clients hold exactly 80 %
// (or 95 %) of the total is not A (not B). With the limits as doubles,
// 500.10 × 0.8 came out above 400.08 and X2 was A. January 2025: X1 400.08,
// X2 100.02 (before it 400.08 = 0.80 × 500.10: B). May 2026: Y1 245.67, Y2
// 12.93 (before it 245.67 = 0.95 × 258.60: C). More than 12 months apart,
// the two never share a window.
func TestABCLimitsAreExact(t *testing.T) {
	line := func(order, client string, day string, price int64) saleLine {
		return saleLine{order: order, line: 1, client: client, sku: "S1", ordered: date(day), shipped: date(day), qty: 10, shippedQty: 10, price: price}
	}
	c := &salesCompany{
		categories: map[string]string{"S1": "Food"},
		segments:   map[string]string{"X1": "Retail", "X2": "Retail", "Y1": "Retail", "Y2": "Retail"},
		lines: []saleLine{
			line("O1", "X1", "2025-01-10", 40008), line("O2", "X2", "2025-01-10", 10002),
			line("O3", "Y1", "2026-05-10", 24567), line("O4", "Y2", "2026-05-10", 1293),
		},
	}
	db := emptyWarehouse(t)
	dir := t.TempDir()
	c.write(t, dir, 0, 0)
	ingestFrom(t, db, dir)
	build(t, db, models.Options{AsOf: date("2026-05-31")})
	assertRows(t, db, `SELECT month, client_id, cumulative_share, abc_class FROM client_abc_xyz
        WHERE month IN ('2025-01-01', '2026-05-01') ORDER BY ALL`, []string{
		"2025-01-01 X1 0.8000 A",
		"2025-01-01 X2 1.0000 B",
		"2026-05-01 Y1 0.9500 A",
		"2026-05-01 Y2 1.0000 C",
	})
}

// A client that only returned goods of a category is no buyer of it: the
// segment's market share counts it neither as noted nor as unnoted. K1
// bought 1200.00 of Food in May 2026 (100.00 a month over 12) and a note
// gives Rival half of its Food purchases: wallet 100 / (1 − 0.5) = 200;
// K2 returned 50.00 of Food and has no note.
func TestCompetitorShareIgnoresClientsWithoutPurchases(t *testing.T) {
	c := &salesCompany{
		categories: map[string]string{"S1": "Food"},
		segments:   map[string]string{"K1": "Retail", "K2": "Retail"},
		lines: []saleLine{{order: "O1", line: 1, client: "K1", sku: "S1", ordered: date("2026-05-10"), shipped: date("2026-05-10"),
			qty: 10, shippedQty: 10, price: 120000}},
		returns: []saleReturn{{id: "R1", client: "K2", sku: "S1", date: date("2026-05-12"), qty: 10, amount: 5000}},
		notes:   []saleNote{{day: date("2026-05-15"), client: "K1", category: "Food", competitor: "Rival", share: 500, volume: -1}},
	}
	db := emptyWarehouse(t)
	dir := t.TempDir()
	c.write(t, dir, 0, 0)
	ingestFrom(t, db, dir)
	build(t, db, models.Options{AsOf: date("2026-05-31")})
	assertRows(t, db, `SELECT level, coalesce(client_id, '-'), our_monthly_sales::decimal(18,2), wallet::decimal(18,2), share, share_low, share_high,
            noted_clients, unnoted_clients
        FROM competitor_share WHERE month = '2026-05-01' AND category = 'Food' ORDER BY ALL`, []string{
		"client K1 100.00 200.00 0.5000 0.5000 0.5000 1 0",
		"segment - 100.00 200.00 0.5000 0.5000 0.5000 1 0",
	})
}

// KAMs type competitor names: "Big Rival" and "BIG  RIVAL" are one competitor,
// whose latest note (50 %) counts; added up as two (80 %) K1's wallet of 200
// would read 500.
func TestCompetitorNamesIgnoreCaseAndSpaces(t *testing.T) {
	c := &salesCompany{
		categories: map[string]string{"S1": "Food"},
		segments:   map[string]string{"K1": "Retail"},
		lines: []saleLine{{order: "O1", line: 1, client: "K1", sku: "S1", ordered: date("2026-05-10"), shipped: date("2026-05-10"),
			qty: 10, shippedQty: 10, price: 120000}},
		notes: []saleNote{
			{day: date("2026-05-10"), client: "K1", category: "Food", competitor: "Big Rival", share: 300, volume: -1},
			{day: date("2026-05-15"), client: "K1", category: "Food", competitor: "BIG  RIVAL", share: 500, volume: -1},
		},
	}
	db := emptyWarehouse(t)
	dir := t.TempDir()
	c.write(t, dir, 0, 0)
	ingestFrom(t, db, dir)
	build(t, db, models.Options{AsOf: date("2026-05-31")})
	assertRows(t, db, `SELECT level, our_monthly_sales::decimal(18,2), wallet::decimal(18,2), share, competitors
        FROM competitor_share WHERE month = '2026-05-01' ORDER BY ALL`, []string{
		"client 100.00 200.00 0.5000 1",
		"segment 100.00 200.00 0.5000 1",
	})
}
