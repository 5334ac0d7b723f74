package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// Scheduler runs the sources that have a `schedule:` (cron, 5 fields, in
// the local time zone) under gocron until its context ends. A source never
// runs twice at once: gocron's singleton mode skips a firing while the
// previous run of that source is still going. Runs of different sources take
// turns, because the warehouse has one writer; the warehouse is opened for
// each run and closed after it, so other kam commands can use it in between.
// Every run is recorded in meta.schedule_runs with its outcome and counts
// (the files themselves are in meta.load_runs, linked by load_ids); a run
// that cannot open the warehouse (another kam holds it) cannot be recorded
// there and is only reported to OnRun, and the source runs again at its next
// time.
type Scheduler struct {
	// Sources to schedule; those without a schedule are ignored.
	Sources []Source
	// Open opens the warehouse for one run; the scheduler closes l.DB when the run ends.
	Open func(ctx context.Context) (*Loader, error)
	// OnRun, if set, is told about every run once the warehouse is closed
	// again (to print it, or to build the marts when something loaded).
	OnRun func(ctx context.Context, run ScheduledRun)
	// WithSeconds reads the schedules with a leading seconds field (tests).
	WithSeconds bool
	// StopTimeout is how long Run waits for running jobs after its context
	// ends (default 30s); a job sees its context cancelled and rolls back.
	StopTimeout time.Duration

	mu sync.Mutex // one run at a time
}

// Outcomes of a scheduled run.
const (
	RunOK        = "ok"        // every file or pull loaded or was already loaded
	RunPartial   = "partial"   // some failed, the rest loaded
	RunFailed    = "failed"    // nothing could be loaded (all failed, or the warehouse could not be opened)
	RunCancelled = "cancelled" // the scheduler stopped during the run
)

// ScheduledRun is one run of one source.
type ScheduledRun struct {
	RunID                     int64 // 0 when the run could not be recorded
	Source                    string
	Outcome                   string
	Started, Finished         time.Time
	Loaded, Skipped, Failed   int // files (or pulls)
	RowsRead, RowsLoaded      int64
	RowsQuarantined, Filtered int64
	Message                   string // the first error, if any
	Results                   []FileResult
}

func (r ScheduledRun) String() string {
	s := fmt.Sprintf("%s: %s in %.1fs: %d loaded (%d rows, %d quarantined, %d filtered), %d already loaded, %d failed",
		r.Source, r.Outcome, r.Finished.Sub(r.Started).Seconds(), r.Loaded, r.RowsLoaded, r.RowsQuarantined, r.Filtered, r.Skipped, r.Failed)
	if r.Message != "" {
		s += ": " + r.Message
	}
	return s
}

const scheduleRunsDDL = `CREATE SEQUENCE IF NOT EXISTS meta.schedule_run_seq START 1;
CREATE TABLE IF NOT EXISTS meta.schedule_runs (
    run_id BIGINT,
    source VARCHAR,
    outcome VARCHAR,
    files_loaded INTEGER,
    files_skipped INTEGER,
    files_failed INTEGER,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    rows_filtered BIGINT,
    load_ids BIGINT[],
    message VARCHAR,
    started_at TIMESTAMP,
    finished_at TIMESTAMP
)`

// Run schedules the sources and blocks until ctx ends, then stops cleanly:
// no new runs start, and running ones are cancelled and waited for.
func (s *Scheduler) Run(ctx context.Context) error {
	var srcs []*Source
	for i := range s.Sources {
		if s.Sources[i].Schedule != "" {
			srcs = append(srcs, &s.Sources[i])
		}
	}
	if len(srcs) == 0 {
		return errors.New("no source has a schedule: add e.g. `schedule: \"*/15 * * * *\"` to a source in kam.yaml")
	}
	stop := s.StopTimeout
	if stop <= 0 {
		stop = 30 * time.Second
	}
	sch, err := gocron.NewScheduler(gocron.WithStopTimeout(stop))
	if err != nil {
		return err
	}
	for _, src := range srcs {
		_, err := sch.NewJob(
			gocron.CronJob(src.Schedule, s.WithSeconds),
			gocron.NewTask(func(ctx context.Context) { s.RunOnce(ctx, src) }),
			gocron.WithName(src.Name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithContext(ctx),
		)
		if err != nil {
			_ = sch.Shutdown()
			return fmt.Errorf("source %s: schedule %q: %w", src.Name, src.Schedule, err)
		}
	}
	sch.Start()
	<-ctx.Done()
	if err := sch.Shutdown(); err != nil {
		return fmt.Errorf("stop the scheduler: %w", err)
	}
	return nil
}

// RunOnce runs one source now (waiting for any other run to finish),
// records the run and reports it to OnRun. A run whose context ends while
// it waits never starts: it is neither recorded nor reported.
func (s *Scheduler) RunOnce(ctx context.Context, src *Source) ScheduledRun {
	s.mu.Lock()
	run, started := s.runLocked(ctx, src)
	s.mu.Unlock()
	if s.OnRun != nil && started {
		s.OnRun(ctx, run)
	}
	return run
}

func (s *Scheduler) runLocked(ctx context.Context, src *Source) (ScheduledRun, bool) {
	run := ScheduledRun{Source: src.Name, Started: time.Now()}
	if ctx.Err() != nil {
		run.Outcome, run.Finished = RunCancelled, time.Now()
		return run, false
	}
	l, err := s.Open(ctx)
	if err != nil {
		if ctx.Err() != nil { // stopping: the run never started
			run.Outcome, run.Finished = RunCancelled, time.Now()
			return run, false
		}
		run.Outcome, run.Message, run.Finished = RunFailed, err.Error(), time.Now()
		return run, true
	}
	defer l.DB.Close()
	run.Started = l.now()
	run.Results = l.Run(ctx, []Source{*src})
	var ids []string
	for _, r := range run.Results {
		switch r.Status {
		case StatusFailed:
			run.Failed++
			if run.Message == "" && r.Err != nil {
				run.Message = r.Err.Error()
			}
		case StatusSkipped:
			run.Skipped++
		default:
			run.Loaded++
			run.RowsRead += r.Read
			run.RowsLoaded += r.Loaded
			run.RowsQuarantined += r.Quarantined
			run.Filtered += r.Filtered
		}
		if r.LoadID > 0 {
			ids = append(ids, fmt.Sprint(r.LoadID))
		}
		if r.ArchiveErr != nil && run.Message == "" {
			run.Message = r.ArchiveErr.Error()
		}
	}
	switch {
	case ctx.Err() != nil:
		run.Outcome = RunCancelled
	case run.Failed > 0 && run.Loaded+run.Skipped == 0:
		run.Outcome = RunFailed
	case run.Failed > 0:
		run.Outcome = RunPartial
	default:
		run.Outcome = RunOK
	}
	run.Finished = l.now()
	// Record even when the scheduler is stopping: the run happened.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := l.DB.ExecContext(rctx, scheduleRunsDDL); err == nil {
		err = l.DB.QueryRowContext(rctx, "SELECT nextval('meta.schedule_run_seq')").Scan(&run.RunID)
		if err == nil {
			_, err = l.DB.ExecContext(rctx, fmt.Sprintf(`INSERT INTO meta.schedule_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, [%s]::BIGINT[], ?, ?, ?)`, strings.Join(ids, ", ")),
				run.RunID, run.Source, run.Outcome, run.Loaded, run.Skipped, run.Failed,
				run.RowsRead, run.RowsLoaded, run.RowsQuarantined, run.Filtered, run.Message, run.Started, run.Finished)
		}
		if err != nil {
			run.RunID = 0
			run.Message = strings.TrimPrefix(run.Message+"; ", "; ") + "the run could not be recorded: " + err.Error()
		}
	}
	return run, true
}
