package org

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the org tables.
var Migrations = db.Migrations{Module: "org", FS: db.Sub(migrationFiles, "migrations")}

// MoveHook is called, inside the transaction, when a subtree moves from
// oldPrefix to newPrefix, so that modules keeping copies of unit paths on
// their own rows can follow.
type MoveHook func(ctx context.Context, tx *db.Tx, oldPrefix, newPrefix string) error

// DeleteGuard counts what other modules still keep at a unit; a unit with
// anything left cannot be deleted. what is the message key naming it.
type DeleteGuard struct {
	What  string
	Count func(ctx context.Context, q db.Querier, unitID int64) (int, error)
}

// Store keeps the unit tree, party organisations and co-building units.
type Store struct {
	db     *db.DB
	Now    func() time.Time
	hooks  []MoveHook
	guards []DeleteGuard
}

// NewStore returns the org store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d, Now: time.Now} }

// SetDB makes the store work on d from now on; tests use it to lose the
// connection of one module.
func (s *Store) SetDB(d *db.DB) { s.db = d }

// OnMove registers a hook to run when a subtree moves.
func (s *Store) OnMove(h MoveHook) { s.hooks = append(s.hooks, h) }

// GuardDelete registers a check that keeps units in use from being deleted.
func (s *Store) GuardDelete(g DeleteGuard) { s.guards = append(s.guards, g) }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

const unitCols = `u.id, COALESCE(u.parent_id, 0), u.type, u.code, u.name, u.path, u.depth, COALESCE(u.boundary, ''), u.created_at, u.updated_at`

func scanUnit(sc interface{ Scan(...any) error }, extra ...any) (*Unit, error) {
	u := &Unit{}
	dest := append([]any{&u.ID, &u.ParentID, &u.Type, &u.Code, &u.Name, &u.Path, &u.Depth, &u.Boundary, &u.CreatedAt, &u.UpdatedAt}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	return u, nil
}

// unitIn reads one unit inside scope; out of scope reads as not found.
func (s *Store) unitIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Unit, error) {
	where, args := scope.Where("u.path")
	u, err := scanUnit(q.QueryRow(ctx, `SELECT `+unitCols+` FROM units u WHERE u.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(unitWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return u, nil
}

const unitWord = "单位"

// UnitIn reads one unit inside scope, in a transaction or not; out of scope
// reads as not found. Other modules use it to check where they write.
func (s *Store) UnitIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Unit, error) {
	return s.unitIn(ctx, q, scope, id)
}

// Unit returns a unit the actor may read.
func (s *Store) Unit(ctx context.Context, actor *auth.Actor, id int64) (*Unit, error) {
	return s.unitIn(ctx, s.db, actor.Scope(PermRead), id)
}

// UnitByCode returns the unit with a code, if the actor may read it.
func (s *Store) UnitByCode(ctx context.Context, actor *auth.Actor, code string) (*Unit, error) {
	where, args := actor.Scope(PermRead).Where("u.path")
	u, err := scanUnit(s.db.QueryRow(ctx, `SELECT `+unitCols+` FROM units u WHERE u.code = ? AND `+where,
		append([]any{strings.ToUpper(strings.TrimSpace(code))}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(unitWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return u, nil
}

// UnitsByID looks units up without a scope, for the account store, which
// needs the paths of the units where roles are held.
func (s *Store) UnitsByID(ctx context.Context, q db.Querier, ids []int64) (map[int64]auth.UnitRef, error) {
	out := make(map[int64]auth.UnitRef, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.Query(ctx, `SELECT id, path, name, type FROM units WHERE id IN (`+db.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r auth.UnitRef
		if err := rows.Scan(&r.ID, &r.Path, &r.Name, &r.Type); err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// UnitFilter selects units for a listing.
type UnitFilter struct {
	Type     UnitType
	ParentID int64 // direct children of this unit
	UnderID  int64 // anywhere below this unit
	Query    string
	Sort     string // "code" (default), "name", "type"
	Desc     bool
	Limit    int
	Offset   int
}

// ListUnits returns one page of the units the actor may read that match f,
// and how many match in all.
func (s *Store) ListUnits(ctx context.Context, actor *auth.Actor, f UnitFilter) ([]Unit, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("u.path")
	if f.Type != "" {
		where += " AND u.type = ?"
		args = append(args, string(f.Type))
	}
	if f.ParentID != 0 {
		where += " AND u.parent_id = ?"
		args = append(args, f.ParentID)
	}
	if f.UnderID != 0 {
		under, err := s.unitIn(ctx, s.db, scope, f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := db.PrefixRange(under.Path)
		where += " AND u.path >= ? AND u.path < ? AND u.id <> ?"
		args = append(args, lo, hi, under.ID)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where += " AND (u.name " + db.ILike(s.db.Engine()) + ` ? ESCAPE '\' OR u.code LIKE ? ESCAPE '\')`
		args = append(args, "%"+db.LikeEscape(q)+"%", db.LikeEscape(strings.ToUpper(q))+"%")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM units u WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := "u.code"
	switch f.Sort {
	case "name":
		order = "u.name"
	case "type":
		order = "u.depth"
	}
	if f.Desc {
		order += " DESC"
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	rows, err := s.db.Query(ctx, `SELECT `+unitCols+`, (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id)
		FROM units u WHERE `+where+` ORDER BY `+order+`, u.id LIMIT `+strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var children int
		u, err := scanUnit(rows, &children)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		u.Children = children
		out = append(out, *u)
	}
	return out, total, apperr.Wrap(rows.Err())
}

// Roots returns the top units of the actor's scope: the units where they
// hold roles (or every root, for the system).
func (s *Store) Roots(ctx context.Context, actor *auth.Actor) ([]Unit, error) {
	scope := actor.Scope(PermRead)
	var where string
	var args []any
	if scope.All {
		where = "u.parent_id IS NULL"
	} else if len(scope.Paths) == 0 {
		return nil, nil
	} else {
		where = "u.path IN (" + db.Placeholders(len(scope.Paths)) + ")"
		for _, p := range scope.Paths {
			args = append(args, p)
		}
	}
	rows, err := s.db.Query(ctx, `SELECT `+unitCols+`, (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id)
		FROM units u WHERE `+where+` ORDER BY u.code`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var children int
		u, err := scanUnit(rows, &children)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		u.Children = children
		out = append(out, *u)
	}
	return out, apperr.Wrap(rows.Err())
}

// Ancestors returns the units above u that the actor may read, top first.
func (s *Store) Ancestors(ctx context.Context, actor *auth.Actor, u *Unit) ([]Unit, error) {
	ids := PathIDs(u.Path)
	if len(ids) <= 1 {
		return nil, nil
	}
	ids = ids[:len(ids)-1]
	where, args := actor.Scope(PermRead).Where("u.path")
	idArgs := make([]any, len(ids))
	for i, id := range ids {
		idArgs[i] = id
	}
	rows, err := s.db.Query(ctx, `SELECT `+unitCols+` FROM units u WHERE u.id IN (`+db.Placeholders(len(ids))+`) AND `+where+` ORDER BY u.depth`,
		append(idArgs, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		a, err := scanUnit(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, *a)
	}
	return out, apperr.Wrap(rows.Err())
}

// PathIDs returns the ids in a materialised path, top first.
func PathIDs(path string) []int64 {
	var ids []int64
	for _, p := range strings.Split(strings.Trim(path, "/"), "/") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// ChildPath returns the path of a child with id under a parent path.
func ChildPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

func parseBoundary(text string) (*geo.Boundary, error) {
	if text == "" {
		return nil, nil
	}
	return geo.ParseBoundary("boundary", []byte(text))
}

// CreateUnit adds a unit under a parent in the actor's scope. Only the
// system (the operator's commands) creates districts, the roots.
func (s *Store) CreateUnit(ctx context.Context, actor *auth.Actor, in UnitInput) (*Unit, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	in.Normalize()
	b, err := parseBoundary(in.Boundary)
	if err != nil {
		return nil, err
	}
	var out *Unit
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var parent *Unit
		if in.ParentID != 0 {
			p, err := s.unitIn(ctx, tx, actor.Scope(PermWrite), in.ParentID)
			if err != nil {
				return apperr.Reword(err, apperr.FieldInvalid("parent_id", "org.parent_not_found"))
			}
			parent = p
		} else if !actor.System {
			return apperr.FieldInvalid("parent_id", "field.required")
		}
		if err := in.Validate(parent); err != nil {
			return err
		}
		u, err := s.insertUnit(ctx, tx, parent, in, b)
		if err != nil {
			return err
		}
		out = u
		return audit.Record(ctx, tx, actor.Entry("unit.create", "unit", fmt.Sprint(u.ID),
			map[string]any{"type": u.Type, "code": u.Code, "name": u.Name, "parent_id": u.ParentID}))
	})
	return out, err
}

// insertUnit writes a validated unit and gives it its path.
func (s *Store) insertUnit(ctx context.Context, tx *db.Tx, parent *Unit, in UnitInput, b *geo.Boundary) (*Unit, error) {
	now := s.now()
	u := &Unit{Type: in.Type, Code: in.Code, Name: in.Name, CreatedAt: now, UpdatedAt: now}
	var parentID any
	parentPath := "/"
	if parent != nil {
		u.ParentID, parentID, parentPath, u.Depth = parent.ID, parent.ID, parent.Path, parent.Depth+1
	}
	var boundary, minLon, minLat, maxLon, maxLat any
	if b != nil {
		if err := s.checkBounds(ctx, tx, boundsCheck{unit: u, parentPath: parentPath, b: b, reshaped: true, field: "boundary"}); err != nil {
			return nil, err
		}
		u.Boundary = b.GeoJSON()
		boundary, minLon, minLat, maxLon, maxLat = u.Boundary, b.Bound.Min[0], b.Bound.Min[1], b.Bound.Max[0], b.Bound.Max[1]
	}
	// The path needs the new id; a unique placeholder holds its place until then.
	err := tx.QueryRow(ctx, `INSERT INTO units (parent_id, type, code, name, path, depth, boundary, min_lon, min_lat, max_lon, max_lat, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		parentID, string(u.Type), u.Code, u.Name, "new:"+u.Code, u.Depth, boundary, minLon, minLat, maxLon, maxLat, now, now).Scan(&u.ID)
	if db.IsUniqueViolation(err) {
		return nil, apperr.FieldInvalid("code", "org.code_taken", u.Code)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	u.Path = ChildPath(parentPath, u.ID)
	if _, err := tx.Exec(ctx, `UPDATE units SET path = ? WHERE id = ?`, u.Path, u.ID); err != nil {
		return nil, apperr.Wrap(err)
	}
	return u, nil
}

// UpdateUnit changes a unit's name, code or boundary. The name and boundary
// of the actor's own top unit may change; its code only from above. A new
// code carries over to the codes below that start with the old one.
func (s *Store) UpdateUnit(ctx context.Context, actor *auth.Actor, id int64, p UnitPatch) (*Unit, error) {
	return s.EditUnit(ctx, actor, id, nil, p)
}

// EditUnit moves a unit under parentID (when not nil and not its parent
// already), with p.Code as the code it takes there, and changes its name
// and boundary, all in one transaction: a unit may move and take the
// boundary that fits its new place at once. The unit as the edit leaves it
// must fit the tree's boundaries (see checkBounds).
func (s *Store) EditUnit(ctx context.Context, actor *auth.Actor, id int64, parentID *int64, p UnitPatch) (*Unit, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var out *Unit
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if parentID != nil || p.Boundary != nil {
			if err := lockBounds(ctx, tx); err != nil {
				return err
			}
		}
		u, err := s.unitIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		moved := false
		if parentID != nil && *parentID != u.ParentID {
			code := ""
			if p.Code != nil {
				code, p.Code = *p.Code, nil
			}
			if moved, err = s.move(ctx, tx, actor, u, *parentID, code); err != nil {
				return err
			}
		}
		var b *geo.Boundary
		if p.Code != nil || p.Name != nil || p.Boundary != nil {
			if b, err = s.update(ctx, tx, actor, u, p); err != nil {
				return err
			}
		}
		if p.Boundary == nil && moved {
			b, _ = parseBoundary(u.Boundary)
		}
		reshaped := p.Boundary != nil && b != nil
		if moved || reshaped {
			field := "parent_id"
			if p.Boundary != nil {
				field = "boundary"
			}
			if err := s.checkBounds(ctx, tx, boundsCheck{unit: u, b: b, reshaped: reshaped, field: field}); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	return out, err
}

// update changes u's name, code or boundary in tx, and returns u's new
// boundary (nil if p leaves it out or removes it).
func (s *Store) update(ctx context.Context, tx *db.Tx, actor *auth.Actor, u *Unit, p UnitPatch) (*geo.Boundary, error) {
	scope := actor.Scope(PermWrite)
	before := *u
	var f apperr.Fields
	var b *geo.Boundary
	var err error
	if p.Name != nil {
		u.Name = strings.TrimSpace(*p.Name)
		checkName(&f, "name", u.Name, MaxNameLen)
	}
	if p.Boundary != nil {
		text := strings.TrimSpace(*p.Boundary)
		if b, err = parseBoundary(text); err != nil {
			return nil, err
		}
		u.Boundary = ""
		if b != nil {
			u.Boundary = b.GeoJSON()
		}
	}
	if p.Code != nil {
		code := strings.ToUpper(strings.TrimSpace(*p.Code))
		if code != u.Code {
			if !scope.ContainsBelow(u.Path) {
				return nil, apperr.FieldInvalid("code", "org.code_own_unit")
			}
			parent, err := s.parentOf(ctx, tx, u)
			if err != nil {
				return nil, err
			}
			if err := ValidateCode(u.Type, code, parent); err != nil {
				return nil, err
			}
			if err := s.recode(ctx, tx, u, code); err != nil {
				return nil, err
			}
			u.Code = code
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	u.UpdatedAt = s.now()
	var boundary, minLon, minLat, maxLon, maxLat any
	if b != nil {
		boundary, minLon, minLat, maxLon, maxLat = u.Boundary, b.Bound.Min[0], b.Bound.Min[1], b.Bound.Max[0], b.Bound.Max[1]
	}
	if p.Boundary != nil {
		_, err = tx.Exec(ctx, `UPDATE units SET name = ?, boundary = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, updated_at = ? WHERE id = ?`,
			u.Name, boundary, minLon, minLat, maxLon, maxLat, u.UpdatedAt, u.ID)
	} else {
		_, err = tx.Exec(ctx, `UPDATE units SET name = ?, updated_at = ? WHERE id = ?`, u.Name, u.UpdatedAt, u.ID)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return b, audit.Record(ctx, tx, actor.Entry("unit.update", "unit", fmt.Sprint(u.ID), changes(
		"name", before.Name, u.Name, "code", before.Code, u.Code, "boundary", before.Boundary != "", u.Boundary != "")))
}

// changes lists the fields whose values differ, as name -> [before, after],
// from triples of name, before, after.
func changes(triples ...any) map[string][2]any {
	out := map[string][2]any{}
	for i := 0; i+2 < len(triples); i += 3 {
		if triples[i+1] != triples[i+2] {
			out[triples[i].(string)] = [2]any{triples[i+1], triples[i+2]}
		}
	}
	return out
}

func (s *Store) parentOf(ctx context.Context, q db.Querier, u *Unit) (*Unit, error) {
	if u.ParentID == 0 {
		return nil, nil
	}
	return s.unitIn(ctx, q, auth.Scope{All: true}, u.ParentID)
}

// recode gives u a new code and carries it over to the units below whose
// codes start with the old one.
func (s *Store) recode(ctx context.Context, tx *db.Tx, u *Unit, code string) error {
	lo, hi := db.PrefixRange(u.Path)
	_, err := tx.Exec(ctx, `UPDATE units SET code = ? || substr(code, ?) WHERE path >= ? AND path < ? AND id <> ? AND substr(code, 1, ?) = ?`,
		code, len(u.Code)+1, lo, hi, u.ID, len(u.Code), u.Code)
	if db.IsUniqueViolation(err) {
		return apperr.FieldInvalid("code", "org.code_taken_below")
	}
	if err != nil {
		return apperr.Wrap(err)
	}
	_, err = tx.Exec(ctx, `UPDATE units SET code = ? WHERE id = ?`, code, u.ID)
	if db.IsUniqueViolation(err) {
		return apperr.FieldInvalid("code", "org.code_taken", code)
	}
	return apperr.Wrap(err)
}

// MoveUnit moves a unit and its subtree under a new parent. If the unit's
// code does not fit the new parent, newCode gives the one it takes there.
func (s *Store) MoveUnit(ctx context.Context, actor *auth.Actor, id, newParentID int64, newCode string) (*Unit, error) {
	var p UnitPatch
	if newCode != "" {
		p.Code = &newCode
	}
	return s.EditUnit(ctx, actor, id, &newParentID, p)
}

// move moves u and its subtree under newParentID in tx, giving it newCode
// (empty: its own) there, and reports whether it moved.
func (s *Store) move(ctx context.Context, tx *db.Tx, actor *auth.Actor, u *Unit, newParentID int64, newCode string) (bool, error) {
	scope := actor.Scope(PermWrite)
	if !scope.ContainsBelow(u.Path) {
		return false, apperr.New(apperr.Forbidden, "org.move_own_unit")
	}
	parent, err := s.unitIn(ctx, tx, scope, newParentID)
	if err != nil {
		return false, apperr.Reword(err, apperr.FieldInvalid("parent_id", "org.parent_not_found"))
	}
	if strings.HasPrefix(parent.Path, u.Path) {
		return false, apperr.FieldInvalid("parent_id", "org.move_into_self")
	}
	if !u.Type.CanSitUnder(parent.Type) {
		return false, apperr.FieldInvalid("parent_id", "org.bad_nesting", u.Type.Label(), parent.Type.Label())
	}
	if parent.ID == u.ParentID && (newCode == "" || newCode == u.Code) {
		return false, nil
	}
	code := strings.ToUpper(strings.TrimSpace(newCode))
	if code == "" {
		code = u.Code
	}
	if err := ValidateCode(u.Type, code, parent); err != nil {
		if newCode == "" {
			return false, apperr.FieldInvalid("code", "org.move_needs_code", CodePrefix(u.Type, parent))
		}
		return false, err
	}
	oldPath := u.Path
	newPath := ChildPath(parent.Path, u.ID)
	lo, hi := db.PrefixRange(oldPath)
	if _, err := tx.Exec(ctx, `UPDATE units SET path = ? || substr(path, ?), depth = depth + ? WHERE path >= ? AND path < ?`,
		newPath, len(oldPath)+1, parent.Depth+1-u.Depth, lo, hi); err != nil {
		return false, apperr.Wrap(err)
	}
	u.Path = newPath
	if code != u.Code {
		if err := s.recode(ctx, tx, u, code); err != nil {
			return false, err
		}
	}
	before := u.ParentID
	u.ParentID, u.Code, u.Depth, u.UpdatedAt = parent.ID, code, parent.Depth+1, s.now()
	if _, err := tx.Exec(ctx, `UPDATE units SET parent_id = ?, updated_at = ? WHERE id = ?`, parent.ID, u.UpdatedAt, u.ID); err != nil {
		return false, apperr.Wrap(err)
	}
	for _, h := range s.hooks {
		if err := h(ctx, tx, oldPath, newPath); err != nil {
			return false, apperr.Wrap(err)
		}
	}
	return true, audit.Record(ctx, tx, actor.Entry("unit.move", "unit", fmt.Sprint(u.ID),
		map[string]any{"parent_id": [2]int64{before, parent.ID}, "path": [2]string{oldPath, newPath}, "code": code}))
}

// DeleteUnit removes a unit with nothing left in or under it.
func (s *Store) DeleteUnit(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		scope := actor.Scope(PermWrite)
		u, err := s.unitIn(ctx, tx, scope, id)
		if err != nil {
			return err
		}
		if !scope.ContainsBelow(u.Path) {
			return apperr.New(apperr.Forbidden, "org.delete_own_unit")
		}
		checks := append([]DeleteGuard{
			{What: "org.in_use.children", Count: countWhere(`SELECT COUNT(*) FROM units WHERE parent_id = ?`)},
			{What: "org.in_use.party_orgs", Count: countWhere(`SELECT COUNT(*) FROM party_orgs WHERE unit_id = ?`)},
			{What: "org.in_use.co_building", Count: countWhere(`SELECT COUNT(*) FROM co_building_units WHERE community_id = ?`)},
			{What: "org.in_use.agreements", Count: countWhere(`SELECT COUNT(*) FROM co_building_agreements WHERE community_id = ?`)},
			{What: "org.in_use.part_time", Count: countWhere(`SELECT COUNT(*) FROM part_time_members WHERE street_id = ?`)},
		}, s.guards...)
		for _, g := range checks {
			n, err := g.Count(ctx, tx, u.ID)
			if err != nil {
				return apperr.Wrap(err)
			}
			if n > 0 {
				return apperr.New(apperr.Conflict, "org.in_use", n, i18n.M(g.What))
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM units WHERE id = ?`, u.ID); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.New(apperr.Conflict, "org.in_use_other")
			}
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("unit.delete", "unit", fmt.Sprint(u.ID),
			map[string]any{"type": u.Type, "code": u.Code, "name": u.Name, "parent_id": u.ParentID}))
	})
}

func countWhere(query string) func(ctx context.Context, q db.Querier, id int64) (int, error) {
	return func(ctx context.Context, q db.Querier, id int64) (int, error) {
		var n int
		err := q.QueryRow(ctx, query, id).Scan(&n)
		return n, err
	}
}

// NextCode suggests the next free code for a child of type t under parent.
func (s *Store) NextCode(ctx context.Context, t UnitType, parent *Unit) (string, error) {
	prefix := CodePrefix(t, parent)
	width := 3
	switch t {
	case Area:
		prefix += "P"
		width = 2
	case Department:
		prefix += "-"
	}
	var last sql.NullString
	if err := s.db.QueryRow(ctx, `SELECT MAX(code) FROM units WHERE type = ? AND code LIKE ? ESCAPE '\' AND LENGTH(code) = ?`,
		string(t), db.LikeEscape(prefix)+"%", len(prefix)+width).Scan(&last); err != nil {
		return "", apperr.Wrap(err)
	}
	n := 1
	if last.Valid {
		if v, err := strconv.Atoi(strings.TrimPrefix(last.String, prefix)); err == nil {
			n = v + 1
		}
	}
	return fmt.Sprintf("%s%0*d", prefix, width, n), nil
}
