// Package date is a calendar date without a time of day (a birth date, the
// day an agreement was signed), stored as DATE on both engines and written
// as YYYY-MM-DD in forms, JSON and spreadsheets.
package date

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Date is a calendar date as YYYY-MM-DD; the empty Date means none.
type Date string

// Layout is how a Date is written.
const Layout = "2006-01-02"

// Parse reads a date written YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD, as
// spreadsheets often have them). An empty string is the empty Date.
func Parse(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	s = strings.NewReplacer("/", "-", ".", "-").Replace(s)
	t, err := time.Parse(Layout, s)
	if err != nil {
		// Accept single-digit months and days too.
		if t, err = time.Parse("2006-1-2", s); err != nil {
			return "", fmt.Errorf("not a date: %q", s)
		}
	}
	if t.Year() < 1900 || t.Year() > 2200 {
		return "", fmt.Errorf("date out of range: %q", s)
	}
	return Date(t.Format(Layout)), nil
}

// Of returns the date of t in its own location.
func Of(t time.Time) Date { return Date(t.Format(Layout)) }

// Time returns the date at midnight UTC (the zero time for the empty Date).
func (d Date) Time() time.Time {
	t, _ := time.Parse(Layout, string(d))
	return t
}

// IsZero reports whether d is the empty Date.
func (d Date) IsZero() bool { return d == "" }

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return string(d) }

// Scan reads a DATE column (a time.Time or text) or NULL.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = ""
	case time.Time:
		*d = Date(v.Format(Layout))
	case string:
		p, err := Parse(strings.SplitN(strings.SplitN(v, " ", 2)[0], "T", 2)[0])
		if err != nil {
			return err
		}
		*d = p
	case []byte:
		return d.Scan(string(v))
	default:
		return fmt.Errorf("date: cannot scan %T", src)
	}
	return nil
}

// Value writes the date as text, or NULL.
func (d Date) Value() (driver.Value, error) {
	if d == "" {
		return nil, nil
	}
	return string(d), nil
}

// MarshalJSON writes the date as "YYYY-MM-DD", or null.
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// YearsBetween returns the whole years from d to the day on (an age on
// that day).
func (d Date) YearsBetween(on Date) int {
	b, o := d.Time(), on.Time()
	years := o.Year() - b.Year()
	if o.Month() < b.Month() || (o.Month() == b.Month() && o.Day() < b.Day()) {
		years--
	}
	return years
}

// After reports whether d is a later day than o.
func (d Date) After(o Date) bool { return d > o }

// Shanghai is the district's time zone, China Standard Time (UTC+8; China
// has kept no daylight saving time since 1991): days begin in it, every
// "today" and every comparison of a date with the clock is made in it, and
// times are shown in it. It is a fixed zone, so that it does not depend on
// the time zone database of the machine the server runs on.
var Shanghai = time.FixedZone("CST", 8*3600)

// Today is the date of the instant t in Shanghai: the district's today
// when t is the clock.
func Today(t time.Time) Date { return Of(t.In(Shanghai)) }
