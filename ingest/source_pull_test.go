package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestValidatePullAndSchedule(t *testing.T) {
	pg := func(edit func(s *Source)) Source {
		s := Source{Name: "erp", Entity: "payments", Format: "postgres", DSNEnv: "ERP_DSN", Query: "select * from p where updated_at > $1", Watermark: "updated_at"}
		edit(&s)
		return s
	}
	web := func(edit func(s *Source)) Source {
		s := Source{Name: "api", Entity: "activities", Format: "http", URL: "https://crm.example.com/api/activities", TokenEnv: "CRM_TOKEN", Records: "data"}
		edit(&s)
		return s
	}
	bank := func(edit func(s *Source)) Source {
		s := Source{Name: "bank", Entity: "payments", Format: "1c-bank", Files: "inbox/bank/*.txt"}
		edit(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		src  Source
		want string // "" = valid
	}{
		{"postgres", pg(func(s *Source) { s.Schedule = "*/15 * * * *"; s.Timeout = "5m" }), ""},
		{"postgres full", pg(func(s *Source) { s.Watermark, s.Query = "", "select * from p" }), ""},
		{"postgres no dsn", pg(func(s *Source) { s.DSNEnv = "" }), "format postgres needs dsn_env"},
		{"postgres two dsns", pg(func(s *Source) { s.DSN = "postgres://x" }), "set dsn or dsn_env, not both"},
		{"postgres no query", pg(func(s *Source) { s.Query = " " }), "format postgres needs query:"},
		{"postgres no $1", pg(func(s *Source) { s.Query = "select * from p" }), "the query must filter on $1"},
		{"postgres files", pg(func(s *Source) { s.Files, s.Archive = "*.csv", "done" }), "files, archive: not used by format postgres"},
		{"postgres url", pg(func(s *Source) { s.URL = "https://x" }), "url: not used by format postgres"},
		{"http", web(func(s *Source) { s.Paginate, s.Cursor, s.PageParam, s.MaxPages = "cursor", "meta.next", "after", 50 }), ""},
		{"http pages", web(func(s *Source) { s.Paginate = "page" }), ""},
		{"http none", web(func(s *Source) { s.Paginate = "none" }), ""},
		{"http no url", web(func(s *Source) { s.URL = "" }), "format http needs url:"},
		{"http bad url", web(func(s *Source) { s.URL = "ftp://x/y" }), `url: "ftp://x/y" is not an http(s) URL`},
		{"http paginate", web(func(s *Source) { s.Paginate = "offset" }), `paginate: "offset" must be none, page or cursor`},
		{"http no cursor", web(func(s *Source) { s.Paginate = "cursor" }), "paginate: cursor needs cursor:"},
		{"http stray cursor", web(func(s *Source) { s.Cursor = "next" }), "cursor: is used only with paginate: cursor"},
		{"http stray page_param", web(func(s *Source) { s.PageParam = "p" }), "page_param: is used only with paginate"},
		{"http query", web(func(s *Source) { s.Query = "select 1" }), "query: not used by format http"},
		{"http max_pages", web(func(s *Source) { s.MaxPages = -1 }), "max_pages: -1 must be positive"},
		{"http timeout", web(func(s *Source) { s.Timeout = "soon" }), `timeout: "soon" is not a positive duration`},
		{"1c-bank", bank(func(s *Source) { s.Archive, s.Schedule, s.Filter = "done", "0 9 * * 1-5", "amount > '0'" }), ""},
		{"camt053", bank(func(s *Source) { s.Format = "camt053" }), ""},
		{"1c-bank entity", bank(func(s *Source) { s.Entity = "invoices" }), "format 1c-bank loads bank payments: set entity: payments (it is invoices)"},
		{"1c-bank encoding", bank(func(s *Source) { s.Encoding, s.DateFormat = "windows-1251", "%d.%m.%Y" }), "encoding, date_format: not used by format 1c-bank (the format fixes"},
		{"csv dsn", Source{Name: "c", Entity: "clients", Files: "*.csv", DSN: "postgres://x"}, "dsn: not used by format csv (they belong to postgres and http sources)"},
		{"csv timeout", Source{Name: "c", Entity: "clients", Files: "*.csv", Timeout: "1m"}, "timeout: not used by format csv"},
		{"schedule words", bank(func(s *Source) { s.Schedule = "every 5 minutes" }), `schedule: "every 5 minutes" is not a 5-field cron expression`},
		{"schedule seconds", bank(func(s *Source) { s.Schedule = "0 */5 * * * *" }), "is not a 5-field cron expression"},
		{"schedule descriptor", bank(func(s *Source) { s.Schedule = "@hourly" }), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.src
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate(%s) = %v, want valid", tc.name, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "source "+s.Name+": ")):
				t.Errorf("Validate(%s) = %v, want an error naming the source and %q", tc.name, err, tc.want)
			}
		})
	}
}

// The keys of kam.yaml decode strictly into Source.
func TestPullSourcesDecode(t *testing.T) {
	doc := `
- name: erp_payments
  entity: payments
  format: postgres
  dsn_env: ERP_DSN
  query: "select id as payment_id, paid_on, inn as payer_inn, amount, updated_at from payments where updated_at > $1 order by updated_at"
  watermark: updated_at
  timeout: 10m
  schedule: "*/15 * * * *"
- name: crm_activities
  entity: activities
  format: http
  url: https://crm.example.com/api/v2/activities
  token_env: CRM_TOKEN
  records: data.items
  paginate: cursor
  cursor: meta.next_cursor
  page_param: cursor
  max_pages: 200
  timeout: 30s
- name: bank
  entity: payments
  format: 1c-bank
  files: inbox/bank/*.txt
  archive: inbox/bank/done
  schedule: "0 * * * *"
`
	dec := yaml.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.KnownFields(true)
	var srcs []Source
	if err := dec.Decode(&srcs); err != nil {
		t.Fatal(err)
	}
	for i := range srcs {
		if err := srcs[i].Validate(); err != nil {
			t.Errorf("Validate: %v", err)
		}
	}
	if srcs[1].MaxPages != 200 || srcs[1].Timeout != "30s" || srcs[0].Watermark != "updated_at" || srcs[2].Archive != "inbox/bank/done" {
		t.Errorf("decoded = %+v", srcs)
	}
}

// Loaded and skipped files move to the archive folder; failed ones stay.
func TestArchive(t *testing.T) {
	dir := t.TempDir()
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: dir}
	src := Source{Name: "clients", Entity: "clients", Files: "inbox/*.csv", Archive: "inbox/done"}
	good := "client_id,name,segment\nC1,Альфа,Опт\n"
	bankWrite(t, dir, "inbox/a.csv", []byte(good))
	bankWrite(t, dir, "inbox/b.csv", []byte("client_id,colour\nC1,red\n"))
	bankWrite(t, dir, "inbox/c.csv", []byte(good)) // the same bytes as a.csv
	res := l.Run(context.Background(), []Source{src})
	var got []string
	for _, r := range res {
		got = append(got, r.File+" "+r.Status+" "+r.Archived)
	}
	want := []string{"inbox/a.csv loaded inbox/done/a.csv", "inbox/b.csv failed ", "inbox/c.csv skipped inbox/done/c.csv"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("Run = %q, want %q", got, want)
	}
	if !strings.Contains(res[0].String(), "moved to inbox/done/a.csv") {
		t.Errorf("summary %q does not say where the file went", res[0].String())
	}
	if _, err := os.Stat(filepath.Join(dir, "inbox", "b.csv")); err != nil {
		t.Errorf("the failed file moved: %v", err)
	}
	// A later file with a name already in the archive gets a suffix.
	bankWrite(t, dir, "inbox/a.csv", []byte("client_id,name,segment\nC2,Бета,Опт\n"))
	res = l.Run(context.Background(), []Source{src})
	if len(res) != 2 || res[0].Archived != "inbox/done/a-2.csv" || res[1].Status != StatusFailed {
		t.Errorf("second run = %+v, want a.csv archived as a-2.csv and b.csv failing again", res)
	}
	// An archive that cannot be written is reported; the load stands.
	bankWrite(t, dir, "inbox/d.csv", []byte("client_id,name,segment\nC3,Гамма,Опт\n"))
	bankWrite(t, dir, "blocked", []byte("a file, not a folder"))
	blocked := src
	blocked.Archive = "blocked/sub"
	res = l.Run(context.Background(), []Source{blocked})
	if len(res) != 2 || res[1].File != "inbox/d.csv" || res[1].Status != StatusLoaded || res[1].ArchiveErr == nil ||
		!strings.Contains(res[1].String(), "not archived: archive inbox/d.csv into blocked/sub") {
		t.Errorf("blocked archive: %+v, want d.csv loaded and not archived", res)
	}
}
