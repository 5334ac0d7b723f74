package forecast

import (
	"fmt"
	"math"
	"math/rand/v2"
)

type trendKind int8

const (
	trendNone trendKind = iota
	trendAdd
	trendDamped
)

type seasonKind int8

const (
	seasonNone seasonKind = iota
	seasonAdd
	seasonMul
)

// etsSpec is one ETS(error, trend, season) form of Hyndman et al. (2008).
type etsSpec struct {
	multErr bool
	trend   trendKind
	season  seasonKind
}

func (s etsSpec) String() string {
	e := "A"
	if s.multErr {
		e = "M"
	}
	t := [...]string{"N", "A", "Ad"}[s.trend]
	se := [...]string{"N", "A", "M"}[s.season]
	return fmt.Sprintf("ETS(%s,%s,%s)", e, t, se)
}

// etsState is the state vector: level, trend and the seasonal ring, where
// s[t%m] is the seasonal component last updated at position t%m.
type etsState struct {
	l, b float64
	s    []float64
}

// etsParams are the smoothing parameters in the error-correction form of
// forecast::ets: 0<β<α, 0<γ<1−α, 0.8≤φ≤0.98 (φ=1 unless damped).
type etsParams struct {
	alpha, beta, gamma, phi float64
}

// step feeds observation y at time t (seasonal position t%m) through the
// recursions and returns the one-step forecast ŷ made before seeing y.
// With q = l + φb (no trend: q = l) and s = s[t%m]:
//
//	ŷ = q, q+s or q·s                        (season N, A, M)
//	p = y, y−s or y/s                        (seasonally adjusted y)
//	l' = q + α(p − q)
//	b' = φb + β(p − q)
//	s' = s + γ(y−q − s) or s + γ(y/q − s)    (season A, M)
//
// These are the forecast package's update equations; they are the same
// for additive and multiplicative errors (the error type only changes the
// likelihood), e.g. MAM: l' = (l+b)(1+αε) with ε = (y−ŷ)/ŷ is the line
// above.
func (sp etsSpec) step(p etsParams, st *etsState, t int, y float64) float64 {
	phi := 1.0
	if sp.trend == trendDamped {
		phi = p.phi
	}
	q := st.l
	if sp.trend != trendNone {
		q += phi * st.b
	}
	yhat, adj := q, y
	var sv float64
	if sp.season != seasonNone {
		sv = st.s[t%len(st.s)]
		if sp.season == seasonAdd {
			yhat, adj = q+sv, y-sv
		} else {
			yhat, adj = q*sv, y/sv
		}
	}
	st.l = q + p.alpha*(adj-q)
	if sp.trend != trendNone {
		st.b = phi*st.b + p.beta*(adj-q)
	}
	switch sp.season {
	case seasonAdd:
		st.s[t%len(st.s)] = sv + p.gamma*(y-q-sv)
	case seasonMul:
		st.s[t%len(st.s)] = sv + p.gamma*(y/q-sv)
	}
	return yhat
}

// etsFit is an estimated ETS model.
type etsFit struct {
	spec   etsSpec
	p      etsParams
	last   etsState // states after the last observation
	n      int
	k      int // estimated parameters incl. initial states and σ
	sigma2 float64
	aicc   float64
	lik    float64 // −2 log likelihood
}

// Nelder–Mead budget: 200 evaluations per coordinate and a relative
// tolerance of 1e-6 on the criterion; on M3 a tighter 1e-7, more
// evaluations or a restart moved ETS's sMAPE by less than 0.01.
const (
	nmEvalPerDim = 200
	nmTol        = 1e-6
)

const (
	parLo = 1e-4
	alpHi = 0.9999
	phiLo = 0.8
	phiHi = 0.98
)

func sigmoid(u float64) float64 { return 1 / (1 + math.Exp(-u)) }
func logit(p float64) float64   { return math.Log(p / (1 - p)) }

// etsObjective evaluates n·log(SSE) + 2Σlog|ŷ| (the last term for
// multiplicative errors), the forecast package's criterion.
type etsObjective struct {
	spec  etsSpec
	y     []float64
	m     int
	sInit []float64 // initial seasonal states, fixed (see fitETS)
	l0    float64   // centre and scale of the level/trend coordinates
	b0    float64
	scale float64
	work  []float64
}

// decode maps the unconstrained NM coordinates into the usual region.
func (o *etsObjective) decode(x []float64) (etsParams, float64, float64) {
	i := 0
	next := func() float64 { v := x[i]; i++; return v }
	var p etsParams
	p.alpha = parLo + (alpHi-parLo)*sigmoid(next())
	p.phi = 1
	if o.spec.trend != trendNone {
		p.beta = parLo + (p.alpha-parLo)*sigmoid(next())
	}
	if o.spec.season != seasonNone {
		p.gamma = parLo + (1-p.alpha-parLo)*sigmoid(next())
	}
	if o.spec.trend == trendDamped {
		p.phi = phiLo + (phiHi-phiLo)*sigmoid(next())
	}
	l0 := o.l0 + o.scale*next()
	b0 := 0.0
	if o.spec.trend != trendNone {
		b0 = o.b0 + o.scale*0.1*next()
	}
	return p, l0, b0
}

func (o *etsObjective) eval(x []float64) float64 {
	p, l0, b0 := o.decode(x)
	sse, logs, ok := o.run(p, l0, b0, nil)
	if !ok || sse <= 0 {
		if ok && sse == 0 {
			return -1e10 // perfect fit
		}
		return math.Inf(1)
	}
	v := float64(len(o.y)) * math.Log(sse)
	if o.spec.multErr {
		v += 2 * logs
	}
	return v
}

// run filters y and returns SSE of the (additive or relative) errors and
// Σlog|ŷ|; ok is false when a multiplicative part meets a non-positive
// value. If st is non-nil it receives the final state.
func (o *etsObjective) run(p etsParams, l0, b0 float64, st *etsState) (sse, logs float64, ok bool) {
	// This is step unrolled, with the seasonal ring indexed by a wrapping
	// counter instead of t%m: the filter is the fitting hot loop (a test
	// checks the two agree).
	sp := o.spec
	hasTrend := sp.trend != trendNone
	phi := 1.0
	if sp.trend == trendDamped {
		phi = p.phi
	}
	var ss []float64
	if sp.season != seasonNone {
		ss = o.work[:o.m]
		copy(ss, o.sInit)
	}
	l, b := l0, b0
	mul := sp.multErr || sp.season == seasonMul
	// Σlog ŷ as the log of a running product, renormalised before it can
	// overflow: math.Log per step was 40% of the fitting time.
	prod := 1.0
	j := 0
	for _, y := range o.y {
		q := l
		if hasTrend {
			q += phi * b
		}
		yh, adj, sv := q, y, 0.0
		switch sp.season {
		case seasonAdd:
			sv = ss[j]
			yh, adj = q+sv, y-sv
		case seasonMul:
			sv = ss[j]
			yh, adj = q*sv, y/sv
		}
		if yh-yh != 0 || (mul && !(yh > 0)) { // NaN, ±Inf, or ŷ ≤ 0 where it must be positive
			return 0, 0, false
		}
		l = q + p.alpha*(adj-q)
		if hasTrend {
			b = phi*b + p.beta*(adj-q)
		}
		switch sp.season {
		case seasonAdd:
			ss[j] = sv + p.gamma*(y-q-sv)
		case seasonMul:
			ss[j] = sv + p.gamma*(y/q-sv)
		}
		if j++; j == o.m {
			j = 0
		}
		e := y - yh
		if sp.multErr {
			e /= yh
			prod *= yh
			if prod > 1e100 || prod < 1e-100 {
				logs += math.Log(prod)
				prod = 1
			}
		}
		sse += e * e
	}
	logs += math.Log(prod)
	if st != nil {
		st.l, st.b = l, b
		if ss != nil {
			st.s = append([]float64(nil), ss...)
		}
	}
	return sse, logs, true
}

// etsInit follows forecast::initstate: seasonal indices from a classical
// decomposition of the first three seasons (or all data if shorter), level
// and trend from a regression on the first max(10, 2m) adjusted values.
func etsInit(y []float64, m int, spec etsSpec) (l0, b0 float64, s0 []float64) {
	ya := y
	if spec.season != seasonNone {
		k := min(len(y), 3*m)
		s0 = decompose(y[:k], m, spec.season == seasonMul)
		ya = make([]float64, len(y))
		for t, v := range y {
			if spec.season == seasonMul {
				s0[t%m] = math.Max(s0[t%m], 1e-2)
				ya[t] = v / s0[t%m]
			} else {
				ya[t] = v - s0[t%m]
			}
		}
	}
	maxn := min(max(10, 2*m), len(ya))
	if spec.trend == trendNone {
		for _, v := range ya[:maxn] {
			l0 += v
		}
		return l0 / float64(maxn), 0, s0
	}
	// Least squares on t = 1..maxn; l0 is the intercept at t = 0.
	var st, sy, stt, sty float64
	for i, v := range ya[:maxn] {
		t := float64(i + 1)
		st += t
		sy += v
		stt += t * t
		sty += t * v
	}
	nn := float64(maxn)
	b0 = (nn*sty - st*sy) / (nn*stt - st*st)
	l0 = (sy - b0*st) / nn
	if math.Abs(l0+b0) < 1e-8 {
		l0, b0 = l0*(1+1e-3), b0*(1+1e-3)
	}
	return l0, b0, s0
}

// numParams counts estimated parameters the way forecast::ets does
// (smoothing parameters, l0, b0, m−1 free seasonal states) plus σ.
func (sp etsSpec) numParams(m int) int {
	k := 2 // α, l0
	if sp.trend != trendNone {
		k += 2 // β, b0
	}
	if sp.trend == trendDamped {
		k++
	}
	if sp.season != seasonNone {
		k += 1 + m - 1 // γ and the free seasonal states
	}
	return k + 1
}

// fitETS estimates one ETS form by maximum likelihood: Nelder–Mead over
// the smoothing parameters and the initial level and trend; the initial
// seasonal states stay at their decomposition values (see doc.go).
func fitETS(y []float64, m int, spec etsSpec) (*etsFit, bool) {
	n := len(y)
	k := spec.numParams(m)
	if n-k-1 <= 0 {
		return nil, false
	}
	l0, b0, s0 := etsInit(y, m, spec)
	sd := 0.0
	{
		mean := 0.0
		for _, v := range y {
			mean += v
		}
		mean /= float64(n)
		for _, v := range y {
			sd += (v - mean) * (v - mean)
		}
		sd = math.Sqrt(sd / float64(n))
	}
	scale := math.Max(sd*0.2, 1e-6*math.Max(1, math.Abs(l0)))
	o := &etsObjective{spec: spec, y: y, m: m, sInit: s0, l0: l0, b0: b0, scale: scale, work: make([]float64, m)}
	alpha0 := 0.2
	if spec.season != seasonNone {
		alpha0 = 0.1
	}
	x0 := []float64{logit((alpha0 - parLo) / (alpHi - parLo))}
	if spec.trend != trendNone {
		x0 = append(x0, logit(0.1))
	}
	if spec.season != seasonNone {
		x0 = append(x0, logit(0.05))
	}
	if spec.trend == trendDamped {
		x0 = append(x0, logit((0.97-phiLo)/(phiHi-phiLo)))
	}
	x0 = append(x0, 0)
	if spec.trend != trendNone {
		x0 = append(x0, 0)
	}
	step := make([]float64, len(x0))
	for i := range step {
		step[i] = 1
	}
	x, fv := nelderMead(o.eval, x0, step, nmEvalPerDim*len(x0), nmTol)
	if math.IsInf(fv, 1) {
		return nil, false
	}
	p, l, b := o.decode(x)
	f := &etsFit{spec: spec, p: p, n: n, k: k}
	sse, logs, ok := o.run(p, l, b, &f.last)
	if !ok {
		return nil, false
	}
	nf := float64(n)
	sse = math.Max(sse, 1e-300)
	f.lik = nf*math.Log(2*math.Pi*sse/nf) + nf
	if spec.multErr {
		f.lik += 2 * logs
	}
	f.aicc = f.lik + 2*float64(k) + 2*float64(k*(k+1))/float64(n-k-1)
	f.sigma2 = sse / float64(max(n-k+1, 1)) // k counts σ, which is not a dof of the mean
	return f, true
}

// etsSpecs lists the forms forecast::ets considers by default: no
// multiplicative trend, no additive error with multiplicative season, and
// multiplicative parts only for strictly positive data.
func etsSpecs(positive, seasonal bool) []etsSpec {
	var out []etsSpec
	for _, me := range []bool{false, true} {
		if me && !positive {
			continue
		}
		for _, tr := range []trendKind{trendNone, trendAdd, trendDamped} {
			for _, se := range []seasonKind{seasonNone, seasonAdd, seasonMul} {
				if se != seasonNone && !seasonal {
					continue
				}
				if se == seasonMul && (!me || !positive) {
					continue
				}
				out = append(out, etsSpec{me, tr, se})
			}
		}
	}
	return out
}

// autoETS fits every admissible form and keeps the lowest AICc.
func autoETS(y []float64, m int, specs []etsSpec) (*etsFit, bool) {
	var best *etsFit
	for _, sp := range specs {
		f, ok := fitETS(y, m, sp)
		if ok && (best == nil || f.aicc < best.aicc) {
			best = f
		}
	}
	return best, best != nil
}

// phiSum is φ + φ² + … + φ^h (h when φ = 1).
func phiSum(phi float64, h int) float64 {
	if phi == 1 {
		return float64(h)
	}
	return phi * (1 - math.Pow(phi, float64(h))) / (1 - phi)
}

// forecast returns point forecasts and forecast standard deviations for
// h = 1..H: analytic for the linear forms (class 1, additive errors) and
// the multiplicative-error forms with additive components (class 2,
// Hyndman et al. 2008 ch. 6), simulated (fixed seed) for multiplicative
// seasonality (class 3).
func (f *etsFit) forecast(H int) (mean, sd []float64) {
	mean = make([]float64, H)
	sd = make([]float64, H)
	sp, p, st := f.spec, f.p, f.last
	m := len(st.s)
	phi := 1.0
	if sp.trend == trendDamped {
		phi = p.phi
	}
	for h := 1; h <= H; h++ {
		v := st.l
		if sp.trend != trendNone {
			v += phiSum(phi, h) * st.b
		}
		switch sp.season {
		case seasonAdd:
			v += st.s[(f.n-1+h)%m]
		case seasonMul:
			v *= st.s[(f.n-1+h)%m]
		}
		mean[h-1] = v
	}
	if sp.season == seasonMul {
		f.simulate(H, mean, sd)
		return mean, sd
	}
	// c_j = α + β·φ_j + γ·[j ≡ 0 mod m]
	c := make([]float64, H)
	for j := 1; j < H; j++ {
		c[j] = p.alpha
		if sp.trend != trendNone {
			c[j] += p.beta * phiSum(phi, j)
		}
		if sp.season != seasonNone && j%m == 0 {
			c[j] += p.gamma
		}
	}
	s2 := f.sigma2
	if !sp.multErr {
		acc := 1.0
		for h := 1; h <= H; h++ {
			if h > 1 {
				acc += c[h-1] * c[h-1]
			}
			sd[h-1] = math.Sqrt(s2 * acc)
		}
		return mean, sd
	}
	// θ_1 = μ_1², θ_h = μ_h² + σ² Σ_{j<h} c_j² θ_{h−j}; var = (1+σ²)θ_h − μ_h².
	theta := make([]float64, H+1)
	for h := 1; h <= H; h++ {
		mu := mean[h-1]
		th := mu * mu
		for j := 1; j < h; j++ {
			th += s2 * c[j] * c[j] * theta[h-j]
		}
		theta[h] = th
		sd[h-1] = math.Sqrt(math.Max((1+s2)*th-mu*mu, 0))
	}
	return mean, sd
}

const simPaths = 1000

// simulate estimates forecast standard deviations from sample paths with
// Gaussian relative errors; the seed is fixed so results are repeatable.
func (f *etsFit) simulate(H int, mean, sd []float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	sum2 := make([]float64, H)
	st := etsState{s: make([]float64, len(f.last.s))}
	sig := math.Sqrt(f.sigma2)
	for range simPaths {
		st.l, st.b = f.last.l, f.last.b
		copy(st.s, f.last.s)
		for h := 1; h <= H; h++ {
			t := f.n - 1 + h
			// Predict, draw y = ŷ(1+ε), then update with y.
			yhat := f.spec.onestep(f.p, &st, t)
			e := sig * rng.NormFloat64()
			var y float64
			if f.spec.multErr {
				y = yhat * (1 + e)
			} else {
				y = yhat + e
			}
			f.spec.step(f.p, &st, t, y)
			d := y - mean[h-1]
			sum2[h-1] += d * d
		}
	}
	// RMS around the point forecast, since intervals are centred on it.
	for h := range H {
		sd[h] = math.Sqrt(sum2[h] / simPaths)
	}
}

// onestep is ŷ at time t from state st without updating it.
func (sp etsSpec) onestep(p etsParams, st *etsState, t int) float64 {
	q := st.l
	if sp.trend == trendAdd {
		q += st.b
	} else if sp.trend == trendDamped {
		q += p.phi * st.b
	}
	switch sp.season {
	case seasonAdd:
		return q + st.s[t%len(st.s)]
	case seasonMul:
		return q * st.s[t%len(st.s)]
	}
	return q
}
