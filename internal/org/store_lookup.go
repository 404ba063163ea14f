package org

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// UnitsOfType lists the units of type t in scope, below the unit at under
// (anywhere, if under is ""), by code, at most limit of them (0: all).
// Other modules ask it for the grids to report in, the grids to count
// figures over and the departments to send work to.
func (s *Store) UnitsOfType(ctx context.Context, scope auth.Scope, t UnitType, under string, limit int) ([]Unit, error) {
	where, args := scope.Where("u.path")
	if under != "" {
		lo, hi := db.PrefixRange(under)
		where += " AND u.path >= ? AND u.path < ?"
		args = append(args, lo, hi)
	}
	query := `SELECT ` + unitCols + ` FROM units u WHERE u.type = ? AND ` + where + ` ORDER BY u.code`
	if limit > 0 {
		query += ` LIMIT ` + strconv.Itoa(limit)
	}
	rows, err := s.db.Query(ctx, query, append([]any{string(t)}, args...)...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, *u)
	}
	return out, apperr.Wrap(rows.Err())
}

// Departments lists the district's functional departments by code.
func (s *Store) Departments(ctx context.Context) ([]Unit, error) {
	return s.UnitsOfType(ctx, auth.Scope{All: true}, Department, "", 0)
}

// Boundary returns the GeoJSON boundary of the unit id ("" if it has none
// or there is no such unit), for a map around a record placed in it.
func (s *Store) Boundary(ctx context.Context, id int64) (string, error) {
	var b string
	err := s.db.QueryRow(ctx, `SELECT COALESCE(boundary, '') FROM units WHERE id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return b, apperr.Wrap(err)
}

// Units looks units up by id without a scope, outside any transaction;
// a unit not found is left out.
func (s *Store) Units(ctx context.Context, ids []int64) (map[int64]auth.UnitRef, error) {
	m, err := s.UnitsByID(ctx, s.db, ids)
	return m, apperr.Wrap(err)
}
