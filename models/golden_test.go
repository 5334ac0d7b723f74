package models_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/kam-analytics/kam/models"
)

// goldenFile holds the fingerprints (row count and md5 of the sorted rows)
// of every mart and core table of a generated company, recorded with the
// models as they were before the performance work of issue 4 (commit
// 38d2d48): a full build, then an incremental build after one more day,
// and as-of queries of the dated receivables marts. A faster algorithm
// must give exactly these tables. Two exceptions, re-recorded on purpose:
// core_receivables_allocation now keeps only the debits still open (its old
// rows minus those with open_amount 0; receivables_open_invoices, now a
// view of it, and every other table kept their fingerprints); and
// core_receivable_applications keeps its amounts as DECIMAL(18,4), like the
// documents they come from (the same values, with 4 decimals instead of 8);
// and the incremental build's plan_fulfilment, whose as-of date is a month
// end: its quarter and year were shown as finished, without a run-rate, and
// are in progress now; and competitor_share, whose segments no longer count
// a client without notes and without net sales in the category as a buyer
// (unnoted_clients); and plan_fulfilment again, whose quarters and years
// without their own plan now take the targets of their whole window (months
// after the as-of date included) and flag missing targets only for months
// the manager works in.
// Changes of shape that keep the rows are compared without re-recording:
// core_client_orders_monthly became a view of core_sales_monthly, which gained
// the column client_orders for it (goldenViews, goldenAddedColumns);
// core_receivables_allocation stores only what the allocation computes, and
// its old rows, column for column, are the view core_receivables_open_items
// (goldenMoved), which ages them with the settings core_ageing_buckets gained.
// KAM_GOLDEN_UPDATE=1 records them anew.
const goldenFile = "testdata/golden/generated_fingerprints.json"

var (
	goldenViews        = []string{"core.core_client_orders_monthly"}
	goldenAddedColumns = map[string]string{"core.core_sales_monthly": "client_orders", "core.core_ageing_buckets": "limits, basis"}
	goldenMoved        = map[string]string{"core.core_receivables_allocation": `SELECT as_of, client_id, document_kind, document_id, document_date,
        due_date, amount, applied_named_amount, applied_pool_amount, remaining_amount, open_amount, days_past_due, days_overdue,
        bucket_order, bucket FROM core.core_receivables_open_items`}
)

func TestGeneratedCompanyMatchesGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated company")
	}
	ctx := context.Background()
	db := generate(t, 40000)
	got := map[string]string{}
	record := func(step string) {
		for name, f := range fingerprints(t, db) {
			got[step+" "+name] = f
		}
		for _, name := range goldenViews {
			got[step+" "+name] = fingerprintOf(t, db, "SELECT * FROM "+name)
		}
		for name, column := range goldenAddedColumns {
			got[step+" "+name] = fingerprintOf(t, db, "SELECT * EXCLUDE ("+column+") FROM "+name)
		}
		for name, query := range goldenMoved {
			got[step+" "+name] = fingerprintOf(t, db, query)
		}
	}
	build(t, db, models.Options{AsOf: date(genAsOf)})
	record("full")
	for _, mart := range []string{"receivables_ageing", "receivables_open_invoices", "credit_control"} {
		for _, day := range []string{"2025-06-15", "2026-03-31"} {
			q, err := models.QueryAsOf(ctx, db, mart, models.Options{AsOf: date(day)})
			if err != nil {
				t.Fatal(err)
			}
			got["asof "+mart+" "+day] = fingerprintOf(t, db, q)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := "2026-10-31"
	if err := generateOrders(ctx, conn, 2000, 900_000_000, next, 1, next, 3); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	build(t, db, models.Options{AsOf: date(next)})
	record("incremental")

	if os.Getenv("KAM_GOLDEN_UPDATE") != "" {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.MkdirAll(filepath.Dir(goldenFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if got[k] != want[k] {
			t.Errorf("%s: got %q, want %q", k, got[k], want[k])
		}
	}
}
