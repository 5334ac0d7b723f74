package dashboards

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Number formats follow each language's convention. Russian groups
// thousands with U+00A0 (no-break space: the group never wraps onto two
// lines, and it is what Excel and 1C write) rather than U+202F, which older
// fonts lack; the decimal separator is a comma; the rouble sign and the
// percent sign follow the number after a no-break space (GOST 8.417).
// English uses commas, a point, `RUB ` before the amount and `%` without a
// space. Negative numbers take U+2212 (minus sign).
type numberFormat struct {
	Group, Point               string
	MoneyPrefix, MoneySuffix   string
	PercentSuffix              string
	Thousand, Million, Billion string // compact suffixes for chart axes
	Dash                       string // for a missing value
}

var formats = map[string]numberFormat{
	"ru": {Group: "\u00a0", Point: ",", MoneySuffix: "\u00a0₽", PercentSuffix: "\u00a0%",
		Thousand: "\u00a0тыс.", Million: "\u00a0млн", Billion: "\u00a0млрд", Dash: "—"},
	"en": {Group: ",", Point: ".", MoneyPrefix: "RUB ", PercentSuffix: "%",
		Thousand: "K", Million: "M", Billion: "B", Dash: "—"},
}

func numFormat(lang string) numberFormat {
	if f, ok := formats[lang]; ok {
		return f
	}
	return formats["ru"]
}

// Money formats roubles with kopecks: `1 234 567,89 ₽` or `RUB 1,234,567.89`.
func Money(d decimal.Decimal, lang string) string {
	f := numFormat(lang)
	return f.MoneyPrefix + group(d.StringFixed(2), f) + f.MoneySuffix
}

// MoneyShort formats whole roubles, for charts and tables.
func MoneyShort(d decimal.Decimal, lang string) string {
	f := numFormat(lang)
	return f.MoneyPrefix + group(d.StringFixed(0), f) + f.MoneySuffix
}

// Number formats a count or quantity: whole numbers as they are, others
// with one decimal (a run-rate projection of a count can be fractional).
func Number(d decimal.Decimal, lang string) string {
	if d.IsInteger() || d.Round(1).IsInteger() {
		return group(d.StringFixed(0), numFormat(lang))
	}
	return group(d.StringFixed(1), numFormat(lang))
}

// Percent formats a ratio (0.934) as `93,4 %` or `93.4%`.
func Percent(d decimal.Decimal, lang string) string {
	f := numFormat(lang)
	return group(d.Shift(2).StringFixed(1), f) + f.PercentSuffix
}

// group inserts thousands separators into a plain decimal string ("-1234.5")
// and switches the decimal point.
func group(s string, f numberFormat) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "\u2212", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if strings.Trim(intPart+frac, "0") == "" {
		sign = "" // no "−0,0"
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(f.Group)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(f.Point + frac)
	}
	return b.String()
}

var monthNames = map[string][12]string{
	"ru": {"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// MonthName names a YYYY-MM period: `октябрь 2026` or `October 2026`;
// anything else comes back as it is.
func MonthName(period, lang string) string {
	m, err := time.Parse("2006-01", period)
	if err != nil {
		return period
	}
	names, ok := monthNames[lang]
	if !ok {
		names = monthNames["ru"]
	}
	return names[m.Month()-1] + " " + m.Format("2006")
}

// Date formats a day: `20.10.2026` in Russian, ISO `2026-10-20` in English.
func Date(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("2006-01-02")
	}
	return t.Format("02.01.2006")
}
