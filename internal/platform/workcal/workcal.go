// Package workcal is the working-time calendar that deadlines run on: which
// days are worked (weekdays, less public holidays, plus the weekend days
// that are worked instead, 调休) and which hours of a working day count.
//
// A Calendar is a plain value: it answers "what time is N working minutes
// (or N working days) after t" and "how many working minutes lie between a
// and b". The Store keeps the calendar per year in the database, so that the
// district can set each year's holidays when the State Council publishes
// them, and every instance computes the same deadlines. Times are computed
// in Asia/Shanghai and returned in UTC.
package workcal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
)

// Shanghai is the time zone working hours are counted in: the one in which
// days begin everywhere else too.
var Shanghai = date.Shanghai

// Period is a span of working time within a day, in minutes from midnight.
type Period struct{ Start, End int }

// DefaultHours are the working hours of a day when a year sets none:
// 08:30-12:00 and 14:00-17:30, seven hours.
var DefaultHours = []Period{{8*60 + 30, 12 * 60}, {14 * 60, 17*60 + 30}}

// DayKind says how a date differs from the weekday rule.
type DayKind string

// The kinds of exception.
const (
	Holiday DayKind = "holiday" // a weekday that is not worked
	Workday DayKind = "workday" // a weekend day that is worked (调休)
)

// Day is one exception to the weekday rule.
type Day struct {
	Date string // YYYY-MM-DD
	Kind DayKind
	Name string
}

// Calendar answers working-time questions. The zero Calendar works Monday to
// Friday with DefaultHours.
type Calendar struct {
	// Hours per year; a year not listed uses DefaultHours.
	Hours map[int][]Period
	// Days are the exceptions, by date.
	Days map[string]Day
}

// New makes a calendar from exceptions and per-year hours.
func New(days []Day, hours map[int][]Period) *Calendar {
	c := &Calendar{Hours: map[int][]Period{}, Days: map[string]Day{}}
	for _, d := range days {
		c.Days[d.Date] = d
	}
	for y, h := range hours {
		c.Hours[y] = h
	}
	return c
}

func (c *Calendar) hours(year int) []Period {
	if c != nil {
		if h, ok := c.Hours[year]; ok && len(h) > 0 {
			return h
		}
	}
	return DefaultHours
}

// IsWorkday reports whether the date of t (in Shanghai) is worked.
func (c *Calendar) IsWorkday(t time.Time) bool {
	t = t.In(Shanghai)
	if c != nil {
		if d, ok := c.Days[t.Format("2006-01-02")]; ok {
			return d.Kind == Workday
		}
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Shanghai)
}

func at(day time.Time, minute int) time.Time { return day.Add(time.Duration(minute) * time.Minute) }

// maxDays bounds the search for working time, so that a calendar with no
// working days at all cannot loop for ever.
const maxDays = 3 * 366

// AddWorkMinutes returns the instant that lies n working minutes after t.
// Time outside working hours does not count; a deadline that falls exactly
// at the end of a period stays there rather than moving to the next one.
func (c *Calendar) AddWorkMinutes(t time.Time, n int) time.Time {
	local := t.In(Shanghai)
	day := midnight(local)
	left := time.Duration(n) * time.Minute
	for i := 0; i < maxDays; i++ {
		if c.IsWorkday(day) {
			for _, p := range c.hours(day.Year()) {
				start, end := at(day, p.Start), at(day, p.End)
				if !end.After(local) {
					continue
				}
				if start.Before(local) {
					start = local
				}
				if span := end.Sub(start); left <= span {
					return start.Add(left).UTC()
				} else {
					left -= span
				}
			}
		}
		day = midnight(day.AddDate(0, 0, 1))
	}
	return t.Add(time.Duration(n) * time.Minute).UTC()
}

// AddWorkDays returns the end of the n-th working day after the day of t:
// a limit of "5 working days" reported on Monday is due at the close of the
// following Monday. The day of t itself does not count.
func (c *Calendar) AddWorkDays(t time.Time, n int) time.Time {
	day := midnight(t.In(Shanghai))
	for i, count := 0, 0; i < maxDays*2; i++ {
		day = midnight(day.AddDate(0, 0, 1))
		if !c.IsWorkday(day) {
			continue
		}
		count++
		if count >= n {
			h := c.hours(day.Year())
			return at(day, h[len(h)-1].End).UTC()
		}
	}
	return t.AddDate(0, 0, n).UTC()
}

// WorkMinutesBetween counts the working minutes from a to b (0 if b is not
// after a).
func (c *Calendar) WorkMinutesBetween(a, b time.Time) int {
	if !b.After(a) {
		return 0
	}
	la, lb := a.In(Shanghai), b.In(Shanghai)
	var total time.Duration
	for day := midnight(la); !day.After(lb); day = midnight(day.AddDate(0, 0, 1)) {
		if !c.IsWorkday(day) {
			continue
		}
		for _, p := range c.hours(day.Year()) {
			start, end := at(day, p.Start), at(day, p.End)
			if start.Before(la) {
				start = la
			}
			if end.After(lb) {
				end = lb
			}
			if end.After(start) {
				total += end.Sub(start)
			}
		}
	}
	return int(total / time.Minute)
}

// Span is the working time from a to b as a reader takes it in: whole
// working days once it is at least a working day of a's year (a day being
// that year's working hours), else whole working hours once at least an
// hour, else working minutes (at least one when b is after a).
func (c *Calendar) Span(a, b time.Time) Limit {
	n := c.WorkMinutesBetween(a, b)
	day := 0
	for _, p := range c.hours(a.In(Shanghai).Year()) {
		day += p.End - p.Start
	}
	switch {
	case day > 0 && n >= day:
		return Limit{Days: n / day}
	case n >= 60:
		return Limit{Minutes: n / 60 * 60}
	case b.After(a):
		return Limit{Minutes: max(n, 1)}
	}
	return Limit{}
}

// Limit is a time limit: working minutes or working days.
type Limit struct {
	Minutes int // working minutes (used when Days is 0)
	Days    int // working days
}

// IsZero reports whether the limit sets no time.
func (l Limit) IsZero() bool { return l.Minutes <= 0 && l.Days <= 0 }

// Words writes the limit for a reader: "4小时", "90分钟", "5个工作日"
// ("4 hours", "90 minutes", "5 working days"). Minutes are working
// minutes, as days are working days.
func (l Limit) Words(lang i18n.Lang) string {
	words := func(unit string, n int) string {
		if n == 1 {
			unit += "_one" // English says "1 working day", not "days"
		}
		return i18n.T(lang, "workcal."+unit, n)
	}
	switch {
	case l.Days > 0:
		return words("days", l.Days)
	case l.Minutes > 0 && l.Minutes%60 == 0:
		return words("hours", l.Minutes/60)
	case l.Minutes > 0:
		return words("minutes", l.Minutes)
	}
	return ""
}

// String writes the limit like "4h", "90m" or "5d", as forms and the API
// take it.
func (l Limit) String() string {
	switch {
	case l.Days > 0:
		return fmt.Sprintf("%dd", l.Days)
	case l.Minutes > 0 && l.Minutes%60 == 0:
		return fmt.Sprintf("%dh", l.Minutes/60)
	case l.Minutes > 0:
		return fmt.Sprintf("%dm", l.Minutes)
	}
	return ""
}

// ParseLimit reads "4h", "90m", "5d" (working hours, minutes, days).
func ParseLimit(s string) (Limit, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) < 2 {
		return Limit{}, fmt.Errorf("not a limit: %q", s)
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 || n > 100000 {
		return Limit{}, fmt.Errorf("not a limit: %q", s)
	}
	switch s[len(s)-1] {
	case 'h':
		return Limit{Minutes: n * 60}, nil
	case 'm':
		return Limit{Minutes: n}, nil
	case 'd':
		if n > 365 {
			return Limit{}, fmt.Errorf("not a limit: %q", s)
		}
		return Limit{Days: n}, nil
	}
	return Limit{}, fmt.Errorf("not a limit: %q", s)
}

// Due returns when a limit started at t runs out.
func (c *Calendar) Due(t time.Time, l Limit) time.Time {
	if l.Days > 0 {
		return c.AddWorkDays(t, l.Days)
	}
	return c.AddWorkMinutes(t, l.Minutes)
}

// Warn returns the instant at which percent of the working time from t to
// due has passed: the yellow warning of a limit.
func (c *Calendar) Warn(t, due time.Time, percent int) time.Time {
	total := c.WorkMinutesBetween(t, due)
	return c.AddWorkMinutes(t, total*percent/100)
}

// ParseHours reads working hours written like "08:30-12:00,14:00-17:30".
func ParseHours(s string) ([]Period, error) {
	var out []Period
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		a, b, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("not a span of hours: %q", part)
		}
		start, err1 := clock(a)
		end, err2 := clock(b)
		if err1 != nil || err2 != nil || end <= start {
			return nil, fmt.Errorf("not a span of hours: %q", part)
		}
		if len(out) > 0 && start < out[len(out)-1].End {
			return nil, fmt.Errorf("spans of hours overlap or are out of order: %q", part)
		}
		out = append(out, Period{start, end})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no working hours")
	}
	return out, nil
}

func clock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, fmt.Errorf("bad time")
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 24 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
		return 0, fmt.Errorf("bad time")
	}
	return hh*60 + mm, nil
}

// FormatHours writes working hours as ParseHours reads them.
func FormatHours(ps []Period) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%02d:%02d-%02d:%02d", p.Start/60, p.Start%60, p.End/60, p.End%60)
	}
	return strings.Join(parts, ",")
}

// SortDays orders days by date.
func SortDays(days []Day) {
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
}
