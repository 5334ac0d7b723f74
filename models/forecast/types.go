package forecast

import (
	"encoding/json"
	"fmt"
	"time"
)

// Month is a calendar month, the period of every series.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil || len(s) != 7 {
		return Month{}, fmt.Errorf("period %q is not YYYY-MM", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// String formats the month as "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Add returns the month k months later (earlier for negative k).
func (m Month) Add(k int) Month {
	i := m.index() + k
	return Month{Year: floorDiv(i, 12), Month: time.Month(i-12*floorDiv(i, 12)) + 1}
}

// Sub returns the number of months from o to m.
func (m Month) Sub(o Month) int { return m.index() - o.index() }

func (m Month) index() int { return m.Year*12 + int(m.Month) - 1 }

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// MarshalText makes Month a "YYYY-MM" string in JSON.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads "YYYY-MM".
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Series is one monthly series: Values[i] belongs to Start.Add(i).
type Series struct {
	Name   string
	Start  Month
	Values []float64
}

// Point is the forecast for one future month with its 80% and 95%
// prediction intervals.
type Point struct {
	Period   Month   `json:"period"`
	Forecast float64 `json:"forecast"`
	Lo80     float64 `json:"lo80"`
	Hi80     float64 `json:"hi80"`
	Lo95     float64 `json:"lo95"`
	Hi95     float64 `json:"hi95"`
}

// Result is the forecast of one series.
type Result struct {
	Series string `json:"series"`
	// Model names what produced Points, e.g. "ETS(M,Ad,M)", "Theta(seasonal)",
	// "Combo(median of ETS(M,A,M),Theta(seasonal),Damped,SNaive)", "Damped",
	// "SNaive", "Naive", "Croston", "TSB".
	Model  string  `json:"model"`
	Points []Point `json:"points"`
	// MASE and Bias measure the chosen model in the rolling-origin backtest
	// (see doc.go): MASE is the mean absolute error over the in-sample
	// seasonal-naive MAE; Bias is Σ(forecast−actual)/Σ|actual|, so +0.05
	// means 5% over-forecast. Both are 0 when BacktestN is 0 (too short).
	MASE      float64 `json:"mase"`
	Bias      float64 `json:"bias"`
	BacktestN int     `json:"backtest_n"`
	// Note says why a simpler model than asked for was used, if it was.
	Note string `json:"note,omitempty"`
}

// Method picks the forecasting method; MethodAuto chooses per series.
type Method string

// Methods accepted in Options.Method.
const (
	MethodAuto    Method = "auto"    // backtest choice among the candidates (doc.go)
	MethodCombo   Method = "combo"   // median of ETS, Theta, Damped (and SNaive)
	MethodETS     Method = "ets"     // ETS selected by AICc
	MethodTheta   Method = "theta"   // Theta method
	MethodDamped  Method = "damped"  // damped Holt on seasonally adjusted data
	MethodSNaive  Method = "snaive"  // seasonal naive
	MethodNaive   Method = "naive"   // last value
	MethodCroston Method = "croston" // Croston with the SBA correction
	MethodTSB     Method = "tsb"     // Teunter–Syntetos–Babai
)

// Options tune Forecast and ForecastAll; the zero value is the default.
type Options struct {
	Method  Method // "" means MethodAuto
	Period  int    // seasonal period; 0 means 12
	Origins int    // rolling-origin backtest origins; 0 means 3, <0 disables the backtest
	Workers int    // ForecastAll goroutines; 0 means GOMAXPROCS
}

// SeriesError is a problem that stops one series but not the others.
type SeriesError struct {
	Series string // "" when the line has no series name
	Line   int    // CSV line, 0 when not about one line
	Err    error
}

func (e SeriesError) Error() string {
	s := e.Err.Error()
	if e.Line > 0 {
		s = fmt.Sprintf("line %d: %s", e.Line, s)
	}
	if e.Series != "" {
		s = fmt.Sprintf("series %q: %s", e.Series, s)
	}
	return s
}

func (e SeriesError) Unwrap() error { return e.Err }

// MarshalJSON writes the error as its message.
func (e SeriesError) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Series string `json:"series"`
		Line   int    `json:"line,omitempty"`
		Error  string `json:"error"`
	}{e.Series, e.Line, e.Err.Error()})
}
