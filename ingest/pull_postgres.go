package ingest

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Format postgres pulls rows from a PostgreSQL query.
//
//	- name: erp_payments
//	  entity: payments
//	  format: postgres
//	  dsn_env: ERP_DSN            # or dsn: "postgres://user@host/db" (no password in the config, please)
//	  query: |
//	    select id as payment_id, paid_at::date as paid_on, inn as payer_inn, amount, updated_at
//	    from payments where updated_at > $1 order by updated_at
//	  watermark: updated_at       # a column of the query's result
//	  timeout: 10m                # statement timeout (default 10m)
//
// The query contract: with `watermark:`, the query takes exactly one
// parameter, $1, and must return only rows whose watermark column is
// greater than it. kam passes the largest watermark value it has loaded for
// this source (kept in meta.watermarks, advanced in the same transaction as
// the rows); on the first pull $1 is the smallest value of the parameter's
// type: -infinity for date, timestamp and timestamptz, the minimum for
// smallint, integer and bigint, -1e300 for numeric, -Infinity for real and
// double precision, '' for text and varchar. Rows whose watermark is NULL
// never advance it. Use `>`; `>=` also works (the boundary rows are pulled
// again and simply replace themselves by key). The new watermark is the
// maximum of the pulled values (and the old one) as PostgreSQL orders the
// column's type, so the query need not be ordered. Without `watermark:` the
// query takes no parameters and every pull reads everything (identical
// pulls are still skipped by the ledger).
//
// The query runs in a read-only REPEATABLE READ transaction with the session
// time zone set to UTC, and every value arrives in PostgreSQL's text form
// (exact numerics; timestamptz as "2024-01-02 03:04:05.123+00"). Result
// columns map onto the entity like a file's columns: by `columns:` or by
// canonical names.

// pgDefaultTimeout bounds the query when the source sets no `timeout:`.
const pgDefaultTimeout = 10 * time.Minute

func (l *Loader) pullPostgres(ctx context.Context, src *Source) (*pulled, error) {
	dsn := src.DSN
	if src.DSNEnv != "" {
		dsn = os.Getenv(src.DSNEnv)
		if dsn == "" {
			return nil, fmt.Errorf("dsn_env: the environment variable %s is not set or empty", src.DSNEnv)
		}
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("dsn: %w", err)
	}
	timeout := pgDefaultTimeout
	if src.Timeout != "" {
		timeout, _ = time.ParseDuration(src.Timeout) // checked by Validate
	}
	cfg.RuntimeParams["timezone"] = "UTC"
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "kam"
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres %s: %w", where, err)
	}
	defer conn.Close(context.Background())
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("postgres %s: begin: %w", where, err)
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only

	p := &pulled{}
	var args []any
	var stored string
	var haveStored bool
	if src.Watermark != "" {
		sd, err := tx.Prepare(ctx, "", src.Query)
		if err != nil {
			return nil, fmt.Errorf("query: %w", err)
		}
		if len(sd.ParamOIDs) != 1 {
			return nil, fmt.Errorf("query: with watermark: the query takes exactly one parameter, $1 (the last watermark), but it takes %d", len(sd.ParamOIDs))
		}
		stored, haveStored, err = l.storedWatermark(ctx, src)
		if err != nil {
			return nil, err
		}
		p.from = stored
		if !haveStored {
			if p.from, err = pgMinimum(sd.ParamOIDs[0]); err != nil {
				return nil, err
			}
		}
		args = append(args, p.from)
	}
	rows, err := tx.Query(ctx, src.Query, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	fds := rows.FieldDescriptions()
	wm := -1
	for i, fd := range fds {
		p.columns = append(p.columns, fd.Name)
		if src.Watermark != "" && (fd.Name == src.Watermark || (wm < 0 && strings.EqualFold(fd.Name, src.Watermark))) {
			wm = i
		}
	}
	var marks []string
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]any, len(raw))
		for i, v := range raw {
			if v != nil {
				row[i] = string(v)
				p.size += int64(len(v))
			}
		}
		if wm >= 0 && raw[wm] != nil {
			marks = append(marks, string(raw[wm]))
		}
		p.rows = append(p.rows, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	if src.Watermark == "" {
		return p, nil
	}
	if wm < 0 {
		return nil, fmt.Errorf("watermark: the query returns no column %q (columns: %s)", src.Watermark, strings.Join(p.columns, ", "))
	}
	if len(marks) == 0 {
		return p, nil
	}
	if haveStored {
		marks = append(marks, stored)
	}
	var typ string
	if err := tx.QueryRow(ctx, "SELECT format_type($1::oid, NULL)", fds[wm].DataTypeOID).Scan(&typ); err != nil {
		return nil, fmt.Errorf("watermark: type of %s: %w", src.Watermark, err)
	}
	var top *string
	if err := tx.QueryRow(ctx, fmt.Sprintf("SELECT max(v::%s)::text FROM unnest($1::text[]) AS t(v)", typ), marks).Scan(&top); err != nil {
		return nil, fmt.Errorf("watermark: the largest %s: %w", src.Watermark, err)
	}
	if top != nil {
		p.mark = &watermark{column: src.Watermark, value: *top}
	}
	return p, nil
}

// pgMinimum is the first pull's $1 for a parameter of the given type.
func pgMinimum(oid uint32) (string, error) {
	switch oid {
	case 1082, 1114, 1184: // date, timestamp, timestamptz
		return "-infinity", nil
	case 21:
		return "-32768", nil
	case 23:
		return "-2147483648", nil
	case 20:
		return "-9223372036854775808", nil
	case 1700:
		return "-1e300", nil
	case 700, 701:
		return "-Infinity", nil
	case 25, 1043, 1042, 19: // text, varchar, char, name
		return "", nil
	}
	return "", fmt.Errorf("watermark: $1 has a type (oid %d) kam cannot start from; use a date, timestamp, timestamptz, integer, numeric or text column", oid)
}
