package forecast

import (
	"math"
	"sort"
)

// fc is one method's forecast: means and standard deviations for h=1..H.
type fc struct {
	name string
	mean []float64
	sd   []float64
}

func newFC(name string, H int) fc {
	return fc{name: name, mean: make([]float64, H), sd: make([]float64, H)}
}

// naiveFC repeats the last value; sd from the random walk, σ√h.
func naiveFC(y []float64, H int) fc {
	f := newFC("Naive", H)
	n := len(y)
	s2, k := 0.0, 0
	for t := 1; t < n; t++ {
		d := y[t] - y[t-1]
		s2 += d * d
		k++
	}
	if k > 0 {
		s2 /= float64(k)
	}
	for h := range H {
		f.mean[h] = y[n-1]
		f.sd[h] = math.Sqrt(s2 * float64(h+1))
	}
	return f
}

// snaiveFC repeats the last season; sd σ√(⌊(h−1)/m⌋+1). Needs n ≥ m.
func snaiveFC(y []float64, m, H int) fc {
	f := newFC("SNaive", H)
	n := len(y)
	s2, k := 0.0, 0
	for t := m; t < n; t++ {
		d := y[t] - y[t-m]
		s2 += d * d
		k++
	}
	if k > 0 {
		s2 /= float64(k)
	}
	for h := 1; h <= H; h++ {
		f.mean[h-1] = y[n-m+(h-1)%m]
		f.sd[h-1] = math.Sqrt(s2 * float64((h-1)/m+1))
	}
	return f
}

// naive2FC is the M3/M4 benchmark: naive on data adjusted by a classical
// multiplicative decomposition when the 90% seasonality test (n ≥ 3m)
// says seasonal.
func naive2FC(y []float64, m, H int) fc {
	a, x := adjust(y, m, 3*m, false)
	f := naiveFC(x, H)
	f.name = "Naive2"
	for h := 1; h <= H; h++ {
		f.mean[h-1], f.sd[h-1] = a.reseason(h, f.mean[h-1], f.sd[h-1])
	}
	return f
}

var etsANN = etsSpec{trend: trendNone}

// thetaFC is forecast::thetaf: the series, seasonally adjusted if the 90%
// test on n > 2m values says seasonal (additively if it is not strictly
// positive, where thetaf would fail), is forecast by SES plus half the
// slope of a linear trend (the theta=0 line's drift), then reseasonalised.
// sd is SES's, σ√(1+(h−1)α²), times the seasonal index.
func thetaFC(y []float64, m, H int) (fc, bool) {
	n := len(y)
	a, x := adjust(y, m, 2*m+1, true)
	ses, ok := fitETS(x, 1, etsANN)
	if !ok {
		return fc{}, false
	}
	name := "Theta"
	if a.seasonal {
		name = "Theta(seasonal)"
	}
	f := newFC(name, H)
	b := slope(x) / 2
	al := math.Max(ses.p.alpha, 1e-10)
	c := (1 - math.Pow(1-al, float64(n))) / al
	sig := math.Sqrt(ses.sigma2)
	for h := 1; h <= H; h++ {
		f.mean[h-1], f.sd[h-1] = a.reseason(h, ses.last.l+b*(float64(h-1)+c), sig*math.Sqrt(1+float64(h-1)*al*al))
	}
	return f, true
}

// slope is the least-squares slope of x on 0..n−1.
func slope(x []float64) float64 {
	n := float64(len(x))
	if len(x) < 2 {
		return 0
	}
	tm := (n - 1) / 2
	xm := 0.0
	for _, v := range x {
		xm += v
	}
	xm /= n
	var num, den float64
	for i, v := range x {
		d := float64(i) - tm
		num += d * (v - xm)
		den += d * d
	}
	return num / den
}

// dampedFC is damped Holt, ETS(A,Ad,N), on data seasonally adjusted as
// for Theta, reseasonalised (the M3 "Dampen" benchmark).
func dampedFC(y []float64, m, H int) (fc, bool) {
	a, x := adjust(y, m, 2*m+1, true)
	fit, ok := fitETS(x, 1, etsSpec{trend: trendDamped})
	if !ok {
		return fc{}, false
	}
	mean, sd := fit.forecast(H)
	f := fc{name: "Damped", mean: mean, sd: sd}
	for h := 1; h <= H; h++ {
		f.mean[h-1], f.sd[h-1] = a.reseason(h, f.mean[h-1], f.sd[h-1])
	}
	return f, true
}

// etsFC is ETS chosen by AICc among the admissible forms; seasonal forms
// only with at least two full seasons.
func etsFC(y []float64, m, H int) (fc, bool) {
	seasonal := m > 1 && len(y) >= 2*m
	fit, ok := autoETS(y, m, etsSpecs(allPositive(y), seasonal))
	if !ok {
		return fc{}, false
	}
	mean, sd := fit.forecast(H)
	return fc{name: fit.spec.String(), mean: mean, sd: sd}, true
}

// combine takes the median of the members' forecasts at each horizon (the
// mean of the middle two for an even count), which resists one member
// going astray better than the mean; its sd is the members' mean sd (their
// errors are strongly correlated, so the combination's spread is close to
// a member's; the backtest calibrates it anyway).
func combine(name string, members ...fc) fc {
	H := len(members[0].mean)
	f := newFC(name, H)
	v := make([]float64, len(members))
	for h := range H {
		for i, m := range members {
			v[i] = m.mean[h]
			f.sd[h] += m.sd[h] / float64(len(members))
		}
		f.mean[h] = median(v)
	}
	return f
}

// median sorts v in place.
func median(v []float64) float64 {
	sort.Float64s(v)
	k := len(v)
	if k%2 == 1 {
		return v[k/2]
	}
	return (v[k/2-1] + v[k/2]) / 2
}

// intermittent reports whether y looks like intermittent demand: no
// negatives and at least 30% zeros (an average inter-demand interval
// above ~1.4, near the 1.32 cut-off of Syntetos et al.).
func intermittent(y []float64) bool {
	zeros := 0
	for _, v := range y {
		if v < 0 {
			return false
		}
		if v == 0 {
			zeros++
		}
	}
	return len(y) > 0 && float64(zeros) >= 0.3*float64(len(y))
}

// mixture is the predictive distribution the intermittent methods use
// for intervals: demand with probability p, its size drawn from the
// observed non-zero values; no demand otherwise.
type mixture struct {
	p     float64
	sizes []float64 // sorted non-zero history
}

func (mx mixture) quantile(q float64) float64 {
	if mx.p <= 0 || len(mx.sizes) == 0 || q <= 1-mx.p {
		return 0
	}
	r := (q - (1 - mx.p)) / mx.p // quantile within the sizes
	return quantileSorted(mx.sizes, r)
}

func quantileSorted(x []float64, q float64) float64 {
	if len(x) == 1 {
		return x[0]
	}
	pos := q * float64(len(x)-1)
	i := int(pos)
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	fr := pos - float64(i)
	return x[i]*(1-fr) + x[i+1]*fr
}

func nonZeroSorted(y []float64) []float64 {
	var s []float64
	for _, v := range y {
		if v != 0 {
			s = append(s, v)
		}
	}
	sort.Float64s(s)
	return s
}

// crostonRun runs Croston's recursions with constant a: when demand y>0
// occurs after an interval of q periods (q counts the demand month), the
// size z and the interval p are smoothed, z += a(y−z), p += a(q−p), both
// starting at the first demand. It returns the SBA forecast (1−a/2)·z/p
// and the in-sample one-step MSE (from the first demand on).
func crostonRun(y []float64, a float64) (rate, mse float64) {
	var z, p float64
	first := true
	gap := 1.0
	cnt := 0
	for _, v := range y {
		if !first {
			e := v - (1-a/2)*z/p
			mse += e * e
			cnt++
		}
		if v != 0 {
			if first {
				z, p, first = v, gap, false
			} else {
				z += a * (v - z)
				p += a * (gap - p)
			}
			gap = 1
		} else {
			gap++
		}
	}
	if cnt > 0 {
		mse /= float64(cnt)
	}
	return (1 - a/2) * z / p, mse
}

// crostonFC is Croston's method with the Syntetos–Boylan bias correction
// (SBA); a from a small grid by in-sample one-step MSE.
func crostonFC(y []float64, H int) (fc, mixture, bool) {
	sizes := nonZeroSorted(y)
	if len(sizes) == 0 {
		return fc{}, mixture{}, false
	}
	best, bestMSE := 0.1, math.Inf(1)
	for _, a := range []float64{0.05, 0.1, 0.15, 0.2, 0.3} {
		if _, mse := crostonRun(y, a); mse < bestMSE-1e-12 {
			best, bestMSE = a, mse
		}
	}
	rate, _ := crostonRun(y, best)
	f := newFC("Croston", H)
	for h := range H {
		f.mean[h] = rate
		f.sd[h] = math.Sqrt(bestMSE)
	}
	// Demand probability for the intervals: the share of demand months.
	return f, mixture{p: float64(len(sizes)) / float64(len(y)), sizes: sizes}, true
}

// tsbRun runs the TSB recursions: every month the demand probability p
// moves towards 1 (demand) or 0 (none) by b; the size z moves towards y
// by a only when there is demand. The forecast is p·z; it also returns
// the in-sample one-step MSE.
func tsbRun(y []float64, a, b, p0, z0 float64) (p, z, mse float64) {
	p, z = p0, z0
	for _, v := range y {
		e := v - p*z
		mse += e * e
		if v != 0 {
			p += b * (1 - p)
			z += a * (v - z)
		} else {
			p -= b * p
		}
	}
	return p, z, mse / float64(len(y))
}

// tsbFC is Teunter–Syntetos–Babai: unlike Croston's, the forecast decays
// when demand stops. It starts from the share of demand months and the
// mean size; (a, b) from a small grid by in-sample one-step MSE.
func tsbFC(y []float64, H int) (fc, mixture, bool) {
	sizes := nonZeroSorted(y)
	if len(sizes) == 0 {
		return fc{}, mixture{}, false
	}
	p0 := float64(len(sizes)) / float64(len(y))
	z0 := 0.0
	for _, v := range sizes {
		z0 += v
	}
	z0 /= float64(len(sizes))
	ba, bb, bestMSE := 0.1, 0.1, math.Inf(1)
	for _, a := range []float64{0.05, 0.1, 0.2, 0.3} {
		for _, b := range []float64{0.02, 0.05, 0.1, 0.2, 0.3} {
			if _, _, mse := tsbRun(y, a, b, p0, z0); mse < bestMSE-1e-12 {
				ba, bb, bestMSE = a, b, mse
			}
		}
	}
	p, z, _ := tsbRun(y, ba, bb, p0, z0)
	f := newFC("TSB", H)
	for h := range H {
		f.mean[h] = p * z
		f.sd[h] = math.Sqrt(bestMSE)
	}
	return f, mixture{p: p, sizes: sizes}, true
}

// Naive2 is the M3/M4 benchmark forecast: the last value of the series
// after dividing out classical multiplicative seasonal indices, when the
// 90% autocorrelation test at lag period (on at least three seasons) finds
// seasonality, times the indices again. Exported for the benchmark.
func Naive2(y []float64, period, horizon int) []float64 {
	return naive2FC(y, period, horizon).mean
}
