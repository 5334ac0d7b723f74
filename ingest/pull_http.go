package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Format http pulls records from a JSON API with GET requests.
//
//	- name: crm_activities
//	  entity: activities
//	  format: http
//	  url: https://crm.example.com/api/v2/activities?updated_since=2026-01-01
//	  token_env: CRM_TOKEN        # sent as "Authorization: Bearer <token>"
//	  records: data.items         # dot path to the records array in each page ("" = the page is the array)
//	  paginate: cursor            # none (default) | page | cursor
//	  cursor: meta.next_cursor    # cursor mode: dot path to the next cursor in each page
//	  page_param: cursor          # query parameter carrying the page number or cursor
//	  max_pages: 1000             # the pull fails, loading nothing, if there are more
//	  timeout: 60s                # per request
//
// Pagination: `page` sends page_param=1, 2, 3 … (default page_param "page")
// and stops at the first page with no records; `cursor` sends the first
// request as the url is, then page_param=<the cursor from the previous page>
// (default page_param "cursor") and stops when a page has no records or no
// cursor (missing, null or ""). A cursor that repeats is an error, as are
// more than max_pages pages (default 1000), a page over 64 MiB and any
// status other than 2xx: the whole pull then fails and nothing is loaded or
// recorded in the ledger.
//
// Each record must be a JSON object. Nested objects become columns named by
// their path ("customer.inn"); arrays are kept as JSON text; numbers keep the
// digits they were sent with (never a float); true/false are text; null is
// empty. Columns are named in the order they first appear, the keys of
// each object taken in sorted order.

const (
	httpDefaultTimeout  = 60 * time.Second
	httpDefaultMaxPages = 1000
	httpMaxPageBytes    = 64 << 20
)

func pullHTTP(ctx context.Context, src *Source) (*pulled, error) {
	base, err := url.Parse(src.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	token := ""
	if src.TokenEnv != "" {
		if token = os.Getenv(src.TokenEnv); token == "" {
			return nil, fmt.Errorf("token_env: the environment variable %s is not set or empty", src.TokenEnv)
		}
	}
	timeout := httpDefaultTimeout
	if src.Timeout != "" {
		timeout, _ = time.ParseDuration(src.Timeout) // checked by Validate
	}
	maxPages := httpDefaultMaxPages
	if src.MaxPages > 0 {
		maxPages = src.MaxPages
	}
	param := src.PageParam
	if param == "" {
		param = src.Paginate // "page" or "cursor"
	}
	client := &http.Client{Timeout: timeout}
	var records []map[string]any
	var cursor string
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("%s: more than %d pages (max_pages): raise max_pages or narrow the url", base.Redacted(), maxPages)
		}
		u := *base
		switch {
		case src.Paginate == "page":
			u.RawQuery = httpSetParam(u.RawQuery, param, strconv.Itoa(page))
		case src.Paginate == "cursor" && page > 1:
			u.RawQuery = httpSetParam(u.RawQuery, param, cursor)
		}
		doc, err := httpGetJSON(ctx, client, &u, token)
		if err != nil {
			return nil, err
		}
		recs, err := httpRecords(doc, src.Records)
		if err != nil {
			return nil, fmt.Errorf("%s: page %d: %w", u.Redacted(), page, err)
		}
		for i, r := range recs {
			m, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: page %d: record %d is %s, not a JSON object", u.Redacted(), page, i+1, httpKind(r))
			}
			records = append(records, m)
		}
		if src.Paginate == "" || len(recs) == 0 {
			break
		}
		if src.Paginate == "cursor" {
			next, err := httpCursor(doc, src.Cursor)
			if err != nil {
				return nil, fmt.Errorf("%s: page %d: %w", u.Redacted(), page, err)
			}
			if next == "" {
				break
			}
			if seen[next] {
				return nil, fmt.Errorf("%s: page %d: the cursor %q came back again: the API is not advancing", u.Redacted(), page, bankClip(next, 40))
			}
			seen[next] = true
			cursor = next
		}
	}
	return httpTable(records), nil
}

// httpSetParam sets one query parameter, keeping the others as they were.
func httpSetParam(rawQuery, key, val string) string {
	q, _ := url.ParseQuery(rawQuery)
	q.Set(key, val)
	return q.Encode()
}

func httpGetJSON(ctx context.Context, client *http.Client, u *url.URL, token string) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "kam")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, httpMaxPageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: read the response: %w", u.Redacted(), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("GET %s: %s: %s", u.Redacted(), resp.Status, bankClip(strings.TrimSpace(string(body)), 200))
	}
	if len(body) > httpMaxPageBytes {
		return nil, fmt.Errorf("GET %s: the page is over %d MiB", u.Redacted(), httpMaxPageBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("GET %s: the response is not JSON: %w", u.Redacted(), err)
	}
	return doc, nil
}

// httpLookup follows a dot path ("data.items"; a leading "$." is allowed).
func httpLookup(doc any, path string) (any, bool) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, "$"), ".")
	if path == "" {
		return doc, true
	}
	cur := doc
	for _, step := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[step]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func httpRecords(doc any, path string) ([]any, error) {
	v, ok := httpLookup(doc, path)
	if !ok {
		return nil, fmt.Errorf("no records at %q (records:)", path)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return x, nil
	}
	if path == "" {
		return nil, fmt.Errorf("the page is %s, not an array of records: set records: to the path of the array (e.g. data.items)", httpKind(v))
	}
	return nil, fmt.Errorf("records at %q are %s, not an array", path, httpKind(v))
}

func httpCursor(doc any, path string) (string, error) {
	v, ok := httpLookup(doc, path)
	if !ok || v == nil {
		return "", nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	}
	return "", fmt.Errorf("the cursor at %q is %s, not a string or number", path, httpKind(v))
}

func httpKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// httpTable flattens the records into columns (in order of first
// appearance) and text rows.
func httpTable(records []map[string]any) *pulled {
	p := &pulled{}
	index := map[string]int{}
	flat := make([]map[string]string, len(records))
	for i, r := range records {
		m := map[string]string{}
		httpFlatten("", r, m, func(col string) {
			if _, ok := index[col]; !ok {
				index[col] = len(p.columns)
				p.columns = append(p.columns, col)
			}
		})
		flat[i] = m
	}
	for _, m := range flat {
		row := make([]any, len(p.columns))
		for col, v := range m {
			row[index[col]] = v
			p.size += int64(len(v))
		}
		p.rows = append(p.rows, row)
	}
	return p
}

// httpFlatten writes a record's values as text under their column paths;
// null values name their column but stay empty.
func httpFlatten(prefix string, obj map[string]any, out map[string]string, column func(string)) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // a decoded object has no order: name columns deterministically
	for _, k := range keys {
		col := prefix + k
		switch v := obj[k].(type) {
		case map[string]any:
			httpFlatten(col+".", v, out, column)
		case nil:
			column(col)
		case string:
			column(col)
			out[col] = v
		case json.Number:
			column(col)
			out[col] = v.String()
		case bool:
			column(col)
			out[col] = strconv.FormatBool(v)
		default:
			column(col)
			b, _ := json.Marshal(v)
			out[col] = string(b)
		}
	}
}
