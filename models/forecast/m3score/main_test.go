package main

import (
	"math"
	"testing"

	"github.com/kam-analytics/kam/models/forecast"
)

// The independent Naive2 agrees with the package's on seasonal and
// non-seasonal series (the scorer itself does not use the package).
func TestNaive2AgreesWithPackage(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		amp  float64
	}{{"seasonal", 60, 0.3}, {"flat", 48, 0}, {"short", 30, 0.3}} {
		y := make([]float64, c.n)
		for i := range y {
			y[i] = 100 + float64(i) + 100*c.amp*math.Sin(2*math.Pi*float64(i)/12) + float64((i*7919)%13)
		}
		got, want := naive2(y), forecast.Naive2(y, 12, h)
		for k := range got {
			if math.Abs(got[k]-want[k]) > 1e-9*math.Abs(want[k]) {
				t.Errorf("%s: naive2 h=%d = %v, forecast.Naive2 = %v", c.name, k+1, got[k], want[k])
			}
		}
	}
	if !seasonal(naive2Fixture()) {
		t.Error("seasonal(a strongly seasonal series) = false")
	}
}

func naive2Fixture() []float64 {
	y := make([]float64, 48)
	for i := range y {
		y[i] = 100 + 30*math.Sin(2*math.Pi*float64(i)/12)
	}
	return y
}

func TestPeriod(t *testing.T) {
	for _, c := range []struct {
		s    series
		i    int
		want string
	}{
		{series{year: 1990, month: 1}, 0, "1990-01"},
		{series{year: 1990, month: 11}, 3, "1991-02"},
		{series{year: 0, month: 0}, 12, "2001-01"},
	} {
		if got := period(c.s, c.i); got != c.want {
			t.Errorf("period(%d-%d, %d) = %s, want %s", c.s.year, c.s.month, c.i, got, c.want)
		}
	}
}
