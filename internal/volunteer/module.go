package volunteer

import (
	"context"
	"math"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
)

// Module is volunteers and the love bank: teams, activities and shifts,
// sign-ups and verified hours, points, merchants and their settlement.
// It gives people's feedback sheets their volunteer hours and provides
// *Store.
type Module struct {
	store *Store
}

// NewModule returns the volunteer module, to be opened after people.
func NewModule() *Module { return &Module{} }

// Name is "volunteer".
func (m *Module) Name() string { return "volunteer" }

// Migrations creates the volunteer and love bank tables.
func (m *Module) Migrations() []db.Migrations { return []db.Migrations{Migrations} }

// Open builds the store on the tree, the accounts and the people, follows
// the tree's moves and keeps units with volunteers from being deleted.
func (m *Module) Open(_ context.Context, env *module.Env) error {
	orgs, err := module.Need[*org.Store](env)
	if err != nil {
		return err
	}
	accounts, err := module.Need[*auth.Store](env)
	if err != nil {
		return err
	}
	ppl, err := module.Need[*people.Store](env)
	if err != nil {
		return err
	}
	m.store = NewStore(env.DB, orgs, accounts, ppl, env.Vault)
	addAuditNames(env.Names, env.DB)
	ppl.SetHoursSource(m.store.HoursFor)
	orgs.OnMove(m.store.FollowMove)
	for _, g := range m.store.DeleteGuards() {
		orgs.GuardDelete(g)
	}
	module.Provide(env, m.store)
	return nil
}

// Sealed lists the encrypted identity numbers and phones of volunteers
// who are not residents on file.
func (m *Module) Sealed() []pii.Column { return SealedColumns }

// Routes registers the pages, the phone pages, the till and the API.
func (m *Module) Routes(rt *web.Routes) error {
	(&API{Store: m.store}).Register(rt)
	return (&UI{Store: m.store, R: rt.R}).Register(rt)
}

// Figures counts volunteers, their hours and the love bank's points.
func (m *Module) Figures(ctx context.Context, actor *auth.Actor) ([]module.Figure, error) {
	vo, err := m.store.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	hours := func(minutes int64) float64 { return math.Round(float64(minutes)/6) / 10 }
	return []module.Figure{
		{Name: "teams_by_type", Value: vo.TeamsByType},
		{Name: "volunteers", Value: vo.Volunteers, Label: "home.volunteers", Href: "/volunteer/volunteers", UpTo: string(org.Community)},
		{Name: "verified_hours", Value: hours(vo.VerifiedMinutes), Label: "home.verified_hours", Href: "/volunteer/rankings", UpTo: string(org.Community)},
		{Name: "points_issued", Value: vo.PointsIssued.Float()},
		{Name: "points_redeemed", Value: vo.PointsRedeemed.Float()},
		{Name: "volunteer_police_members", Value: vo.PoliceMembers},
		{Name: "volunteer_police_hours", Value: hours(vo.PoliceMinutes)},
	}, nil
}
