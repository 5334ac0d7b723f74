package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
)

const eps = 1e-9

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// TestETSStepHandComputed checks the state updates against arithmetic done
// by hand. Notation: q = l + φb, ŷ the one-step forecast, p the seasonally
// adjusted y; l' = q + α(p−q), b' = φb + β(p−q), s' = s + γ(y−q−s) (A) or
// s + γ(y/q − s) (M). Seasonal examples use m = 2 to keep the sums short.
func TestETSStepHandComputed(t *testing.T) {
	t.Parallel()
	type want struct {
		yhat, l, b float64
		s          []float64
	}
	tests := []struct {
		name string
		spec etsSpec
		p    etsParams
		st   etsState
		y    []float64
		want []want // after each observation
	}{
		{
			// ANN, α=0.5, l0=10.
			// y=12: ŷ=10, l=10+0.5·(12−10)=11
			// y=11: ŷ=11, l=11+0.5·0=11
			// y=14: ŷ=11, l=11+0.5·3=12.5
			name: "ANN", spec: etsSpec{}, p: etsParams{alpha: 0.5, phi: 1},
			st: etsState{l: 10}, y: []float64{12, 11, 14},
			want: []want{{10, 11, 0, nil}, {11, 11, 0, nil}, {11, 12.5, 0, nil}},
		},
		{
			// AAN, α=0.5, β=0.2, l0=10, b0=1.
			// y=12: q=11, ŷ=11, p−q=1, l=11+0.5=11.5, b=1+0.2·1=1.2
			// y=13: q=12.7, ŷ=12.7, p−q=0.3, l=12.7+0.15=12.85, b=1.2+0.06=1.26
			name: "AAN", spec: etsSpec{trend: trendAdd}, p: etsParams{alpha: 0.5, beta: 0.2, phi: 1},
			st: etsState{l: 10, b: 1}, y: []float64{12, 13},
			want: []want{{11, 11.5, 1.2, nil}, {12.7, 12.85, 1.26, nil}},
		},
		{
			// AAdN, α=0.5, β=0.2, φ=0.9, l0=10, b0=1.
			// y=12: q=10+0.9=10.9, p−q=1.1, l=10.9+0.55=11.45, b=0.9+0.22=1.12
			// y=11: q=11.45+0.9·1.12=12.458, p−q=−1.458,
			//       l=12.458−0.729=11.729, b=1.008−0.2916=0.7164
			name: "AAdN", spec: etsSpec{trend: trendDamped}, p: etsParams{alpha: 0.5, beta: 0.2, phi: 0.9},
			st: etsState{l: 10, b: 1}, y: []float64{12, 11},
			want: []want{{10.9, 11.45, 1.12, nil}, {12.458, 11.729, 0.7164, nil}},
		},
		{
			// ANA, m=2, α=0.5, γ=0.3, l0=10, s=(2, −2).
			// y=13: s=2, ŷ=12, p=11, l=10+0.5·1=10.5, s0=2+0.3·(13−10−2)=2.3
			// y=7: s=−2, q=10.5, ŷ=8.5, p=9, l=10.5−0.75=9.75,
			//      s1=−2+0.3·(7−10.5+2)=−2.45
			name: "ANA", spec: etsSpec{season: seasonAdd}, p: etsParams{alpha: 0.5, gamma: 0.3, phi: 1},
			st: etsState{l: 10, s: []float64{2, -2}}, y: []float64{13, 7},
			want: []want{{12, 10.5, 0, []float64{2.3, -2}}, {8.5, 9.75, 0, []float64{2.3, -2.45}}},
		},
		{
			// MNM, m=2, α=0.5, γ=0.3, l0=10, s=(1.2, 0.8).
			// y=13: ŷ=12, p=13/1.2=10.8333…, l=10+0.5·0.8333…=10.41666… (=125/12),
			//       s0=1.2+0.3·(13/10−1.2)=1.23
			// y=7: ŷ=10.41666…·0.8=8.3333…, p=7/0.8=8.75,
			//      l=10.41666…+0.5·(8.75−10.41666…)=9.58333…,
			//      s1=0.8+0.3·(7·12/125−0.8)=0.8+0.3·(0.672−0.8)=0.7616
			name: "MNM", spec: etsSpec{multErr: true, season: seasonMul}, p: etsParams{alpha: 0.5, gamma: 0.3, phi: 1},
			st: etsState{l: 10, s: []float64{1.2, 0.8}}, y: []float64{13, 7},
			want: []want{{12, 125.0 / 12, 0, []float64{1.23, 0.8}}, {25.0 / 3, 115.0 / 12, 0, []float64{1.23, 0.7616}}},
		},
		{
			// MAM, m=2, α=0.5, β=0.1, γ=0.2, l0=10, b0=1, s=(1.2, 0.8), y=14.
			// q=11, ŷ=13.2, p=14/1.2=11.6666…, p−q=0.6666…
			// l=11+0.5·0.6666…=11.3333…, b=1+0.1·0.6666…=1.06666…,
			// s0=1.2+0.2·(14/11−1.2)=1.2145454…
			// Same in Hyndman et al.'s error form, ε=(14−13.2)/13.2=0.060606…:
			// l=(l+b)(1+αε)=11·1.030303…=11.3333…, b=b+β(l+b)ε=1+0.1·0.6666…,
			// s=s(1+γε)=1.2·1.0121212…=1.2145454…
			name: "MAM", spec: etsSpec{multErr: true, trend: trendAdd, season: seasonMul},
			p:  etsParams{alpha: 0.5, beta: 0.1, gamma: 0.2, phi: 1},
			st: etsState{l: 10, b: 1, s: []float64{1.2, 0.8}}, y: []float64{14},
			want: []want{{13.2, 34.0 / 3, 16.0 / 15, []float64{1.2 + 0.2*(14.0/11-1.2), 0.8}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := tc.st
			st.s = append([]float64(nil), tc.st.s...)
			for i, y := range tc.y {
				yhat := tc.spec.step(tc.p, &st, i, y)
				w := tc.want[i]
				if !near(yhat, w.yhat, eps) || !near(st.l, w.l, eps) || !near(st.b, w.b, eps) {
					t.Errorf("t=%d: got ŷ=%.10g l=%.10g b=%.10g, want ŷ=%.10g l=%.10g b=%.10g", i, yhat, st.l, st.b, w.yhat, w.l, w.b)
				}
				for j := range w.s {
					if !near(st.s[j], w.s[j], eps) {
						t.Errorf("t=%d: got s[%d]=%.10g, want %.10g", i, j, st.s[j], w.s[j])
					}
				}
			}
		})
	}
}

// TestETSFilterMatchesStep checks that the unrolled filter used for fitting
// (etsObjective.run) follows the hand-checked step function exactly, for
// every form.
func TestETSFilterMatchesStep(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	y := make([]float64, 40)
	for i := range y {
		y[i] = 100 + float64(i) + 10*math.Sin(float64(i)*math.Pi/2) + rng.NormFloat64()
	}
	const m = 4
	for _, sp := range etsSpecs(true, true) {
		t.Run(sp.String(), func(t *testing.T) {
			t.Parallel()
			p := etsParams{alpha: 0.3, beta: 0.1, gamma: 0.2, phi: 0.9}
			if sp.trend != trendDamped {
				p.phi = 1
			}
			l0, b0, s0 := etsInit(y, m, sp)
			o := &etsObjective{spec: sp, y: y, m: m, sInit: s0, work: make([]float64, m)}
			var got etsState
			sse, logs, ok := o.run(p, l0, b0, &got)
			if !ok {
				t.Fatal("filter failed")
			}
			st := etsState{l: l0, b: b0, s: append([]float64(nil), s0...)}
			var wsse, wlogs float64
			for i, v := range y {
				yh := sp.step(p, &st, i, v)
				e := v - yh
				if sp.multErr {
					e /= yh
					wlogs += math.Log(yh)
				}
				wsse += e * e
			}
			if !near(sse, wsse, 1e-9) || !near(logs, wlogs, 1e-9) || !near(got.l, st.l, 1e-9) || !near(got.b, st.b, 1e-9) {
				t.Errorf("filter: sse %g logs %g l %g b %g; step: %g %g %g %g", sse, logs, got.l, got.b, wsse, wlogs, st.l, st.b)
			}
			for j := range st.s {
				if !near(got.s[j], st.s[j], 1e-9) {
					t.Errorf("s[%d]: filter %g, step %g", j, got.s[j], st.s[j])
				}
			}
		})
	}
}

// TestETSForecastVariance checks point forecasts and the analytic forecast
// standard deviations of class-1 models, σ_h² = σ²(1 + Σ_{j<h} c_j²).
func TestETSForecastVariance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fit      etsFit
		h        int
		mean, sd float64
	}{
		// ANN: c_j = α = 0.5; h=3: 4·(1+0.25+0.25) = 6, sd √6; mean = l.
		{"ANN", etsFit{spec: etsSpec{}, p: etsParams{alpha: 0.5, phi: 1}, last: etsState{l: 10}, n: 5, sigma2: 4}, 3, 10, math.Sqrt(6)},
		// AAN: c_j = α + βj = 0.7, 0.9; h=3: 4·(1+0.49+0.81) = 9.2; mean = 10+3·2.
		{"AAN", etsFit{spec: etsSpec{trend: trendAdd}, p: etsParams{alpha: 0.5, beta: 0.2, phi: 1}, last: etsState{l: 10, b: 2}, n: 5, sigma2: 4}, 3, 16, math.Sqrt(9.2)},
		// AAdN, φ=0.5: φ_1=0.5, φ_2=0.75, φ_3=0.875; c_1=0.5+0.2·0.5=0.6,
		// c_2=0.5+0.2·0.75=0.65; h=3: 4·(1+0.36+0.4225)=7.13; mean=10+0.875·2.
		// (φ=0.5 is outside the fitting bounds but keeps the sums exact.)
		{"AAdN", etsFit{spec: etsSpec{trend: trendDamped}, p: etsParams{alpha: 0.5, beta: 0.2, phi: 0.5}, last: etsState{l: 10, b: 2}, n: 5, sigma2: 4}, 3, 11.75, math.Sqrt(7.13)},
		// ANA, m=2: c_1=α=0.5, c_2=α+γ=0.8; h=3: 4·(1+0.25+0.64)=7.56.
		// n=5 so step h=3 is time 7, position 7%2=1: mean = 10 + s[1] = 10−2.
		{"ANA", etsFit{spec: etsSpec{season: seasonAdd}, p: etsParams{alpha: 0.5, gamma: 0.3, phi: 1}, last: etsState{l: 10, s: []float64{2, -2}}, n: 5, sigma2: 4}, 3, 8, math.Sqrt(7.56)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mean, sd := tc.fit.forecast(tc.h)
			if !near(mean[tc.h-1], tc.mean, eps) || !near(sd[tc.h-1], tc.sd, eps) {
				t.Errorf("h=%d: got mean %.10g sd %.10g, want %.10g %.10g", tc.h, mean[tc.h-1], sd[tc.h-1], tc.mean, tc.sd)
			}
		})
	}
}

// TestETSClass2AndSimulation: for MNN the class-2 formula gives
// var_2 = (1+σ²)(μ² + σ²α²μ²) − μ² = μ²((1+σ²)(1+σ²α²) − 1); the
// simulation used for multiplicative seasons must agree with it when the
// season is flat (MNM with s ≡ 1 has the same distribution).
func TestETSClass2AndSimulation(t *testing.T) {
	t.Parallel()
	s2, a, mu := 0.01, 0.5, 100.0
	mnn := etsFit{spec: etsSpec{multErr: true}, p: etsParams{alpha: a, phi: 1}, last: etsState{l: mu}, n: 10, sigma2: s2}
	_, sd := mnn.forecast(2)
	want := mu * math.Sqrt((1+s2)*(1+s2*a*a)-1)
	if !near(sd[1], want, 1e-12) {
		t.Errorf("MNN sd_2: got %.10g, want %.10g", sd[1], want)
	}
	mnm := etsFit{spec: etsSpec{multErr: true, season: seasonMul}, p: etsParams{alpha: a, phi: 1}, last: etsState{l: mu, s: []float64{1, 1}}, n: 10, sigma2: s2}
	_, sim := mnm.forecast(2)
	if math.Abs(sim[1]/want-1) > 0.08 { // 1,000 paths: the sd is within a few percent
		t.Errorf("simulated sd_2 %.4g, analytic %.4g", sim[1], want)
	}
}

// TestETSRecoversAlpha fits ANN to data simulated with α=0.3 and checks the
// likelihood maximum is near it.
func TestETSRecoversAlpha(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	y := make([]float64, 400)
	l := 50.0
	for i := range y {
		e := rng.NormFloat64()
		y[i] = l + e
		l += 0.3 * e
	}
	f, ok := fitETS(y, 1, etsSpec{})
	if !ok {
		t.Fatal("fit failed")
	}
	if math.Abs(f.p.alpha-0.3) > 0.08 {
		t.Errorf("alpha: got %.3f, want 0.3±0.08", f.p.alpha)
	}
	if math.Abs(math.Sqrt(f.sigma2)-1) > 0.1 {
		t.Errorf("sigma: got %.3f, want 1±0.1", math.Sqrt(f.sigma2))
	}
}
