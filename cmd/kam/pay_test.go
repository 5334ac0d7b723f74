package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/models/pay"
)

func TestExampleCompensationParses(t *testing.T) {
	ps, warns, err := pay.Parse([]byte(config.ExampleCompensation))
	if err != nil || len(warns) > 0 || len(ps.Plans) != 1 {
		t.Errorf("pay.Parse(config.ExampleCompensation) = %v, warnings %q, error %v; want one plan, no warnings", ps, warns, err)
	}
}

func TestPayCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	if code, _, stderr := kam(t, "init", dir); code != 0 {
		t.Fatalf("kam init: exit %d: %s", code, stderr)
	}
	cfg := filepath.Join(dir, "kam.yaml")
	in := filepath.Join(dir, "inbox")
	writeFile(t, filepath.Join(in, "managers", "m.csv"), "manager_id,name,hired_on,variable_target\n"+
		`M1,"=HYPERLINK(""http://evil.example"",""x"")",,50000`+"\nM2,Борис,2026-10-15,40000\n")
	writeFile(t, filepath.Join(in, "clients", "c.csv"), "client_id,name,segment\nC1,Альфа,HoReCa\nC2,Бета,HoReCa\n")
	writeFile(t, filepath.Join(in, "client_assignments", "a.csv"), "client_id,manager_id,valid_from\nC1,M1,2026-01-01\nC2,M2,2026-01-01\n")
	writeFile(t, filepath.Join(in, "products", "p.csv"), "sku,name,category\nS1,Сыр,Food\n")
	writeFile(t, filepath.Join(in, "order_lines", "o.csv"),
		"order_id,line_no,order_date,client_id,sku,qty,price,shipped_qty,shipped_on\n"+
			"O1,1,2026-10-01,C1,S1,9,100,9,2026-10-02\n"+
			"O2,1,2026-10-19,C2,S1,10,100,10,2026-10-20\n")
	writeFile(t, filepath.Join(in, "plans", "p.csv"), "manager_id,period,kpi,target\n"+
		"M1,2026-10,sales,1000\nM1,2026-10,active_clients,1\nM1,2026-10,new_clients,1\n"+
		"M2,2026-10,sales,1000\nM2,2026-10,active_clients,1\nM2,2026-10,new_clients,1\n")
	if code, _, stderr := kam(t, "--config", cfg, "ingest"); code != 0 {
		t.Fatalf("kam ingest: exit %d: %s", code, stderr)
	}
	// kam init wrote the example compensation.yaml (kam-2026 for every manager), so build
	// also writes marts.pay_gap_value: 2 managers × (3 KPIs + all).
	if code, _, stderr := kam(t, "--config", cfg, "build", "--as-of", "2026-10-31"); code != 0 {
		t.Fatalf("kam build: exit %d: %s", code, stderr)
	}
	if code, stdout, stderr := kam(t, "--config", cfg, "query", "--format", "csv", "select kpi, gap_value from pay_gap_value where manager_id = 'M1' order by kpi"); code != 0 ||
		stdout != "kpi,gap_value\nactive_clients,0.00\nall,6250.00\nnew_clients,0.00\nsales,6250.00\n" {
		t.Errorf("pay_gap_value of M1: exit %d:\n%s%s", code, stdout, stderr)
	}

	// M1: 900 / 1000 = 0.9 → 0.75 × 0.5 = 0.375 + 0.3 + 0.2 = 0.875 → 50000 × 0.875 = 43750 (no invoices: no_receivables).
	// M2: hired 2026-10-15, 17 of 31 days; 1000 / 1000 → 1 → 40000 × 17 / 31 = 21935.483… → 21935.48.
	code, stdout, stderr := kam(t, "--config", cfg, "pay", "--period", "2026-10")
	if code != 0 {
		t.Fatalf("kam pay: exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		`M1,"'=HYPERLINK(""http://evil.example"",""x"")",2026-10,pay,,kam-2026,50000.00,1.0000,0.9000,0.3750,1.0000,0.3000,1.0000,0.2000,0.8750,0.0000,1.0000,43750.00,no_receivables`,
		"M2,Борис,2026-10,pay,,kam-2026,40000.00,0.5484,",
		",21935.48,no_receivables",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("kam pay output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "pay 2026-10: 2 manager(s), 0 adjustment(s), total 65685.48 (open, built as of 2026-10-31)") {
		t.Errorf("kam pay stderr = %q, want the summary line", stderr)
	}

	xlsx := filepath.Join(dir, "pay.xlsx")
	if code, _, stderr := kam(t, "--config", cfg, "pay", "--period", "2026-10", "--format", "xlsx", "--out", xlsx); code != 0 {
		t.Fatalf("kam pay --format xlsx: exit %d: %s", code, stderr)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "Pay 2026-10,M1,M2,Run" {
		t.Errorf("pay.xlsx sheets = %s, want Pay 2026-10,M1,M2,Run", got)
	}
	if v, _ := f.GetCellValue("Pay 2026-10", "B2"); v != `=HYPERLINK("http://evil.example","x")` {
		t.Errorf("pay.xlsx B2 = %q, want the name as text", v)
	}
	if fm, _ := f.GetCellFormula("Pay 2026-10", "B2"); fm != "" {
		t.Errorf("pay.xlsx B2 formula = %q, want none", fm)
	}
	f.Close()

	code, stdout, _ = kam(t, "--config", cfg, "pay", "explain", "--period", "2026-10", "--manager", "M2")
	if code != 0 || !strings.Contains(stdout, "days employed in 2026-10: 2026-10-15 to 2026-10-31") ||
		!strings.Contains(stdout, "shipment 2026-10-20 O2/1 C2 Бета S1 qty 10") || !strings.Contains(stdout, "21935.48") {
		t.Errorf("kam pay explain M2: exit %d:\n%s", code, stdout)
	}
	code, stdout, _ = kam(t, "--config", cfg, "pay", "whatif", "--period", "2026-10", "--manager", "M1", "--sales", "+100")
	if code != 0 || !strings.Contains(stdout, "variable pay     43750.00 → 50000.00 (+6250.00)") {
		t.Errorf("kam pay whatif --sales +100: exit %d:\n%s", code, stdout)
	}

	code, stdout, stderr = kam(t, "--config", cfg, "pay", "lock", "--period", "2026-10", "--by", "hr")
	if code != 0 || !strings.Contains(stdout, "pay lock 2026-10: run 1, 2 manager(s), 0 adjustment(s), total 65685.48 (locked in run 1), inputs sha256 ") {
		t.Errorf("kam pay lock: exit %d: %s%s", code, stdout, stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "pay", "lock", "--period", "2026-10"); code != exitFailure || !strings.Contains(stderr, "2026-10 is locked (run 1") {
		t.Errorf("second kam pay lock: exit %d: %s; want 1 and the run named", code, stderr)
	}
	if _, _, stderr := kam(t, "--config", cfg, "pay", "--period", "2026-10"); !strings.Contains(stderr, "(locked in run 1)") {
		t.Errorf("kam pay of a locked period: stderr %q, want it to say locked in run 1", stderr)
	}
	if code, _, stderr := kam(t, "--config", cfg, "pay", "unlock", "--period", "2026-10"); code != exitUsage || !strings.Contains(stderr, "--reason") {
		t.Errorf("kam pay unlock without a reason: exit %d: %s; want 2 asking for --reason", code, stderr)
	}
	if code, stdout, stderr := kam(t, "--config", cfg, "pay", "unlock", "--period", "2026-10", "--reason", "wrong targets", "--by", "hr"); code != 0 || !strings.Contains(stdout, "run 1") {
		t.Errorf("kam pay unlock: exit %d: %s%s", code, stdout, stderr)
	}
	if code, stdout, _ := kam(t, "--config", cfg, "query", "--format", "csv", "select action, actor, coalesce(reason, '') as reason from pay_log order by logged_at"); code != 0 ||
		stdout != "action,actor,reason\nlock,hr,\nunlock,hr,wrong targets\n" {
		t.Errorf("pay_log: exit %d:\n%s", code, stdout)
	}

	for _, args := range [][]string{
		{"pay"},
		{"pay", "--period", "2026-13"},
		{"pay", "--period", "2026-10", "--format", "pdf"},
		{"pay", "explain", "--period", "2026-10"},
		{"pay", "whatif", "--period", "2026-10", "--manager", "M1"},
		{"pay", "whatif", "--period", "2026-10", "--manager", "M1", "--sales", "lots"},
	} {
		if code, _, stderr := kam(t, append([]string{"--config", cfg}, args...)...); code != exitUsage {
			t.Errorf("kam %s: exit %d (%s), want 2", strings.Join(args, " "), code, strings.TrimSpace(stderr))
		}
	}
	writeFile(t, filepath.Join(dir, "compensation.yaml"), "plans:\n  - name: x\n    valid_from: 2026-01-01\n    components: [{kpi: sale, weight: 1}]\n    curve: [[1, 1]]\n")
	if code, _, stderr := kam(t, "--config", cfg, "pay", "--period", "2026-10"); code != exitFailure ||
		!strings.Contains(stderr, `compensation.yaml: line 4: plan x: components[0].kpi: unknown KPI "sale"`) {
		t.Errorf("kam pay with a bad plan: exit %d: %s", code, stderr)
	}
}

// A write that fails half-way leaves no file: a reader never takes a cut
// workbook or CSV for a whole one.
func TestWriteToRemovesTheFileOnFailure(t *testing.T) {
	out := filepath.Join(t.TempDir(), "export.xlsx")
	err := payWriteTo(out, nil, func(w io.Writer) error {
		if _, err := io.WriteString(w, "half a workbook"); err != nil {
			return err
		}
		return errors.New("the query failed")
	})
	if err == nil || err.Error() != "the query failed" {
		t.Fatalf("payWriteTo = %v, want the write's error", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s is left behind (%v)", out, err)
	}
}
