package dashboards

import (
	"strings"

	"github.com/shopspring/decimal"
)

// Money formats roubles: Russian `1 234 567,89 ₽` (no-break spaces between
// groups and before the sign), English `RUB 1,234,567.89`.
func Money(d decimal.Decimal, lang string) string {
	s := group(d.StringFixed(2), lang)
	if lang == "en" {
		return "RUB " + s
	}
	return s + "\u00a0₽"
}

// MoneyShort formats roubles without kopecks, for charts and tables.
func MoneyShort(d decimal.Decimal, lang string) string {
	s := group(d.Round(0).StringFixed(0), lang)
	if lang == "en" {
		return "RUB " + s
	}
	return s + "\u00a0₽"
}

// Number formats a count or quantity without decimals.
func Number(d decimal.Decimal, lang string) string {
	return group(d.Round(0).StringFixed(0), lang)
}

// Percent formats a ratio (0.934) as `93,4 %` or `93.4%`.
func Percent(d decimal.Decimal, lang string) string {
	s := group(d.Mul(decimal.NewFromInt(100)).StringFixed(1), lang)
	if lang == "en" {
		return s + "%"
	}
	return s + "\u00a0%"
}

// group inserts thousands separators into a plain decimal string and
// switches the decimal point for Russian.
func group(s, lang string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "−", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	sep, point := ",", "."
	if lang != "en" {
		sep, point = "\u00a0", ","
	}
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(point + frac)
	}
	return sign + b.String()
}
