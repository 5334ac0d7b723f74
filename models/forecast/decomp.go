package forecast

import "math"

// acf returns the sample autocorrelations r[1..maxLag] (r[0] unused) as R's
// acf computes them: lagged products over the full-sample variance.
func acf(x []float64, maxLag int) []float64 {
	n := len(x)
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	den := 0.0
	for _, v := range x {
		den += (v - mean) * (v - mean)
	}
	r := make([]float64, maxLag+1)
	if den == 0 {
		return r
	}
	for k := 1; k <= maxLag && k < n; k++ {
		s := 0.0
		for t := 0; t+k < n; t++ {
			s += (x[t] - mean) * (x[t+k] - mean)
		}
		r[k] = s / den
	}
	return r
}

// seasonalTest is the 90% test of the M3/M4 and forecast::thetaf
// conventions: lag-m autocorrelation beyond 1.645 standard errors, with
// Bartlett's variance 1+2Σ_{k<m} r_k².
func seasonalTest(x []float64, m, minLen int) bool {
	n := len(x)
	if m < 2 || n < minLen || n <= m || isConstant(x) {
		return false
	}
	r := acf(x, m)
	s := 1.0
	for k := 1; k < m; k++ {
		s += 2 * r[k] * r[k]
	}
	return math.Abs(r[m]) > 1.6448536269514722*math.Sqrt(s/float64(n))
}

func isConstant(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

func allPositive(x []float64) bool {
	for _, v := range x {
		if !(v > 0) {
			return false
		}
	}
	return true
}

// decompose is R's classical decomposition (stats::decompose): a centred
// 2×m moving average as trend, seasonal figure the mean detrended value per
// position in the cycle (position 0 = first observation), normalised to
// mean 1 (multiplicative) or 0 (additive). It returns the figure; the
// seasonal of observation t is fig[t%m]. Needs len(x) ≥ 2m.
func decompose(x []float64, m int, mult bool) []float64 {
	n := len(x)
	half := m / 2
	sum := make([]float64, m)
	cnt := make([]int, m)
	for t := half; t < n-half; t++ {
		var tr float64
		if m%2 == 0 {
			tr = 0.5*x[t-half] + 0.5*x[t+half]
			for j := t - half + 1; j < t+half; j++ {
				tr += x[j]
			}
		} else {
			for j := t - half; j <= t+half; j++ {
				tr += x[j]
			}
		}
		tr /= float64(m)
		if mult {
			sum[t%m] += x[t] / tr
		} else {
			sum[t%m] += x[t] - tr
		}
		cnt[t%m]++
	}
	fig := make([]float64, m)
	mean := 0.0
	for i := range fig {
		if cnt[i] > 0 {
			fig[i] = sum[i] / float64(cnt[i])
		} else if mult {
			fig[i] = 1
		}
		mean += fig[i]
	}
	mean /= float64(m)
	for i := range fig {
		if mult {
			fig[i] /= mean
		} else {
			fig[i] -= mean
		}
	}
	return fig
}

// seasAdj holds the seasonal indices that adjusted a series, to put the
// season back into forecasts.
type seasAdj struct {
	seasonal bool
	mult     bool
	fig      []float64 // per position t%m
	n        int
}

// adjust tests x for seasonality (the 90% test on at least minLen values)
// and, when seasonal, removes a classical decomposition's indices:
// multiplicative for strictly positive data as in M3 and thetaf; additive
// otherwise if allowAdd (series with zeros or negatives).
func adjust(x []float64, m, minLen int, allowAdd bool) (seasAdj, []float64) {
	none := seasAdj{n: len(x)}
	if len(x) < 2*m || !seasonalTest(x, m, minLen) {
		return none, x
	}
	mult := allPositive(x)
	if !mult && !allowAdd {
		return none, x
	}
	fig := decompose(x, m, mult)
	if mult {
		for _, f := range fig {
			if f < 1e-4 { // thetaf warns here; we refuse to divide by ~0
				return none, x
			}
		}
	}
	out := make([]float64, len(x))
	for t, v := range x {
		if mult {
			out[t] = v / fig[t%m]
		} else {
			out[t] = v - fig[t%m]
		}
	}
	return seasAdj{seasonal: true, mult: mult, fig: fig, n: len(x)}, out
}

// reseason puts the season back into a forecast mean and sd of step h
// (1-based); an additive season shifts the mean and leaves the sd alone.
func (a seasAdj) reseason(h int, mean, sd float64) (float64, float64) {
	if !a.seasonal {
		return mean, sd
	}
	f := a.fig[(a.n-1+h)%len(a.fig)]
	if a.mult {
		return mean * f, sd * f
	}
	return mean + f, sd
}
