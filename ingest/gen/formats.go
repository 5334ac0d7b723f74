package gen

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
)

// Company is the owner of the generated bank statements.
type Company struct {
	Name, INN, Account string
}

// RealFormats rewrites some canonical entities of a generated company into
// the formats real systems export, so that a demo walks the real ingest
// path: order lines as a 1C/ERP export (windows-1251, `;`, decimal commas,
// no-break-space thousands, dd.mm.yyyy, Russian headers, a few bad rows and
// drafts), payments as monthly 1CClientBankExchange statements (with our
// own outgoing payments mixed in), clients as an XLSX CRM export, and
// activities as NDJSON from a CRM API. The canonical files they replace are
// removed. Sources for kam.yaml are in RealFormatSources.
func RealFormats(dir string, company Company, seed int64) error {
	r := rand.New(rand.NewPCG(uint64(seed)+7, 0x51ed2701))
	steps := []func() error{
		func() error { return erpOrders(dir, r) },
		func() error { return bankStatements(dir, company, r) },
		func() error { return crmClients(dir) },
		func() error { return apiActivities(dir) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	return nil
}

// RealFormatSources is the kam.yaml sources section that maps the real
// formats back onto the canonical entities.
const RealFormatSources = `  - name: erp_orders               # 1C order export: windows-1251, ';', decimal commas
    entity: order_lines
    files: inbox/erp/*.csv
    format: csv
    encoding: windows-1251
    delimiter: ";"
    decimal: ","
    thousands: " "
    date_format: "%d.%m.%Y"
    columns:
      order_id: Номер
      line_no: Строка
      order_date: Дата
      client_id: Клиент
      manager_id: Менеджер
      sku: Артикул
      qty: Количество
      price: Цена
      shipped_qty: Отгружено
      shipped_on: ДатаОтгрузки
      refused_qty: Отказ
      refusal_reason: ПричинаОтказа
    filter: "Статус <> 'Черновик'"
  - name: bank                     # 1CClientBankExchange statements
    entity: payments
    files: inbox/bank/*.txt
    format: 1c-bank
  - name: crm_clients              # XLSX export of the CRM
    entity: clients
    files: inbox/crm/*.xlsx
    format: xlsx
    sheet: Клиенты
    columns:
      client_id: Код
      name: Наименование
      inn: ИНН
      segment: {expr: "trim(Сегмент)"}
      region: Регион
      is_key: Ключевой
      price_column: Колонка прайса
      credit_limit: Кредитный лимит
      payment_terms_days: Отсрочка
      created_on: Дата создания
  - name: crm_activities           # NDJSON from the CRM's API
    entity: activities
    files: inbox/api/*.ndjson
    format: ndjson
    columns:
      activity_id: id
      manager_id: manager
      client_id: client
      kind: {expr: "case type when 'Визит' then 'visit' when 'Встреча' then 'meeting' when 'Письмо' then 'email' else 'call' end"}
      planned_on: planned
      done_on: done
      status: status
      result: note
`

// RealFormatEntities are the canonical entities RealFormats replaces.
var RealFormatEntities = []string{"order_lines", "payments", "clients", "activities"}

// readCanonical reads every CSV of an entity folder, in name order.
func readCanonical(dir, entity string, fn func(file string, rec map[string]string) error) error {
	files, err := filepath.Glob(filepath.Join(dir, entity, "*.csv"))
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		cr := csv.NewReader(bufio.NewReaderSize(fh, 1<<16))
		head, err := cr.Read()
		if err != nil {
			fh.Close()
			return fmt.Errorf("%s: %w", f, err)
		}
		for {
			row, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				fh.Close()
				return fmt.Errorf("%s: %w", f, err)
			}
			rec := make(map[string]string, len(head))
			for i, h := range head {
				rec[h] = row[i]
			}
			if err := fn(filepath.Base(f), rec); err != nil {
				fh.Close()
				return err
			}
		}
		fh.Close()
	}
	return os.RemoveAll(filepath.Join(dir, entity))
}

func ruDate(iso string) string {
	if iso == "" {
		return ""
	}
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02.01.2006")
}

// ruNumber writes 1234567.5 as "1 234 567,50" with no-break spaces, as Excel and 1C do.
func ruNumber(s string, decimals bool) string {
	if s == "" {
		return ""
	}
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	if decimals {
		b.WriteString("," + (frac + "00")[:2])
	}
	return b.String()
}

type cp1251File struct {
	f *os.File
	b *bufio.Writer
	w *csv.Writer
}

func createCP1251(path string, comma rune) (*cp1251File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	b := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(charmap.Windows1251.NewEncoder().Writer(b))
	w.Comma = comma
	w.UseCRLF = true
	return &cp1251File{f: f, b: b, w: w}, nil
}

func (c *cp1251File) close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		c.f.Close()
		return err
	}
	if err := c.b.Flush(); err != nil {
		c.f.Close()
		return err
	}
	return c.f.Close()
}

func erpOrders(dir string, r *rand.Rand) error {
	head := []string{"Номер", "Строка", "Дата", "Клиент", "Менеджер", "Артикул", "Количество", "Цена", "Отгружено", "ДатаОтгрузки", "Отказ", "ПричинаОтказа", "Статус"}
	files := map[string]*cp1251File{}
	var names []string
	n := 0
	err := readCanonical(dir, "order_lines", func(file string, rec map[string]string) error {
		month := strings.TrimSuffix(strings.TrimPrefix(file, "order_lines_"), ".csv")
		out, ok := files[month]
		if !ok {
			var err error
			out, err = createCP1251(filepath.Join(dir, "erp", "orders_"+month+".csv"), ';')
			if err != nil {
				return err
			}
			files[month] = out
			names = append(names, month)
			if err := out.w.Write(head); err != nil {
				return err
			}
		}
		n++
		row := []string{rec["order_id"], rec["line_no"], ruDate(rec["order_date"]), rec["client_id"], rec["manager_id"], rec["sku"],
			rec["qty"], ruNumber(rec["price"], true), rec["shipped_qty"], ruDate(rec["shipped_on"]), rec["refused_qty"], rec["refusal_reason"], "Проведён"}
		if err := out.w.Write(row); err != nil {
			return err
		}
		// Now and then the ERP exports a draft (filtered) or a mistyped line (quarantined).
		switch {
		case n%5000 == 1777:
			draft := append([]string{}, row...)
			draft[0], draft[12] = "ЧЕРН-"+rec["order_id"], "Черновик"
			return out.w.Write(draft)
		case n%20000 == 9000:
			bad := append([]string{}, row...)
			bad[0], bad[6] = "ОШ-"+rec["order_id"], "два"
			return out.w.Write(bad)
		case n%20000 == 14000:
			bad := append([]string{}, row...)
			bad[0], bad[2] = "ОШ-"+rec["order_id"], "31.02.2026"
			return out.w.Write(bad)
		}
		return nil
	})
	for _, m := range names {
		if cerr := files[m].close(); err == nil {
			err = cerr
		}
	}
	return err
}

type bankDoc struct {
	date                        time.Time
	number                      int
	amount, payerINN, payerName string
	payeeINN, payeeName         string
	payerAcc, payeeAcc, purpose string
	incoming                    bool
}

func bankStatements(dir string, c Company, r *rand.Rand) error {
	if c.INN == "" {
		return fmt.Errorf("gen: bank statements need the company's INN")
	}
	if c.Account == "" {
		c.Account = "40702810900000012345"
	}
	byMonth := map[string][]bankDoc{}
	num := 1000
	err := readCanonical(dir, "payments", func(file string, rec map[string]string) error {
		d, err := time.Parse("2006-01-02", rec["paid_on"])
		if err != nil {
			return err
		}
		num++
		m := d.Format("2006-01")
		byMonth[m] = append(byMonth[m], bankDoc{date: d, number: num, amount: rec["amount"], payerINN: rec["payer_inn"],
			payerName: "Клиент ИНН " + rec["payer_inn"], payerAcc: fmt.Sprintf("407028101%011d", num), payeeINN: c.INN, payeeName: c.Name,
			payeeAcc: c.Account, purpose: rec["purpose"], incoming: true})
		return nil
	})
	if err != nil {
		return err
	}
	suppliers := []string{"АО «Молочный комбинат»", "ООО «ТрансЛогистик»", "ООО «Упаковка-Сервис»"}
	var months []string
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	for _, m := range months {
		docs := byMonth[m]
		start, _ := time.Parse("2006-01", m)
		// Our own payments to suppliers: outgoing, skipped on ingest.
		for i := 0; i < 3; i++ {
			num++
			docs = append(docs, bankDoc{date: start.AddDate(0, 0, 5+7*i), number: num, amount: fmt.Sprintf("%d.%02d", 50000+r.IntN(400000), r.IntN(100)),
				payerINN: c.INN, payerName: c.Name, payerAcc: c.Account, payeeINN: inn10(r), payeeName: suppliers[i], payeeAcc: fmt.Sprintf("407028105%011d", num),
				purpose: "Оплата по договору поставки, в т.ч. НДС 20%", incoming: false})
		}
		sort.SliceStable(docs, func(i, j int) bool { return docs[i].date.Before(docs[j].date) })
		if err := writeStatement(filepath.Join(dir, "bank", "statement_"+m+".txt"), c, start, docs); err != nil {
			return err
		}
	}
	return nil
}

func writeStatement(path string, c Company, start time.Time, docs []bankDoc) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	b := bufio.NewWriter(f)
	w := charmap.Windows1251.NewEncoder().Writer(b)
	end := start.AddDate(0, 1, -1)
	line := func(k, v string) { fmt.Fprintf(w, "%s=%s\r\n", k, v) }
	fmt.Fprint(w, "1CClientBankExchange\r\n")
	line("ВерсияФормата", "1.03")
	line("Кодировка", "Windows")
	line("Отправитель", "Банк-Клиент")
	line("Получатель", "1С:Предприятие")
	line("ДатаСоздания", end.Format("02.01.2006"))
	line("ВремяСоздания", "23:59:00")
	line("ДатаНачала", start.Format("02.01.2006"))
	line("ДатаКонца", end.Format("02.01.2006"))
	line("РасчСчет", c.Account)
	line("Документ", "Платежное поручение")
	for _, d := range docs {
		fmt.Fprint(w, "СекцияДокумент=Платежное поручение\r\n")
		line("Номер", fmt.Sprint(d.number))
		line("Дата", d.date.Format("02.01.2006"))
		line("Сумма", d.amount)
		line("ПлательщикСчет", d.payerAcc)
		if !d.incoming {
			line("ДатаСписано", d.date.Format("02.01.2006"))
		}
		line("Плательщик", d.payerName)
		line("ПлательщикИНН", d.payerINN)
		line("Плательщик1", d.payerName)
		line("ПлательщикРасчСчет", d.payerAcc)
		line("ПолучательСчет", d.payeeAcc)
		if d.incoming {
			line("ДатаПоступило", d.date.Format("02.01.2006"))
		}
		line("Получатель", d.payeeName)
		line("ПолучательИНН", d.payeeINN)
		line("Получатель1", d.payeeName)
		line("ПолучательРасчСчет", d.payeeAcc)
		line("ВидОплаты", "01")
		line("Очередность", "5")
		line("НазначениеПлатежа", d.purpose)
		fmt.Fprint(w, "КонецДокумента\r\n")
	}
	fmt.Fprint(w, "КонецФайла\r\n")
	if err := b.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func crmClients(dir string) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := "Клиенты"
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := []any{"Код", " Наименование ", "ИНН", "Сегмент", "Регион", "Ключевой", "Колонка прайса", "Кредитный лимит", "Отсрочка", "Дата создания"}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	row := 1
	err = readCanonical(dir, "clients", func(_ string, rec map[string]string) error {
		row++
		key := "Нет"
		if rec["is_key"] == "true" {
			key = "Да"
		}
		cells := []any{rec["client_id"], rec["name"], rec["inn"], " " + rec["segment"] + " ", rec["region"], key, rec["price_column"],
			rec["credit_limit"], rec["payment_terms_days"], rec["created_on"]}
		axis, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(axis, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "crm"), 0o755); err != nil {
		return err
	}
	return x.SaveAs(filepath.Join(dir, "crm", "clients.xlsx"))
}

func apiActivities(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "api"), 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "api", "activities.ndjson"))
	if err != nil {
		return err
	}
	b := bufio.NewWriter(f)
	enc := json.NewEncoder(b)
	kinds := map[string]string{"visit": "Визит", "call": "Звонок", "meeting": "Встреча", "email": "Письмо"}
	err = readCanonical(dir, "activities", func(_ string, rec map[string]string) error {
		obj := struct {
			ID      string  `json:"id"`
			Manager string  `json:"manager"`
			Client  *string `json:"client"`
			Type    string  `json:"type"`
			Planned string  `json:"planned"`
			Done    *string `json:"done"`
			Status  string  `json:"status"`
			Note    string  `json:"note,omitempty"`
		}{ID: rec["activity_id"], Manager: rec["manager_id"], Type: kinds[rec["kind"]], Status: rec["status"], Note: rec["result"]}
		if c := rec["client_id"]; c != "" {
			obj.Client = &c
		}
		if rec["planned_on"] != "" {
			obj.Planned = rec["planned_on"] + "T10:00:00"
		}
		if d := rec["done_on"]; d != "" {
			s := d + "T16:30:00"
			obj.Done = &s
		}
		return enc.Encode(obj)
	})
	if err != nil {
		f.Close()
		return err
	}
	if err := b.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
