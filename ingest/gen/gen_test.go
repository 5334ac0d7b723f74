package gen_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest/gen"
	"github.com/kam-analytics/kam/ingest/warehouse"
)

var asOf = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)

func small(seed int64) gen.Options {
	return gen.Options{Seed: seed, Managers: 5, Clients: 80, Months: 14, AsOf: asOf, Hostile: true}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = b
		}
		return nil
	})
	return out
}

func TestDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, run := range []struct {
		dir  string
		seed int64
	}{{a, 7}, {b, 7}, {c, 8}} {
		if _, err := gen.Write(context.Background(), run.dir, small(run.seed)); err != nil {
			t.Fatal(err)
		}
	}
	fa, fb, fc := readAll(t, a), readAll(t, b), readAll(t, c)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Fatalf("files: %d vs %d", len(fa), len(fb))
	}
	for k, v := range fa {
		if !bytes.Equal(v, fb[k]) {
			t.Errorf("%s differs between two runs with the same seed", k)
		}
	}
	if bytes.Equal(fa["order_lines/order_lines_2026-10.csv"], fc["order_lines/order_lines_2026-10.csv"]) {
		t.Error("seeds 7 and 8 gave the same October orders")
	}
}

func TestHeadersAndDates(t *testing.T) {
	dir := t.TempDir()
	sum, err := gen.Write(context.Background(), dir, small(3))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range warehouse.Entities {
		if sum.Rows[e.Name] == 0 {
			t.Errorf("no %s rows written", e.Name)
		}
	}
	for _, f := range sum.Files {
		entity := filepath.Base(filepath.Dir(f))
		ent, ok := warehouse.Lookup(entity)
		if !ok {
			t.Fatalf("%s: not a canonical entity folder", f)
		}
		fh, _ := os.Open(f)
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if strings.Join(recs[0], ",") != strings.Join(ent.FieldNames(), ",") {
			t.Errorf("%s header = %v, want %v", f, recs[0], ent.FieldNames())
		}
		for i, r := range recs[1:] {
			for j, v := range r {
				fld := ent.Fields[j]
				if fld.Type == warehouse.Date && fld.Name != "due_date" && v > "2026-11-25" && !(entity == "activities" && r[6] == "planned") && entity != "plans" {
					t.Errorf("%s line %d: %s %s is after the as-of date", f, i+2, fld.Name, v)
				}
			}
		}
	}
	clients, _ := os.ReadFile(filepath.Join(dir, "clients", "clients.csv"))
	if !bytes.Contains(clients, []byte("</script><script>alert(1)</script>")) {
		t.Error("hostile client names missing with Hostile set")
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
