package gen

import (
	"math"
	"strconv"
)

// writePlans sets monthly targets for every KAM and month employed, from
// the first month of history to two months after the as-of month. Each
// target is calibrated on what the KAM actually did (sales, active and new
// clients) times a personal factor between 0.85 and 1.2 with a little
// noise: KAMs with a low factor beat their plan month after month, those
// with a high one fall short. The month in progress and the future months
// take the average of the last three complete months, grown by the trend.
// One KAM misses the new_clients target of one month (HR forgot it).
func (w *world) writePlans(t *table, s *sim) {
	r := newRand(w.opt.Seed, streamPlans)
	cal := w.cal
	n := cal.nMonths
	missMgr, missMonth := -1, n/2
	for _, k := range r.Perm(len(w.mgrs)) {
		if m := w.mgrs[k]; m.hired <= cal.monthStart[missMonth] && m.left >= cal.monthEnd(missMonth) {
			missMgr = k
			break
		}
	}
	for mi, m := range w.mgrs {
		var avgNew float64
		var cnt int
		for k := 1; k < n-1; k++ {
			if m.hired <= cal.monthStart[k] && m.left >= cal.monthEnd(k) {
				avgNew += float64(s.newCl[mi][k])
				cnt++
			}
		}
		if cnt > 0 {
			avgNew /= float64(cnt)
		}
		recent := func(x func(k int) float64, k int) float64 {
			var sum float64
			var c int
			for j := n - 4; j <= n-2; j++ {
				if j >= 0 && m.hired <= cal.monthStart[j] && m.left >= cal.monthEnd(j) {
					sum += x(j)
					c++
				}
			}
			if c == 0 {
				return 0
			}
			return sum / float64(c) * math.Pow(1.08, float64(k-(n-3))/12)
		}
		salesOf := func(k int) float64 { return float64(s.sales[mi][k]) / 1000 }
		activeOf := func(k int) float64 { return float64(s.active[mi][k]) }
		newOf := func(k int) float64 { return float64(s.newCl[mi][k]) }
		for k := 0; k < n+2; k++ {
			if m.hired > cal.monthEnd(k) || m.left < cal.monthStart[k] {
				continue
			}
			var sales, active, newc float64
			if k < n-1 { // a complete month
				sales, active, newc = salesOf(k), activeOf(k), 0.6*newOf(k)+0.4*avgNew
			} else {
				sales, active, newc = recent(salesOf, k), recent(activeOf, k), recent(newOf, k)
			}
			if sales <= 0 {
				sales = 30_000_000 // a KAM with no history yet: 300 000 ₽
			}
			f := m.planFactor
			period := cal.monthKey[k]
			target := roundTo(int64(sales*f*(1+0.05*r.NormFloat64())), 100_000)
			t.write("", []string{m.id, period, "sales", money(target)})
			t.write("", []string{m.id, period, "active_clients", count(active * f * (1 + 0.04*r.NormFloat64()))})
			nc := count(newc * f * (1 + 0.1*r.NormFloat64()))
			if mi == missMgr && k == missMonth {
				continue
			}
			t.write("", []string{m.id, period, "new_clients", nc})
		}
	}
}

// count rounds a target count, at least 1 so that no target is zero.
func count(x float64) string { return strconv.Itoa(max(1, int(math.Round(x)))) }
