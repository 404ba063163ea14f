package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// Sheet is a table to export: a header and rows of plain values (string,
// integers, float64, time.Time or nil).
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
		return x.In(Shanghai).Format("2006-01-02 15:04:05")
	default:
		return fmt.Sprint(x)
	}
}

func attachment(w http.ResponseWriter, filename, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(filename))
	w.Header().Set("Cache-Control", "no-store")
}

// WriteCSV sends s as a UTF-8 CSV file (with a byte-order mark, so that
// Excel reads Chinese correctly).
func WriteCSV(w http.ResponseWriter, filename string, s Sheet) error {
	attachment(w, filename+".csv", "text/csv; charset=utf-8")
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

// WriteXLSX sends s as an .xlsx workbook, streamed row by row.
func WriteXLSX(w http.ResponseWriter, filename string, s Sheet) error {
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
	header := make([]any, len(s.Header))
	for i, h := range s.Header {
		header[i] = Neutralize(h)
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, r := range s.Rows {
		cells := make([]any, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case string:
				cells[j] = Neutralize(x)
			case time.Time:
				cells[j] = cellText(x)
			default:
				cells[j] = v
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	attachment(w, filename+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err = f.WriteTo(w)
	return err
}

// Export sends s in the format the request asks for (?format=csv or xlsx)
// and reports whether it did; without a format it does nothing.
func Export(w http.ResponseWriter, r *http.Request, filename string, s Sheet) (bool, error) {
	switch r.URL.Query().Get("format") {
	case "csv":
		return true, WriteCSV(w, filename, s)
	case "xlsx":
		return true, WriteXLSX(w, filename, s)
	}
	return false, nil
}
