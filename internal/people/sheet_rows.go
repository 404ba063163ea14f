package people

// Turning a sheet's rows into inputs: the header matched by name, each cell
// checked against its column (formulas, cut text, numbers Excel turned into
// scientific notation, required cells, closed lists, dates), then the row
// checked by the same rules as a form (ResidentInput.Validate and the
// others), each field's problem put back on its column. No SQL here: what
// needs the database (codes, duplicates on file, scope) is import.go's.

import (
	"sort"
	"strings"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/sheet"
)

// maxProblems is how many problems a report keeps; the rest are counted.
const maxProblems = 5000

// problems collects what is wrong with a file, at most one per cell.
type problems struct {
	list []Problem
	more int
	seen map[problemKey]bool
}

type problemKey struct {
	row int
	col string
}

func (p *problems) add(row int, column, value string, m i18n.Msg) {
	if p.seen == nil {
		p.seen = map[problemKey]bool{}
	}
	k := problemKey{row, column}
	if p.seen[k] {
		return
	}
	p.seen[k] = true
	if len(p.list) >= maxProblems {
		p.more++
		return
	}
	p.list = append(p.list, newProblem(row, column, value, m))
}

func (p *problems) empty() bool { return len(p.list) == 0 && p.more == 0 }

// sorted returns the problems in row order; within a row, in the order found.
func (p *problems) sorted() []Problem {
	sort.SliceStable(p.list, func(i, j int) bool { return p.list[i].Row < p.list[j].Row })
	return p.list
}

// headerMap maps a file's columns to a layout's.
type headerMap struct {
	layout *Layout
	pos    []int // file column -> layout column, -1 for a column without a header
	row    int   // the header's row number
	warned []bool
}

// MaxHeaderRow is the lowest row a sheet's header may be on: officials put
// a title (often merged across the columns) and a line or two about who
// filled the sheet in above it.
const MaxHeaderRow = 10

// matchHeader checks a header row against the layout by name: every
// required column present, no unknown or repeated one. Optional columns
// may be left out. A row naming none of the layout's columns is no header
// (a title, a note above it): matchHeader returns nil and adds no problem.
func matchHeader(l *Layout, row sheet.Row, p *problems) *headerMap {
	h := &headerMap{layout: l, row: row.N, pos: make([]int, len(row.Cells)), warned: make([]bool, len(row.Cells)+1)}
	found := make([]int, len(l.Columns))
	known := 0
	// Problems of cells that only count once the row is known to be the header.
	type pending struct {
		col string
		m   i18n.Msg
	}
	var later []pending
	for i, c := range row.Cells {
		h.pos[i] = -1
		name := sheet.NormalizeHeader(c.Text)
		if c.Formula {
			later = append(later, pending{sheet.Clean(c.Text), i18n.M("sheet.formula")})
			continue
		}
		if name == "" {
			continue
		}
		j := -1
		for k, col := range l.Columns {
			if col.Header == name {
				j = k
				break
			}
		}
		switch {
		case j < 0:
			later = append(later, pending{name, i18n.M("sheet.unknown_column", name)})
		case found[j] > 0:
			p.add(row.N, name, "", i18n.M("sheet.repeated_column", name))
		default:
			found[j] = i + 1
			h.pos[i] = j
			known++
		}
	}
	if known == 0 {
		return nil
	}
	for _, u := range later {
		p.add(row.N, u.col, "", u.m)
	}
	for j, col := range l.Columns {
		if col.Required && found[j] == 0 {
			p.add(row.N, col.Header, "", i18n.M("sheet.missing_column", col.Header))
		}
	}
	return h
}

func requiredHeaders(l *Layout) string {
	var names []string
	for _, c := range l.Columns {
		if c.Required {
			names = append(names, c.Header)
		}
	}
	return strings.Join(names, "、")
}

// record is a data row with its cells in the layout's order.
type record struct {
	row   int
	cells []sheet.Cell
}

// record lays a data row out by the layout's columns, flagging data in a
// column without a header (once per column).
func (h *headerMap) record(row sheet.Row, p *problems) record {
	rec := record{row: row.N, cells: make([]sheet.Cell, len(h.layout.Columns))}
	for i, c := range row.Cells {
		j := -1
		if i < len(h.pos) {
			j = h.pos[i]
		}
		if j >= 0 {
			rec.cells[j] = c
			continue
		}
		if sheet.Clean(c.Text) == "" && !c.Formula {
			continue
		}
		w := min(i, len(h.warned)-1)
		if !h.warned[w] {
			h.warned[w] = true
			// What sits under no header is not echoed: it is often where
			// identity numbers were pasted.
			p.add(row.N, columnName(i), "", i18n.M("sheet.no_column_header", columnName(i), h.row))
		}
	}
	return rec
}

// columnName is a column's letters as spreadsheets show them (0 -> A).
func columnName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// rowReader reads one record's cells, recording problems against columns.
type rowReader struct {
	l        *Layout
	rec      record
	date1904 bool
	p        *problems
	bad      []bool
}

func newRowReader(l *Layout, rec record, date1904 bool, p *problems) *rowReader {
	r := &rowReader{l: l, rec: rec, date1904: date1904, p: p, bad: make([]bool, len(l.Columns))}
	for i, col := range l.Columns {
		c := rec.cells[i]
		v := sheet.Clean(c.Text)
		switch {
		case c.Formula:
			r.failAt(i, i18n.M("sheet.formula"))
		case c.Long:
			r.failAt(i, i18n.M("sheet.cell_too_long", sheet.MaxCellBytes/3))
		case col.Text && sheet.Scientific(v):
			r.failAt(i, i18n.M("sheet.scientific"))
		case col.Required && v == "":
			r.failAt(i, i18n.M("field.required"))
		case strings.IndexFunc(v, isControl) >= 0:
			r.failAt(i, i18n.M("sheet.control_chars"))
		}
	}
	return r
}

func isControl(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }

func (r *rowReader) failAt(i int, m i18n.Msg) {
	if r.bad[i] {
		return
	}
	r.bad[i] = true
	col := r.l.Columns[i]
	r.p.add(r.rec.row, col.Header, maskCell(col, r.rec.cells[i].Text), m)
}

// fail records a problem with the column named key.
func (r *rowReader) fail(key string, m i18n.Msg) {
	if i := r.l.Index(key); i >= 0 {
		r.failAt(i, m)
		return
	}
	r.p.add(r.rec.row, "", "", m)
}

// text returns a column's cleaned content ("" if it already has a problem).
func (r *rowReader) text(key string) string {
	i := r.l.Index(key)
	if i < 0 || r.bad[i] {
		return ""
	}
	return sheet.Clean(r.rec.cells[i].Text)
}

func allowed(c *Choice) string { return strings.Join(ChoiceLabels(c), "、") }

// choice reads a closed-list column.
func (r *rowReader) choice(key string) string {
	i := r.l.Index(key)
	v := r.text(key)
	c := r.l.Columns[i].Choice
	out, ok := parseChoice(c, v)
	if !ok {
		r.failAt(i, i18n.M("sheet.bad_choice", allowed(c)))
	}
	return out
}

// choices reads a column of several closed-list values.
func (r *rowReader) choices(key string) []string {
	i := r.l.Index(key)
	c := r.l.Columns[i].Choice
	var out []string
	for _, part := range splitMulti(r.text(key)) {
		v, ok := parseChoice(c, part)
		if !ok {
			r.failAt(i, i18n.M("sheet.bad_choice_item", part, allowed(c)))
			return nil
		}
		out = append(out, v)
	}
	return out
}

// date reads a date column as YYYY-MM-DD.
func (r *rowReader) date(key string) string {
	i := r.l.Index(key)
	v := r.text(key)
	if v == "" {
		return ""
	}
	d, ok := sheet.ParseDate(r.rec.cells[i], v, r.date1904)
	if !ok {
		r.failAt(i, i18n.M("field.bad_date"))
		return ""
	}
	return string(d)
}

// fieldErrors puts a validation error's fields back on their columns;
// rename maps a field to its column where the names differ.
func (r *rowReader) fieldErrors(err error, rename map[string]string) {
	if err == nil {
		return
	}
	ae := apperr.As(err)
	if len(ae.Fields) == 0 {
		r.p.add(r.rec.row, "", "", ae.Msg)
		return
	}
	for f, m := range ae.Fields {
		if to, ok := rename[f]; ok {
			f = to
		}
		r.fail(f, m)
	}
}

// ok reports whether the row has no problem so far.
func (r *rowReader) ok() bool {
	for _, b := range r.bad {
		if b {
			return false
		}
	}
	return true
}

// residentRow is a resident to import.
type residentRow struct {
	row      int
	in       ResidentInput
	building string
	room     string
	id       string // the identity number, normalised
}

// parseResident reads a resident's row, checked on the district's day
// today; ok is false when it has a problem.
func parseResident(r *rowReader, today date.Date) (residentRow, bool) {
	in := ResidentInput{
		Name:      r.text("name"),
		Gender:    r.choice("gender"),
		IDType:    r.choice("id_type"),
		IDNumber:  r.text("id_number"),
		BirthDate: r.date("birth_date"),
		Ethnicity: r.text("ethnicity"),
		Phone:     r.text("phone"),
		Residence: r.choice("residence"),
		Relation:  r.choice("relation"),
		Tags:      r.choices("tags"),
	}
	out := residentRow{row: r.rec.row, building: strings.ToUpper(r.text("building_code")), room: r.text("room")}
	if utf8.RuneCountInString(out.room) > 20 {
		r.fail("room", i18n.M("field.too_long", 20))
	}
	c, err := in.Validate(today)
	r.fieldErrors(err, nil)
	if err == nil {
		in = c.ResidentInput
		in.BirthDate = string(c.birth)
	}
	out.in, out.id = in, pii.NormalizeIDNumber(in.IDNumber)
	return out, r.ok()
}

// memberRow is a party member to import.
type memberRow struct {
	row  int
	name string
	id   string
	org  string
	in   PartyMemberInput
}

func parseMember(r *rowReader, today date.Date) (memberRow, bool) {
	out := memberRow{row: r.rec.row, name: r.text("name"), id: pii.NormalizeIDNumber(r.text("id_number")), org: r.text("party_org")}
	var f apperr.Fields
	checkPersonName(&f, "name", out.name)
	if out.id != "" && len(out.id) == 18 && strings.Trim(out.id[:17], "0123456789") == "" {
		if p := pii.IDNumberProblem(out.id, today); p != "" {
			f.Add("id_number", p)
		}
	}
	r.fieldErrors(f.Err(), nil)
	if utf8.RuneCountInString(out.org) > 80 {
		r.fail("party_org", i18n.M("field.too_long", 80))
	}
	out.in = PartyMemberInput{JoinedOn: r.date("joined_on"), Status: r.choice("status"), InService: r.choice("in_service") == "yes", Employer: r.text("employer")}
	// The resident and organisation are looked up later; stand-ins let the
	// other rules run now.
	check := out.in
	check.ResidentID, check.PartyOrgID = 1, 1
	if _, err := check.validate(); err != nil {
		r.fieldErrors(err, nil)
	}
	out.in.Status = check.Status
	out.in.Employer = check.Employer
	return out, r.ok()
}

// staffRow is one of a grid's staff to import.
type staffRow struct {
	row       int
	grid      string
	buildings []string
	in        GridStaffInput
}

func parseStaff(r *rowReader) (staffRow, bool) {
	out := staffRow{row: r.rec.row, grid: strings.ToUpper(r.text("grid_code"))}
	for _, b := range splitMulti(r.text("buildings")) {
		out.buildings = append(out.buildings, strings.ToUpper(b))
	}
	if len(out.buildings) > 200 {
		r.fail("buildings", i18n.M("sheet.too_many_items", 200))
	}
	out.in = GridStaffInput{Role: r.choice("role"), Kind: r.choice("kind"), Name: r.text("name"), Phone: r.text("phone"), Since: r.date("since")}
	check := out.in
	_, err := check.validate()
	r.fieldErrors(err, nil)
	out.in.Name, out.in.Phone = check.Name, check.Phone
	return out, r.ok()
}
