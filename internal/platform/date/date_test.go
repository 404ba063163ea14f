package date_test

import (
	"testing"
	"time"

	"grassroots/internal/platform/date"
)

func TestToday(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want date.Date
	}{
		{time.Date(2026, 6, 14, 15, 59, 59, 0, time.UTC), "2026-06-14"},
		{time.Date(2026, 6, 14, 16, 0, 0, 0, time.UTC), "2026-06-15"}, // midnight in Shanghai
		{time.Date(2026, 6, 14, 16, 30, 0, 0, time.UTC), "2026-06-15"},
		{time.Date(2026, 6, 14, 23, 30, 0, 0, time.UTC), "2026-06-15"},
		{time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01-01"},
		{time.Date(2026, 6, 15, 0, 30, 0, 0, time.FixedZone("PDT", -7*3600)), "2026-06-15"}, // 15:30 in Shanghai
	} {
		if got := date.Today(c.at); got != c.want {
			t.Errorf("Today(%v) = %s, want %s", c.at, got, c.want)
		}
	}
}

// TestShanghaiIsFixed checks that the zone is UTC+8 at any date, from the
// code and not from the machine's time zone database (which has daylight
// saving time in Shanghai from 1986 to 1991).
func TestShanghaiIsFixed(t *testing.T) {
	for _, at := range []time.Time{time.Date(1988, 7, 1, 12, 0, 0, 0, date.Shanghai), time.Date(2026, 7, 1, 12, 0, 0, 0, date.Shanghai)} {
		if _, off := at.Zone(); off != 8*3600 {
			t.Errorf("%v: offset %d", at, off)
		}
	}
}

func TestYearsBetweenAndAfter(t *testing.T) {
	birth := date.Date("2000-02-29")
	for on, want := range map[date.Date]int{"2001-02-28": 0, "2001-03-01": 1, "2004-02-28": 3, "2004-02-29": 4, "2000-02-29": 0} {
		if got := birth.YearsBetween(on); got != want {
			t.Errorf("YearsBetween(%s) = %d, want %d", on, got, want)
		}
	}
	if !date.Date("2026-06-16").After("2026-06-15") || date.Date("2026-06-15").After("2026-06-15") || date.Date("2025-12-31").After("2026-01-01") {
		t.Error("After")
	}
}
