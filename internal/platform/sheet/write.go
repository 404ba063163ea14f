package sheet

// Writing sheets: an .xlsx workbook or a CSV file, to any io.Writer (an
// HTTP response, a file, standard output).

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/platform/date"
)

// Sheet is a table to export: a header and rows of plain values (string,
// integers, float64, date.Date, time.Time or nil). In an .xlsx, dates and
// times are real date cells (a serial number with a date format), so that
// spreadsheets sort and filter them as dates; a CSV writes them
// 2024-03-01 and 2024-03-01 08:30:00 (times in China's time zone).
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// Neutralize makes a text cell safe to open in a spreadsheet: text that
// starts like a formula (=, +, -, @, or a tab or carriage return) gets a
// leading apostrophe, so it is shown, never run.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return Neutralize(x)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.In(date.Shanghai).Format("2006-01-02 15:04:05")
	case date.Date:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == "csv" {
		return "text/csv; charset=utf-8"
	}
	return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

// Write writes s to w as "csv" or (any other format) "xlsx".
func Write(w io.Writer, format string, s Sheet) error {
	if format == "csv" {
		return WriteCSV(w, s)
	}
	return WriteXLSX(w, s)
}

// WriteCSV writes s to w as UTF-8 CSV (with a byte-order mark, so that
// Excel reads Chinese correctly).
func WriteCSV(w io.Writer, s Sheet) error {
	if _, err := w.Write([]byte("\xef\xbb\xbf")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	row := make([]string, len(s.Header))
	for i, h := range s.Header {
		row[i] = Neutralize(h)
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	for _, r := range s.Rows {
		row = row[:0]
		for _, v := range r {
			row = append(row, cellText(v))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes s to w as an .xlsx workbook, streamed row by row, with
// its header in bold.
func WriteXLSX(w io.Writer, s Sheet) error {
	f := excelize.NewFile()
	defer f.Close()
	name := s.Name
	if name == "" {
		name = "Sheet1"
	}
	name = strings.NewReplacer("/", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")", ":", "-").Replace(name)
	if len([]rune(name)) > 31 {
		name = string([]rune(name)[:31])
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	cell, err := dateCells(f, sw, s)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	header := make([]any, len(s.Header))
	for i, h := range s.Header {
		header[i] = excelize.Cell{StyleID: bold, Value: Neutralize(h)}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, r := range s.Rows {
		cells := make([]any, len(r))
		for j, v := range r {
			if x, ok := v.(string); ok {
				cells[j] = Neutralize(x)
			} else {
				cells[j] = cell(v)
			}
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(ref, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// dateCells prepares the date formats of a workbook and widens the columns
// that hold dates or times so that they show (a date cell too narrow
// shows ####); it returns the cell to write for a value: a date.Date or a
// time.Time as a serial number with a date format, anything else as it is.
func dateCells(f *excelize.File, sw *excelize.StreamWriter, s Sheet) (func(any) any, error) {
	dayFmt, timeFmt := "yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss"
	day, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dayFmt})
	if err != nil {
		return nil, err
	}
	clock, err := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	if err != nil {
		return nil, err
	}
	width := map[int]float64{}
	for _, r := range s.Rows {
		for j, v := range r {
			switch v.(type) {
			case date.Date:
				width[j] = max(width[j], 12)
			case time.Time:
				width[j] = 20
			}
		}
	}
	for j, w := range width {
		if err := sw.SetColWidth(j+1, j+1, w); err != nil {
			return nil, err
		}
	}
	return func(v any) any {
		switch x := v.(type) {
		case date.Date:
			if x.IsZero() {
				return nil
			}
			return excelize.Cell{StyleID: day, Value: x.Time()}
		case time.Time:
			if x.IsZero() {
				return nil
			}
			// The serial number counts the wall clock in China, not UTC.
			y, mo, d := x.In(date.Shanghai).Date()
			h, mi, sec := x.In(date.Shanghai).Clock()
			return excelize.Cell{StyleID: clock, Value: time.Date(y, mo, d, h, mi, sec, 0, time.UTC)}
		}
		return v
	}, nil
}
