package people

import (
	"context"
	"database/sql"
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
	"grassroots/internal/platform/pii"
)

const workerCols = `w.id, w.unit_id, u.name, w.unit_path, w.name, w.gender, w.birth_date, w.id_number_masked, w.phone_masked,
	w.position, w.education, w.pay_step, w.hired_on`

func scanWorker(sc interface{ Scan(...any) error }) (*Worker, error) {
	w := &Worker{}
	return w, sc.Scan(&w.ID, &w.UnitID, &w.UnitName, &w.UnitPath, &w.Name, &w.Gender, &w.BirthDate, &w.IDNumber, &w.Phone,
		&w.Position, &w.Education, &w.PayStep, &w.HiredOn)
}

func (s *Store) workerIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Worker, error) {
	where, args := scope.Where("w.unit_path")
	w, err := scanWorker(q.QueryRow(ctx, `SELECT `+workerCols+` FROM workers w JOIN units u ON u.id = w.unit_id WHERE w.id = ? AND `+where,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("社区工作者")
	}
	return w, apperr.Wrap(err)
}

// Worker returns a community worker the actor may see.
func (s *Store) Worker(ctx context.Context, actor *auth.Actor, id int64) (*Worker, error) {
	return s.workerIn(ctx, s.db, actor.Scope(PermRead), id)
}

// ListWorkers returns the community workers the actor may see, below a
// unit if underID is set, of one position if position is set.
func (s *Store) ListWorkers(ctx context.Context, actor *auth.Actor, underID int64, position string) ([]Worker, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("w.unit_path")
	if underID != 0 {
		u, err := s.Orgs.UnitIn(ctx, s.db, scope, underID)
		if err != nil {
			return nil, err
		}
		lo, hi := db.PrefixRange(u.Path)
		where += " AND w.unit_path >= ? AND w.unit_path < ?"
		args = append(args, lo, hi)
	}
	if position != "" {
		where += " AND w.position = ?"
		args = append(args, position)
	}
	rows, err := s.db.Query(ctx, `SELECT `+workerCols+` FROM workers w JOIN units u ON u.id = w.unit_id WHERE `+where+` ORDER BY u.code, w.position, w.name LIMIT 5000`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Worker
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, *w)
	}
	return out, apperr.Wrap(rows.Err())
}

// SaveWorker creates (id 0) or replaces a community worker at a community
// or street in the actor's scope. An empty identity number or phone on a
// change keeps the one on file.
func (s *Store) SaveWorker(ctx context.Context, actor *auth.Actor, id int64, in WorkerInput) (*Worker, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	birth, hired, err := in.validate(s.today())
	if err != nil {
		return nil, err
	}
	var out *Worker
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.writableUnit(ctx, tx, actor, "unit_id", in.UnitID, org.Community, org.Street)
		if err != nil {
			return err
		}
		idn, err := s.seal("workers.id_number_sealed", "id_number", in.IDNumber, pii.MaskID)
		if err != nil {
			return apperr.Wrap(err)
		}
		ph, err := s.seal("workers.phone_sealed", "phone", in.Phone, pii.MaskPhone)
		if err != nil {
			return apperr.Wrap(err)
		}
		now := s.now()
		action := "worker.update"
		if id == 0 {
			action = "worker.create"
			if id, err = s.insertWorker(ctx, tx, u, in, birth, hired, idn, ph); err != nil {
				return err
			}
		} else {
			if _, err := s.workerIn(ctx, tx, actor.Scope(PermWrite), id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE workers SET unit_id = ?, unit_path = ?, name = ?, gender = ?, birth_date = ?, position = ?, education = ?,
				pay_step = ?, hired_on = ?, updated_at = ? WHERE id = ?`, u.ID, u.Path, in.Name, in.Gender, birth, in.Position, in.Education, in.PayStep, hired, now, id); err != nil {
				return apperr.Wrap(err)
			}
			if idn.text != "" {
				if _, err := tx.Exec(ctx, `UPDATE workers SET id_number_sealed = ?, id_number_index = ?, id_number_masked = ? WHERE id = ?`, idn.text, idn.index, idn.masked, id); err != nil {
					return apperr.Wrap(err)
				}
			}
			if ph.text != "" {
				if _, err := tx.Exec(ctx, `UPDATE workers SET phone_sealed = ?, phone_index = ?, phone_masked = ? WHERE id = ?`, ph.text, ph.index, ph.masked, id); err != nil {
					return apperr.Wrap(err)
				}
			}
		}
		if out, err = s.workerIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry(action, "worker", fmt.Sprint(id), map[string]any{"unit_id": u.ID, "name": in.Name, "position": in.Position}))
	})
	return out, err
}

func (s *Store) insertWorker(ctx context.Context, tx *db.Tx, u *org.Unit, in WorkerInput, birth, hired date.Date, idn, ph sealed) (int64, error) {
	now := s.now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO workers (unit_id, unit_path, name, gender, birth_date, id_number_sealed, id_number_index, id_number_masked,
		phone_sealed, phone_index, phone_masked, position, education, pay_step, hired_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.ID, u.Path, in.Name, in.Gender, birth, idn.text, idn.index, idn.masked, ph.text, ph.index, ph.masked,
		in.Position, in.Education, in.PayStep, hired, now, now).Scan(&id)
	return id, apperr.Wrap(err)
}

const staffCols = `g.id, g.grid_id, u.name, g.unit_path, g.role, g.kind, g.name, g.phone_masked, COALESCE(g.worker_id, 0),
	COALESCE(g.resident_id, 0), COALESCE(g.user_id, 0), g.since`

func scanStaff(sc interface{ Scan(...any) error }) (*GridStaff, error) {
	g := &GridStaff{}
	return g, sc.Scan(&g.ID, &g.GridID, &g.GridName, &g.UnitPath, &g.Role, &g.Kind, &g.Name, &g.Phone, &g.WorkerID, &g.ResidentID, &g.UserID, &g.Since)
}

// StaffFilter selects grid staff.
type StaffFilter struct {
	UnderID int64
	Role    string
	Limit   int
	Offset  int
}

// ListGridStaff returns a page of grid staff the actor may see, with the
// buildings each looks after, and the total.
func (s *Store) ListGridStaff(ctx context.Context, actor *auth.Actor, f StaffFilter) ([]GridStaff, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("g.unit_path")
	if f.UnderID != 0 {
		u, err := s.Orgs.UnitIn(ctx, s.db, scope, f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := db.PrefixRange(u.Path)
		where += " AND g.unit_path >= ? AND g.unit_path < ?"
		args = append(args, lo, hi)
	}
	if f.Role != "" {
		if !StaffRoles.Has(f.Role) {
			return nil, 0, apperr.FieldInvalid("role", "field.bad_choice")
		}
		where += " AND g.role = ?"
		args = append(args, f.Role)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM grid_staff g WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+staffCols+` FROM grid_staff g JOIN units u ON u.id = g.grid_id WHERE `+where+
		` ORDER BY u.code, CASE g.role WHEN 'instructor' THEN 0 WHEN 'leader' THEN 1 ELSE 2 END, g.name, g.id LIMIT `+
		strconv.Itoa(clampLimit(f.Limit))+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	var out []GridStaff
	idx := map[int64]int{}
	for rows.Next() {
		g, err := scanStaff(rows)
		if err != nil {
			rows.Close()
			return nil, 0, apperr.Wrap(err)
		}
		idx[g.ID] = len(out)
		out = append(out, *g)
	}
	rows.Close()
	if len(out) > 0 {
		ids := make([]any, 0, len(out))
		for _, g := range out {
			ids = append(ids, g.ID)
		}
		brows, err := s.db.Query(ctx, `SELECT staff_id, building_id FROM grid_staff_buildings WHERE staff_id IN (`+db.Placeholders(len(ids))+`) ORDER BY building_id`, ids...)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		for brows.Next() {
			var sid, bid int64
			if err := brows.Scan(&sid, &bid); err != nil {
				brows.Close()
				return nil, 0, apperr.Wrap(err)
			}
			out[idx[sid]].Buildings = append(out[idx[sid]].Buildings, bid)
		}
		brows.Close()
	}
	return out, total, nil
}

// SaveGridStaff creates (id 0) or replaces one of a grid's staff. The
// buildings they look after must lie in the grid.
func (s *Store) SaveGridStaff(ctx context.Context, actor *auth.Actor, id int64, in GridStaffInput) (*GridStaff, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	since, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out *GridStaff
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		grid, err := s.writableUnit(ctx, tx, actor, "grid_id", in.GridID, org.Grid)
		if err != nil {
			return err
		}
		if err := s.checkStaffBuildings(ctx, tx, grid, in.Buildings); err != nil {
			return err
		}
		ph, err := s.seal("grid_staff.phone_sealed", "phone", in.Phone, pii.MaskPhone)
		if err != nil {
			return apperr.Wrap(err)
		}
		action := "grid_staff.update"
		if id == 0 {
			action = "grid_staff.create"
			if id, err = s.insertStaff(ctx, tx, grid, in, since, ph); err != nil {
				return err
			}
		} else {
			if _, err := s.staffIn(ctx, tx, actor.Scope(PermWrite), id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE grid_staff SET grid_id = ?, unit_path = ?, role = ?, kind = ?, name = ?, worker_id = ?, resident_id = ?, user_id = ?,
				since = ?, updated_at = ? WHERE id = ?`, grid.ID, grid.Path, in.Role, in.Kind, in.Name, nullID(in.WorkerID), nullID(in.ResidentID), nullID(in.UserID),
				since, s.now(), id); err != nil {
				return apperr.Wrap(err)
			}
			if ph.text != "" {
				if _, err := tx.Exec(ctx, `UPDATE grid_staff SET phone_sealed = ?, phone_index = ?, phone_masked = ? WHERE id = ?`, ph.text, ph.index, ph.masked, id); err != nil {
					return apperr.Wrap(err)
				}
			}
			if _, err := tx.Exec(ctx, `DELETE FROM grid_staff_buildings WHERE staff_id = ?`, id); err != nil {
				return apperr.Wrap(err)
			}
			if err := s.insertStaffBuildings(ctx, tx, id, in.Buildings); err != nil {
				return err
			}
		}
		if out, err = s.staffIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry(action, "grid_staff", fmt.Sprint(id), map[string]any{"grid_id": grid.ID, "role": in.Role, "name": in.Name}))
	})
	return out, err
}

func (s *Store) checkStaffBuildings(ctx context.Context, q db.Querier, grid *org.Unit, buildings []int64) error {
	if len(buildings) == 0 {
		return nil
	}
	units, err := s.Orgs.UnitsByID(ctx, q, buildings)
	if err != nil {
		return apperr.Wrap(err)
	}
	for _, b := range buildings {
		u, ok := units[b]
		if !ok || u.Type != string(org.Building) || !strings.HasPrefix(u.Path, grid.Path) {
			return apperr.FieldInvalid("buildings", "people.building_not_in_grid")
		}
	}
	return nil
}

func (s *Store) insertStaff(ctx context.Context, tx *db.Tx, grid *org.Unit, in GridStaffInput, since date.Date, ph sealed) (int64, error) {
	now := s.now()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO grid_staff (grid_id, unit_path, role, kind, name, phone_sealed, phone_index, phone_masked, worker_id, resident_id, user_id, since, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		grid.ID, grid.Path, in.Role, in.Kind, in.Name, ph.text, ph.index, ph.masked, nullID(in.WorkerID), nullID(in.ResidentID), nullID(in.UserID), since, now, now).Scan(&id); err != nil {
		return 0, apperr.Wrap(err)
	}
	return id, s.insertStaffBuildings(ctx, tx, id, in.Buildings)
}

func (s *Store) insertStaffBuildings(ctx context.Context, tx *db.Tx, id int64, buildings []int64) error {
	for _, b := range buildings {
		if _, err := tx.Exec(ctx, `INSERT INTO grid_staff_buildings (staff_id, building_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, b); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}

func (s *Store) staffIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*GridStaff, error) {
	where, args := scope.Where("g.unit_path")
	g, err := scanStaff(q.QueryRow(ctx, `SELECT `+staffCols+` FROM grid_staff g JOIN units u ON u.id = g.grid_id WHERE g.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("网格人员")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	rows, err := q.Query(ctx, `SELECT building_id FROM grid_staff_buildings WHERE staff_id = ? ORDER BY building_id`, id)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			return nil, apperr.Wrap(err)
		}
		g.Buildings = append(g.Buildings, b)
	}
	return g, apperr.Wrap(rows.Err())
}

// GridStaffMember returns one of a grid's staff, with their buildings.
func (s *Store) GridStaffMember(ctx context.Context, actor *auth.Actor, id int64) (*GridStaff, error) {
	return s.staffIn(ctx, s.db, actor.Scope(PermRead), id)
}

// DeleteGridStaff removes one of a grid's staff.
func (s *Store) DeleteGridStaff(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		g, err := s.staffIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM grid_staff WHERE id = ?`, id); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("grid_staff.delete", "grid_staff", fmt.Sprint(id), map[string]any{"grid_id": g.GridID, "name": g.Name}))
	})
}

// Overview is the people figures within an actor's scope.
type Overview struct {
	Residents           int
	Households          int
	PartyMembers        int
	GridMembers         int
	GridInstructors     int
	GridLeaders         int
	InServiceReported   int
	Secretaries         int
	SecretaryAvgAge     float64
	SecretaryCollegePct float64
}

// Overview counts people in the actor's scope. Ages are as of today.
func (s *Store) Overview(ctx context.Context, actor *auth.Actor) (*Overview, error) {
	scope := actor.Scope(PermRead)
	o := &Overview{}
	counts := []struct {
		dst   *int
		query string
		col   string
	}{
		{&o.Residents, `SELECT COUNT(*) FROM residents WHERE status = 'living' AND `, "unit_path"},
		{&o.Households, `SELECT COUNT(*) FROM households WHERE status = 'active' AND `, "unit_path"},
		{&o.PartyMembers, `SELECT COUNT(*) FROM party_members m JOIN residents r ON r.id = m.resident_id WHERE r.status = 'living' AND `, "m.unit_path"},
		{&o.GridMembers, `SELECT COUNT(*) FROM grid_staff WHERE role = 'member' AND `, "unit_path"},
		{&o.GridInstructors, `SELECT COUNT(*) FROM grid_staff WHERE role = 'instructor' AND `, "unit_path"},
		{&o.GridLeaders, `SELECT COUNT(*) FROM grid_staff WHERE role = 'leader' AND `, "unit_path"},
		{&o.InServiceReported, `SELECT COUNT(DISTINCT sr.party_member_id) FROM service_registrations sr JOIN party_members m ON m.id = sr.party_member_id
			JOIN residents r ON r.id = m.resident_id WHERE sr.ended_on IS NULL AND m.in_service AND r.status = 'living' AND `, "sr.unit_path"},
	}
	for _, c := range counts {
		where, args := scope.Where(c.col)
		if err := s.db.QueryRow(ctx, c.query+where, args...).Scan(c.dst); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	where, args := scope.Where("w.unit_path")
	rows, err := s.db.Query(ctx, `SELECT w.birth_date, w.education FROM workers w JOIN units u ON u.id = w.unit_id
		WHERE w.position = 'party_secretary' AND u.type = 'community' AND `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	today := s.today()
	var ages, aged, college int
	for rows.Next() {
		var birth date.Date
		var edu string
		if err := rows.Scan(&birth, &edu); err != nil {
			return nil, apperr.Wrap(err)
		}
		o.Secretaries++
		if birth != "" {
			ages += birth.YearsBetween(today)
			aged++
		}
		for _, c := range CollegeOrAbove {
			if edu == c {
				college++
			}
		}
	}
	if aged > 0 {
		o.SecretaryAvgAge = float64(ages) / float64(aged)
	}
	if o.Secretaries > 0 {
		o.SecretaryCollegePct = 100 * float64(college) / float64(o.Secretaries)
	}
	return o, apperr.Wrap(rows.Err())
}
