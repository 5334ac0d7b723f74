// Command kam is the key-account-management analytics pipeline: it ingests
// orders, payments and CRM exports into a DuckDB warehouse, builds the
// marts and writes dashboards. Run `kam --help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
