package ingest

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"
)

// validatePullAndSchedule checks the keys of bank-statement and pull
// sources and the schedule and archive of any source. Keys that do not apply
// to the source's format are errors, so a typo never silently does nothing.
func (s *Source) validatePullAndSchedule() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("source %s: "+format, append([]any{s.Name}, args...)...)
	}
	if s.Schedule != "" {
		if err := gocron.NewDefaultCron(false).IsValid(s.Schedule, time.Local, time.Now()); err != nil {
			return bad("schedule: %q is not a 5-field cron expression (minute hour day-of-month month day-of-week, e.g. \"*/15 * * * *\"): %v", s.Schedule, err)
		}
	}
	if s.Timeout != "" {
		if d, err := time.ParseDuration(s.Timeout); err != nil || d <= 0 {
			return bad("timeout: %q is not a positive duration such as \"30s\" or \"10m\"", s.Timeout)
		}
	}
	if s.MaxPages < 0 {
		return bad("max_pages: %d must be positive", s.MaxPages)
	}
	// set lists the keys that are set among those named.
	set := func(keys ...string) []string {
		val := map[string]bool{
			"dsn": s.DSN != "", "dsn_env": s.DSNEnv != "", "query": s.Query != "", "watermark": s.Watermark != "",
			"url": s.URL != "", "token_env": s.TokenEnv != "", "paginate": s.Paginate != "", "page_param": s.PageParam != "",
			"cursor": s.Cursor != "", "max_pages": s.MaxPages != 0, "timeout": s.Timeout != "", "files": s.Files != "",
			"archive": s.Archive != "", "encoding": s.Encoding != "", "delimiter": s.Delimiter != "", "decimal": s.Decimal != "",
			"thousands": s.Thousands != "", "date_format": s.DateFormat != "", "header": s.Header != nil, "names": len(s.Names) > 0,
			"sheet": s.Sheet != "", "records": s.Records != "",
		}
		var out []string
		for _, k := range keys {
			if val[k] {
				out = append(out, k)
			}
		}
		return out
	}
	notFor := func(keys []string, why string) error {
		if len(keys) == 0 {
			return nil
		}
		return bad("%s: not used by format %s%s", strings.Join(keys, ", "), s.Format, why)
	}
	pgKeys := []string{"dsn", "dsn_env", "query", "watermark"}
	httpKeys := []string{"url", "token_env", "paginate", "page_param", "cursor", "max_pages"}
	fileKeys := []string{"files", "archive", "encoding", "delimiter", "decimal", "thousands", "date_format", "header", "names", "sheet"}

	switch s.Format {
	case "1c-bank", "camt053":
		if s.Entity != "payments" {
			return bad("format %s loads bank payments: set entity: payments (it is %s)", s.Format, s.Entity)
		}
		if err := notFor(set(append(append([]string{"encoding", "delimiter", "decimal", "thousands", "date_format", "header", "names", "sheet", "records", "timeout"}, pgKeys...), httpKeys...)...),
			" (the format fixes its own encoding, numbers and dates)"); err != nil {
			return err
		}
	case "postgres":
		if err := notFor(set(append(fileKeys, append(httpKeys, "records")...)...), ""); err != nil {
			return err
		}
		switch {
		case s.DSN == "" && s.DSNEnv == "":
			return bad("format postgres needs dsn_env (the environment variable holding the connection string) or dsn")
		case s.DSN != "" && s.DSNEnv != "":
			return bad("set dsn or dsn_env, not both")
		case strings.TrimSpace(s.Query) == "":
			return bad("format postgres needs query:")
		case s.Watermark != "" && !strings.Contains(s.Query, "$1"):
			return bad("query: with watermark: %s the query must filter on $1, e.g. \"where %s > $1\"", s.Watermark, s.Watermark)
		}
	case "http":
		if err := notFor(set(append(fileKeys, pgKeys...)...), ""); err != nil {
			return err
		}
		u, err := url.Parse(s.URL)
		switch {
		case s.URL == "":
			return bad("format http needs url:")
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			return bad("url: %q is not an http(s) URL", s.URL)
		}
		if s.Paginate == "none" {
			s.Paginate = ""
		}
		switch s.Paginate {
		case "", "page", "cursor":
		default:
			return bad("paginate: %q must be none, page or cursor", s.Paginate)
		}
		if s.Paginate == "cursor" && s.Cursor == "" {
			return bad("paginate: cursor needs cursor: (the dot path to the next cursor in each page, e.g. meta.next_cursor)")
		}
		if s.Paginate != "cursor" && s.Cursor != "" {
			return bad("cursor: is used only with paginate: cursor")
		}
		if s.Paginate == "" && s.PageParam != "" {
			return bad("page_param: is used only with paginate: page or cursor")
		}
	default:
		if err := notFor(set(append(pgKeys, append(httpKeys, "timeout")...)...), " (they belong to postgres and http sources)"); err != nil {
			return err
		}
	}
	return nil
}
