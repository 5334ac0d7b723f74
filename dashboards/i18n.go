package dashboards

// messages holds every label in Russian and English; keys are English phrases.
var messages = map[string][2]string{
	"kam":                {"kam — аналитика ключевых клиентов", "kam — key account analytics"},
	"director":           {"Коммерческий директор", "Commercial director"},
	"director.title":     {"Выполнение плана и продажи", "Plan fulfilment and sales"},
	"director.lead":      {"Выполнение плана каждым КАМ по трём показателям, динамика продаж и итоги команды.", "Every KAM's plan fulfilment on the three KPIs, the sales trend and team totals."},
	"as_of":              {"Данные на", "Data as of"},
	"period":             {"Период", "Period"},
	"month":              {"Месяц", "Month"},
	"ytd":                {"С начала года", "Year to date"},
	"kpi.sales":          {"Продажи", "Sales"},
	"kpi.active_clients": {"Активные клиенты", "Active clients"},
	"kpi.new_clients":    {"Новые клиенты", "New clients"},
	"actual":             {"Факт", "Actual"},
	"target":             {"План", "Target"},
	"attainment":         {"Выполнение", "Attainment"},
	"projected":          {"Прогноз к концу периода", "Run-rate to period end"},
	"manager":            {"КАМ", "KAM"},
	"team":               {"Команда", "Team"},
	"company":            {"Компания", "Company"},
	"missing_target":     {"нет плана", "no target"},
	"trend.title":        {"Чистые продажи по месяцам и год назад", "Net sales by month and a year before"},
	"trend.this":         {"Продажи", "Net sales"},
	"trend.last":         {"Год назад", "A year before"},
	"audiences":          {"Разделы", "Audiences"},
	"director.link":      {"Дашборд коммерческого директора: выполнение плана, продажи", "Commercial director's dashboard: plan fulfilment, sales"},
	"in_progress":        {"месяц идёт: прогноз по текущему темпу", "month in progress: projection at the current pace"},
	"managers":           {"КАМ", "KAMs"},
	"totals":             {"Итоги команд и компании", "Team and company totals"},
	"fulfilment.chart":   {"Факт и план", "Actual and target"},
	"gap":                {"До плана", "Gap to target"},
	"plan":               {"Выполнение плана", "Plan fulfilment"},
	"top":                {"Крупнейшие клиенты за 12 месяцев", "Largest clients over 12 months"},
	"categories":         {"Продажи по категориям за 12 месяцев", "Sales by category over 12 months"},
	"clients":            {"Мои клиенты", "My clients"},
	"client":             {"Клиент", "Client"},
	"segment":            {"Сегмент", "Segment"},
	"last12":             {"12 месяцев", "12 months"},
	"change":             {"К прошлым 12 мес.", "vs prior 12 months"},
	"last_shipped":       {"Последняя отгрузка", "Last shipment"},
	"kam.link":           {"Страницы КАМ", "KAM pages"},
	"kam.pages":          {"Страницы КАМ: свои клиенты, план, продажи", "KAM pages: own clients, plan, sales"},
}

func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return m[1]
	}
	return m[0]
}
