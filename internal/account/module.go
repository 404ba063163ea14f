package account

import (
	"context"

	"grassroots/internal/org"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/notify"
	"grassroots/internal/platform/web"
)

// Module is the accounts: users, their roles at units, sessions and API
// tokens (the store is platform/auth's), with the pages to sign in and to
// manage them, the audit log, and each user's notifications from every
// module. It provides *auth.Store.
type Module struct {
	accounts *auth.Store
	orgs     *org.Store
	notify   *notify.Store
	cfg      module.Config
	names    *audit.Names
}

// NewModule returns the account module, to be opened after org.
func NewModule() *Module { return &Module{} }

// Name is "account".
func (m *Module) Name() string { return "account" }

// Migrations is none of its own: the account tables are the platform's,
// created before any module's.
func (m *Module) Migrations() []db.Migrations { return nil }

// Open builds the account store on the tree and keeps units where users
// hold roles from being deleted.
func (m *Module) Open(_ context.Context, env *module.Env) error {
	orgs, err := module.Need[*org.Store](env)
	if err != nil {
		return err
	}
	m.orgs, m.cfg, m.notify = orgs, env.Config, env.Notify
	m.accounts = auth.NewStore(env.DB, orgs)
	m.accounts.AddAuditNames(env.Names)
	m.names = env.Names
	orgs.GuardDelete(org.DeleteGuard{What: "org.in_use.users", Count: m.accounts.UserIDsAtUnit})
	module.Provide(env, m.accounts)
	return nil
}

// Routes registers the sign-in, account, users and audit pages and the
// user's notifications.
func (m *Module) Routes(rt *web.Routes) error {
	if err := (&UI{Accounts: m.accounts, Orgs: m.orgs, R: rt.R, SecureCookies: m.cfg.SecureCookies, TrustProxy: m.cfg.TrustProxy, Names: m.names}).Register(rt); err != nil {
		return err
	}
	return (&Inbox{Notify: m.notify, R: rt.R}).Register(rt)
}
