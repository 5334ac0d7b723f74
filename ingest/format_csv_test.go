package ingest_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/kam-analytics/kam/ingest"
)

// A small client list in Russian, as 1C and Excel export it: `;`, decimal
// comma, a no-break space between thousands, dd.mm.yyyy and ISO dates.
const clientsRU = "client_id;name;segment;credit_limit;created_on\r\n" +
	"C1;ООО Ромашка;Опт;1\u00a0234,50;05.10.2026\r\n" +
	"C2;Ёлка-Пёлка;HoReCa;;2026-10-06\r\n"

func clientsSource(enc string) ingest.Source {
	return ingest.Source{Name: "crm", Entity: "clients", Files: "*.csv", Encoding: enc,
		Delimiter: ";", Decimal: ",", Thousands: " ", DateFormat: "%d.%m.%Y"}
}

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestCSVEncodings(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	for _, tc := range []struct {
		name, encoding string
		bytes          func(t *testing.T) []byte
	}{
		{"utf-8", "", func(t *testing.T) []byte { return []byte(clientsRU) }},
		{"utf-8 with BOM", "utf-8", func(t *testing.T) []byte { return append([]byte{0xEF, 0xBB, 0xBF}, clientsRU...) }},
		{"utf-16le with BOM, no encoding set (Excel's Unicode text)", "", func(t *testing.T) []byte {
			return append([]byte{0xFF, 0xFE}, encode(t, le, clientsRU)...)
		}},
		{"utf-16le without BOM", "utf-16le", func(t *testing.T) []byte { return encode(t, le, clientsRU) }},
		{"utf-16 means little-endian", "utf-16", func(t *testing.T) []byte { return encode(t, le, clientsRU) }},
		{"utf-16be with BOM", "", func(t *testing.T) []byte { return append([]byte{0xFE, 0xFF}, encode(t, be, clientsRU)...) }},
		{"utf-16be without BOM", "utf-16be", func(t *testing.T) []byte { return encode(t, be, clientsRU) }},
		{"windows-1251", "windows-1251", func(t *testing.T) []byte { return encode(t, charmap.Windows1251, clientsRU) }},
		{"cp1251", "cp1251", func(t *testing.T) []byte { return encode(t, charmap.Windows1251, clientsRU) }},
		{"koi8-r", "KOI8-R", func(t *testing.T) []byte { return encode(t, charmap.KOI8R, clientsRU) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openWarehouse(t)
			l := &ingest.Loader{DB: db, BaseDir: dir}
			p := filepath.Join(dir, "clients.csv")
			if err := os.WriteFile(p, tc.bytes(t), 0o644); err != nil {
				t.Fatal(err)
			}
			res := load(t, db, l, clientsSource(tc.encoding), p)
			if res.Loaded != 2 || res.Quarantined != 0 {
				t.Fatalf("loaded %d, quarantined %d, want 2 and 0", res.Loaded, res.Quarantined)
			}
			got := queryStrings(t, db, `SELECT concat_ws('|', client_id, name, segment, coalesce(credit_limit::VARCHAR, ''), created_on::VARCHAR, _line)
                FROM clients ORDER BY client_id`)
			want := []string{"C1|ООО Ромашка|Опт|1234.5000|2026-10-05|2", "C2|Ёлка-Пёлка|HoReCa||2026-10-06|3"}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("clients =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			sum := sha256.Sum256(tc.bytes(t))
			if res.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("ledger hash %s is not the SHA-256 of the file's bytes", res.SHA256)
			}
		})
	}
}

// A file in a single-byte encoding read as UTF-8 is caught row by row.
func TestCSVWrongEncodingIsQuarantined(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := filepath.Join(dir, "clients.csv")
	os.WriteFile(p, encode(t, charmap.Windows1251, "client_id;name;segment\r\nC1;Ромашка;Опт\r\nC2;Lilac;Retail\r\n"), 0o644)
	src := clientsSource("")
	res := load(t, db, l, src, p)
	if res.Loaded != 1 || res.Quarantined != 1 {
		t.Fatalf("loaded %d, quarantined %d, want 1 and 1", res.Loaded, res.Quarantined)
	}
	if got := queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine"); len(got) != 1 || got[0] != "2: not utf-8 text: is `encoding:` right?" {
		t.Errorf("quarantine = %q", got)
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSVGzip(t *testing.T) {
	for _, tc := range []struct{ name, file, encoding string }{
		{"named .gz", "orders.csv.gz", ""},
		{"named .csv, found by its bytes", "orders.csv", ""},
		{"gzip of windows-1251", "orders.txt.gz", "windows-1251"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openWarehouse(t)
			l := &ingest.Loader{DB: db, BaseDir: dir}
			body := ordersHeader + "O1,1,2026-10-01,C1,S1,2,10.50,2,2026-10-02\nO1,2,2026-10-01,C1,Шуруп,abc,1,,\n"
			raw := []byte(body)
			if tc.encoding != "" {
				raw = encode(t, charmap.Windows1251, body)
			}
			p := filepath.Join(dir, tc.file)
			os.WriteFile(p, gz(t, raw), 0o644)
			b, _ := os.ReadFile(p)
			src := ingest.Source{Name: "orders", Entity: "order_lines", Files: "*", Encoding: tc.encoding}
			res := load(t, db, l, src, p)
			if res.Loaded != 1 || res.Quarantined != 1 {
				t.Fatalf("loaded %d, quarantined %d, want 1 and 1", res.Loaded, res.Quarantined)
			}
			if got := queryStrings(t, db, "SELECT line || ' ' || reason || ' [' || raw || ']' FROM quarantine"); len(got) != 1 ||
				got[0] != `3 qty "abc" is not a number [O1,2,2026-10-01,C1,Шуруп,abc,1,,]` {
				t.Errorf("quarantine = %q", got)
			}
			sum := sha256.Sum256(b)
			if res.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("ledger hash %s is not the SHA-256 of the compressed bytes", res.SHA256)
			}
			if r := l.LoadFile(t.Context(), &src, p); r.Status != ingest.StatusSkipped {
				t.Errorf("second load: %s, want skipped", r.Status)
			}
		})
	}
}

// The same records with LF, CRLF, CR-only (old Mac and 1C exports) and
// mixed line ends: the lines and reasons do not change.
func TestCSVLineEnds(t *testing.T) {
	rows := []string{
		"order_id,line_no,order_date,client_id,sku,qty,price", // 1
		"O1,1,2026-10-01,C1,S1,2,10.50",                       // 2
		"",                                                    // 3 blank
		`O2,1,2026-10-02,C2,"S`,                               // 4 a quoted field
		`2",1,5`,                                              // 5 ... spanning two lines
		"O3,1,2026-10-03,C3,S3,x,5",                           // 6 bad qty
		"O4,1,2026-10-04,C4,S4,1,5,extra",                     // 7 one field too many
		"O5,1,2026-10-05,C5,S5,1,5",                           // 8
	}
	mixed := func() string {
		ends := []string{"\n", "\r\n", "\r", "\r\n", "\n", "\r", "\r\n", "\n"}
		var b strings.Builder
		for i, r := range rows {
			b.WriteString(r + ends[i])
		}
		return b.String()
	}
	for _, tc := range []struct{ name, body string }{
		{"LF", strings.Join(rows, "\n") + "\n"},
		{"CRLF", strings.Join(rows, "\r\n") + "\r\n"},
		{"CR", strings.Join(rows, "\r") + "\r"},
		{"CR, no final line end", strings.Join(rows, "\r")},
		{"mixed", mixed()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openWarehouse(t)
			l := &ingest.Loader{DB: db, BaseDir: dir}
			p := write(t, dir, "orders.csv", tc.body)
			res := load(t, db, l, ingest.Source{Name: "orders", Entity: "order_lines", Files: "*.csv"}, p)
			if got, want := [4]int64{res.Read, res.Loaded, res.Quarantined, res.Filtered}, [4]int64{5, 3, 2, 0}; got != want {
				t.Errorf("read/loaded/quarantined/filtered = %v, want %v", got, want)
			}
			got := queryStrings(t, db, "SELECT order_id || '@' || _line FROM order_lines ORDER BY order_id")
			if want := "O1@2 O2@4 O5@8"; strings.Join(got, " ") != want {
				t.Errorf("rows = %v, want %s", got, want)
			}
			got = queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine ORDER BY line")
			want := []string{`6: qty "x" is not a number`, `7: expected 7 fields, found 8`}
			if strings.Join(got, "; ") != strings.Join(want, "; ") {
				t.Errorf("quarantine = %q, want %q", got, want)
			}
		})
	}
}

// Broken quoting and structure are quarantined with the line the record
// starts on; the rest of the file loads.
func TestCSVBrokenRecords(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	body := "order_id,line_no,order_date,client_id,sku,qty,price\n" +
		"O1,1,2026-10-01,C1,Board 2\"x4\",1,5\n" + // 2: a quote inside an unquoted field is a character
		"O2,1,2026-10-01,C1,\"S2\"x,1,5\n" + // 3: text after a closing quote
		"O3,1,2026-10-01,C1,\"a \"\"quoted\"\" name\",1,5\n" + // 4
		"O4,1,2026-10-01,C1,S4,1,5,\n" + // 5: a trailing delimiter is one field more
		"O5,1,2026-10-01,C1,S5,1\n" + // 6: one field too few
		"O6,1,2026-10-01,C1,\"open,1,5\n" + // 7: a quote never closed swallows the rest
		"O7,1,2026-10-01,C1,S7,1,5\n"
	p := write(t, dir, "orders.csv", body)
	res := load(t, db, l, ingest.Source{Name: "orders", Entity: "order_lines", Files: "*.csv"}, p)
	got := queryStrings(t, db, "SELECT order_id || ' ' || sku || '@' || _line FROM order_lines ORDER BY order_id")
	want := []string{`O1 Board 2"x4"@2`, `O3 a "quoted" name@4`}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("rows = %q, want %q", got, want)
	}
	got = queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine ORDER BY line")
	want = []string{
		"3: text after the closing quote of a field",
		"5: expected 7 fields, found 8",
		"6: expected 7 fields, found 6",
		"7: a quoted field is not closed",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("quarantine = %q, want %q", got, want)
	}
	if res.Read != 6 {
		t.Errorf("read %d, want 6 (the unclosed quote takes line 8 with it)", res.Read)
	}
}

func TestCSVHeaderFalse(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	no := false
	src := ingest.Source{Name: "skus", Entity: "products", Files: "*.tsv", Format: "tsv", Header: &no}
	if err := src.Validate(); err == nil || !strings.Contains(err.Error(), "names") {
		t.Errorf("header: false without names: Validate = %v, want an error about names", err)
	}
	src.Names = []string{"code", "title", "group"}
	src.Columns = map[string]ingest.Column{"sku": {Source: "code"}, "name": {Source: "title"}, "category": {Source: "group"}}
	p := write(t, dir, "skus.tsv", "S1\tШуруп\tКрепёж\nS2\tГвоздь\tКрепёж\n")
	res := load(t, db, l, src, p)
	if got := queryStrings(t, db, "SELECT sku || ' ' || name || ' ' || category || ' ' || _line FROM products ORDER BY sku"); strings.Join(got, "; ") != "S1 Шуруп Крепёж 1; S2 Гвоздь Крепёж 2" || res.Loaded != 2 {
		t.Errorf("products = %q", got)
	}
}

// Header cells are matched after trimming white space and a BOM; a field
// that `columns:` does not map comes from the column of its own name.
func TestCSVHeaderMatching(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	p := write(t, dir, "skus.csv", "\ufeff  Артикул ,\tname ,CATEGORY\nS1,Шуруп,Крепёж\n")
	src := ingest.Source{Name: "skus", Entity: "products", Files: "*.csv", Columns: map[string]ingest.Column{"sku": {Source: "Артикул"}}}
	res := load(t, db, l, src, p)
	if got := queryStrings(t, db, "SELECT sku || ' ' || name || ' ' || category FROM products"); strings.Join(got, "; ") != "S1 Шуруп Крепёж" || res.Loaded != 1 {
		t.Errorf("products = %q", got)
	}
	src.Columns = map[string]ingest.Column{"sku": {Source: "Код"}}
	r := l.LoadFile(t.Context(), &src, write(t, dir, "more.csv", "Артикул,name,category\nS2,a,b\n"))
	if r.Err == nil || !strings.Contains(r.Err.Error(), `column "Код" (for sku) is not in the file`) {
		t.Errorf("a mapping to a missing column: %v", r.Err)
	}
	src.Columns = map[string]ingest.Column{"sku": {Source: "Артикул"}}
	r = l.LoadFile(t.Context(), &src, write(t, dir, "less.csv", "Артикул,name\nS2,a\n"))
	if r.Err == nil || !strings.Contains(r.Err.Error(), "required field category of products is not mapped") {
		t.Errorf("a required field neither mapped nor in the file: %v", r.Err)
	}
}

// Literal null markers (database dumps write NULL) are empty cells.
func TestCSVNulls(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	body := "client_id,name,segment,region,credit_limit,created_on\nC1,A,Opt,NULL,NULL, NULL \nC2,B,Opt,\\N,10,2026-10-01\n"
	src := ingest.Source{Name: "crm", Entity: "clients", Files: "*.csv"}
	res := load(t, db, l, src, write(t, dir, "a.csv", body))
	if got := queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine"); res.Quarantined != 1 || got[0] != `2: credit_limit "NULL" is not a number` {
		t.Errorf("without nulls: quarantined %q, want line 2: NULL is not a number", got)
	}
	src.Nulls = []string{"NULL", `\N`}
	src.Name = "crm2"
	res = load(t, db, l, src, write(t, dir, "b.csv", body+"\n"))
	got := queryStrings(t, db, "SELECT concat_ws('|', client_id, coalesce(region, '∅'), coalesce(credit_limit::VARCHAR, '∅'), coalesce(created_on::VARCHAR, '∅')) FROM clients ORDER BY 1")
	if want := "C1|∅|∅|∅; C2|∅|10.0000|2026-10-01"; strings.Join(got, "; ") != want || res.Loaded != 2 {
		t.Errorf("with nulls: %q, want %q", got, want)
	}
	src.Nulls = []string{" "}
	if err := src.Validate(); err == nil {
		t.Error("an empty null marker passed Validate")
	}
}

// A line whose quantity × price reaches 10^10 cannot be multiplied by the
// models (two DECIMAL(18,4) make a DECIMAL(18,8)): it is quarantined with
// the product, typed in Go (canonical file) or in SQL (a mapped one), and
// the line just below the limit loads.
func TestCSVQuarantinesProductsTooLarge(t *testing.T) {
	body := ordersHeader +
		"O1,1,2026-10-01,C1,S1,2,10.50,2,2026-10-02\n" +
		"O1,2,2026-10-01,C1,S2,100000,100000.00,,\n" + // qty × price = 10^10
		"O1,3,2026-10-01,C1,S3,1,9999999999.9999,1,2026-10-02\n" + // just below
		"O1,4,2026-10-01,C1,S4,1,10.00,-1000000000,2026-10-02\n" // shipped_qty × price = -10^10
	for _, tc := range []struct {
		name string
		cols map[string]ingest.Column
	}{
		{"canonical", nil},
		{"mapped", map[string]ingest.Column{"sku": {Expr: "upper(sku)"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := openWarehouse(t)
			l := &ingest.Loader{DB: db, BaseDir: dir}
			p := filepath.Join(dir, "orders.csv")
			os.WriteFile(p, []byte(body), 0o644)
			res := load(t, db, l, ingest.Source{Name: "orders", Entity: "order_lines", Files: "*", Columns: tc.cols}, p)
			if res.Loaded != 2 || res.Quarantined != 2 {
				t.Fatalf("loaded %d, quarantined %d, want 2 and 2", res.Loaded, res.Quarantined)
			}
			want := []string{
				"3 qty: qty × price = 10000000000.0000 is too large: it must stay below 10 000 000 000 (a misplaced decimal point?)",
				"5 shipped_qty: shipped_qty × price = -10000000000.0000 is too large: it must stay below 10 000 000 000 (a misplaced decimal point?)",
			}
			if got := queryStrings(t, db, "SELECT line || ' ' || field || ': ' || reason FROM quarantine ORDER BY line"); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("quarantine:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
