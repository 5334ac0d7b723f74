package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
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
warehouse gives the same bytes.

--as-of another date than the last build's draws the pages from a copy of
the warehouse built as of that date (beside it, removed afterwards), so they
are exactly what kam build --as-of DATE followed by kam render would give:
nothing after the date counts, in its year to date and run-rates too.`,
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
	db, asOf, closeDB, err := a.openBuiltAsOf(ctx, c, false, asOf)
	if err != nil {
		return err
	}
	defer closeDB()
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

// openBuiltAsOf opens the warehouse for pages as of asOf (zero: the last
// build's date, which it returns). The marts hold what the last build
// computed as of its date, so a page of another date, such as the pack of a
// past month, would count later days in its year to date, its run-rates and
// its gap values. For another date the warehouse is copied beside itself
// and the copy built as of asOf, exactly as `kam build --as-of` would; close
// removes the copy.
func (a *app) openBuiltAsOf(ctx context.Context, c *config.Config, readOnly bool, asOf time.Time) (db *sql.DB, at time.Time, close func(), err error) {
	if db, err = a.openWarehouse(ctx, c, readOnly); err != nil {
		return nil, time.Time{}, nil, err
	}
	built, err := lastBuildAsOf(ctx, db)
	if err != nil || asOf.IsZero() || asOf.Equal(built) {
		if err != nil {
			db.Close()
			return nil, time.Time{}, nil, err
		}
		return db, built, func() { db.Close() }, nil
	}
	path := c.Resolve(c.Warehouse)
	dir, err := copyWarehouse(ctx, db, path, readOnly)
	db.Close()
	if err != nil {
		return nil, time.Time{}, nil, fmt.Errorf("copy the warehouse to build it as of %s: %w", asOf.Format("2006-01-02"), err)
	}
	removeCopy := func() { os.RemoveAll(dir) }
	fmt.Fprintf(a.stdout, "the marts are built as of %s: building a copy of the warehouse as of %s to draw from\n",
		built.Format("2006-01-02"), asOf.Format("2006-01-02"))
	cc := *c
	cc.Warehouse = filepath.Join(dir, filepath.Base(path))
	if _, err := a.build(ctx, &cc, asOf, false); err != nil {
		removeCopy()
		return nil, time.Time{}, nil, err
	}
	if db, err = a.openWarehouse(ctx, &cc, readOnly); err != nil {
		removeCopy()
		return nil, time.Time{}, nil, err
	}
	return db, asOf, func() { db.Close(); removeCopy() }, nil
}

// copyWarehouse copies the open warehouse at path (and its write-ahead log)
// into a new hidden folder beside it, where there is room for it. The open
// connection holds the file's lock, so no other process writes meanwhile.
func copyWarehouse(ctx context.Context, db *sql.DB, path string, readOnly bool) (string, error) {
	if !readOnly {
		if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
			return "", err
		}
	}
	dir, err := os.MkdirTemp(filepath.Dir(path), ".kam-as-of-")
	if err != nil {
		return "", err
	}
	for _, name := range []string{path, path + ".wal"} {
		if err := copyFile(name, filepath.Join(dir, filepath.Base(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// lastBuild reads the last build's as-of date from the warehouse.
func (a *app) lastBuild(ctx context.Context, c *config.Config) (time.Time, error) {
	db, err := a.openWarehouse(ctx, c, true)
	if err != nil {
		return time.Time{}, err
	}
	defer db.Close()
	return lastBuildAsOf(ctx, db)
}

func lastBuildAsOf(ctx context.Context, db *sql.DB) (time.Time, error) {
	var d sql.NullTime
	err := db.QueryRowContext(ctx, "SELECT as_of FROM meta.builds ORDER BY build_id DESC LIMIT 1").Scan(&d)
	if err != nil || !d.Valid {
		return time.Time{}, errors.New("no build yet: run `kam build` first")
	}
	return d.Time, nil
}
