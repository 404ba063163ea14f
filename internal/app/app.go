// Package app assembles the modules into one Grassroots server: it opens
// the database, applies every module's migrations in order, wires the
// stores to one another where a lower module needs to call up, and builds
// the HTTP handler with its middleware.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"grassroots/internal/account"
	"grassroots/internal/events"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/jobs"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
	"grassroots/internal/volunteer"
)

// Config is how an instance is set up.
type Config struct {
	DataDir string // folder for the SQLite file and other local files
	DBURL   string // postgres://... or a SQLite path; empty: SQLite in DataDir
	// TrustProxy takes client addresses from X-Forwarded-For.
	TrustProxy bool
	// SecureCookies marks cookies Secure, for HTTPS deployments.
	SecureCookies bool
	// Tiles is a map tile URL template ({z}/{x}/{y}) for the maps; empty,
	// the maps draw boundaries on a plain background (no outside requests).
	Tiles string
	// PIIKey holds the personal-data keys (base64, comma-separated) when
	// they come from the environment; empty, they live in DataDir/pii.key.
	PIIKey string
	// Jobs tunes the background job runner (deadline warnings, notifications).
	Jobs jobs.Config
}

// App is an open Grassroots instance.
type App struct {
	Config   Config
	DB       *db.DB
	Orgs     *org.Store
	Accounts *auth.Store
	Vault    *pii.Vault
	People   *people.Store
	Calendar *workcal.Store
	Events   *events.Store
	Jobs     *jobs.Runner
	// Volunteer keeps teams, activities, hours and the love bank ledger.
	Volunteer *volunteer.Store

	overviews *overviewCache
}

// Migrations lists every module's schema, in dependency order.
func Migrations() []db.Migrations {
	return []db.Migrations{auth.Migrations, audit.Migrations, pii.Migrations, org.Migrations, people.Migrations,
		workcal.Migrations, events.Migrations, volunteer.Migrations}
}

// Open opens the database, applies pending migrations and wires the stores.
func Open(ctx context.Context, cfg Config) (*App, error) {
	d, err := db.Open(ctx, cfg.DBURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx, Migrations()...)
	if err != nil {
		d.Close()
		return nil, err
	}
	for _, m := range applied {
		slog.Info("migrated", "migration", m)
	}
	a := &App{Config: cfg, DB: d, Orgs: org.NewStore(d), overviews: newOverviewCache(d)}
	a.Accounts = auth.NewStore(d, a.Orgs)
	a.Orgs.GuardDelete(org.DeleteGuard{What: "org.in_use.users", Count: a.Accounts.UserIDsAtUnit})
	if a.Vault, err = pii.Open(ctx, d, cfg.DataDir, cfg.PIIKey); err != nil {
		d.Close()
		return nil, err
	}
	a.People = people.NewStore(d, a.Orgs, a.Vault)
	a.Orgs.OnMove(a.People.FollowMove)
	for _, g := range a.People.DeleteGuards() {
		a.Orgs.GuardDelete(g)
	}
	a.Volunteer = volunteer.NewStore(d, a.Orgs, a.Accounts, a.People, a.Vault)
	a.Orgs.OnMove(a.Volunteer.FollowMove)
	for _, g := range a.Volunteer.DeleteGuards() {
		a.Orgs.GuardDelete(g)
	}
	if err := a.openEvents(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

// openEvents wires the working calendar, the events store and the job
// runner (River's own tables are migrated here); the runner works jobs
// once Start is called.
func (a *App) openEvents(ctx context.Context) error {
	if err := jobs.Migrate(ctx, a.DB); err != nil {
		return err
	}
	a.Calendar = workcal.NewStore(a.DB)
	if err := a.Calendar.EnsureDefaults(ctx, time.Now()); err != nil {
		return err
	}
	a.Events = events.NewStore(a.DB, a.Calendar)
	a.Events.Vault = a.Vault
	if err := a.Events.EnsureDefaultCategories(ctx); err != nil {
		return err
	}
	a.Orgs.OnMove(a.Events.MoveHook)
	a.Orgs.GuardDelete(org.DeleteGuard{What: "events.in_use", Count: a.Events.CountAtUnit})
	a.Jobs = jobs.New(a.DB, a.Config.Jobs)
	a.Events.RegisterJobs(a.Jobs, nil, 0)
	return nil
}

// Start starts the background job runner: deadline sweeps and
// notifications. Close stops it.
func (a *App) Start(ctx context.Context) error { return a.Jobs.Start(ctx) }

// SealedColumns lists every personal field stored encrypted, across
// modules, for rotating the key.
func SealedColumns() []pii.Column {
	return slices.Concat(people.SealedColumns, events.SealedColumns, volunteer.SealedColumns)
}

// Close stops the job runner and closes the database.
func (a *App) Close() error {
	if a.Jobs != nil {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Jobs.Stop(stop)
	}
	return a.DB.Close()
}

// Handler builds the whole HTTP interface: pages, API, static files.
func (a *App) Handler() (http.Handler, error) {
	static := web.NewStatic()
	r, err := web.NewRenderer(static)
	if err != nil {
		return nil, err
	}
	r.Tiles = a.Config.Tiles
	r.AddNav(web.NavItem{Key: "nav.home", Href: "/", Order: 0})
	public := http.NewServeMux()
	private := http.NewServeMux()

	public.Handle("GET /static/", static)
	public.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	acc := &account.UI{Accounts: a.Accounts, Orgs: a.Orgs, R: r, SecureCookies: a.Config.SecureCookies, TrustProxy: a.Config.TrustProxy}
	if err := acc.Register(public, private); err != nil {
		return nil, err
	}
	if err := (&org.UI{Store: a.Orgs, R: r}).Register(private); err != nil {
		return nil, err
	}
	(&org.API{Store: a.Orgs}).Register(private)
	(&people.API{Store: a.People, Hours: a.Volunteer.HoursFor}).Register(private)
	if err := (&people.UI{Store: a.People, R: r, Hours: a.Volunteer.HoursFor}).Register(private); err != nil {
		return nil, err
	}
	(&volunteer.API{Store: a.Volunteer}).Register(public, private)
	if err := (&volunteer.UI{Store: a.Volunteer, R: r}).Register(public, private); err != nil {
		return nil, err
	}
	(&events.API{Store: a.Events}).Register(private)
	if err := (&events.UI{Store: a.Events, R: r}).Register(private); err != nil {
		return nil, err
	}
	(&events.Open311{Store: a.Events, Tokens: a.Accounts, TrustProxy: a.Config.TrustProxy}).Register(public)
	home := &homeUI{app: a, R: r}
	if err := home.register(private); err != nil {
		return nil, err
	}
	private.Handle("GET /api/v1/overview", web.ActorAPI(func(r *http.Request, actor *auth.Actor) (any, error) {
		return a.overview(r.Context(), actor)
	}))
	private.HandleFunc("/api/", web.NotFoundAPI)

	public.Handle("/", web.RequireLogin(private))
	return web.Chain(public, a.Accounts, web.Options{TrustProxy: a.Config.TrustProxy, SecureCookies: a.Config.SecureCookies,
		ExtraImgSrc: tileOrigin(a.Config.Tiles)}), nil
}

// tileOrigin is the scheme and host of a tile URL template, for the
// Content-Security-Policy.
func tileOrigin(tiles string) string {
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0").Replace(tiles))
	if err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if strings.Contains(tiles, "{s}.") {
		host = "*." + strings.SplitN(host, ".", 2)[1]
	}
	return u.Scheme + "://" + host
}

func init() {
	i18n.Register(i18n.Catalog{
		"nav.home": {Zh: "首页", En: "Home"},
	})
}
