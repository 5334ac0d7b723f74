package reports_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/reports"
	"github.com/kam-analytics/kam/reports/reportstest"
)

func TestManagerIDsAndLoadKAM(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	ctx := context.Background()
	p := reports.Params{AsOf: reportstest.AsOf}
	ids, err := reports.ManagerIDs(ctx, db, p)
	if err != nil {
		t.Fatal(err)
	}
	// M06 left on 2025-12-31, before the year of the as-of date.
	if got := strings.Join(ids, " "); got != "M01 M02 M03 M04 M05" {
		t.Errorf("manager ids %s", got)
	}

	k, err := reports.LoadKAM(ctx, db, p, "M04")
	if err != nil {
		t.Fatal(err)
	}
	var clients []string
	for _, c := range k.Clients {
		clients = append(clients, c.ClientID)
	}
	// C13 moved from M03 to M04 on 2026-07-01; largest 12-month sales first.
	if got := strings.Join(clients, " "); got != "C13 C10 C09" {
		t.Errorf("M04 clients %s", got)
	}
	c09 := k.Clients[2]
	// 357000 × 1.10 (October) × 1.29 (29 months of 1 %) × 20/31, split 0.6/0.4, each rounded:
	// 196096.65 + 130731.10.
	dec(t, "C09 October", c09.PeriodSales, "326827.75")
	if c09.LastShipped.Format("2006-01-02") != "2026-09-19" || c09.Segment != "HoReCa" {
		t.Errorf("C09: %+v", c09)
	}
	if len(k.Month) != 3 || k.Month[0].KPI != "sales" || len(k.YTD) != 3 || k.Manager.Team != "Центр" {
		t.Errorf("M04 fulfilment: %d month, %d ytd rows, manager %+v", len(k.Month), len(k.YTD), k.Manager)
	}
	if len(k.Trend) != 24 || !k.Trend[23].InProgress || k.Trend[0].Month != time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("trend: %d points, first %v", len(k.Trend), k.Trend[0].Month)
	}
	if len(k.Categories) != 2 || k.Categories[0].Category != "Крепёж" {
		t.Errorf("categories %+v", k.Categories)
	}

	m5, err := reports.LoadKAM(ctx, db, p, "M05")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m5.Clients {
		// C14's line shipped on 2026-10-25 is after the as-of date.
		if c.ClientID == "C14" && c.LastShipped.Format("2006-01-02") != "2026-09-29" {
			t.Errorf("C14 last shipped %v", c.LastShipped)
		}
	}
	if _, err := reports.LoadKAM(ctx, db, p, "M99"); err == nil {
		t.Error("an unknown manager loaded")
	}
}

// The work lists of a KAM's page hold only the clients assigned to the KAM
// on the as-of date, whatever the mart's own manager column says.
func TestLoadKAMPanels(t *testing.T) {
	db := reportstest.Open(t, reportstest.Company)
	ctx := context.Background()
	p := reports.Params{AsOf: reportstest.AsOf}
	k, err := reports.LoadKAM(ctx, db, p, "M04")
	if err != nil {
		t.Fatal(err)
	}
	x := k.Panels
	own := map[string]bool{"C09": true, "C10": true, "C13": true}
	check := func(what, id string) {
		if !own[id] {
			t.Errorf("M04 %s shows client %s", what, id)
		}
	}
	for _, h := range x.History {
		check("history", h.ClientID)
	}
	for _, a := range x.Assortment {
		check("assortment", a.ClientID)
	}
	for _, a := range x.Ageing {
		check("ageing", a.ClientID)
	}
	for _, o := range x.Overdue {
		check("overdue invoices", o.ClientID)
	}
	for _, c := range x.Competitors {
		check("competitor share", c.ClientID)
	}
	for _, c := range x.Credit {
		check("credit control", c.ClientID)
	}
	for id := range x.Classes {
		check("ABC/XYZ", id)
	}
	if len(x.GapValues) != 4 || x.GapValues[0].KPI != "sales" || x.GapValues[3].KPI != "all" || x.GapPeriod != "2026-10" {
		t.Errorf("gap values %+v", x.GapValues)
	}
	if len(x.History) != 36 || len(x.Months) != 12 || len(x.Classes) != 3 {
		t.Errorf("history %d rows over %d months, %d classes; want 36, 12, 3", len(x.History), len(x.Months), len(x.Classes))
	}
	// C09 owes 30 000 over 90 days: its invoice comes first.
	if len(x.Overdue) == 0 || x.Overdue[0].ClientID != "C09" || x.Overdue[0].DaysOverdue != 129 || x.ReceivablesAsOf != reportstest.AsOf {
		t.Errorf("overdue %+v at %v", x.Overdue, x.ReceivablesAsOf)
	}
	for i := 1; i < len(x.Overdue); i++ {
		if x.Overdue[i].DaysOverdue > x.Overdue[i-1].DaysOverdue {
			t.Errorf("overdue invoices are not oldest first: %+v", x.Overdue)
		}
	}
	if len(x.Credit) == 0 || x.Credit[0].ClientID != "C09" || !x.Credit[0].OverLimit {
		t.Errorf("credit %+v", x.Credit)
	}
	if len(x.Activity) != 12 || len(x.Buckets) != 5 || x.Buckets[0] != "not_due" {
		t.Errorf("activity %d months, buckets %v", len(x.Activity), x.Buckets)
	}
	var segs []string
	for _, f := range x.Forecasts {
		segs = append(segs, f.Segment)
	}
	// C09 HoReCa, C10 Стройка, C13 Розница.
	if got := strings.Join(segs, " "); got != "HoReCa Розница Стройка" {
		t.Errorf("forecast segments %q", got)
	}
}

// LoadKAMs reads every page at once; each page must be what reading that
// manager alone gives (no row of another manager, none lost).
func TestLoadKAMsIsLoadKAMOfEach(t *testing.T) {
	for name, fixture := range map[string][]string{"company": {reportstest.Company}, "synthetic": {reportstest.Synthetic(7, 60)}} {
		t.Run(name, func(t *testing.T) {
			db := reportstest.Open(t, fixture...)
			ctx := context.Background()
			p := reports.Params{AsOf: reportstest.AsOf}
			ids, err := reports.ManagerIDs(ctx, db, p)
			if err != nil {
				t.Fatal(err)
			}
			all, err := reports.LoadKAMs(ctx, db, p, append(ids, ids[0]))
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != len(ids)+1 || all[len(ids)] != all[0] {
				t.Fatalf("%d pages for %d ids", len(all), len(ids)+1)
			}
			for i, id := range ids {
				one, err := reports.LoadKAM(ctx, db, p, id)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(one, all[i]) {
					t.Errorf("%s: LoadKAMs differs from LoadKAM", id)
				}
				if all[i].Manager.ID != id {
					t.Errorf("page %d is of %s, want %s", i, all[i].Manager.ID, id)
				}
			}
		})
	}
}
