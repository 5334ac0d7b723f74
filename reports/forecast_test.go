package reports_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/reports"
	"github.com/kam-analytics/kam/reports/reportstest"
)

// forecastFixture is a two-segment marts.segment_forecast (two actual and
// two forecast months each, to keep it readable) and overrides: HoReCa
// 2026-11 was overridden twice (the later one wins), Retail once, and an
// override of a segment not in the mart is ignored.
const forecastFixture = `
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE marts.segment_forecast (
    segment VARCHAR, period VARCHAR, kind VARCHAR, value DECIMAL(18,2),
    lo80 DECIMAL(18,2), hi80 DECIMAL(18,2), lo95 DECIMAL(18,2), hi95 DECIMAL(18,2),
    model VARCHAR, mase DOUBLE, bias DOUBLE, as_of DATE);
INSERT INTO marts.segment_forecast VALUES
    ('Retail', '2026-09', 'actual', 500.00, NULL, NULL, NULL, NULL, 'SNaive', NULL, NULL, DATE '2026-10-31'),
    ('Retail', '2026-10', 'actual', 510.50, NULL, NULL, NULL, NULL, 'SNaive', NULL, NULL, DATE '2026-10-31'),
    ('Retail', '2026-11', 'forecast', 520.00, 480.00, 560.00, 460.00, 580.00, 'SNaive', NULL, NULL, DATE '2026-10-31'),
    ('Retail', '2026-12', 'forecast', 530.00, 470.00, 590.00, 440.00, 620.00, 'SNaive', NULL, NULL, DATE '2026-10-31'),
    ('HoReCa', '2026-12', 'forecast', 1300.00, 1100.00, 1500.00, 1000.00, 1600.00, 'Theta', 0.75, -0.02, DATE '2026-10-31'),
    ('HoReCa', '2026-09', 'actual', 1000.00, NULL, NULL, NULL, NULL, 'Theta', 0.75, -0.02, DATE '2026-10-31'),
    ('HoReCa', '2026-10', 'actual', 1100.00, NULL, NULL, NULL, NULL, 'Theta', 0.75, -0.02, DATE '2026-10-31'),
    ('HoReCa', '2026-11', 'forecast', 1200.00, 1050.00, 1350.00, 980.00, 1420.00, 'Theta', 0.75, -0.02, DATE '2026-10-31');
CREATE TABLE meta.forecast_overrides (
    segment VARCHAR, period VARCHAR, value DECIMAL(18,2), comment VARCHAR, author VARCHAR, recorded_at TIMESTAMP);
INSERT INTO meta.forecast_overrides VALUES
    ('HoReCa', '2026-11', 1250.00, 'new café chain', 'anna', TIMESTAMP '2026-11-02 10:00:00'),
    ('HoReCa', '2026-11', 1400.00, 'chain signed for two cities', 'boris', TIMESTAMP '2026-11-20 09:30:00'),
    ('HoReCa', '2026-12', 1280.00, 'holidays', 'anna', TIMESTAMP '2026-11-02 10:01:00'),
    ('Retail', '2026-12', 600.00, 'promo', 'vera', TIMESTAMP '2026-11-03 12:00:00'),
    ('Gone', '2026-12', 1.00, 'segment renamed', 'vera', TIMESTAMP '2026-11-03 12:00:00');
`

func TestLoadSegmentForecasts(t *testing.T) {
	ctx := context.Background()
	db := reportstest.Open(t, forecastFixture)

	all, err := reports.LoadSegmentForecasts(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range all {
		names = append(names, f.Segment)
	}
	if got := strings.Join(names, " "); got != "HoReCa Retail" {
		t.Fatalf("LoadSegmentForecasts(nil) segments = %q, want \"HoReCa Retail\"", got)
	}
	h := all[0]
	if h.Model != "Theta" || !h.HasAccuracy || h.MASE != 0.75 || h.Bias != -0.02 || h.AsOf.Format("2006-01-02") != "2026-10-31" {
		t.Errorf("HoReCa header = %q mase %v bias %v has %v as of %v; want Theta 0.75 -0.02 true 2026-10-31",
			h.Model, h.MASE, h.Bias, h.HasAccuracy, h.AsOf)
	}
	var periods []string
	for _, p := range h.Points {
		periods = append(periods, p.Period)
	}
	if got := strings.Join(periods, " "); got != "2026-09 2026-10 2026-11 2026-12" {
		t.Fatalf("HoReCa periods = %q, want sorted 2026-09 … 2026-12", got)
	}
	oct, nov := h.Points[1], h.Points[2]
	forecastDec(t, "HoReCa 2026-10 actual", oct.Actual, "1100.00")
	if oct.IsForecast() || oct.Forecast.Valid || oct.Lo80.Valid || oct.Override.Valid {
		t.Errorf("HoReCa 2026-10 is an actual without override: %+v", oct)
	}
	if !nov.IsForecast() || nov.Actual.Valid {
		t.Errorf("HoReCa 2026-11 should be a forecast: %+v", nov)
	}
	forecastDec(t, "HoReCa 2026-11 forecast", nov.Forecast, "1200.00")
	forecastDec(t, "HoReCa 2026-11 lo80", nov.Lo80, "1050.00")
	forecastDec(t, "HoReCa 2026-11 hi95", nov.Hi95, "1420.00")
	forecastDec(t, "HoReCa 2026-11 override (the later of two)", nov.Override, "1400.00")
	if len(h.Overrides) != 2 || h.Overrides[0].Period != "2026-11" || h.Overrides[0].Author != "boris" ||
		h.Overrides[0].Comment != "chain signed for two cities" || h.Overrides[0].RecordedAt.Format("2006-01-02 15:04") != "2026-11-20 09:30" ||
		h.Overrides[1].Period != "2026-12" {
		t.Errorf("HoReCa overrides = %+v, want boris's 2026-11 then anna's 2026-12", h.Overrides)
	}

	r := all[1]
	if r.HasAccuracy || r.MASE != 0 || r.Model != "SNaive" {
		t.Errorf("Retail without a backtest: model %q mase %v has %v; want SNaive 0 false", r.Model, r.MASE, r.HasAccuracy)
	}
	forecastDec(t, "Retail 2026-12 override", r.Points[3].Override, "600.00")

	only, err := reports.LoadSegmentForecasts(ctx, db, []string{"Retail", "Nope"})
	if err != nil || len(only) != 1 || only[0].Segment != "Retail" || len(only[0].Overrides) != 1 {
		t.Errorf("LoadSegmentForecasts([Retail Nope]) = %+v, %v; want Retail alone with its override", only, err)
	}
	none, err := reports.LoadSegmentForecasts(ctx, db, []string{})
	if err != nil || none != nil {
		t.Errorf("LoadSegmentForecasts([]) = %+v, %v; want nil, nil", none, err)
	}
}

func TestLoadSegmentForecastsWithoutTables(t *testing.T) {
	ctx := context.Background()
	db := reportstest.Open(t)
	got, err := reports.LoadSegmentForecasts(ctx, db, nil)
	if err != nil || got != nil {
		t.Errorf("LoadSegmentForecasts before the mart exists = %+v, %v; want nil, nil", got, err)
	}
	// The mart without any override table: forecasts, no overrides.
	db = reportstest.Open(t, strings.Split(forecastFixture, "CREATE TABLE meta.forecast_overrides")[0])
	got, err = reports.LoadSegmentForecasts(ctx, db, nil)
	if err != nil || len(got) != 2 || got[0].Overrides != nil {
		t.Errorf("LoadSegmentForecasts without overrides = %d segments, %v", len(got), err)
	}
}

func forecastDec(t *testing.T, what string, got reports.Dec, want string) {
	t.Helper()
	if !got.Valid || !got.Decimal.Equal(reports.NewDec(want).Decimal) {
		t.Errorf("%s = %s (valid %v), want %s", what, got.Decimal, got.Valid, want)
	}
}
