package forecast

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestETSRecursionsAirPassengers runs ETS(M,A,M) and ETS(A,N,N) with fixed
// parameters and initial states over the 144 air-passengers months and
// compares the states with values computed separately from the textbook
// error-correction form of Hyndman et al. (2008, table 2.3), which is
// written differently from step:
//
//	ŷ = (l+b)s, ε = (y−ŷ)/ŷ, l' = (l+b)(1+αε), b' = b + β(l+b)ε, s' = s(1+γε)
//
// α=0.3, β=0.01, γ=0.1, l0=118, b0=1, s0 = the first year over its mean
// (1520/12). The first month by hand: ŷ = 119 · 112/126.667 = 105.2211;
// l = 119 + 0.3·(126.667 − 119) = 121.3; b = 1 + 0.01·7.667 = 1.07667.
// ETS(A,N,N) with α=0.5 and l0=112: l' = l + 0.5(y − l), SSE = Σ(y − l)².
func TestETSRecursionsAirPassengers(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../shared/data/monthly-sales-timeseries/prophet_example_air_passengers.csv")
	if os.IsNotExist(err) {
		t.Skip("air passengers data not present")
	}
	if err != nil {
		t.Fatal(err)
	}
	var y []float64
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\r") {
		if i == 0 {
			continue
		}
		v, err := strconv.ParseFloat(strings.Split(line, ",")[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		y = append(y, v)
	}
	if len(y) != 144 {
		t.Fatalf("%d months, want 144", len(y))
	}

	sp := etsSpec{multErr: true, trend: trendAdd, season: seasonMul}
	p := etsParams{alpha: 0.3, beta: 0.01, gamma: 0.1, phi: 1}
	s0 := make([]float64, 12)
	for i := range s0 {
		s0[i] = y[i] / (1520.0 / 12)
	}
	st := etsState{l: 118, b: 1, s: append([]float64(nil), s0...)}
	type snap struct{ yhat, l, b, s float64 }
	want := map[int]snap{
		1:   {105.221052631579, 121.3, 1.07666666666667, 0.889907120743034},
		2:   {114.003526315789, 123.663666666667, 1.11956666666667, 0.934844662796915},
		12:  {120.979850605893, 128.905763449626, 0.934865158332728, 0.929284378415947},
		144: {452.547312701116, 490.820493566977, 3.31120193078137, 0.90533378526796},
	}
	for i, v := range y {
		yhat := sp.step(p, &st, i, v)
		if w, ok := want[i+1]; ok {
			got := snap{yhat, st.l, st.b, st.s[i%12]}
			if !near(got.yhat, w.yhat, 1e-12) || !near(got.l, w.l, 1e-12) || !near(got.b, w.b, 1e-12) || !near(got.s, w.s, 1e-12) {
				t.Errorf("MAM after %d months: ŷ, l, b, s = %+v, want %+v", i+1, got, w)
			}
		}
	}
	wantS := []float64{0.914536078074776, 0.901632907659884, 1.03148465356073, 1.01520050297767, 1.00498078336956, 1.12610393361959,
		1.23874293129044, 1.21477425575869, 1.05064537504088, 0.922580659953374, 0.803753724811842, 0.90533378526796}
	for j, w := range wantS {
		if !near(st.s[j], w, 1e-12) {
			t.Errorf("MAM final s[%d] = %.15g, want %.15g", j, st.s[j], w)
		}
	}

	// The filter used for fitting gives the same states, Σε² and Σlog ŷ.
	o := &etsObjective{spec: sp, y: y, m: 12, sInit: s0, work: make([]float64, 12)}
	var fst etsState
	sse, logs, ok := o.run(p, 118, 1, &fst)
	if !ok || !near(sse, 0.322911360263796, 1e-11) || !near(logs, 797.205740015728, 1e-12) || !near(fst.l, 490.820493566977, 1e-12) {
		t.Errorf("MAM filter: Σε² %.15g, Σlog ŷ %.15g, l %.15g (ok %v); want 0.322911360263796, 797.205740015728, 490.820493566977",
			sse, logs, fst.l, ok)
	}

	ann := etsState{l: 112}
	annSSE := 0.0
	for i, v := range y {
		e := v - etsSpec{}.step(etsParams{alpha: 0.5, phi: 1}, &ann, i, v)
		annSSE += e * e
	}
	if !near(ann.l, 439.25602565701, 1e-12) || !near(annSSE, 249095.69748197, 1e-12) {
		t.Errorf("ANN: l %.15g, SSE %.15g; want 439.25602565701, 249095.69748197", ann.l, annSSE)
	}
}
