package forum

import (
	"testing"
	"time"
)

func TestWeekStart(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ at, want string }{
		{"2026-03-18T12:00:00Z", "2026-03-15T23:00:00Z"}, // a Wednesday in winter time
		{"2026-03-15T22:59:59Z", "2026-03-08T23:00:00Z"}, // Sunday 23:59 in Stockholm
		{"2026-03-15T23:00:00Z", "2026-03-15T23:00:00Z"}, // Monday 00:00 in Stockholm
		{"2026-03-31T10:00:00Z", "2026-03-29T22:00:00Z"}, // the week summer time began: Monday is in summer time
		{"2026-10-28T10:00:00Z", "2026-10-25T23:00:00Z"}, // and ended
		{"2027-01-01T12:00:00Z", "2026-12-27T23:00:00Z"}, // across a new year
	} {
		got := WeekStart(utc(tc.at))
		if !got.Equal(utc(tc.want)) {
			t.Errorf("WeekStart(%s) = %s, want %s", tc.at, got.UTC().Format(time.RFC3339), tc.want)
		}
		if got.Weekday() != time.Monday || got.Hour() != 0 {
			t.Errorf("WeekStart(%s) is %s %d:00 in Stockholm", tc.at, got.Weekday(), got.Hour())
		}
	}
}
