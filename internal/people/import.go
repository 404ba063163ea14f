package people

// The import pipeline: read the file, check every row (its cells, then
// what needs the database: codes, the importer's scope, duplicates within
// the file and on file), and only when no row has a problem write them all
// with the bulk Loader in one transaction, audited once. A row that fails
// while being written (a resident added by someone else meanwhile) rolls
// the whole import back and is reported like any other problem: all or
// nothing.
//
// Codes of buildings and grids are public structure, so a code outside the
// importer's area is reported as such; a resident looked up by identity
// number is personal, so one outside the area reads as not found.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/sheet"
)

// ImportReport is what an import did, or why it wrote nothing.
type ImportReport struct {
	Kind       SheetKind `json:"kind"`
	Format     string    `json:"format"`
	Rows       int       `json:"rows"`     // data rows in the file
	Imported   int       `json:"imported"` // rows written: all of them or none
	Households int       `json:"households,omitempty"`
	Problems   []Problem `json:"problems,omitempty"`
	More       int       `json:"more,omitempty"` // problems found beyond those listed
}

// OK reports whether the file had no problem.
func (r *ImportReport) OK() bool { return len(r.Problems) == 0 && r.More == 0 }

// Stage is a step of an import.
type Stage string

// The steps of an import, in order.
const (
	StageQueued   Stage = "queued"
	StageReading  Stage = "reading"
	StageChecking Stage = "checking"
	StageWriting  Stage = "writing"
)

// ProgressFunc is told how far an import is: done of total rows in a stage
// (total 0 while reading, when it is not known yet).
type ProgressFunc func(stage Stage, done, total int)

// ImportOptions are the optional parts of an import.
type ImportOptions struct {
	Filename string
	ImportID int64 // the imports row, named in the audit entry
	Progress ProgressFunc
}

// progressEvery is how many rows pass between progress reports.
const progressEvery = 200

// errStop ends reading early once the header is wrong.
var errStop = errors.New("stop")

// ImportSheet imports a spreadsheet of residents, party members or grid
// staff as actor. Problems with the file's rows come back in the report
// (nothing written); an error means the file could not be read at all, the
// actor may not import, or the database failed.
func (s *Store) ImportSheet(ctx context.Context, actor *auth.Actor, kind SheetKind, data []byte, opt ImportOptions) (*ImportReport, error) {
	if !actor.Has(PermBulk) {
		return nil, apperr.New(apperr.Forbidden, "sheet.no_bulk")
	}
	l := LayoutOf(kind)
	if l == nil {
		return nil, apperr.FieldInvalid("kind", "field.bad_choice")
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(Stage, int, int) {}
	}
	imp := s.newImporter(kind, actor)
	rep := &ImportReport{Kind: kind}
	var p problems
	var h *headerMap
	above := 0 // rows read before the header
	noHeader := func() { p.add(0, "", "", i18n.M("sheet.no_header", MaxHeaderRow, requiredHeaders(l))) }
	info, err := sheet.Read(data, func(info *sheet.Info, row sheet.Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if h == nil {
			// Rows above the header (a title, a note) are passed over; the
			// rows keep the numbers the sheet shows.
			if row.N > MaxHeaderRow {
				noHeader()
				return errStop
			}
			above++
			if h = matchHeader(l, row, &p); !p.empty() {
				return errStop
			}
			return nil
		}
		if rep.Rows++; rep.Rows > sheet.MaxRows {
			return sheet.ErrTooManyRows()
		}
		imp.add(newRowReader(l, h.record(row, &p), info.Date1904, &p))
		if rep.Rows%progressEvery == 0 {
			progress(StageReading, rep.Rows, 0)
		}
		return nil
	})
	if info != nil {
		rep.Format = info.Format
		if info.Encoding != "" && info.Encoding != "utf-8" {
			rep.Format += " (" + info.Encoding + ")"
		}
	}
	switch {
	case errors.Is(err, errStop):
	case err != nil:
		return nil, err
	case h == nil && above > 0:
		noHeader() // rows, none of them a header
	case h == nil:
		return nil, sheet.ErrEmpty
	case rep.Rows == 0 && p.empty():
		return nil, apperr.New(apperr.Invalid, "sheet.no_rows")
	}
	// Once the header is right, every row is checked against the database
	// too, so that one report lists every problem.
	if !errors.Is(err, errStop) {
		progress(StageChecking, 0, rep.Rows)
		if err := imp.check(ctx, &p, func(done int) { progress(StageChecking, done, rep.Rows) }); err != nil {
			return nil, err
		}
	}
	if !p.empty() {
		rep.Problems, rep.More = p.sorted(), p.more
		return rep, nil
	}
	progress(StageWriting, 0, rep.Rows)
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		rep.Households = 0
		n, err := imp.write(ctx, tx, rep, func(done int) { progress(StageWriting, done, rep.Rows) })
		if err != nil {
			return err
		}
		rep.Imported = n
		detail := map[string]any{"filename": opt.Filename, "format": rep.Format, "rows": n}
		if kind == SheetResidents {
			detail["households"] = rep.Households
		}
		entityID := ""
		if opt.ImportID != 0 {
			entityID = strconv.FormatInt(opt.ImportID, 10)
		}
		return audit.Record(ctx, tx, actor.Entry("import."+string(kind), "import", entityID, detail))
	})
	var rf *rowFailure
	if errors.As(err, &rf) {
		rf.report(l, &p)
		rep.Imported, rep.Households = 0, 0
		rep.Problems, rep.More = p.sorted(), p.more
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	progress(StageWriting, rep.Rows, rep.Rows)
	return rep, nil
}

// rowFailure is a row the Loader refused while writing; it rolls the
// transaction back.
type rowFailure struct {
	row int
	err error
}

func (f *rowFailure) Error() string { return fmt.Sprintf("row %d: %v", f.row, f.err) }

func (f *rowFailure) report(l *Layout, p *problems) {
	ae := apperr.As(f.err)
	if apperr.IsFault(ae) {
		p.add(f.row, "", "", i18n.M("sheet.row_failed"))
		return
	}
	if len(ae.Fields) == 0 {
		p.add(f.row, "", "", ae.Msg)
	}
	for field, m := range ae.Fields {
		header := ""
		if i := l.Index(field); i >= 0 {
			header = l.Columns[i].Header
		}
		p.add(f.row, header, "", m)
	}
}

// wrapRow turns a Loader error into a row failure; a database error stays
// internal.
func wrapRow(row int, err error) error {
	if apperr.IsFault(err) {
		return err
	}
	return &rowFailure{row: row, err: err}
}

// importer checks and writes the rows of one kind of sheet.
type importer interface {
	add(r *rowReader)
	check(ctx context.Context, p *problems, progress func(done int)) error
	write(ctx context.Context, tx *db.Tx, rep *ImportReport, progress func(done int)) (int, error)
}

func (s *Store) newImporter(kind SheetKind, actor *auth.Actor) importer {
	base := importBase{s: s, actor: actor, write: actor.Scope(PermWrite), bulk: actor.Scope(PermBulk), today: s.today()}
	switch kind {
	case SheetPartyMembers:
		return &memberImporter{importBase: base, firstRow: map[string]int{}}
	case SheetGridStaff:
		return &staffImporter{importBase: base, firstRow: map[string]int{}}
	}
	return &residentImporter{importBase: base, firstRow: map[string]int{}}
}

type importBase struct {
	s     *Store
	actor *auth.Actor
	write auth.Scope
	bulk  auth.Scope
	today date.Date // the district's day the rows are checked on
}

// writable reports whether the importer may write at a unit path.
func (b *importBase) writable(path string) bool {
	return b.write.Contains(path) && b.bulk.Contains(path)
}

// unitProblem says what is wrong with a code naming a unit of type want,
// or returns nil.
func (b *importBase) unitProblem(u *org.Unit, code string, want org.UnitType) *i18n.Msg {
	var m i18n.Msg
	switch {
	case u == nil:
		m = i18n.M("sheet.unknown_code", want.Label(), code)
	case u.Type != want:
		m = i18n.M("sheet.wrong_unit_type", code, u.Type.Label(), want.Label())
	case !b.writable(u.Path):
		m = i18n.M("sheet.out_of_scope", code, u.Name)
	default:
		return nil
	}
	return &m
}

// --- residents ---

type residentImporter struct {
	importBase
	rows      []residentRow
	firstRow  map[string]int // identity number -> first row holding it
	buildings map[string]*org.Unit
}

func (ri *residentImporter) add(r *rowReader) {
	row, _ := parseResident(r, ri.today)
	if row.id != "" && !r.bad[r.l.Index("id_number")] {
		if first, dup := ri.firstRow[row.id]; dup {
			r.fail("id_number", i18n.M("sheet.duplicate_in_file", first))
		} else {
			ri.firstRow[row.id] = row.row
		}
	}
	ri.rows = append(ri.rows, row)
}

func (ri *residentImporter) check(ctx context.Context, p *problems, progress func(int)) error {
	l := LayoutOf(SheetResidents)
	codes := map[string]bool{}
	for _, r := range ri.rows {
		if r.building != "" {
			codes[r.building] = true
		}
	}
	var err error
	if ri.buildings, err = ri.s.unitsByCode(ctx, ri.s.db, keys(codes)); err != nil {
		return err
	}
	col := l.Columns[l.Index("building_code")]
	for _, r := range ri.rows {
		if r.building == "" {
			continue
		}
		if m := ri.unitProblem(ri.buildings[r.building], r.building, org.Building); m != nil {
			p.add(r.row, col.Header, r.building, *m)
		}
	}
	// Identity numbers already on file, anywhere: they are unique in the district.
	idCol := l.Columns[l.Index("id_number")]
	byIndex := map[string]int{}
	var indexes []string
	for i, r := range ri.rows {
		if r.id != "" {
			idx := ri.s.Vault.Index("id_number", r.id)
			byIndex[idx] = i
			indexes = append(indexes, idx)
		}
	}
	found, err := ri.s.existingIndexes(ctx, "residents", "id_number_index", indexes, func(done int) { progress(done) })
	if err != nil {
		return err
	}
	for _, idx := range found {
		r := ri.rows[byIndex[idx]]
		p.add(r.row, idCol.Header, pii.MaskID(r.id), i18n.M("people.duplicate_id", pii.MaskID(r.id)))
	}
	return nil
}

type householdKey struct {
	building int64
	room     string
}

// unitsUnmoved locks the units an import writes under (on PostgreSQL a
// move of them waits for the import, then carries its rows along) and
// refuses the import if any moved since the rows were checked: their
// paths, and so who may see the rows, would be wrong.
func unitsUnmoved(ctx context.Context, tx *db.Tx, units map[string]*org.Unit) error {
	if len(units) == 0 {
		return nil
	}
	ids := make([]any, 0, len(units))
	checked := map[int64]string{}
	for _, u := range units {
		if u != nil {
			ids = append(ids, u.ID)
			checked[u.ID] = u.Path
		}
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := tx.Query(ctx, `SELECT id, path FROM units WHERE id IN (`+db.Placeholders(len(chunk))+`)`+db.ForUpdate(tx.Engine()), chunk...)
		if err != nil {
			return apperr.Wrap(err)
		}
		for rows.Next() {
			var id int64
			var path string
			if err := rows.Scan(&id, &path); err != nil {
				rows.Close()
				return apperr.Wrap(err)
			}
			if path != checked[id] {
				rows.Close()
				return apperr.New(apperr.Conflict, "sheet.units_moved")
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}

func (ri *residentImporter) write(ctx context.Context, tx *db.Tx, rep *ImportReport, progress func(int)) (int, error) {
	if err := unitsUnmoved(ctx, tx, ri.buildings); err != nil {
		return 0, err
	}
	ids := map[int64]bool{}
	for _, b := range ri.buildings {
		ids[b.ID] = true
	}
	households, err := ri.s.activeHouseholds(ctx, tx, keys(ids))
	if err != nil {
		return 0, err
	}
	l := ri.s.Loader(tx)
	// Residents are written in batches; a row the batch refuses is
	// reported as itself.
	var batch []NewResident
	batchStart := 0
	flush := func(done int) error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := l.Residents(ctx, batch); err != nil {
			at := batchStart
			var re *RowError
			if errors.As(err, &re) {
				at, err = batchStart+re.Index, re.Err
			}
			return wrapRow(ri.rows[at].row, err)
		}
		batch = batch[:0]
		batchStart = done
		progress(done)
		return nil
	}
	for i, r := range ri.rows {
		b := ri.buildings[r.building]
		k := householdKey{b.ID, r.room}
		hid, ok := households[k]
		if !ok {
			if hid, err = l.Household(ctx, b, r.room); err != nil {
				return 0, wrapRow(r.row, err)
			}
			households[k] = hid
			rep.Households++
		}
		in := r.in
		in.HouseholdID = hid
		batch = append(batch, NewResident{Path: b.Path, Input: in})
		if len(batch) == progressEvery {
			if err := flush(i + 1); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(len(ri.rows)); err != nil {
		return 0, err
	}
	return len(ri.rows), nil
}

// --- party members ---

type memberImporter struct {
	importBase
	rows     []memberRow
	firstRow map[string]int
	paths    []string // per row: the resident's unit path
}

func (mi *memberImporter) add(r *rowReader) {
	row, _ := parseMember(r, mi.today)
	if row.id != "" && !r.bad[r.l.Index("id_number")] {
		if first, dup := mi.firstRow[row.id]; dup {
			r.fail("id_number", i18n.M("sheet.duplicate_in_file", first))
		} else {
			mi.firstRow[row.id] = row.row
		}
	}
	mi.rows = append(mi.rows, row)
}

func (mi *memberImporter) check(ctx context.Context, p *problems, progress func(int)) error {
	l := LayoutOf(SheetPartyMembers)
	header := func(key string) string { return l.Columns[l.Index(key)].Header }
	var indexes []string
	for _, r := range mi.rows {
		if r.id != "" {
			indexes = append(indexes, mi.s.Vault.Index("id_number", r.id))
		}
	}
	residents, err := mi.s.residentsByIndex(ctx, indexes)
	if err != nil {
		return err
	}
	orgs, err := mi.s.partyOrgsIn(ctx, mi.actor)
	if err != nil {
		return err
	}
	mi.paths = make([]string, len(mi.rows))
	var residentIDs []int64
	rowOf := map[int64]int{}
	for i := range mi.rows {
		r := &mi.rows[i]
		if r.id == "" {
			continue
		}
		res, ok := residents[mi.s.Vault.Index("id_number", r.id)]
		switch {
		case !ok || !mi.writable(res.path):
			p.add(r.row, header("id_number"), pii.MaskID(r.id), i18n.M("sheet.resident_unknown", pii.MaskID(r.id)))
			continue
		case res.name != r.name && r.name != "":
			p.add(r.row, header("name"), r.name, i18n.M("sheet.name_mismatch", res.name))
		case res.status != "living":
			p.add(r.row, header("id_number"), pii.MaskID(r.id), i18n.M("sheet.resident_not_living", i18n.M("rstatus."+res.status)))
		}
		r.in.ResidentID = res.id
		mi.paths[i] = res.path
		residentIDs = append(residentIDs, res.id)
		rowOf[res.id] = i
		if r.org != "" {
			id, m := orgs.resolve(r.org, res.path)
			if m != nil {
				p.add(r.row, header("party_org"), r.org, *m)
			}
			r.in.PartyOrgID = id
		}
		if (i+1)%progressEvery == 0 {
			progress(i + 1)
		}
	}
	members, err := mi.s.existingMembers(ctx, residentIDs)
	if err != nil {
		return err
	}
	for _, id := range members {
		r := mi.rows[rowOf[id]]
		p.add(r.row, header("id_number"), pii.MaskID(r.id), i18n.M("people.already_member"))
	}
	return nil
}

func (mi *memberImporter) write(ctx context.Context, tx *db.Tx, _ *ImportReport, progress func(int)) (int, error) {
	l := mi.s.Loader(tx)
	for i, r := range mi.rows {
		if _, err := l.PartyMember(ctx, mi.paths[i], r.in); err != nil {
			return 0, wrapRow(r.row, err)
		}
		if (i+1)%progressEvery == 0 {
			progress(i + 1)
		}
	}
	return len(mi.rows), nil
}

// partyOrgIndex finds party organisations by name or by their unit's code.
type partyOrgIndex struct {
	byName map[string][]partyOrgRef
	byCode map[string][]partyOrgRef
}

type partyOrgRef struct {
	id   int64
	name string
	path string // of its unit
}

// resolve finds the one organisation a cell names. Several of one name
// (every grid's 第一党小组) are told apart by the resident's place: the one
// whose unit lies above the resident's home.
func (x *partyOrgIndex) resolve(v, residentPath string) (int64, *i18n.Msg) {
	cands := x.byName[v]
	if len(cands) == 0 {
		cands = x.byCode[strings.ToUpper(v)]
	}
	if len(cands) > 1 {
		var near []partyOrgRef
		for _, c := range cands {
			if strings.HasPrefix(residentPath, c.path) {
				near = append(near, c)
			}
		}
		if len(near) > 0 {
			cands = near
		}
	}
	switch len(cands) {
	case 0:
		m := i18n.M("sheet.party_org_unknown", v)
		return 0, &m
	case 1:
		return cands[0].id, nil
	}
	m := i18n.M("sheet.party_org_ambiguous", v, len(cands))
	return 0, &m
}

// --- grid staff ---

type staffImporter struct {
	importBase
	rows     []staffRow
	firstRow map[string]int
	units    map[string]*org.Unit
}

func staffKey(grid, name, phone, role string) string {
	if phone != "" {
		return grid + "\x00" + name + "\x00" + phone
	}
	return grid + "\x00" + name + "\x00\x00" + role
}

func (si *staffImporter) add(r *rowReader) {
	row, ok := parseStaff(r)
	if ok {
		k := staffKey(row.grid, row.in.Name, row.in.Phone, row.in.Role)
		if first, dup := si.firstRow[k]; dup {
			r.fail("name", i18n.M("sheet.duplicate_in_file", first))
		} else {
			si.firstRow[k] = row.row
		}
	}
	si.rows = append(si.rows, row)
}

func (si *staffImporter) check(ctx context.Context, p *problems, progress func(int)) error {
	l := LayoutOf(SheetGridStaff)
	header := func(key string) string { return l.Columns[l.Index(key)].Header }
	codes := map[string]bool{}
	for _, r := range si.rows {
		if r.grid != "" {
			codes[r.grid] = true
		}
		for _, b := range r.buildings {
			codes[b] = true
		}
	}
	var err error
	if si.units, err = si.s.unitsByCode(ctx, si.s.db, keys(codes)); err != nil {
		return err
	}
	gridIDs := map[int64]bool{}
	for i := range si.rows {
		r := &si.rows[i]
		if r.grid == "" {
			continue
		}
		g := si.units[r.grid]
		if m := si.unitProblem(g, r.grid, org.Grid); m != nil {
			p.add(r.row, header("grid_code"), r.grid, *m)
			continue
		}
		r.in.GridID = g.ID
		gridIDs[g.ID] = true
		for _, code := range r.buildings {
			b := si.units[code]
			if b == nil || b.Type != org.Building {
				p.add(r.row, header("buildings"), code, i18n.M("sheet.unknown_code", org.Building.Label(), code))
				break
			}
			if !strings.HasPrefix(b.Path, g.Path) {
				p.add(r.row, header("buildings"), code, i18n.M("sheet.building_not_in_grid", code, g.Name))
				break
			}
			r.in.Buildings = append(r.in.Buildings, b.ID)
		}
	}
	existing, err := si.s.staffKeys(ctx, keys(gridIDs))
	if err != nil {
		return err
	}
	for i, r := range si.rows {
		if r.in.GridID == 0 {
			continue
		}
		// The same person at the same grid: the same name and phone, or,
		// without a phone, the same name and post.
		if existing[staffKey(strconv.FormatInt(r.in.GridID, 10), r.in.Name, si.s.Vault.Index("phone", r.in.Phone), r.in.Role)] {
			p.add(r.row, header("name"), r.in.Name, i18n.M("sheet.staff_exists", r.in.Name, si.units[r.grid].Name))
		}
		if (i+1)%progressEvery == 0 {
			progress(i + 1)
		}
	}
	return nil
}

func (si *staffImporter) write(ctx context.Context, tx *db.Tx, _ *ImportReport, progress func(int)) (int, error) {
	if err := unitsUnmoved(ctx, tx, si.units); err != nil {
		return 0, err
	}
	l := si.s.Loader(tx)
	for i, r := range si.rows {
		if _, err := l.GridStaff(ctx, si.units[r.grid], r.in); err != nil {
			return 0, wrapRow(r.row, err)
		}
		if (i+1)%progressEvery == 0 {
			progress(i + 1)
		}
	}
	return len(si.rows), nil
}

func keys[K comparable](m map[K]bool) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
