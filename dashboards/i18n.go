package dashboards

import "strings"

// Langs are the languages pages are rendered in; the first is the default.
var Langs = []string{"ru", "en"}

// messages holds every label in Russian and English, in one place so that a
// missing translation is a test failure rather than a page with a key on it.
var messages = map[string][2]string{
	"site.title":           {"kam — аналитика ключевых клиентов", "kam — key account analytics"},
	"site.audiences":       {"Разделы", "Audiences"},
	"site.director":        {"Коммерческий директор: выполнение плана КАМ, итоги команд, динамика продаж", "Commercial director: KAM plan fulfilment, team totals, sales trend"},
	"site.kams":            {"Страницы КАМ: свои клиенты, план, продажи", "KAM pages: own clients, plan, sales"},
	"site.back":            {"← к разделам", "← all pages"},
	"director":             {"Коммерческий директор", "Commercial director"},
	"director.title":       {"Выполнение плана и продажи", "Plan fulfilment and sales"},
	"as_of":                {"данные на", "data as of"},
	"month":                {"Месяц", "Month"},
	"ytd":                  {"С начала года", "Year to date"},
	"kpi":                  {"Показатель", "KPI"},
	"kpi.sales":            {"Продажи", "Sales"},
	"kpi.active_clients":   {"Активные клиенты", "Active clients"},
	"kpi.new_clients":      {"Новые клиенты", "New clients"},
	"actual":               {"Факт", "Actual"},
	"target":               {"План", "Target"},
	"attainment":           {"Выполнение", "Attainment"},
	"projected":            {"Прогноз", "Run-rate"},
	"projected.pct":        {"Прогноз, %", "Run-rate, %"},
	"gap":                  {"До плана", "Gap to target"},
	"manager":              {"КАМ", "KAM"},
	"managers":             {"Все КАМ", "All KAMs"},
	"id":                   {"Код", "ID"},
	"team":                 {"Команда", "Team"},
	"company":              {"Компания", "Company"},
	"page":                 {"Страница", "Page"},
	"open":                 {"открыть", "open"},
	"no_page":              {"нет страницы (не работает в этом году)", "no page (not employed this year)"},
	"no_data":              {"Нет данных за период.", "No data for the period."},
	"missing_target":       {"нет плана", "no target"},
	"summary":              {"Компания за месяц", "Company, month"},
	"summary.of_target":    {"плана", "of target"},
	"scorecard":            {"Выполнение плана по КАМ", "Plan fulfilment by KAM"},
	"scorecard.month":      {"Прогноз выполнения плана месяца, %", "Month: run-rate attainment, %"},
	"scorecard.month.done": {"Выполнение плана месяца, %", "Month: attainment, %"},
	"scorecard.ytd":        {"Прогноз выполнения плана года, %", "Year: run-rate attainment, %"},
	"scorecard.ytd.done":   {"Выполнение плана года, %", "Year: attainment, %"},
	"legend.status":        {"Цвет — прогноз к концу периода: зелёный — план будет выполнен, красный — нет. Прогноз продаж и новых клиентов — по текущему темпу; активные клиенты — на дату.", "Colour is the run-rate to the period end: green — the target will be met, red — it will not. Sales and new clients run at the current pace; active clients are as of the date."},
	"in_progress":          {"Месяц идёт: прогноз — по текущему темпу до конца месяца.", "The month is in progress: the run-rate extends the current pace to the month end."},
	"trend.title":          {"Чистые продажи компании по месяцам и год назад", "Company net sales by month and a year before"},
	"trend.this":           {"Продажи", "Net sales"},
	"trend.last":           {"Год назад", "A year before"},
	"trend.run_rate":       {"Прогноз месяца", "Month run-rate"},
	"trend.partial":        {"%s — неполный месяц (по %s); точка прогноза — ожидаемые продажи за весь месяц.", "%s is incomplete (to %s); the run-rate point is the expected sales of the whole month."},
	"totals":               {"Итоги команд и компании", "Team and company totals"},
	"kam.plan":             {"Выполнение плана", "Plan fulfilment"},
	"kam.trend":            {"Мои продажи по месяцам и год назад", "My net sales by month and a year before"},
	"kam.top":              {"Крупнейшие клиенты за 12 месяцев", "Largest clients over 12 months"},
	"kam.categories":       {"Продажи по категориям за 12 месяцев", "Sales by category over 12 months"},
	"kam.clients":          {"Мои клиенты", "My clients"},
	"client":               {"Клиент", "Client"},
	"segment":              {"Сегмент", "Segment"},
	"last12":               {"12 месяцев", "12 months"},
	"change":               {"К прошлым 12 мес.", "vs prior 12 months"},
	"last_shipped":         {"Последняя отгрузка", "Last shipment"},
}

// missingMessage is called with a key the table lacks; the tests make it
// panic, so that every page they render proves its keys exist.
var missingMessage = func(key string) {}

// tr returns the label of key in lang, or the key itself when there is none.
func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		missingMessage(key)
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// kpiName names a KPI; one the table does not know is shown by its id.
func kpiName(lang, kpi string) string {
	if _, ok := messages["kpi."+kpi]; ok {
		return tr(lang, "kpi."+kpi)
	}
	return kpi
}

// trFlags translates a comma-separated list of mart flags; unknown flags
// are shown as they are.
func trFlags(lang, flags string) []string {
	var out []string
	for _, f := range strings.Split(flags, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if _, ok := messages[f]; ok {
			f = tr(lang, f)
		}
		out = append(out, f)
	}
	return out
}
