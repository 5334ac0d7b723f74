package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/ingest"
)

func (a *app) ingestCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "ingest [SOURCE...]",
		Short: "Load new files of every source (or the named ones) into the warehouse",
		Long: `ingest loads every file matched by the sources in kam.yaml, one transaction
per file. Files whose bytes were loaded before (under any name) are skipped.
Rows that fail typing go to the quarantine with file, line and reason
(` + "`kam export quarantine`" + `); a later row with the same key replaces the earlier one.
A file that fails (unknown column, unreadable) is reported and not recorded,
so the fixed file loads next time; the other files still load (exit code 3).
Each file prints read = loaded + replaced + quarantined + filtered; the same
counts stay in ` + "`kam export load_runs`" + `.

A source in kam.yaml maps an export onto a canonical entity
(docs/data-contract.md lists the entities and fields):

  sources:
    - name: erp_orders              # unique
      entity: order_lines
      files: inbox/erp/*.csv        # glob, relative to kam.yaml
      format: csv                   # csv tsv xlsx json ndjson parquet 1c-bank camt053 postgres http
      encoding: windows-1251        # utf-8 (default), utf-16le/be, koi8-r; gzip is detected
      delimiter: ";"
      decimal: ","
      thousands: " "                # the no-break space Excel writes works too
      date_format: "%d.%m.%Y"
      columns:                      # canonical field: source column or {expr: SQL}
        order_id: Номер
        qty: {expr: "coalesce(Количество, 0)"}
      filter: "Статус <> 'Черновик'" # rows it drops count as filtered
      schedule: "*/15 * * * *"      # for kam schedule
      archive: done/erp             # move loaded files here

Other keys: header/names (header-less files), nulls, sheet (xlsx),
records (json path), dsn/dsn_env/query/watermark (postgres),
url/token_env/paginate/page_param/cursor/max_pages/timeout (http).
Bank statements (1c-bank, camt053) need company.inn: payments to it become
payments, matched to clients by INN; outgoing ones are counted and skipped.`,
		Example: "  kam ingest\n  kam ingest order_lines payments",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			_, err = a.ingest(cmd.Context(), c, args, true)
			return err
		},
	}
}

// ingest runs the named sources (all when none); perFile prints one line per
// loaded file besides the summary.
func (a *app) ingest(ctx context.Context, c *config.Config, names []string, perFile bool) ([]ingest.FileResult, error) {
	sources := c.Sources
	if len(names) > 0 {
		sources = nil
		for _, n := range names {
			s, ok := c.Source(n)
			if !ok {
				return nil, withCode(exitUsage, fmt.Errorf("no source named %q in %s", n, c.Path()))
			}
			sources = append(sources, *s)
		}
	}
	db, err := a.openWarehouse(ctx, c, false)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	l := &ingest.Loader{DB: db, BaseDir: c.Dir(), Now: a.now, CompanyINN: c.Company.INN}
	line := a.progress()
	if line != nil {
		l.Progress = func(done, total int, file string) { line.show("ingest %d/%d: %s", done+1, total, file) }
	}
	results := l.Run(ctx, sources)
	line.clear()
	var failed, loaded, skipped int
	var rows, quarantined int64
	for _, r := range results {
		switch r.Status {
		case ingest.StatusFailed:
			failed++
			if ctx.Err() != nil {
				// the driver's words for it ("context canceled", "INTERRUPT Error") say less than this
				fmt.Fprintf(a.stderr, "ingest %s: interrupted, not loaded (rolled back)\n", r.File)
				continue
			}
			fmt.Fprintln(a.stderr, r.Err) // "ingest FILE: what is wrong"
		case ingest.StatusSkipped:
			skipped++
		default:
			loaded++
			rows += r.Loaded
			quarantined += r.Quarantined
			if perFile {
				fmt.Fprintf(a.stdout, "ingest %s\n", r)
			}
		}
	}
	fmt.Fprintf(a.stdout, "ingest: %d file(s) loaded (%d rows, %d quarantined), %d already loaded, %d failed\n",
		loaded, rows, quarantined, skipped, failed)
	if quarantined > 0 {
		fmt.Fprintf(a.stdout, "ingest: see the quarantined rows with `kam export quarantine`\n")
	}
	if err := ctx.Err(); err != nil {
		return results, err
	}
	if failed > 0 {
		return results, withCode(exitPartial, fmt.Errorf("%d file(s) failed to load; fix them and run kam ingest again", failed))
	}
	return results, nil
}
