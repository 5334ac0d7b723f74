package models_test

import (
	"context"
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
	if _, err := models.Build(context.Background(), db, models.Options{AsOf: date("2026-10-31")}); err != nil {
		t.Fatal(err)
	}
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
