package people

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strconv"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
)

// Module is the people of the tree: residents and households in the PII
// vault, party members and their reporting to communities, community
// workers and grid staff, and their spreadsheets. It provides *Store;
// a module above may give it volunteer hours with SetHoursSource.
type Module struct {
	store *Store
}

// NewModule returns the people module, to be opened after org.
func NewModule() *Module { return &Module{} }

// Name is "people".
func (m *Module) Name() string { return "people" }

// Migrations creates the people tables.
func (m *Module) Migrations() []db.Migrations { return []db.Migrations{Migrations} }

// Open builds the store, follows the tree's moves and keeps units with
// people on them from being deleted.
func (m *Module) Open(_ context.Context, env *module.Env) error {
	orgs, err := module.Need[*org.Store](env)
	if err != nil {
		return err
	}
	m.store = NewStore(env.DB, orgs, env.Vault)
	addAuditNames(env.Names, env.DB)
	orgs.OnMove(m.store.FollowMove)
	for _, g := range m.store.DeleteGuards() {
		orgs.GuardDelete(g)
	}
	module.Provide(env, m.store)
	return nil
}

// Sealed lists the encrypted identity numbers and phones.
func (m *Module) Sealed() []pii.Column { return SealedColumns }

// Routes registers the pages, the spreadsheets and the API.
func (m *Module) Routes(rt *web.Routes) error {
	(&API{Store: m.store}).Register(rt)
	return (&UI{Store: m.store, R: rt.R}).Register(rt)
}

// Figures counts people in the actor's scope.
func (m *Module) Figures(ctx context.Context, actor *auth.Actor) ([]module.Figure, error) {
	p, err := m.store.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	return []module.Figure{
		{Name: "residents", Value: p.Residents, Label: "home.residents", Href: "/residents", UpTo: string(org.Building)},
		{Name: "households", Value: p.Households, Label: "home.households", Href: "/residents", UpTo: string(org.Building)},
		{Name: "party_members", Value: p.PartyMembers},
		{Name: "grid_members", Value: p.GridMembers, Label: "home.grid_members", Href: "/grid-staff?role=member", UpTo: string(org.Building)},
		{Name: "grid_instructors", Value: p.GridInstructors},
		{Name: "grid_leaders", Value: p.GridLeaders},
		{Name: "in_service_reported", Value: p.InServiceReported, Label: "home.in_service", Href: "/in-service", UpTo: string(org.Community)},
		{Name: "secretary_avg_age", Value: math.Round(p.SecretaryAvgAge*10) / 10},
		{Name: "secretary_college_pct", Value: math.Round(p.SecretaryCollegePct*10) / 10},
	}, nil
}

// Sample gives the route matrix test a resident, a household, a party
// member, a service post, a community worker, grid staff, an import or a
// sheet kind below the street under, adding the building, household and
// resident it stands on when the street has none.
func (m *Module) Sample(ctx context.Context, kind string, under int64) (string, string, error) {
	sys := auth.SystemActor("sample")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	first := func(t org.UnitType) (*org.Unit, error) {
		units, _, err := m.store.Orgs.ListUnits(ctx, sys, org.UnitFilter{Type: t, UnderID: under, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(units) == 0 {
			return nil, fmt.Errorf("people sample: no %s below unit %d", t, under)
		}
		return &units[0], nil
	}
	switch kind {
	case "resident", "household", "party_member":
		r, err := m.sampleResident(ctx, sys, under)
		if err != nil {
			return "", "", err
		}
		switch kind {
		case "resident":
			return id(r.ID), r.UnitPath, nil
		case "household":
			return id(r.HouseholdID), r.UnitPath, nil
		}
		c, err := first(org.Community)
		if err != nil {
			return "", "", err
		}
		po, err := m.store.Orgs.CreatePartyOrg(ctx, sys, org.PartyOrgInput{UnitID: c.ID, Type: org.CommunityOrg, Name: c.Name + "党支部", FoundedOn: "2010-01-01", MemberCount: 30})
		if err != nil {
			return "", "", err
		}
		pm, err := m.store.CreatePartyMember(ctx, sys, PartyMemberInput{ResidentID: r.ID, PartyOrgID: po.ID, JoinedOn: "1990-07-01"})
		if err != nil {
			return "", "", err
		}
		return id(pm.ID), pm.UnitPath, nil
	case "service_post":
		c, err := first(org.Community)
		if err != nil {
			return "", "", err
		}
		p, err := m.store.CreatePost(ctx, sys, PostInput{CommunityID: c.ID, Category: "governance", Title: "楼道议事协调", Slots: 3})
		if err != nil {
			return "", "", err
		}
		return id(p.ID), p.UnitPath, nil
	case "worker":
		c, err := first(org.Community)
		if err != nil {
			return "", "", err
		}
		w, err := m.store.SaveWorker(ctx, sys, 0, WorkerInput{UnitID: c.ID, Name: "陈秀英", Gender: "female", BirthDate: "1985-03-12",
			Phone: "13907920001", Position: "social_worker", Education: "bachelor", PayStep: 3, HiredOn: "2015-09-01"})
		if err != nil {
			return "", "", err
		}
		return id(w.ID), w.UnitPath, nil
	case "grid_staff":
		g, err := first(org.Grid)
		if err != nil {
			return "", "", err
		}
		gs, err := m.store.SaveGridStaff(ctx, sys, 0, GridStaffInput{GridID: g.ID, Role: "member", Name: "刘志强", Phone: "13907920002", Since: "2020-01-01"})
		if err != nil {
			return "", "", err
		}
		return id(gs.ID), gs.UnitPath, nil
	case "import":
		// An import is seen only by the account that uploaded it; this one
		// was uploaded by the system, so it is no test user's, and "" says
		// so: no role is promised it.
		var buf bytes.Buffer
		if err := WriteTemplate(&buf, SheetResidents, i18n.Zh); err != nil {
			return "", "", err
		}
		j, err := m.store.StartImport(ctx, sys, SheetResidents, "居民.xlsx", buf.Bytes())
		if err != nil {
			return "", "", err
		}
		if err := m.store.WaitImport(ctx, j.ID); err != nil {
			return "", "", err
		}
		return id(j.ID), "", nil
	case "sheet":
		return string(SheetResidents), "", nil
	}
	return "", "", fmt.Errorf("people sample: unknown kind %q", kind)
}

// sampleResident returns a resident below under, adding a building in its
// first grid, a household and a resident when there is none.
func (m *Module) sampleResident(ctx context.Context, sys *auth.Actor, under int64) (*Resident, error) {
	rs, _, err := m.store.ListResidents(ctx, sys, ResidentFilter{UnderID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(rs) > 0 {
		return &rs[0], nil
	}
	grids, _, err := m.store.Orgs.ListUnits(ctx, sys, org.UnitFilter{Type: org.Grid, UnderID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(grids) == 0 {
		return nil, fmt.Errorf("people sample: no grid below unit %d", under)
	}
	g := grids[0]
	b, err := m.store.Orgs.CreateUnit(ctx, sys, org.UnitInput{ParentID: g.ID, Type: org.Building, Code: g.Code + "901", Name: "9号楼"})
	if err != nil {
		return nil, err
	}
	h, err := m.store.CreateHousehold(ctx, sys, b.ID, "101")
	if err != nil {
		return nil, err
	}
	first17 := fmt.Sprintf("36040319600101%03d", under%1000)
	return m.store.CreateResident(ctx, sys, ResidentInput{HouseholdID: h.ID, Name: "张桂兰", IDNumber: first17 + string(pii.IDCheckChar(first17)),
		Phone: "13907920003", Relation: "head"})
}
