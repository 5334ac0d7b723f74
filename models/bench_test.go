package models_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kam-analytics/kam/models"
)

// BenchmarkBuild builds the warehouse of a generated company of
// KAM_BENCH_LINES order lines (default 10,000,000) over two years on a
// 1 GB memory limit, then adds one more day (its order lines, invoices,
// payments and returns) and builds again. It reports the full build's
// seconds and peak RSS and the incremental build's seconds and share of the
// full one. The company is the one issue 4 names, `kam gen --order-lines N`
// ingested by kam (genCompany); KAM_BENCH_COMPANY=sql takes the company of
// the generated-data tests instead (company_test.go: written by SQL, faster
// to make, the one the results before 2026-11-28 were measured on). Run it
// with `make bench` or
//
//	go test ./models/ -run '^$' -bench BenchmarkBuild -benchtime 1x -timeout 60m
func BenchmarkBuild(b *testing.B) {
	lines := 10_000_000
	if s := os.Getenv("KAM_BENCH_LINES"); s != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
		if err != nil || n <= 0 {
			b.Fatalf("KAM_BENCH_LINES=%q: want a number of order lines", s)
		}
		lines = n
	}
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		genStarted := time.Now()
		next := date(genAsOf).AddDate(0, 0, 1).Format("2006-01-02")
		var db *sql.DB
		var addDay func(context.Context) (int64, error)
		switch company := os.Getenv("KAM_BENCH_COMPANY"); company {
		case "", "gen":
			db, addDay = genCompany(b, lines)
		case "sql":
			db = generate(b, lines)
			addDay = func(ctx context.Context) (int64, error) {
				conn, err := db.Conn(ctx)
				if err != nil {
					return 0, err
				}
				defer conn.Close()
				return 30_000, generateOrders(ctx, conn, 30_000, 900_000_000, next, 1, next, 3)
			}
		default:
			b.Fatalf("KAM_BENCH_COMPANY=%q: want gen (kam gen, the default) or sql", company)
		}
		if _, err := db.ExecContext(ctx, "SET memory_limit = '1GB'"); err != nil {
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %s order lines in %.1fs", rowsOf(b, db, "SELECT count(*) FROM main.order_lines")[0], time.Since(genStarted).Seconds())
		resetPeakRSS()
		b.StartTimer()

		cpu0 := cpuTime()
		start := time.Now()
		res, err := models.Build(ctx, db, models.Options{AsOf: date(genAsOf)})
		if err != nil {
			b.Fatal(err)
		}
		full := time.Since(start)
		fullCPU := cpuTime() - cpu0
		peak := peakRSS()
		b.StopTimer()
		logSlowest(b, res)

		// One more day, the day after as-of.
		dayLines, err := addDay(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("one more day: %d order lines", dayLines)
		// kam ingest closes the warehouse when it is done, and DuckDB checkpoints
		// on close: the build that follows finds the new rows already written
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu0 = cpuTime()
		start = time.Now()
		res, err = models.Build(ctx, db, models.Options{AsOf: date(next)})
		if err != nil {
			b.Fatal(err)
		}
		incr := time.Since(start)
		incrCPU := cpuTime() - cpu0
		b.StopTimer()
		logSlowest(b, res)

		b.ReportMetric(full.Seconds(), "full-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
		b.ReportMetric(incr.Seconds(), "incr-s")
		b.ReportMetric(100*incr.Seconds()/full.Seconds(), "incr-%")
		b.ReportMetric(fullCPU.Seconds(), "full-cpu-s")
		b.ReportMetric(incrCPU.Seconds(), "incr-cpu-s")
		db.Close()
	}
}

func logSlowest(b *testing.B, res *models.Result) {
	var parts []string
	modes := map[string]int{}
	for _, m := range res.Models {
		modes[m.Mode]++
		if m.Duration > 50*time.Millisecond {
			parts = append(parts, m.Name+" "+m.Mode+" "+strconv.FormatFloat(m.Duration.Seconds(), 'f', 2, 64)+"s ("+strconv.FormatFloat(m.CPU.Seconds(), 'f', 2, 64)+" cpu)")
		}
	}
	b.Logf("build as of %s: %d models (%v), plan %.2fs, %d checks in %.2fs (%.2f cpu), publish %.2fs (%.2f cpu), checkpoint %.2fs (%.2f cpu); slowest: %s", res.AsOf.Format("2006-01-02"), len(res.Models), modes,
		res.PlanDuration.Seconds(), res.Checks, res.ChecksDuration.Seconds(), res.ChecksCPU.Seconds(), res.PublishDuration.Seconds(), res.PublishCPU.Seconds(),
		res.CheckpointDuration.Seconds(), res.CheckpointCPU.Seconds(), strings.Join(parts, ", "))
}

// cpuTime is the process's user + system CPU time so far (DuckDB runs in
// the process): on a machine shared with other work it varies less than
// wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS clears the process's high-water mark of resident memory
// (Linux; elsewhere peakRSS reports the peak since the start).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident set size in bytes (VmHWM).
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
