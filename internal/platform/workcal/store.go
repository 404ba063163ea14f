package workcal

import (
	"context"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the calendar tables.
var Migrations = db.Migrations{Module: "workcal", FS: db.Sub(migrationFiles, "migrations")}

// PermManage lets a user set the working calendar.
const PermManage auth.Perm = "calendar.manage"

func init() {
	auth.DefineRole(auth.DistrictAdmin, PermManage)
	i18n.Register(i18n.Catalog{
		"workcal.bad_year":    {Zh: "年份应在 2000 到 2100 之间。", En: "The year must be between 2000 and 2100."},
		"workcal.bad_hours":   {Zh: "工作时间应写成 08:30-12:00,14:00-17:30。", En: "Write working hours like 08:30-12:00,14:00-17:30."},
		"workcal.bad_day":     {Zh: "第 %d 行：应写成“2026-10-01 国庆节”，日期属于该年。", En: "Line %d: write “2026-10-01 National Day”, a date of that year."},
		"workcal.days":        {Zh: "%d个工作日", En: "%d working days"},
		"workcal.hours":       {Zh: "%d小时", En: "%d working hours"},
		"workcal.minutes":     {Zh: "%d分钟", En: "%d working minutes"},
		"workcal.days_one":    {Zh: "%d个工作日", En: "%d working day"},
		"workcal.hours_one":   {Zh: "%d小时", En: "%d working hour"},
		"workcal.minutes_one": {Zh: "%d分钟", En: "%d working minute"},
	})
}

// Store keeps the calendar in the database. Reads are cached for a short
// while; every instance sees an edit within CacheFor.
type Store struct {
	DB       *db.DB
	CacheFor time.Duration

	mu     sync.Mutex
	cached *Calendar
	loaded time.Time
}

// NewStore returns the calendar store on d.
func NewStore(d *db.DB) *Store { return &Store{DB: d, CacheFor: 30 * time.Second} }

// Year is one year's calendar as stored.
type Year struct {
	Year        int
	Hours       []Period
	Provisional bool
	Days        []Day
}

// Calendar returns the current calendar.
func (s *Store) Calendar(ctx context.Context) (*Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && time.Since(s.loaded) < s.CacheFor {
		return s.cached, nil
	}
	years, err := s.Years(ctx)
	if err != nil {
		return nil, err
	}
	c := New(nil, nil)
	for _, y := range years {
		if y.Hours != nil {
			c.Hours[y.Year] = y.Hours
		}
		for _, d := range y.Days {
			c.Days[d.Date] = d
		}
	}
	s.cached, s.loaded = c, time.Now()
	return c, nil
}

// Invalidate drops the cached calendar.
func (s *Store) Invalidate() {
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
}

// Years lists the years the calendar holds, each with its exceptions by
// date: two queries, whatever the number of years.
func (s *Store) Years(ctx context.Context) (_ []Year, err error) {
	defer apperr.Trace(&err, "workcal.Store.Years")
	out, err := db.All(ctx, s.DB, func(r db.Scanner) (Year, error) {
		var y Year
		var h string
		err := r.Scan(&y.Year, &h, &y.Provisional)
		y.Hours, _ = ParseHours(h)
		return y, err
	}, `SELECT year, hours, provisional FROM work_calendar_years ORDER BY year`)
	if err != nil {
		return nil, err
	}
	index := map[int]int{}
	for i, y := range out {
		index[y.Year] = i
	}
	err = db.Each(ctx, s.DB, func(r db.Scanner) error {
		var year int
		var d Day
		if err := r.Scan(&year, &d.Date, &d.Kind, &d.Name); err != nil {
			return err
		}
		if i, ok := index[year]; ok {
			out[i].Days = append(out[i].Days, d)
		}
		return nil
	}, `SELECT year, day, kind, name FROM work_calendar_days ORDER BY day`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ParseDays reads one exception per line, "2026-10-01 国庆节" (kind given
// by the caller), checking that each date falls in year. field names the
// form field for errors.
func ParseDays(field string, year int, kind DayKind, text string) ([]Day, error) {
	var out []Day
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		date, name, _ := strings.Cut(line, " ")
		t, err := time.Parse("2006-01-02", strings.TrimSpace(date))
		if err != nil || t.Year() != year || len([]rune(name)) > 40 {
			return nil, apperr.FieldInvalid(field, "workcal.bad_day", i+1)
		}
		out = append(out, Day{Date: t.Format("2006-01-02"), Kind: kind, Name: strings.TrimSpace(name)})
	}
	return out, nil
}

// SetYear replaces one year's hours and exceptions.
func (s *Store) SetYear(ctx context.Context, actor *auth.Actor, y Year) (err error) {
	defer apperr.Trace(&err, "workcal.Store.SetYear(%d)", y.Year)
	if !actor.Has(PermManage) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if y.Year < 2000 || y.Year > 2100 {
		return apperr.FieldInvalid("year", "workcal.bad_year")
	}
	if len(y.Hours) == 0 {
		return apperr.FieldInvalid("hours", "workcal.bad_hours")
	}
	for _, d := range y.Days {
		if !strings.HasPrefix(d.Date, strconv.Itoa(y.Year)+"-") || (d.Kind != Holiday && d.Kind != Workday) {
			return apperr.FieldInvalid("days", "workcal.bad_day", 1)
		}
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := putYear(ctx, tx, y, time.Now().UTC()); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("calendar.set", "calendar", strconv.Itoa(y.Year),
			map[string]any{"hours": FormatHours(y.Hours), "days": len(y.Days), "provisional": y.Provisional}))
	})
	s.Invalidate()
	return err
}

func putYear(ctx context.Context, tx *db.Tx, y Year, now time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM work_calendar_days WHERE year = ?`, y.Year); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO work_calendar_years (year, hours, provisional, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (year) DO UPDATE SET hours = excluded.hours, provisional = excluded.provisional, updated_at = excluded.updated_at`,
		y.Year, FormatHours(y.Hours), y.Provisional, now); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, d := range y.Days {
		if seen[d.Date] {
			continue
		}
		seen[d.Date] = true
		if _, err := tx.Exec(ctx, `INSERT INTO work_calendar_days (day, year, kind, name) VALUES (?, ?, ?, ?)`, d.Date, y.Year, string(d.Kind), d.Name); err != nil {
			return err
		}
	}
	return nil
}

// EnsureDefaults stores the shipped calendar for the years around now that
// the database does not hold yet (the current and next year at least), so
// that a new installation computes deadlines on real holidays. Years the
// district has set are left alone.
func (s *Store) EnsureDefaults(ctx context.Context, now time.Time) (err error) {
	defer apperr.Trace(&err, "workcal.Store.EnsureDefaults")
	have := map[int]bool{}
	err = db.Each(ctx, s.DB, func(r db.Scanner) error {
		var y int
		err := r.Scan(&y)
		have[y] = true
		return err
	}, `SELECT year FROM work_calendar_years`)
	if err != nil {
		return err
	}
	var missing []Year
	shipped := map[int]bool{}
	for _, y := range Defaults() {
		shipped[y.Year] = true
		if y.Year >= now.Year()-1 && !have[y.Year] {
			missing = append(missing, y)
		}
	}
	for y := now.Year() - 1; y <= now.Year()+1; y++ {
		if !shipped[y] && !have[y] {
			// No shipped data: weekends only, marked provisional.
			missing = append(missing, Year{Year: y, Hours: DefaultHours, Provisional: true})
		}
	}
	if len(missing) == 0 {
		return nil
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for _, y := range missing {
			if err := putYear(ctx, tx, y, now.UTC()); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, auth.SystemActor("workcal").Entry("calendar.defaults", "calendar", "", map[string]any{"years": len(missing)}))
	})
	s.Invalidate()
	if db.IsUniqueViolation(err) {
		return nil // another instance stored them first
	}
	return err
}

// Defaults is the shipped calendar: the State Council's holiday schedules
// for 2025 and 2026, and 2027 worked out from the lunar calendar (marked
// provisional until the schedule is published; the district replaces it).
func Defaults() []Year {
	mk := func(year int, provisional bool, holidays map[string]string, workdays map[string]string) Year {
		y := Year{Year: year, Hours: DefaultHours, Provisional: provisional}
		for spec, name := range holidays {
			from, to, _ := strings.Cut(spec, "~")
			if to == "" {
				to = from
			}
			a, _ := time.Parse("2006-01-02", fmt.Sprintf("%d-%s", year, from))
			b, _ := time.Parse("2006-01-02", fmt.Sprintf("%d-%s", year, to))
			for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
				y.Days = append(y.Days, Day{Date: d.Format("2006-01-02"), Kind: Holiday, Name: name})
			}
		}
		for md, name := range workdays {
			y.Days = append(y.Days, Day{Date: fmt.Sprintf("%d-%s", year, md), Kind: Workday, Name: name})
		}
		SortDays(y.Days)
		return y
	}
	return []Year{
		mk(2025, false, map[string]string{
			"01-01": "元旦", "01-28~02-04": "春节", "04-04~04-06": "清明节", "05-01~05-05": "劳动节",
			"05-31~06-02": "端午节", "10-01~10-08": "国庆节、中秋节",
		}, map[string]string{"01-26": "春节调休", "02-08": "春节调休", "04-27": "劳动节调休", "09-28": "国庆节调休", "10-11": "国庆节调休"}),
		mk(2026, false, map[string]string{
			"01-01~01-03": "元旦", "02-15~02-23": "春节", "04-04~04-06": "清明节", "05-01~05-05": "劳动节",
			"06-19~06-21": "端午节", "09-25~09-27": "中秋节", "10-01~10-07": "国庆节",
		}, map[string]string{"01-04": "元旦调休", "02-14": "春节调休", "02-28": "春节调休", "05-09": "劳动节调休", "09-20": "国庆节调休", "10-10": "国庆节调休"}),
		mk(2027, true, map[string]string{
			"01-01": "元旦", "02-05~02-11": "春节", "04-05": "清明节", "05-01~05-05": "劳动节",
			"06-09": "端午节", "09-15": "中秋节", "10-01~10-07": "国庆节",
		}, nil),
	}
}
