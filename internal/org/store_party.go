package org

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

const partyOrgWord = "党组织"

const partyOrgCols = `p.id, p.unit_id, COALESCE(p.parent_id, 0), p.type, p.name, p.secretary, p.founded_on, p.member_count,
	p.created_at, p.updated_at, u.name, u.code, u.path, COALESCE(pp.name, '')`

const partyOrgFrom = ` FROM party_orgs p JOIN units u ON u.id = p.unit_id LEFT JOIN party_orgs pp ON pp.id = p.parent_id`

func scanPartyOrg(sc interface{ Scan(...any) error }) (*PartyOrg, error) {
	p := &PartyOrg{}
	err := sc.Scan(&p.ID, &p.UnitID, &p.ParentID, &p.Type, &p.Name, &p.Secretary, &p.FoundedOn, &p.MemberCount,
		&p.CreatedAt, &p.UpdatedAt, &p.UnitName, &p.UnitCode, &p.UnitPath, &p.ParentName)
	return p, err
}

func (s *Store) partyOrgIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*PartyOrg, error) {
	where, args := scope.Where("u.path")
	p, err := scanPartyOrg(q.QueryRow(ctx, `SELECT `+partyOrgCols+partyOrgFrom+` WHERE p.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(partyOrgWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return p, nil
}

// PartyOrg returns a party organisation the actor may read.
func (s *Store) PartyOrg(ctx context.Context, actor *auth.Actor, id int64) (*PartyOrg, error) {
	return s.partyOrgIn(ctx, s.db, actor.Scope(PermRead), id)
}

// PartyOrgFilter selects party organisations.
type PartyOrgFilter struct {
	Type      PartyOrgType
	Checklist PartyOrgType // one of the eight: the organisations held to it
	UnderID   int64        // at this unit or below
	UnitID    int64        // at exactly this unit
	Query     string
	Sort      string // "name" (default), "type", "unit", "members"
	Desc      bool
	Limit     int
	Offset    int
}

// ListPartyOrgs returns one page of the party organisations the actor may
// read that match f, and how many match in all.
func (s *Store) ListPartyOrgs(ctx context.Context, actor *auth.Actor, f PartyOrgFilter) ([]PartyOrg, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("u.path")
	if f.Type != "" {
		where += " AND p.type = ?"
		args = append(args, string(f.Type))
	}
	if f.Checklist != "" {
		var types []any
		for _, t := range PartyOrgTypes {
			if c, ok := t.Checklist(); ok && c == f.Checklist {
				types = append(types, string(t))
			}
		}
		if len(types) == 0 {
			return nil, 0, apperr.FieldInvalid("checklist", "field.bad_choice")
		}
		where += " AND p.type IN (" + db.Placeholders(len(types)) + ")"
		args = append(args, types...)
	}
	if f.UnitID != 0 {
		where += " AND p.unit_id = ?"
		args = append(args, f.UnitID)
	}
	if f.UnderID != 0 {
		under, err := s.unitIn(ctx, s.db, scope, f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := db.PrefixRange(under.Path)
		where += " AND u.path >= ? AND u.path < ?"
		args = append(args, lo, hi)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := db.ILike(s.db.Engine())
		where += " AND (p.name " + like + ` ? ESCAPE '\' OR p.secretary ` + like + ` ? ESCAPE '\')`
		args = append(args, "%"+db.LikeEscape(q)+"%", "%"+db.LikeEscape(q)+"%")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+partyOrgFrom+` WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := map[string]string{"type": "p.type", "unit": "u.code", "members": "p.member_count", "founded": "p.founded_on"}[f.Sort]
	if order == "" {
		order = "u.code, p.type"
	}
	if f.Desc {
		order = strings.ReplaceAll(order, ",", " DESC,") + " DESC"
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	rows, err := s.db.Query(ctx, `SELECT `+partyOrgCols+partyOrgFrom+` WHERE `+where+` ORDER BY `+order+`, p.id LIMIT `+
		strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []PartyOrg
	for rows.Next() {
		p, err := scanPartyOrg(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		out = append(out, *p)
	}
	return out, total, apperr.Wrap(rows.Err())
}

// checkPartyOrg checks the unit and parent of a party organisation being
// written, in the actor's scope; self is the organisation's own id (0 when
// new), which its parent chain must not pass through.
func (s *Store) checkPartyOrg(ctx context.Context, tx *db.Tx, actor *auth.Actor, in *PartyOrgInput, self int64) (*Unit, error) {
	scope := actor.Scope(PermWrite)
	unit, err := s.unitIn(ctx, tx, scope, in.UnitID)
	if apperr.IsFault(err) {
		return nil, err
	}
	if err != nil {
		unit = nil
	}
	founded, verr := in.validate(unit)
	var f apperr.Fields
	if unit == nil {
		f.Add("unit_id", "org.unit_not_found")
	}
	if in.ParentID != 0 && unit != nil {
		parent, err := s.partyOrgIn(ctx, tx, actor.Scope(PermRead), in.ParentID)
		switch {
		case apperr.IsFault(err):
			return nil, err
		case err != nil:
			f.Add("parent_id", "org.party_parent_not_found")
		case !strings.HasPrefix(unit.Path, parent.UnitPath):
			f.Add("parent_id", "org.party_parent_above")
		default:
			// Walk up from the parent: meeting self would make a cycle.
			for id := parent.ID; id != 0; {
				if id == self {
					f.Add("parent_id", "org.party_parent_cycle")
					break
				}
				if err := tx.QueryRow(ctx, `SELECT COALESCE(parent_id, 0) FROM party_orgs WHERE id = ?`, id).Scan(&id); err != nil {
					return nil, apperr.Wrap(err)
				}
			}
		}
	}
	if verr != nil {
		for k, m := range apperr.As(verr).Fields {
			f.Add(k, m.Key, m.Args...)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	in.FoundedOn = string(founded)
	return unit, nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// CreatePartyOrg adds a party organisation at a unit in the actor's scope.
func (s *Store) CreatePartyOrg(ctx context.Context, actor *auth.Actor, in PartyOrgInput) (*PartyOrg, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var out *PartyOrg
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.checkPartyOrg(ctx, tx, actor, &in, 0); err != nil {
			return err
		}
		id, err := s.insertPartyOrg(ctx, tx, in)
		if err != nil {
			return err
		}
		if out, err = s.partyOrgIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("party_org.create", "party_org", fmt.Sprint(id),
			map[string]any{"type": in.Type, "name": in.Name, "unit_id": in.UnitID}))
	})
	return out, err
}

func (s *Store) insertPartyOrg(ctx context.Context, tx *db.Tx, in PartyOrgInput) (int64, error) {
	now := s.now()
	var founded any
	if in.FoundedOn != "" {
		founded = in.FoundedOn
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO party_orgs (unit_id, parent_id, type, name, secretary, founded_on, member_count, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.UnitID, nullID(in.ParentID), string(in.Type), in.Name, in.Secretary, founded, in.MemberCount, now, now).Scan(&id)
	return id, apperr.Wrap(err)
}

// UpdatePartyOrg replaces a party organisation's fields.
func (s *Store) UpdatePartyOrg(ctx context.Context, actor *auth.Actor, id int64, in PartyOrgInput) (*PartyOrg, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var out *PartyOrg
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.partyOrgIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if _, err := s.checkPartyOrg(ctx, tx, actor, &in, id); err != nil {
			return err
		}
		var founded any
		if in.FoundedOn != "" {
			founded = in.FoundedOn
		}
		if _, err := tx.Exec(ctx, `UPDATE party_orgs SET unit_id = ?, parent_id = ?, type = ?, name = ?, secretary = ?, founded_on = ?, member_count = ?, updated_at = ?
			WHERE id = ?`, in.UnitID, nullID(in.ParentID), string(in.Type), in.Name, in.Secretary, founded, in.MemberCount, s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.partyOrgIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("party_org.update", "party_org", fmt.Sprint(id), changes(
			"name", before.Name, out.Name, "type", before.Type, out.Type, "unit_id", before.UnitID, out.UnitID,
			"parent_id", before.ParentID, out.ParentID, "secretary", before.Secretary, out.Secretary,
			"founded_on", before.FoundedOn, out.FoundedOn, "member_count", before.MemberCount, out.MemberCount)))
	})
	return out, err
}

// DeletePartyOrg removes a party organisation that has none below it.
func (s *Store) DeletePartyOrg(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		p, err := s.partyOrgIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM party_orgs WHERE parent_id = ?`, id).Scan(&n); err != nil {
			return apperr.Wrap(err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "org.in_use", n, i18n.M("org.in_use.party_children"))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM party_orgs WHERE id = ?`, id); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.New(apperr.Conflict, "org.in_use_other")
			}
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("party_org.delete", "party_org", fmt.Sprint(id),
			map[string]any{"type": p.Type, "name": p.Name, "unit_id": p.UnitID}))
	})
}
