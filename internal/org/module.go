package org

import (
	"context"
	"fmt"
	"strconv"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/web"
)

// Module is the unit tree, the party organisations that mirror it, the
// co-building units and the part-time committee members: the module every
// other one stands on. It provides *Store.
type Module struct {
	store *Store
}

// NewModule returns the org module, to be opened by app.
func NewModule() *Module { return &Module{} }

// Name is "org".
func (m *Module) Name() string { return "org" }

// Migrations creates the tree's tables.
func (m *Module) Migrations() []db.Migrations { return []db.Migrations{Migrations} }

// Open builds the store and provides it.
func (m *Module) Open(_ context.Context, env *module.Env) error {
	m.store = NewStore(env.DB)
	addAuditNames(env.Names, env.DB)
	module.Provide(env, m.store)
	return nil
}

// Routes registers the pages and the API.
func (m *Module) Routes(rt *web.Routes) error {
	(&API{Store: m.store}).Register(rt)
	return (&UI{Store: m.store, R: rt.R}).Register(rt)
}

// Figures counts the tree in the actor's scope.
func (m *Module) Figures(ctx context.Context, actor *auth.Actor) ([]module.Figure, error) {
	o, err := m.store.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	byType, structure := map[string]int{}, map[string]int{}
	for t, n := range o.PartyOrgsByType {
		byType[string(t)] = n
	}
	for t, n := range o.PartyStructure {
		structure[string(t)] = n
	}
	return []module.Figure{
		{Name: "streets", Value: o.Units[Street], Label: "home.streets", Href: "/units/list?type=street", UpTo: string(District)},
		{Name: "communities", Value: o.Units[Community], Label: "home.communities", Href: "/units/list?type=community", UpTo: string(Street)},
		{Name: "areas", Value: o.Units[Area]},
		{Name: "grids", Value: o.Units[Grid], Label: "home.grids", Href: "/units/list?type=grid", UpTo: string(Area)},
		{Name: "buildings", Value: o.Units[Building]},
		{Name: "departments", Value: o.Units[Department]},
		{Name: "party_orgs", Value: o.PartyOrgs, Label: "home.party_orgs", Href: "/party-orgs", UpTo: string(Community)},
		{Name: "party_orgs_by_type", Value: byType},
		{Name: "party_structure", Value: structure},
		{Name: "co_building_units", Value: o.CoBuildingUnits, Label: "home.co_building", Href: "/co-building", UpTo: string(Community)},
		{Name: "co_building_agreements", Value: o.Agreements},
		{Name: "part_time_members", Value: o.PartTimeMembers, Label: "home.part_time", Href: "/part-time-members", UpTo: string(Street)},
	}, nil
}

// Sample gives the route matrix test a grid, a party organisation, a
// co-building unit with an agreement, or a part-time member below under.
func (m *Module) Sample(ctx context.Context, kind string, under int64) (string, string, error) {
	sys := auth.SystemActor("sample")
	street, err := m.store.Unit(ctx, sys, under)
	if err != nil {
		return "", "", err
	}
	first := func(t UnitType) (*Unit, error) {
		units, _, err := m.store.ListUnits(ctx, sys, UnitFilter{Type: t, UnderID: under, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(units) == 0 {
			return nil, fmt.Errorf("org sample: no %s below %s", t, street.Name)
		}
		return &units[0], nil
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch kind {
	case "unit":
		g, err := first(Grid)
		if err != nil {
			return "", "", err
		}
		return id(g.ID), g.Path, nil
	case "party_org":
		c, err := first(Community)
		if err != nil {
			return "", "", err
		}
		p, err := m.store.CreatePartyOrg(ctx, sys, PartyOrgInput{UnitID: c.ID, Type: CommunityOrg, Name: c.Name + "党委", FoundedOn: "2010-01-01", MemberCount: 30})
		if err != nil {
			return "", "", err
		}
		return id(p.ID), c.Path, nil
	case "co_building", "agreement":
		c, err := first(Community)
		if err != nil {
			return "", "", err
		}
		cb, err := m.store.CreateCoBuildingUnit(ctx, sys, CoBuildingInput{CommunityID: c.ID, Name: c.Name + "共建单位", Kind: DistrictBody})
		if err != nil {
			return "", "", err
		}
		if kind == "co_building" {
			return id(cb.ID), c.Path, nil
		}
		a, err := m.store.AddAgreement(ctx, sys, cb.ID, AgreementInput{SignedOn: "2024-01-01", ExpiresOn: "2026-12-31", Content: "共驻共建协议"})
		if err != nil {
			return "", "", err
		}
		return id(a.ID), c.Path, nil
	case "part_time_member":
		p, err := m.store.CreatePartTimeMember(ctx, sys, PartTimeInput{StreetID: under, Name: "王建国", Employer: "浔阳区税务局", Position: "兼职委员", TermStart: "2024-01-01", TermEnd: "2026-12-31"})
		if err != nil {
			return "", "", err
		}
		return id(p.ID), street.Path, nil
	}
	return "", "", fmt.Errorf("org sample: unknown kind %q", kind)
}
