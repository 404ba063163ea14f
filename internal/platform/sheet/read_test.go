package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"grassroots/internal/platform/apperr"
)

// formula is a cell that makeXLSX writes as a formula.
type formula string

// makeXLSX writes rows into a one-sheet workbook with excelize.
func makeXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			var err error
			switch x := v.(type) {
			case nil:
			case formula:
				err = f.SetCellFormula("Sheet1", cell, string(x))
			default:
				err = f.SetCellValue("Sheet1", cell, x)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// makeCSV writes rows as CSV text.
func makeCSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return b.Bytes()
}

// readAll reads a file's rows as text.
func readAll(t testing.TB, data []byte) (*Info, [][]string, error) {
	t.Helper()
	var out [][]string
	info, err := Read(data, func(_ *Info, row Row) error {
		var cells []string
		for _, c := range row.Cells {
			s := c.Text
			if c.Formula {
				s = "=" + s
			}
			cells = append(cells, s)
		}
		out = append(out, cells)
		return nil
	})
	return info, out, err
}

func keyOf(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Msg.Key
}

func TestReadSheetKinds(t *testing.T) {
	xlsx := makeXLSX(t, [][]any{{"姓名", "房号"}, {"王芳", 302}, {}, {"李四", formula("1+1")}})
	info, rows, err := readAll(t, xlsx)
	if err != nil || info.Format != "xlsx" {
		t.Fatalf("xlsx: %v %+v", err, info)
	}
	// The empty row is skipped, the number reads as typed, the formula is seen.
	if len(rows) != 3 || rows[1][1] != "302" || !strings.HasPrefix(rows[2][1], "=") {
		t.Errorf("xlsx rows = %q", rows)
	}

	text := "姓名,房号\n王芳,302\n"
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(text)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("姓名\t房号\r\n王芳\t302\r\n")
	for name, c := range map[string]struct {
		data     string
		encoding string
	}{
		"utf-8":      {text, "utf-8"},
		"utf-8 bom":  {"\xef\xbb\xbf" + text, "utf-8"},
		"gbk":        {gbk, "gbk"},
		"utf-16 tab": {utf16, "utf-16"},
		"semicolons": {"姓名;房号\n王芳;302\n", "utf-8"},
	} {
		info, rows, err := readAll(t, []byte(c.data))
		if err != nil || info.Format != "csv" || info.Encoding != c.encoding {
			t.Errorf("%s: %v %+v", name, err, info)
			continue
		}
		if len(rows) != 2 || rows[0][0] != "姓名" || rows[1][1] != "302" {
			t.Errorf("%s: rows = %q", name, rows)
		}
	}
	// A CSV cell that Excel would run as a formula is marked as one.
	if _, rows, _ := readAll(t, []byte("姓名\n=HYPERLINK(\"x\")\n")); !strings.HasPrefix(rows[1][0], "==") {
		t.Errorf("csv formula = %q", rows)
	}

	var emptyZip bytes.Buffer
	zw := zip.NewWriter(&emptyZip)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<x/>"))
	zw.Close()
	var docx bytes.Buffer
	zw = zip.NewWriter(&docx)
	w, _ = zw.Create("[Content_Types].xml")
	w.Write([]byte("<Types/>"))
	w, _ = zw.Create("word/document.xml")
	w.Write([]byte("<x/>"))
	zw.Close()
	for name, c := range map[string]struct {
		data []byte
		key  string
	}{
		"pdf":          {[]byte("%PDF-1.4\n\x00\x01\x02binary"), "sheet.not_spreadsheet"},
		"png":          {[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "sheet.not_spreadsheet"},
		"xls":          {[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), "sheet.old_xls"},
		"zip":          {emptyZip.Bytes(), "sheet.not_spreadsheet"},
		"docx":         {docx.Bytes(), "sheet.not_spreadsheet"},
		"cut xlsx":     {xlsx[:len(xlsx)/2], "sheet.not_spreadsheet"},
		"empty":        {nil, "sheet.empty"},
		"latin-1 junk": {[]byte("na\xefve,\xff\xfe\xfd\n"), "sheet.bad_encoding"},
	} {
		if _, _, err := readAll(t, c.data); keyOf(err) != c.key {
			t.Errorf("%s: %v, want %s", name, err, c.key)
		}
	}

	old := MaxBytes
	MaxBytes = 10
	_, _, err = readAll(t, []byte("姓名,房号\n王芳,302\n"))
	MaxBytes = old
	if keyOf(err) != "sheet.too_large" || apperr.CodeOf(err) != apperr.TooLarge {
		t.Errorf("too large: %v", err)
	}
}

func TestReadXLSXDetails(t *testing.T) {
	// Cells far to the right, long text, rich text with phonetic runs,
	// inline strings, booleans and a 1904 workbook, written by hand.
	sheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c><c r="C1" t="s"><v>0</v></c></row>
<row r="3"><c t="inlineStr"><is><r><t>王</t></r><r><t>芳</t></r><rPh><t>wang</t></rPh></is></c><c t="b"><v>1</v></c><c><v>1.5</v></c><c r="ZZ3" t="inlineStr"><is><t>far</t></is></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>` + strings.Repeat("长", 1000) + `</t></is></c><c r="B4"><v>3.6040319560312E+17</v></c></row>
</sheetData></worksheet>`
	data := handXLSX(t, sheet, `<sst><si><r><t>出生</t></r><r><t>日期</t></r><rPh><t>chusheng</t></rPh></si></sst>`, true)
	info, rows, err := readAll(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Date1904 {
		t.Errorf("date1904 not read")
	}
	if len(rows) != 3 || rows[0][2] != "出生日期" || rows[1][0] != "王芳" || rows[1][1] != "1" || rows[1][2] != "1.5" {
		t.Fatalf("rows = %q", rows)
	}
	if len(rows[1]) != MaxColumns+1 || rows[1][MaxColumns] != "…" {
		t.Errorf("far cell: %d cells", len(rows[1]))
	}
	var long Cell
	Read(data, func(_ *Info, r Row) error {
		if r.N == 4 {
			long = r.Cells[0]
		}
		return nil
	})
	if !long.Long || len(long.Text) > MaxCellBytes {
		t.Errorf("long cell: %v %d", long.Long, len(long.Text))
	}
	if !Scientific(rows[2][1]) {
		t.Errorf("%q is not seen as scientific", rows[2][1])
	}
	// A shared string index past the table is damage, not a panic.
	bad := handXLSX(t, `<worksheet><sheetData><row><c t="s"><v>7</v></c></row></sheetData></worksheet>`, `<sst><si><t>a</t></si></sst>`, false)
	if _, _, err := readAll(t, bad); keyOf(err) != "sheet.damaged" {
		t.Errorf("bad index: %v", err)
	}
}

// handXLSX packs a worksheet and shared strings written by hand.
func handXLSX(t testing.TB, sheet, sst string, date1904 bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	pr := ""
	if date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	for name, body := range map[string]string{
		"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			pr + `<sheets><sheet name="数据" sheetId="1" r:id="rId5"/><sheet name="说明" sheetId="2" r:id="rId6"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/data.xml"/>
<Relationship Id="rId6" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/help.xml"/>
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/></Relationships>`,
		"xl/worksheets/data.xml": sheet,
		"xl/worksheets/help.xml": `<worksheet><sheetData><row><c t="inlineStr"><is><t>help</t></is></c></row></sheetData></worksheet>`,
		"xl/strings.xml":         sst,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return b.Bytes()
}

func TestZipBomb(t *testing.T) {
	old := maxPartBytes
	maxPartBytes = 1 << 16
	defer func() { maxPartBytes = old }()
	rows := `<worksheet><sheetData>` + strings.Repeat(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`, 5000) + `</sheetData></worksheet>`
	_, _, err := readAll(t, handXLSX(t, rows, `<sst/>`, false))
	if keyOf(err) != "sheet.unpacks_too_large" {
		t.Errorf("a part past its limit: %v", err)
	}
}

func TestSerialsAround1900(t *testing.T) {
	if excelSerialTime(61, false) != time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC) || excelSerialTime(1, false) != time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) {
		t.Errorf("serials around 1900-02-29")
	}
}
