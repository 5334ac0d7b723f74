package dashboards

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func TestFormats(t *testing.T) {
	d := decimal.RequireFromString
	const nb = "\u00a0"
	for _, tc := range []struct {
		name, got, want string
	}{
		{"money ru", Money(d("1234567.891"), "ru"), "1" + nb + "234" + nb + "567,89" + nb + "₽"},
		{"money en", Money(d("1234567.891"), "en"), "RUB 1,234,567.89"},
		{"money half up", Money(d("0.005"), "ru"), "0,01" + nb + "₽"},
		{"money small", Money(d("5"), "ru"), "5,00" + nb + "₽"},
		{"money hundreds", Money(d("999.99"), "en"), "RUB 999.99"},
		{"money thousand", Money(d("1000"), "en"), "RUB 1,000.00"},
		{"money negative ru", Money(d("-1500.5"), "ru"), "\u22121" + nb + "500,50" + nb + "₽"},
		{"money negative en", Money(d("-1500.5"), "en"), "RUB \u22121,500.50"},
		{"money negative zero", Money(d("-0.001"), "ru"), "0,00" + nb + "₽"},
		{"money billions", Money(d("12345678901.2"), "ru"), "12" + nb + "345" + nb + "678" + nb + "901,20" + nb + "₽"},
		{"money short ru", MoneyShort(d("999999.5"), "ru"), "1" + nb + "000" + nb + "000" + nb + "₽"},
		{"money short en", MoneyShort(d("1234.4"), "en"), "RUB 1,234"},
		{"percent ru", Percent(d("0.934"), "ru"), "93,4" + nb + "%"},
		{"percent en", Percent(d("0.934"), "en"), "93.4%"},
		{"percent rounding", Percent(d("1.23456"), "en"), "123.5%"},
		{"percent over 1000", Percent(d("12.5"), "ru"), "1" + nb + "250,0" + nb + "%"},
		{"percent zero", Percent(d("0"), "ru"), "0,0" + nb + "%"},
		{"percent negative", Percent(d("-0.052"), "en"), "\u22125.2%"},
		{"number ru", Number(d("12345"), "ru"), "12" + nb + "345"},
		{"number en", Number(d("12345"), "en"), "12,345"},
		{"number fraction", Number(d("1.55"), "ru"), "1,6"},
		{"number almost whole", Number(d("2.96"), "en"), "3"},
		{"default language", Money(d("1234"), ""), "1" + nb + "234,00" + nb + "₽"},
		{"month ru", MonthName("2026-10", "ru"), "октябрь 2026"},
		{"month en", MonthName("2026-01", "en"), "January 2026"},
		{"month other", MonthName("2026-Q4", "ru"), "2026-Q4"},
		{"date ru", Date(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "ru"), "05.03.2026"},
		{"date en", Date(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "en"), "2026-03-05"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestMessagesComplete(t *testing.T) {
	for key, m := range messages {
		if strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("message %q lacks a translation: %q", key, m)
		}
		if strings.Count(m[0], "%s") != strings.Count(m[1], "%s") {
			t.Errorf("message %q: the languages take different arguments", key)
		}
	}
	if got := trFlags("ru", "missing_target, other"); strings.Join(got, "|") != "нет плана|other" {
		t.Errorf("flags: %q", got)
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"__f__alert(1)__f__":      "alert(1)",
		"_____f__f__alert(1)":     "_alert(1)",
		"ООО «Ромашка»":           "ООО «Ромашка»",
		"</script><b>x</b>":       "</script><b>x</b>", // escaped by optionJSON, not here
		"a__f_b":                  "a__f_b",
		"__f____f__function(){}_": "function(){}_",
	} {
		got := label(in)
		if got != want || strings.Contains(got, "__f__") {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}

// The inlined library must not end its <script> element early, and must be
// the pinned release (make assets bundles it from node_modules: the parts in
// echarts.entry.js, about 560 KB).
func TestEChartsAsset(t *testing.T) {
	if len(echartsJS) < 400_000 {
		t.Fatalf("echarts.min.js is %d bytes; run make assets", len(echartsJS))
	}
	if !inlineSafe(echartsJS) {
		t.Error("echarts.min.js contains </script or <!--")
	}
	if strings.Contains(echartsJS, "__f__") {
		t.Error("echarts.min.js contains the go-echarts function marker")
	}
	if !strings.Contains(echartsJS, `"5.6.0"`) {
		t.Error("echarts.min.js is not version 5.6.0 (see package.json)")
	}
	for _, s := range []string{"</script>", "<!-- x", "</SCRIPT "} {
		if inlineSafe(s) {
			t.Errorf("inlineSafe(%q) = true", s)
		}
	}
}
