package sheet

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/platform/date"
)

// Dates and times go into an .xlsx as date cells: a serial number with a
// date format, which spreadsheets sort and filter as dates, not text.
func TestXLSXWritesDateCells(t *testing.T) {
	at := time.Date(2024, 3, 1, 0, 30, 0, 0, time.UTC) // 08:30 in China
	s := Sheet{Name: "名单", Header: []string{"姓名", "出生日期", "登记时间"}, Rows: [][]any{
		{"王芳", date.Date("1956-03-12"), at},
		{"李四", date.Date(""), time.Time{}},
	}}
	var w bytes.Buffer
	if err := WriteXLSX(&w, s); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&w)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		cell, format, shown string
		serial              float64
	}{
		{"B2", "yyyy-mm-dd", "1956-03-12", 20526},
		{"C2", "yyyy-mm-dd hh:mm:ss", "2024-03-01 08:30:00", 45352 + 8.5/24},
	} {
		raw, _ := f.GetCellValue("名单", c.cell, excelize.Options{RawCellValue: true})
		if n, err := strconv.ParseFloat(raw, 64); err != nil || n < c.serial-1e-6 || n > c.serial+1e-6 {
			t.Errorf("%s holds %q, want the serial number %v", c.cell, raw, c.serial)
		}
		if typ, _ := f.GetCellType("名单", c.cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("%s is of type %v, not a number", c.cell, typ)
		}
		id, _ := f.GetCellStyle("名单", c.cell)
		style, err := f.GetStyle(id)
		if err != nil || style.CustomNumFmt == nil || *style.CustomNumFmt != c.format {
			t.Errorf("%s has no date format: %+v %v", c.cell, style, err)
		}
		if shown, _ := f.GetCellValue("名单", c.cell); shown != c.shown {
			t.Errorf("%s shows %q, want %q", c.cell, shown, c.shown)
		}
	}
	for _, ref := range []string{"B3", "C3"} {
		if v, _ := f.GetCellValue("名单", ref); v != "" {
			t.Errorf("an empty date in %s shows %q", ref, v)
		}
	}
	if wd, _ := f.GetColWidth("名单", "B"); wd < 11 {
		t.Errorf("the date column is %v wide: a date shows as ####", wd)
	}
	// A CSV writes them as text a spreadsheet reads as dates.
	w.Reset()
	if err := WriteCSV(&w, s); err != nil {
		t.Fatal(err)
	}
	if body := w.String(); !strings.Contains(body, "王芳,1956-03-12,2024-03-01 08:30:00\r\n") && !strings.Contains(body, "王芳,1956-03-12,2024-03-01 08:30:00\n") {
		t.Errorf("csv = %q", body)
	}
}

// The header row is bold, and a header that looks like a formula is shown,
// never run.
func TestXLSXHeader(t *testing.T) {
	var w bytes.Buffer
	if err := WriteXLSX(&w, Sheet{Header: []string{"姓名", "=1+1"}, Rows: [][]any{{"王芳", "@x"}}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&w)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for ref, want := range map[string]bool{"A1": true, "B1": true, "A2": false} {
		id, _ := f.GetCellStyle("Sheet1", ref)
		style, err := f.GetStyle(id)
		if bold := err == nil && style.Font != nil && style.Font.Bold; bold != want {
			t.Errorf("%s bold = %v, want %v", ref, bold, want)
		}
	}
	for ref, want := range map[string]string{"B1": "'=1+1", "B2": "'@x"} {
		if v, _ := f.GetCellValue("Sheet1", ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
		if formula, _ := f.GetCellFormula("Sheet1", ref); formula != "" {
			t.Errorf("%s holds the formula %q", ref, formula)
		}
	}
}
