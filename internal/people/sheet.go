package people

// Spreadsheets (表格导入导出): what each kind of sheet holds, column by
// column, and how a cell becomes a field. No SQL here: sheet_read.go reads
// .xlsx and CSV files into rows, import.go checks and writes them.
//
// A sheet's header is matched by name, not position, against the template's
// Chinese headers (a trailing or leading * marking a required column is
// allowed), so officials may reorder columns; a missing, unknown or repeated
// column refuses the whole file. A cell holding a closed-list value may be
// written as its Chinese label (as the template's drop-down lists offer),
// its English label or its code, and a few common shorthands (身份证, 是/否).

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
)

// SheetKind names what a spreadsheet holds.
type SheetKind string

// The kinds of spreadsheet that can be imported and exported.
const (
	SheetResidents    SheetKind = "residents"
	SheetPartyMembers SheetKind = "party-members"
	SheetGridStaff    SheetKind = "grid-staff"
)

// SheetKinds lists the kinds in the order pages show them.
var SheetKinds = []SheetKind{SheetResidents, SheetPartyMembers, SheetGridStaff}

// ParseSheetKind reads a kind's name.
func ParseSheetKind(s string) (SheetKind, bool) {
	for _, k := range SheetKinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// Label is the message key naming the kind.
func (k SheetKind) Label() string { return "sheet.kind." + string(k) }

// YesNo is the closed list of a yes-or-no column.
var YesNo = Choice{"sheet.yesno", []string{"yes", "no"}}

// Column is one column of a sheet.
type Column struct {
	Key      string // the field it fills, as validation errors name it
	Header   string // its header, in Chinese as officials write it
	Required bool
	Choice   *Choice // a closed list of values
	Multi    bool    // several values separated by 、，,；; or spaces
	Date     bool
	Text     bool   // digits that are not a number (codes, identity numbers, phones): kept as text in Excel
	Secret   string // "id_number" or "phone": masked wherever the sheet's content is shown back
	Width    float64
	Example  string
}

// Hint is the message key explaining what the column holds.
func (c Column) Hint(k SheetKind) string { return "sheet.hint." + string(k) + "." + c.Key }

// Layout is the columns of one kind of sheet.
type Layout struct {
	Kind    SheetKind
	Columns []Column
}

// Index returns the position of the column with key, or -1.
func (l *Layout) Index(key string) int {
	for i, c := range l.Columns {
		if c.Key == key {
			return i
		}
	}
	return -1
}

// exampleID is a valid identity number for the templates' example rows.
var exampleID = "36040319560312002" + string(pii.IDCheckChar("36040319560312002"))

var layouts = map[SheetKind]*Layout{
	SheetResidents: {Kind: SheetResidents, Columns: []Column{
		{Key: "name", Header: "姓名", Required: true, Width: 10, Example: "王芳"},
		{Key: "gender", Header: "性别", Choice: &Genders, Width: 8, Example: "女"},
		{Key: "id_type", Header: "证件类型", Choice: &IDTypes, Width: 14, Example: "居民身份证"},
		{Key: "id_number", Header: "证件号码", Required: true, Text: true, Secret: "id_number", Width: 22, Example: exampleID},
		{Key: "birth_date", Header: "出生日期", Date: true, Width: 12, Example: "1956-03-12"},
		{Key: "ethnicity", Header: "民族", Width: 8, Example: "汉族"},
		{Key: "phone", Header: "联系电话", Text: true, Secret: "phone", Width: 14, Example: "13812345678"},
		{Key: "residence", Header: "户籍类型", Choice: &Residences, Width: 10, Example: "户籍人口"},
		{Key: "building_code", Header: "楼栋编码", Required: true, Text: true, Width: 20, Example: "360403001001001001"},
		{Key: "room", Header: "房号", Required: true, Text: true, Width: 10, Example: "1单元302"},
		{Key: "relation", Header: "与户主关系", Choice: &Relations, Width: 10, Example: "户主"},
		{Key: "tags", Header: "标签", Choice: &Tags, Multi: true, Width: 18, Example: "独居老人、低保户"},
	}},
	SheetPartyMembers: {Kind: SheetPartyMembers, Columns: []Column{
		{Key: "name", Header: "姓名", Required: true, Width: 10, Example: "王芳"},
		{Key: "id_number", Header: "证件号码", Required: true, Text: true, Secret: "id_number", Width: 22, Example: exampleID},
		{Key: "party_org", Header: "所属党组织", Required: true, Width: 24, Example: "白水湖社区党委"},
		{Key: "joined_on", Header: "入党日期", Date: true, Width: 12, Example: "1985-07-01"},
		{Key: "status", Header: "党员状态", Choice: &MemberStatus, Width: 10, Example: "正式党员"},
		{Key: "in_service", Header: "是否在职党员", Choice: &YesNo, Width: 12, Example: "否"},
		{Key: "employer", Header: "工作单位", Width: 24, Example: ""},
	}},
	SheetGridStaff: {Kind: SheetGridStaff, Columns: []Column{
		{Key: "grid_code", Header: "网格编码", Required: true, Text: true, Width: 18, Example: "360403001001001"},
		{Key: "role", Header: "网格职务", Required: true, Choice: &StaffRoles, Width: 12, Example: "网格员"},
		{Key: "kind", Header: "人员类别", Choice: &StaffKinds, Width: 14, Example: "楼栋长"},
		{Key: "name", Header: "姓名", Required: true, Width: 10, Example: "孙建国"},
		{Key: "phone", Header: "联系电话", Text: true, Secret: "phone", Width: 14, Example: "13700002222"},
		{Key: "buildings", Header: "负责楼栋编码", Text: true, Multi: true, Width: 40, Example: "360403001001001001、360403001001001002"},
		{Key: "since", Header: "任职日期", Date: true, Width: 12, Example: "2024-01-01"},
	}},
}

// LayoutOf returns the columns of a kind of sheet.
func LayoutOf(k SheetKind) *Layout { return layouts[k] }

// Problem is one thing wrong with an imported file: a cell, a row, or (row
// 0) the file as a whole, said in both languages, with the cell's content
// (masked for identity numbers and phones).
type Problem struct {
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Zh     string `json:"zh"`
	En     string `json:"en"`
}

// Reason is the problem in lang.
func (p Problem) Reason(lang i18n.Lang) string {
	if lang == i18n.En {
		return p.En
	}
	return p.Zh
}

// newProblem words a problem in both languages.
func newProblem(row int, column, value string, m i18n.Msg) Problem {
	return Problem{Row: row, Column: column, Value: value, Zh: m.In(i18n.Zh), En: m.In(i18n.En)}
}

// maskCell shows a cell's content in a report: identity numbers and phones
// masked, long text cut.
func maskCell(c Column, v string) string {
	switch c.Secret {
	case "id_number":
		return pii.MaskID(pii.NormalizeIDNumber(v))
	case "phone":
		return pii.MaskPhone(v)
	}
	v = pii.MaskDigitRuns(v)
	if utf8.RuneCountInString(v) > 40 {
		return string([]rune(v)[:40]) + "…"
	}
	return v
}

// cleanCell trims the spaces spreadsheets leave around values: ASCII and
// full-width spaces, non-breaking and zero-width spaces, byte-order marks.
func cleanCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u3000'
	})
}

// normalizeHeader reads a header cell: trimmed, without the asterisks
// that mark required columns, and without spaces inside (some officials
// write 姓 名).
func normalizeHeader(s string) string {
	s = cleanCell(s)
	s = strings.Trim(s, "*＊ ")
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

// choiceAliases are shorthands officials commonly write for listed values.
var choiceAliases = map[string]map[string]string{
	"gender":      {"男性": "male", "女性": "female"},
	"idtype":      {"身份证": "id_card", "二代身份证": "id_card", "居民身份证号": "id_card"},
	"residence":   {"户籍": "registered", "常住人口": "registered", "流动": "floating", "外来人口": "floating"},
	"sheet.yesno": {"y": "yes", "n": "no", "true": "yes", "false": "no", "1": "yes", "0": "no", "在职": "yes", "不在职": "no", "非在职": "no"},
	"mstatus":     {"正式": "full", "预备": "probationary"},
	"relation":    relationAliases(),
}

// relationNames are the relations to the head of household as household
// registers write them, by the names of GB/T 4761 (家庭关系代码) and their
// common short forms, under the closed list's value they fall in. As in
// the standard, a son-in-law counts with the children (女婿 under 子), a
// daughter-in-law too (儿媳 under 女), and in-laws of brothers and sisters
// with the siblings; grandparents, uncles, aunts, nephews and non-relatives
// are other.
var relationNames = map[string][]string{
	"head":   {"本人", "户主本人"},
	"spouse": {"夫", "妻", "丈夫", "妻子", "夫妻", "爱人", "老伴"},
	"child": {"子", "女", "儿", "儿子", "女儿", "独生子", "长子", "次子", "三子", "四子", "五子", "养子", "继子", "养子或继子", "其他儿子",
		"独生女", "长女", "次女", "三女", "四女", "五女", "养女", "继女", "养女或继女", "其他女儿", "女婿", "儿媳", "儿媳妇"},
	"grandchild": {"孙", "孙子", "孙女", "外孙", "外孙子", "外孙女", "孙子女", "孙媳", "孙媳妇", "外孙媳妇", "孙女婿", "外孙女婿",
		"曾孙", "曾孙子", "曾孙女", "外曾孙", "外曾孙子", "外曾孙女"},
	"parent": {"父", "母", "父亲", "母亲", "爸爸", "妈妈", "公公", "婆婆", "岳父", "岳母", "继父", "养父", "继父或养父", "继母", "养母",
		"继母或养母", "其他父母关系"},
	"sibling": {"兄", "哥", "哥哥", "弟", "弟弟", "姐", "姐姐", "妹", "妹妹", "兄弟", "姐妹", "嫂", "嫂子", "弟媳", "弟媳妇", "姐夫", "妹夫",
		"其他兄弟姐妹"},
	"other": {"祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "外公", "外婆", "曾祖父", "曾祖母", "伯父", "伯母", "叔父", "叔叔", "婶母",
		"婶婶", "舅父", "舅舅", "舅母", "姨父", "姨母", "姑父", "姑母", "堂兄弟", "堂姐妹", "表兄弟", "表姐妹", "侄子", "侄女", "外甥",
		"外甥女", "其他亲属", "非亲属", "亲属"},
}

func relationAliases() map[string]string {
	out := map[string]string{}
	for v, names := range relationNames {
		for _, n := range names {
			out[n] = v
		}
	}
	return out
}

// choiceIndexes maps, per closed list, every accepted spelling to its value.
var (
	choiceMu      sync.Mutex
	choiceIndexes = map[string]map[string]string{}
)

func choiceIndex(c *Choice) map[string]string {
	choiceMu.Lock()
	defer choiceMu.Unlock()
	if idx, ok := choiceIndexes[c.Prefix]; ok {
		return idx
	}
	idx := map[string]string{}
	for _, v := range c.Values {
		if v == "" {
			continue
		}
		idx[strings.ToLower(v)] = v
		for _, lang := range []i18n.Lang{i18n.Zh, i18n.En} {
			idx[strings.ToLower(i18n.T(lang, c.Prefix+"."+v))] = v
		}
	}
	for k, v := range choiceAliases[c.Prefix] {
		idx[k] = v
	}
	choiceIndexes[c.Prefix] = idx
	return idx
}

// parseChoice reads a closed-list cell: "" for an empty cell, ok false for
// a value not on the list.
func parseChoice(c *Choice, s string) (string, bool) {
	if s == "" {
		return "", true
	}
	v, ok := choiceIndex(c)[strings.ToLower(s)]
	return v, ok
}

// ChoiceLabels lists a closed list's values as the template writes them.
func ChoiceLabels(c *Choice) []string {
	var out []string
	for _, v := range c.Values {
		if v != "" {
			out = append(out, i18n.T(i18n.Zh, c.Prefix+"."+v))
		}
	}
	return out
}

// splitMulti splits a cell holding several values.
func splitMulti(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == '/' || r == '|' || unicode.IsSpace(r) || r == '\u3000'
	})
	out := parts[:0]
	for _, p := range parts {
		if p = cleanCell(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sheetCell is one cell as read from a file.
type sheetCell struct {
	Text    string
	Num     bool // a number cell of an .xlsx (dates come as serial numbers)
	Formula bool // the cell holds a formula
	Long    bool // the content was longer than maxCellBytes and was cut
}

// sheetRow is one row as read, numbered as the spreadsheet shows it.
type sheetRow struct {
	N     int
	Cells []sheetCell
}

func (r sheetRow) empty() bool {
	for _, c := range r.Cells {
		if cleanCell(c.Text) != "" || c.Formula {
			return false
		}
	}
	return true
}

// parseSheetDate reads a date cell: a serial number of an .xlsx, or text
// written 2024-03-01, 2024/3/1, 2024.3.1, 20240301 or 2024年3月1日.
func parseSheetDate(c sheetCell, text string, date1904 bool) (date.Date, bool) {
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

// scientific reports whether a text cell looks like a number Excel showed
// in scientific notation (3.60403E+17): digits lost for good.
func scientific(s string) bool {
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
