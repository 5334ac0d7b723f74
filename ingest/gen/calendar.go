package gen

import "time"

// Days are whole days since 1970-01-01 (UTC): cheap to add and compare.

// openEnd marks an open interval end (no valid_to, no churn, never).
const openEnd = 1 << 30

func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func timeOf(d int) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// weekday of a day: 1970-01-01 was a Thursday.
func weekday(d int) time.Weekday { return time.Weekday(((d+4)%7 + 7) % 7) }

// workday moves a Saturday or Sunday to the next Monday (banks, shipments).
func workday(d int) int {
	switch weekday(d) {
	case time.Saturday:
		return d + 2
	case time.Sunday:
		return d + 1
	}
	return d
}

// calendar caches date strings and month indexes of the days the
// simulation touches; other days are formatted on demand.
type calendar struct {
	start, asOf int // first day of history, last data day
	nMonths     int // months of history, the as-of month included
	lo          int
	dates       []string
	mIdx        []int
	monthStart  []int    // first day of month i (i = 0 is the first month of history), to nMonths+3
	monthKey    []string // "2006-01" of month i
}

func newCalendar(asOf time.Time, months int) *calendar {
	y, m, _ := asOf.Date()
	first := time.Date(y, m-time.Month(months-1), 1, 0, 0, 0, 0, time.UTC)
	c := &calendar{start: dayOf(first), asOf: dayOf(asOf), nMonths: months}
	for i := 0; i <= months+3; i++ {
		t := first.AddDate(0, i, 0)
		c.monthStart = append(c.monthStart, dayOf(t))
		c.monthKey = append(c.monthKey, t.Format("2006-01"))
	}
	c.lo = c.start
	hi := c.monthStart[months+3] - 1
	for d, i := c.lo, 0; d <= hi; d++ {
		if d >= c.monthStart[i+1] {
			i++
		}
		c.dates = append(c.dates, timeOf(d).Format("2006-01-02"))
		c.mIdx = append(c.mIdx, i)
	}
	return c
}

func (c *calendar) date(d int) string {
	if d >= c.lo && d-c.lo < len(c.dates) {
		return c.dates[d-c.lo]
	}
	return timeOf(d).Format("2006-01-02")
}

// dateOr formats a day, or "" for openEnd/none.
func (c *calendar) dateOr(d int) string {
	if d <= 0 || d >= openEnd {
		return ""
	}
	return c.date(d)
}

// month is the index of the day's month (0 = first month of history;
// negative before it).
func (c *calendar) month(d int) int {
	if d >= c.lo && d-c.lo < len(c.mIdx) {
		return c.mIdx[d-c.lo]
	}
	t, s := timeOf(d), timeOf(c.start)
	return (t.Year()-s.Year())*12 + int(t.Month()) - int(s.Month())
}

// monthName is "2006-01" of the day's month.
func (c *calendar) monthName(d int) string {
	if i := c.month(d); i >= 0 && i < len(c.monthKey) {
		return c.monthKey[i]
	}
	return timeOf(d).Format("2006-01")
}

// monthEnd is the last day of month i.
func (c *calendar) monthEnd(i int) int { return c.monthStart[i+1] - 1 }

// dmy formats a day as the banks do in payment purposes: 02.01.2006.
func (c *calendar) dmy(d int) string {
	s := c.date(d)
	return s[8:10] + "." + s[5:7] + "." + s[0:4]
}
