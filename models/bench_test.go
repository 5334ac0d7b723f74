package models_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kam-analytics/kam/models"
	"github.com/kam-analytics/kam/models/forecast/mart"
	"github.com/kam-analytics/kam/models/pay"
)

// BenchmarkBuild builds the warehouse of a generated company of
// KAM_BENCH_LINES order lines (default 10,000,000) over two years on a
// 1 GB memory limit, then adds one more day (its order lines, invoices,
// payments and returns) and builds again. It reports the full build's
// seconds and peak RSS and the incremental build's seconds and share of the
// full one. The company is the one issue 4 names, `kam gen --order-lines N`
// ingested by kam (genCompany); KAM_BENCH_COMPANY=sql takes the company of
// the generated-data tests instead (company_test.go: written by SQL, faster
// to make, the one docs/bench.md's results before its ninth pass were
// measured on). Besides the models it times what kam build does after them
// (pay gap values, segment forecasts: the *-cmd-s metrics). Run it with
// `make bench` or
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
		plansFile := filepath.Join(b.TempDir(), "compensation.yaml")
		if err := os.WriteFile(plansFile, []byte(benchPlans), 0o644); err != nil {
			b.Fatal(err)
		}
		resetPeakRSS()
		b.StartTimer()

		cpu0 := cpuTime()
		res, full, fullCmd := kamBuild(b, db, date(genAsOf), plansFile)
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
		res, incr, incrCmd := kamBuild(b, db, date(next), plansFile)
		incrCPU := cpuTime() - cpu0
		b.StopTimer()
		logSlowest(b, res)

		b.ReportMetric(full.Seconds(), "full-s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
		b.ReportMetric(incr.Seconds(), "incr-s")
		b.ReportMetric(100*incr.Seconds()/full.Seconds(), "incr-%")
		b.ReportMetric(fullCPU.Seconds(), "full-cpu-s")
		b.ReportMetric(incrCPU.Seconds(), "incr-cpu-s")
		b.ReportMetric(fullCmd.Seconds(), "full-cmd-s")
		b.ReportMetric(incrCmd.Seconds(), "incr-cmd-s")
		b.ReportMetric(100*incrCmd.Seconds()/fullCmd.Seconds(), "incr-cmd-%")
		db.Close()
	}
}

// benchPlans is the pay plan kam init writes (config.ExampleCompensation,
// internal to cmd/kam) without its comments: every manager, three KPIs.
const benchPlans = `plans:
  - name: kam-2026
    valid_from: 2026-01-01
    components:
      - {kpi: sales, weight: 0.5}
      - {kpi: active_clients, weight: 0.3}
      - {kpi: new_clients, weight: 0.2}
    curve: [[0.8, 0.5], [1.0, 1.0], [1.5, 2.0]]
    cap: 1.8
    gates:
      - {metric: overdue_share, above: 0.2, multiplier: 0.5}
`

// kamBuild does what kam build does (cmd/kam/build.go): the models, then
// the pay gap values and the segment forecasts. It returns the time of the
// models alone and of the whole.
func kamBuild(b *testing.B, db *sql.DB, asOf time.Time, plansFile string) (*models.Result, time.Duration, time.Duration) {
	ctx := context.Background()
	start := time.Now()
	res, err := models.Build(ctx, db, models.Options{AsOf: asOf})
	if err != nil {
		b.Fatal(err)
	}
	built := time.Since(start)
	if _, err := pay.Materialize(ctx, db, plansFile, res.AsOf); err != nil {
		b.Fatal(err)
	}
	paid := time.Since(start)
	if _, err := mart.Materialize(ctx, db, res.AsOf); err != nil {
		b.Fatal(err)
	}
	all := time.Since(start)
	b.Logf("kam build as of %s: models %.2fs, pay gap values %.2fs, segment forecasts %.2fs", res.AsOf.Format("2006-01-02"),
		built.Seconds(), (paid - built).Seconds(), (all - paid).Seconds())
	return res, built, all
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
