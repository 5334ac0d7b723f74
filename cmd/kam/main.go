// Command kam is the key-account-management analytics pipeline: it ingests
// orders, payments and CRM exports into a DuckDB warehouse, builds the
// marts and writes dashboards. Run `kam --help` for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := interruptible(context.Background())
	stopProfile := startProfile(os.Getenv("KAM_CPUPROFILE"))
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

// interruptible cancels ctx on the first SIGINT or SIGTERM with an
// *interrupted cause, so that run can say what happened and exit 128+signal.
// A second signal gets the default behaviour: it kills at once.
func interruptible(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			cancel(&interrupted{sig: s.(syscall.Signal)})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// startProfile writes a CPU profile of the whole command to path (the
// KAM_CPUPROFILE environment variable; docs/bench.md), for `go tool pprof`.
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kam: KAM_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
