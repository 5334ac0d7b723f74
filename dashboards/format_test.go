package dashboards

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestFormats(t *testing.T) {
	d := decimal.RequireFromString
	for _, tc := range []struct {
		name string
		got  string
		want string
	}{
		{"money ru", Money(d("1234567.891"), "ru"), "1\u00a0234\u00a0567,89\u00a0₽"},
		{"money en", Money(d("1234567.891"), "en"), "RUB 1,234,567.89"},
		{"money small", Money(d("5"), "ru"), "5,00\u00a0₽"},
		{"money negative", Money(d("-1500.5"), "ru"), "−1\u00a0500,50\u00a0₽"},
		{"money short", MoneyShort(d("999999.5"), "ru"), "1\u00a0000\u00a0000\u00a0₽"},
		{"percent ru", Percent(d("0.934"), "ru"), "93,4\u00a0%"},
		{"percent en", Percent(d("1.2345"), "en"), "123.5%"},
		{"number", Number(d("12345"), "ru"), "12\u00a0345"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
