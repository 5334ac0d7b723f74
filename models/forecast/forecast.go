package forecast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
)

// minModelLen is the shortest series that gets a model; shorter ones get
// the naive forecast (doc.go, "Short series").
const minModelLen = 6

// slot identifies a candidate method; ETS may pick a different form at
// each backtest origin, so candidates are compared by slot, not by name.
type slot int

const (
	slotCombo slot = iota
	slotETS
	slotTheta
	slotDamped
	slotSNaive
	slotNaive
	slotTSB
	slotCroston
	nSlots
)

// label names a slot in notes.
func (sl slot) label() string {
	return [...]string{"combination", "ETS", "Theta", "Damped", "seasonal naive", "naive", "TSB", "Croston"}[sl]
}

var methodSlot = map[Method]slot{
	MethodCombo: slotCombo, MethodETS: slotETS, MethodTheta: slotTheta,
	MethodDamped: slotDamped, MethodSNaive: slotSNaive, MethodNaive: slotNaive,
	MethodTSB: slotTSB, MethodCroston: slotCroston,
}

// candSet is every candidate's forecast from one origin.
type candSet struct {
	f   [nSlots]fc
	ok  [nSlots]bool
	mix [nSlots]mixture // intermittent methods only
}

// candidates forecasts y with every slot in want. Unavailable slots
// (series too short, non-positive data for a multiplicative part) stay !ok.
func candidates(y []float64, m, H int, want [nSlots]bool) candSet {
	var c candSet
	n := len(y)
	if want[slotNaive] {
		c.f[slotNaive], c.ok[slotNaive] = naiveFC(y, H), true
	}
	// Like every seasonal method, the seasonal naive needs two seasons.
	if want[slotSNaive] && m > 1 && n >= 2*m {
		c.f[slotSNaive], c.ok[slotSNaive] = snaiveFC(y, m, H), true
	}
	if n < minModelLen {
		return c
	}
	if want[slotETS] || want[slotCombo] {
		c.f[slotETS], c.ok[slotETS] = etsFC(y, m, H)
	}
	if want[slotTheta] || want[slotCombo] {
		c.f[slotTheta], c.ok[slotTheta] = thetaFC(y, m, H)
	}
	if want[slotDamped] || want[slotCombo] {
		c.f[slotDamped], c.ok[slotDamped] = dampedFC(y, m, H)
	}
	if want[slotCombo] {
		// The members that could be fitted (Damped needs 8 months, for its
		// six parameters); the seasonal naive joins when seasonal models
		// are allowed.
		var members []fc
		var names []string
		for _, sl := range []slot{slotETS, slotTheta, slotDamped} {
			if c.ok[sl] {
				members = append(members, c.f[sl])
				names = append(names, c.f[sl].name)
			}
		}
		if m > 1 && n >= 2*m {
			sn := c.f[slotSNaive]
			if !c.ok[slotSNaive] {
				sn = snaiveFC(y, m, H)
			}
			members = append(members, sn)
			names = append(names, "SNaive")
		}
		if len(members) >= 2 {
			c.f[slotCombo] = combine("Combo(median of "+strings.Join(names, ",")+")", members...)
			c.ok[slotCombo] = true
		}
	}
	if want[slotTSB] {
		c.f[slotTSB], c.mix[slotTSB], c.ok[slotTSB] = tsbFC(y, H)
	}
	if want[slotCroston] {
		c.f[slotCroston], c.mix[slotCroston], c.ok[slotCroston] = crostonFC(y, H)
	}
	return c
}

// Tuning of the automatic choice and the intervals (doc.go explains each).
const (
	switchT  = 3.0 // t statistic a challenger must beat the default by in the backtest
	calibN0  = 8.0 // prior weight (in backtest points) of calibration factor 1
	calibDiv = 3.0 // backtest points per degree of freedom of the calibrated scale
)

// backtest holds one candidate's rolling-origin errors.
type backtest struct {
	ok  bool      // fitted at every origin
	err []float64 // forecast − actual
	act []float64 // actual
	z   []float64 // error / the sd the method predicted for it
}

// Forecast forecasts one monthly series horizon months ahead.
func Forecast(s Series, horizon int, opt Options) (Result, error) {
	res := Result{Series: s.Name}
	if horizon < 1 {
		return res, fmt.Errorf("horizon %d: must be at least 1", horizon)
	}
	y := s.Values
	n := len(y)
	if n == 0 {
		return res, errors.New("no values")
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return res, fmt.Errorf("value at %s is not a finite number", s.Start.Add(i))
		}
	}
	m := opt.Period
	if m == 0 {
		m = 12
	}
	if m < 1 {
		return res, fmt.Errorf("period %d: must be at least 1", m)
	}
	method := opt.Method
	if method == "" {
		method = MethodAuto
	}
	origins := opt.Origins
	if origins == 0 {
		origins = 3
	}

	// Candidates in order of preference: the first that can be fitted is
	// the default, the others challenge it in the backtest.
	inter := intermittent(y)
	var order []slot
	switch {
	case method == MethodAuto && inter:
		order = []slot{slotTSB, slotCroston, slotNaive}
	case method == MethodAuto:
		order = []slot{slotCombo, slotETS, slotTheta, slotDamped, slotSNaive, slotNaive}
	default:
		sl, ok := methodSlot[method]
		if !ok {
			return res, fmt.Errorf("unknown method %q", method)
		}
		order = []slot{sl, slotNaive} // naive only as the fallback
	}
	var want [nSlots]bool
	for _, sl := range order {
		want[sl] = true
	}
	var notes []string
	if n < minModelLen {
		notes = append(notes, fmt.Sprintf("%d months is too short for a model: naive forecast", n))
	} else if m > 1 && n < 2*m && !inter {
		notes = append(notes, fmt.Sprintf("%d months is less than two seasons (%d): non-seasonal models only", n, 2*m))
	}

	final := candidates(y, m, horizon, want)
	bts := runBacktest(y, m, horizon, origins, want, final.ok)
	chosen := slot(-1)
	for _, sl := range order {
		if final.ok[sl] {
			chosen = sl
			break
		}
	}
	if chosen != order[0] && n >= minModelLen {
		notes = append(notes, fmt.Sprintf("%s cannot be fitted to this series: %s used", order[0].label(), chosen.label()))
	}
	if method == MethodAuto {
		chosen = challenge(chosen, order, bts, inter)
	}

	f := final.f[chosen]
	res.Model = f.name
	res.Note = strings.Join(notes, "; ")
	b := bts[chosen]
	if b.ok && len(b.err) > 0 {
		var sa, se, sy float64
		for i, e := range b.err {
			sa += math.Abs(e)
			se += e
			sy += math.Abs(b.act[i])
		}
		res.BacktestN = len(b.err)
		res.MASE = sa / float64(len(b.err)) / maseScale(y, m)
		if sy > 0 {
			res.Bias = se / sy
		}
	}
	res.Points = points(s.Start.Add(n-1), f, final.mix[chosen], b, nonNegative(y))
	return res, nil
}

// runBacktest refits every wanted candidate at origins n−step, n−2·step,
// … (step = ⌈hb/origins⌉, hb the backtest horizon) and forecasts to the
// end of the data, never fitting on less than half the series.
func runBacktest(y []float64, m, horizon, origins int, want [nSlots]bool, fitted [nSlots]bool) [nSlots]backtest {
	var bts [nSlots]backtest
	n := len(y)
	minTrain := max(minModelLen, n/2)
	hb := min(horizon, n-minTrain)
	if origins < 1 || hb < 1 {
		return bts
	}
	for sl := range bts {
		bts[sl].ok = fitted[sl]
	}
	step := (hb + origins - 1) / origins
	for k := 1; k <= origins; k++ {
		o := n - k*step
		if o < minTrain {
			break
		}
		hk := min(hb, n-o)
		c := candidates(y[:o], m, hk, want)
		for sl := range bts {
			b := &bts[sl]
			if !b.ok {
				continue
			}
			if !c.ok[sl] {
				b.ok = false
				continue
			}
			for h := range hk {
				e := c.f[sl].mean[h] - y[o+h]
				b.err = append(b.err, e)
				b.act = append(b.act, y[o+h])
				if sd := c.f[sl].sd[h]; sd > 0 {
					b.z = append(b.z, e/sd)
				}
			}
		}
	}
	return bts
}

// challenge keeps the default unless a challenger's backtest loss
// (absolute error; squared for intermittent series, whose methods
// estimate a mean rate) is lower with a paired t statistic below
// −switchT, counting the errors of one origin as a third of independent
// ones since they are strongly correlated. Among such challengers the one
// with the lowest loss wins.
func challenge(def slot, order []slot, bts [nSlots]backtest, inter bool) slot {
	base := bts[def]
	if !base.ok || len(base.err) == 0 {
		return def
	}
	loss := func(e float64) float64 {
		if inter {
			return e * e
		}
		return math.Abs(e)
	}
	best, bestLoss := def, math.Inf(1)
	for _, sl := range order {
		e := bts[sl].err
		if sl == def || !bts[sl].ok || len(e) != len(base.err) {
			continue
		}
		var sum, sum2, total float64
		for i := range e {
			d := loss(e[i]) - loss(base.err[i])
			sum += d
			sum2 += d * d
			total += loss(e[i])
		}
		k := float64(len(e))
		mu := sum / k
		se := math.Sqrt(math.Max(sum2/k-mu*mu, 0) / (k / 3))
		if mu < 0 && mu < -switchT*se && total < bestLoss {
			best, bestLoss = sl, total
		}
	}
	return best
}

// points builds the forecast points after month last: the method's sd
// times the backtest calibration with Student-t quantiles, or the
// mixture's quantiles for intermittent methods; cut at zero for
// non-negative series; always ordered lo95 ≤ lo80 ≤ forecast ≤ hi80 ≤ hi95.
func points(last Month, f fc, mx mixture, b backtest, nonneg bool) []Point {
	cal, q80, q95 := 1.0, z80, z95
	if b.ok && len(b.z) > 0 {
		cal = calibration(b.z)
		df := math.Max(2, float64(len(b.z))/calibDiv)
		q80, q95 = tQuantile(0.9, df), tQuantile(0.975, df)
	}
	out := make([]Point, len(f.mean))
	for h := range out {
		p := Point{Period: last.Add(h + 1), Forecast: f.mean[h]}
		if mx.sizes != nil {
			p.Lo80, p.Hi80 = mx.quantile(0.10), mx.quantile(0.90)
			p.Lo95, p.Hi95 = mx.quantile(0.025), mx.quantile(0.975)
		} else {
			sd := f.sd[h] * cal
			p.Lo80, p.Hi80 = p.Forecast-q80*sd, p.Forecast+q80*sd
			p.Lo95, p.Hi95 = p.Forecast-q95*sd, p.Forecast+q95*sd
		}
		if nonneg {
			// Sales cannot go below zero: cutting there never loses coverage.
			p.Forecast = math.Max(p.Forecast, 0)
			p.Lo80, p.Hi80 = math.Max(p.Lo80, 0), math.Max(p.Hi80, 0)
			p.Lo95, p.Hi95 = math.Max(p.Lo95, 0), math.Max(p.Hi95, 0)
		}
		p.Lo80 = math.Min(p.Lo80, p.Forecast)
		p.Hi80 = math.Max(p.Hi80, p.Forecast)
		p.Lo95 = math.Min(p.Lo95, p.Lo80)
		p.Hi95 = math.Max(p.Hi95, p.Hi80)
		out[h] = p
	}
	return out
}

func nonNegative(y []float64) bool {
	for _, v := range y {
		if v < 0 {
			return false
		}
	}
	return true
}

const (
	z80 = 1.2815515655446004
	z95 = 1.959963984540054
)

// calibration scales the model's forecast sd so that the backtest's
// standardised errors have unit root-mean-square, shrunk towards 1 with a
// prior worth calibN0 points because a few origins give a noisy estimate.
func calibration(z []float64) float64 {
	if len(z) == 0 {
		return 1
	}
	s := 0.0
	for _, v := range z {
		s += v * v
	}
	return math.Sqrt((s + calibN0) / (float64(len(z)) + calibN0))
}

// maseScale is the in-sample MAE of the seasonal naive forecast (lag 1 if
// the series is shorter than a season, 1 if that is zero).
func maseScale(y []float64, m int) float64 {
	if len(y) <= m {
		m = 1
	}
	s, k := 0.0, 0
	for t := m; t < len(y); t++ {
		s += math.Abs(y[t] - y[t-m])
		k++
	}
	if k == 0 || s == 0 {
		return 1
	}
	return s / float64(k)
}

// ForecastAll forecasts every series on Options.Workers goroutines.
// Results keep the input order; a failing series is reported and skipped.
func ForecastAll(ctx context.Context, series []Series, horizon int, opt Options) ([]Result, []SeriesError) {
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	out := make([]Result, len(series))
	errs := make([]error, len(series))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(w, max(len(series), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				out[i], errs[i] = Forecast(series[i], horizon, opt)
			}
		}()
	}
	for i := range series {
		next <- i
	}
	close(next)
	wg.Wait()
	var res []Result
	var bad []SeriesError
	for i := range series {
		if errs[i] != nil {
			bad = append(bad, SeriesError{Series: series[i].Name, Err: errs[i]})
			continue
		}
		res = append(res, out[i])
	}
	return res, bad
}
