package events

import (
	"context"
	"math"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/jobs"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
)

// Module is grid events (吹哨报到): reports from grids and the hotline,
// the whistle to departments, deadlines in working time on the district's
// calendar, indicators and Open311. It provides *Store and the calendar.
type Module struct {
	store    *Store
	orgs     *org.Store
	accounts *auth.Store
	cfg      module.Config
}

// NewModule returns the events module, to be opened after org and account.
func NewModule() *Module { return &Module{} }

// Name is "events".
func (m *Module) Name() string { return "events" }

// Migrations creates the working calendar's tables and the events'.
func (m *Module) Migrations() []db.Migrations {
	return []db.Migrations{workcal.Migrations, Migrations}
}

// Open builds the calendar and the store with the default categories,
// keeps the copies of unit paths on events right when the tree moves, and
// keeps units with events from being deleted.
func (m *Module) Open(ctx context.Context, env *module.Env) error {
	orgs, err := module.Need[*org.Store](env)
	if err != nil {
		return err
	}
	if m.accounts, err = module.Need[*auth.Store](env); err != nil {
		return err
	}
	m.orgs, m.cfg = orgs, env.Config
	cal := workcal.NewStore(env.DB)
	if err := cal.EnsureDefaults(ctx, time.Now()); err != nil {
		return err
	}
	m.store = NewStore(env.DB, orgs, cal)
	addAuditNames(env.Names, env.DB)
	m.store.Vault = env.Vault
	m.store.Notify = env.Notify
	if err := m.store.EnsureDefaultCategories(ctx); err != nil {
		return err
	}
	orgs.OnMove(m.store.MoveHook)
	orgs.GuardDelete(org.DeleteGuard{What: "events.in_use", Count: m.store.CountAtUnit})
	module.Provide(env, m.store)
	module.Provide(env, cal)
	return nil
}

// Sealed lists the encrypted callers' phones.
func (m *Module) Sealed() []pii.Column { return SealedColumns }

// Jobs registers the deadline sweep.
func (m *Module) Jobs(r *jobs.Runner) { m.store.RegisterJobs(r, 0) }

// Routes registers the pages, the API and Open311.
func (m *Module) Routes(rt *web.Routes) error {
	(&API{Store: m.store}).Register(rt)
	(&Open311{Store: m.store, Tokens: m.accounts, TrustProxy: m.cfg.TrustProxy}).Register(rt)
	return (&UI{Store: m.store, Orgs: m.orgs, R: rt.R}).Register(rt)
}

// Figures counts open and overdue events and the last 30 days' closing.
func (m *Module) Figures(ctx context.Context, actor *auth.Actor) ([]module.Figure, error) {
	ev, err := m.store.Overview(ctx, actor)
	if err != nil {
		return nil, err
	}
	return []module.Figure{
		{Name: "events_open", Value: ev.Open, Label: "home.events_open", Href: "/events?open=1"},
		{Name: "events_overdue", Value: ev.Overdue, Label: "home.events_overdue", Href: "/events?overdue=1"},
		{Name: "events_closed_30d", Value: ev.Closed30d, Period: "period.last_30_days"},
		{Name: "on_time_close_rate_30d", Value: math.Round(ev.OnTimeCloseRate30*1000) / 1000, Label: "home.on_time_rate",
			Href: "/events/indicators", Period: "period.last_30_days", Percent: true},
	}, nil
}
