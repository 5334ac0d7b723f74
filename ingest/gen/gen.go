// Package gen writes a realistic synthetic B2B distributor as canonical CSV
// files, deterministic for a seed: KAMs in teams with variable targets (one
// hired mid-history, one who left), clients in segments and regions with
// payment terms, credit limits and valid INNs, reassignments, products in
// categories with A/B/C price-list columns and price changes, seasonal
// orders with a trend, partial shipments, refusals and unshipped lines,
// returns, invoices, payments (most on time, some late, partial, advances, a
// few clients that stop paying, some matched only by INN, one unknown payer),
// CRM activities, deals, competitor notes, monthly plans calibrated so that
// some KAMs are above plan and some below, and promotions.
//
// Orders stream month by month: with OrderLines = 10 M the memory stays flat.
// Quantities are whole units and prices have kopecks, so every line amount
// and invoice total is exact to the kopeck. A refused quantity is not part of
// shipped_qty (shipped_qty is what the client accepted).
package gen

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Options size the company.
type Options struct {
	Seed       int64     // default 1
	Managers   int       // default 12
	Clients    int       // default 600
	Months     int       // months of history ending with the as-of month; default 24
	OrderLines int64     // 0 = natural volume; N = scale orders to about N lines
	AsOf       time.Time // last data date (inclusive)
	Hostile    bool      // give some clients hostile names
}

// Summary says what was written.
type Summary struct {
	Files []string
	Rows  map[string]int64
}

// HostileNames are client names that must stay text everywhere.
var HostileNames = []string{
	`</script><script>alert(1)</script>`,
	`__f__alert(1)__f__`,
	`=HYPERLINK("http://example.invalid","x")`,
	`O'Brien & Co "Ltd"`,
	`<img src=x onerror=alert(3)>`,
	`+7 (495) ООО «Ромашка»`,
	`@SUM(1+1)`,
	`-2+3 ТД "Минус"`,
}

func (o *Options) defaults() error {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Managers <= 0 {
		o.Managers = 12
	}
	if o.Clients <= 0 {
		o.Clients = 600
	}
	if o.Months <= 0 {
		o.Months = 24
	}
	if o.AsOf.IsZero() {
		return fmt.Errorf("gen: an as-of date is required")
	}
	if o.Managers < 3 {
		return fmt.Errorf("gen: at least 3 managers, got %d", o.Managers)
	}
	return nil
}

type manager struct {
	id, name, email, team string
	hired, left           time.Time // zero = before history / still employed
	target                int       // variable target, roubles
	perf                  float64   // how hard their clients buy
	planFactor            float64   // targets relative to what they sell
}

type client struct {
	id, name, inn, segment, region, priceCol string
	isKey                                    bool
	creditLimit                              int // 0 = none
	terms                                    int
	arrive, churn, stopPay                   time.Time // churn/stopPay zero = never
	cats                                     []int     // preferred categories
	freq                                     float64   // orders per month
	spans                                    []span    // assignments, in order
	firstOrder                               time.Time
}

type span struct {
	manager  int
	from, to time.Time // to exclusive; zero = open
}

type product struct {
	sku, name, brand string
	cat              int
	price            int64 // kopecks, column A before any change
	change           time.Time
	changePct        int
}

type promo struct {
	id, name string
	from, to time.Time
	cat      int // -1 = sku promo
	sku      int
	discount int // percent
}

var (
	segments    = []string{"HoReCa", "Розница", "Опт", "Аптеки", "Автосервис"}
	regions     = []string{"Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Самара", "Краснодар"}
	categories  = []string{"Молочная продукция", "Бакалея", "Напитки", "Кондитерские изделия", "Замороженные продукты", "Бытовая химия", "Гигиена", "Консервы", "Кофе и чай"}
	brands      = []string{"Северная марка", "Вкусно", "ЭкоДом", "Добрый край", "Мастер", "Premium Line", "Золотая нива", "Чистота"}
	teams       = []string{"Север", "Юг", "Центр"}
	firstNames  = []string{"Анна", "Иван", "Мария", "Сергей", "Елена", "Дмитрий", "Ольга", "Алексей", "Наталья", "Павел", "Татьяна", "Андрей", "Ирина", "Михаил", "Светлана", "Николай"}
	lastNames   = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров"}
	words       = []string{"Альфа", "Вектор", "Гранит", "Дельта", "Заря", "Исток", "Каскад", "Лидер", "Меридиан", "Нева", "Орион", "Полюс", "Радуга", "Сириус", "Темп", "Урал", "Феникс", "Эталон", "Янтарь", "Байкал", "Волна", "Восход", "Континент", "Ладья"}
	kinds       = []string{"Торг", "Трейд", "Снаб", "Маркет", "Сервис", "Групп", "Фуд", "Опт"}
	competitors = []string{"Метро", "ТД Север", "Вимм-Билль", "ПродОпт", "Лента Опт", "Глобус Дистрибуция"}
	refusals    = []string{"брак", "пересорт", "недовложение", "истёк срок годности", "повреждена упаковка"}
	returnWhy   = []string{"брак", "пересорт", "возврат неликвида", "истёк срок годности"}
	lostWhy     = []string{"цена", "ушли к конкуренту", "нет ассортимента", "отсрочка платежа"}
	results     = []string{"обсудили ассортимент", "согласовали заказ", "напомнили об оплате", "презентация новинок", "клиент просит скидку"}
)

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}
func iso(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}
func rub(kop int64) string {
	sign := ""
	if kop < 0 {
		sign, kop = "-", -kop
	}
	return fmt.Sprintf("%s%d.%02d", sign, kop/100, kop%100)
}

// inn10 makes a valid 10-digit legal-entity INN from 9 digits.
func inn10(r *rand.Rand) string {
	w := []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	d := make([]int, 10)
	d[0], d[1] = 7, 7 // Moscow-like region code
	for i := 2; i < 9; i++ {
		d[i] = r.IntN(10)
	}
	s := 0
	for i := 0; i < 9; i++ {
		s += w[i] * d[i]
	}
	d[9] = s % 11 % 10
	out := make([]byte, 10)
	for i, v := range d {
		out[i] = byte('0' + v)
	}
	return string(out)
}

// inn12 makes a valid 12-digit individual-entrepreneur INN.
func inn12(r *rand.Rand) string {
	w1 := []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	w2 := []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	d := make([]int, 12)
	d[0], d[1] = 5, 0
	for i := 2; i < 10; i++ {
		d[i] = r.IntN(10)
	}
	s := 0
	for i := 0; i < 10; i++ {
		s += w1[i] * d[i]
	}
	d[10] = s % 11 % 10
	s = 0
	for i := 0; i < 11; i++ {
		s += w2[i] * d[i]
	}
	d[11] = s % 11 % 10
	out := make([]byte, 12)
	for i, v := range d {
		out[i] = byte('0' + v)
	}
	return string(out)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// poisson draws a Poisson count (Knuth for small means, normal beyond).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		n := int(math.Round(lambda + math.Sqrt(lambda)*r.NormFloat64()))
		return max(n, 0)
	}
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// seasonality of demand by month and segment: December peak, summer dip
// for offices and pharmacies, summer peak for HoReCa.
func seasonality(m time.Month, segment string) float64 {
	base := []float64{0.85, 0.88, 1.0, 1.0, 1.02, 0.97, 0.93, 0.95, 1.03, 1.05, 1.08, 1.3}[m-1]
	switch segment {
	case "HoReCa":
		if m >= 6 && m <= 8 {
			base *= 1.2
		}
	case "Аптеки":
		if m == 1 || m == 2 || m == 11 {
			base *= 1.15
		}
		if m >= 6 && m <= 8 {
			base *= 0.85
		}
	}
	return base
}

// Write generates the company into dir/<entity>/.
func Write(ctx context.Context, dir string, opt Options) (Summary, error) {
	if err := opt.defaults(); err != nil {
		return Summary{}, err
	}
	g := newGenerator(dir, opt)
	if err := g.run(ctx); err != nil {
		g.w.closeAll()
		return Summary{}, err
	}
	if err := g.w.closeAll(); err != nil {
		return Summary{}, err
	}
	sum := Summary{Rows: g.w.rows}
	sum.Files = append(sum.Files, g.w.files...)
	sort.Strings(sum.Files)
	return sum, nil
}

func mkdirs(dir string, names ...string) error {
	for _, n := range names {
		if err := os.MkdirAll(filepath.Join(dir, n), 0o755); err != nil {
			return err
		}
	}
	return nil
}
