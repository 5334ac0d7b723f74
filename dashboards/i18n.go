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
	// KAM page work lists (kam_panels.go).
	"kam.gap_value":        {"Что даст закрытие разрыва до плана", "What closing the gap to target would pay"},
	"kam.gap_note":         {"Переменная часть по текущим данным и при выполнении плана по показателю (прочие — как сейчас); последняя строка — все разрывы сразу.", "Variable pay from today's data and with the KPI's target met (the others as they are); the last row closes every gap at once."},
	"kam.pay_now":          {"Сейчас", "Pay now"},
	"kam.pay_if_closed":    {"При закрытии", "If closed"},
	"kam.worth":            {"Прибавка", "Worth"},
	"kam.all_gaps":         {"Все разрывы", "Every gap"},
	"kam.history":          {"История продаж по клиентам, тыс. ₽, и класс ABC/XYZ", "Sales history by client, RUB thousand, with ABC/XYZ class"},
	"kam.history_note":     {"ABC — доля в продажах за 12 месяцев, XYZ — стабильность помесячных продаж; стрелка — класс месяцем ранее.", "ABC is the share of 12-month sales, XYZ the stability of monthly sales; the arrow shows the class a month before."},
	"kam.class":            {"Класс", "Class"},
	"kam.gaps":             {"Ассортимент: что предложить", "Assortment gaps worth offering"},
	"kam.gaps_note":        {"Категории, которые покупает не меньше половины клиентов сегмента, а этот клиент — нет; потенциал — средние продажи категории на клиента сегмента в месяц.", "Categories at least half of the segment's buyers buy and this client does not; the potential is the category's average monthly sales per segment client buying it."},
	"kam.bought":           {"Продажи по клиентам и категориям за 12 месяцев", "Sales by client and category over 12 months"},
	"kam.category":         {"Категория", "Category"},
	"kam.penetration":      {"Покупают в сегменте", "Segment buyers"},
	"kam.potential":        {"Потенциал в месяц", "Potential a month"},
	"kam.months_bought":    {"Месяцев с покупками", "Months bought"},
	"kam.receivables":      {"Дебиторская задолженность", "Receivables to collect"},
	"kam.overdue":          {"Просроченные документы — сначала самые старые", "Overdue documents, oldest first"},
	"kam.document":         {"Документ", "Document"},
	"kam.doc_date":         {"Дата", "Date"},
	"kam.due":              {"Срок оплаты", "Due"},
	"kam.days_overdue":     {"Дней просрочки", "Days overdue"},
	"kam.amount":           {"Сумма", "Amount"},
	"kam.open":             {"Не оплачено", "Open"},
	"kam.ageing":           {"Старение по клиентам", "Ageing by client"},
	"kam.not_due":          {"Не просрочено", "Not due"},
	"kam.bucket":           {"%s–%s дн.", "%s–%s days"},
	"kam.bucket_plus":      {"Более %s дн.", "Over %s days"},
	"kam.advance":          {"Аванс", "Advance"},
	"kam.balance":          {"Сальдо", "Balance"},
	"kam.total":            {"Итого", "Total"},
	"kam.credit":           {"Кредитный контроль: клиенты у лимита или с просрочкой сверх допуска", "Credit control: clients near their limit or overdue beyond tolerance"},
	"kam.credit_note":      {"Показаны клиенты с превышением лимита, просрочкой сверх отсрочки и допуска или с использованием лимита от 80 %.", "Clients over their limit, overdue beyond terms and grace, or using 80 % of their limit or more."},
	"kam.limit":            {"Лимит", "Limit"},
	"kam.utilisation":      {"Использовано", "Utilisation"},
	"kam.available":        {"Доступно", "Available"},
	"kam.overdue_amount":   {"Просрочено", "Overdue"},
	"kam.oldest":           {"Макс. дней просрочки", "Oldest overdue, days"},
	"kam.flags":            {"Сигналы", "Flags"},
	"kam.over_limit":       {"лимит превышен", "over limit"},
	"kam.beyond_tolerance": {"просрочка сверх %d дн.", "overdue beyond %d days"},
	"kam.activity":         {"Активность: план и факт", "Activity: plan and fact"},
	"kam.activity_note":    {"Выполнено по плану — доля запланированных контактов, выполненных в срок; охват — свои клиенты с визитом, звонком или встречей в месяце.", "As planned is the share of planned contacts done; coverage counts own clients with a visit, call or meeting in the month."},
	"kam.planned":          {"Запланировано", "Planned"},
	"kam.done":             {"Выполнено", "Done"},
	"kam.as_planned":       {"По плану", "As planned"},
	"kam.visits":           {"Визиты (факт / план)", "Visits (done / planned)"},
	"kam.calls":            {"Звонки (факт / план)", "Calls (done / planned)"},
	"kam.meetings":         {"Встречи (факт / план)", "Meetings (done / planned)"},
	"kam.coverage":         {"Охват клиентов", "Client coverage"},
	"kam.orders":           {"Заказы", "Orders"},
	"kam.visits_per_order": {"Визитов на заказ", "Visits per order"},
	"kam.competitors":      {"Доля конкурентов у моих клиентов", "Competitor share of my clients"},
	"kam.competitors_note": {"Оценка по заметкам CRM за 12 месяцев: наша доля — наши продажи в месяц от всех закупок клиента в категории.", "Estimated from CRM notes over 12 months: our share is our monthly sales over the client's total purchases in the category."},
	"kam.ours":             {"Мы в месяц", "Ours a month"},
	"kam.theirs":           {"Конкуренты в месяц", "Competitors a month"},
	"kam.wallet":           {"Закупки клиента", "Client's purchases"},
	"kam.share":            {"Наша доля", "Our share"},
	"kam.competitor_count": {"Конкурентов", "Competitors"},
	"kam.forecast":         {"Прогноз продаж по сегментам моих клиентов", "Sales forecast for the segments of my clients"},
	"kam.forecast_note":    {"Полосы — интервалы прогноза 80 % и 95 %. MASE ниже 1 — точнее, чем «как год назад»; смещение — средний перекос прогноза на проверке по истории.", "Bands are the 80 % and 95 % prediction intervals. MASE below 1 beats \"same month last year\"; bias is the forecast's average lean in the backtest."},
	"kam.no_forecast":      {"Прогноза по сегментам ещё нет: он появится после kam build с прогнозом.", "No segment forecast yet: kam build writes it."},
	"kam.accuracy":         {"Модель %s · MASE %s · смещение %s", "Model %s · MASE %s · bias %s"},
	"kam.accuracy_none":    {"Модель %s · истории мало для проверки точности", "Model %s · too little history to measure accuracy"},
	"kam.override":         {"Корректировка", "Override"},
	"kam.forecast_value":   {"Прогноз", "Forecast"},
	"kam.actual_sales":     {"Факт", "Actual"},
	"kam.interval80":       {"Интервал 80 %", "80 % interval"},
	"kam.interval95":       {"Интервал 95 %", "95 % interval"},
	"kam.lo80":             {"80 % от", "80 % low"},
	"kam.hi80":             {"80 % до", "80 % high"},
	"kam.lo95":             {"95 % от", "95 % low"},
	"kam.hi95":             {"95 % до", "95 % high"},
	"kam.none":             {"Нет.", "None."},
	"doc.invoice":          {"счёт", "invoice"},
	"doc.payment":          {"платёж", "payment"},
	"doc.return":           {"возврат", "return"},
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
