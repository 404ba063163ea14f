package sheet

// Cells as read from a file, and how their text becomes values: spaces
// trimmed, dates from serial numbers or the ways officials write them,
// numbers as typed.

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"grassroots/internal/platform/date"
)

// Clean trims the spaces spreadsheets leave around values: ASCII and
// full-width spaces, non-breaking and zero-width spaces, byte-order marks.
func Clean(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u3000'
	})
}

// NormalizeHeader reads a header cell: trimmed, without the asterisks
// that mark required columns, and without spaces inside (some officials
// write 姓 名).
func NormalizeHeader(s string) string {
	s = Clean(s)
	s = strings.Trim(s, "*＊ ")
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

// Cell is one cell as read from a file.
type Cell struct {
	Text    string
	Num     bool // a number cell of an .xlsx (dates come as serial numbers)
	Formula bool // the cell holds a formula
	Long    bool // the content was longer than MaxCellBytes and was cut
}

// Row is one row as read, numbered as the spreadsheet shows it.
type Row struct {
	N     int
	Cells []Cell
}

// Empty reports whether the row holds no text and no formula.
func (r Row) Empty() bool {
	for _, c := range r.Cells {
		if Clean(c.Text) != "" || c.Formula {
			return false
		}
	}
	return true
}

// ParseDate reads a date cell: a serial number of an .xlsx, or text
// written 2024-03-01, 2024/3/1, 2024.3.1, 20240301 or 2024年3月1日.
func ParseDate(c Cell, text string, date1904 bool) (date.Date, bool) {
	if text == "" {
		return "", true
	}
	if c.Num {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || f < 1 || f > 300000 || math.IsNaN(f) {
			return "", false
		}
		t := excelSerialTime(f, date1904)
		d, err := date.Parse(t.Format(date.Layout))
		return d, err == nil
	}
	s := text
	if len(s) == 8 && strings.Trim(s, "0123456789") == "" {
		s = s[:4] + "-" + s[4:6] + "-" + s[6:]
	}
	if strings.Contains(s, "年") {
		s = strings.NewReplacer("年", "-", "月", "-", "日", "", "号", "").Replace(s)
	}
	// ISO date-times (an .xlsx "d" cell, or an export) keep their date.
	if i := strings.IndexAny(s, "T "); i >= 8 {
		s = s[:i]
	}
	d, err := date.Parse(s)
	return d, err == nil
}

// excelSerialTime turns a spreadsheet's serial day number into a date: days
// since 1899-12-30 (the 1900 system, counting its phantom 29 February 1900
// for serials from 61 on) or since 1904-01-01.
func excelSerialTime(f float64, date1904 bool) time.Time {
	days := int(math.Floor(f + 1e-9))
	if date1904 {
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
	}
	if days < 61 {
		days++ // serials 1..60 count from 1899-12-31
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days)
}

// Scientific reports whether a text cell looks like a number Excel showed
// in scientific notation (3.60403E+17): digits lost for good.
func Scientific(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i <= 0 || i == len(s)-1 {
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return false
	}
	return strings.ContainsAny(s[i+1:], "+0123456789")
}

// numberText turns the raw text of a number cell into what a person typed:
// 302 rather than 302.0, and an integer written in full when Excel kept it
// exactly (up to 15 digits).
func numberText(s string) string {
	if strings.ContainsAny(s, "eE.") {
		f, err := strconv.ParseFloat(s, 64)
		if err == nil && f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return s
}
