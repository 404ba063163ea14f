package people

import (
	"context"
	"math"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
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
