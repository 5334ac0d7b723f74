package pay

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Places is the number of decimal places a quotient that does not
// terminate (attainment, an interpolation, a share, the unrounded pay) is
// carried to. Only the final pay is rounded to money, to 0.01; at 20
// places the carried quotients cannot move it unless the exact result lies
// within 10^-15 of a half kopeck.
const Places = 20

// Curve maps attainment to a payout factor: below the first point it pays
// 0, between points it is linear, at and after the last point it is flat.
type Curve []Point

// At is the payout factor at attainment a, and how it was found, in words
// with the arithmetic, for statements.
func (c Curve) At(a decimal.Decimal) (decimal.Decimal, string) {
	if len(c) == 0 {
		return decimal.Zero, "no curve → 0"
	}
	first, last := c[0], c[len(c)-1]
	if a.LessThan(first.Attainment) {
		return decimal.Zero, fmt.Sprintf("%s is below the first point %s → 0", num(a), num(first.Attainment))
	}
	if !a.LessThan(last.Attainment) {
		if len(c) == 1 {
			return last.Payout, fmt.Sprintf("%s is at or above the only point %s → %s", num(a), num(last.Attainment), num(last.Payout))
		}
		return last.Payout, fmt.Sprintf("%s is at or above the last point %s → %s (flat)", num(a), num(last.Attainment), num(last.Payout))
	}
	for i := 0; i+1 < len(c); i++ {
		p, q := c[i], c[i+1]
		if a.Equal(p.Attainment) {
			return p.Payout, fmt.Sprintf("%s is at the point [%s, %s] → %s", num(a), num(p.Attainment), num(p.Payout), num(p.Payout))
		}
		if a.LessThan(q.Attainment) {
			// y = y0 + (a − x0) × (y1 − y0) / (x1 − x0)
			y := p.Payout.Add(a.Sub(p.Attainment).Mul(q.Payout.Sub(p.Payout)).DivRound(q.Attainment.Sub(p.Attainment), Places))
			return y, fmt.Sprintf("between [%s, %s] and [%s, %s]: %s + (%s − %s) × (%s − %s) / (%s − %s) = %s",
				num(p.Attainment), num(p.Payout), num(q.Attainment), num(q.Payout),
				num(p.Payout), num(a), num(p.Attainment), num(q.Payout), num(p.Payout), num(q.Attainment), num(p.Attainment), num(y))
		}
	}
	return last.Payout, "" // unreachable: a < last.Attainment
}

// String renders the curve as [x → y, ...].
func (c Curve) String() string {
	parts := make([]string, len(c))
	for i, p := range c {
		parts[i] = num(p.Attainment) + " → " + num(p.Payout)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// num renders a decimal exactly, without trailing zeros.
func num(d decimal.Decimal) string { return d.String() }

// money renders an amount with at least two decimals and every digit it has.
func money(d decimal.Decimal) string {
	// The common case, a DECIMAL(…,2) amount, is formatted directly: the
	// payroll statements format hundreds of thousands of them.
	if exp := d.Exponent(); exp <= -2 && exp >= -18 && d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		unit := int64(1)
		for range -exp - 2 {
			unit *= 10
		}
		if c%unit == 0 { // no digits past the second decimal
			return scaledText(c/unit, 2)
		}
		return d.String()
	}
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

// scaledText is c × 10^-scale as decimal text with exactly scale decimals.
func scaledText(c int64, scale int) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	digits := strconv.FormatInt(c, 10)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale { // 0.05: "5" → "005"
		digits = strings.Repeat("0", scale+1-len(digits)) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}
