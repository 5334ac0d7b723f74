package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/kam-analytics/kam/cmd/kam/internal/config"
	"github.com/kam-analytics/kam/dashboards"
)

func (a *app) renderCmd() *cobra.Command {
	var out, lang, asOf string
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Write the dashboards as a self-contained static site",
		Long: `render writes DIR/index.html and one folder per audience from the marts of
the last build: director/, kam/<manager_id>/ (own clients only) and, when
compensation.yaml (the config's compensation: key) gives pay lines in the
year, hr/ with the pay sheets and their payroll XLSX files. Every page is
one self-contained HTML file: the chart library is embedded, nothing is
requested from another host, and the pages work opened from disk. The same
warehouse gives the same bytes.`,
		Example: "  kam render --out site --lang en",
		RunE: func(cmd *cobra.Command, args []string) error {
			var d time.Time
			var err error
			if asOf != "" {
				if d, err = parseDate(asOf); err != nil {
					return err
				}
			}
			c, err := a.loadConfig()
			if err != nil {
				return err
			}
			if out == "" {
				out = c.Resolve(c.Site)
			}
			return a.render(cmd.Context(), c, out, lang, d)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output folder (default: site: from kam.yaml)")
	cmd.Flags().StringVar(&lang, "lang", "ru", "language of the pages: ru or en")
	cmd.Flags().StringVar(&asOf, "as-of", "", "report date YYYY-MM-DD (default: the as-of date of the last build)")
	return cmd
}

func (a *app) render(ctx context.Context, c *config.Config, out, lang string, asOf time.Time) error {
	if lang != "ru" && lang != "en" {
		return withCode(exitUsage, fmt.Errorf("--lang %q: want ru or en", lang))
	}
	db, err := a.openWarehouse(ctx, c, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if asOf.IsZero() {
		if asOf, err = lastBuildAsOf(ctx, db); err != nil {
			return err
		}
	}
	opt := dashboards.Options{Lang: lang, AsOf: asOf, Compensation: c.Resolve(c.Compensation)}
	// the pages are written side by side: one line says what is going on
	line := a.progress()
	line.show("render: the director's, KAMs' and HR pages into %s", out)
	err = dashboards.RenderSite(ctx, db, out, opt)
	line.clear()
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	fmt.Fprintf(a.stdout, "render: site written to %s (as of %s, %s)\n", filepath.Join(out, "index.html"), asOf.Format("2006-01-02"), lang)
	return nil
}

func lastBuildAsOf(ctx context.Context, db *sql.DB) (time.Time, error) {
	var d sql.NullTime
	err := db.QueryRowContext(ctx, "SELECT as_of FROM meta.builds ORDER BY build_id DESC LIMIT 1").Scan(&d)
	if err != nil || !d.Valid {
		return time.Time{}, errors.New("no build yet: run `kam build` first")
	}
	return d.Time, nil
}
