package org

import (
	"context"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// Overview is the org figures within an actor's scope, counted from rows.
type Overview struct {
	Units           map[UnitType]int
	PartyOrgs       int                  // grassroots organisations of the eight types
	PartyOrgsByType map[PartyOrgType]int // by checklist type, every type present
	PartyStructure  map[PartyOrgType]int // the ones counted apart
	CoBuildingUnits int
	Agreements      int
	PartTimeMembers int
}

// Overview counts the actor's part of the tree.
func (s *Store) Overview(ctx context.Context, actor *auth.Actor) (*Overview, error) {
	where, args := actor.Scope(PermRead).Where("u.path")
	o := &Overview{Units: map[UnitType]int{}, PartyOrgsByType: map[PartyOrgType]int{}, PartyStructure: map[PartyOrgType]int{}}
	for _, t := range ChecklistTypes {
		o.PartyOrgsByType[t] = 0
	}
	for _, t := range []PartyOrgType{DistrictCommittee, StreetWorkingCommittee, GridGroup} {
		o.PartyStructure[t] = 0
	}
	if err := eachCount(ctx, s.db, `SELECT u.type, COUNT(*) FROM units u WHERE `+where+` GROUP BY u.type`, args, func(k string, n int) {
		o.Units[UnitType(k)] = n
	}); err != nil {
		return nil, err
	}
	if err := eachCount(ctx, s.db, `SELECT p.type, COUNT(*) FROM party_orgs p JOIN units u ON u.id = p.unit_id WHERE `+where+` GROUP BY p.type`, args, func(k string, n int) {
		t := PartyOrgType(k)
		if c, ok := t.Checklist(); ok {
			o.PartyOrgsByType[c] += n
			o.PartyOrgs += n
		} else {
			o.PartyStructure[t] += n
		}
	}); err != nil {
		return nil, err
	}
	counts := []struct {
		dst   *int
		query string
	}{
		{&o.CoBuildingUnits, `SELECT COUNT(*) FROM co_building_units c JOIN units u ON u.id = c.community_id WHERE `},
		{&o.Agreements, `SELECT COUNT(*) FROM co_building_agreements a JOIN units u ON u.id = a.community_id WHERE `},
		{&o.PartTimeMembers, `SELECT COUNT(*) FROM part_time_members m JOIN units u ON u.id = m.street_id WHERE `},
	}
	for _, c := range counts {
		if err := s.db.QueryRow(ctx, c.query+where, args...).Scan(c.dst); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	return o, nil
}

func eachCount(ctx context.Context, q db.Querier, query string, args []any, fn func(string, int)) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return apperr.Wrap(err)
		}
		fn(k, n)
	}
	return apperr.Wrap(rows.Err())
}

// StreetFigures are one street's counts, for the home page's chart.
type StreetFigures struct {
	Street      Unit
	Communities int
	Grids       int
	PartyOrgs   int
}

// StreetBreakdown counts communities, grids and grassroots party
// organisations per street in the actor's scope. Each count is an index
// range over the street's subtree, sent together in one query.
func (s *Store) StreetBreakdown(ctx context.Context, actor *auth.Actor) ([]StreetFigures, error) {
	streets, _, err := s.ListUnits(ctx, actor, UnitFilter{Type: Street, Limit: 200})
	if err != nil || len(streets) == 0 {
		return nil, err
	}
	var parts []string
	var args []any
	var counted []any
	for _, t := range PartyOrgTypes {
		if _, ok := t.Checklist(); ok {
			counted = append(counted, string(t))
		}
	}
	for i, st := range streets {
		lo, hi := db.PrefixRange(st.Path)
		parts = append(parts,
			`SELECT CAST(? AS INTEGER), 'community', COUNT(*) FROM units WHERE type = 'community' AND path >= ? AND path < ?`,
			`SELECT CAST(? AS INTEGER), 'grid', COUNT(*) FROM units WHERE type = 'grid' AND path >= ? AND path < ?`,
			`SELECT CAST(? AS INTEGER), 'party', COUNT(*) FROM party_orgs p JOIN units u ON u.id = p.unit_id WHERE u.path >= ? AND u.path < ? AND p.type IN (`+db.Placeholders(len(counted))+`)`)
		args = append(args, i, lo, hi, i, lo, hi, i, lo, hi)
		args = append(args, counted...)
	}
	out := make([]StreetFigures, len(streets))
	for i, st := range streets {
		out[i].Street = st
	}
	rows, err := s.db.Query(ctx, strings.Join(parts, " UNION ALL "), args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var i, n int
		var kind string
		if err := rows.Scan(&i, &kind, &n); err != nil {
			return nil, apperr.Wrap(err)
		}
		switch kind {
		case "community":
			out[i].Communities = n
		case "grid":
			out[i].Grids = n
		case "party":
			out[i].PartyOrgs = n
		}
	}
	return out, apperr.Wrap(rows.Err())
}
