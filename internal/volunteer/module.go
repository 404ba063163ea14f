package volunteer

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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

// Sample gives the route matrix test a record of kind below the street
// under: a volunteer with a verified past service (and so its account, an
// earn transfer and a certificate), a team the volunteer belongs to, an
// activity to come with a shift and the volunteer's sign-up, and a
// merchant with an item. Records a route names together (a team and its
// member, a merchant and its item, a sign-up and an action on it) are
// found again, not made twice, so that they belong together.
func (m *Module) Sample(ctx context.Context, kind string, under int64) (string, string, error) {
	sys := auth.SystemActor("sample")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	if kind == "signup_action" {
		return "cancel", "", nil
	}
	if kind == "merchant" || kind == "item" {
		mc, err := m.sampleMerchant(ctx, sys, under)
		if err != nil {
			return "", "", err
		}
		if kind == "merchant" {
			return id(mc.ID), mc.UnitPath, nil
		}
		return id(mc.Items[0].ID), mc.UnitPath, nil
	}
	v, err := m.sampleVolunteer(ctx, sys, under)
	if err != nil {
		return "", "", err
	}
	switch kind {
	case "volunteer":
		return id(v.ID), v.UnitPath, nil
	case "account":
		return id(v.AccountID), v.UnitPath, nil
	case "transfer":
		_, moves, _, err := m.store.Statement(ctx, sys, v.AccountID, 1, 0)
		if err != nil {
			return "", "", err
		}
		if len(moves) == 0 {
			return "", "", fmt.Errorf("volunteer sample: volunteer %d has no transfer", v.ID)
		}
		return id(moves[0].TransferSeq), v.UnitPath, nil
	case "certificate":
		c, err := m.store.IssueCertificate(ctx, sys, v.ID, "2000-01-01", time.Now().Format(time.DateOnly))
		if err != nil {
			return "", "", err
		}
		return id(c.ID), v.UnitPath, nil
	case "team":
		t, err := m.sampleTeam(ctx, sys, under, v)
		if err != nil {
			return "", "", err
		}
		return id(t.ID), t.UnitPath, nil
	case "activity", "shift", "signup":
		a, err := m.sampleActivity(ctx, sys, under)
		if err != nil {
			return "", "", err
		}
		switch kind {
		case "activity":
			return id(a.ID), a.UnitPath, nil
		case "shift":
			return id(a.Shifts[0].ID), a.UnitPath, nil
		}
		gs, err := m.store.Signups(ctx, sys, a.ID)
		if err != nil {
			return "", "", err
		}
		if len(gs) > 0 {
			return id(gs[0].ID), a.UnitPath, nil
		}
		g, err := m.store.SignUp(ctx, sys, a.Shifts[0].ID, v.ID)
		if err != nil {
			return "", "", err
		}
		return id(g.ID), a.UnitPath, nil
	}
	return "", "", fmt.Errorf("volunteer sample: unknown kind %q", kind)
}

// sampleCommunity is the first community below under.
func (m *Module) sampleCommunity(ctx context.Context, sys *auth.Actor, under int64) (*org.Unit, error) {
	cs, _, err := m.store.Orgs.ListUnits(ctx, sys, org.UnitFilter{Type: org.Community, UnderID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("volunteer sample: no community below unit %d", under)
	}
	return &cs[0], nil
}

// sampleVolunteer returns the first volunteer below under, registering
// one with a verified service of last month when there is none.
func (m *Module) sampleVolunteer(ctx context.Context, sys *auth.Actor, under int64) (*Volunteer, error) {
	vs, _, err := m.store.ListVolunteers(ctx, sys, VolunteerFilter{UnderID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(vs) > 0 {
		return m.store.Volunteer(ctx, sys, vs[0].ID)
	}
	c, err := m.sampleCommunity(ctx, sys, under)
	if err != nil {
		return nil, err
	}
	first17 := fmt.Sprintf("36040319880808%03d", under%1000)
	v, err := m.store.CreateVolunteer(ctx, sys, VolunteerInput{UnitID: c.ID, Name: "周晓燕", IDNumber: first17 + string(pii.IDCheckChar(first17)), Phone: "13907920006"})
	if err != nil {
		return nil, err
	}
	// A past service can only be written as history, as the demo does.
	start := time.Now().UTC().Truncate(time.Hour).Add(-30 * 24 * time.Hour)
	end := start.Add(2 * time.Hour)
	err = m.store.db.InTx(ctx, func(tx *db.Tx) error {
		l, err := m.store.Loader(ctx, tx, sys)
		if err != nil {
			return err
		}
		aid, shifts, err := l.Activity(c, ActivityInput{Title: "社区环境清洁", Category: "environment", Place: c.Name, Shifts: []ShiftInput{{StartsAt: start, EndsAt: end, Capacity: 5}}})
		if err != nil {
			return err
		}
		if err := l.Serve(ctx, ServiceRow{ShiftID: shifts[0], ActivityID: aid, UnitPath: c.Path, Title: "社区环境清洁", StartsAt: start, EndsAt: end,
			VolunteerID: v.ID, AccountID: v.AccountID, In: &start, Out: &end, Hours: HoursVerified}); err != nil {
			return err
		}
		return l.Flush(ctx)
	})
	if err != nil {
		return nil, err
	}
	return m.store.Volunteer(ctx, sys, v.ID)
}

// sampleTeam returns the first team below under, founding one with v as
// its member when there is none.
func (m *Module) sampleTeam(ctx context.Context, sys *auth.Actor, under int64, v *Volunteer) (*Team, error) {
	ts, _, err := m.store.ListTeams(ctx, sys, TeamFilter{UnderID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(ts) > 0 {
		return &ts[0], nil
	}
	c, err := m.sampleCommunity(ctx, sys, under)
	if err != nil {
		return nil, err
	}
	t, err := m.store.CreateTeam(ctx, sys, TeamInput{UnitID: c.ID, Type: "love_help", Name: c.Name + "爱心志愿服务队", FoundedOn: "2020-03-05"})
	if err != nil {
		return nil, err
	}
	if _, err := m.store.Join(ctx, sys, t.ID, v.ID, "2020-03-05", "member"); err != nil {
		return nil, err
	}
	return t, nil
}

// sampleActivity returns the first activity to come below under, with
// its shifts, publishing one for tomorrow when there is none.
func (m *Module) sampleActivity(ctx context.Context, sys *auth.Actor, under int64) (*Activity, error) {
	as, _, err := m.store.ListActivities(ctx, sys, ActivityFilter{UnderID: under, When: "upcoming", Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(as) > 0 {
		return m.store.Activity(ctx, sys, as[0].ID)
	}
	c, err := m.sampleCommunity(ctx, sys, under)
	if err != nil {
		return nil, err
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(24 * time.Hour)
	return m.store.CreateActivity(ctx, sys, ActivityInput{UnitID: c.ID, Title: "关爱独居老人上门探访", Category: "elderly", Place: c.Name,
		Shifts: []ShiftInput{{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 5}}})
}

// sampleMerchant returns the first merchant below under with its items,
// adding one with an item when there is none.
func (m *Module) sampleMerchant(ctx context.Context, sys *auth.Actor, under int64) (*Merchant, error) {
	street, err := m.store.Orgs.Unit(ctx, sys, under)
	if err != nil {
		return nil, err
	}
	ms, err := m.store.ListMerchants(ctx, sys)
	if err != nil {
		return nil, err
	}
	for _, mc := range ms {
		if strings.HasPrefix(mc.UnitPath, street.Path) {
			return m.store.Merchant(ctx, sys, mc.ID)
		}
	}
	c, err := m.sampleCommunity(ctx, sys, under)
	if err != nil {
		return nil, err
	}
	mc, err := m.store.CreateMerchant(ctx, sys, MerchantInput{UnitID: c.ID, Name: c.Name + "便民超市", Address: "九华门街12号", Contact: "13907920007"})
	if err != nil {
		return nil, err
	}
	if _, err := m.store.AddItem(ctx, sys, mc.ID, ItemInput{Name: "大米5斤", Price: "10"}); err != nil {
		return nil, err
	}
	return m.store.Merchant(ctx, sys, mc.ID)
}
