package gen

import (
	"slices"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

func TestEntitiesMatchTheWarehouseContract(t *testing.T) {
	if len(entities) != len(warehouse.Entities) {
		t.Fatalf("%d entities, the warehouse has %d", len(entities), len(warehouse.Entities))
	}
	for i, e := range entities {
		w := warehouse.Entities[i]
		if e.name != w.Name || !slices.Equal(e.cols, w.FieldNames()) {
			t.Errorf("entity %d: %s %v, warehouse %s %v", i, e.name, e.cols, w.Name, w.FieldNames())
		}
	}
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{money(0), "0.00"}, {money(5), "0.05"}, {money(123456), "1234.56"}, {money(-1050), "-10.50"},
		{qty(3000), "3"}, {qty(2500), "2.5"}, {qty(1234), "1.234"}, {qty(5), "0.005"}, {qty(1_234_000), "1234"},
		{tenths(355), "35.5"}, {tenths(400), "40"},
		{seqID("INV-", 42, 6), "INV-000042"}, {seqID("INV-", 1234567, 6), "INV-1234567"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestINN(t *testing.T) {
	for _, tt := range []struct {
		base, want string
	}{{"770708389", "7707083893"}, {"5001007322", "500100732259"}} {
		if got := innDigits([]byte(tt.base)); got != tt.want {
			t.Errorf("innDigits(%s) = %s, want %s", tt.base, got, tt.want)
		}
	}
	r := newRand(1, 99)
	for range 1000 {
		for _, ip := range []bool{false, true} {
			if inn := randomINN(r, "77", ip); !validINN(inn) || len(inn) != 10+2*boolInt(ip) {
				t.Fatalf("randomINN(ip=%v) = %s: invalid", ip, inn)
			}
		}
	}
}

func TestCalendar(t *testing.T) {
	c := newCalendar(timeOf(dayOf(mustDate("2026-11-25"))), 24)
	if got := c.date(c.start); got != "2024-12-01" {
		t.Errorf("start = %s, want 2024-12-01", got)
	}
	if got := c.monthKey[c.nMonths-1]; got != "2026-11" {
		t.Errorf("last month = %s, want 2026-11", got)
	}
	if got := c.monthName(c.asOf + 40); got != "2027-01" {
		t.Errorf("monthName(as-of + 40 days) = %s, want 2027-01", got)
	}
	if got := weekday(dayOf(mustDate("2026-11-25"))).String(); got != "Wednesday" {
		t.Errorf("weekday(2026-11-25) = %s, want Wednesday", got)
	}
}

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
