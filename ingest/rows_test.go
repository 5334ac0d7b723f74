package ingest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// A pipe-separated toy format exercises the Go-side staging path that
// spreadsheet, JSON and bank-statement readers share.
func init() {
	registerFormat("test-pipes", func(ctx context.Context, f *file) (stageResult, []badRow, error) {
		b, err := os.ReadFile(f.path)
		if err != nil {
			return stageResult{}, nil, err
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		st, err := stageRows(ctx, f, strings.Split(lines[0], "|"), func(sink rowSink) error {
			for i, l := range lines[1:] {
				vals := []any{}
				for _, v := range strings.Split(l, "|") {
					if v == "" {
						vals = append(vals, nil)
					} else {
						vals = append(vals, v)
					}
				}
				if err := sink(int64(i+2), vals); err != nil {
					return err
				}
			}
			return nil
		})
		return stageResult{staged: st}, nil, err
	})
}

func TestStageRowsThroughAppender(t *testing.T) {
	dir := t.TempDir()
	db, err := warehouse.Open(context.Background(), filepath.Join(dir, "kam.duckdb"), warehouse.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := filepath.Join(dir, "p.txt")
	os.WriteFile(p, []byte("Код|Наименование|Сегмент\nC1|Альфа|HoReCa\nC2||Опт\n"), 0o644)
	src := &Source{Name: "crm", Entity: "clients", Format: "test-pipes", Files: "*.txt",
		Columns: map[string]Column{"client_id": {Source: "Код"}, "name": {Source: "Наименование"}, "segment": {Expr: "upper(Сегмент)"}}}
	l := &Loader{DB: db, BaseDir: dir}
	res := l.LoadFile(context.Background(), src, p)
	if res.Err != nil || res.Loaded != 1 || res.Quarantined != 1 {
		t.Fatalf("LoadFile = %+v, want 1 loaded, 1 quarantined", res)
	}
	var got string
	db.QueryRow("SELECT client_id || ' ' || name || ' ' || segment || ' ' || _line FROM clients").Scan(&got)
	if got != "C1 Альфа HORECA 2" {
		t.Errorf("clients row = %q, want %q", got, "C1 Альфа HORECA 2")
	}
	var q string
	db.QueryRow("SELECT line || ' ' || reason || ' [' || raw || ']' FROM quarantine").Scan(&q)
	if q != "3 name is required [C2,,Опт]" {
		t.Errorf("quarantine = %q", q)
	}
}
