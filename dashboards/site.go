// Package dashboards renders reports as self-contained HTML pages for each
// audience. Every page opens from file:// with no network request: styles,
// ECharts (embedded from the pinned npm package) and chart options are
// inline. Chart ids are fixed and nothing reads the clock, so the same
// warehouse and options give byte-identical files. Text from data stays
// text: html/template escapes it in HTML, chart options are JSON with <, >
// and & escaped, and `__f__` markers are removed from chart labels (see
// chart.go).
package dashboards

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/kam-analytics/kam/reports"
)

// Options choose the language and the date of a rendering.
type Options struct {
	Lang   string    // "ru" (default) or "en"
	AsOf   time.Time // report date, required: pages say what date they show
	Period string    // YYYY-MM; default the month of AsOf
	// Compensation is the compensation plans file (compensation.yaml): with
	// it, and pay lines in the year, the site has an HR page (hr/). Empty
	// or missing: no HR page.
	Compensation string
}

func (o Options) check() (string, error) {
	if o.AsOf.IsZero() {
		return "", fmt.Errorf("dashboards: no as-of date")
	}
	switch o.Lang {
	case "", "ru":
		return "ru", nil
	case "en":
		return "en", nil
	}
	return "", fmt.Errorf("dashboards: language %q: want ru or en", o.Lang)
}

var landingTpl = template.Must(template.New("landing").Parse(`
<section>
<h2>{{.L.audiences}}</h2>
<ul class="links">
<li><a href="director/index.html">{{.L.director}}</a></li>
{{if .HR}}<li><a href="hr/index.html">{{.L.hr}}</a></li>
{{end}}</ul>
</section>
{{if .KAMs}}<section>
<h2>{{.L.kams}}</h2>
<ul class="links">
{{range .KAMs}}<li><a href="{{.Href}}">{{.Name}}</a> <span class="muted">{{.ID}} · {{.Team}}</span></li>
{{end}}</ul>
</section>{{end}}
`))

// RenderSite writes dir/index.html (links to every audience),
// dir/director/index.html and details.html, dir/kam/<manager_id>/index.html
// for each manager employed in the year (only their own clients, so the folder can
// be handed to that KAM as it is) and, with opt.Compensation and pay lines
// in the year, dir/hr/index.html with the payroll workbooks beside it.
func RenderSite(ctx context.Context, db *sql.DB, dir string, opt Options) error {
	lang, err := opt.check()
	if err != nil {
		return err
	}
	params := reports.Params{AsOf: opt.AsOf, Period: opt.Period}
	period, _, err := params.Month()
	if err != nil {
		return err
	}
	// The HR page needs nothing from the other pages and is most of the
	// render's work (twelve pay sheets and workbooks): it runs beside them,
	// filling the cores their reads leave idle.
	hrCtx, cancelHR := context.WithCancel(ctx)
	hrDone := make(chan struct{})
	var hr bool
	var hrErr error
	go func() {
		defer close(hrDone)
		hr, hrErr = renderHR(hrCtx, db, dir, lang, opt, period)
	}()
	defer func() { cancelHR(); <-hrDone }()

	d, err := LoadDirector(ctx, db, opt)
	if err != nil {
		return err
	}
	ids, err := reports.ManagerIDs(ctx, db, params)
	if err != nil {
		return err
	}
	// Every KAM's page is read at once (one query per panel: preparing
	// queries was most of the time when each page read its own), then one
	// worker per core lays out and writes the pages.
	ks, err := reports.LoadKAMs(ctx, db, params, ids)
	if err != nil {
		return err
	}
	// The director's forecasts are those of the page's date (recomputed
	// for an earlier one): the KAM pages show the same.
	kamForecastsAsOf(ks, d.Forecasts)
	kams := make([]managerRow, len(ids))
	err = forEach(ctx, len(ids), func(i int) error {
		id, k := ids[i], ks[i]
		p, err := kamPage(k, lang)
		if err != nil {
			return err
		}
		p.Footer = footer(lang, opt.AsOf)
		if err := p.write(filepath.Join(dir, "kam", id, "index.html")); err != nil {
			return err
		}
		kams[i] = managerRow{ID: id, Name: k.Manager.Name, Team: k.Manager.Team, Href: "kam/" + id + "/index.html"}
		return nil
	})
	if err != nil {
		return err
	}
	hasPage := map[string]bool{}
	for _, k := range kams {
		hasPage[k.ID] = true
	}
	dp, details, err := directorPages(d, lang, func(id string) string {
		if hasPage[id] {
			return "../kam/" + id + "/index.html"
		}
		return ""
	}, true)
	if err != nil {
		return err
	}
	dp.Footer, details.Footer = footer(lang, opt.AsOf), footer(lang, opt.AsOf)
	if err := dp.write(filepath.Join(dir, "director", "index.html")); err != nil {
		return err
	}
	if err := details.write(filepath.Join(dir, "director", directorDetails)); err != nil {
		return err
	}
	<-hrDone
	if hrErr != nil {
		return hrErr
	}
	var b bytes.Buffer
	if err := landingTpl.Execute(&b, map[string]any{
		"L":    map[string]string{"audiences": tr(lang, "site.audiences"), "director": tr(lang, "site.director"), "kams": tr(lang, "site.kams"), "hr": tr(lang, "site.hr")},
		"KAMs": kams, "HR": hr,
	}); err != nil {
		return err
	}
	landing := &page{Lang: lang, Title: tr(lang, "site.title"), Subtitle: MonthName(d.Period, lang) + " · " + tr(lang, "as_of") + " " + Date(opt.AsOf, lang),
		Body: template.HTML(b.String()), Footer: footer(lang, opt.AsOf)}
	return landing.write(filepath.Join(dir, "index.html"))
}

// RenderDirector writes only the director's page to path, without links to
// other pages, for the monthly pack (printed to PDF by Chromium).
func RenderDirector(ctx context.Context, db *sql.DB, path string, opt Options) error {
	lang, err := opt.check()
	if err != nil {
		return err
	}
	d, err := LoadDirector(ctx, db, opt)
	if err != nil {
		return err
	}
	p, err := directorPage(d, lang, nil)
	if err != nil {
		return err
	}
	p.Root = ""
	p.Footer = footer(lang, opt.AsOf)
	return p.write(path)
}

func footer(lang string, asOf time.Time) string {
	return "kam · " + tr(lang, "as_of") + " " + Date(asOf, lang) + " · ECharts 5.6.0 (Apache-2.0)"
}

// forEach calls f(0) … f(n-1) on runtime.GOMAXPROCS workers and returns the
// first error (by index), after every started call has returned.
func forEach(ctx context.Context, n int, f func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(n, runtime.GOMAXPROCS(0)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}
