package reports_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/reports"
	"github.com/kam-analytics/kam/reports/reportstest"
)

// Synthetic(7, 60): clients C00001…C00060 (i = 1…60) assigned to M(1 + i % 7);
// the expected values follow from the rules in reportstest/director.go.
func TestLoadDirectorPanels(t *testing.T) {
	db := reportstest.Open(t, reportstest.Synthetic(7, 60))
	d, err := reports.LoadDirector(context.Background(), db, reports.Params{AsOf: reportstest.AsOf})
	if err != nil {
		t.Fatal(err)
	}

	if n := len(d.ClientBase); n != 13 || d.ClientBase[0].Month.Format("2006-01") != "2025-10" || !d.ClientBase[12].InProgress {
		t.Fatalf("client base: %d months from %v, want 13 from 2025-10 with October 2026 in progress", n, d.ClientBase[0].Month)
	}
	// Lost in October: active in September (i % 10 ≠ 4) and not now (i % 6 = 4 or i % 10 = 1): 14 clients.
	if c := d.ClientBase[12]; c.Lost != 14 || c.ActiveStart-c.Lost+c.Reactivated != c.Active {
		t.Errorf("October 2026 client base %+v: want 14 lost and start - lost + reactivated = active", c)
	}
	if d.Alerts.LostCount != 14 || len(d.Alerts.Lost) != 14 {
		t.Errorf("lost clients: %d listed of %d, want 14", len(d.Alerts.Lost), d.Alerts.LostCount)
	}

	a := d.Ageing
	if a == nil || a.AsOf != reportstest.AsOf || strings.Join(a.Buckets, " ") != "not_due overdue_1_30 overdue_31_60 overdue_61_90 overdue_90_plus" {
		t.Fatalf("ageing: %+v", a)
	}
	// The worst debtors: C00059 (overdue_90_plus 120000 + 5000 × 59), C00045 (345000 + 65000 in 1–30 days), C00052.
	var ids []string
	for _, r := range a.Debtors {
		ids = append(ids, r.ID)
	}
	if len(a.Debtors) != reports.WorstDebtors || strings.Join(ids[:3], " ") != "C00059 C00045 C00052" {
		t.Errorf("worst debtors %v", ids)
	}
	dec(t, "C00059 overdue", a.Debtors[0].Overdue, "415000")
	dec(t, "C00045 1–30 days", a.Debtors[1].Amounts[1], "65000")
	// The managers' rows add up to the company's, bucket by bucket.
	for i := range a.Buckets {
		sum := reports.Dec{}
		for _, m := range a.ByManager {
			if m.Amounts[i].Valid {
				sum = reports.Dec{Decimal: sum.Decimal.Add(m.Amounts[i].Decimal), Valid: true}
			}
		}
		dec(t, "total "+a.Buckets[i], a.Total.Amounts[i], sum.Decimal.String())
	}
	for i := 1; i < len(a.ByManager); i++ {
		if a.ByManager[i].Overdue.Decimal.GreaterThan(a.ByManager[i-1].Overdue.Decimal) {
			t.Errorf("managers not by overdue: %s after %s", a.ByManager[i].ID, a.ByManager[i-1].ID)
		}
	}

	// Pay: 7 × 50000 budget (everyone employed all October); pay 50000 × (0.5 + 0.1 × (i % 5)).
	p := d.Pay
	if p == nil || p.Period != "2026-10" || len(p.Lines) != 7 {
		t.Fatalf("pay: %+v", p)
	}
	dec(t, "pay budget", p.Budget, "350000")
	dec(t, "pay cost", p.Cost, "240000")
	dec(t, "pay gap value", p.GapValue, "105000")
	dec(t, "a line's sales gap value", p.Lines[0].GapValue["sales"], "10000")

	// Discounts: one line per client with i % 4 = 1 in October (shortfall 12 × 10 × i); September's is left out.
	lines, sum := int64(0), reports.Dec{}
	for _, b := range d.Alerts.Discounts {
		lines += b.Lines
		sum = reports.Dec{Decimal: sum.Decimal.Add(b.Shortfall.Decimal), Valid: true}
	}
	if lines != 15 {
		t.Errorf("discount breaches: %d lines, want 15", lines)
	}
	dec(t, "discount shortfall", sum, "52200")
	if d.Alerts.CreditCount == 0 || len(d.Alerts.Credit) > reports.MaxAlerts {
		t.Errorf("credit alerts: %d listed of %d", len(d.Alerts.Credit), d.Alerts.CreditCount)
	}
	if len(d.Competitors) == 0 || d.Competitors[0].AsOf != reportstest.AsOf {
		t.Errorf("competitor share: %+v", d.Competitors)
	}
}

// A warehouse without the panels' marts still gives the director's page.
func TestLoadDirectorWithoutPanels(t *testing.T) {
	db := reportstest.Open(t, tiny)
	for _, q := range []string{"DROP TABLE marts.receivables_ageing", "DROP TABLE marts.pay_gap_value", "DROP TABLE marts.credit_control"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	d, err := reports.LoadDirector(context.Background(), db, reports.Params{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if d.Ageing != nil || d.Pay != nil || len(d.ClientBase) != 0 || d.Alerts == nil || len(d.Alerts.Credit) != 0 {
		t.Errorf("panels of a warehouse without their marts: %+v %+v %+v", d.Ageing, d.Pay, d.Alerts)
	}
}

func TestBySegment(t *testing.T) {
	d := reports.NewDec
	got := reports.BySegment([]reports.SegmentShare{
		{Segment: "A", Category: "x", Ours: d("100"), Wallet: d("400"), Share: d("0.25"), Low: d("0.2"), High: d("0.5"), Competitors: 2, NotedClients: 1},
		{Segment: "A", Category: "y", Ours: d("0"), Wallet: d("100"), Share: d("0"), Low: d("0"), High: d("0"), Competitors: 3, NotedClients: 2},
		{Segment: "B", Category: "x", Ours: d("50"), Wallet: d("100"), Share: d("0.5"), Low: d("0"), High: d("0.8")},
	})
	if len(got) != 2 || got[0].Segment != "A" || got[1].Segment != "B" {
		t.Fatalf("BySegment: %+v", got)
	}
	// A: ours 100 of wallet 500; high: 100 / (100/0.5 + 100); low: 100 / (100/0.2 + 100).
	dec(t, "A share", got[0].Share, "0.2")
	dec(t, "A high", got[0].High, "0.3333")
	dec(t, "A low", got[0].Low, "0.1667")
	if got[0].Competitors != 3 || got[0].NotedClients != 3 {
		t.Errorf("A: %d competitors, %d noted clients, want 3 and 3", got[0].Competitors, got[0].NotedClients)
	}
	// B sells with an unknown low bound: the segment's low bound is 0.
	dec(t, "B low", got[1].Low, "0")
	dec(t, "B high", got[1].High, "0.8")
}

// The monthly pack has a sheet per table; text that a spreadsheet would
// run as a formula is stored with a leading apostrophe.
func TestDirectorSheets(t *testing.T) {
	db := reportstest.Open(t, reportstest.Synthetic(7, 60))
	d, err := reports.LoadDirector(context.Background(), db, reports.Params{AsOf: reportstest.AsOf})
	if err != nil {
		t.Fatal(err)
	}
	d.Pay.Lines[0].Name = "=HYPERLINK(\"http://x\")"
	var b bytes.Buffer
	if err := reports.WriteXLSX(&b, reports.DirectorSheets(d)); err != nil {
		t.Fatal(err)
	}
	// The same pack gives the same bytes (excelize alone writes its sheets in map order).
	for range 3 {
		var again bytes.Buffer
		if err := reports.WriteXLSX(&again, reports.DirectorSheets(d)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), b.Bytes()) {
			t.Fatal("the same monthly pack written twice gives different bytes")
		}
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := "month_2026-10 ytd_2026 totals sales_trend client_base receivables_by_manager worst_debtors competitor_share variable_pay alerts_credit alerts_lost_clients alerts_discounts segment_forecast"
	if got := strings.Join(f.GetSheetList(), " "); got != want {
		t.Errorf("sheets\n got %s\nwant %s", got, want)
	}
	v, err := f.GetCellValue("variable_pay", "C2")
	if err != nil || v != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("variable_pay!C2 = %q (%v), want the name guarded", v, err)
	}
	if fs, _ := f.GetCellFormula("variable_pay", "C2"); fs != "" {
		t.Errorf("variable_pay!C2 is a formula %q", fs)
	}
	rows, _ := f.GetRows("worst_debtors")
	if len(rows) != 1+reports.WorstDebtors || rows[0][5] != "not_due" || rows[1][1] != "C00059" {
		t.Errorf("worst_debtors sheet: %d rows, header %v, first %v", len(rows), rows[0], rows[1])
	}
}
