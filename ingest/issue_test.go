package ingest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/encoding/charmap"

	"github.com/kam-analytics/kam/ingest"
)

// issueConfig is the configuration block of issue 3, byte for byte.
const issueConfig = `warehouse: kam.duckdb
company: {name: "ООО «Ромашка»", inn: "7701234567", currency: RUB}
sources:
  - name: erp_orders            # unique
    entity: order_lines         # a canonical entity
    files: inbox/erp/*.csv      # glob, relative to the config file
    format: csv                 # csv | tsv | xlsx | json | ndjson | parquet | 1c-bank | camt053 | postgres | http
    encoding: windows-1251      # default utf-8 (a BOM is skipped)
    delimiter: ";"
    decimal: ","
    thousands: " "              # also accept the no-break space that Excel writes
    date_format: "%d.%m.%Y"     # dates may also arrive as ISO date-times
    header: true                # false: name the columns with ` + "`names: [...]`" + `
    sheet: Orders               # xlsx: sheet name or 1-based index
    columns:                    # canonical field: a source column, or {expr: SQL over source columns}
      order_id: Номер
      kind: {expr: "case Тип when 'Визит' then 'visit' else 'call' end"}
    filter: "Status <> 'draft'" # SQL predicate over source columns; dropped rows count as filtered
    schedule: "*/15 * * * *"    # optional cron
`

func parseIssueConfig(t *testing.T, text string) []ingest.Source {
	t.Helper()
	var cfg struct {
		Warehouse string `yaml:"warehouse"`
		Company   struct {
			Name     string `yaml:"name"`
			INN      string `yaml:"inn"`
			Currency string `yaml:"currency"`
		} `yaml:"company"`
		Sources []ingest.Source `yaml:"sources"`
	}
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("decode the config: %v", err)
	}
	return cfg.Sources
}

// TestIssueConfigBlock loads a 1C order export in windows-1251 with the
// configuration of the issue: `;`, decimal commas, no-break-space
// thousands, dd.mm.yyyy and ISO date-times, a draft to filter, bad rows.
func TestIssueConfigBlock(t *testing.T) {
	srcs := parseIssueConfig(t, issueConfig)
	// The block maps `kind`, a field of activities, onto order lines: a
	// mistake the configuration check names.
	if err := srcs[0].Validate(); err == nil || !strings.Contains(err.Error(), `unknown field "kind" of order_lines`) {
		t.Fatalf("Validate(issue block) = %v, want an error naming kind", err)
	}
	var fixed []string
	for _, l := range strings.Split(issueConfig, "\n") {
		if !strings.Contains(l, "kind: {expr:") {
			fixed = append(fixed, l)
		}
	}
	src := parseIssueConfig(t, strings.Join(fixed, "\n"))[0]

	export := strings.Join([]string{
		"Номер;line_no;order_date;client_id;sku;qty;price;shipped_qty;shipped_on;Status", // 1
		"ЗК-001;1;01.10.2026;C1;Шуруп;10;1\u00a0234,50;10;02.10.2026;posted",             // 2 replaced by line 10
		"ЗК-001;2;01.10.2026;C1;Гвоздь;abc;12,00;;;posted",                               // 3 qty
		"ЗК-002;1;31.02.2026;C2;Шуруп;1;5,00;;;posted",                                   // 4 no such date
		"ЗК-003;1;2026-10-05T10:30:00;C3;Гвоздь;2;3,5;2;05.10.2026;posted",               // 5 ISO date-time
		"ЗК-004;1;06.10.2026;C4;Шуруп;1;12,34567;;;posted",                               // 6 five places
		"ЗК-005;1;06.10.2026;;Шуруп;1;1,00;;;posted",                                     // 7 no client
		"ЗК-006;1;07.10.2026;C5;Шуруп;1;1,00;;;draft",                                    // 8 filtered
		"ЗК-007;1;07.10.2026;C5;Шуруп;1;1,00;;posted",                                    // 9 a field short
		"ЗК-001;1;01.10.2026;C1;Шуруп;12;1 234,50;12;02.10.2026;posted",                  // 10 correction
	}, "\r\n") + "\r\n"
	raw, err := charmap.Windows1251.NewEncoder().Bytes([]byte(export))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte{0xA0}) {
		t.Fatal("the export should hold a windows-1251 no-break space")
	}
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := filepath.Join(dir, "inbox", "erp", "orders_2026-10.csv")
	os.MkdirAll(filepath.Dir(p), 0o755)
	os.WriteFile(p, raw, 0o644)
	results := l.Run(t.Context(), []ingest.Source{src})
	if len(results) != 1 || results[0].Err != nil {
		t.Fatalf("Run = %+v", results)
	}
	res := results[0]
	checkCounts(t, db, res)
	if got, want := [5]int64{res.Read, res.Loaded, res.Replaced, res.Quarantined, res.Filtered}, [5]int64{9, 2, 1, 5, 1}; got != want {
		t.Errorf("read/loaded/replaced/quarantined/filtered = %v, want %v", got, want)
	}
	got := queryStrings(t, db, `SELECT concat_ws(' ', order_id, line_no, order_date, client_id, sku, qty, price, coalesce(shipped_on::VARCHAR, '-'), _line)
        FROM order_lines ORDER BY order_id`)
	want := []string{
		"ЗК-001 1 2026-10-01 C1 Шуруп 12.0000 1234.5000 2026-10-02 10",
		"ЗК-003 1 2026-10-05 C3 Гвоздь 2.0000 3.5000 2026-10-05 5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("order lines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = queryStrings(t, db, "SELECT concat_ws(' | ', source, file, line, field, reason) FROM quarantine ORDER BY line")
	want = []string{
		`erp_orders | inbox/erp/orders_2026-10.csv | 3 | qty | qty "abc" is not a number`,
		`erp_orders | inbox/erp/orders_2026-10.csv | 4 | order_date | order_date "31.02.2026" is not a date (expected %d.%m.%Y)`,
		`erp_orders | inbox/erp/orders_2026-10.csv | 6 | price | price "12,34567" has more than 4 decimal places`,
		`erp_orders | inbox/erp/orders_2026-10.csv | 7 | client_id | client_id is required`,
		`erp_orders | inbox/erp/orders_2026-10.csv | 9 |  | expected 10 fields, found 9`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("quarantine =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if raw := queryStrings(t, db, "SELECT raw FROM quarantine WHERE line = 3"); len(raw) != 1 || raw[0] != "ЗК-001;2;01.10.2026;C1;Гвоздь;abc;12,00;;;posted" {
		t.Errorf("raw text of line 3 = %q", raw)
	}
	// The same export again: skipped by its hash.
	if again := l.Run(t.Context(), []ingest.Source{src}); again[0].Status != ingest.StatusSkipped {
		t.Errorf("second run: %s, want skipped", again[0].Status)
	}
}
