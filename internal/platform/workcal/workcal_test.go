package workcal

import (
	"context"
	"testing"
	"time"

	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/i18n"
)

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWorkingTime(t *testing.T) {
	var y2026 Year
	for _, y := range Defaults() {
		if y.Year == 2026 {
			y2026 = y
		}
	}
	c := New(y2026.Days, nil)
	cases := []struct {
		from string
		lim  Limit
		want string
	}{
		// Inside a morning: plain addition.
		{"2026-03-02 09:00", Limit{Minutes: 120}, "2026-03-02 11:00"},
		// Across lunch: 11:00 + 2h = 12:00 then 14:00-15:00.
		{"2026-03-02 11:00", Limit{Minutes: 120}, "2026-03-02 15:00"},
		// Reported at night: counting starts at 08:30 the next working day.
		{"2026-03-02 22:00", Limit{Minutes: 240}, "2026-03-03 14:30"},
		// Friday afternoon over the weekend.
		{"2026-03-06 17:00", Limit{Minutes: 60}, "2026-03-09 09:00"},
		// Ending exactly at a period's end stays there.
		{"2026-03-02 08:30", Limit{Minutes: 210}, "2026-03-02 12:00"},
		// National Day week: Sep 30 (Wed) 17:00 + 1h: Oct 1-7 are off, Oct 8 is worked.
		{"2026-09-30 17:00", Limit{Minutes: 60}, "2026-10-08 09:00"},
		// 调休: Saturday Oct 10 2026 is worked.
		{"2026-10-09 17:00", Limit{Minutes: 60}, "2026-10-10 09:00"},
		// Working days: 5 working days from Monday end next Monday 17:30.
		{"2026-03-02 10:00", Limit{Days: 5}, "2026-03-09 17:30"},
		// Spring Festival: Feb 13 (Fri) + 1 working day = Feb 14 (Sat, 调休).
		{"2026-02-13 10:00", Limit{Days: 1}, "2026-02-14 17:30"},
		// ... + 2 working days skips Feb 15-23 to Feb 24.
		{"2026-02-13 10:00", Limit{Days: 2}, "2026-02-24 17:30"},
	}
	for _, tc := range cases {
		got := c.Due(sh(tc.from), tc.lim).In(Shanghai)
		if !got.Equal(sh(tc.want)) {
			t.Errorf("%s + %s = %s, want %s", tc.from, tc.lim, got.Format("2006-01-02 15:04"), tc.want)
		}
		if tc.lim.Days == 0 {
			if n := c.WorkMinutesBetween(sh(tc.from), got); n != tc.lim.Minutes {
				t.Errorf("minutes between %s and %s = %d, want %d", tc.from, got, n, tc.lim.Minutes)
			}
		}
	}
	// Warnings at 80% of a 4-hour limit started at 09:00: 3h12m of working time later.
	due := c.Due(sh("2026-03-02 09:00"), Limit{Minutes: 240})
	if w := c.Warn(sh("2026-03-02 09:00"), due, 80).In(Shanghai); !w.Equal(sh("2026-03-02 14:12")) {
		t.Errorf("warn = %s", w)
	}
	for _, s := range []string{"4h", "90m", "5d"} {
		l, err := ParseLimit(s)
		if err != nil || l.String() != s {
			t.Errorf("ParseLimit(%q) = %v %v", s, l, err)
		}
	}
	for _, s := range []string{"", "h", "0h", "-1d", "400d", "5x", "1.5h"} {
		if _, err := ParseLimit(s); err == nil {
			t.Errorf("ParseLimit(%q) accepted", s)
		}
	}
	if _, err := ParseHours("12:00-08:00"); err == nil {
		t.Error("reversed hours accepted")
	}
	if p, err := ParseHours("08:30-12:00, 14:00-17:30"); err != nil || FormatHours(p) != "08:30-12:00,14:00-17:30" {
		t.Errorf("hours %v %v", p, err)
	}
}

func TestStore(t *testing.T) {
	dbtest.Each(t, []db.Migrations{auth.Migrations, audit.Migrations, Migrations}, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		now := sh("2026-11-26 10:00")
		if err := s.EnsureDefaults(ctx, now); err != nil {
			t.Fatal(err)
		}
		if err := s.EnsureDefaults(ctx, now); err != nil {
			t.Fatal(err)
		}
		years, err := s.Years(ctx)
		if err != nil || len(years) != 3 || years[0].Year != 2025 || !years[2].Provisional {
			t.Fatalf("years = %+v %v", years, err)
		}
		c, err := s.Calendar(ctx)
		if err != nil || c.IsWorkday(sh("2026-10-01 10:00")) || !c.IsWorkday(sh("2026-10-10 10:00")) {
			t.Fatalf("calendar: %v", err)
		}
		// The district makes 2027-03-01 a holiday with shorter hours.
		hours, _ := ParseHours("09:00-12:00")
		days, err := ParseDays("holidays", 2027, Holiday, "2027-03-01 测试假日\n")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetYear(ctx, auth.SystemActor("t"), Year{Year: 2027, Hours: hours, Days: days}); err != nil {
			t.Fatal(err)
		}
		c, _ = s.Calendar(ctx)
		if c.IsWorkday(sh("2027-03-01 10:00")) || c.Due(sh("2027-03-02 09:00"), Limit{Minutes: 240}).In(Shanghai) != sh("2027-03-03 10:00") {
			t.Errorf("after SetYear: %v", c.Due(sh("2027-03-02 09:00"), Limit{Minutes: 240}).In(Shanghai))
		}
		if _, err := ParseDays("holidays", 2027, Holiday, "2026-03-01 x"); err == nil {
			t.Error("a date of another year was accepted")
		}
		if err := s.SetYear(ctx, &auth.Actor{UserID: 5}, Year{Year: 2027, Hours: hours}); err == nil {
			t.Error("a user without the permission set the calendar")
		}
	})
}

func TestLimitInWords(t *testing.T) {
	for _, c := range []struct {
		l      Limit
		zh, en string
	}{
		{Limit{Minutes: 60}, "1小时", "1 working hour"},
		{Limit{Minutes: 240}, "4小时", "4 working hours"},
		{Limit{Minutes: 90}, "90分钟", "90 working minutes"},
		{Limit{Days: 1}, "1个工作日", "1 working day"},
		{Limit{Days: 15}, "15个工作日", "15 working days"},
		{Limit{}, "", ""},
	} {
		if zh, en := c.l.Words(i18n.Zh), c.l.Words(i18n.En); zh != c.zh || en != c.en {
			t.Errorf("%v in words: %q, %q; want %q, %q", c.l, zh, en, c.zh, c.en)
		}
	}
}
