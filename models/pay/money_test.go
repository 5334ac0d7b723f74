package pay

import (
	"math/rand"
	"testing"

	"github.com/shopspring/decimal"
)

// money's fast path for two-decimal amounts gives what the general one does.
func TestMoneyFastPath(t *testing.T) {
	cases := []string{"0.00", "-0.05", "0.05", "1.10", "-1234567.89", "999999999999999.99", "-999999999999999.99", "100", "1.5", "1.234", "-0.001", "12345678901234567890.12"}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		cases = append(cases, decimal.New(r.Int63n(2e12)-1e12, -2).String())
	}
	// DuckDB DECIMAL(…,4) or (…,8) amounts, most of them whole kopecks.
	for i := 0; i < 2000; i++ {
		c := r.Int63n(2e12) - 1e12
		if i%3 != 0 {
			c *= 10000
		}
		cases = append(cases, decimal.New(c, -4-int32(i%5)).String())
	}
	for _, c := range cases {
		d := decimal.RequireFromString(c)
		d2 := decimal.New(0, -8).Add(d) // as read from a DECIMAL(38,8) column
		want := d.String()
		if d.Equal(d.Round(2)) {
			want = d.StringFixed(2)
		}
		for _, x := range []decimal.Decimal{d, d2} {
			if got := money(x); got != want {
				t.Errorf("money(%s, exponent %d) = %q, want %q", c, x.Exponent(), got, want)
			}
		}
	}
}

// numberText gives the value Round(places) gives, as text.
func TestNumberText(t *testing.T) {
	cases := []string{"0", "0.00", "-0.05", "0.05", "5", "-7", "1.10", "0.001", "-0.0001", "1234567.8912", "2.5", "-2.5", "0.00005", "123456789012345678901", "1e3"}
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 2000; i++ {
		cases = append(cases, decimal.New(r.Int63n(2e9)-1e9, -int32(r.Intn(7))).String())
	}
	for _, c := range cases {
		d := decimal.RequireFromString(c)
		for _, places := range []int32{0, 2, 4} {
			got := numberText(d, places)
			g, err := decimal.NewFromString(got)
			if want := d.Round(places); err != nil || !g.Equal(want) || g.Exponent() < -places {
				t.Errorf("numberText(%s, %d) = %q, want %s", c, places, got, want)
			}
		}
	}
}
