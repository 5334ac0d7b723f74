package forecast

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestACFHandComputed(t *testing.T) {
	t.Parallel()
	// x = 1,2,3,4: mean 2.5, deviations −1.5,−0.5,0.5,1.5, Σd² = 5.
	// r1 = (0.75 − 0.25 + 0.75)/5 = 0.25; r2 = (−0.75 − 0.75)/5 = −0.3.
	r := acf([]float64{1, 2, 3, 4}, 2)
	if !near(r[1], 0.25, eps) || !near(r[2], -0.3, eps) {
		t.Errorf("acf: got r1=%g r2=%g, want 0.25 −0.3", r[1], r[2])
	}
}

func TestDecomposeAndSeasonalTest(t *testing.T) {
	t.Parallel()
	// An exact multiplicative season on a linear trend: the 2×12 moving
	// average of a linear trend times indices averaging 1 is almost the
	// trend, so the figure comes back close to the indices.
	idx := []float64{0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7}
	y := make([]float64, 60)
	for i := range y {
		y[i] = (100 + 0.5*float64(i)) * idx[i%12]
	}
	fig := decompose(y, 12, true)
	for i := range idx {
		if math.Abs(fig[i]-idx[i]) > 0.01 {
			t.Errorf("figure[%d]: got %.4f, want %.2f±0.01", i, fig[i], idx[i])
		}
	}
	if !seasonalTest(y, 12, 25) {
		t.Error("seasonal series: test says not seasonal")
	}
	flat := make([]float64, 60)
	for i := range flat {
		flat[i] = 100 + float64(i%7) // period 7, nothing at lag 12
	}
	if seasonalTest(flat, 12, 25) {
		t.Error("series without a 12-month season: test says seasonal")
	}
	if seasonalTest(y[:24], 12, 25) {
		t.Error("24 values: the test needs more than 2m")
	}
}

func TestThetaOnLine(t *testing.T) {
	t.Parallel()
	// On y = 1..30 SES tracks the line (α → 1, level ≈ 30) and the theta
	// drift is half the slope, 0.5: forecast ≈ 30 + 0.5·(h−1) + 0.5·1.
	y := make([]float64, 30)
	for i := range y {
		y[i] = float64(i + 1)
	}
	f, ok := thetaFC(y, 12, 4)
	if !ok {
		t.Fatal("theta failed")
	}
	for h := 1; h <= 4; h++ {
		want := 30 + 0.5*float64(h)
		if math.Abs(f.mean[h-1]-want) > 0.05 {
			t.Errorf("h=%d: got %.4f, want %.2f±0.05", h, f.mean[h-1], want)
		}
	}
	if f.name != "Theta" {
		t.Errorf("name: got %q, want Theta (no season)", f.name)
	}
}

func TestCrostonTSBHandComputed(t *testing.T) {
	t.Parallel()
	y := []float64{0, 4, 0, 0, 6, 0}
	// Croston, a=0.5: first demand at month 2 (interval 2): z=4, p=2.
	// Month 5 (interval 3): z=4+0.5·2=5, p=2+0.5·1=2.5.
	// SBA forecast (1−0.25)·5/2.5 = 1.5.
	if rate, _ := crostonRun(y, 0.5); !near(rate, 1.5, eps) {
		t.Errorf("Croston: got %g, want 1.5", rate)
	}
	// TSB, a=0.5, b=0.5, p0=0.5, z0=4:
	// 0: p=0.25; 4: p=0.625, z=4; 0: p=0.3125; 0: p=0.15625;
	// 6: p=0.578125, z=5; 0: p=0.2890625. Forecast p·z = 1.4453125.
	p, z, _ := tsbRun(y, 0.5, 0.5, 0.5, 4)
	if !near(p*z, 1.4453125, eps) {
		t.Errorf("TSB: got p=%g z=%g p·z=%g, want 1.4453125", p, z, p*z)
	}
}

func TestIntermittentSeries(t *testing.T) {
	t.Parallel()
	// Demand of 5 every third month for four years, then a year of none.
	var y []float64
	for i := range 48 {
		if i%3 == 2 {
			y = append(y, 5)
		} else {
			y = append(y, 0)
		}
	}
	r, err := Forecast(Series{Name: "spare part", Start: Month{2020, 1}, Values: y}, 6, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "TSB" && r.Model != "Croston" {
		t.Errorf("model: got %q, want TSB or Croston", r.Model)
	}
	for _, p := range r.Points {
		if math.Abs(p.Forecast-5.0/3) > 0.35 {
			t.Errorf("%s: forecast %.3f, want about 5/3 (rate 1/3 × size 5)", p.Period, p.Forecast)
		}
		if p.Lo80 != 0 || p.Hi95 != 5 {
			t.Errorf("%s: interval [%g, %g], want lo80 0 (no demand is likely) and hi95 5 (the only size)", p.Period, p.Lo80, p.Hi95)
		}
	}
	// After a year without demand TSB's forecast decays, Croston's does not.
	stopped := append(append([]float64(nil), y...), make([]float64, 12)...)
	tsb, _, _ := tsbFC(stopped, 1)
	cro, _, _ := crostonFC(stopped, 1)
	if !(tsb.mean[0] < 0.9*cro.mean[0]) {
		t.Errorf("after demand stopped: TSB %.3f should be below 0.9 × Croston %.3f", tsb.mean[0], cro.mean[0])
	}
}

func TestNaive2(t *testing.T) {
	t.Parallel()
	// A pure season around a flat level: the 2×12 moving average is exactly
	// 100, the indices come back exactly, the adjusted series is flat at
	// 100, so Naive2 continues the season exactly. (A jagged season: a
	// smooth one has large r1..r11, which with 40 values widens the
	// test's bound past r12.)
	idx := []float64{1.3, 0.7, 1.1, 0.9, 1.2, 0.8, 1.0, 1.25, 0.75, 1.05, 0.95, 1.0}
	y := make([]float64, 40) // ends at position 39%12 = 3
	for i := range y {
		y[i] = 100 * idx[i%12]
	}
	got := Naive2(y, 12, 3)
	for h, v := range got {
		if want := 100 * idx[(40+h)%12]; !near(v, want, 1e-9) {
			t.Errorf("seasonal h=%d: got %.6f, want %.6f", h+1, v, want)
		}
	}
	// Too short for the test (needs 3 seasons): plain naive.
	got = Naive2([]float64{3, 5, 4, 6, 5, 7}, 12, 3)
	for _, v := range got {
		if v != 7 {
			t.Errorf("short series: got %v, want the last value 7", got)
			break
		}
	}
}

// TestIntermittentCoverage simulates stationary intermittent demand (a
// month has demand with probability 0.3, sizes 1–10 uniformly) and checks
// that the mixture intervals cover about as often as they claim. With
// whole-number demand and 70% zeros, quantile intervals cover somewhat
// more than nominal (measured: 0.90 and 0.96).
func TestIntermittentCoverage(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	var in80, in95, pts int
	for range 200 {
		y := make([]float64, 48)
		for i := range y {
			if rng.Float64() < 0.3 {
				y[i] = float64(1 + rng.IntN(10))
			}
		}
		r, err := Forecast(Series{Name: "x", Start: Month{2020, 1}, Values: y[:36]}, 12, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for h, p := range r.Points {
			v := y[36+h]
			if p.Lo80 <= v && v <= p.Hi80 {
				in80++
			}
			if p.Lo95 <= v && v <= p.Hi95 {
				in95++
			}
			pts++
		}
	}
	c80, c95 := float64(in80)/float64(pts), float64(in95)/float64(pts)
	t.Logf("coverage 80%%: %.3f, 95%%: %.3f", c80, c95)
	if c80 < 0.75 || c80 > 0.93 || c95 < 0.9 || c95 > 0.995 {
		t.Errorf("coverage: got 80%% %.3f and 95%% %.3f, want about 0.8 and 0.95", c80, c95)
	}
}
