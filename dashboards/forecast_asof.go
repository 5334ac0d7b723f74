package dashboards

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kam-analytics/kam/models/forecast/mart"
	"github.com/kam-analytics/kam/reports"
)

// forecastsAsOf gives the segment forecasts as they would have been made
// on asOf. marts.segment_forecast is made by the last build: a page of an
// earlier month (the monthly pack of a past month, kam render --as-of an
// earlier date) would show later months as actuals and a forecast from data
// it did not have, and would change with every build. Such a page gets the
// forecast computed from the complete months up to asOf (mart.Compute,
// nothing stored), with the overrides recorded for its segments. Only a
// date whose last complete month is before the mart's is recomputed; fs is
// returned as it is otherwise.
func forecastsAsOf(ctx context.Context, db *sql.DB, fs []reports.SegmentForecast, asOf time.Time) ([]reports.SegmentForecast, error) {
	if len(fs) == 0 || mart.LastComplete(asOf).Sub(mart.LastComplete(fs[0].AsOf)) >= 0 {
		return fs, nil
	}
	rows, _, err := mart.Compute(ctx, db, asOf)
	if err != nil {
		return nil, fmt.Errorf("segment forecasts as of %s: %w", asOf.Format("2006-01-02"), err)
	}
	overrides := map[string][]reports.ForecastOverride{}
	for _, f := range fs {
		overrides[f.Segment] = f.Overrides
	}
	dec := func(s string) (d reports.Dec, err error) { // "" is NULL
		if s != "" {
			err = d.Scan(s)
		}
		return d, err
	}
	var out []reports.SegmentForecast
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Segment != r.Segment {
			f := reports.SegmentForecast{Segment: r.Segment, AsOf: r.AsOf}
			if r.Model != nil {
				f.Model = *r.Model
			}
			if r.MASE != nil {
				f.MASE, f.Bias, f.HasAccuracy = *r.MASE, *r.Bias, true
			}
			out = append(out, f)
		}
		f := &out[len(out)-1]
		p := reports.ForecastPoint{Period: r.Period}
		var err error
		if r.Kind == "actual" {
			p.Actual, err = dec(r.Value)
		} else {
			for _, x := range []struct {
				to   *reports.Dec
				from string
			}{{&p.Forecast, r.Value}, {&p.Lo80, r.Lo80}, {&p.Hi80, r.Hi80}, {&p.Lo95, r.Lo95}, {&p.Hi95, r.Hi95}} {
				if *x.to, err = dec(x.from); err != nil {
					break
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("segment forecast %s %s: %w", r.Segment, r.Period, err)
		}
		f.Points = append(f.Points, p)
	}
	for i := range out {
		for _, o := range overrides[out[i].Segment] {
			out[i].AddOverride(o)
		}
	}
	return out, nil
}

// kamForecastsAsOf gives each KAM page the forecasts in all (the
// director's, made for the page's date) of the segments it shows.
func kamForecastsAsOf(ks []*reports.KAM, all []reports.SegmentForecast) {
	bySegment := map[string]reports.SegmentForecast{}
	for _, f := range all {
		bySegment[f.Segment] = f
	}
	for _, k := range ks {
		var fs []reports.SegmentForecast
		for _, f := range k.Panels.Forecasts {
			if nf, ok := bySegment[f.Segment]; ok {
				fs = append(fs, nf)
			}
		}
		k.Panels.Forecasts = fs
	}
}
