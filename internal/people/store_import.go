package people

// The SQL of imports: the look-ups an import's checks need, done in
// batches, and the imports table that keeps uploaded files, their progress
// and their reports.

import (
	"context"
	"strconv"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// batchSize is how many values one IN (...) list carries.
const batchSize = 500

// inBatches calls fn with successive slices of at most batchSize values.
func inBatches[T any](values []T, fn func(args []any) error) error {
	for start := 0; start < len(values); start += batchSize {
		chunk := values[start:min(start+batchSize, len(values))]
		args := make([]any, len(chunk))
		for i, v := range chunk {
			args[i] = v
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// unitsByCode looks units up by code, whatever the scope (the caller
// checks it, to say which codes are outside the importer's area).
func (s *Store) unitsByCode(ctx context.Context, q db.Querier, codes []string) (map[string]*org.Unit, error) {
	out := make(map[string]*org.Unit, len(codes))
	err := inBatches(codes, func(args []any) error {
		rows, err := q.Query(ctx, `SELECT id, COALESCE(parent_id, 0), type, code, name, path FROM units WHERE code IN (`+db.Placeholders(len(args))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u := &org.Unit{}
			if err := rows.Scan(&u.ID, &u.ParentID, &u.Type, &u.Code, &u.Name, &u.Path); err != nil {
				return err
			}
			out[u.Code] = u
		}
		return rows.Err()
	})
	return out, apperr.Wrap(err)
}

// existingIndexes returns those of the blind indexes that a table's column
// already holds.
func (s *Store) existingIndexes(ctx context.Context, table, column string, indexes []string, progress func(done int)) ([]string, error) {
	var found []string
	done := 0
	err := inBatches(indexes, func(args []any) error {
		rows, err := s.db.Query(ctx, `SELECT DISTINCT `+column+` FROM `+table+` WHERE `+column+` IN (`+db.Placeholders(len(args))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var idx string
			if err := rows.Scan(&idx); err != nil {
				return err
			}
			found = append(found, idx)
		}
		done += len(args)
		progress(done)
		return rows.Err()
	})
	return found, apperr.Wrap(err)
}

// activeHouseholds maps (building, room) to the first active household
// there, for the buildings given.
func (s *Store) activeHouseholds(ctx context.Context, q db.Querier, buildings []int64) (map[householdKey]int64, error) {
	out := map[householdKey]int64{}
	err := inBatches(buildings, func(args []any) error {
		rows, err := q.Query(ctx, `SELECT id, building_id, room FROM households WHERE status = 'active' AND building_id IN (`+
			db.Placeholders(len(args))+`) ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var k householdKey
			if err := rows.Scan(&id, &k.building, &k.room); err != nil {
				return err
			}
			if _, ok := out[k]; !ok {
				out[k] = id
			}
		}
		return rows.Err()
	})
	return out, apperr.Wrap(err)
}

// residentRef is what a party member import needs of a resident.
type residentRef struct {
	id     int64
	name   string
	path   string
	status string
}

// residentsByIndex finds residents by the blind index of their identity
// number, whatever the scope (the caller checks it).
func (s *Store) residentsByIndex(ctx context.Context, indexes []string) (map[string]residentRef, error) {
	out := map[string]residentRef{}
	err := inBatches(indexes, func(args []any) error {
		rows, err := s.db.Query(ctx, `SELECT id_number_index, id, name, unit_path, status FROM residents WHERE id_number_index IN (`+
			db.Placeholders(len(args))+`) ORDER BY id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var idx string
			var r residentRef
			if err := rows.Scan(&idx, &r.id, &r.name, &r.path, &r.status); err != nil {
				return err
			}
			if _, ok := out[idx]; !ok {
				out[idx] = r
			}
		}
		return rows.Err()
	})
	return out, apperr.Wrap(err)
}

// existingMembers returns those of the residents who are party members already.
func (s *Store) existingMembers(ctx context.Context, residentIDs []int64) ([]int64, error) {
	var out []int64
	err := inBatches(residentIDs, func(args []any) error {
		rows, err := s.db.Query(ctx, `SELECT resident_id FROM party_members WHERE resident_id IN (`+db.Placeholders(len(args))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, apperr.Wrap(err)
}

// partyOrgsIn indexes the party organisations the actor may see.
func (s *Store) partyOrgsIn(ctx context.Context, actor *auth.Actor) (*partyOrgIndex, error) {
	where, args := actor.Scope(org.PermRead).Where("u.path")
	rows, err := s.db.Query(ctx, `SELECT po.id, po.name, u.code, u.path FROM party_orgs po JOIN units u ON u.id = po.unit_id WHERE `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	x := &partyOrgIndex{byName: map[string][]partyOrgRef{}, byCode: map[string][]partyOrgRef{}}
	for rows.Next() {
		var r partyOrgRef
		var code string
		if err := rows.Scan(&r.id, &r.name, &code, &r.path); err != nil {
			return nil, apperr.Wrap(err)
		}
		x.byName[r.name] = append(x.byName[r.name], r)
		x.byCode[code] = append(x.byCode[code], r)
	}
	return x, apperr.Wrap(rows.Err())
}

// staffKeys returns the keys (staffKey) of the staff of the grids given.
func (s *Store) staffKeys(ctx context.Context, grids []int64) (map[string]bool, error) {
	out := map[string]bool{}
	err := inBatches(grids, func(args []any) error {
		rows, err := s.db.Query(ctx, `SELECT grid_id, name, phone_index, role FROM grid_staff WHERE grid_id IN (`+db.Placeholders(len(args))+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var grid int64
			var name, phone, role string
			if err := rows.Scan(&grid, &name, &phone, &role); err != nil {
				return err
			}
			out[staffKey(strconv.FormatInt(grid, 10), name, phone, role)] = true
		}
		return rows.Err()
	})
	return out, apperr.Wrap(err)
}
