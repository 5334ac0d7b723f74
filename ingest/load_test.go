package ingest_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/warehouse"
)

func openWarehouse(t *testing.T) *sql.DB {
	t.Helper()
	db, err := warehouse.Open(context.Background(), filepath.Join(t.TempDir(), "kam.duckdb"), warehouse.Settings{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

const ordersHeader = "order_id,line_no,order_date,client_id,sku,qty,price,shipped_qty,shipped_on\n"

func TestLoadCanonicalCSV(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	src := ingest.Source{Name: "order_lines", Entity: "order_lines", Files: "inbox/order_lines/*.csv"}
	body := ordersHeader +
		"O1,1,2026-10-01,C1,S1,2,10.50,2,2026-10-02\n" + // line 2 ok
		"O1,2,2026-10-01,C1,S2,abc,1,,\n" + // line 3 qty not a number
		"\n" + // line 4 blank
		"O2,1,2026-02-31,C2,S1,1,5,,\n" + // line 5 bad date
		"O2,2,2026-10-03,C2,\"S\n3\",1,5,,\n" + // lines 6-7 multi-line sku
		"O3,1,2026-10-03,C2,S1,1,5,,,extra\n" + // line 8 too many fields
		"O1,1,2026-10-01,C1,S1,3,10.50,3,2026-10-02\n" + // line 9 replaces line 2
		"O4,1,2026-10-04,,S1,1,5,,\n" + // line 10 client_id missing
		"O5,1,2026-10-04,C3,S1,1,5.123456,,\n" // line 11 too many decimals
	p := write(t, dir, "inbox/order_lines/orders_2026-10.csv", body)
	res := l.LoadFile(context.Background(), &src, p)
	if res.Err != nil {
		t.Fatalf("LoadFile: %v", res.Err)
	}
	if got, want := [5]int64{res.Read, res.Loaded, res.Replaced, res.Quarantined, res.Filtered}, [5]int64{8, 2, 1, 5, 0}; got != want {
		t.Errorf("counts read/loaded/replaced/quarantined/filtered = %v, want %v", got, want)
	}
	got := queryStrings(t, db, "SELECT order_id || '/' || line_no || ' qty=' || qty || ' line=' || _line FROM order_lines ORDER BY 1")
	want := []string{"O1/1 qty=3.0000 line=9", "O2/2 qty=1.0000 line=6"}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("loaded rows = %q, want %q", got, want)
	}
	got = queryStrings(t, db, "SELECT line || ' ' || field || ': ' || reason FROM quarantine ORDER BY line")
	want = []string{
		`3 qty: qty "abc" is not a number`,
		`5 order_date: order_date "2026-02-31" is not a date (expected YYYY-MM-DD)`,
		`8 : expected 9 fields, found 10`,
		`10 client_id: client_id is required`,
		`11 price: price "5.123456" has more than 4 decimal places`,
	}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("quarantine =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The same bytes under another name load once.
	p2 := write(t, dir, "inbox/order_lines/copy.csv", body)
	if r := l.LoadFile(context.Background(), &src, p2); r.Status != ingest.StatusSkipped {
		t.Errorf("second load of the same bytes: status %s, want skipped", r.Status)
	}
	// A correction replaces the row with the same key.
	p3 := write(t, dir, "inbox/order_lines/fix.csv", ordersHeader+"O2,2,2026-10-03,C2,S3,7,5,,\n")
	r := l.LoadFile(context.Background(), &src, p3)
	if r.Err != nil || r.Updated != 1 || r.Loaded != 1 {
		t.Errorf("correction: %+v, want 1 loaded, 1 updated", r)
	}
	if got := queryStrings(t, db, "SELECT qty::VARCHAR FROM order_lines WHERE order_id = 'O2'"); len(got) != 1 || got[0] != "7.0000" {
		t.Errorf("corrected qty = %v, want [7.0000]", got)
	}
}

func TestLoadRejectsBadHeader(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	src := ingest.Source{Name: "order_lines", Entity: "order_lines", Files: "*.csv"}
	for _, tc := range []struct{ name, body, want string }{
		{"unknown", "order_id,line_no,order_date,client_id,sku,qty,price,colour\n", `unknown column "colour"`},
		{"missing", "order_id,line_no,order_date,client_id,sku,qty\n", `missing required column "price"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, dir, tc.name+".csv", tc.body)
			r := l.LoadFile(context.Background(), &src, p)
			if r.Status != ingest.StatusFailed || !strings.Contains(r.Err.Error(), tc.want) || !strings.Contains(r.Err.Error(), tc.name+".csv") {
				t.Errorf("LoadFile(%s) = %s %v, want failure naming the file and %s", tc.name, r.Status, r.Err, tc.want)
			}
		})
	}
	var n int
	db.QueryRow("SELECT count(*) FROM meta.ledger").Scan(&n)
	if n != 0 {
		t.Errorf("failed files in ledger: %d, want 0", n)
	}
}

func TestLoadPlansPeriodPattern(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	src := ingest.Source{Name: "plans", Entity: "plans", Files: "*.csv"}
	p := write(t, dir, "plans.csv", "manager_id,period,kpi,target\nM1,2026-10,sales,100\nM1,2026-13,sales,100\nM1,10.2026,sales,1\nM1,2026-Q4,sales,300\nM1,2026,sales,1200\nM1,2026-Q5,sales,1\n")
	r := l.LoadFile(context.Background(), &src, p)
	if r.Err != nil || r.Loaded != 3 || r.Quarantined != 3 {
		t.Fatalf("LoadFile = %+v, want 3 loaded and 3 quarantined", r)
	}
	got := queryStrings(t, db, "SELECT line || ': ' || reason FROM quarantine ORDER BY line")
	want := []string{`3: period "2026-13" is not YYYY-MM, YYYY-Qn or YYYY`, `4: period "10.2026" is not YYYY-MM, YYYY-Qn or YYYY`, `7: period "2026-Q5" is not YYYY-MM, YYYY-Qn or YYYY`}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("quarantine = %q, want %q", got, want)
	}
}

// A share above 100 %, a negative volume or a discount above 100 % is a
// typing error: quarantined with the range, never loaded to break a build.
// The bounds themselves load.
func TestLoadBoundedDecimals(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	notes := ingest.Source{Name: "competitor_notes", Entity: "competitor_notes", Files: "notes.csv"}
	p := write(t, dir, "notes.csv", "noted_on,client_id,category,competitor,share_pct,monthly_volume\n"+
		"2026-05-01,C1,Cat,J,0,\n2026-05-01,C1,Cat,K,100,\n2026-05-01,C1,Cat,L,150,\n2026-05-01,C1,Cat,M,-10,\n"+
		"2026-05-01,C1,Cat,N,,0\n2026-05-01,C1,Cat,O,,-250\n2026-05-01,C1,Cat,P,\"100,5\",\n")
	if r := l.LoadFile(context.Background(), &notes, p); r.Err != nil || r.Loaded != 3 || r.Quarantined != 4 {
		t.Fatalf("LoadFile(notes) = %+v, want 3 loaded and 4 quarantined", r)
	}
	promos := ingest.Source{Name: "promotions", Entity: "promotions", Files: "promos.csv"}
	p = write(t, dir, "promos.csv", "promo_id,name,starts_on,ends_on,discount_pct\nP1,a,2026-05-01,2026-05-31,100\nP2,b,2026-05-01,2026-05-31,100.01\n")
	if r := l.LoadFile(context.Background(), &promos, p); r.Err != nil || r.Loaded != 1 || r.Quarantined != 1 {
		t.Fatalf("LoadFile(promos) = %+v, want 1 loaded and 1 quarantined", r)
	}
	got := queryStrings(t, db, "SELECT entity || ' ' || line || ': ' || reason FROM quarantine ORDER BY entity, line")
	want := []string{
		`competitor_notes 4: share_pct "150" is out of range: want 0 to 100`,
		`competitor_notes 5: share_pct "-10" is out of range: want 0 to 100`,
		`competitor_notes 7: monthly_volume "-250" is out of range: want 0 or more`,
		`competitor_notes 8: share_pct "100,5" is not a number`,
		`promotions 3: discount_pct "100.01" is out of range: want 0 to 100`,
	}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Errorf("quarantine = %q, want %q", got, want)
	}
}

// Rows naming a client that no clients row has load, and the summary says
// how many: the marts would show them without a name or a manager.
func TestLoadCountsUnknownClients(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	l := &ingest.Loader{DB: db, BaseDir: dir}
	clients := ingest.Source{Name: "clients", Entity: "clients", Files: "clients.csv"}
	if r := l.LoadFile(context.Background(), &clients, write(t, dir, "clients.csv", "client_id,name,segment\nC1,Альфа,HoReCa\n")); r.Err != nil || r.UnknownClients != 0 {
		t.Fatalf("LoadFile(clients) = %+v", r)
	}
	invoices := ingest.Source{Name: "invoices", Entity: "invoices", Files: "invoices.csv"}
	r := l.LoadFile(context.Background(), &invoices, write(t, dir, "invoices.csv",
		"invoice_id,invoice_date,client_id,amount\nI1,2026-10-01,C1,100\nI2,2026-10-01,C9,100\nI3,2026-10-02,C9,5\n"))
	if r.Err != nil || r.Loaded != 3 || r.UnknownClients != 2 || !strings.Contains(r.String(), "2 row(s) name a client_id that is in no clients file") {
		t.Errorf("LoadFile(invoices) = %+v: %s; want 3 loaded, 2 naming an unknown client", r, r)
	}
}

// Run reports each file before loading it, counted over every source's
// files, failed and already loaded ones included; a source whose glob
// matches nothing adds nothing.
func TestRunReportsProgress(t *testing.T) {
	dir := t.TempDir()
	db := openWarehouse(t)
	write(t, dir, "inbox/a.csv", ordersHeader+"O1,1,2026-10-01,C1,S1,1,10,,\n")
	write(t, dir, "inbox/b.csv", ordersHeader+"O2,1,2026-10-02,C1,S1,2,10,,\n")
	write(t, dir, "bad/c.csv", "order_id,colour\n")
	var got []string
	l := &ingest.Loader{DB: db, BaseDir: dir, Progress: func(done, total int, file string) {
		got = append(got, strings.Join([]string{file, strconv.Itoa(done), strconv.Itoa(total)}, " "))
	}}
	sources := []ingest.Source{
		{Name: "orders", Entity: "order_lines", Files: "inbox/*.csv"},
		{Name: "none", Entity: "order_lines", Files: "nothing/*.csv"},
		{Name: "bad", Entity: "order_lines", Files: "bad/*.csv"},
	}
	l.Run(context.Background(), sources)
	want := "inbox/a.csv 0 3\ninbox/b.csv 1 3\nbad/c.csv 2 3"
	if strings.Join(got, "\n") != want {
		t.Errorf("progress:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	got = nil
	l.Run(context.Background(), sources) // already loaded: still reported
	if strings.Join(got, "\n") != want {
		t.Errorf("progress of a second run:\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
}
