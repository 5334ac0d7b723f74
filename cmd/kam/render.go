package main

import (
	"bytes"
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

The site is written beside DIR and put in its place whole: an interrupted
or failed render leaves the previous site as it was, and pages of KAMs who
left do not stay. DIR must hold nothing but a site kam wrote.

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
	out, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if err := checkSiteFolder(out); err != nil {
		return err
	}
	db, asOf, closeDB, err := a.openBuiltAsOf(ctx, c, false, asOf)
	if err != nil {
		return err
	}
	defer closeDB()
	// The site is written into a folder beside out and swapped in whole: an
	// interrupted or failed render leaves the previous site as it was, and
	// no page of another date or of a KAM gone stays beside the new ones.
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	removeStale(filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+"-next-*"))
	next, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+"-next-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(next) // gone already once swapped in
	if err := os.Chmod(next, 0o755); err != nil {
		return err
	}
	if err := linkPayrolls(out, next); err != nil {
		return err
	}
	opt := dashboards.Options{Lang: lang, AsOf: asOf, Compensation: c.Resolve(c.Compensation)}
	// the pages are written side by side: one line says what is going on
	line := a.progress()
	line.show("render: the director's, KAMs' and HR pages into %s", out)
	err = dashboards.RenderSite(ctx, db, next, opt)
	line.clear()
	if err == nil {
		// an interrupt the render did not stop at may have left its mark in a page (a warning)
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if err := prunePayrolls(next); err != nil {
		return err
	}
	if err := swapFolder(next, out); err != nil {
		return fmt.Errorf("render: put the new site in place of %s: %w", out, err)
	}
	fmt.Fprintf(a.stdout, "render: site written to %s (as of %s, %s)\n", filepath.Join(out, "index.html"), asOf.Format("2006-01-02"), lang)
	return nil
}

// siteEntries are what a render writes at the top of its folder.
var siteEntries = map[string]bool{"index.html": true, "director": true, "kam": true, "hr": true}

// checkSiteFolder refuses an output folder holding anything a render does
// not write: the render replaces the folder whole.
func checkSiteFolder(out string) error {
	ents, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !siteEntries[e.Name()] {
			return withCode(exitUsage, fmt.Errorf("%s holds %s, which kam render did not write: a render replaces its folder whole, so give --out an empty or new folder", out, e.Name()))
		}
	}
	return nil
}

// linkPayrolls links the payroll workbooks of the current site into the
// next one: the HR page rewrites only those whose pay sheet changed, and
// writes each through a new file, never into a linked one.
func linkPayrolls(out, next string) error {
	old, err := filepath.Glob(filepath.Join(out, "hr", "payroll-*.xlsx"))
	if err != nil || len(old) == 0 {
		return err
	}
	if err := os.MkdirAll(filepath.Join(next, "hr"), 0o755); err != nil {
		return err
	}
	for _, f := range old {
		// only a saving: where the file system has no hard links, the HR page writes them all
		_ = os.Link(f, filepath.Join(next, "hr", filepath.Base(f)))
	}
	return nil
}

// prunePayrolls removes the linked workbooks the new HR page does not link to.
func prunePayrolls(next string) error {
	files, err := filepath.Glob(filepath.Join(next, "hr", "payroll-*.xlsx"))
	if err != nil || len(files) == 0 {
		return err
	}
	page, err := os.ReadFile(filepath.Join(next, "hr", "index.html"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, f := range files {
		if !bytes.Contains(page, []byte(`"`+filepath.Base(f)+`"`)) {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeStale removes the working folders matching pattern that a killed
// render or report left behind (a warehouse copy is as large as the
// warehouse). Only those a day old: another render may be using a newer one.
func removeStale(pattern string) {
	dirs, _ := filepath.Glob(pattern)
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() && time.Since(st.ModTime()) > 24*time.Hour {
			os.RemoveAll(d)
		}
	}
}

// swapFolder puts next in place of out (which may not exist yet) and removes the old one.
func swapFolder(next, out string) error {
	if _, err := os.Stat(out); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(next, out)
	}
	old := next + "-old"
	if err := os.Rename(out, old); err != nil {
		return err
	}
	if err := os.Rename(next, out); err != nil {
		os.Rename(old, out)
		return err
	}
	return os.RemoveAll(old)
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
	removeStale(filepath.Join(filepath.Dir(path), ".kam-as-of-*"))
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
