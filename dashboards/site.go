// Package dashboards renders reports as self-contained HTML pages: ECharts
// is inlined from the pinned npm package, chart ids are fixed, and the same
// warehouse gives byte-identical files. Untrusted text stays text: html/template
// escapes it in HTML, and chart options are JSON with <, > and & escaped.
package dashboards

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"html/template"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kam-analytics/kam/reports"
)

var decOne = decimal.NewFromInt(1)

// Options choose the language and the date of a rendering.
type Options struct {
	Lang   string // ru (default) or en
	AsOf   time.Time
	Period string // YYYY-MM; default the month of AsOf
}

var landingTpl = template.Must(template.New("landing").Parse(`
<section>
<h2>{{.Heading}}</h2>
<ul class="links">
{{range .Links}}<li><a href="{{.Href}}">{{.Text}}</a></li>
{{end}}
</ul>
</section>
`))

type link struct{ Href, Text string }

// RenderSite writes dir/index.html and a folder per audience: director/,
// kam/<manager_id>/ (each KAM's own clients only, so the folder can be handed
// to that KAM as it is).
func RenderSite(ctx context.Context, db *sql.DB, dir string, opt Options) error {
	lang := opt.Lang
	if lang != "en" {
		lang = "ru"
	}
	params := reports.Params{AsOf: opt.AsOf, Period: opt.Period}
	ids, err := reports.ManagerIDs(ctx, db, params)
	if err != nil {
		return err
	}
	var kamLinks []link
	for _, id := range ids {
		k, err := reports.LoadKAM(ctx, db, params, id)
		if err != nil {
			return err
		}
		kp, err := kamPage(k, lang)
		if err != nil {
			return err
		}
		kp.Footer = footer(lang, opt.AsOf)
		if err := kp.write(filepath.Join(dir, "kam", id, "index.html")); err != nil {
			return err
		}
		kamLinks = append(kamLinks, link{Href: "kam/" + id + "/index.html", Text: k.Manager.Name + " (" + id + ", " + k.Manager.Team + ")"})
	}
	d, err := reports.LoadDirector(ctx, db, params)
	if err != nil {
		return err
	}
	dp, err := directorPage(d, lang)
	if err != nil {
		return err
	}
	var lb bytes.Buffer
	if err := landingTpl.Execute(&lb, map[string]any{"Heading": tr(lang, "kam.link"), "Links": prefixed("../", kamLinks)}); err != nil {
		return err
	}
	dp.Body += template.HTML(lb.String())
	dp.Footer = footer(lang, opt.AsOf)
	if err := dp.write(filepath.Join(dir, "director", "index.html")); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := landingTpl.Execute(&b, map[string]any{"Heading": tr(lang, "audiences"), "Links": []link{
		{Href: "director/index.html", Text: tr(lang, "director.link")},
	}}); err != nil {
		return err
	}
	if err := landingTpl.Execute(&b, map[string]any{"Heading": tr(lang, "kam.pages"), "Links": kamLinks}); err != nil {
		return err
	}
	landing := &Page{Lang: lang, Title: tr(lang, "kam"), Subtitle: tr(lang, "as_of") + " " + opt.AsOf.Format("2006-01-02"),
		Body: template.HTML(b.String()), Footer: footer(lang, opt.AsOf)}
	return landing.write(filepath.Join(dir, "index.html"))
}

// RenderDirector writes only the director's page to path, for the monthly
// pack (printed to PDF by Chromium).
func RenderDirector(ctx context.Context, db *sql.DB, path string, opt Options) error {
	lang := opt.Lang
	if lang != "en" {
		lang = "ru"
	}
	d, err := reports.LoadDirector(ctx, db, reports.Params{AsOf: opt.AsOf, Period: opt.Period})
	if err != nil {
		return err
	}
	p, err := directorPage(d, lang)
	if err != nil {
		return err
	}
	p.Root = ""
	p.Footer = footer(lang, opt.AsOf)
	return p.write(path)
}

func prefixed(prefix string, links []link) []link {
	out := make([]link, len(links))
	for i, l := range links {
		out[i] = link{Href: prefix + l.Href, Text: l.Text}
	}
	return out
}

func footer(lang string, asOf time.Time) string {
	return fmt.Sprintf("kam · %s %s", tr(lang, "as_of"), asOf.Format("2006-01-02"))
}
