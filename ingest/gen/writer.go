package gen

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
)

// headers are the canonical CSV headers, in contract order.
var headers = map[string][]string{
	"managers":           {"manager_id", "name", "email", "team", "hired_on", "left_on", "variable_target"},
	"clients":            {"client_id", "name", "inn", "segment", "region", "is_key", "price_column", "credit_limit", "payment_terms_days", "created_on"},
	"client_assignments": {"client_id", "manager_id", "valid_from", "valid_to"},
	"products":           {"sku", "name", "category", "brand"},
	"price_list":         {"sku", "price_column", "price", "valid_from"},
	"order_lines":        {"order_id", "line_no", "order_date", "client_id", "manager_id", "sku", "qty", "price", "shipped_qty", "shipped_on", "refused_qty", "refusal_reason"},
	"invoices":           {"invoice_id", "invoice_date", "client_id", "order_id", "amount", "due_date"},
	"returns":            {"return_id", "return_date", "client_id", "invoice_id", "sku", "qty", "amount", "reason"},
	"payments":           {"payment_id", "paid_on", "client_id", "payer_inn", "amount", "invoice_id", "purpose"},
	"activities":         {"activity_id", "manager_id", "client_id", "kind", "planned_on", "done_on", "status", "result"},
	"deals":              {"deal_id", "client_id", "manager_id", "opened_on", "closed_on", "status", "amount", "lost_reason"},
	"competitor_notes":   {"noted_on", "client_id", "category", "competitor", "share_pct", "monthly_volume", "manager_id"},
	"plans":              {"manager_id", "period", "kpi", "target"},
	"promotions":         {"promo_id", "name", "starts_on", "ends_on", "category", "sku", "discount_pct"},
}

type csvFile struct {
	f *os.File
	b *bufio.Writer
	w *csv.Writer
}

// writers keeps one open CSV file per (entity, file name).
type writers struct {
	dir   string
	open  map[string]*csvFile
	files []string
	rows  map[string]int64
	err   error
}

func newWriters(dir string) *writers {
	return &writers{dir: dir, open: map[string]*csvFile{}, rows: map[string]int64{}}
}

// write appends a record to dir/<entity>/<name>.csv, creating it with the header.
func (w *writers) write(entity, name string, rec []string) {
	if w.err != nil {
		return
	}
	key := entity + "/" + name
	cf, ok := w.open[key]
	if !ok {
		p := filepath.Join(w.dir, entity, name+".csv")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.err = err
			return
		}
		f, err := os.Create(p)
		if err != nil {
			w.err = err
			return
		}
		b := bufio.NewWriterSize(f, 1<<16)
		cf = &csvFile{f: f, b: b, w: csv.NewWriter(b)}
		w.open[key] = cf
		w.files = append(w.files, p)
		if err := cf.w.Write(headers[entity]); err != nil {
			w.err = err
			return
		}
	}
	if err := cf.w.Write(rec); err != nil {
		w.err = err
	}
	w.rows[entity]++
}

// close flushes and closes one file.
func (w *writers) close(entity, name string) {
	key := entity + "/" + name
	cf, ok := w.open[key]
	if !ok {
		return
	}
	delete(w.open, key)
	cf.w.Flush()
	if err := cf.w.Error(); err != nil && w.err == nil {
		w.err = err
	}
	if err := cf.b.Flush(); err != nil && w.err == nil {
		w.err = err
	}
	if err := cf.f.Close(); err != nil && w.err == nil {
		w.err = err
	}
}

func (w *writers) closeAll() error {
	keys := make([]string, 0, len(w.open))
	for k := range w.open {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e, n := splitKey(k)
		w.close(e, n)
	}
	return w.err
}

func splitKey(k string) (string, string) {
	for i := 0; i < len(k); i++ {
		if k[i] == '/' {
			return k[:i], k[i+1:]
		}
	}
	return k, ""
}
