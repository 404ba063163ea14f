// Package module is the contract every capability of Grassroots keeps, so
// that adding one is writing one package and one line in app's list.
//
// A module declares, in its own package, its schema (Migrations), how its
// store is built and wired to the modules below it (Open: move hooks,
// delete guards, hours sources), its routes with the permission each needs
// (Routes), its encrypted personal fields (Sealed), its background jobs
// (Jobs), its overview figures (Figures), what waits for an actor (Todos),
// the message keys it builds from its closed lists (MessageKeys), and the
// records the route matrix test acts on (Samples). app opens the
// modules in the order of its list and loops over them for everything
// else; a module finds the stores of the modules below it with Need.
package module

import (
	"context"
	"fmt"
	"reflect"

	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/jobs"
	"grassroots/internal/platform/notify"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
)

// Module is one capability. Only Name, Migrations and Open are required;
// the rest are the optional interfaces below, which app checks for.
type Module interface {
	// Name is the module's short name, as its migrations and audit
	// actions are prefixed ("org", "events").
	Name() string
	// Migrations is the module's schema, applied in the list's order.
	Migrations() []db.Migrations
	// Open builds the module's store on env, registers its hooks with the
	// modules below it and Provides what the modules above may Need.
	Open(ctx context.Context, env *Env) error
}

// Router is a module with pages or API routes.
type Router interface {
	// Routes parses the module's templates, adds its navigation entries
	// and registers its routes, each with the access it needs.
	Routes(rt *web.Routes) error
}

// Sealer is a module that stores personal fields encrypted.
type Sealer interface {
	// Sealed lists the encrypted columns, for rotating the key.
	Sealed() []pii.Column
}

// Worker is a module with background jobs.
type Worker interface {
	// Jobs registers the module's workers and periodic jobs.
	Jobs(r *jobs.Runner)
}

// Counter is a module with overview figures.
type Counter interface {
	// Figures counts the module's figures in the actor's scope.
	Figures(ctx context.Context, actor *auth.Actor) ([]Figure, error)
}

// TodoLister is a module where things wait for someone.
type TodoLister interface {
	// Todos lists what waits for the actor, one item per kind of work,
	// each counted in the actor's scope (kinds with nothing waiting are
	// left out).
	Todos(ctx context.Context, actor *auth.Actor) ([]Todo, error)
}

// ShortcutLister is a module with things to start from the home page.
type ShortcutLister interface {
	// Shortcuts lists what the actor may start, most used first.
	Shortcuts(actor *auth.Actor) []Shortcut
}

// Sampler is a module whose routes name records in their paths: it gives
// the route matrix test a record of each kind it declares (web.Access.On).
type Sampler interface {
	// Sample returns the id of a record of kind below the unit under (a
	// street), creating one if there is none, and the path of the unit the
	// record belongs to, by which scope decides who may reach it; "" for
	// records of the whole district (event categories), which every
	// holder of the route's permission may reach.
	Sample(ctx context.Context, kind string, under int64) (id, at string, err error)
}

// Keyer is a module that builds message keys at run time, from its closed
// lists (a unit type's label, "unit." + type), which no scan of its code
// finds.
type Keyer interface {
	// MessageKeys lists every such key, for the test that each has its
	// text in both languages.
	MessageKeys() []string
}

// Config is what an instance's setup tells the modules.
type Config struct {
	DataDir       string // folder for local files
	TrustProxy    bool   // client addresses come from X-Forwarded-For
	SecureCookies bool   // cookies are marked Secure
}

// Env is what app gives the modules while opening them: the platform's
// services and the stores the modules opened before have provided.
type Env struct {
	Config Config
	DB     *db.DB
	Vault  *pii.Vault
	Jobs   *jobs.Runner
	// Names is where each module says how its records are named in the
	// audit log (audit.Names.Add, with the words of its actions in its
	// messages).
	Names *audit.Names
	// Notify is the in-app notifications every module sends through.
	Notify *notify.Store

	provided map[reflect.Type]any
}

// Provide makes v available to the modules opened after this one, by its
// type (a module provides its store: *org.Store, *events.Store).
func Provide[T any](env *Env, v T) {
	if env.provided == nil {
		env.provided = map[reflect.Type]any{}
	}
	env.provided[reflect.TypeFor[T]()] = v
}

// Need returns what a module opened earlier provided as T; the error says
// the list puts a module before one it needs.
func Need[T any](env *Env) (T, error) {
	v, ok := env.provided[reflect.TypeFor[T]()].(T)
	if !ok {
		return v, fmt.Errorf("module: nothing provides %v yet; open its module earlier in the list", reflect.TypeFor[T]())
	}
	return v, nil
}
