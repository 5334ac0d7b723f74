package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kam-analytics/kam/ingest/warehouse"
)

// The scheduler, in process with a schedule of every second (a few seconds,
// at most 15): a file source picks up a new inbox file on a later run and
// archives it; a slow pull source (each run takes 1.5 s) never runs twice at
// once; every run is recorded; cancelling the context stops it cleanly.
func TestScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the scheduler for a few seconds")
	}
	dir := t.TempDir()
	whPath := filepath.Join(dir, "kam.duckdb")

	var inFlight, maxInFlight, calls atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		c := calls.Add(1)
		select {
		case <-time.After(1500 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		fmt.Fprintf(w, `[{"client_id": "W%d", "name": "Web %d", "segment": "Опт"}]`, c, c)
	}))
	defer api.Close()

	bankWrite(t, dir, "inbox/c1.csv", []byte("client_id,name,segment\nC1,Альфа,Опт\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var mu sync.Mutex
	var runs []ScheduledRun
	var sawC1, sawC2, sawWeb bool
	var writeErr error
	s := &Scheduler{
		Sources: []Source{
			{Name: "files", Entity: "clients", Files: "inbox/*.csv", Archive: "done", Schedule: "* * * * * *"},
			{Name: "web", Entity: "clients", Format: "http", URL: api.URL, Schedule: "* * * * * *"},
			{Name: "manual", Entity: "clients", Files: "none/*.csv"},
		},
		WithSeconds: true,
		StopTimeout: 5 * time.Second,
		Open: func(ctx context.Context) (*Loader, error) {
			db, err := warehouse.Open(ctx, whPath, warehouse.Settings{Threads: 1})
			if err != nil {
				return nil, err
			}
			return &Loader{DB: db, BaseDir: dir}, nil
		},
		// The second inbox file arrives after the first run that loaded
		// the first; the test stops once a later run has picked it up and
		// the slow source has run (or after 15 s).
		OnRun: func(_ context.Context, r ScheduledRun) {
			mu.Lock()
			defer mu.Unlock()
			runs = append(runs, r)
			for _, f := range r.Results {
				switch {
				case f.File == "inbox/c1.csv" && f.Status == StatusLoaded && !sawC1:
					sawC1 = true
					writeErr = os.WriteFile(filepath.Join(dir, "inbox", "c2.csv"), []byte("client_id,name,segment\nC2,Бета,Розница\n"), 0o644)
				case f.File == "inbox/c2.csv" && f.Status == StatusLoaded:
					sawC2 = true
				case r.Source == "web" && f.Status == StatusLoaded:
					sawWeb = true
				}
			}
			if sawC2 && sawWeb {
				cancel()
			}
		},
	}
	start := time.Now()
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	for _, f := range []string{"c1.csv", "c2.csv"} {
		if _, err := os.Stat(filepath.Join(dir, "done", f)); err != nil {
			t.Errorf("%s was not archived: %v", f, err)
		}
	}
	if !sawC2 || !sawWeb {
		t.Errorf("after %s: second inbox file loaded %v, slow source loaded %v; want both", time.Since(start), sawC2, sawWeb)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Run returned %s after start, want soon after its context ended", d)
	}

	if m := maxInFlight.Load(); m != 1 || calls.Load() < 1 {
		t.Errorf("the slow pull ran %d time(s), up to %d at once; want at least once, never twice at once", calls.Load(), m)
	}
	db, err := warehouse.Open(context.Background(), whPath, warehouse.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := bankRows(t, db, "SELECT client_id FROM clients WHERE client_id LIKE 'C%' ORDER BY 1"); strings.Join(got, ",") != "C1,C2" {
		t.Errorf("clients from the inbox = %v, want C1,C2 (the second file picked up by a later run)", got)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger WHERE file IN ('inbox/c1.csv', 'inbox/c2.csv')"); n != 2 {
		t.Errorf("inbox files in the ledger = %d, want 2", n)
	}
	if got := bankRows(t, db, "SELECT count(*) FROM meta.ledger WHERE source = 'files'"); got[0] != "2" {
		t.Errorf("ledger = %v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	perSource := map[string]int{}
	for _, r := range runs {
		perSource[r.Source]++
		if r.Source == "manual" {
			t.Errorf("the source without a schedule ran: %v", r)
		}
		if r.Outcome != RunOK && r.Outcome != RunCancelled {
			t.Errorf("run %v: outcome %s", r, r.Outcome)
		}
	}
	if perSource["files"] < 2 || perSource["web"] < 1 {
		t.Errorf("runs per source = %v, want files at least twice and web at least once", perSource)
	}
	recorded := bankRows(t, db, "SELECT source, outcome, files_loaded, rows_loaded, len(load_ids) FROM meta.schedule_runs WHERE files_loaded > 0 ORDER BY run_id")
	if len(recorded) < 2 {
		t.Errorf("recorded runs that loaded something = %q, want the two inbox files and a web pull", recorded)
	}
	// No two runs of one source overlap in the record either.
	rows := bankRows(t, db, `SELECT count(*) FROM meta.schedule_runs a JOIN meta.schedule_runs b
        ON a.source = b.source AND a.run_id < b.run_id AND b.started_at < a.finished_at AND a.started_at < b.finished_at`)
	if rows[0] != "0" {
		t.Errorf("overlapping runs of one source: %s", rows[0])
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.schedule_runs"); n != int64(len(runs)) {
		t.Errorf("recorded runs = %d, reported runs = %d", n, len(runs))
	}
}

func TestSchedulerNeedsASchedule(t *testing.T) {
	s := &Scheduler{Sources: []Source{{Name: "a", Entity: "clients", Files: "*.csv"}}}
	if err := s.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "no source has a schedule") {
		t.Errorf("Run without schedules = %v, want an error", err)
	}
}
