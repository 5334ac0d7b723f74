package models

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// macros are SQL functions the model files call, kept in the warehouse's
// main schema by every build, so a built warehouse runs the files
// unchanged in a duckdb shell too. A model is rebuilt when its SQL text
// changes, not when a macro does: change a macro's name with its body.
//
// kam_ratio4(a, b) and kam_ratio1(a, b) are a / b rounded half away from
// zero to 4 (1) decimals, exactly: DuckDB divides decimals as doubles,
// and round(339.45 / 1000, 4) gave 0.3394 for 0.33945. a and b are exact
// values of at most 8 decimals (amounts, counts); the quotient is taken on
// integers: floor((2·|a|·10^k + |b|) / 2|b|) with the sign of a / b, where
// the double quotient could be on the wrong side of a tie. NULL when b is 0
// or NULL.
var macros = map[string]string{
	"kam_ratio4": ratioMacro("kam_ratio4", 4),
	"kam_ratio1": ratioMacro("kam_ratio1", 1),
}

func ratioMacro(name string, places int) string {
	scaled := func(x string) string { return "abs(cast(cast(" + x + " AS DECIMAL(38, 8)) * 100000000 AS HUGEINT))" }
	unit := "1" + strings.Repeat("0", places)
	// 128-bit division costs ≈ 3 µs a row (0.7 s of sales_monthly at 10 M order lines): the double quotient is
	// rounded where it cannot be near a tie, the integers decide the rest (a millionth of a unit from a tie, or
	// quotients from 10^5 on, where a double's last bits reach it)
	return fmt.Sprintf(`CREATE OR REPLACE MACRO main.%[1]s(a, b) AS (
    CASE
        WHEN b = 0 THEN NULL
        WHEN abs(a / b) < 100000
            AND abs(abs(a / b) * %[2]s - floor(abs(a / b) * %[2]s) - 0.5) > 0.000001
            THEN cast(round(a / b, %[3]d) AS DECIMAL(38, %[3]d))
        ELSE cast(sign(a) * sign(b) * ((2 * %[4]s * %[2]s + %[5]s) // (2 * %[5]s)) AS DECIMAL(38, 0)) * 0.%[6]s1
    END
)`, name, unit, places, scaled("a"), scaled("b"), strings.Repeat("0", places-1))
}

// createMacros writes the macros into the warehouse.
func createMacros(ctx context.Context, q querier) error {
	for _, name := range slices.Sorted(maps.Keys(macros)) {
		if _, err := q.ExecContext(ctx, macros[name]); err != nil {
			return fmt.Errorf("create the models' SQL functions: %w", err)
		}
	}
	return nil
}

// macrosExist reports whether the warehouse has every macro (one built by
// an older kam may not).
func macrosExist(ctx context.Context, q querier) (bool, error) {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(DISTINCT function_name) FROM duckdb_functions() WHERE schema_name = 'main' AND list_contains(?::VARCHAR[], function_name)",
		slices.Sorted(maps.Keys(macros))).Scan(&n); err != nil {
		return false, err
	}
	return n == len(macros), nil
}
