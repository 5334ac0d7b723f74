// Command m3score scores the kam forecast command on the M3 monthly series
// independently of the forecast package: it converts the M3 file into the
// CSV that kam forecast --input reads (series,period,value) with the last 18
// values of every series held out, runs the kam binary on it with
// --horizon 18, reads the CSV it writes, and computes sMAPE and MASE against
// its own Naive2 and the coverage of the 80% and 95% intervals.
//
//	go run ./models/forecast/m3score -kam bin/kam [-data path]
//
// It shares no code with package forecast (only the file formats), so a
// mistake in the package's own benchmark (m3bench) would show up as a
// difference between the two. It exits 1 when a target of issue 7 is
// missed: sMAPE ≤ 0.85 × Naive2, 80% coverage 75–85%, 95% coverage 90–98%,
// all series in ≤ 60 s.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	h = 18 // M3 monthly forecast horizon: the held-out months
	m = 12 // season
)

type series struct {
	name   string
	year   int
	month  int
	values []float64
}

func main() {
	data := flag.String("data", "../shared/data/monthly-sales-timeseries/m3_monthly.csv", "M3 monthly CSV (series,n,nf,category,start_year,start_month,t,value)")
	kam := flag.String("kam", "bin/kam", "the kam binary to score")
	keep := flag.String("keep", "", "keep the input and output CSV in this folder (default: a temporary folder, removed)")
	flag.Parse()
	ok, err := run(*data, *kam, *keep, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "m3score:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(data, kam, keep string, w io.Writer) (bool, error) {
	all, err := load(data)
	if err != nil {
		return false, err
	}
	dir := keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "m3score"); err != nil {
			return false, err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	in, out := filepath.Join(dir, "m3_train.csv"), filepath.Join(dir, "m3_forecast.csv")
	if err := writeTrain(in, all); err != nil {
		return false, err
	}

	cmd := exec.Command(kam, "forecast", "--input", in, "--horizon", strconv.Itoa(h), "--out", out)
	cmd.Stderr = os.Stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return false, fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
	}
	took := time.Since(t0)
	fc, err := readForecast(out)
	if err != nil {
		return false, err
	}

	var smK, smN, maK, maN float64
	var in80, in95, pts, crossed int
	for _, s := range all {
		train, test := s.values[:len(s.values)-h], s.values[len(s.values)-h:]
		rows := fc[s.name]
		if len(rows) != h {
			return false, fmt.Errorf("series %s: %d forecast rows, want %d", s.name, len(rows), h)
		}
		first := period(s, len(train))
		for k, r := range rows {
			if want := period(s, len(train)+k); r.period != want {
				return false, fmt.Errorf("series %s row %d: period %s, want %s (%s first)", s.name, k+1, r.period, want, first)
			}
		}
		n2 := naive2(train)
		scale := seasonalMAE(train)
		var a, b, c, d float64
		for k, r := range rows {
			y := test[k]
			a += smape(y, r.f)
			b += smape(y, n2[k])
			c += math.Abs(y - r.f)
			d += math.Abs(y - n2[k])
			if r.lo80 <= y && y <= r.hi80 {
				in80++
			}
			if r.lo95 <= y && y <= r.hi95 {
				in95++
			}
			if !(r.lo95 <= r.lo80 && r.lo80 <= r.f && r.f <= r.hi80 && r.hi80 <= r.hi95) {
				crossed++
			}
			pts++
		}
		smK += a / h
		smN += b / h
		maK += c / h / scale
		maN += d / h / scale
	}
	n := float64(len(all))
	ratio := smK / smN
	c80, c95 := 100*float64(in80)/float64(pts), 100*float64(in95)/float64(pts)
	fmt.Fprintf(w, "m3score: kam forecast --input (%s) on %d M3 monthly series, last %d values held out\n", kam, len(all), h)
	fmt.Fprintf(w, "sMAPE   kam %6.3f  Naive2 %6.3f  ratio %.3f (target ≤ 0.85)\n", smK/n, smN/n, ratio)
	fmt.Fprintf(w, "MASE    kam %6.3f  Naive2 %6.3f  ratio %.3f\n", maK/n, maN/n, maK/maN)
	fmt.Fprintf(w, "coverage 80%% %5.1f%% (target 75–85)  95%% %5.1f%% (target 90–98) over %d held-out months\n", c80, c95, pts)
	fmt.Fprintf(w, "time    %.1f s for the whole command (read, forecast, write; target ≤ 60)\n", took.Seconds())
	var miss []string
	if ratio > 0.85 {
		miss = append(miss, "sMAPE ratio")
	}
	if c80 < 75 || c80 > 85 {
		miss = append(miss, "80% coverage")
	}
	if c95 < 90 || c95 > 98 {
		miss = append(miss, "95% coverage")
	}
	if took > 60*time.Second {
		miss = append(miss, "time")
	}
	if crossed > 0 {
		miss = append(miss, fmt.Sprintf("%d rows with limits out of order", crossed))
	}
	if len(miss) > 0 {
		fmt.Fprintf(w, "targets MISSED: %s\n", strings.Join(miss, ", "))
		return false, nil
	}
	fmt.Fprintln(w, "targets met")
	return true, nil
}

// period is the YYYY-MM of the i-th value of s. M3 gives no start for some
// series (year or month 0): those are dated from 2000-01. Only the order of
// the months matters to the forecast.
func period(s series, i int) string {
	y, mo := s.year, s.month
	if y == 0 {
		y = 2000
	}
	if mo == 0 {
		mo = 1
	}
	k := y*12 + mo - 1 + i
	return fmt.Sprintf("%04d-%02d", k/12, k%12+1)
}

func load(path string) ([]series, error) {
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
	if got := strings.Join(head, ","); got != "series,n,nf,category,start_year,start_month,t,value" {
		return nil, fmt.Errorf("%s: unexpected header %q", path, got)
	}
	var out []series
	idx := map[string]int{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var v [6]int
		for k, col := range []int{1, 2, 4, 5, 6} {
			if v[k], err = strconv.Atoi(rec[col]); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", path, line, err)
			}
		}
		x, err := strconv.ParseFloat(rec[7], 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if v[1] != h {
			return nil, fmt.Errorf("%s line %d: nf %d, want %d", path, line, v[1], h)
		}
		i, ok := idx[rec[0]]
		if !ok {
			i = len(out)
			idx[rec[0]] = i
			out = append(out, series{name: rec[0], year: v[2], month: v[3], values: make([]float64, v[0])})
		}
		t := v[4]
		if t < 1 || t > len(out[i].values) {
			return nil, fmt.Errorf("%s line %d: t %d outside 1..%d", path, line, t, len(out[i].values))
		}
		out[i].values[t-1] = x
	}
	if len(out) == 0 {
		return nil, errors.New(path + ": no series")
	}
	return out, nil
}

func writeTrain(path string, all []series) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	_ = cw.Write([]string{"series", "period", "value"})
	for _, s := range all {
		for i, v := range s.values[:len(s.values)-h] {
			_ = cw.Write([]string{s.name, period(s, i), strconv.FormatFloat(v, 'g', -1, 64)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type row struct {
	period                    string
	f, lo80, hi80, lo95, hi95 float64
}

func readForecast(path string) (map[string][]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if got := strings.Join(head, ","); got != "series,period,forecast,lo80,hi80,lo95,hi95,model" {
		return nil, fmt.Errorf("%s: header %q", path, got)
	}
	out := map[string][]row{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		x := row{period: rec[1]}
		for k, p := range []*float64{&x.f, &x.lo80, &x.hi80, &x.lo95, &x.hi95} {
			if *p, err = strconv.ParseFloat(rec[2+k], 64); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", path, line, err)
			}
		}
		out[rec[0]] = append(out[rec[0]], x)
	}
	return out, nil
}

func smape(y, f float64) float64 {
	d := math.Abs(y) + math.Abs(f)
	if d == 0 {
		return 0
	}
	return 200 * math.Abs(y-f) / d
}

// seasonalMAE is the in-sample MAE of the seasonal naive forecast, the MASE scale.
func seasonalMAE(y []float64) float64 {
	s := 0.0
	for t := m; t < len(y); t++ {
		s += math.Abs(y[t] - y[t-m])
	}
	return s / float64(len(y)-m)
}

// naive2 is the M4 benchmark as in its reference code: if the series is
// seasonal by the 90% autocorrelation test at lag m (with at least 3m
// values), divide by the indices of a classical multiplicative
// decomposition, repeat the last adjusted value and multiply the indices
// back; otherwise repeat the last value.
func naive2(y []float64) []float64 {
	n := len(y)
	idx := make([]float64, m)
	for i := range idx {
		idx[i] = 1
	}
	if seasonal(y) {
		// Centred 2×m moving average; ratios to it averaged per position.
		sum, cnt := make([]float64, m), make([]float64, m)
		for t := m / 2; t < n-m/2; t++ {
			ma := (y[t-m/2] + y[t+m/2]) / 2
			for k := t - m/2 + 1; k < t+m/2; k++ {
				ma += y[k]
			}
			ma /= m
			sum[t%m] += y[t] / ma
			cnt[t%m]++
		}
		mean := 0.0
		for i := range idx {
			idx[i] = sum[i] / cnt[i]
			mean += idx[i] / m
		}
		for i := range idx {
			idx[i] /= mean
		}
	}
	last := y[n-1] / idx[(n-1)%m]
	out := make([]float64, h)
	for k := range out {
		out[k] = last * idx[(n+k)%m]
	}
	return out
}

func seasonal(y []float64) bool {
	n := len(y)
	if n < 3*m {
		return false
	}
	mean := 0.0
	for _, v := range y {
		mean += v / float64(n)
	}
	den := 0.0
	for _, v := range y {
		den += (v - mean) * (v - mean)
	}
	r := make([]float64, m+1)
	for k := 1; k <= m; k++ {
		for t := k; t < n; t++ {
			r[k] += (y[t] - mean) * (y[t-k] - mean)
		}
		r[k] /= den
	}
	s := 1.0
	for k := 1; k < m; k++ {
		s += 2 * r[k] * r[k]
	}
	return math.Abs(r[m]) > 1.645*math.Sqrt(s)/math.Sqrt(float64(n))
}
