package pay

import (
	"encoding/json"
	"fmt"
	"time"
)

// Period is a pay period: a calendar month.
type Period struct {
	start time.Time // the month's first day, UTC
}

// ParsePeriod reads YYYY-MM.
func ParsePeriod(s string) (Period, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	return Period{start: t}, nil
}

// PeriodOf is the month a date falls in.
func PeriodOf(t time.Time) Period {
	return Period{start: time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)}
}

func (p Period) String() string {
	if p.start.IsZero() {
		return ""
	}
	return p.start.Format("2006-01")
}

// IsZero reports whether the period is unset.
func (p Period) IsZero() bool { return p.start.IsZero() }

// Start is the period's first day.
func (p Period) Start() time.Time { return p.start }

// End is the period's last day (inclusive).
func (p Period) End() time.Time { return p.start.AddDate(0, 1, -1) }

// Days is the number of days in the period.
func (p Period) Days() int { return p.End().Day() }

// Next is the following month.
func (p Period) Next() Period { return Period{start: p.start.AddDate(0, 1, 0)} }

// Prev is the month before.
func (p Period) Prev() Period { return Period{start: p.start.AddDate(0, -1, 0)} }

// Before reports whether p comes before q.
func (p Period) Before(q Period) bool { return p.start.Before(q.start) }

// MarshalJSON writes "YYYY-MM".
func (p Period) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads "YYYY-MM".
func (p *Period) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*p = Period{}
		return nil
	}
	q, err := ParsePeriod(s)
	*p = q
	return err
}

// daysBetween counts the days from a to b inclusive (0 when b is before a).
func daysBetween(a, b time.Time) int {
	if b.Before(a) {
		return 0
	}
	return int(b.Sub(a).Hours()/24) + 1
}
