package people

// Spreadsheets going out: exports of what the actor may see (masked, as
// every list shows it; each export audited with its row count), the import
// templates, and import reports. Cells go through platform/sheet's
// writers, which neutralise text that a spreadsheet would run as a
// formula.

import (
	"context"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/sheet"
	"grassroots/internal/platform/web"
)

// MaxExportRows is the most rows one export holds; a larger one asks for a
// narrower filter.
const MaxExportRows = 100000

// colHeader is a column's header in lang: the template's Chinese header,
// or its English name.
func colHeader(lang i18n.Lang, l *Layout, key string) string {
	if lang == i18n.Zh {
		if i := l.Index(key); i >= 0 {
			return l.Columns[i].Header
		}
	}
	return i18n.T(lang, "sheet.col."+key)
}

func label(lang i18n.Lang, c Choice, v string) string {
	if v == "" {
		return ""
	}
	return i18n.T(lang, c.Prefix+"."+v)
}

func checkExport(actor *auth.Actor, total int) error {
	if !actor.Has(PermBulk) {
		return apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	if total > MaxExportRows {
		return apperr.New(apperr.TooLarge, "sheet.export_too_many", total, MaxExportRows)
	}
	return nil
}

// codesByID returns the codes of units by id.
func (s *Store) codesByID(ctx context.Context, q db.Querier, query string, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	err := inBatches(ids, func(args []any) error {
		rows, err := q.Query(ctx, strings.Replace(query, "(?)", "("+db.Placeholders(len(args))+")", 1), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				return err
			}
			out[id] = code
		}
		return rows.Err()
	})
	return out, apperr.Wrap(err)
}

// ExportResidents returns the residents the actor may see that match f,
// masked, as a sheet with the template's columns and a few more, and
// records the export.
func (s *Store) ExportResidents(ctx context.Context, actor *auth.Actor, f ResidentFilter, lang i18n.Lang) (web.Sheet, error) {
	if !actor.Has(PermBulk) {
		return web.Sheet{}, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	f.Limit, f.Offset = MaxExportRows, 0
	list, total, err := s.ListResidents(ctx, actor, f)
	if err != nil {
		return web.Sheet{}, err
	}
	if err := checkExport(actor, total); err != nil {
		return web.Sheet{}, err
	}
	households := map[int64]bool{}
	for _, r := range list {
		households[r.HouseholdID] = true
	}
	codes, err := s.codesByID(ctx, s.db, `SELECT h.id, b.code FROM households h JOIN units b ON b.id = h.building_id WHERE h.id IN (?)`, keys(households))
	if err != nil {
		return web.Sheet{}, err
	}
	l := LayoutOf(SheetResidents)
	sheet := web.Sheet{Name: i18n.T(lang, SheetResidents.Label())}
	for _, k := range []string{"name", "gender", "id_type", "id_number", "birth_date", "ethnicity", "phone", "residence", "building_code", "building", "room", "relation", "tags", "status"} {
		sheet.Header = append(sheet.Header, colHeader(lang, l, k))
	}
	for _, r := range list {
		tags := make([]string, len(r.Tags))
		for i, t := range r.Tags {
			tags[i] = label(lang, Tags, t)
		}
		sheet.Rows = append(sheet.Rows, []any{r.Name, label(lang, Genders, r.Gender), label(lang, IDTypes, r.IDType), r.IDNumber, r.BirthDate,
			r.Ethnicity, r.Phone, label(lang, Residences, r.Residence), codes[r.HouseholdID], r.BuildingName, r.Room, label(lang, Relations, r.Relation),
			strings.Join(tags, "、"), label(lang, Statuses, r.Status)})
	}
	err = s.RecordExport(ctx, actor, "residents", len(list), map[string]any{"under": f.UnderID, "name": f.Name, "tag": f.Tag,
		"by_id_number": f.IDNumber != "", "by_phone": f.Phone != "", "any_status": f.AnyStatus})
	return sheet, err
}

// ExportPartyMembers returns the party members the actor may see that
// match f, identity numbers masked, and records the export.
func (s *Store) ExportPartyMembers(ctx context.Context, actor *auth.Actor, f MemberFilter, lang i18n.Lang) (web.Sheet, error) {
	if !actor.Has(PermBulk) {
		return web.Sheet{}, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	f.Limit, f.Offset = MaxExportRows, 0
	list, total, err := s.ListPartyMembers(ctx, actor, f)
	if err != nil {
		return web.Sheet{}, err
	}
	if err := checkExport(actor, total); err != nil {
		return web.Sheet{}, err
	}
	ids := map[int64]bool{}
	for _, m := range list {
		ids[m.ResidentID] = true
	}
	masked, err := s.codesByID(ctx, s.db, `SELECT id, id_number_masked FROM residents WHERE id IN (?)`, keys(ids))
	if err != nil {
		return web.Sheet{}, err
	}
	l := LayoutOf(SheetPartyMembers)
	sheet := web.Sheet{Name: i18n.T(lang, SheetPartyMembers.Label())}
	for _, k := range []string{"name", "id_number", "party_org", "joined_on", "status", "in_service", "employer", "registered_community", "registered_on"} {
		sheet.Header = append(sheet.Header, colHeader(lang, l, k))
	}
	for _, m := range list {
		inService := "no"
		if m.InService {
			inService = "yes"
		}
		sheet.Rows = append(sheet.Rows, []any{m.ResidentName, masked[m.ResidentID], m.PartyOrgName, m.JoinedOn, label(lang, MemberStatus, m.Status),
			label(lang, YesNo, inService), m.Employer, m.RegisteredCommunityName, m.RegisteredOn})
	}
	err = s.RecordExport(ctx, actor, "party_members", len(list), map[string]any{"under": f.UnderID, "party_org": f.PartyOrgID, "name": f.Name,
		"in_service": f.InService, "registered": f.Registered})
	return sheet, err
}

// ExportGridStaff returns the grid staff the actor may see that match f,
// phones masked, and records the export.
func (s *Store) ExportGridStaff(ctx context.Context, actor *auth.Actor, f StaffFilter, lang i18n.Lang) (web.Sheet, error) {
	if !actor.Has(PermBulk) {
		return web.Sheet{}, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	f.Limit, f.Offset = MaxExportRows, 0
	list, total, err := s.ListGridStaff(ctx, actor, f)
	if err != nil {
		return web.Sheet{}, err
	}
	if err := checkExport(actor, total); err != nil {
		return web.Sheet{}, err
	}
	units := map[int64]bool{}
	for _, g := range list {
		units[g.GridID] = true
		for _, b := range g.Buildings {
			units[b] = true
		}
	}
	codes, err := s.codesByID(ctx, s.db, `SELECT id, code FROM units WHERE id IN (?)`, keys(units))
	if err != nil {
		return web.Sheet{}, err
	}
	l := LayoutOf(SheetGridStaff)
	sheet := web.Sheet{Name: i18n.T(lang, SheetGridStaff.Label())}
	for _, k := range []string{"grid_code", "grid", "role", "kind", "name", "phone", "buildings", "since"} {
		sheet.Header = append(sheet.Header, colHeader(lang, l, k))
	}
	for _, g := range list {
		bs := make([]string, len(g.Buildings))
		for i, b := range g.Buildings {
			bs[i] = codes[b]
		}
		sheet.Rows = append(sheet.Rows, []any{codes[g.GridID], g.GridName, label(lang, StaffRoles, g.Role), label(lang, StaffKinds, g.Kind),
			g.Name, g.Phone, strings.Join(bs, "、"), g.Since})
	}
	err = s.RecordExport(ctx, actor, "grid_staff", len(list), map[string]any{"under": f.UnderID, "role": f.Role})
	return sheet, err
}

// ReportSheet is an import's report as a sheet: row, column, content and
// reason, in lang.
func ReportSheet(rep *ImportReport, lang i18n.Lang) web.Sheet {
	sheet := web.Sheet{Name: i18n.T(lang, "sheet.report_title"), Header: []string{
		i18n.T(lang, "sheet.report_row"), i18n.T(lang, "sheet.report_column"), i18n.T(lang, "sheet.report_value"), i18n.T(lang, "sheet.report_reason")}}
	for _, p := range rep.Problems {
		var row any = p.Row
		if p.Row == 0 {
			row = ""
		}
		sheet.Rows = append(sheet.Rows, []any{row, p.Column, p.Value, p.Reason(lang)})
	}
	if rep.More > 0 {
		sheet.Rows = append(sheet.Rows, []any{"", "", "", i18n.T(lang, "sheet.more_problems", rep.More)})
	}
	return sheet
}

// WriteTemplate writes the import template of a kind of sheet: the data
// sheet with its Chinese header (required columns in red; text columns
// formatted as text, so that Excel keeps identity numbers whole; drop-down
// lists for closed lists), and a sheet of instructions, allowed values and
// an example row, in lang.
func WriteTemplate(w io.Writer, kind SheetKind, lang i18n.Lang) error {
	l := LayoutOf(kind)
	if l == nil {
		return apperr.FieldInvalid("kind", "field.bad_choice")
	}
	f := excelize.NewFile()
	defer f.Close()
	data := i18n.T(i18n.Zh, kind.Label())
	help := i18n.T(lang, "sheet.help_sheet")
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return err
	}
	if _, err := f.NewSheet(help); err != nil {
		return err
	}
	required, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "B8232A"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FDECEC"}}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return err
	}
	optional, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F4F5F7"}}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, c := range l.Columns {
		name, _ := excelize.ColumnNumberToName(i + 1)
		cell := name + "1"
		if err := f.SetCellStr(data, cell, c.Header); err != nil {
			return err
		}
		style := optional
		if c.Required {
			style = required
		}
		if c.Text {
			if err := f.SetColStyle(data, name, text); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(data, cell, cell, style); err != nil {
			return err
		}
		if err := f.SetColWidth(data, name, name, c.Width); err != nil {
			return err
		}
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(name + "2:" + name + "10001")
		dv.SetInput(c.Header, truncateRunes(i18n.T(i18n.Zh, c.Hint(kind)), 250))
		if c.Choice != nil && !c.Multi {
			if err := dv.SetDropList(ChoiceLabels(c.Choice)); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleWarning, c.Header, truncateRunes(i18n.T(i18n.Zh, "sheet.bad_choice", allowed(c.Choice)), 250))
		}
		if err := f.AddDataValidation(data, dv); err != nil {
			return err
		}
	}
	if err := f.SetPanes(data, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	// The instructions sheet.
	row := 1
	put := func(style int, values ...string) error {
		for i, v := range values {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if err := f.SetCellStr(help, cell, v); err != nil {
				return err
			}
			if style != 0 {
				if err := f.SetCellStyle(help, cell, cell, style); err != nil {
					return err
				}
			}
		}
		row++
		return nil
	}
	if err := put(bold, i18n.T(lang, "sheet.help_title", i18n.T(lang, kind.Label()))); err != nil {
		return err
	}
	for _, m := range []i18n.Msg{i18n.M("sheet.help_rows", data), i18n.M("sheet.help_header"), i18n.M("sheet.help_required"), i18n.M("sheet.help_text"),
		i18n.M("sheet.help_choice"), i18n.M("sheet.help_all_or_nothing"), i18n.M("sheet.help_limits", sheet.MaxBytes>>20, sheet.MaxRows),
		i18n.M("sheet.help_formula"), i18n.M("sheet.help." + string(kind))} {
		if err := put(wrap, "• "+m.In(lang)); err != nil {
			return err
		}
	}
	row++
	if err := put(bold, i18n.T(lang, "sheet.help_col_name"), i18n.T(lang, "sheet.help_col_required"), i18n.T(lang, "sheet.help_col_hint"), i18n.T(lang, "sheet.help_col_values")); err != nil {
		return err
	}
	yes, no := i18n.T(lang, "sheet.yesno.yes"), i18n.T(lang, "sheet.yesno.no")
	for _, c := range l.Columns {
		req := no
		if c.Required {
			req = yes
		}
		values := ""
		if c.Choice != nil {
			values = strings.Join(ChoiceLabels(c.Choice), "、")
		}
		if err := put(wrap, c.Header, req, i18n.T(lang, c.Hint(kind)), values); err != nil {
			return err
		}
	}
	row++
	if err := put(bold, i18n.T(lang, "sheet.help_example")); err != nil {
		return err
	}
	var headers, example []string
	for _, c := range l.Columns {
		headers = append(headers, c.Header)
		example = append(example, c.Example)
	}
	if err := put(bold, headers...); err != nil {
		return err
	}
	if err := put(0, example...); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "A", "A", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "B", "B", 10); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "C", "C", 60); err != nil {
		return err
	}
	if err := f.SetColWidth(help, "D", "D", 40); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
