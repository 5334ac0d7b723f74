package forecast

import "math"

// nelderMead minimises f from x0 with initial simplex steps step[i]. It
// stops after maxEval evaluations or when the simplex's function values
// agree to tol (relative), like R's optim(method="Nelder-Mead"). The
// coefficients are the adaptive ones of Gao & Han (2012), which behave
// better than the classical ones beyond a few dimensions.
func nelderMead(f func([]float64) float64, x0, step []float64, maxEval int, tol float64) ([]float64, float64) {
	n := len(x0)
	nd := float64(n)
	alpha, beta, gamma, delta := 1.0, 1+2/nd, 0.75-1/(2*nd), 1-1/nd
	if n == 1 {
		beta, gamma, delta = 2, 0.5, 0.5
	}
	pts := make([][]float64, n+1)
	vals := make([]float64, n+1)
	evals := 0
	eval := func(x []float64) float64 {
		evals++
		v := f(x)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	for i := range pts {
		pts[i] = append([]float64(nil), x0...)
		if i > 0 {
			pts[i][i-1] += step[i-1]
		}
		vals[i] = eval(pts[i])
	}
	idx := make([]int, n+1)
	for i := range idx {
		idx[i] = i
	}
	cen := make([]float64, n)
	xr := make([]float64, n)
	xe := make([]float64, n)
	xc := make([]float64, n)
	for evals < maxEval {
		// Insertion sort of the vertex order: stable, allocation-free, and
		// the order is nearly sorted from the previous iteration.
		for i := 1; i < len(idx); i++ {
			for k := i; k > 0 && vals[idx[k]] < vals[idx[k-1]]; k-- {
				idx[k], idx[k-1] = idx[k-1], idx[k]
			}
		}
		best, worst, second := idx[0], idx[n], idx[n-1]
		if math.Abs(vals[worst]-vals[best]) <= tol*(math.Abs(vals[best])+tol) && !math.IsInf(vals[worst], 1) {
			break
		}
		for j := range cen {
			cen[j] = 0
			for _, i := range idx[:n] {
				cen[j] += pts[i][j]
			}
			cen[j] /= nd
		}
		for j := range xr {
			xr[j] = cen[j] + alpha*(cen[j]-pts[worst][j])
		}
		fr := eval(xr)
		switch {
		case fr < vals[best]:
			for j := range xe {
				xe[j] = cen[j] + beta*(xr[j]-cen[j])
			}
			if fe := eval(xe); fe < fr {
				copy(pts[worst], xe)
				vals[worst] = fe
			} else {
				copy(pts[worst], xr)
				vals[worst] = fr
			}
		case fr < vals[second]:
			copy(pts[worst], xr)
			vals[worst] = fr
		default:
			outside := fr < vals[worst]
			for j := range xc {
				if outside {
					xc[j] = cen[j] + gamma*(xr[j]-cen[j])
				} else {
					xc[j] = cen[j] - gamma*(cen[j]-pts[worst][j])
				}
			}
			fc := eval(xc)
			if (outside && fc <= fr) || (!outside && fc < vals[worst]) {
				copy(pts[worst], xc)
				vals[worst] = fc
				continue
			}
			for _, i := range idx[1:] {
				for j := range pts[i] {
					pts[i][j] = pts[best][j] + delta*(pts[i][j]-pts[best][j])
				}
				vals[i] = eval(pts[i])
			}
		}
	}
	b := 0
	for i := range vals {
		if vals[i] < vals[b] {
			b = i
		}
	}
	return pts[b], vals[b]
}
