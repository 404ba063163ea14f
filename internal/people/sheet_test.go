package people

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/sheet"
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

// keyOf is the message key of an error.
func keyOf(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Msg.Key
}

// handXLSX packs a worksheet and shared strings written by hand.
func handXLSX(t testing.TB, ws, sst string, date1904 bool) []byte {
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
		"xl/worksheets/data.xml": ws,
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

func TestHeaderAndCells(t *testing.T) {
	l := LayoutOf(SheetResidents)
	cells := func(vs ...string) sheet.Row {
		r := sheet.Row{N: 1}
		for _, v := range vs {
			r.Cells = append(r.Cells, sheet.Cell{Text: v})
		}
		return r
	}
	var p problems
	// Reordered, starred, spaced headers are fine; optional columns may be left out.
	h := matchHeader(l, cells("证件号码", "*姓名", "楼栋编码*", "房 号", ""), &p)
	if !p.empty() {
		t.Fatalf("good header: %+v", p.list)
	}
	rec := h.record(sheet.Row{N: 2, Cells: []sheet.Cell{{Text: "x"}, {Text: " 王芳\u3000"}, {Text: "B"}, {Text: "302"}, {Text: "360403198001010016"}}}, &p)
	// What sits under no header is named, not echoed: it is often where
	// identity numbers were pasted.
	if rec.cells[l.Index("name")].Text != " 王芳\u3000" || len(p.list) != 1 || p.list[0].Column != "E" || p.list[0].Value != "" {
		t.Errorf("record = %+v, problems %+v", rec, p.list)
	}

	p = problems{}
	matchHeader(l, cells("姓名", "姓名", "备注", "房号"), &p)
	want := []string{
		i18n.M("sheet.repeated_column", "姓名").In(i18n.Zh),
		i18n.M("sheet.unknown_column", "备注").In(i18n.Zh),
		i18n.M("sheet.missing_column", "证件号码").In(i18n.Zh),
		i18n.M("sheet.missing_column", "楼栋编码").In(i18n.Zh),
	}
	if len(p.list) != len(want) {
		t.Fatalf("bad header: %+v", p.list)
	}
	for i, w := range want {
		if p.list[i].Zh != w {
			t.Errorf("problem %d = %q, want %q", i, p.list[i].Zh, w)
		}
	}
	// A title row is no header, and no problem: the header may be below it.
	p = problems{}
	if h := matchHeader(l, cells("居民信息表"), &p); h != nil || !p.empty() {
		t.Errorf("title row: %+v %+v", h, p.list)
	}

	// Choices in Chinese, English, codes and shorthands; several tags.
	for _, c := range []struct {
		choice *Choice
		in     string
		want   string
		ok     bool
	}{
		{&Genders, "女", "female", true}, {&Genders, "Female", "female", true}, {&Genders, "male", "male", true}, {&Genders, "男性", "male", true},
		{&Genders, "未知", "", false}, {&IDTypes, "身份证", "id_card", true}, {&YesNo, "是", "yes", true}, {&YesNo, "N", "no", true},
		{&StaffRoles, "网格长", "leader", true}, {&StaffKinds, "楼栋长", "building_head", true}, {&StaffKinds, "—", "", false},
	} {
		if got, ok := parseChoice(c.choice, c.in); got != c.want || ok != c.ok {
			t.Errorf("%s %q = %q %v", c.choice.Prefix, c.in, got, ok)
		}
	}
	if got := splitMulti("独居老人、低保户，残疾人; 空巢老人  留守儿童"); len(got) != 5 {
		t.Errorf("split = %q", got)
	}
	for _, c := range []struct {
		cell sheet.Cell
		want string
	}{
		{sheet.Cell{Text: "1956-03-12"}, "1956-03-12"}, {sheet.Cell{Text: "1956/3/12"}, "1956-03-12"}, {sheet.Cell{Text: "1956.03.12"}, "1956-03-12"},
		{sheet.Cell{Text: "19560312"}, "1956-03-12"}, {sheet.Cell{Text: "1956年3月12日"}, "1956-03-12"}, {sheet.Cell{Text: "1956-03-12T00:00:00"}, "1956-03-12"},
		{sheet.Cell{Text: "20526", Num: true}, "1956-03-12"}, {sheet.Cell{Text: "20186", Num: true}, "1955-04-07"}, {sheet.Cell{Text: "61", Num: true}, "1900-03-01"},
		{sheet.Cell{Text: "45292.75", Num: true}, "2024-01-01"},
	} {
		got, _ := sheet.ParseDate(c.cell, c.cell.Text, false)
		if string(got) != c.want {
			t.Errorf("date %+v = %q, want %q", c.cell, got, c.want)
		}
	}
	if d, _ := sheet.ParseDate(sheet.Cell{Text: "19064", Num: true}, "19064", true); d != "1956-03-12" {
		t.Errorf("1904 date = %s", d)
	}
}

func TestParseResidentRow(t *testing.T) {
	l := LayoutOf(SheetResidents)
	row := func(vals map[string]sheet.Cell) (residentRow, []Problem) {
		rec := record{row: 5, cells: make([]sheet.Cell, len(l.Columns))}
		for k, v := range vals {
			rec.cells[l.Index(k)] = v
		}
		var p problems
		r, _ := parseResident(newRowReader(l, rec, false, &p), date.Today(time.Now()))
		return r, p.list
	}
	good := map[string]sheet.Cell{"name": {Text: "王芳"}, "id_number": {Text: exampleID}, "building_code": {Text: "360403001001001001"}, "room": {Text: "302", Num: true},
		"tags": {Text: "独居老人、低保户"}, "gender": {Text: ""}, "residence": {Text: "流动人口"}}
	r, probs := row(good)
	if len(probs) != 0 || r.in.Gender != "female" || r.in.BirthDate != "1956-03-12" || r.in.Residence != "floating" || len(r.in.Tags) != 2 || r.room != "302" {
		t.Errorf("good row: %+v %+v", r, probs)
	}
	for name, c := range map[string]struct {
		key, value string
		num        bool
		column     string
		msg        i18n.Msg
	}{
		"check digit":  {"id_number", exampleID[:17] + "0", false, "证件号码", i18n.M("pii.id_check")},
		"scientific":   {"id_number", "3.60403195603120E+17", true, "证件号码", i18n.M("sheet.scientific")},
		"bad gender":   {"gender", "男", false, "性别", i18n.M("people.gender_mismatch")},
		"bad tag":      {"tags", "独居老人、VIP", false, "标签", i18n.M("sheet.bad_choice_item", "VIP", allowed(&Tags))},
		"bad date":     {"birth_date", "1956-02-30", false, "出生日期", i18n.M("field.bad_date")},
		"long room":    {"room", strings.Repeat("室", 21), false, "房号", i18n.M("field.too_long", 20)},
		"no name":      {"name", " ", false, "姓名", i18n.M("field.required")},
		"control":      {"name", "王\x07芳", false, "姓名", i18n.M("sheet.control_chars")},
		"name formula": {"name", "", false, "姓名", i18n.M("sheet.formula")},
	} {
		vals := map[string]sheet.Cell{}
		for k, v := range good {
			vals[k] = v
		}
		vals[c.key] = sheet.Cell{Text: c.value, Num: c.num, Formula: name == "name formula"}
		_, probs := row(vals)
		if len(probs) != 1 || probs[0].Column != c.column || probs[0].Zh != c.msg.In(i18n.Zh) || probs[0].Row != 5 {
			t.Errorf("%s: %+v", name, probs)
		}
	}
	// Identity numbers are masked in what the report shows.
	vals := map[string]sheet.Cell{}
	for k, v := range good {
		vals[k] = v
	}
	vals["id_number"] = sheet.Cell{Text: exampleID[:17] + "0"}
	if _, probs := row(vals); probs[0].Value != "3604**********0" && !regexp.MustCompile(`^3604\*+`).MatchString(probs[0].Value) {
		t.Errorf("shown value %q", probs[0].Value)
	}
}

func TestTemplate(t *testing.T) {
	for _, k := range SheetKinds {
		var b bytes.Buffer
		if err := WriteTemplate(&b, k, i18n.Zh); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sheets := f.GetSheetList()
		if len(sheets) != 2 || sheets[0] != i18n.T(i18n.Zh, k.Label()) || sheets[1] != "填写说明" {
			t.Errorf("%s: sheets %q", k, sheets)
		}
		rows, _ := f.GetRows(sheets[0])
		l := LayoutOf(k)
		if len(rows) != 1 || len(rows[0]) != len(l.Columns) || rows[0][0] != l.Columns[0].Header {
			t.Errorf("%s: header %q", k, rows)
		}
		dvs, _ := f.GetDataValidations(sheets[0])
		lists := 0
		for _, dv := range dvs {
			if dv.Type == "list" {
				lists++
			}
		}
		want := 0
		for _, c := range l.Columns {
			if c.Choice != nil && !c.Multi {
				want++
			}
		}
		if lists != want {
			t.Errorf("%s: %d drop-down lists, want %d", k, lists, want)
		}
		help, _ := f.GetRows(sheets[1])
		text := ""
		for _, r := range help {
			text += strings.Join(r, "|") + "\n"
		}
		for _, c := range l.Columns {
			if !strings.Contains(text, c.Header) || (c.Example != "" && !strings.Contains(text, c.Example)) {
				t.Errorf("%s: instructions lack %s or its example", k, c.Header)
			}
		}
		if k == SheetResidents {
			for _, v := range []string{"居民身份证、港澳居民来往内地通行证", "户籍人口、流动人口、人户分离", "户主、配偶", "独居老人、空巢老人", "男、女"} {
				if !strings.Contains(text, v) {
					t.Errorf("instructions lack the values %s", v)
				}
			}
		}
		f.Close()
		// The template reads back as a header with no rows.
		var p problems
		var header bool
		_, err = sheet.Read(b.Bytes(), func(_ *sheet.Info, row sheet.Row) error {
			if header {
				t.Errorf("%s: a data row in the empty template", k)
			}
			matchHeader(l, row, &p)
			header = true
			return nil
		})
		if err != nil || !p.empty() || !header {
			t.Errorf("%s: template reads back %v %+v", k, err, p.list)
		}
	}
}

// TestMessages checks that every message key the spreadsheet code names
// has both languages.
func TestMessages(t *testing.T) {
	re := regexp.MustCompile(`"((?:sheet|people|field|pii)\.[a-z0-9_.\-]+)"`)
	for _, file := range []string{"sheet.go", "sheet_rows.go", "import.go", "store_import_job.go", "export.go", "ui_import.go", "templates/imports.html", "templates/import.html"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			key := m[1]
			if strings.HasSuffix(key, ".") || key == YesNo.Prefix {
				continue // a prefix
			}
			if !i18n.Has(key) {
				t.Errorf("%s: message %s lacks a language", file, key)
			}
		}
	}
	for _, k := range SheetKinds {
		for _, c := range LayoutOf(k).Columns {
			for _, key := range []string{c.Hint(k), "sheet.col." + c.Key} {
				if !i18n.Has(key) {
					t.Errorf("message %s lacks a language", key)
				}
			}
			if i18n.T(i18n.Zh, "sheet.col."+c.Key) != c.Header && !(k == SheetPartyMembers && c.Key == "status") {
				t.Errorf("%s: header %s differs from sheet.col.%s", k, c.Header, c.Key)
			}
		}
	}
	for _, s := range []string{ImportQueued, ImportRunning, ImportDone, ImportRejected, ImportFailed} {
		if !i18n.Has("sheet.status." + s) {
			t.Errorf("status %s has no label", s)
		}
	}
	for _, s := range []Stage{StageQueued, StageReading, StageChecking, StageWriting} {
		if !i18n.Has("sheet.stage." + string(s)) {
			t.Errorf("stage %s has no label", s)
		}
	}
}

// FuzzReadCSV feeds the CSV reader (and the row parsing behind it) any
// bytes: it must not panic, and what it returns must keep its bounds.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("姓名,证件号码,楼栋编码,房号\n王芳," + exampleID + ",360403001001001001,302\n"))
	f.Add([]byte("\xef\xbb\xbf姓名;房号\n\"王\"\"芳\";=1+1\n"))
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String("姓名,房号\n王芳,302\n")
	f.Add([]byte(gbk))
	f.Add([]byte("\xff\xfe\x00\x00"))
	if b, err := os.ReadFile("testdata/residents_libreoffice_gbk.csv"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte{0xD0, 0xCF}) {
			return
		}
		checkReader(t, data)
	})
}

// FuzzReadXLSX feeds the .xlsx reader mutated workbooks.
func FuzzReadXLSX(f *testing.F) {
	f.Add(makeXLSX(f, [][]any{{"姓名", "证件号码", "楼栋编码", "房号"}, {"王芳", exampleID, "360403001001001001", 302}, {formula("1+1")}}))
	f.Add(handXLSX(f, `<worksheet><sheetData><row r="2"><c r="B2" t="s"><v>0</v></c></row></sheetData></worksheet>`, `<sst><si><t>姓名</t></si></sst>`, true))
	if b, err := os.ReadFile("testdata/residents_libreoffice.xlsx"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReader(t, data)
	})
}

func checkReader(t *testing.T, data []byte) {
	prev := 0
	l := LayoutOf(SheetResidents)
	var h *headerMap
	var p problems
	_, err := sheet.Read(data, func(info *sheet.Info, row sheet.Row) error {
		if row.N <= prev {
			t.Fatalf("row %d after %d", row.N, prev)
		}
		prev = row.N
		if len(row.Cells) > sheet.MaxColumns+1 {
			t.Fatalf("%d cells", len(row.Cells))
		}
		for _, c := range row.Cells {
			if len(c.Text) > sheet.MaxCellBytes+1 {
				t.Fatalf("cell of %d bytes", len(c.Text))
			}
		}
		if h == nil {
			h = matchHeader(l, row, &p)
			return nil
		}
		parseResident(newRowReader(l, h.record(row, &p), info.Date1904, &p), date.Today(time.Now()))
		return nil
	})
	if err != nil {
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code == apperr.Internal {
			t.Fatalf("unexpected error %v", err)
		}
	}
}

// TestReportValuesHideNumbers checks that a report echoes no identity
// number or phone whole, whatever column it was typed into.
func TestReportValuesHideNumbers(t *testing.T) {
	for in, want := range map[string]string{
		"360403198001010016":   "360***********0016",
		"36040319800101001X":   "360***********001X",
		"电话13812345678请回电":     "电话138****5678请回电",
		"2026-13-01":           "2026-13-01",
		"12345":                "12345",
		"1号楼2单元301":            "1号楼2单元301",
		"0792-8221234":         "0792-8221234",
		"x360403198001010016x": "x360************016x",
	} {
		if got := maskCell(Column{}, in); got != want {
			t.Errorf("maskCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShortFormsOfRelationsAndEthnicities(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Ethnicities {
		seen[e] = true
		if got := NormalizeEthnicity(strings.TrimSuffix(e, "族")); got != e {
			t.Errorf("%s written short = %q", e, got)
		}
		if got := NormalizeEthnicity(e); got != e {
			t.Errorf("%s = %q", e, got)
		}
	}
	if len(seen) != 56 {
		t.Errorf("%d ethnic groups, want 56", len(seen))
	}
	for in, want := range map[string]string{"汉 族": "汉族", "蒙": "蒙古族", "维": "维吾尔族", "穿青人": "穿青人", "": ""} {
		if got := NormalizeEthnicity(in); got != want {
			t.Errorf("%q = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"子": "child", "女": "child", "夫": "spouse", "妻": "spouse", "父": "parent", "母": "parent",
		"孙子": "grandchild", "孙女": "grandchild", "儿媳": "child", "女婿": "child", "本人": "head", "户主": "head", "弟媳": "sibling",
		"外祖母": "other", "非亲属": "other", "子女": "child", "Spouse": "spouse"} {
		if got, ok := parseChoice(&Relations, in); !ok || got != want {
			t.Errorf("relation %q = %q %v, want %s", in, got, ok, want)
		}
	}
}
