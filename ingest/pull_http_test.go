package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// httpTestAPI serves pages of payments (page mode), activities (cursor
// mode) and a few broken endpoints; every request must carry the token.
func httpTestAPI(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/payments", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("p") {
		case "1":
			fmt.Fprint(w, `{"data": {"items": [
                {"id": "H1", "date": "2026-03-01", "amount": 1234.5678, "payer": {"inn": "7700000001", "name": "Альфа"}},
                {"id": "H2", "date": "2026-03-02", "amount": 10, "payer": {"inn": null}}]}}`)
		case "2":
			fmt.Fprint(w, `{"data": {"items": [{"id": "H3", "date": "not a date", "amount": "5.5"}]}}`)
		default:
			fmt.Fprint(w, `{"data": {"items": []}}`)
		}
	})
	mux.HandleFunc("/activities", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("region") != "north" {
			http.Error(w, "the url's own parameters were lost", http.StatusBadRequest)
			return
		}
		switch r.URL.Query().Get("after") {
		case "":
			fmt.Fprint(w, `{"items": [{"activity_id": "A1", "manager_id": "M1", "kind": "call", "status": "done", "tags": ["x", "y"]},
                {"activity_id": "A2", "manager_id": "M1", "kind": "visit", "status": "planned", "tags": []}], "meta": {"next": "c2"}}`)
		case "c2":
			fmt.Fprint(w, `{"items": [{"activity_id": "A3", "manager_id": "M2", "kind": "email", "status": "done", "ok": true}], "meta": {"next": null}}`)
		default:
			http.Error(w, "unknown cursor", http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database is down", http.StatusInternalServerError)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items": [{"activity_id": "A1"}], "next": "same"}`)
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `[{"activity_id": "A1"}]`)
	})
	mux.HandleFunc("/scalar", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items": [1, 2]}`)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func TestPullHTTPPages(t *testing.T) {
	srv, requests := httpTestAPI(t)
	t.Setenv("KAM_TEST_TOKEN", "s3cret")
	ctx := context.Background()
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: t.TempDir()}
	src := Source{Name: "api_payments", Entity: "payments", Format: "http", URL: srv.URL + "/payments", TokenEnv: "KAM_TEST_TOKEN",
		Records: "data.items", Paginate: "page", PageParam: "p",
		Columns: map[string]Column{"payment_id": {Source: "id"}, "paid_on": {Source: "date"}, "amount": {Source: "amount"}, "payer_inn": {Source: "payer.inn"}, "purpose": {Source: "payer.name"}}}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	res := l.Run(ctx, []Source{src})
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("Run = %+v", res)
	}
	r := res[0]
	if got, want := [3]int64{r.Read, r.Loaded, r.Quarantined}, [3]int64{3, 2, 1}; got != want || requests.Load() != 3 {
		t.Errorf("pull: read/loaded/quarantined = %v after %d requests, want %v after 3 (pages 1, 2 and the empty 3)", got, requests.Load(), want)
	}
	got := bankRows(t, db, "SELECT payment_id, paid_on, amount, coalesce(payer_inn, '-'), coalesce(purpose, '-') FROM payments ORDER BY 1")
	want := []string{"H1 | 2026-03-01 | 1234.5678 | 7700000001 | Альфа", "H2 | 2026-03-02 | 10.0000 | - | -"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payments =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if q := bankRows(t, db, "SELECT file, line, field FROM quarantine"); len(q) != 1 || q[0] != "http:api_payments | 3 | paid_on" {
		t.Errorf("quarantine = %q, want the third record's date", q)
	}
	if r := l.Pull(ctx, &src); r.Status != StatusSkipped {
		t.Errorf("identical pull: %s, want skipped", r.Status)
	}

	// A server error fails the pull and leaves the ledger alone.
	ledger := bankCount(t, db, "SELECT count(*) FROM meta.ledger")
	bad := src
	bad.Name, bad.URL = "api_down", srv.URL+"/fail"
	r = l.Pull(ctx, &bad)
	if r.Status != StatusFailed || !strings.Contains(r.Err.Error(), "500 Internal Server Error: database is down") || !strings.Contains(r.Err.Error(), "http:api_down") {
		t.Errorf("500: %s %v, want a failure naming the source and the status", r.Status, r.Err)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger"); n != ledger {
		t.Errorf("ledger rows after a failed pull = %d, want %d", n, ledger)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.load_runs WHERE source = 'api_down' AND status = 'failed'"); n != 1 {
		t.Errorf("failed pulls recorded in load_runs = %d, want 1", n)
	}
}

func TestPullHTTPCursor(t *testing.T) {
	srv, _ := httpTestAPI(t)
	t.Setenv("KAM_TEST_TOKEN", "s3cret")
	ctx := context.Background()
	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: t.TempDir()}
	src := Source{Name: "api_activities", Entity: "activities", Format: "http", URL: srv.URL + "/activities?region=north", TokenEnv: "KAM_TEST_TOKEN",
		Records: "items", Paginate: "cursor", Cursor: "meta.next", PageParam: "after",
		Columns: map[string]Column{"activity_id": {Source: "activity_id"}, "manager_id": {Source: "manager_id"}, "kind": {Source: "kind"},
			"status": {Source: "status"}, "result": {Expr: "coalesce(tags, 'ok=' || ok)"}}}
	if err := src.Validate(); err != nil {
		t.Fatal(err)
	}
	r := l.Pull(ctx, &src)
	if r.Err != nil || r.Loaded != 3 {
		t.Fatalf("cursor pull: %+v, want 3 loaded", r)
	}
	got := bankRows(t, db, "SELECT activity_id, kind, status, result FROM activities ORDER BY 1")
	want := []string{`A1 | call | done | ["x","y"]`, `A2 | visit | planned | []`, `A3 | email | done | ok=true`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("activities =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	for _, tc := range []struct {
		name string
		edit func(s *Source)
		want string
	}{
		{"no token", func(s *Source) { s.TokenEnv = "KAM_TEST_NO_TOKEN" }, "the environment variable KAM_TEST_NO_TOKEN is not set or empty"},
		{"wrong token", func(s *Source) { s.TokenEnv = "KAM_TEST_OTHER_TOKEN" }, "401 Unauthorized: no token"},
		{"cursor loop", func(s *Source) { s.URL, s.Cursor = srv.URL+"/loop", "next" }, `the cursor "same" came back again`},
		{"max pages", func(s *Source) {
			s.URL, s.Paginate, s.Records, s.Cursor, s.MaxPages = srv.URL+"/endless", "page", "", "", 3
		}, "more than 3 pages (max_pages)"},
		{"records path", func(s *Source) { s.Records = "data.items" }, `no records at "data.items"`},
		{"no records path", func(s *Source) { s.Records = "" }, "the page is an object, not an array of records"},
		{"not objects", func(s *Source) { s.URL = srv.URL + "/scalar" }, "record 1 is a number, not a JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("KAM_TEST_OTHER_TOKEN", "guess")
			s := src
			s.Name = "api_" + strings.ReplaceAll(tc.name, " ", "_")
			tc.edit(&s)
			r := l.Pull(ctx, &s)
			if r.Status != StatusFailed || !strings.Contains(r.Err.Error(), tc.want) {
				t.Errorf("Pull = %s %v, want a failure with %q", r.Status, r.Err, tc.want)
			}
		})
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger"); n != 1 {
		t.Errorf("ledger rows = %d, want 1 (only the good pull)", n)
	}
}
