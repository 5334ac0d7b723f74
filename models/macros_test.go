package models

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

// kam_ratio4 and kam_ratio1 round a / b half away from zero exactly, where
// DuckDB's round() of the double quotient does not: checked against exact
// fractions on ties (339.45 / 1000, 3 / 20000, negative and mixed signs),
// on amounts of 8 decimals and on counts.
func TestRatioMacros(t *testing.T) {
	ctx := context.Background()
	db := macroWarehouse(t)
	if ok, err := macrosExist(ctx, db); err != nil || !ok {
		t.Fatalf("macrosExist = %v, %v after createMacros", ok, err)
	}
	cases := [][2]string{
		{"339.45", "1000"}, {"-339.45", "1000"}, {"339.45", "-1000"}, {"3", "20000"}, {"-3", "20000"},
		{"29", "20000"}, {"0.00015", "1"}, {"1", "3"}, {"2", "3"}, {"-2", "3"}, {"0", "7"}, {"123456789012.12345678", "0.00000001"},
		{"1", "0"}, {"12345.6789", "98765.4321"}, {"10477.05", "1000"}, {"0.5", "4"}, {"1.45", "1"}, {"-1.45", "1"},
	}
	var exprs, want []string
	for _, c := range cases {
		exprs = append(exprs, fmt.Sprintf("coalesce(kam_ratio4(%s::DECIMAL(38, 8), %s::DECIMAL(38, 8))::VARCHAR, '-') || ' ' || coalesce(kam_ratio1(%s::DECIMAL(38, 8), %s::DECIMAL(38, 8))::VARCHAR, '-')", c[0], c[1], c[0], c[1]))
		a, _ := new(big.Rat).SetString(c[0])
		b, _ := new(big.Rat).SetString(c[1])
		if b.Sign() == 0 {
			want = append(want, "- -")
			continue
		}
		q := new(big.Rat).Quo(a, b)
		want = append(want, exact(q, 4)+" "+exact(q, 1))
	}
	// counts (BIGINT) too
	exprs = append(exprs, "kam_ratio4(3::BIGINT, 8::BIGINT)::VARCHAR || ' ' || kam_ratio1(1::BIGINT, 4::BIGINT)::VARCHAR")
	want = append(want, "0.3750 0.3")
	got := queryStrings(t, db, "SELECT "+strings.Join(exprs, ", "))
	for i, w := range want {
		if got[0][i] != w {
			t.Errorf("case %d %v: got %s, want %s", i, append(cases, [2]string{"count", ""})[i], got[0][i], w)
		}
	}
}

// The double path and the integer path agree with exact fractions on
// random amounts: kopecks over round limits (many ties), over any amount,
// and counts.
func TestRatioMacrosRandom(t *testing.T) {
	db := macroWarehouse(t)
	r := rand.New(rand.NewPCG(1, 2))
	var values, want []string
	for i := range 3000 {
		a := r.Int64N(20_000_000) - 5_000_000 // kopecks
		b := []int64{100000, 500000, 2000000, r.Int64N(9_000_000) + 1, 8, 20000 * 100}[i%6]
		if i%7 == 0 {
			a, b = r.Int64N(50), r.Int64N(40)+1 // counts, as kopecks of whole units
			a, b = a*100, b*100
		}
		values = append(values, fmt.Sprintf("(%d, %s::DECIMAL(38, 8), %s::DECIMAL(38, 8))", i, kop(a), kop(b)))
		q := big.NewRat(a, b)
		want = append(want, fmt.Sprintf("%d %s %s", i, exact(q, 4), exact(q, 1)))
	}
	got := queryStrings(t, db, "SELECT i, kam_ratio4(a, b), kam_ratio1(a, b) FROM (VALUES "+strings.Join(values, ", ")+") t(i, a, b) ORDER BY i")
	for i, w := range want {
		if g := strings.Join(got[i], " "); g != w {
			t.Errorf("row %d: got %s, want %s", i, g, w)
		}
	}
}

// queryStrings runs q and returns its rows as text.
func queryStrings(t *testing.T, db *sql.DB, q string) [][]string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	_, got, _, err := wh.ScanStrings(rows, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func kop(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// macroWarehouse is a new warehouse with the models' macros.
func macroWarehouse(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	db, err := wh.Open(ctx, filepath.Join(t.TempDir(), "kam.duckdb"), wh.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := createMacros(ctx, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// exact rounds r half away from zero to places decimals.
func exact(r *big.Rat, places int) string {
	scale := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
	x := new(big.Rat).Mul(r, scale)
	neg := x.Sign() < 0
	x.Abs(x)
	x.Add(x, big.NewRat(1, 2))
	n := new(big.Int).Quo(x.Num(), x.Denom())
	if neg {
		n.Neg(n)
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt(n), scale).FloatString(places)
}
