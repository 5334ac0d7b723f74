package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// entity is a canonical entity: its folder, its header in contract order,
// and whether it is split into one file per month.
type entity struct {
	name    string
	cols    []string
	monthly bool
}

// entities lists the canonical entities of data-contract.md, in its order.
var entities = []entity{
	{"managers", []string{"manager_id", "name", "email", "team", "hired_on", "left_on", "variable_target"}, false},
	{"clients", []string{"client_id", "name", "inn", "segment", "region", "is_key", "price_column", "credit_limit", "payment_terms_days", "created_on"}, false},
	{"client_assignments", []string{"client_id", "manager_id", "valid_from", "valid_to"}, false},
	{"products", []string{"sku", "name", "category", "brand"}, false},
	{"price_list", []string{"sku", "price_column", "price", "valid_from"}, false},
	{"order_lines", []string{"order_id", "line_no", "order_date", "client_id", "manager_id", "sku", "qty", "price", "shipped_qty", "shipped_on", "refused_qty", "refusal_reason"}, true},
	{"invoices", []string{"invoice_id", "invoice_date", "client_id", "order_id", "amount", "due_date"}, true},
	{"returns", []string{"return_id", "return_date", "client_id", "invoice_id", "sku", "qty", "amount", "reason"}, true},
	{"payments", []string{"payment_id", "paid_on", "client_id", "payer_inn", "amount", "invoice_id", "purpose"}, true},
	{"activities", []string{"activity_id", "manager_id", "client_id", "kind", "planned_on", "done_on", "status", "result"}, true},
	{"deals", []string{"deal_id", "client_id", "manager_id", "opened_on", "closed_on", "status", "amount", "lost_reason"}, false},
	{"competitor_notes", []string{"noted_on", "client_id", "category", "competitor", "share_pct", "monthly_volume", "manager_id"}, false},
	{"plans", []string{"manager_id", "period", "kpi", "target"}, false},
	{"promotions", []string{"promo_id", "name", "starts_on", "ends_on", "category", "sku", "discount_pct"}, false},
}

// table writes one entity. A monthly table keeps only the current month's
// file open: rows arrive in date order, so memory stays flat.
type table struct {
	entity
	dir   string
	month string // month of the open file ("" for single-file tables)
	f     *os.File
	cw    *csv.Writer
	rows  int64
	files []string
	err   error // first error; later writes are no-ops
}

func newTable(dir string, e entity) *table { return &table{entity: e, dir: dir} }

func (t *table) fileName(month string) string {
	if t.monthly {
		return t.name + "_" + month + ".csv"
	}
	return t.name + ".csv"
}

func (t *table) open(month string) {
	p := filepath.Join(t.dir, t.name, t.fileName(month))
	f, err := os.Create(p)
	if err != nil {
		t.err = err
		return
	}
	t.f, t.month = f, month
	// csv.NewWriter reuses a large enough bufio.Writer instead of wrapping it.
	t.cw = csv.NewWriter(bufio.NewWriterSize(f, 1<<16))
	t.files = append(t.files, p)
	t.err = t.cw.Write(t.cols)
}

// write appends a row; month ("2006-01") picks the file of a monthly table
// and must not go back in time.
func (t *table) write(month string, rec []string) {
	if t.err != nil {
		return
	}
	if !t.monthly {
		month = ""
	}
	if t.f == nil || month != t.month {
		if t.f != nil {
			if month < t.month {
				t.err = fmt.Errorf("gen: %s row of %s after %s (rows must come in date order)", t.name, month, t.month)
				return
			}
			t.closeFile()
		}
		if t.err == nil {
			t.open(month)
		}
		if t.err != nil {
			return
		}
	}
	if err := t.cw.Write(rec); err != nil {
		t.err = err
		return
	}
	t.rows++
}

func (t *table) closeFile() {
	if t.f == nil {
		return
	}
	t.cw.Flush()
	if err := t.cw.Error(); err != nil && t.err == nil {
		t.err = err
	}
	if err := t.f.Close(); err != nil && t.err == nil {
		t.err = err
	}
	t.f, t.cw = nil, nil
}

// finish closes the table; a table with no rows still gets a header-only
// file, so every entity folder is loadable.
func (t *table) finish(month string) error {
	if len(t.files) == 0 && t.err == nil {
		t.open(month)
	}
	t.closeFile()
	if t.err != nil {
		return fmt.Errorf("gen: write %s: %w", t.name, t.err)
	}
	return nil
}

// removeStale deletes files an earlier run wrote into the entity folder
// (same naming scheme), so a shorter or shifted history leaves no extra
// months behind. Other files are left alone.
func removeStale(dir string, e entity) error {
	names, err := filepath.Glob(filepath.Join(dir, e.name, e.name+"*.csv"))
	if err != nil {
		return err
	}
	for _, p := range names {
		base := strings.TrimSuffix(filepath.Base(p), ".csv")
		rest := strings.TrimPrefix(base, e.name)
		if rest == "" || (len(rest) == 8 && rest[0] == '_' && isMonth(rest[1:])) {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	return nil
}

func isMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil
}

// Formatting. Money is held in kopecks and quantities in thousandths as
// int64, so every amount is exact and printed with a '.' decimal point.

// money formats kopecks as roubles with two decimals.
func money(k int64) string {
	b := make([]byte, 0, 24)
	if k < 0 {
		b = append(b, '-')
		k = -k
	}
	b = strconv.AppendInt(b, k/100, 10)
	b = append(b, '.', byte('0'+k%100/10), byte('0'+k%10))
	return string(b)
}

// qty formats thousandths with up to three decimals, no trailing zeros.
func qty(m int64) string {
	if m%1000 == 0 {
		if m >= 0 && m/1000 < int64(len(smallInts)) {
			return smallInts[m/1000]
		}
		return strconv.FormatInt(m/1000, 10)
	}
	b := make([]byte, 0, 24)
	if m < 0 {
		b = append(b, '-')
		m = -m
	}
	b = strconv.AppendInt(b, m/1000, 10)
	f := m % 1000
	b = append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// tenths formats a value held in tenths (a percentage with one decimal).
func tenths(v int64) string {
	if v%10 == 0 {
		return strconv.FormatInt(v/10, 10)
	}
	return strconv.FormatInt(v/10, 10) + "." + strconv.FormatInt(v%10, 10)
}

// smallInts caches the strings of line numbers and whole quantities.
var smallInts = func() []string {
	s := make([]string, 1000)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func itoa(i int) string {
	if i >= 0 && i < len(smallInts) {
		return smallInts[i]
	}
	return strconv.Itoa(i)
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
