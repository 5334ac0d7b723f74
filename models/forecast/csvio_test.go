package forecast

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReadCSV(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		fill     FillMode
		want     []Series
		problems []string // SeriesError texts, in order
	}{
		{
			name: "rows in any order, series in order of appearance",
			in:   "series,period,value\nB,2024-02,5\nA,2024-01,1\nB,2024-01,4\nA,2024-02,2\n",
			want: []Series{{"B", Month{2024, 1}, []float64{4, 5}}, {"A", Month{2024, 1}, []float64{1, 2}}},
		},
		{
			name: "column order, spaces, BOM, CRLF",
			in:   "\uFEFFvalue, Series ,period\r\n 7 ,X,2023-12\r\n8,X,2024-01\r\n",
			want: []Series{{"X", Month{2023, 12}, []float64{7, 8}}},
		},
		{
			name: "classic Mac CR line ends",
			in:   "series,period,value\rA,2024-01,1\rA,2024-02,2\r",
			want: []Series{{"A", Month{2024, 1}, []float64{1, 2}}},
		},
		{
			name:     "missing month names series and month; other series kept",
			in:       "series,period,value\nA,2024-01,1\nA,2024-03,3\nB,2024-01,1\n",
			want:     []Series{{"B", Month{2024, 1}, []float64{1}}},
			problems: []string{`series "A": month 2024-02 is missing; fill with zero to accept gaps`},
		},
		{
			name: "fill zero",
			in:   "series,period,value\nA,2024-01,1\nA,2024-04,3\n",
			fill: FillZero,
			want: []Series{{"A", Month{2024, 1}, []float64{1, 0, 0, 3}}},
		},
		{
			name:     "non-numeric value names the line",
			in:       "series,period,value\nA,2024-01,1\nB,2024-01,2\nA,2024-02,abc\n",
			want:     []Series{{"B", Month{2024, 1}, []float64{2}}},
			problems: []string{`series "A": line 4: value "abc" is not a number`},
		},
		{
			name:     "duplicate period",
			in:       "series,period,value\nA,2024-01,1\nA,2024-01,2\n",
			problems: []string{`series "A": line 3: period 2024-01 appears twice (also on line 2)`},
		},
		{
			name:     "bad period, empty name, NaN",
			in:       "series,period,value\nA,2024-13,1\n,2024-01,2\nC,2024-01,NaN\n",
			problems: []string{`series "A": line 2: period "2024-13" is not YYYY-MM`, `line 3: series name is empty`, `series "C": line 4: value "NaN" is not a number`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, problems, err := ReadCSV(strings.NewReader(tc.in), tc.fill)
			if err != nil {
				t.Fatalf("err: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("series:\n got %+v\nwant %+v", got, tc.want)
			}
			var texts []string
			for _, p := range problems {
				texts = append(texts, p.Error())
			}
			if !reflect.DeepEqual(texts, tc.problems) {
				t.Errorf("problems:\n got %q\nwant %q", texts, tc.problems)
			}
		})
	}
}

func TestReadCSVFileErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "series,month,value\nA,2024-01,1\n", "series,period,value\n\"A,2024-01,1\n"} {
		if _, _, err := ReadCSV(strings.NewReader(in), FillNone); err == nil {
			t.Errorf("%q: got no error, want one for the whole file", in)
		}
	}
}

func TestWriteCSVAndJSON(t *testing.T) {
	t.Parallel()
	res := []Result{{Series: "A,1", Model: "ETS(A,N,N)", MASE: 0.5, BacktestN: 3, Points: []Point{
		{Period: Month{2024, 12}, Forecast: 10.123456, Lo80: 9, Hi80: 11, Lo95: 8, Hi95: 12},
		{Period: Month{2025, 1}, Forecast: 10, Lo80: 8.5, Hi80: 11.5, Lo95: 7, Hi95: 13},
	}}}
	var b bytes.Buffer
	if err := WriteCSV(&b, res); err != nil {
		t.Fatal(err)
	}
	want := "series,period,forecast,lo80,hi80,lo95,hi95,model\n" +
		"\"A,1\",2024-12,10.1235,9,11,8,12,\"ETS(A,N,N)\"\n" +
		"\"A,1\",2025-01,10,8.5,11.5,7,13,\"ETS(A,N,N)\"\n"
	if b.String() != want {
		t.Errorf("CSV:\n got %q\nwant %q", b.String(), want)
	}
	b.Reset()
	if err := WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("JSON does not read back: %v\n%s", err, b.String())
	}
	if !reflect.DeepEqual(back, res) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", back, res)
	}
	if !strings.Contains(b.String(), `"period": "2024-12"`) {
		t.Errorf("JSON periods should be YYYY-MM strings:\n%s", b.String())
	}
}

func TestMonth(t *testing.T) {
	t.Parallel()
	m, err := ParseMonth("2024-11")
	if err != nil || m != (Month{2024, time.November}) {
		t.Fatalf("ParseMonth: got %v %v", m, err)
	}
	tests := []struct {
		k    int
		want string
	}{{0, "2024-11"}, {1, "2024-12"}, {2, "2025-01"}, {-11, "2023-12"}, {-23, "2022-12"}, {26, "2027-01"}}
	for _, tc := range tests {
		if got := m.Add(tc.k).String(); got != tc.want {
			t.Errorf("Add(%d): got %s, want %s", tc.k, got, tc.want)
		}
		if got := m.Add(tc.k).Sub(m); got != tc.k {
			t.Errorf("Sub after Add(%d): got %d", tc.k, got)
		}
	}
	for _, bad := range []string{"2024-1", "2024-13", "24-01", "2024-01-01", ""} {
		if _, err := ParseMonth(bad); err == nil {
			t.Errorf("ParseMonth(%q): want error", bad)
		}
	}
}

func TestParseFillMode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]FillMode{"": FillNone, "none": FillNone, "zero": FillZero, " Zero ": FillZero} {
		if got, err := ParseFillMode(in); err != nil || got != want {
			t.Errorf("ParseFillMode(%q): got %v %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseFillMode("linear"); err == nil {
		t.Error(`ParseFillMode("linear"): want error`)
	}
}
