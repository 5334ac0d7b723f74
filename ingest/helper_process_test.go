package ingest_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest"
	"github.com/kam-analytics/kam/ingest/warehouse"
)

// Some tests and the benchmark run a step in a fresh child process: the
// test binary re-executed with KAM_INGEST_HELPER naming the step. A child
// has its own peak RSS and can be killed with SIGKILL in the middle of a
// load. Its arguments come in KAM_HELPER_* variables; it writes a
// helperResult as JSON to KAM_HELPER_OUT.
const helperEnv = "KAM_INGEST_HELPER"

type helperResult struct {
	// PeakRSS is the child's own peak resident set (VmHWM), in bytes.
	PeakRSS int64   `json:"peak_rss"`
	Seconds float64 `json:"seconds"`
	Rows    int64   `json:"rows"`
	Status  string  `json:"status"`
	CPU     float64 `json:"-"`
	// Phases are the seconds each phase of kam's load took.
	Phases map[string]float64 `json:"phases,omitempty"`
	Err    string             `json:"err,omitempty"`
}

// TestHelperProcess is not a test: it is the child side of runHelper.
func TestHelperProcess(t *testing.T) {
	step := os.Getenv(helperEnv)
	if step == "" {
		t.Skip("helper process for other tests")
	}
	res, err := runHelperStep(step)
	if err != nil {
		res.Err = err.Error()
	}
	res.PeakRSS = peakRSS()
	b, _ := json.Marshal(res)
	if err := os.WriteFile(os.Getenv("KAM_HELPER_OUT"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if res.Err != "" {
		t.Fatal(res.Err)
	}
}

func runHelperStep(step string) (helperResult, error) {
	ctx := context.Background()
	file, whPath := os.Getenv("KAM_HELPER_FILE"), os.Getenv("KAM_HELPER_WAREHOUSE")
	var res helperResult
	switch step {
	case "read_csv":
		// DuckDB on its own: the file into a fresh table, types auto-detected.
		db, err := sql.Open("duckdb", whPath)
		if err != nil {
			return res, err
		}
		defer db.Close()
		if _, err := db.Exec("SET memory_limit = '1GB'"); err != nil {
			return res, err
		}
		start := time.Now()
		if _, err := db.Exec("CREATE TABLE order_lines AS SELECT * FROM read_csv(" + warehouse.QuoteString(file) + ")"); err != nil {
			return res, err
		}
		if _, err := db.Exec("CHECKPOINT"); err != nil {
			return res, err
		}
		res.Seconds = time.Since(start).Seconds()
		if err := db.QueryRow("SELECT count(*) FROM order_lines").Scan(&res.Rows); err != nil {
			return res, err
		}
		res.Status = "loaded"
		return res, nil
	case "gen":
		n, err := strconv.ParseInt(os.Getenv("KAM_HELPER_LINES"), 10, 64)
		if err != nil {
			return res, err
		}
		start := time.Now()
		if err := writeCanonicalOrders(file, n); err != nil {
			return res, err
		}
		res.Seconds, res.Rows = time.Since(start).Seconds(), n
		return res, nil
	case "kam", "kam-stop-before-commit":
		db, err := warehouse.Open(ctx, whPath, warehouse.Settings{})
		if err != nil {
			return res, err
		}
		defer db.Close()
		if step == "kam-stop-before-commit" {
			// Tell the parent that every row is written and wait to be killed.
			ingest.SetTestHookBeforeCommit(func() {
				_ = os.WriteFile(os.Getenv("KAM_HELPER_OUT")+".ready", nil, 0o644)
				time.Sleep(time.Hour)
			})
		} else if m := os.Getenv("KAM_HELPER_MARK"); m != "" {
			_ = os.WriteFile(m, nil, 0o644)
		}
		res.Phases = map[string]float64{}
		ingest.SetTestHookPhase(func(name string, d time.Duration) { res.Phases[name] += d.Seconds() })
		l := &ingest.Loader{DB: db, BaseDir: filepath.Dir(file)}
		start := time.Now()
		fr := l.LoadFile(ctx, &ingest.Source{Name: "order_lines", Entity: "order_lines", Files: "*.csv"}, file)
		if fr.Err != nil {
			return res, fr.Err
		}
		if _, err := db.Exec("CHECKPOINT"); err != nil {
			return res, err
		}
		res.Seconds = time.Since(start).Seconds()
		res.Rows, res.Status = fr.Loaded, fr.Status
		return res, nil
	}
	return res, fmt.Errorf("unknown helper step %q", step)
}

// helperCmd prepares the child process for a step; out receives its result.
func helperCmd(tb testing.TB, step, file, warehousePath, out string, extra ...string) *exec.Cmd {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+step, "KAM_HELPER_FILE="+file,
		"KAM_HELPER_WAREHOUSE="+warehousePath, "KAM_HELPER_OUT="+out)
	cmd.Env = append(cmd.Env, extra...)
	return cmd
}

// peakRSS reads the process's peak resident set size from /proc (0 where
// there is none). The rusage of a child would not do: a child started by
// vfork counts its parent's memory until it execs.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// runHelper runs a step to its end and returns its result and peak RSS;
// res.CPU is the child's user and system time.
func runHelper(tb testing.TB, step, file, warehousePath string, extra ...string) (helperResult, int64) {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "result.json")
	cmd := helperCmd(tb, step, file, warehousePath, out, extra...)
	log, err := cmd.CombinedOutput()
	var res helperResult
	if b, rerr := os.ReadFile(out); rerr == nil {
		_ = json.Unmarshal(b, &res)
	}
	if err != nil || res.Err != "" {
		tb.Fatalf("helper %s: %v %s\n%s", step, err, res.Err, log)
	}

	res.CPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return res, res.PeakRSS
}
