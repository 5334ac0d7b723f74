package ingest_test

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/ingest"
)

// The public sample data of ../shared/data, read where it lies; see the
// PROVENANCE.md next to each file for its format.
const sharedData = "../../shared/data"

func sharedFile(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(sharedData, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data not here: %v", err)
	}
	return p
}

// readTable reads a delimited file with encoding/csv, for expected values
// computed independently of ingest.
func readTable(t *testing.T, path string, comma rune, gz bool) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func sumColumn(t *testing.T, recs [][]string, col int) decimal.Decimal {
	t.Helper()
	var sum decimal.Decimal
	for _, r := range recs {
		if strings.TrimSpace(r[col]) == "" {
			continue
		}
		d, err := decimal.NewFromString(strings.TrimSpace(r[col]))
		if err != nil {
			t.Fatalf("%q: %v", r[col], err)
		}
		sum = sum.Add(d)
	}
	return sum
}

func queryDecimal(t *testing.T, l *ingest.Loader, q string) decimal.Decimal {
	t.Helper()
	var s string
	if err := l.DB.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAdventureWorks maps Microsoft's AdventureWorks sales tables onto the
// contract by configuration alone: the gzipped order header, tab-separated
// with CRLF and header names padded with spaces; header-less tab-separated
// tables; a table with double-quoted XML in one column.
func TestAdventureWorks(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	no := false

	t.Run("SalesOrderHeader.csv.gz as invoices", func(t *testing.T) {
		p := sharedFile(t, "adventureworks-oltp/SalesOrderHeader.csv.gz")
		src := ingest.Source{Name: "aw_orders", Entity: "invoices", Files: "*.gz", Format: "tsv",
			Columns: map[string]ingest.Column{
				"invoice_id": {Source: "SalesOrderNumber"}, "invoice_date": {Source: "OrderDate"},
				"client_id": {Source: "CustomerID"}, "order_id": {Source: "PurchaseOrderNumber"},
				"amount": {Source: "TotalDue"}, "due_date": {Source: "DueDate"},
			}}
		res := load(t, db, l, src, p)
		recs := readTable(t, p, '\t', true)[1:]
		if res.Read != int64(len(recs)) || res.Loaded != 31465 || res.Quarantined != 0 {
			t.Errorf("read %d, loaded %d, quarantined %d; want %d, 31465, 0", res.Read, res.Loaded, res.Quarantined, len(recs))
		}
		if got, want := queryDecimal(t, l, "SELECT sum(amount)::VARCHAR FROM invoices"), sumColumn(t, recs, 22); !got.Equal(want) {
			t.Errorf("sum(TotalDue) = %s, want %s (exact)", got, want)
		}
		got := queryStrings(t, db, `SELECT concat_ws(' ', min(invoice_date), max(invoice_date), count(order_id), min(_line), max(_line)) FROM invoices`)
		if want := "2011-05-31 2014-06-30 3806 2 31466"; got[0] != want {
			t.Errorf("dates, orders with a PO number, lines = %s, want %s", got[0], want)
		}
		got = queryStrings(t, db, "SELECT concat_ws(' ', invoice_id, invoice_date, client_id, amount, due_date) FROM invoices WHERE _line = 2")
		if want := "SO43659 2011-05-31 29825 23153.2339 2011-06-12"; got[0] != want {
			t.Errorf("line 2 = %s, want %s", got[0], want)
		}
	})

	t.Run("SalesPerson.csv, header-less, as managers", func(t *testing.T) {
		p := sharedFile(t, "adventureworks-oltp/SalesPerson.csv")
		src := ingest.Source{Name: "aw_salespeople", Entity: "managers", Files: "*.csv", Format: "tsv", Header: &no,
			Names: []string{"BusinessEntityID", "TerritoryID", "SalesQuota", "Bonus", "CommissionPct", "SalesYTD", "SalesLastYear", "rowguid", "ModifiedDate"},
			Columns: map[string]ingest.Column{
				"manager_id": {Source: "BusinessEntityID"}, "name": {Expr: "'Salesperson ' || BusinessEntityID"},
				"team": {Source: "TerritoryID"}, "variable_target": {Source: "Bonus"},
			}}
		res := load(t, db, l, src, p)
		recs := readTable(t, p, '\t', false)
		if res.Loaded != 17 || res.Quarantined != 0 || res.Loaded != int64(len(recs)) {
			t.Errorf("loaded %d, quarantined %d, want 17 and 0", res.Loaded, res.Quarantined)
		}
		if got, want := queryDecimal(t, l, "SELECT sum(variable_target)::VARCHAR FROM managers"), sumColumn(t, recs, 3); !got.Equal(want) {
			t.Errorf("sum(Bonus) = %s, want %s", got, want)
		}
		if got := queryStrings(t, db, "SELECT count(*) FILTER (team IS NULL)::VARCHAR FROM managers"); got[0] != "3" {
			t.Errorf("salespeople without a territory = %s, want 3 (274, 285, 287)", got[0])
		}
	})

	t.Run("SalesPersonQuotaHistory.csv as plans", func(t *testing.T) {
		p := sharedFile(t, "adventureworks-oltp/SalesPersonQuotaHistory.csv")
		src := ingest.Source{Name: "aw_quotas", Entity: "plans", Files: "*.csv", Format: "tsv", Header: &no,
			Names: []string{"BusinessEntityID", "QuotaDate", "SalesQuota", "rowguid", "ModifiedDate"},
			Columns: map[string]ingest.Column{
				"manager_id": {Source: "BusinessEntityID"},
				"period":     {Expr: "strftime(CAST(QuotaDate AS TIMESTAMP), '%Y-%m')"},
				"kpi":        {Expr: "'sales'"}, "target": {Source: "SalesQuota"},
			}}
		res := load(t, db, l, src, p)
		if res.Read != 163 || res.Loaded+res.Replaced != 163 || res.Quarantined != 0 {
			t.Errorf("read %d, loaded %d, replaced %d, quarantined %d; want 163 rows, none bad", res.Read, res.Loaded, res.Replaced, res.Quarantined)
		}
	})

	t.Run("Store.csv, quoted XML, as clients", func(t *testing.T) {
		p := sharedFile(t, "adventureworks-oltp/Store.csv")
		src := ingest.Source{Name: "aw_stores", Entity: "clients", Files: "*.csv", Format: "tsv", Header: &no,
			Names: []string{"BusinessEntityID", "Name", "SalesPersonID", "Demographics", "rowguid", "ModifiedDate"},
			Columns: map[string]ingest.Column{
				"client_id": {Source: "BusinessEntityID"}, "name": {Source: "Name"},
				"segment": {Expr: "regexp_extract(Demographics, '<BusinessType>(.*?)</BusinessType>', 1)"},
			}}
		res := load(t, db, l, src, p)
		if res.Loaded != 701 || res.Quarantined != 0 {
			t.Errorf("loaded %d, quarantined %d, want 701 and 0", res.Loaded, res.Quarantined)
		}
		got := queryStrings(t, db, "SELECT segment || ' ' || count(*) FROM clients GROUP BY segment ORDER BY segment")
		if len(got) < 2 || strings.HasPrefix(got[0], " ") {
			t.Errorf("segments from the XML = %q", got)
		}
	})
}

// TestNorthwind reads Northwind's CSV export, where NULL is the literal
// text NULL: with `nulls: [NULL]` such cells are empty. The export does
// not quote addresses with commas ("Rua do Paço, 67"): those rows have a
// field too many and are quarantined, never loaded shifted.
func TestNorthwind(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}

	t.Run("customers.csv as clients", func(t *testing.T) {
		p := sharedFile(t, "northwind/customers.csv")
		src := ingest.Source{Name: "nw_customers", Entity: "clients", Files: "*.csv", Nulls: []string{"NULL"},
			Columns: map[string]ingest.Column{"client_id": {Source: "customerID"}, "name": {Source: "companyName"},
				"segment": {Source: "country"}, "region": {Source: "region"}}}
		res := load(t, db, l, src, p)
		recs := readTable(t, p, ',', false)
		nulls, broken := 0, 0
		for _, r := range recs[1:] {
			switch {
			case len(r) != 11:
				broken++
			case r[6] == "NULL":
				nulls++
			}
		}
		if res.Read != 91 || res.Quarantined != int64(broken) || res.Loaded != int64(91-broken) || broken == 0 {
			t.Errorf("read %d, loaded %d, quarantined %d; want 91, %d, %d", res.Read, res.Loaded, res.Quarantined, 91-broken, broken)
		}
		if got := queryStrings(t, db, "SELECT DISTINCT reason FROM quarantine WHERE source = 'nw_customers'"); len(got) != 1 || got[0] != "expected 11 fields, found 12" {
			t.Errorf("reasons = %q", got)
		}
		got := queryStrings(t, db, "SELECT concat_ws(' ', count(*) FILTER (region IS NULL), count(*) FILTER (region = 'NULL')) FROM clients")
		if want := strings.Join([]string{itoa(nulls), "0"}, " "); got[0] != want {
			t.Errorf("regions empty / 'NULL' = %s, want %s", got[0], want)
		}
		if got := queryStrings(t, db, "SELECT name FROM clients WHERE client_id = 'ANATR'"); got[0] != "Ana Trujillo Emparedados y helados" {
			t.Errorf("ANATR = %q", got)
		}
	})

	t.Run("orders.csv as deals", func(t *testing.T) {
		p := sharedFile(t, "northwind/orders.csv")
		src := ingest.Source{Name: "nw_orders", Entity: "deals", Files: "*.csv",
			Columns: map[string]ingest.Column{"deal_id": {Source: "orderID"}, "client_id": {Source: "customerID"},
				"manager_id": {Source: "employeeID"}, "opened_on": {Source: "orderDate"}, "closed_on": {Source: "shippedDate"},
				"status": {Expr: "CASE WHEN shippedDate IS NULL THEN 'open' ELSE 'won' END"}, "amount": {Source: "freight"}}}
		var recs [][]string
		open, broken := 0, 0
		for _, r := range readTable(t, p, ',', false)[1:] {
			if len(r) != 14 {
				broken++
				continue
			}
			recs = append(recs, r)
			if r[5] == "NULL" {
				open++
			}
		}
		// Without the null marker, an unshipped order's "NULL" is no date.
		res := load(t, db, l, src, p)
		if res.Read != 830 || res.Quarantined != int64(open+broken) || res.Loaded != int64(len(recs)-open) {
			t.Errorf("without nulls: read %d, loaded %d, quarantined %d, want 830, %d and %d", res.Read, res.Loaded, res.Quarantined, len(recs)-open, open+broken)
		}
		got := queryStrings(t, db, "SELECT reason || ' ' || count(*) FROM quarantine WHERE source = 'nw_orders' GROUP BY reason ORDER BY reason")
		if want := `closed_on "NULL" is not a date (expected YYYY-MM-DD) ` + itoa(open) + "; expected 14 fields, found 15 " + itoa(broken); strings.Join(got, "; ") != want {
			t.Errorf("reasons = %q, want %s", got, want)
		}
		src.Name, src.Nulls = "nw_orders_nulls", []string{"NULL"}
		b, _ := os.ReadFile(p)
		p2 := filepath.Join(dir, "orders.csv")
		os.WriteFile(p2, append(b, '\n'), 0o644) // other bytes, or the ledger would skip it
		res = load(t, db, l, src, p2)
		if res.Loaded != int64(len(recs)) || res.Quarantined != int64(broken) || res.Updated != int64(len(recs)-open) {
			t.Errorf("with nulls: loaded %d, quarantined %d, updated %d; want %d, %d, %d", res.Loaded, res.Quarantined, res.Updated, len(recs), broken, len(recs)-open)
		}
		got = queryStrings(t, db, "SELECT status || ' ' || count(*) FROM deals GROUP BY status ORDER BY status")
		if want := "open " + itoa(open) + "; won " + itoa(len(recs)-open); strings.Join(got, "; ") != want {
			t.Errorf("deals by status = %q, want %s", got, want)
		}
		if got, want := queryDecimal(t, l, "SELECT sum(amount)::VARCHAR FROM deals"), sumColumn(t, recs, 7); !got.Equal(want) {
			t.Errorf("sum(freight) = %s, want %s", got, want)
		}
	})
}

func itoa(n int) string { return decimal.NewFromInt(int64(n)).String() }
