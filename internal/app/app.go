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
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/notify"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
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
	// Basemap is the tile server behind the maps; without one the maps
	// draw labelled boundaries on a plain background (no outside requests).
	Basemap web.Basemap
	// PIIKey holds the personal-data keys (base64, comma-separated) when
	// they come from the environment; empty, they live in DataDir/pii.key.
	PIIKey string
	// Jobs tunes the background job runner (deadline warnings, notifications).
	Jobs jobs.Config
}

// Modules is every capability, each after the ones it needs: a new one is
// one line here.
func Modules() []module.Module {
	return []module.Module{
		org.NewModule(),
		account.NewModule(),
		people.NewModule(),
		events.NewModule(),
		volunteer.NewModule(),
	}
}

// platformMigrations are the schemas every module stands on: accounts,
// the audit chain, the personal-data keys and the notifications.
var platformMigrations = []db.Migrations{auth.Migrations, audit.Migrations, pii.Migrations, notify.Migrations}

// App is an open Grassroots instance.
type App struct {
	Config Config
	DB     *db.DB
	Vault  *pii.Vault
	Jobs   *jobs.Runner
	Notify *notify.Store
	// Modules are the open modules, in the order of Modules.
	Modules []module.Module

	env       *module.Env
	overviews *countCache[module.Overview]
	inboxes   *countCache[[]module.Todo]
}

// Migrations lists the platform's and every module's schema, in order.
func Migrations() []db.Migrations {
	list := slices.Clone(platformMigrations)
	for _, m := range Modules() {
		list = append(list, m.Migrations()...)
	}
	return list
}

// Get returns what a module provided as T (its store: *org.Store,
// *events.Store); it panics if no module did, which is a mistake in the
// code asking, not in the data.
func Get[T any](a *App) T {
	v, err := module.Need[T](a.env)
	if err != nil {
		panic(err)
	}
	return v
}

// Open opens the database, applies pending migrations and opens the
// modules in order.
func Open(ctx context.Context, cfg Config) (*App, error) {
	d, err := db.Open(ctx, cfg.DBURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a, err := open(ctx, cfg, d)
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func open(ctx context.Context, cfg Config, d *db.DB) (*App, error) {
	a := &App{Config: cfg, DB: d, Modules: Modules(), overviews: newCountCache[module.Overview](d), inboxes: newCountCache[[]module.Todo](d)}
	applied, err := d.Migrate(ctx, Migrations()...)
	if err != nil {
		return nil, err
	}
	for _, m := range applied {
		slog.Info("migrated", "migration", m)
	}
	if err := jobs.Migrate(ctx, d); err != nil {
		return nil, err
	}
	if a.Vault, err = pii.Open(ctx, d, cfg.DataDir, cfg.PIIKey); err != nil {
		return nil, err
	}
	a.Jobs = jobs.New(d, cfg.Jobs)
	a.Notify = notify.NewStore(d)
	a.Notify.RegisterJobs(a.Jobs, nil)
	a.env = &module.Env{DB: d, Vault: a.Vault, Jobs: a.Jobs, Notify: a.Notify, Names: audit.NewNames(), Config: module.Config{
		DataDir: cfg.DataDir, TrustProxy: cfg.TrustProxy, SecureCookies: cfg.SecureCookies}}
	for _, m := range a.Modules {
		if err := m.Open(ctx, a.env); err != nil {
			return nil, fmt.Errorf("open module %s: %w", m.Name(), err)
		}
	}
	for _, m := range a.Modules {
		if w, ok := m.(module.Worker); ok {
			w.Jobs(a.Jobs)
		}
	}
	return a, nil
}

// Start starts the background job runner: deadline sweeps and
// notifications. Close stops it.
func (a *App) Start(ctx context.Context) error { return a.Jobs.Start(ctx) }

// SealedColumns lists every personal field stored encrypted, across
// modules, for rotating the key.
func SealedColumns() []pii.Column {
	var cols []pii.Column
	for _, m := range Modules() {
		if s, ok := m.(module.Sealer); ok {
			cols = append(cols, s.Sealed()...)
		}
	}
	return cols
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
	h, _, err := a.handler()
	return h, err
}

// Routes lists every route the modules and app register, with what each
// needs, for the tests that walk them all.
func (a *App) Routes() ([]web.Route, error) {
	_, rt, err := a.handler()
	if err != nil {
		return nil, err
	}
	return rt.List(), nil
}

func (a *App) handler() (http.Handler, *web.Routes, error) {
	static := web.NewStatic()
	r, err := web.NewRenderer(static)
	if err != nil {
		return nil, nil, err
	}
	r.Basemap = a.Config.Basemap
	r.Badges = a.badges
	r.AddNav(web.NavItem{Key: "nav.home", Href: "/", Order: 0})
	public := http.NewServeMux()
	private := http.NewServeMux()
	rt := web.NewRoutes(r, public, private)

	rt.For("app").Handle("GET /static/", web.Public(), static)
	rt.For("app").Handle("GET /healthz", web.Public(), http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	}))
	for _, m := range a.Modules {
		if mr, ok := m.(module.Router); ok {
			if err := mr.Routes(rt.For(m.Name())); err != nil {
				return nil, nil, fmt.Errorf("routes of module %s: %w", m.Name(), err)
			}
		}
	}
	if err := (&homeUI{app: a}).register(rt.For("app")); err != nil {
		return nil, nil, err
	}
	if err := rt.Err(); err != nil {
		return nil, nil, err
	}
	private.HandleFunc("/api/", web.NotFoundAPI)

	public.Handle("/", web.RequireLogin(private))
	return web.Chain(public, Get[*auth.Store](a), web.Options{TrustProxy: a.Config.TrustProxy, SecureCookies: a.Config.SecureCookies,
		ExtraImgSrc: tileOrigins(a.Config.Basemap.Tiles)}), rt, nil
}

// tileOrigins is the scheme and host of each tile URL template, separated
// by spaces, for the Content-Security-Policy.
func tileOrigins(tiles []string) string {
	var out []string
	for _, t := range tiles {
		if o := tileOrigin(t); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return strings.Join(out, " ")
}

// tileOrigin is the scheme and host of a tile URL template.
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
