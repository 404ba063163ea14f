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

const coBuildingWord = "共驻共建单位"

const coBuildingCols = `c.id, c.community_id, c.name, c.kind, c.address, c.contact, c.created_at, c.updated_at, u.name, u.path`
const coBuildingFrom = ` FROM co_building_units c JOIN units u ON u.id = c.community_id`

func scanCoBuilding(sc interface{ Scan(...any) error }) (*CoBuildingUnit, error) {
	c := &CoBuildingUnit{}
	err := sc.Scan(&c.ID, &c.CommunityID, &c.Name, &c.Kind, &c.Address, &c.Contact, &c.CreatedAt, &c.UpdatedAt, &c.CommunityName, &c.CommunityPath)
	return c, err
}

func (s *Store) coBuildingIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*CoBuildingUnit, error) {
	where, args := scope.Where("u.path")
	c, err := scanCoBuilding(q.QueryRow(ctx, `SELECT `+coBuildingCols+coBuildingFrom+` WHERE c.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(coBuildingWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	c.Agreements, err = s.agreements(ctx, q, id)
	return c, err
}

func (s *Store) agreements(ctx context.Context, q db.Querier, unitID int64) ([]Agreement, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.co_building_unit_id, a.community_id, a.signed_on, a.expires_on, a.content, u.name
		FROM co_building_agreements a JOIN units u ON u.id = a.community_id WHERE a.co_building_unit_id = ? ORDER BY a.signed_on DESC, a.id`, unitID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Agreement
	for rows.Next() {
		var a Agreement
		if err := rows.Scan(&a.ID, &a.UnitID, &a.CommunityID, &a.SignedOn, &a.ExpiresOn, &a.Content, &a.CommunityName); err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, a)
	}
	return out, apperr.Wrap(rows.Err())
}

// CoBuildingUnit returns a co-building unit, with its agreements.
func (s *Store) CoBuildingUnit(ctx context.Context, actor *auth.Actor, id int64) (*CoBuildingUnit, error) {
	return s.coBuildingIn(ctx, s.db, actor.Scope(PermRead), id)
}

// CoBuildingFilter selects co-building units.
type CoBuildingFilter struct {
	Kind    CoBuildingKind
	UnderID int64
	Query   string
	Sort    string // "name" (default), "kind", "community"
	Desc    bool
	Limit   int
	Offset  int
}

// ListCoBuildingUnits returns a page of co-building units the actor may
// read, with the number of agreements each has, and the total.
func (s *Store) ListCoBuildingUnits(ctx context.Context, actor *auth.Actor, f CoBuildingFilter) ([]CoBuildingUnit, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("u.path")
	if f.Kind != "" {
		where += " AND c.kind = ?"
		args = append(args, string(f.Kind))
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
		where += " AND c.name " + db.ILike(s.db.Engine()) + ` ? ESCAPE '\'`
		args = append(args, "%"+db.LikeEscape(q)+"%")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+coBuildingFrom+` WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := map[string]string{"kind": "c.kind", "community": "u.code"}[f.Sort]
	if order == "" {
		order = "c.name"
	}
	if f.Desc {
		order += " DESC"
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	rows, err := s.db.Query(ctx, `SELECT `+coBuildingCols+coBuildingFrom+` WHERE `+where+` ORDER BY `+order+`, c.id LIMIT `+
		strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	var out []CoBuildingUnit
	for rows.Next() {
		c, err := scanCoBuilding(rows)
		if err != nil {
			rows.Close()
			return nil, 0, apperr.Wrap(err)
		}
		out = append(out, *c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	for i := range out {
		if out[i].Agreements, err = s.agreements(ctx, s.db, out[i].ID); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

func (s *Store) communityForWrite(ctx context.Context, q db.Querier, actor *auth.Actor, field string, id int64) (*Unit, error) {
	u, err := s.unitIn(ctx, q, actor.Scope(PermWrite), id)
	if err != nil || u.Type != Community {
		return nil, apperr.Reword(err, apperr.FieldInvalid(field, "org.community_not_found"))
	}
	return u, nil
}

// CreateCoBuildingUnit registers a co-building unit with a community in the
// actor's scope.
func (s *Store) CreateCoBuildingUnit(ctx context.Context, actor *auth.Actor, in CoBuildingInput) (*CoBuildingUnit, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *CoBuildingUnit
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.communityForWrite(ctx, tx, actor, "community_id", in.CommunityID); err != nil {
			return err
		}
		id, err := s.insertCoBuilding(ctx, tx, in)
		if err != nil {
			return err
		}
		if out, err = s.coBuildingIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("co_building.create", "co_building_unit", fmt.Sprint(id),
			map[string]any{"name": in.Name, "kind": in.Kind, "community_id": in.CommunityID}))
	})
	return out, err
}

func (s *Store) insertCoBuilding(ctx context.Context, tx *db.Tx, in CoBuildingInput) (int64, error) {
	now := s.now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO co_building_units (community_id, name, kind, address, contact, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.CommunityID, in.Name, string(in.Kind), in.Address, in.Contact, now, now).Scan(&id)
	return id, apperr.Wrap(err)
}

// UpdateCoBuildingUnit replaces a co-building unit's fields.
func (s *Store) UpdateCoBuildingUnit(ctx context.Context, actor *auth.Actor, id int64, in CoBuildingInput) (*CoBuildingUnit, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *CoBuildingUnit
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.coBuildingIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if _, err := s.communityForWrite(ctx, tx, actor, "community_id", in.CommunityID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE co_building_units SET community_id = ?, name = ?, kind = ?, address = ?, contact = ?, updated_at = ? WHERE id = ?`,
			in.CommunityID, in.Name, string(in.Kind), in.Address, in.Contact, s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.coBuildingIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("co_building.update", "co_building_unit", fmt.Sprint(id), changes(
			"name", before.Name, out.Name, "kind", before.Kind, out.Kind, "community_id", before.CommunityID, out.CommunityID,
			"address", before.Address, out.Address, "contact", before.Contact, out.Contact)))
	})
	return out, err
}

// DeleteCoBuildingUnit removes a co-building unit and its agreements; one
// that still sends a part-time member cannot go.
func (s *Store) DeleteCoBuildingUnit(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		c, err := s.coBuildingIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM part_time_members WHERE co_building_unit_id = ?`, id).Scan(&n); err != nil {
			return apperr.Wrap(err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "org.in_use", n, i18n.M("org.in_use.part_time"))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM co_building_units WHERE id = ?`, id); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("co_building.delete", "co_building_unit", fmt.Sprint(id),
			map[string]any{"name": c.Name, "community_id": c.CommunityID, "agreements": len(c.Agreements)}))
	})
}

// AddAgreement records an agreement a co-building unit signed with a
// community (its own, unless another is named).
func (s *Store) AddAgreement(ctx context.Context, actor *auth.Actor, unitID int64, in AgreementInput) (*Agreement, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var out *Agreement
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		// The unit first: out of scope is not found, whatever was sent.
		c, err := s.coBuildingIn(ctx, tx, actor.Scope(PermWrite), unitID)
		if err != nil {
			return err
		}
		signed, expires, err := in.validate()
		if err != nil {
			return err
		}
		if in.CommunityID == 0 {
			in.CommunityID = c.CommunityID
		}
		community, err := s.communityForWrite(ctx, tx, actor, "community_id", in.CommunityID)
		if err != nil {
			return err
		}
		a := &Agreement{UnitID: unitID, CommunityID: community.ID, SignedOn: signed, ExpiresOn: expires, Content: in.Content, CommunityName: community.Name}
		if a.ID, err = s.insertAgreement(ctx, tx, *a); err != nil {
			return err
		}
		out = a
		return audit.Record(ctx, tx, actor.Entry("co_building.agreement", "co_building_unit", fmt.Sprint(unitID),
			map[string]any{"agreement_id": a.ID, "community_id": a.CommunityID, "signed_on": a.SignedOn, "expires_on": a.ExpiresOn}))
	})
	return out, err
}

func (s *Store) insertAgreement(ctx context.Context, tx *db.Tx, a Agreement) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO co_building_agreements (co_building_unit_id, community_id, signed_on, expires_on, content, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, a.UnitID, a.CommunityID, a.SignedOn, a.ExpiresOn, a.Content, s.now()).Scan(&id)
	return id, apperr.Wrap(err)
}

// DeleteAgreement removes one agreement of a co-building unit.
func (s *Store) DeleteAgreement(ctx context.Context, actor *auth.Actor, unitID, agreementID int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.coBuildingIn(ctx, tx, actor.Scope(PermWrite), unitID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM co_building_agreements WHERE id = ? AND co_building_unit_id = ?`, agreementID, unitID)
		if err != nil {
			return apperr.Wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("协议")
		}
		return audit.Record(ctx, tx, actor.Entry("co_building.agreement_delete", "co_building_unit", fmt.Sprint(unitID),
			map[string]any{"agreement_id": agreementID}))
	})
}

const partTimeCols = `m.id, m.street_id, COALESCE(m.co_building_unit_id, 0), m.name, m.employer, m.position, m.term_start, m.term_end,
	m.created_at, m.updated_at, u.name`
const partTimeFrom = ` FROM part_time_members m JOIN units u ON u.id = m.street_id`

func scanPartTime(sc interface{ Scan(...any) error }) (*PartTimeMember, error) {
	m := &PartTimeMember{}
	err := sc.Scan(&m.ID, &m.StreetID, &m.CoBuildingUnitID, &m.Name, &m.Employer, &m.Position, &m.TermStart, &m.TermEnd,
		&m.CreatedAt, &m.UpdatedAt, &m.StreetName)
	return m, err
}

func (s *Store) partTimeIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*PartTimeMember, error) {
	where, args := scope.Where("u.path")
	m, err := scanPartTime(q.QueryRow(ctx, `SELECT `+partTimeCols+partTimeFrom+` WHERE m.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("兼职委员")
	}
	return m, apperr.Wrap(err)
}

// PartTimeMember returns a part-time member the actor may read.
func (s *Store) PartTimeMember(ctx context.Context, actor *auth.Actor, id int64) (*PartTimeMember, error) {
	return s.partTimeIn(ctx, s.db, actor.Scope(PermRead), id)
}

// ListPartTimeMembers returns the part-time members of the streets the
// actor may read (of one street, if streetID is set).
func (s *Store) ListPartTimeMembers(ctx context.Context, actor *auth.Actor, streetID int64) ([]PartTimeMember, error) {
	where, args := actor.Scope(PermRead).Where("u.path")
	if streetID != 0 {
		where += " AND m.street_id = ?"
		args = append(args, streetID)
	}
	rows, err := s.db.Query(ctx, `SELECT `+partTimeCols+partTimeFrom+` WHERE `+where+` ORDER BY u.code, m.name`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []PartTimeMember
	for rows.Next() {
		m, err := scanPartTime(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, *m)
	}
	return out, apperr.Wrap(rows.Err())
}

func (s *Store) checkPartTime(ctx context.Context, tx *db.Tx, actor *auth.Actor, in *PartTimeInput) error {
	u, err := s.unitIn(ctx, tx, actor.Scope(PermWrite), in.StreetID)
	if err != nil || u.Type != Street {
		return apperr.Reword(err, apperr.FieldInvalid("street_id", "org.street_not_found"))
	}
	if in.CoBuildingUnitID != 0 {
		c, err := s.coBuildingIn(ctx, tx, actor.Scope(PermRead), in.CoBuildingUnitID)
		if err != nil {
			return apperr.Reword(err, apperr.FieldInvalid("co_building_unit_id", "org.co_building_not_found"))
		}
		if in.Employer == "" {
			in.Employer = c.Name
		}
	}
	return nil
}

// CreatePartTimeMember adds a part-time member to a street committee.
func (s *Store) CreatePartTimeMember(ctx context.Context, actor *auth.Actor, in PartTimeInput) (*PartTimeMember, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	start, end, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out *PartTimeMember
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := s.checkPartTime(ctx, tx, actor, &in); err != nil {
			return err
		}
		id, err := s.insertPartTime(ctx, tx, in, start, end)
		if err != nil {
			return err
		}
		if out, err = s.partTimeIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("part_time.create", "part_time_member", fmt.Sprint(id),
			map[string]any{"name": in.Name, "street_id": in.StreetID, "employer": in.Employer}))
	})
	return out, err
}

func (s *Store) insertPartTime(ctx context.Context, tx *db.Tx, in PartTimeInput, start, end any) (int64, error) {
	now := s.now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO part_time_members (street_id, co_building_unit_id, name, employer, position, term_start, term_end, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.StreetID, nullID(in.CoBuildingUnitID), in.Name, in.Employer, in.Position, start, end, now, now).Scan(&id)
	return id, apperr.Wrap(err)
}

// UpdatePartTimeMember replaces a part-time member's fields.
func (s *Store) UpdatePartTimeMember(ctx context.Context, actor *auth.Actor, id int64, in PartTimeInput) (*PartTimeMember, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	start, end, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out *PartTimeMember
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.partTimeIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if err := s.checkPartTime(ctx, tx, actor, &in); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE part_time_members SET street_id = ?, co_building_unit_id = ?, name = ?, employer = ?, position = ?,
			term_start = ?, term_end = ?, updated_at = ? WHERE id = ?`,
			in.StreetID, nullID(in.CoBuildingUnitID), in.Name, in.Employer, in.Position, start, end, s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.partTimeIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("part_time.update", "part_time_member", fmt.Sprint(id), changes(
			"name", before.Name, out.Name, "street_id", before.StreetID, out.StreetID, "employer", before.Employer, out.Employer,
			"position", before.Position, out.Position, "term_start", before.TermStart, out.TermStart, "term_end", before.TermEnd, out.TermEnd)))
	})
	return out, err
}

// DeletePartTimeMember removes a part-time member.
func (s *Store) DeletePartTimeMember(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.Require(PermWrite); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := s.partTimeIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM part_time_members WHERE id = ?`, id); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("part_time.delete", "part_time_member", fmt.Sprint(id),
			map[string]any{"name": m.Name, "street_id": m.StreetID}))
	})
}
