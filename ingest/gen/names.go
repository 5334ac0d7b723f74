package gen

import (
	"math/rand/v2"
	"strings"
)

// Word lists for names. Fictional brands and companies; real-sounding only.

type person struct{ last, first, middle string }

var (
	maleLast     = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кудрявцев", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв"}
	maleFirst    = []string{"Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Иван", "Павел", "Олег", "Владимир", "Евгений", "Константин", "Денис", "Виктор", "Игорь", "Антон"}
	femaleFirst  = []string{"Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Екатерина", "Юлия", "Анастасия", "Марина", "Дарья", "Ксения", "Виктория", "Алина", "Полина", "Вера", "Людмила", "Галина"}
	companyWords = []string{"Вектор", "Альфа", "Гранд", "Меридиан", "Восток", "Радуга", "Лидер", "Престиж", "Атлант", "Орион", "Сфера", "Форвард", "Партнер", "Олимп", "Союз", "Кристалл", "Магистраль", "Гранит", "Исток", "Каскад", "Полюс", "Сириус", "Феникс", "Эталон", "Янтарь", "Байкал", "Континент", "Ладья", "Пульс", "Горизонт", "Северный ветер", "Русь", "Держава", "Триумф", "Абсолют", "Велес", "Аркада", "Оптима", "Стимул", "Нева", "Волга", "Урал", "Кама", "Ока", "Дон", "Прогресс", "Элита", "Ресурс", "Фортуна", "Глобус"}
	companyTails = []string{"-Трейд", "-Опт", " Плюс", "-Групп", "Снаб", "-Маркет", " Сервис", "-Центр", "Торг", "-Дистрибуция", "Пром", " и Ко", "-Регион", "Инвест", ""}
	niceWords    = []string{"Ласточка", "Пиросмани", "Белые ночи", "Шале", "Old Town", "Уют", "Сезоны", "Подсолнух", "Печки-лавочки", "Марьина роща", "Тройка", "Причал", "Берёзка", "Камелия", "Ёлки-палки", "Три поросёнка", "Фасоль", "Лаванда", "Шоколадница", "Медведь", "Сова", "Кедр", "Огонёк", "Маяк", "Парус", "Калина", "Рябина", "Ромашка", "Светлячок", "Василёк", "Жемчужина", "Старый город", "Околица", "Семейный", "Добрый", "Удачный", "Домашний", "Центральный", "Северный", "Южный", "Лесной", "Речной", "Здоровье+", "Айболит", "Доктор Ватсон", "Мотор", "Колесо", "Гараж 24", "Форсаж", "Поршень", "Автолюкс", "Пит-стоп"}
	regionCodes  = []struct {
		name string
		inn  string
		w    float64
	}{
		{"Москва", "77", 34}, {"Московская область", "50", 24}, {"Санкт-Петербург", "78", 10},
		{"Тверская область", "69", 6}, {"Калужская область", "40", 5}, {"Тульская область", "71", 6},
		{"Владимирская область", "33", 5}, {"Ярославская область", "76", 5}, {"Нижегородская область", "52", 5},
	}
)

// patronymics: father's name, son's and daughter's patronymic.
var patronymics = [][3]string{
	{"Александр", "Александрович", "Александровна"}, {"Дмитрий", "Дмитриевич", "Дмитриевна"},
	{"Сергей", "Сергеевич", "Сергеевна"}, {"Андрей", "Андреевич", "Андреевна"},
	{"Алексей", "Алексеевич", "Алексеевна"}, {"Михаил", "Михайлович", "Михайловна"},
	{"Иван", "Иванович", "Ивановна"}, {"Павел", "Павлович", "Павловна"},
	{"Владимир", "Владимирович", "Владимировна"}, {"Евгений", "Евгеньевич", "Евгеньевна"},
	{"Николай", "Николаевич", "Николаевна"}, {"Виктор", "Викторович", "Викторовна"},
	{"Игорь", "Игоревич", "Игоревна"}, {"Юрий", "Юрьевич", "Юрьевна"},
	{"Петр", "Петрович", "Петровна"}, {"Олег", "Олегович", "Олеговна"},
	{"Анатолий", "Анатольевич", "Анатольевна"}, {"Борис", "Борисович", "Борисовна"},
}

// segmentNames are business names by segment: %s is a nice word.
var segmentNames = [][]string{
	{"Ресторан %s", "Кафе %s", "Кофейня %s", "Гостиница %s", "Столовая %s", "Пекарня %s"}, // HoReCa
	{"Магазин %s", "Продукты %s", "Минимаркет %s", "ТД %s", "Универсам %s"},               // Розница
	{"ТК %s", "%s-Опт", "ТД %s-Опт", "%s Дистрибуция"},                                    // Опт
	{"Аптека %s", "Аптечная сеть %s", "Фарм-%s", "Аптечный пункт %s"},                     // Аптеки
	{"Автосервис %s", "Шиномонтаж %s", "Автоцентр %s", "СТО %s"},                          // Автосервис
}

// HostileNames are client names that must stay inert text everywhere:
// HTML/script injection, go-echarts' __f__ function marker, spreadsheet
// formula prefixes (= @ - +), quotes, commas, guillemets, template and
// format verbs, and a name too long for any column.
var HostileNames = []string{
	`</script><script>alert(1)</script>`,
	`__f__alert(1)__f__`,
	`=HYPERLINK("http://x","y")`,
	`O'Brien & Co "Ltd"`,
	`ООО «Ромашка»`,
	`<img src=x onerror=alert(1)>`,
	`@SUM(1+1)`,
	`-2+3 ТД «Минус»`,
	`+7 (495) 123-45-67 ООО «Плюс»`,
	`ТД "Север", запятая; точка`,
	`{{7*7}} ${7*7} %s %d`,
	"ООО «" + strings.Repeat("Очень длинное название ", 7) + "без пробелов_и_переносов_вообще»",
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// randomPerson draws a full Russian name with consistent gender.
func randomPerson(r *rand.Rand) person {
	father := pick(r, patronymics)[0]
	if r.IntN(2) == 0 {
		return person{pick(r, maleLast), pick(r, maleFirst), patronymic(father, false)}
	}
	return person{feminine(pick(r, maleLast)), pick(r, femaleFirst), patronymic(father, true)}
}

func (p person) full() string { return p.last + " " + p.first + " " + p.middle }

func feminine(last string) string {
	if strings.HasSuffix(last, "ий") {
		return strings.TrimSuffix(last, "ий") + "ая"
	}
	return last + "а"
}

func patronymic(father string, female bool) string {
	for _, p := range patronymics {
		if p[0] == father {
			if female {
				return p[2]
			}
			return p[1]
		}
	}
	return ""
}

var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y",
	'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

// latin transliterates a Russian word for e-mail addresses.
func latin(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if t, ok := translit[c]; ok {
			b.WriteString(t)
		} else if c < 128 {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// innDigits appends check digits to a base of 9 (legal entity) or 10
// (individual entrepreneur) digits, as the tax service computes them.
func innDigits(base []byte) string {
	check := func(d []byte, w []int) byte {
		s := 0
		for i, k := range w {
			s += k * int(d[i]-'0')
		}
		return byte('0' + s%11%10)
	}
	if len(base) == 9 {
		return string(append(base, check(base, []int{2, 4, 10, 3, 5, 9, 4, 6, 8})))
	}
	d := append(base, check(base, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}))
	return string(append(d, check(d, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8})))
}

// randomINN draws a valid INN in the region: 10 digits for a company, 12
// for an individual entrepreneur.
func randomINN(r *rand.Rand, region string, ip bool) string {
	n := 9
	if ip {
		n = 10
	}
	b := make([]byte, 0, 12)
	b = append(b, region...)
	office := 1 + r.IntN(36)
	b = append(b, byte('0'+office/10), byte('0'+office%10))
	for len(b) < n {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return innDigits(b)
}

// inn10 is a valid company INN from Moscow (the suppliers of the bank
// statements in formats.go).
func inn10(r *rand.Rand) string { return randomINN(r, "77", false) }

// validINN checks the length and the check digits.
func validINN(s string) bool {
	if len(s) != 10 && len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return innDigits([]byte(s[:len(s)-1-len(s)/12])) == s
}
