package i18n

import (
	"fmt"
	"time"
)

// Stockholm is the zone dates are shown in: the network is Swedish.
var Stockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// When formats t for a list or a post: relative within the last week
// ("för 5 minuter sedan", "i går 14:05", "tisdag 09:30"), otherwise a
// date ("3 mars", with the year when it is not this year's).
func (l Localizer) When(t, now time.Time) string {
	t, now = t.In(Stockholm), now.In(Stockholm)
	d := now.Sub(t)
	switch {
	case d < 0:
		return l.Date(t, now)
	case d < time.Minute:
		return l.T("time.just_now")
	case d < time.Hour:
		return l.N("time.minutes_ago", int(d/time.Minute))
	}
	ty, tm, td := t.Date()
	ny, nm, nd := now.Date()
	today := time.Date(ny, nm, nd, 0, 0, 0, 0, Stockholm)
	day := time.Date(ty, tm, td, 0, 0, 0, 0, Stockholm)
	days := int(today.Sub(day).Hours()/24 + 0.5)
	switch {
	case days == 0:
		return l.T("time.today", t.Format("15:04"))
	case days == 1:
		return l.T("time.yesterday", t.Format("15:04"))
	case days < 7:
		return l.T("time.weekday", l.T(weekdayKeys[t.Weekday()]), t.Format("15:04"))
	}
	return l.Date(t, now)
}

// The catalog keys of the days and months, made once: dates are shown
// dozens of times a page.
var (
	weekdayKeys = func() (k [7]string) {
		for i := range k {
			k[i] = fmt.Sprintf("weekday.%d", i)
		}
		return k
	}()
	monthKeys = func() (k [13]string) {
		for i := 1; i < len(k); i++ {
			k[i] = fmt.Sprintf("month.%d", i)
		}
		return k
	}()
)

// Date formats the day of t: "3 mars" or "3 mars 2025".
func (l Localizer) Date(t, now time.Time) string {
	t = t.In(Stockholm)
	month := l.T(monthKeys[t.Month()])
	if t.Year() == now.In(Stockholm).Year() {
		return l.T("date.day_month", t.Day(), month)
	}
	return l.T("date.day_month_year", t.Day(), month, t.Year())
}

// Exact formats t fully, for a <time> element's title.
func (l Localizer) Exact(t time.Time) string {
	t = t.In(Stockholm)
	return l.T("date.exact", t.Day(), l.T(monthKeys[t.Month()]), t.Year(), t.Format("15:04"))
}
