// Command m3bench measures the forecast package on the M3 monthly series:
// the last 18 values of each of the 1,428 series are held out, forecast
// with h=18, and compared with the Naive2 benchmark.
//
//	go run ./models/forecast/m3bench [-data path] [-method auto] [-limit N]
//
// It prints sMAPE and MASE of kam and Naive2, the coverage of the 80% and
// 95% intervals over all held-out months, the time taken and how often
// each model was chosen.
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kam-analytics/kam/models/forecast"
)

type m3 struct {
	name     string
	category string
	start    forecast.Month
	nf       int
	values   []float64
}

func main() {
	data := flag.String("data", "../shared/data/monthly-sales-timeseries/m3_monthly.csv", "M3 monthly CSV (series,n,nf,category,start_year,start_month,t,value)")
	method := flag.String("method", "auto", "forecast method (auto, combo, ets, theta, damped, snaive, naive)")
	limit := flag.Int("limit", 0, "use only the first N series (0: all)")
	workers := flag.Int("workers", 0, "goroutines (0: GOMAXPROCS)")
	flag.Parse()
	if err := run(*data, forecast.Method(*method), *limit, *workers, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "m3bench:", err)
		os.Exit(1)
	}
}

func run(path string, method forecast.Method, limit, workers int, w io.Writer) error {
	all, err := load(path)
	if err != nil {
		return err
	}
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	const h = 18
	train := make([]forecast.Series, len(all))
	for i, s := range all {
		if s.nf != h || len(s.values) <= h {
			return fmt.Errorf("series %s: expected nf=%d and more values, got nf=%d n=%d", s.name, h, s.nf, len(s.values))
		}
		train[i] = forecast.Series{Name: s.name, Start: s.start, Values: s.values[:len(s.values)-h]}
	}
	t0, c0 := time.Now(), cpuTime()
	res, bad := forecast.ForecastAll(context.Background(), train, h, forecast.Options{Method: method, Workers: workers})
	took, cpu := time.Since(t0), cpuTime()-c0
	if len(bad) > 0 {
		return fmt.Errorf("%d series failed, first: %v", len(bad), bad[0])
	}

	var smK, smN, maK, maN float64
	var in80, in95, pts int
	var band80, band95 [3]int // coverage for h 1–6, 7–12, 13–18
	models := map[string]int{}
	byH := make([]float64, h)
	cats := map[string][2]float64{}
	catN := map[string]int{}
	for i, s := range all {
		y := s.values[:len(s.values)-h]
		test := s.values[len(s.values)-h:]
		n2 := forecast.Naive2(y, 12, h)
		scale := seasonalMAE(y, 12)
		r := res[i]
		var a, b, c, d float64
		for k, p := range r.Points {
			a += smape(test[k], p.Forecast)
			b += smape(test[k], n2[k])
			c += math.Abs(test[k] - p.Forecast)
			d += math.Abs(test[k] - n2[k])
			byH[k] += smape(test[k], p.Forecast)
			if p.Lo80 <= test[k] && test[k] <= p.Hi80 {
				in80++
				band80[k/6]++
			}
			if p.Lo95 <= test[k] && test[k] <= p.Hi95 {
				in95++
				band95[k/6]++
			}
			pts++
		}
		smK += a / h
		smN += b / h
		maK += c / h / scale
		maN += d / h / scale
		models[family(r.Model)]++
		cs := cats[s.category]
		cs[0] += a / h
		cs[1] += b / h
		cats[s.category] = cs
		catN[s.category]++
	}
	n := float64(len(all))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	fmt.Fprintf(w, "M3 monthly: %d series, h=%d, method %s, %d goroutines on %d CPUs\n", len(all), h, method, workers, runtime.NumCPU())
	fmt.Fprintf(w, "sMAPE   kam %6.3f  Naive2 %6.3f  ratio %.3f (target ≤ 0.85)\n", smK/n, smN/n, smK/smN)
	fmt.Fprintf(w, "MASE    kam %6.3f  Naive2 %6.3f  ratio %.3f\n", maK/n, maN/n, maK/maN)
	fmt.Fprintf(w, "coverage 80%% %5.1f%% (target 75–85)  95%% %5.1f%% (target 90–98) over %d held-out months\n",
		100*float64(in80)/float64(pts), 100*float64(in95)/float64(pts), pts)
	perBand := float64(pts) / 3
	fmt.Fprintf(w, "coverage by horizon h1–6 / h7–12 / h13–18: 80%% %.1f / %.1f / %.1f, 95%% %.1f / %.1f / %.1f\n",
		100*float64(band80[0])/perBand, 100*float64(band80[1])/perBand, 100*float64(band80[2])/perBand,
		100*float64(band95[0])/perBand, 100*float64(band95[1])/perBand, 100*float64(band95[2])/perBand)
	fmt.Fprintf(w, "time    %.1f s wall, %.1f s CPU (forecasting only; wall time depends on what else runs)\n", took.Seconds(), cpu.Seconds())
	fmt.Fprintf(w, "sMAPE by horizon:")
	for k := range byH {
		if k%6 == 0 {
			fmt.Fprintf(w, "\n  h%2d–%2d:", k+1, k+6)
		}
		fmt.Fprintf(w, " %5.2f", byH[k]/n)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "sMAPE by category (kam / Naive2):")
	for _, c := range sortedKeys(catN) {
		cs := cats[c]
		fmt.Fprintf(w, "  %-11s %4d  %6.2f / %6.2f  %.3f\n", c, catN[c], cs[0]/float64(catN[c]), cs[1]/float64(catN[c]), cs[0]/cs[1])
	}
	fmt.Fprintln(w, "models chosen:")
	for _, m := range sortedKeys(models) {
		fmt.Fprintf(w, "  %-44s %5d\n", m, models[m])
	}
	return nil
}

// family shortens combination names so counts group by method.
func family(model string) string {
	if strings.HasPrefix(model, "Combo(") {
		return "Combo(median of ETS,Theta,Damped[,SNaive])"
	}
	return model
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// smape is the standard symmetric MAPE term, 200|y−f|/(|y|+|f|).
func smape(y, f float64) float64 {
	d := math.Abs(y) + math.Abs(f)
	if d == 0 {
		return 0
	}
	return 200 * math.Abs(y-f) / d
}

// seasonalMAE is the MASE scale: in-sample MAE of the lag-12 naive.
func seasonalMAE(y []float64, m int) float64 {
	s := 0.0
	for t := m; t < len(y); t++ {
		s += math.Abs(y[t] - y[t-m])
	}
	return s / float64(len(y)-m)
}

func load(path string) ([]m3, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	want := "series,n,nf,category,start_year,start_month,t,value"
	if strings.Join(head, ",") != want {
		return nil, fmt.Errorf("%s: header %q, want %q", path, strings.Join(head, ","), want)
	}
	var out []m3
	idx := map[string]int{}
	line := 1
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line++
		if err != nil {
			return nil, err
		}
		num := make([]float64, 6)
		for i, col := range []int{1, 2, 4, 5, 6, 7} {
			if num[i], err = strconv.ParseFloat(rec[col], 64); err != nil {
				return nil, fmt.Errorf("%s line %d: %v", path, line, err)
			}
		}
		i, ok := idx[rec[0]]
		if !ok {
			i = len(out)
			idx[rec[0]] = i
			out = append(out, m3{name: rec[0], category: strings.TrimSpace(rec[3]), nf: int(num[1]),
				start:  forecast.Month{Year: int(num[2]), Month: time.Month(max(int(num[3]), 1))},
				values: make([]float64, int(num[0]))})
		}
		t := int(num[4])
		if t < 1 || t > len(out[i].values) {
			return nil, fmt.Errorf("%s line %d: t=%d outside 1..%d", path, line, t, len(out[i].values))
		}
		out[i].values[t-1] = num[5]
	}
	return out, nil
}
