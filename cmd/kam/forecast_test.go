package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/dashboards"
	"github.com/kam-analytics/kam/ingest/warehouse"
	"github.com/kam-analytics/kam/reports"
)

// Series A (5 months) is too short for a model: the naive forecast, 12,
// with σ² the mean squared month-on-month change, (4+1+4+1)/4 = 2.5, and no
// backtest, so normal quantiles: h=1 12 ± 1.2816·√2.5 and 12 ± 1.9600·√2.5,
// h=2 with √(2·2.5).
const forecastGoldenA = `A,2026-06,12,9.9737,14.0263,8.901,15.099,Naive
A,2026-07,12,9.1344,14.8656,7.6174,16.3826,Naive
`

const forecastHeader = "series,period,forecast,lo80,hi80,lo95,hi95,model\n"

func TestForecastFile(t *testing.T) {
	dir := t.TempDir()
	in := func(name, body string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, body)
		return p
	}
	good := in("good.csv", "series,period,value\nA,2026-01,10\nA,2026-03,11\nA,2026-02,12\nA,2026-04,13\nA,2026-05,12\n")
	// B lacks 2026-02; C has a word for a number on line 7.
	mixed := in("mixed.csv", "series,period,value\nA,2026-01,10\nA,2026-02,12\nB,2026-01,5\nA,2026-03,11\nB,2026-03,7\nC,2026-01,n/a\n"+
		"A,2026-04,13\nA,2026-05,12\nC,2026-02,3\n")
	allBad := in("allbad.csv", "series,period,value\nB,2026-01,5\nB,2026-03,7\n")

	t.Run("golden", func(t *testing.T) {
		code, stdout, stderr := kam(t, "forecast", "--input", good, "--horizon", "2")
		if code != exitOK || stdout != forecastHeader+forecastGoldenA {
			t.Errorf("kam forecast --input good.csv: exit %d\n%s\nwant:\n%s%s\nstderr: %s", code, stdout, forecastHeader, forecastGoldenA, stderr)
		}
		if stderr != "forecast: 1 series forecast 2 months ahead\n" {
			t.Errorf("stderr = %q, want the one summary line", stderr)
		}
	})
	t.Run("json and out", func(t *testing.T) {
		out := filepath.Join(dir, "a.json")
		code, stdout, stderr := kam(t, "forecast", "--input", good, "--horizon", "1", "--format", "json", "--out", out)
		b, _ := os.ReadFile(out)
		body := string(b)
		if code != exitOK || stdout != "" || !strings.Contains(body, `"series": "A"`) || !strings.Contains(body, `"period": "2026-06"`) ||
			!strings.Contains(body, `"forecast": 12,`) || !strings.Contains(stderr, "written to "+out) {
			t.Errorf("kam forecast --format json --out: exit %d, stdout %q, stderr %q, file:\n%s", code, stdout, stderr, body)
		}
	})
	t.Run("one bad series among good ones", func(t *testing.T) {
		code, stdout, stderr := kam(t, "forecast", "--input", mixed, "--horizon", "2")
		if code != exitPartial {
			t.Errorf("exit %d, want %d (some series failed)", code, exitPartial)
		}
		if stdout != forecastHeader+forecastGoldenA {
			t.Errorf("stdout:\n%s\nwant A forecast as in the good file:\n%s", stdout, forecastGoldenA)
		}
		for _, want := range []string{
			`series "B": month 2026-02 is missing; fill with zero to accept gaps`,
			`series "C": line 7: value "n/a" is not a number`,
			"2 series failed (above); 1 forecast",
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, stderr)
			}
		}
	})
	t.Run("fill zero", func(t *testing.T) {
		// B becomes 5, 0, 7: naive 7, with σ² = (25+49)/2 = 37, h=1 7 ± 1.2816·√37 = −0.7954 (cut at 0) … 14.7954.
		code, stdout, stderr := kam(t, "forecast", "--input", mixed, "--horizon", "1", "--fill", "zero")
		if code != exitPartial || !strings.Contains(stdout, "\nB,2026-04,7,0,14.7954,0,18.922,Naive\n") || strings.Contains(stderr, `"B"`) {
			t.Errorf("--fill zero: exit %d\n%s\n%s; want B forecast with the gap as 0 and only C failing", code, stdout, stderr)
		}
	})
	t.Run("every series bad", func(t *testing.T) {
		code, stdout, stderr := kam(t, "forecast", "--input", allBad)
		if code != exitFailure || stdout != forecastHeader || !strings.Contains(stderr, "no series could be forecast") {
			t.Errorf("exit %d, stdout %q, stderr %q; want 1, a bare header and a message", code, stdout, stderr)
		}
	})
	t.Run("whole-file errors", func(t *testing.T) {
		for _, c := range []struct {
			name, body, want string
		}{
			{"nohead.csv", "name,month,amount\nA,2026-01,1\n", `has no series column`},
			{"empty.csv", "", "empty input"},
		} {
			code, _, stderr := kam(t, "forecast", "--input", in(c.name, c.body))
			if code != exitFailure || !strings.Contains(stderr, c.want) || !strings.Contains(stderr, c.name) {
				t.Errorf("%s: exit %d, %q; want 1 naming the file and %q", c.name, code, stderr, c.want)
			}
		}
		if code, _, stderr := kam(t, "forecast", "--input", filepath.Join(dir, "nosuch.csv")); code != exitFailure || !strings.Contains(stderr, "nosuch.csv") {
			t.Errorf("missing file: exit %d, %q", code, stderr)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"forecast"},
			{"forecast", "--input", good, "--by", "segment"},
			{"forecast", "--input", good, "--horizon", "0"},
			{"forecast", "--input", good, "--fill", "mean"},
			{"forecast", "--input", good, "--format", "xml"},
			{"forecast", "--input", good, "--method", "arima"},
			{"forecast", "--input", good, "--segment", "HoReCa"},
			{"forecast", "--by", "region"},
			{"forecast", "--by", "segment", "--fill", "zero"},
			{"forecast", "extra"},
			{"forecast", "override", "--segment", "S", "--period", "2026-13", "--value", "1", "--comment", "x"},
			{"forecast", "override", "--segment", "S", "--period", "2026-12", "--value", "1,5", "--comment", "x"},
			{"forecast", "override", "--segment", "S", "--period", "2026-12", "--value", "1"},
		} {
			if code, _, stderr := kam(t, args...); code != exitUsage {
				t.Errorf("kam %s: exit %d (%s), want %d", strings.Join(args, " "), code, stderr, exitUsage)
			}
		}
	})
	t.Run("help", func(t *testing.T) {
		code, stdout, _ := kam(t, "forecast", "--help")
		for _, want := range []string{"series,period,value", "--fill", "kam forecast --input sales.csv", "kam forecast override", "Exit codes"} {
			if code != 0 || !strings.Contains(stdout, want) {
				t.Errorf("kam forecast --help does not mention %q", want)
			}
		}
	})
}

// TestForecastWarehouse builds a warehouse with two segments: HoReCa (C1)
// sells 100, 110, 120, 130, 150 from May to September 2026 and 999 in
// October, which is in progress on the as-of date 2026-10-20; Retail (C2)
// sells 40 in August and 60 in September. Both are too short for a model:
// the naive forecast with σ² the mean squared monthly change, HoReCa
// (100+100+100+400)/4 = 175, Retail 400, and normal quantiles.
func TestForecastWarehouse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	if code, _, stderr := kam(t, "init", dir); code != 0 {
		t.Fatalf("kam init: exit %d: %s", code, stderr)
	}
	cfg := filepath.Join(dir, "kam.yaml")
	in := filepath.Join(dir, "inbox")
	writeFile(t, filepath.Join(in, "managers", "m.csv"), "manager_id,name,variable_target\nM1,Анна,50000\n")
	writeFile(t, filepath.Join(in, "clients", "c.csv"), "client_id,name,segment\nC1,Альфа,HoReCa\nC2,Бета,Retail\n")
	writeFile(t, filepath.Join(in, "client_assignments", "a.csv"), "client_id,manager_id,valid_from\nC1,M1,2026-01-01\nC2,M1,2026-01-01\n")
	writeFile(t, filepath.Join(in, "products", "p.csv"), "sku,name,category\nS1,Сыр,Food\n")
	lines := "order_id,line_no,order_date,client_id,sku,qty,price,shipped_qty,shipped_on\n"
	for i, l := range []string{"05,C1,100", "06,C1,110", "07,C1,120", "08,C1,130", "09,C1,150", "10,C1,999", "08,C2,40", "09,C2,60"} {
		f := strings.Split(l, ",")
		lines += "O" + string(rune('A'+i)) + ",1,2026-" + f[0] + "-03," + f[1] + ",S1,1," + f[2] + ",1,2026-" + f[0] + "-05\n"
	}
	writeFile(t, filepath.Join(in, "order_lines", "o.csv"), lines)
	if code, _, stderr := kam(t, "--config", cfg, "ingest"); code != 0 {
		t.Fatalf("kam ingest: exit %d: %s", code, stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", "2026-10-20"); code != 0 {
		t.Fatalf("kam build: exit %d: %s", code, stderr)
	}

	const martQuery = `select segment, period, kind, value, lo80, hi80, lo95, hi95, model, mase, bias, as_of
        from segment_forecast where period <= '2026-11' order by segment, period`
	code, mart1, stderr := kam(t, "--config", cfg, "query", "--format", "csv", martQuery)
	want := `segment,period,kind,value,lo80,hi80,lo95,hi95,model,mase,bias,as_of
HoReCa,2026-05,actual,100.00,,,,,Naive,,,2026-10-20
HoReCa,2026-06,actual,110.00,,,,,Naive,,,2026-10-20
HoReCa,2026-07,actual,120.00,,,,,Naive,,,2026-10-20
HoReCa,2026-08,actual,130.00,,,,,Naive,,,2026-10-20
HoReCa,2026-09,actual,150.00,,,,,Naive,,,2026-10-20
HoReCa,2026-10,forecast,150.00,133.05,166.95,124.07,175.93,Naive,,,2026-10-20
HoReCa,2026-11,forecast,150.00,126.02,173.98,113.33,186.67,Naive,,,2026-10-20
Retail,2026-08,actual,40.00,,,,,Naive,,,2026-10-20
Retail,2026-09,actual,60.00,,,,,Naive,,,2026-10-20
Retail,2026-10,forecast,60.00,34.37,85.63,20.80,99.20,Naive,,,2026-10-20
Retail,2026-11,forecast,60.00,23.75,96.25,4.56,115.44,Naive,,,2026-10-20
`
	if code != 0 || mart1 != want {
		t.Errorf("segment_forecast: exit %d\n%s\nwant:\n%s%s", code, mart1, want, stderr)
	}
	_, counts, _ := kam(t, "--config", cfg, "query", "--format", "csv",
		"select segment, count(*) filter (kind = 'forecast'), max(period) from segment_forecast group by all order by 1")
	if counts != "segment,count_star() FILTER (WHERE (kind = 'forecast')),max(period)\nHoReCa,12,2027-09\nRetail,12,2027-09\n" {
		t.Errorf("forecast months per segment:\n%s; want 12 each, to 2027-09", counts)
	}

	// The mart is computed by the build for its date; another date says how to get it.
	if code, _, stderr := kam(t, "--config", cfg, "export", "segment_forecast", "--as-of", "2026-09-30"); code != exitUsage ||
		!strings.Contains(stderr, "run `kam build --as-of 2026-09-30`") {
		t.Errorf("export segment_forecast --as-of: exit %d, %s", code, stderr)
	}

	code, stdout, stderr := kam(t, "--config", cfg, "forecast", "--by", "segment", "--horizon", "1")
	if code != 0 || stdout != forecastHeader+"HoReCa,2026-10,150,133.0467,166.9533,124.0721,175.9279,Naive\nRetail,2026-10,60,34.369,85.631,20.8007,99.1993,Naive\n" ||
		stderr != "forecast: net sales of 2 segment(s) to 2026-09 (as of 2026-10-20), 1 months ahead\n" {
		t.Errorf("kam forecast --by segment: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = kam(t, "--config", cfg, "forecast", "--by", "client", "--segment", "Retail", "--horizon", "1")
	if code != 0 || stdout != forecastHeader+"C2,2026-10,60,34.369,85.631,20.8007,99.1993,Naive\n" {
		t.Errorf("kam forecast --by client --segment Retail: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = kam(t, "--config", cfg, "forecast", "--by", "manager", "--horizon", "1")
	if code != 0 || !strings.HasPrefix(stdout, forecastHeader+"M1,2026-10,210,") {
		t.Errorf("kam forecast --by manager: exit %d\n%s; want M1 with 150 + 60", code, stdout)
	}
	if code, _, stderr := kam(t, "--config", cfg, "forecast", "--by", "segment", "--segment", "Space"); code != exitFailure ||
		!strings.Contains(stderr, `no net sales of segment "Space"`) || !strings.Contains(stderr, "HoReCa, Retail") {
		t.Errorf("unknown segment: exit %d, %q", code, stderr)
	}

	// Overrides: two for HoReCa 2026-11 (the later one counts), kept through a rebuild.
	t.Setenv("USER", "anna")
	before := time.Now().UTC().Add(-time.Second)
	if code, stdout, stderr := kam(t, "--config", cfg, "forecast", "override", "--segment", "HoReCa", "--period", "2026-11",
		"--value", "170", "--comment", "new café chain"); code != 0 || !strings.HasPrefix(stdout, "forecast override: HoReCa 2026-11 = 170.00 by anna, recorded ") {
		t.Errorf("override 1: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "forecast", "override", "--segment", "HoReCa", "--period", "2026-11",
		"--value", "180.005", "--comment", "the chain signed", "--by", "boris"); code != 0 {
		t.Errorf("override 2: exit %d: %s", code, stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "forecast", "override", "--segment", "HoReCa", "--period", "2026-09",
		"--value", "1", "--comment", "too late"); code != exitFailure || !strings.Contains(stderr, "2026-09 is not a forecast month") {
		t.Errorf("override of an actual month: exit %d, %q", code, stderr)
	}
	after := time.Now().UTC().Add(time.Second)
	if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", "2026-10-20"); code != 0 {
		t.Fatalf("second kam build: exit %d: %s", code, stderr)
	}
	if _, mart2, _ := kam(t, "--config", cfg, "query", "--format", "csv", martQuery); mart2 != mart1 {
		t.Errorf("a rebuild of the same data changed segment_forecast:\n%s\nwas:\n%s", mart2, mart1)
	}
	code, stdout, stderr = kam(t, "--config", cfg, "forecast", "overrides")
	rows := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(rows) != 3 || rows[0] != "segment,period,value,comment,author,recorded_at" ||
		!strings.HasPrefix(rows[1], "HoReCa,2026-11,170.00,new café chain,anna,") || !strings.HasPrefix(rows[2], "HoReCa,2026-11,180.01,the chain signed,boris,") ||
		stderr != "forecast overrides: 2 recorded, 1 segment-month(s)\n" {
		t.Errorf("kam forecast overrides: exit %d\n%s%s", code, stdout, stderr)
	}

	ctx := context.Background()
	db, err := warehouse.Open(ctx, filepath.Join(dir, "kam.duckdb"), warehouse.Settings{ReadOnly: true, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fs, err := reports.LoadSegmentForecasts(ctx, db, []string{"HoReCa"})
	if err != nil || len(fs) != 1 {
		t.Fatalf("LoadSegmentForecasts(HoReCa) = %+v, %v", fs, err)
	}
	h := fs[0]
	if len(h.Points) != 5+12 || h.Model != "Naive" || h.HasAccuracy || len(h.Overrides) != 1 {
		t.Fatalf("HoReCa: %d points, model %q, accuracy %v, %d overrides; want 17, Naive, none, 1", len(h.Points), h.Model, h.HasAccuracy, len(h.Overrides))
	}
	o := h.Overrides[0]
	if o.Period != "2026-11" || o.Value.StringFixed(2) != "180.01" || o.Author != "boris" || o.Comment != "the chain signed" ||
		o.RecordedAt.Before(before) || o.RecordedAt.After(after) {
		t.Errorf("latest override %+v, want boris's 180.01 recorded between %v and %v", o, before, after)
	}
	nov := h.Points[6]
	if nov.Period != "2026-11" || !nov.IsForecast() || nov.Forecast.StringFixed(2) != "150.00" || nov.Override.StringFixed(2) != "180.01" {
		t.Errorf("HoReCa 2026-11 point %+v, want forecast 150.00 beside override 180.01", nov)
	}

	// August's pack shows the forecast as made at the end of August (the
	// last actual 130, so Naive forecasts 130 for September), not the
	// build's, which has September's 150 as an actual; the override stays.
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		asOf, period, sep, kind, nov string
	}{{"2026-08-31", "2026-08", "130.00", "forecast", "130.00"}, {"2026-10-20", "2026-10", "150.00", "actual", "150.00"}} {
		d, err := dashboards.LoadDirector(ctx, db, dashboards.Options{AsOf: day(c.asOf), Period: c.period})
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Forecasts) != 2 || d.Forecasts[0].Segment != "HoReCa" {
			t.Fatalf("as of %s: forecasts %+v", c.asOf, d.Forecasts)
		}
		h := d.Forecasts[0]
		var sep, nov reports.ForecastPoint
		for _, p := range h.Points {
			switch p.Period {
			case "2026-09":
				sep = p
			case "2026-11":
				nov = p
			}
		}
		kind, value := "actual", sep.Actual
		if sep.IsForecast() {
			kind, value = "forecast", sep.Forecast
		}
		if kind != c.kind || value.StringFixed(2) != c.sep || nov.Forecast.StringFixed(2) != c.nov || nov.Override.StringFixed(2) != "180.01" ||
			h.AsOf.Format("2006-01-02") != c.asOf {
			t.Errorf("as of %s: HoReCa 2026-09 %s %s, 2026-11 %s (override %s), as of %s; want 2026-09 %s %s, 2026-11 %s (override 180.01)",
				c.asOf, kind, value.StringFixed(2), nov.Forecast.StringFixed(2), nov.Override.StringFixed(2), h.AsOf.Format("2006-01-02"), c.kind, c.sep, c.nov)
		}
	}
}
