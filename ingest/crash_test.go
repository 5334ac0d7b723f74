package ingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// TestCrashMidLoad kills a process loading two million order lines with
// SIGKILL — once with every row written and the commit next, once in the
// middle of the work — and checks after each kill that the warehouse is as
// before the file: no rows, no ledger entry, no run. A last, undisturbed
// load then loads exactly every row.
func TestCrashMidLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("loads two million rows three times")
	}
	const lines = 2_000_000
	dir := t.TempDir()
	file := filepath.Join(dir, "order_lines.csv")
	if err := writeCanonicalOrders(file, lines); err != nil {
		t.Fatal(err)
	}
	whPath := filepath.Join(dir, "kam.duckdb")

	kill := func(name, step string, extra []string, ready func(out string) bool) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "result.json")
		cmd := helperCmd(t, step, file, whPath, out, extra...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.After(2 * time.Minute)
		for !ready(out) {
			select {
			case err := <-done:
				b, _ := os.ReadFile(out)
				t.Fatalf("%s: the load ended before it could be killed: %v %s", name, err, b)
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("%s: the load never got there", name)
			case <-time.After(10 * time.Millisecond):
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-done
		// A killed load leaves its temporary files; later loads remove
		// them once they are an hour old. Here they go now.
		temps, _ := filepath.Glob(filepath.Join(os.TempDir(), fmt.Sprintf("kam-ingest-%d-*", cmd.Process.Pid)))
		for _, p := range temps {
			os.Remove(p)
		}
		checkUntouched(t, name, whPath)
	}

	kill("killed before commit", "kam-stop-before-commit", nil, func(out string) bool {
		_, err := os.Stat(out + ".ready")
		return err == nil
	})
	started := time.Time{}
	mark := filepath.Join(t.TempDir(), "started")
	kill("killed while loading", "kam", []string{"KAM_HELPER_MARK=" + mark}, func(string) bool {
		if started.IsZero() {
			if _, err := os.Stat(mark); err == nil {
				started = time.Now()
			}
			return false
		}
		return time.Since(started) > 1200*time.Millisecond
	})

	res, _ := runHelper(t, "kam", file, whPath)
	if res.Rows != lines || res.Status != "loaded" {
		t.Fatalf("the load after the kills: %+v, want %d rows loaded", res, lines)
	}
	db, err := warehouse.Open(context.Background(), whPath, warehouse.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, distinct, ledger int64
	db.QueryRow("SELECT count(*), count(DISTINCT (order_id, line_no)) FROM order_lines").Scan(&rows, &distinct)
	db.QueryRow("SELECT count(*) FROM meta.ledger").Scan(&ledger)
	if rows != lines || distinct != lines || ledger != 1 {
		t.Errorf("after the kills and a load: %d rows (%d keys), %d ledger entries; want %d, %d, 1", rows, distinct, ledger, lines, lines)
	}
}

// checkUntouched opens the warehouse a killed load left and checks that
// nothing of the load is in it.
func checkUntouched(t *testing.T, name, whPath string) {
	t.Helper()
	db, err := warehouse.Open(context.Background(), whPath, warehouse.Settings{})
	if err != nil {
		t.Fatalf("%s: reopen: %v", name, err)
	}
	defer db.Close()
	var rows, ledger, runs, quarantined int64
	for q, v := range map[string]*int64{
		"SELECT count(*) FROM order_lines":                            &rows,
		"SELECT count(*) FROM meta.ledger":                            &ledger,
		"SELECT count(*) FROM meta.load_runs WHERE status = 'loaded'": &runs,
		"SELECT count(*) FROM meta.quarantine":                        &quarantined,
	} {
		if err := db.QueryRow(q).Scan(v); err != nil {
			t.Fatalf("%s: %s: %v", name, q, err)
		}
	}
	if rows+ledger+runs+quarantined != 0 {
		t.Errorf("%s: the warehouse holds %d rows, %d ledger entries, %d runs, %d quarantined; want none", name, rows, ledger, runs, quarantined)
	}
}
