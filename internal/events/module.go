package events

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"strconv"
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
	m.orgs = orgs
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

// Sample gives the route matrix test an event of the street under with a
// photo (reported there when it has none), one of the event's photos, a
// category or a year of the working calendar; categories and years are
// the district's and belong to no unit.
func (m *Module) Sample(ctx context.Context, kind string, under int64) (string, string, error) {
	sys := auth.SystemActor("sample")
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch kind {
	case "event", "photo":
		e, err := m.sampleEvent(ctx, sys, under)
		if err != nil {
			return "", "", err
		}
		if kind == "event" {
			return id(e.ID), e.UnitPath, nil
		}
		steps, err := m.store.Steps(ctx, sys, e.ID)
		if err != nil {
			return "", "", err
		}
		for _, st := range steps {
			if len(st.Photos) > 0 {
				return id(st.Photos[0]), e.UnitPath, nil
			}
		}
		return "", "", fmt.Errorf("events sample: event %d has no photo", e.ID)
	case "category":
		cats, err := m.store.Categories(ctx)
		if err != nil {
			return "", "", err
		}
		if len(cats) == 0 {
			return "", "", fmt.Errorf("events sample: no categories")
		}
		return id(cats[0].ID), "", nil
	case "year":
		return strconv.Itoa(time.Now().Year()), "", nil
	}
	return "", "", fmt.Errorf("events sample: unknown kind %q", kind)
}

// sampleEvent returns the first event below under, reporting one with a
// photo and a caller's phone in its first grid when there is none.
func (m *Module) sampleEvent(ctx context.Context, sys *auth.Actor, under int64) (*Event, error) {
	evs, _, err := m.store.List(ctx, sys, Filter{UnitID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(evs) > 0 {
		return &evs[0], nil
	}
	all, err := m.store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	cats := Leaves(all)
	grids, _, err := m.orgs.ListUnits(ctx, sys, org.UnitFilter{Type: org.Grid, UnderID: under, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(cats) == 0 || len(grids) == 0 {
		return nil, fmt.Errorf("events sample: no category or no grid below unit %d", under)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		return nil, err
	}
	photo, err := CheckPhoto("photo", buf.Bytes())
	if err != nil {
		return nil, err
	}
	c, err := m.store.Create(ctx, sys, NewEvent{CategoryID: cats[0].ID, Description: "楼道堆放杂物，影响通行", Address: "1号楼1单元",
		GridID: grids[0].ID, Source: FromHotline, ReporterName: "李先生", ReporterPhone: "13907920005", Photos: []Photo{photo}})
	if err != nil {
		return nil, err
	}
	return c.Event, nil
}
