package org

import (
	"context"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/geo"
)

// Loader writes many rows in one transaction for bulk loads (the demo
// district, imports): each row is checked by the same rules as a single
// write, but the load is audited once, by its caller, not row by row.
type Loader struct {
	s  *Store
	tx *db.Tx
}

// Loader returns a bulk loader writing in tx.
func (s *Store) Loader(tx *db.Tx) *Loader { return &Loader{s: s, tx: tx} }

// Unit adds a unit under parent (nil for a district).
func (l *Loader) Unit(ctx context.Context, parent *Unit, in UnitInput, b *geo.Boundary) (*Unit, error) {
	in.Normalize()
	if parent != nil {
		in.ParentID = parent.ID
	}
	if err := in.Validate(parent); err != nil {
		return nil, err
	}
	return l.s.insertUnit(ctx, l.tx, parent, in, b)
}

// PartyOrg adds a party organisation at unit.
func (l *Loader) PartyOrg(ctx context.Context, unit *Unit, in PartyOrgInput) (int64, error) {
	in.UnitID = unit.ID
	founded, err := in.validate(unit)
	if err != nil {
		return 0, err
	}
	in.FoundedOn = string(founded)
	return l.s.insertPartyOrg(ctx, l.tx, in)
}

// CoBuildingUnit adds a co-building unit.
func (l *Loader) CoBuildingUnit(ctx context.Context, in CoBuildingInput) (int64, error) {
	if err := in.validate(); err != nil {
		return 0, err
	}
	return l.s.insertCoBuilding(ctx, l.tx, in)
}

// Agreement adds a co-building agreement.
func (l *Loader) Agreement(ctx context.Context, unitID, communityID int64, in AgreementInput) (int64, error) {
	signed, expires, err := in.validate()
	if err != nil {
		return 0, err
	}
	return l.s.insertAgreement(ctx, l.tx, Agreement{UnitID: unitID, CommunityID: communityID, SignedOn: signed, ExpiresOn: expires, Content: in.Content})
}

// PartTimeMember adds a part-time committee member.
func (l *Loader) PartTimeMember(ctx context.Context, in PartTimeInput) (int64, error) {
	start, end, err := in.validate()
	if err != nil {
		return 0, err
	}
	return l.s.insertPartTime(ctx, l.tx, in, start, end)
}
