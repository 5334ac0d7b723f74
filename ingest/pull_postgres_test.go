package ingest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgTestDSN is the test server: .ci/run starts Debian's PostgreSQL and
// exports KAM_TEST_POSTGRES. Without it the test is skipped locally and
// fails in CI.
func pgTestDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("KAM_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("KAM_TEST_POSTGRES is not set: .ci/run exports it after starting PostgreSQL")
		}
		t.Skip("KAM_TEST_POSTGRES is not set: the postgres source test needs a PostgreSQL server " +
			"(e.g. postgres://kam:kam@127.0.0.1:5432/kam_test?sslmode=disable)")
	}
	return dsn
}

// pgTestSchema creates a schema of its own on the test server and drops it afterwards.
func pgTestSchema(t *testing.T, dsn string) (*pgx.Conn, string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to KAM_TEST_POSTGRES: %v", err)
	}
	schema := fmt.Sprintf("kam_pull_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	return conn, schema
}

func pgExec(t *testing.T, conn *pgx.Conn, sql string) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestPullPostgres(t *testing.T) {
	dsn := pgTestDSN(t)
	conn, schema := pgTestSchema(t, dsn)
	ctx := context.Background()
	pgExec(t, conn, fmt.Sprintf(`CREATE TABLE %s.pay (id text PRIMARY KEY, paid date, inn text, amount numeric(14,2), note text, updated_at timestamptz NOT NULL)`, schema))
	pgExec(t, conn, fmt.Sprintf(`INSERT INTO %s.pay VALUES
        ('P1', '2026-03-01', '7700000001', 100.10, 'Оплата по счету №1', '2026-03-01 10:00:00+03'),
        ('P2', '2026-03-02', NULL, 2500.00, NULL, '2026-03-02 10:00:00+03'),
        ('P3', '2026-03-03', '7700000002', NULL, NULL, '2026-03-02 10:00:00+03')`, schema))

	db := bankWarehouse(t)
	l := &Loader{DB: db, BaseDir: t.TempDir()}
	src := Source{Name: "erp_payments", Entity: "payments", Format: "postgres", DSNEnv: "KAM_TEST_POSTGRES",
		Query: fmt.Sprintf(`select id as payment_id, paid as paid_on, inn as payer_inn, amount, note as purpose, updated_at
            from %s.pay where updated_at > $1 order by updated_at, id`, schema),
		Watermark: "updated_at"}
	if err := src.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}

	// First pull: everything, the row without an amount quarantined at its position.
	res := l.Run(ctx, []Source{src})
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("Run = %+v", res)
	}
	r := res[0]
	if got, want := [4]int64{r.Read, r.Loaded, r.Quarantined, r.Unmatched}, [4]int64{3, 2, 1, 2}; got != want || r.File != "postgres:erp_payments" {
		t.Errorf("first pull %s: read/loaded/quarantined/unmatched = %v, want %v", r.File, got, want)
	}
	got := bankRows(t, db, "SELECT payment_id, paid_on, coalesce(payer_inn, '-'), amount, coalesce(purpose, '-'), _line FROM payments ORDER BY 1")
	want := []string{"P1 | 2026-03-01 | 7700000001 | 100.1000 | Оплата по счету №1 | 1", "P2 | 2026-03-02 | - | 2500.0000 | - | 2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payments =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if q := bankRows(t, db, "SELECT file, line, field, reason FROM quarantine"); len(q) != 1 || q[0] != "postgres:erp_payments | 3 | amount | amount is required" {
		t.Errorf("quarantine = %q", q)
	}
	if wm, _ := l.Watermark(ctx, "erp_payments"); wm != "2026-03-02 07:00:00+00" {
		t.Errorf("watermark = %q, want 2026-03-02 07:00:00+00", wm)
	}

	// Nothing new: nothing happens.
	r = l.Pull(ctx, &src)
	if r.Err != nil || r.Read != 0 || r.LoadID != 0 {
		t.Errorf("pull with nothing new: %+v, want an empty no-op", r)
	}

	// A correction and a new row: only they are pulled; the correction replaces.
	pgExec(t, conn, fmt.Sprintf(`UPDATE %s.pay SET amount = 150.55, updated_at = '2026-03-05 00:00:00+00' WHERE id = 'P1'`, schema))
	pgExec(t, conn, fmt.Sprintf(`INSERT INTO %s.pay VALUES ('P4', '2026-03-04', '7700000003', 0.01, NULL, '2026-03-04 12:00:00.123456+00')`, schema))
	r = l.Pull(ctx, &src)
	if r.Err != nil || r.Read != 2 || r.Loaded != 2 || r.Updated != 1 {
		t.Errorf("incremental pull: %+v, want 2 read, 2 loaded, 1 updated", r)
	}
	if wm, _ := l.Watermark(ctx, "erp_payments"); wm != "2026-03-05 00:00:00+00" {
		t.Errorf("watermark = %q, want 2026-03-05 00:00:00+00", wm)
	}
	if got := bankRows(t, db, "SELECT payment_id || ' ' || amount FROM payments ORDER BY 1"); strings.Join(got, ", ") != "P1 150.5500, P2 2500.0000, P4 0.0100" {
		t.Errorf("payments after the incremental pull = %v", got)
	}
	ledger := bankCount(t, db, "SELECT count(*) FROM meta.ledger")

	// A load that fails after the rows were pulled advances no watermark and records nothing.
	broken := src
	broken.Name = "erp_broken"
	broken.Columns = map[string]Column{"payment_id": {Source: "payment_id"}, "paid_on": {Source: "paid_on"}, "amount": {Expr: "CAST(payment_id AS INTEGER)"}}
	r = l.Pull(ctx, &broken)
	if r.Status != StatusFailed || !strings.Contains(r.Err.Error(), "read rows") {
		t.Errorf("broken mapping: %s %v, want a failure", r.Status, r.Err)
	}
	if wm, _ := l.Watermark(ctx, "erp_broken"); wm != "" {
		t.Errorf("watermark after a failed load = %q, want none", wm)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.ledger"); n != ledger {
		t.Errorf("ledger rows after a failed load = %d, want %d", n, ledger)
	}
	if n := bankCount(t, db, "SELECT count(*) FROM meta.load_runs WHERE source = 'erp_broken' AND status = 'failed'"); n != 1 {
		t.Errorf("failed runs recorded = %d, want 1", n)
	}

	// Without a watermark every pull reads everything; an identical one is skipped.
	all := Source{Name: "erp_all", Entity: "payments", Format: "postgres", DSN: dsn,
		Query: fmt.Sprintf("select id as payment_id, paid as paid_on, amount from %s.pay where amount is not null order by id", schema)}
	if r := l.Pull(ctx, &all); r.Err != nil || r.Loaded != 3 {
		t.Errorf("full pull: %+v, want 3 loaded", r)
	}
	if r := l.Pull(ctx, &all); r.Status != StatusSkipped || r.DuplicateOf != "postgres:erp_all" {
		t.Errorf("identical full pull: %s (duplicate of %q), want skipped as postgres:erp_all", r.Status, r.DuplicateOf)
	}

	// Errors name the source and what went wrong.
	for _, tc := range []struct {
		name string
		src  Source
		want string
	}{
		{"no table", Source{Name: "e1", Entity: "payments", Format: "postgres", DSN: dsn, Query: "select * from no_such_table"}, `query: ERROR: relation "no_such_table" does not exist`},
		{"no env", Source{Name: "e2", Entity: "payments", Format: "postgres", DSNEnv: "KAM_TEST_NO_SUCH_ENV", Query: "select 1"}, "the environment variable KAM_TEST_NO_SUCH_ENV is not set or empty"},
		{"two params", Source{Name: "e3", Entity: "payments", Format: "postgres", DSN: dsn, Watermark: "updated_at",
			Query: fmt.Sprintf("select * from %s.pay where updated_at > $1 and id <> $2", schema)}, "takes exactly one parameter, $1"},
		{"no watermark column", Source{Name: "e4", Entity: "payments", Format: "postgres", DSN: dsn, Watermark: "changed_at",
			Query: fmt.Sprintf("select id as payment_id from %s.pay where updated_at > $1", schema)}, `the query returns no column "changed_at"`},
		{"bad password", Source{Name: "e5", Entity: "payments", Format: "postgres", DSN: strings.Replace(dsn, "kam:kam@", "kam:wrong@", 1), Query: "select 1"}, "connect to postgres"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := l.Pull(ctx, &tc.src)
			if r.Status != StatusFailed || !strings.Contains(r.Err.Error(), tc.want) || !strings.Contains(r.Err.Error(), "postgres:"+tc.src.Name) {
				t.Errorf("Pull = %s %v, want a failure naming postgres:%s and %q", r.Status, r.Err, tc.src.Name, tc.want)
			}
			if strings.Contains(r.Err.Error(), "wrong") {
				t.Errorf("the error shows the password: %v", r.Err)
			}
		})
	}
}

// The first pull starts below every value of the parameter's type.
func TestPullPostgresFirstWatermark(t *testing.T) {
	dsn := pgTestDSN(t)
	conn, schema := pgTestSchema(t, dsn)
	ctx := context.Background()
	pgExec(t, conn, fmt.Sprintf(`CREATE TABLE %s.c (client_id text, name text, segment text, version bigint, rev numeric, d date, code text)`, schema))
	pgExec(t, conn, fmt.Sprintf(`INSERT INTO %s.c VALUES ('C1', 'Альфа', 'Опт', -5, -1.5, '0001-01-01', 'a'), ('C2', 'Бета', 'Розница', 7, 2.25, '2026-01-01', 'b')`, schema))
	for _, col := range []string{"version", "rev", "d", "code"} {
		t.Run(col, func(t *testing.T) {
			db := bankWarehouse(t)
			l := &Loader{DB: db, BaseDir: t.TempDir()}
			src := Source{Name: "crm", Entity: "clients", Format: "postgres", DSN: dsn, Watermark: col,
				Query: fmt.Sprintf("select client_id, name, segment, %s from %s.c where %s > $1", col, schema, col)}
			r := l.Pull(ctx, &src)
			if r.Err != nil || r.Loaded != 2 {
				t.Fatalf("first pull on %s: %+v, want both clients", col, r)
			}
			wm, _ := l.Watermark(ctx, "crm")
			want := map[string]string{"version": "7", "rev": "2.25", "d": "2026-01-01", "code": "b"}[col]
			if wm != want {
				t.Errorf("watermark on %s = %q, want %q", col, wm, want)
			}
		})
	}
}
