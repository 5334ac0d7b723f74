package mart_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/models/forecast/mart"
)

// asOf is in the middle of October 2026: September is the last complete month.
var asOf = time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)

// fixture is marts.sales_monthly (the columns Sales reads) with:
//   - Flat: 100.00 a month from 2023-10 to 2026-09 (36 months), split over
//     two categories (60 + 40), plus 999 in the month in progress;
//   - no segment (empty for C2, NULL for C3), counted as "(none)": 2026-06
//     10.005 (C2 10.002 + C3 0.003, exactly 10.01 rounded), nothing in
//     2026-07, 20 in 2026-08, 30 in 2026-09 (C2 25 + C3 5).
const fixture = `
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE marts.sales_monthly (
    month DATE, client_id VARCHAR, client_name VARCHAR, segment VARCHAR, category VARCHAR, manager_id VARCHAR,
    net_sales DECIMAL(38,8));
INSERT INTO marts.sales_monthly
SELECT m::DATE, 'C1', 'Альфа', 'Flat', c, 'M1', v
FROM range(DATE '2023-10-01', DATE '2026-10-01', INTERVAL 1 MONTH) AS t(m), (VALUES ('Food', 60), ('Tools', 40)) AS k(c, v);
INSERT INTO marts.sales_monthly VALUES
    (DATE '2026-10-01', 'C1', 'Альфа', 'Flat', 'Food', 'M1', 999),
    (DATE '2026-06-01', 'C2', 'Бета', '', 'Food', '', 10.002),
    (DATE '2026-06-01', 'C3', 'Гамма', NULL, 'Food', 'M1', 0.003),
    (DATE '2026-08-01', 'C2', 'Бета', '', 'Food', '', 20),
    (DATE '2026-09-01', 'C2', 'Бета', '', 'Food', '', 25),
    (DATE '2026-09-01', 'C3', 'Гамма', NULL, 'Food', 'M1', 5);
`

func open(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(ctx, fixture); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestLastComplete(t *testing.T) {
	for _, c := range []struct{ asOf, want string }{
		{"2026-10-20", "2026-09"}, {"2026-10-31", "2026-10"}, {"2026-10-01", "2026-09"},
		{"2026-01-15", "2025-12"}, {"2024-02-29", "2024-02"}, {"2024-02-28", "2024-01"},
	} {
		d, _ := time.Parse("2006-01-02", c.asOf)
		if got := mart.LastComplete(d).String(); got != c.want {
			t.Errorf("LastComplete(%s) = %s, want %s", c.asOf, got, c.want)
		}
	}
}

func TestSales(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	hist, err := mart.Sales(ctx, db, mart.BySegment, "", asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Series.Name != "(none)" || hist[1].Series.Name != "Flat" {
		t.Fatalf("Sales by segment: %d series %+v, want (none) and Flat", len(hist), hist)
	}
	none := hist[0]
	if got := strings.Join(none.Exact, " "); none.Series.Start.String() != "2026-06" || got != "10.01 0.00 20.00 30.00" {
		t.Errorf("(none): start %s exact %q, want 2026-06 and 10.01 0.00 20.00 30.00", none.Series.Start, got)
	}
	if got := fmt.Sprint(none.Series.Values); got != "[10.005 0 20 30]" {
		t.Errorf("(none) values %s, want [10.005 0 20 30]", got)
	}
	flat := hist[1]
	if flat.Series.Start.String() != "2023-10" || len(flat.Series.Values) != 36 || flat.Exact[35] != "100.00" || flat.Series.Values[35] != 100 {
		t.Errorf("Flat: start %s, %d months, last %s; want 2023-10, 36 months to 2026-09 of 100.00 (October in progress left out)",
			flat.Series.Start, len(flat.Series.Values), flat.Exact[len(flat.Exact)-1])
	}

	byManager, err := mart.Sales(ctx, db, mart.ByManager, "(none)", asOf)
	if err != nil {
		t.Fatal(err)
	}
	// In segment (none): C2 has no manager (''), C3 has M1 (0.003 in June, 5 in September).
	if len(byManager) != 2 || byManager[0].Series.Name != "(none)" || byManager[1].Series.Name != "M1" ||
		strings.Join(byManager[1].Exact, " ") != "0.00 0.00 0.00 5.00" || byManager[1].Series.Start.String() != "2026-06" {
		t.Errorf("Sales by manager in (none): %+v", byManager)
	}
	byClient, err := mart.Sales(ctx, db, mart.ByClient, "", asOf)
	if err != nil || len(byClient) != 3 || byClient[2].Series.Name != "C3" {
		t.Errorf("Sales by client: %+v, %v; want C1 C2 C3", byClient, err)
	}

	if _, err := mart.ParseDim("region"); err == nil {
		t.Error(`ParseDim("region") = nil error, want one`)
	}
}

// dump returns every row of marts.segment_forecast as text.
func dump(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT concat_ws('|', segment, period, kind, value, coalesce(lo80::VARCHAR, '-'), coalesce(hi80::VARCHAR, '-'),
            coalesce(lo95::VARCHAR, '-'), coalesce(hi95::VARCHAR, '-'), model, coalesce(mase::VARCHAR, '-'), coalesce(bias::VARCHAR, '-'), as_of)
        FROM marts.segment_forecast ORDER BY segment, period`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestMaterialize(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	m, err := mart.Materialize(ctx, db, asOf)
	if err != nil {
		t.Fatal(err)
	}
	// Flat: 24 actuals + 12 forecasts; (none): its 4 months + 12 forecasts.
	if m.Segments != 2 || m.Rows != 24+12+4+12 || m.LastActual.String() != "2026-09" || len(m.Failed) != 0 {
		t.Errorf("Materialize = %+v, want 2 segments, 52 rows, last actual 2026-09", m)
	}
	rows := dump(t, db)
	if len(rows) != 52 {
		t.Fatalf("%d rows, want 52", len(rows))
	}
	// (none) is 4 months long: too short for a model, so the naive
	// forecast (the last value, 30) without a backtest (mase, bias NULL).
	for i, want := range []string{
		"(none)|2026-06|actual|10.01|-|-|-|-|Naive|-|-|2026-10-20",
		"(none)|2026-07|actual|0.00|-|-|-|-|Naive|-|-|2026-10-20",
		"(none)|2026-09|actual|30.00|-|-|-|-|Naive|-|-|2026-10-20",
	} {
		if got := rows[[]int{0, 1, 3}[i]]; got != want {
			t.Errorf("row %d = %s, want %s", i, got, want)
		}
	}
	for _, r := range rows[4:16] {
		f := strings.Split(r, "|")
		if f[2] != "forecast" || f[3] != "30.00" || f[8] != "Naive" || f[9] != "-" {
			t.Errorf("(none) forecast row %s: want the naive forecast 30.00 without accuracy", r)
		}
	}
	if !strings.HasPrefix(rows[4], "(none)|2026-10|forecast|") || !strings.HasPrefix(rows[15], "(none)|2027-09|forecast|") {
		t.Errorf("(none) forecasts run %s … %s, want 2026-10 … 2027-09", rows[4], rows[15])
	}
	// Flat: actuals 2024-10 … 2026-09 of 100.00, and every method forecasts
	// a constant as itself with no error in the backtest: MASE and bias 0.
	flat := rows[16:]
	if !strings.HasPrefix(flat[0], "Flat|2024-10|actual|100.00|-|") || !strings.HasPrefix(flat[23], "Flat|2026-09|actual|100.00|-|") {
		t.Errorf("Flat actuals run %s … %s, want 2024-10 … 2026-09 of 100.00", flat[0], flat[23])
	}
	for _, r := range flat[24:] {
		f := strings.Split(r, "|")
		if f[2] != "forecast" || f[3] != "100.00" || f[9] != "0.0" || f[10] != "0.0" {
			t.Errorf("Flat forecast row %s: want 100.00 with mase 0 and bias 0", r)
		}
		lo95, _ := decimal.NewFromString(f[6])
		hi95, _ := decimal.NewFromString(f[7])
		if lo95.GreaterThan(decimal.NewFromInt(100)) || hi95.LessThan(decimal.NewFromInt(100)) {
			t.Errorf("Flat forecast row %s: 95%% interval must hold 100", r)
		}
	}

	// Deterministic: the same warehouse gives identical rows.
	if _, err := mart.Materialize(ctx, db, asOf); err != nil {
		t.Fatal(err)
	}
	if again := dump(t, db); strings.Join(again, "\n") != strings.Join(rows, "\n") {
		t.Errorf("a second Materialize changed the rows:\n%s\n---\n%s", strings.Join(rows, "\n"), strings.Join(again, "\n"))
	}
}

func TestMaterializeEmptyAndMissing(t *testing.T) {
	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := mart.Materialize(ctx, db, asOf); err == nil || !strings.Contains(err.Error(), "run kam build first") {
		t.Errorf("Materialize without marts.sales_monthly: %v, want a hint to run kam build", err)
	}
	if _, err := db.Exec("CREATE SCHEMA IF NOT EXISTS marts; CREATE TABLE marts.sales_monthly (month DATE, client_id VARCHAR, segment VARCHAR, manager_id VARCHAR, net_sales DECIMAL(38,8))"); err != nil {
		t.Fatal(err)
	}
	m, err := mart.Materialize(ctx, db, asOf)
	if err != nil || m.Rows != 0 {
		t.Errorf("Materialize of no sales = %+v, %v; want an empty table", m, err)
	}
}

func TestOverrides(t *testing.T) {
	ctx := context.Background()
	db := open(t)
	if got, err := mart.Overrides(ctx, db); err != nil || got != nil {
		t.Errorf("Overrides before any = %v, %v; want nil, nil", got, err)
	}
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	o := mart.Override{Segment: "Flat", Period: "2026-11", Value: decimal.RequireFromString("123.456"), Comment: "new chain", Author: "anna", RecordedAt: at}
	stored, err := mart.RecordOverride(ctx, db, o, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Value.String() != "123.46" {
		t.Errorf("stored value %s, want 123.46 (rounded to kopecks)", stored.Value)
	}
	o2 := o
	o2.Value, o2.Author, o2.RecordedAt = decimal.NewFromInt(150), "boris", at.Add(time.Hour)
	if _, err := mart.RecordOverride(ctx, db, o2, asOf); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*mart.Override)
		want string
	}{
		{"unknown segment", func(o *mart.Override) { o.Segment = "Space" }, `unknown segment "Space": segments with sales are (none), Flat`},
		{"past month", func(o *mart.Override) { o.Period = "2026-09" }, "period 2026-09 is not a forecast month: forecasts as of 2026-10-20 run from 2026-10 to 2027-09"},
		{"beyond the horizon", func(o *mart.Override) { o.Period = "2027-10" }, "period 2027-10 is not a forecast month"},
		{"bad period", func(o *mart.Override) { o.Period = "11/2026" }, `period "11/2026" is not YYYY-MM`},
		{"no comment", func(o *mart.Override) { o.Comment = " " }, "comment is empty"},
		{"no author", func(o *mart.Override) { o.Author = "" }, "author is empty"},
	} {
		bad := o
		c.edit(&bad)
		_, err := mart.RecordOverride(ctx, db, bad, asOf)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("RecordOverride(%s) = %v, want an error containing %q", c.name, err, c.want)
		}
		if c.name == "unknown segment" && !errors.Is(err, mart.ErrUnknownSegment) {
			t.Errorf("RecordOverride(%s) = %v, want ErrUnknownSegment", c.name, err)
		}
	}
	got, err := mart.Overrides(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Author != "anna" || got[0].Value.String() != "123.46" || got[1].Author != "boris" ||
		!got[1].RecordedAt.Equal(at.Add(time.Hour)) || got[0].Comment != "new chain" {
		t.Errorf("Overrides = %+v, want anna's 123.46 then boris's 150 an hour later", got)
	}
}
