package forecast_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kam-analytics/kam/models/forecast"
)

// The CLI's path: read long CSV, forecast every good series, report the
// bad ones, write CSV.
func Example() {
	var in strings.Builder
	in.WriteString("series,period,value\n")
	for i := range 30 {
		m := forecast.Month{Year: 2023, Month: 1}.Add(i)
		fmt.Fprintf(&in, "north,%s,%d\n", m, 100+i%12*5)
		if i != 7 { // south misses 2023-08
			fmt.Fprintf(&in, "south,%s,%d\n", m, 50+i)
		}
	}
	series, problems, err := forecast.ReadCSV(strings.NewReader(in.String()), forecast.FillNone)
	if err != nil {
		panic(err)
	}
	results, failed := forecast.ForecastAll(context.Background(), series, 2, forecast.Options{})
	for _, p := range append(problems, failed...) {
		fmt.Println("skipped:", p)
	}
	for _, r := range results {
		fmt.Println(r.Series, r.Model)
		for _, p := range r.Points {
			fmt.Printf("%s %.0f\n", p.Period, p.Forecast)
		}
	}
	_ = forecast.WriteCSV(os.Stdout, results[:0]) // header only here
	// Output:
	// skipped: series "south": month 2023-08 is missing; fill with zero to accept gaps
	// north Combo(median of ETS(A,N,A),Theta(seasonal),Damped,SNaive)
	// 2025-07 130
	// 2025-08 135
	// series,period,forecast,lo80,hi80,lo95,hi95,model
}
