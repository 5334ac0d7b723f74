package gen_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest/gen"
	"github.com/kam-analytics/kam/ingest/warehouse"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

const asOfISO = "2026-11-25"

// small is a company big enough to show every feature and quick to make.
func small(seed int64) gen.Options {
	return gen.Options{Seed: seed, Managers: 6, Clients: 160, Months: 14, AsOf: asOf, Hostile: true}
}

type row map[string]string

// dataset is a generated company read back from its files.
type dataset struct {
	dir  string
	sum  gen.Summary
	rows map[string][]row
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*dataset{}
	tmpRoot string
)

func TestMain(m *testing.M) {
	var err error
	if tmpRoot, err = os.MkdirTemp("", "kam-gen-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// load generates a company once per options and reads every file back.
func load(t *testing.T, opt gen.Options) *dataset {
	t.Helper()
	key := fmt.Sprintf("%+v", opt)
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if ds, ok := cache[key]; ok {
		return ds
	}
	dir, err := os.MkdirTemp(tmpRoot, "company-")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := gen.Write(context.Background(), dir, opt)
	if err != nil {
		t.Fatalf("Write(%+v): %v", opt, err)
	}
	ds := &dataset{dir: dir, sum: sum, rows: map[string][]row{}}
	for _, f := range sum.Files {
		recs := readCSV(t, f)
		ent := filepath.Base(filepath.Dir(f))
		for _, rec := range recs[1:] {
			r := row{}
			for i, h := range recs[0] {
				r[h] = rec[i]
			}
			ds.rows[ent] = append(ds.rows[ent], r)
		}
	}
	cache[key] = ds
	return ds
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: empty file, want at least a header", path)
	}
	return recs
}

// readTree maps every file under dir (relative path) to its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixed parses a decimal into an integer scaled by 10^scale, refusing more
// decimals than scale.
func fixed(s string, scale int) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > scale || whole == "" {
		return 0, false
	}
	frac += strings.Repeat("0", scale-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func kop(t *testing.T, s string) int64 {
	t.Helper()
	v, ok := fixed(s, 2)
	if !ok {
		t.Fatalf("money %q: not a decimal with at most 2 places", s)
	}
	return v
}

func milli(t *testing.T, s string) int64 {
	t.Helper()
	if s == "" {
		return 0
	}
	v, ok := fixed(s, 3)
	if !ok {
		t.Fatalf("quantity %q: not a decimal with at most 3 places", s)
	}
	return v
}

func TestWriteIsDeterministic(t *testing.T) {
	scaled := small(7)
	scaled.OrderLines = 30_000
	tests := []struct {
		name string
		a, b gen.Options
		same []string // entity folders that must be byte-identical; nil = all
		diff []string // entity folders that must differ
	}{
		{"same options give the same bytes", small(7), small(7), nil, nil},
		{"another seed gives another company", small(7), small(8), []string{}, []string{"clients", "order_lines", "payments", "activities"}},
		{"scaling orders leaves the company and the CRM alone", small(7), scaled,
			[]string{"managers", "clients", "client_assignments", "products", "price_list", "promotions", "activities", "deals", "competitor_notes"},
			[]string{"order_lines", "invoices", "payments"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			da, db := t.TempDir(), t.TempDir()
			if _, err := gen.Write(context.Background(), da, tt.a); err != nil {
				t.Fatal(err)
			}
			if _, err := gen.Write(context.Background(), db, tt.b); err != nil {
				t.Fatal(err)
			}
			fa, fb := readTree(t, da), readTree(t, db)
			folder := func(p string) string { return strings.SplitN(p, string(filepath.Separator), 2)[0] }
			if tt.same == nil {
				if len(fa) != len(fb) {
					t.Fatalf("%d files vs %d files", len(fa), len(fb))
				}
				for p, b := range fa {
					if !bytes.Equal(b, fb[p]) {
						t.Errorf("%s differs between two runs with the same options", p)
					}
				}
				return
			}
			for p, b := range fa {
				if slices.Contains(tt.same, folder(p)) && !bytes.Equal(b, fb[p]) {
					t.Errorf("%s differs, want identical", p)
				}
			}
			for _, ent := range tt.diff {
				same := true
				for p, b := range fa {
					if folder(p) == ent && !bytes.Equal(b, fb[p]) {
						same = false
					}
				}
				if same {
					t.Errorf("%s: identical, want different", ent)
				}
			}
		})
	}
}

var monthFile = regexp.MustCompile(`^([a-z_]+)_(\d{4}-\d{2})\.csv$`)

func TestFilesFollowTheContract(t *testing.T) {
	ds := load(t, small(3))
	counted := map[string]int64{}
	moneyScale := map[string]int{"qty": 3, "shipped_qty": 3, "refused_qty": 3, "share_pct": 1}
	for _, f := range ds.sum.Files {
		ent, ok := warehouse.Lookup(filepath.Base(filepath.Dir(f)))
		if !ok {
			t.Fatalf("%s: folder is no canonical entity", f)
		}
		base := filepath.Base(f)
		if m := monthFile.FindStringSubmatch(base); base != ent.Name+".csv" && (m == nil || m[1] != ent.Name) {
			t.Errorf("%s: want %s.csv or %s_YYYY-MM.csv", f, ent.Name, ent.Name)
		}
		recs := readCSV(t, f)
		if got, want := strings.Join(recs[0], ","), strings.Join(ent.FieldNames(), ","); got != want {
			t.Errorf("%s: header %q, want %q", f, got, want)
			continue
		}
		counted[ent.Name] += int64(len(recs) - 1)
		for i, rec := range recs[1:] {
			for j, v := range rec {
				fld := ent.Fields[j]
				where := fmt.Sprintf("%s line %d %s=%q", base, i+2, fld.Name, v)
				if v == "" {
					if fld.Required {
						t.Errorf("%s: required field is empty", where)
					}
					continue
				}
				switch fld.Type {
				case warehouse.Date:
					if _, err := time.Parse("2006-01-02", v); err != nil {
						t.Errorf("%s: not an ISO date", where)
					}
				case warehouse.Decimal:
					scale, ok := moneyScale[fld.Name]
					if !ok {
						scale = 2
					}
					if _, ok := fixed(v, scale); !ok {
						t.Errorf("%s: want a decimal with at most %d places", where, scale)
					}
				case warehouse.Int:
					if _, err := strconv.Atoi(v); err != nil {
						t.Errorf("%s: not an integer", where)
					}
				case warehouse.Bool:
					if v != "true" && v != "false" {
						t.Errorf("%s: want true or false", where)
					}
				}
				if len(fld.Enum) > 0 && !slices.Contains(fld.Enum, v) {
					t.Errorf("%s: want one of %v", where, fld.Enum)
				}
			}
		}
	}
	for _, ent := range warehouse.Entities {
		if counted[ent.Name] == 0 {
			t.Errorf("%s: no rows", ent.Name)
		}
		if ds.sum.Rows[ent.Name] != counted[ent.Name] {
			t.Errorf("Summary.Rows[%s] = %d, files hold %d", ent.Name, ds.sum.Rows[ent.Name], counted[ent.Name])
		}
		seen := map[string]bool{}
		for _, r := range ds.rows[ent.Name] {
			var k []string
			for _, f := range ent.Key {
				k = append(k, r[f])
			}
			key := strings.Join(k, "|")
			if seen[key] {
				t.Errorf("%s: key %v = %q appears twice", ent.Name, ent.Key, key)
			}
			seen[key] = true
		}
	}
}

func TestNoDateAfterAsOf(t *testing.T) {
	ds := load(t, small(3))
	for _, ent := range warehouse.Entities {
		for i, r := range ds.rows[ent.Name] {
			for _, f := range ent.Fields {
				v := r[f.Name]
				if f.Type != warehouse.Date || v <= asOfISO {
					continue
				}
				if ent.Name == "activities" && f.Name == "planned_on" && r["status"] == "planned" {
					continue // the plan for the coming weeks
				}
				t.Errorf("%s row %d: %s %s is after the as-of date %s", ent.Name, i+1, f.Name, v, asOfISO)
			}
		}
	}
	months := map[string]bool{}
	for _, p := range ds.rows["plans"] {
		months[p["period"]] = true
	}
	for _, want := range []string{"2025-10", "2026-11", "2026-12", "2027-01"} {
		if !months[want] {
			t.Errorf("plans: no targets for %s, want the history, the as-of month and two months ahead", want)
		}
	}
}

// index maps a field's value to its row.
func index(rows []row, field string) map[string]row {
	m := map[string]row{}
	for _, r := range rows {
		m[r[field]] = r
	}
	return m
}

type assignment struct{ mgr, from, to string }

func assignments(ds *dataset) map[string][]assignment {
	out := map[string][]assignment{}
	for _, a := range ds.rows["client_assignments"] {
		to := a["valid_to"]
		if to == "" {
			to = "9999-12-31"
		}
		out[a["client_id"]] = append(out[a["client_id"]], assignment{a["manager_id"], a["valid_from"], to})
	}
	for _, as := range out {
		slices.SortFunc(as, func(a, b assignment) int { return cmp.Compare(a.from, b.from) })
	}
	return out
}

func managerOn(as []assignment, day string) string {
	for _, a := range as {
		if a.from <= day && day < a.to {
			return a.mgr
		}
	}
	return ""
}

func TestReferentialIntegrity(t *testing.T) {
	ds := load(t, small(3))
	clients := index(ds.rows["clients"], "client_id")
	products := index(ds.rows["products"], "sku")
	managers := index(ds.rows["managers"], "manager_id")
	invoices := index(ds.rows["invoices"], "invoice_id")
	asg := assignments(ds)
	orderClient := map[string]string{}
	for _, l := range ds.rows["order_lines"] {
		orderClient[l["order_id"]] = l["client_id"]
	}

	t.Run("order lines name known clients, SKUs and managers", func(t *testing.T) {
		for _, l := range ds.rows["order_lines"] {
			if clients[l["client_id"]] == nil || products[l["sku"]] == nil {
				t.Fatalf("order line %v: unknown client or SKU", l)
			}
			if m := l["manager_id"]; m != "" && managers[m] == nil {
				t.Fatalf("order line %v: unknown manager", l)
			}
			if orderClient[l["order_id"]] != l["client_id"] {
				t.Fatalf("order %s: lines of two clients", l["order_id"])
			}
		}
	})
	t.Run("assignments cover every order and shipment and never overlap", func(t *testing.T) {
		for c, as := range asg {
			if clients[c] == nil {
				t.Errorf("assignment of unknown client %s", c)
			}
			for i, a := range as {
				m := managers[a.mgr]
				if m == nil {
					t.Fatalf("assignment %v: unknown manager", a)
				}
				if a.from < m["hired_on"] || (m["left_on"] != "" && a.to > nextDay(m["left_on"])) {
					t.Errorf("%s: %v outside the employment of %s (%s..%s)", c, a, a.mgr, m["hired_on"], m["left_on"])
				}
				if i > 0 && as[i-1].to != a.from {
					t.Errorf("%s: assignment %v does not start where %v ends", c, a, as[i-1])
				}
			}
		}
		for _, l := range ds.rows["order_lines"] {
			for _, day := range []string{l["order_date"], l["shipped_on"]} {
				if day != "" && managerOn(asg[l["client_id"]], day) == "" {
					t.Fatalf("%s on %s: no assignment covers it", l["client_id"], day)
				}
			}
		}
	})
	t.Run("shipments follow the order within five days", func(t *testing.T) {
		for _, l := range ds.rows["order_lines"] {
			if l["shipped_on"] == "" {
				if l["shipped_qty"] != "" || l["refused_qty"] != "" {
					t.Errorf("line %v: shipped or refused quantity without a shipment date", l)
				}
				continue
			}
			od, _ := time.Parse("2006-01-02", l["order_date"])
			sd, _ := time.Parse("2006-01-02", l["shipped_on"])
			if lag := sd.Sub(od).Hours() / 24; lag < 0 || lag > 5 {
				t.Errorf("line %v: shipped %v days after the order", l, lag)
			}
			if milli(t, l["shipped_qty"])+milli(t, l["refused_qty"]) > milli(t, l["qty"]) {
				t.Errorf("line %v: shipped + refused exceed the ordered quantity", l)
			}
		}
	})
	t.Run("invoice amounts are the shipped lines of the order and day", func(t *testing.T) {
		type key struct{ order, day string }
		shipped := map[key]int64{} // thousandths of a kopeck
		for _, l := range ds.rows["order_lines"] {
			if l["shipped_on"] != "" {
				shipped[key{l["order_id"], l["shipped_on"]}] += milli(t, l["shipped_qty"]) * kop(t, l["price"])
			}
		}
		billed := map[key]bool{}
		for _, inv := range ds.rows["invoices"] {
			k := key{inv["order_id"], inv["invoice_date"]}
			if want := (shipped[k] + 500) / 1000; kop(t, inv["amount"]) != want {
				t.Errorf("invoice %s: amount %s, shipped lines of %v sum to %d kopecks", inv["invoice_id"], inv["amount"], k, want)
			}
			if orderClient[inv["order_id"]] != inv["client_id"] {
				t.Errorf("invoice %s: client %s, the order's client is %s", inv["invoice_id"], inv["client_id"], orderClient[inv["order_id"]])
			}
			if billed[k] {
				t.Errorf("invoice %s: a second invoice for %v", inv["invoice_id"], k)
			}
			billed[k] = true
		}
		for k, v := range shipped {
			if v > 0 && !billed[k] {
				t.Errorf("shipment %v of %d kopecks has no invoice", k, v/1000)
			}
		}
	})
	t.Run("returns and payments credit known invoices of the same client, after them", func(t *testing.T) {
		paid := map[string]int64{}
		for _, ent := range []string{"returns", "payments"} {
			date := map[string]string{"returns": "return_date", "payments": "paid_on"}[ent]
			for _, r := range ds.rows[ent] {
				id := r["invoice_id"]
				if id == "" {
					continue
				}
				inv := invoices[id]
				if inv == nil {
					t.Fatalf("%s %v: unknown invoice", ent, r)
				}
				if c := r["client_id"]; c != "" && c != inv["client_id"] {
					t.Errorf("%s %v: client differs from the invoice's %s", ent, r, inv["client_id"])
				}
				if r[date] < inv["invoice_date"] {
					t.Errorf("%s %v: dated before invoice %s of %s", ent, r, id, inv["invoice_date"])
				}
				paid[id] += kop(t, r["amount"])
			}
		}
		for id, p := range paid {
			if a := kop(t, invoices[id]["amount"]); p > a {
				t.Errorf("invoice %s: %d kopecks credited, more than its amount %d", id, p, a)
			}
		}
	})
	t.Run("payers are matched by client or INN, INNs are valid and unique", func(t *testing.T) {
		byINN := map[string]string{}
		for _, c := range ds.rows["clients"] {
			inn := c["inn"]
			if inn == "" {
				continue
			}
			if !validINN(inn) {
				t.Errorf("client %s: INN %s fails its check digits", c["client_id"], inn)
			}
			if byINN[inn] != "" {
				t.Errorf("INN %s of both %s and %s", inn, byINN[inn], c["client_id"])
			}
			byINN[inn] = c["client_id"]
		}
		unknown := 0
		for _, p := range ds.rows["payments"] {
			switch {
			case p["client_id"] != "":
				if clients[p["client_id"]] == nil || p["payer_inn"] == "" || (byINN[p["payer_inn"]] != "" && byINN[p["payer_inn"]] != p["client_id"]) {
					t.Errorf("payment %v: unknown client, no payer INN, or the INN of another client", p)
				}
			case byINN[p["payer_inn"]] == "":
				unknown++
			}
		}
		if unknown < 1 || unknown > 2 {
			t.Errorf("%d payments from unknown INNs, want 1 or 2", unknown)
		}
	})
	t.Run("activities and deals belong to employed managers and known clients", func(t *testing.T) {
		for _, ent := range []string{"activities", "deals"} {
			for _, r := range ds.rows[ent] {
				m := managers[r["manager_id"]]
				if m == nil || (r["client_id"] != "" && clients[r["client_id"]] == nil) {
					t.Fatalf("%s %v: unknown manager or client", ent, r)
				}
				day := r["planned_on"] + r["done_on"] + r["opened_on"]
				day = day[:10]
				if day < m["hired_on"] || (m["left_on"] != "" && day > m["left_on"]) {
					t.Errorf("%s %v: %s was not employed then", ent, r, r["manager_id"])
				}
			}
		}
		for _, a := range ds.rows["activities"] {
			if (a["status"] == "done") != (a["done_on"] != "") {
				t.Errorf("activity %v: done_on must be set exactly for done ones", a)
			}
		}
	})
}

// nextDay is the day after an ISO date: left_on is the last working day,
// valid_to is exclusive.
func nextDay(s string) string {
	d, _ := time.Parse("2006-01-02", s)
	return d.AddDate(0, 0, 1).Format("2006-01-02")
}

// validINN checks an INN's check digits (10 digits: companies, 12:
// individual entrepreneurs).
func validINN(s string) bool {
	digit := func(d string, w []int) byte {
		sum := 0
		for i, k := range w {
			sum += k * int(d[i]-'0')
		}
		return byte('0' + sum%11%10)
	}
	switch len(s) {
	case 10:
		return digit(s, []int{2, 4, 10, 3, 5, 9, 4, 6, 8}) == s[9]
	case 12:
		return digit(s, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == s[10] &&
			digit(s, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) == s[11]
	}
	return false
}

func TestValidINN(t *testing.T) {
	for _, tt := range []struct {
		inn  string
		want bool
	}{{"7707083893", true}, {"7707083894", false}, {"500100732259", true}, {"500100732250", false}, {"12345", false}} {
		if got := validINN(tt.inn); got != tt.want {
			t.Errorf("validINN(%q) = %v, want %v", tt.inn, got, tt.want)
		}
	}
}

// monthlySales is net sales per manager and month as the contract defines
// them: shipped_qty × price on shipped_on minus returns on return_date,
// attributed to the named manager or the one assigned on the day.
func monthlySales(t *testing.T, ds *dataset) map[[2]string]int64 {
	asg := assignments(ds)
	out := map[[2]string]int64{}
	for _, l := range ds.rows["order_lines"] {
		if l["shipped_on"] == "" {
			continue
		}
		m := l["manager_id"]
		if m == "" {
			m = managerOn(asg[l["client_id"]], l["shipped_on"])
		}
		out[[2]string{m, l["shipped_on"][:7]}] += milli(t, l["shipped_qty"]) * kop(t, l["price"]) / 1000
	}
	for _, r := range ds.rows["returns"] {
		out[[2]string{managerOn(asg[r["client_id"]], r["return_date"]), r["return_date"][:7]}] -= kop(t, r["amount"])
	}
	return out
}

func TestRealism(t *testing.T) {
	ds := load(t, small(3))
	lines := ds.rows["order_lines"]
	share := func(pred func(row) bool) float64 {
		n := 0
		for _, l := range lines {
			if pred(l) {
				n++
			}
		}
		return float64(n) / float64(len(lines))
	}
	within := func(what string, got, lo, hi float64) error {
		if got < lo || got > hi {
			return fmt.Errorf("%s: %.4f, want %.3f..%.3f", what, got, lo, hi)
		}
		return nil
	}
	tests := []struct {
		name  string
		check func() error
	}{
		{"hostile client names are present", func() error {
			names := map[string]bool{}
			for _, c := range ds.rows["clients"] {
				names[c["name"]] = true
			}
			for _, h := range []string{`</script><script>alert(1)</script>`, `__f__alert(1)__f__`, `=HYPERLINK("http://x","y")`, `O'Brien & Co "Ltd"`} {
				if !names[h] {
					return fmt.Errorf("no client named %q", h)
				}
			}
			return nil
		}},
		{"one KAM hired mid-month within the history, one who left", func() error {
			var hired, left int
			for _, m := range ds.rows["managers"] {
				if d := m["hired_on"]; d >= "2025-10-01" && d[8:] != "01" {
					hired++
				}
				if m["left_on"] != "" {
					left++
				}
			}
			if hired != 1 || left != 1 {
				return fmt.Errorf("%d hired in the history, %d left; want 1 and 1", hired, left)
			}
			return nil
		}},
		{"some clients are reassigned, a few in the middle of a month", func() error {
			moved, mid := 0, 0
			for _, as := range assignments(ds) {
				for _, a := range as[1:] {
					moved++
					if a.from[8:] != "01" {
						mid++
					}
				}
			}
			if moved < 5 || mid < 2 {
				return fmt.Errorf("%d reassignments, %d mid-month", moved, mid)
			}
			return nil
		}},
		{"some SKUs change price during the history", func() error {
			for _, p := range ds.rows["price_list"] {
				if p["valid_from"] > "2025-10-01" {
					return nil
				}
			}
			return fmt.Errorf("no price change")
		}},
		{"a few lines name their manager", func() error {
			return within("named manager", share(func(l row) bool { return l["manager_id"] != "" }), 0.02, 0.09)
		}},
		{"some lines are not shipped, partly shipped or refused", func() error {
			if err := within("unshipped", share(func(l row) bool { return l["shipped_on"] == "" }), 0.01, 0.05); err != nil {
				return err
			}
			if err := within("refused", share(func(l row) bool { return l["refused_qty"] != "" }), 0.005, 0.03); err != nil {
				return err
			}
			return within("partial", share(func(l row) bool {
				return l["shipped_on"] != "" && l["refused_qty"] == "" && l["shipped_qty"] != l["qty"]
			}), 0.02, 0.07)
		}},
		{"about 3 % of lines break the discount rules, promotions discount others", func() error {
			clients := index(ds.rows["clients"], "client_id")
			products := index(ds.rows["products"], "sku")
			list := map[[2]string][]row{}
			for _, p := range ds.rows["price_list"] {
				k := [2]string{p["sku"], p["price_column"]}
				list[k] = append(list[k], p)
			}
			var breach, promo int
			for _, l := range lines {
				var price int64
				for _, p := range list[[2]string{l["sku"], clients[l["client_id"]]["price_column"]}] {
					if p["valid_from"] <= l["order_date"] {
						price = kop(t, p["price"]) // rows come by valid_from
					}
				}
				if kop(t, l["price"]) >= price {
					continue
				}
				inPromo := false
				for _, p := range ds.rows["promotions"] {
					if p["starts_on"] <= l["order_date"] && l["order_date"] <= p["ends_on"] &&
						(p["sku"] == l["sku"] || p["category"] == products[l["sku"]]["category"]) {
						inPromo = true
					}
				}
				if inPromo {
					promo++
				} else {
					breach++
				}
			}
			if err := within("breaches", float64(breach)/float64(len(lines)), 0.01, 0.06); err != nil {
				return err
			}
			return within("promotion prices", float64(promo)/float64(len(lines)), 0.005, 0.06)
		}},
		{"December sells more than November", func() error {
			var nov, dec int64
			for k, v := range monthlySales(t, ds) {
				switch k[1] {
				case "2025-11":
					nov += v
				case "2025-12":
					dec += v
				}
			}
			if float64(dec) < 1.1*float64(nov) {
				return fmt.Errorf("December %d, November %d kopecks", dec, nov)
			}
			return nil
		}},
		{"returns, some without an invoice", func() error {
			rs := ds.rows["returns"]
			var unnamed int
			for _, r := range rs {
				if r["invoice_id"] == "" {
					unnamed++
				}
			}
			if unnamed == 0 || unnamed == len(rs) {
				return fmt.Errorf("%d of %d returns name no invoice", unnamed, len(rs))
			}
			return within("returns per invoice", float64(len(rs))/float64(len(ds.rows["invoices"])), 0.005, 0.03)
		}},
		{"most payments name an invoice, some only an INN, some are advances", func() error {
			ps := ds.rows["payments"]
			var named, noClient, advance int
			for _, p := range ps {
				if p["invoice_id"] != "" {
					named++
				}
				if p["client_id"] == "" {
					noClient++
				}
				if strings.HasPrefix(p["purpose"], "Предоплата") {
					advance++
				}
			}
			if advance == 0 {
				return fmt.Errorf("no advance payments")
			}
			if err := within("named payments", float64(named)/float64(len(ps)), 0.78, 0.92); err != nil {
				return err
			}
			return within("payments without client", float64(noClient)/float64(len(ps)), 0.05, 0.15)
		}},
		{"some receivables are more than 90 days overdue", func() error {
			if open := overdue90(t, ds); open == 0 {
				return fmt.Errorf("nothing overdue beyond 90 days")
			}
			return nil
		}},
		{"some KAMs beat the sales plan, some fall short", func() error {
			sales := monthlySales(t, ds)
			att := map[string][]float64{}
			for _, p := range ds.rows["plans"] {
				if p["kpi"] == "sales" && p["period"] < "2026-11" {
					att[p["manager_id"]] = append(att[p["manager_id"]], float64(sales[[2]string{p["manager_id"], p["period"]}])/float64(kop(t, p["target"])))
				}
			}
			var above, below int
			for _, a := range att {
				slices.Sort(a)
				switch med := a[len(a)/2]; {
				case med > 1.05:
					above++
				case med < 0.95:
					below++
				}
			}
			if above == 0 || below == 0 {
				return fmt.Errorf("%d KAMs above plan, %d below", above, below)
			}
			return nil
		}},
		{"exactly one new_clients target is missing", func() error {
			n := map[string]int{}
			for _, p := range ds.rows["plans"] {
				n[p["kpi"]]++
			}
			if n["sales"] != n["active_clients"] || n["sales"]-n["new_clients"] != 1 {
				return fmt.Errorf("targets per KPI: %v", n)
			}
			return nil
		}},
		{"activities include prospects and the coming weeks", func() error {
			var prospect, future int
			for _, a := range ds.rows["activities"] {
				if a["client_id"] == "" {
					prospect++
				}
				if a["planned_on"] > asOfISO {
					future++
				}
			}
			if prospect == 0 || future == 0 {
				return fmt.Errorf("%d prospect activities, %d planned after the as-of date", prospect, future)
			}
			return nil
		}},
		{"deals are won, lost and open", func() error {
			st := map[string]int{}
			for _, d := range ds.rows["deals"] {
				st[d["status"]]++
				if (d["status"] == "lost") != (d["lost_reason"] != "") {
					return fmt.Errorf("deal %v: lost_reason must be set exactly for lost deals", d)
				}
			}
			if st["won"] == 0 || st["lost"] == 0 || st["open"] == 0 {
				return fmt.Errorf("deals by status: %v", st)
			}
			return nil
		}},
		{"competitor notes for about 40 % of clients, by share or volume", func() error {
			cs := map[string]bool{}
			var share, volume int
			for _, n := range ds.rows["competitor_notes"] {
				cs[n["client_id"]] = true
				if (n["share_pct"] == "") == (n["monthly_volume"] == "") {
					return fmt.Errorf("note %v: want exactly one of share_pct and monthly_volume", n)
				}
				if n["share_pct"] != "" {
					share++
				} else {
					volume++
				}
			}
			if share == 0 || volume == 0 {
				return fmt.Errorf("%d share notes, %d volume notes", share, volume)
			}
			return within("clients with notes", float64(len(cs))/float64(len(ds.rows["clients"])), 0.25, 0.5)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// overdue90 applies payments and returns as the contract says (to the
// named invoice, else oldest due first) and sums what stays open more than
// 90 days past due at the as-of date, in kopecks.
func overdue90(t *testing.T, ds *dataset) int64 {
	clients := index(ds.rows["clients"], "client_id")
	byINN := map[string]string{}
	for _, c := range ds.rows["clients"] {
		byINN[c["inn"]] = c["client_id"]
	}
	type inv struct {
		id, client, due string
		open            int64
	}
	invs := map[string]*inv{}
	perClient := map[string][]*inv{}
	for _, r := range ds.rows["invoices"] {
		due := r["due_date"]
		if due == "" {
			d, _ := time.Parse("2006-01-02", r["invoice_date"])
			terms, _ := strconv.Atoi(clients[r["client_id"]]["payment_terms_days"])
			due = d.AddDate(0, 0, terms).Format("2006-01-02")
		}
		v := &inv{r["invoice_id"], r["client_id"], due, kop(t, r["amount"])}
		invs[v.id] = v
		perClient[v.client] = append(perClient[v.client], v)
	}
	for _, is := range perClient {
		slices.SortStableFunc(is, func(a, b *inv) int { return cmp.Compare(a.due, b.due) })
	}
	apply := func(client, invoice string, amount int64) {
		if v := invs[invoice]; v != nil {
			x := min(amount, v.open)
			v.open -= x
			amount -= x
		}
		for _, v := range perClient[client] {
			x := min(amount, v.open)
			v.open -= x
			amount -= x
		}
	}
	for _, p := range ds.rows["payments"] {
		c := p["client_id"]
		if c == "" {
			c = byINN[p["payer_inn"]]
		}
		apply(c, p["invoice_id"], kop(t, p["amount"]))
	}
	for _, r := range ds.rows["returns"] {
		apply(r["client_id"], r["invoice_id"], kop(t, r["amount"]))
	}
	limit := asOf.AddDate(0, 0, -90).Format("2006-01-02")
	var open int64
	for _, v := range invs {
		if v.due < limit {
			open += v.open
		}
	}
	return open
}

func TestHostileNamesOnlyWhenAsked(t *testing.T) {
	opt := small(3)
	opt.Hostile = false
	ds := load(t, opt)
	for _, c := range ds.rows["clients"] {
		if strings.ContainsAny(c["name"], `<>=_@{`) {
			t.Errorf("client %s named %q without Hostile", c["client_id"], c["name"])
		}
	}
}

func TestOrderLinesScale(t *testing.T) {
	for _, n := range []int64{20_000, 60_000} {
		t.Run(strconv.FormatInt(n, 10), func(t *testing.T) {
			sum, err := gen.Write(context.Background(), t.TempDir(), gen.Options{Seed: 5, Managers: 4, Clients: 80, Months: 6, AsOf: asOf, OrderLines: n})
			if err != nil {
				t.Fatal(err)
			}
			if got := float64(sum.Rows["order_lines"]); got < 0.9*float64(n) || got > 1.1*float64(n) {
				t.Errorf("OrderLines %d: wrote %.0f lines, want within 10 %%", n, got)
			}
		})
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name string
		opt  gen.Options
	}{
		{"no as-of date", gen.Options{}},
		{"negative managers", gen.Options{AsOf: asOf, Managers: -1}},
		{"negative clients", gen.Options{AsOf: asOf, Clients: -5}},
		{"negative order lines", gen.Options{AsOf: asOf, OrderLines: -1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := gen.Write(context.Background(), t.TempDir(), tt.opt); err == nil {
				t.Errorf("Write(%+v) = nil error, want an error", tt.opt)
			}
		})
	}
}

func TestTinyCompanies(t *testing.T) {
	for _, opt := range []gen.Options{
		{Managers: 1, Clients: 1, Months: 1, AsOf: asOf, Hostile: true},
		{Managers: 2, Clients: 5, Months: 2, AsOf: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Managers: 3, Clients: 30, Months: 4, AsOf: asOf},
	} {
		t.Run(fmt.Sprintf("%d managers, %d clients, %d months", opt.Managers, opt.Clients, opt.Months), func(t *testing.T) {
			sum, err := gen.Write(context.Background(), t.TempDir(), opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range warehouse.Entities {
				found := false
				for _, f := range sum.Files {
					if filepath.Base(filepath.Dir(f)) == e.Name {
						found = true
					}
				}
				if !found {
					t.Errorf("no file for %s", e.Name)
				}
			}
		})
	}
}

func TestRerunReplacesEarlierFiles(t *testing.T) {
	dir := t.TempDir()
	opt := small(3)
	if _, err := gen.Write(context.Background(), dir, opt); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(dir, "order_lines", "README.txt")
	if err := os.WriteFile(keep, []byte("not ours"), 0o644); err != nil {
		t.Fatal(err)
	}
	opt.Months = 2
	sum, err := gen.Write(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := filepath.Glob(filepath.Join(dir, "order_lines", "*"))
	want := []string{filepath.Join(dir, "order_lines", "README.txt"),
		filepath.Join(dir, "order_lines", "order_lines_2026-10.csv"), filepath.Join(dir, "order_lines", "order_lines_2026-11.csv")}
	if !slices.Equal(got, want) {
		t.Errorf("order_lines after a 2-month run = %v, want %v", got, want)
	}
	for _, f := range sum.Files {
		if strings.HasSuffix(f, ".txt") {
			t.Errorf("Summary lists %s, not written by Write", f)
		}
	}
}

// BenchmarkWrite streams a million order lines (make bench); see the
// package comment for the 10 M figures.
func BenchmarkWrite(b *testing.B) {
	const lines = 1_000_000
	for range b.N {
		sum, err := gen.Write(context.Background(), b.TempDir(), gen.Options{Seed: 1, AsOf: asOf, OrderLines: lines})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.Rows["order_lines"])/b.Elapsed().Seconds(), "lines/s")
	}
}

func TestRealFormats(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Write(context.Background(), dir, small(4)); err != nil {
		t.Fatal(err)
	}
	if err := gen.RealFormats(dir, gen.Company{Name: "ООО «Демо»", INN: "7701234567"}, 4); err != nil {
		t.Fatal(err)
	}
	for _, gone := range gen.RealFormatEntities {
		if _, err := os.Stat(filepath.Join(dir, gone)); err == nil {
			t.Errorf("canonical %s still there after RealFormats", gone)
		}
	}
	erp, _ := filepath.Glob(filepath.Join(dir, "erp", "orders_*.csv"))
	bank, _ := filepath.Glob(filepath.Join(dir, "bank", "statement_*.txt"))
	if len(erp) == 0 || len(bank) == 0 {
		t.Fatalf("erp files %d, bank statements %d", len(erp), len(bank))
	}
	b, _ := os.ReadFile(erp[0])
	// "Номер" in windows-1251.
	if !bytes.HasPrefix(b, []byte{0xCD, 0xEE, 0xEC, 0xE5, 0xF0, ';'}) {
		t.Errorf("ERP export does not start with a windows-1251 header: % x", b[:8])
	}
	s, _ := os.ReadFile(bank[0])
	if !bytes.HasPrefix(s, []byte("1CClientBankExchange\r\n")) || !bytes.Contains(s, []byte("7701234567")) {
		t.Error("bank statement lacks the 1CClientBankExchange header or our INN")
	}
	for _, p := range []string{"crm/clients.xlsx", "api/activities.ndjson"} {
		if st, err := os.Stat(filepath.Join(dir, p)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing", p)
		}
	}
}
