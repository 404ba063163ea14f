package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
)

// Access is what a route needs, declared where the route is registered:
// no session at all, any signed-in user acting on their own things, or a
// permission (any of several) to read or to write in the caller's scope.
// The permission is checked before the handler runs; the handler still
// checks the record against the caller's scope.
type Access struct {
	kind  accessKind
	perms []auth.Perm
	on    []string
}

type accessKind int

const (
	undeclared accessKind = iota
	public
	signedIn
	reads
	writes
)

// Public is a route anyone may use without signing in (the sign-in page,
// Open311, static files, the merchant's pass check with its own key).
func Public() Access { return Access{kind: public} }

// Own is a route any signed-in user may use on their own things (their
// account, notifications, home page).
func Own() Access { return Access{kind: signedIn} }

// Read is a route that reads, open to holders of any of perms.
func Read(perms ...auth.Perm) Access { return Access{kind: reads, perms: perms} }

// Write is a route that changes data, open to holders of any of perms.
func Write(perms ...auth.Perm) Access { return Access{kind: writes, perms: perms} }

// On names the kinds of record the path's parameters stand for, in their
// order ("unit"; "co_building", "agreement"), so that the route matrix
// test can fill them with records inside and outside a caller's scope.
func (a Access) On(kinds ...string) Access {
	a.on = kinds
	return a
}

// IsPublic reports whether the route needs no session.
func (a Access) IsPublic() bool { return a.kind == public }

// IsOwn reports whether any signed-in user may use the route.
func (a Access) IsOwn() bool { return a.kind == signedIn }

// Writes reports whether the route changes data.
func (a Access) Writes() bool { return a.kind == writes }

// Perms are the permissions of which the caller needs one.
func (a Access) Perms() []auth.Perm { return slices.Clone(a.perms) }

// Kinds are the kinds of record the path's parameters name, in order.
func (a Access) Kinds() []string { return slices.Clone(a.on) }

// Allows reports whether actor may use the route at all (the record's
// scope is the handler's to check).
func (a Access) Allows(actor *auth.Actor) bool {
	switch a.kind {
	case public:
		return true
	case signedIn:
		return actor != nil
	case reads, writes:
		if actor == nil {
			return false
		}
		for _, p := range a.perms {
			if actor.Has(p) {
				return true
			}
		}
	}
	return false
}

// Route is one registered route with what it needs.
type Route struct {
	Module  string
	Pattern string // "GET /units/{id}"
	Access  Access
}

// Method is the route's HTTP method.
func (r Route) Method() string { m, _, _ := strings.Cut(r.Pattern, " "); return m }

// Path is the route's path pattern ("/units/{id}").
func (r Route) Path() string { _, p, _ := strings.Cut(r.Pattern, " "); return p }

// Routes registers the routes of every module, each with its Access, on
// the public mux (Public routes) or the signed-in one, and keeps the list
// for the tests that walk them. A route must say what it needs: one
// registered without a declaration is an error of Err, and the server
// does not start.
type Routes struct {
	// R renders the pages and their errors.
	R *Renderer

	module          string
	public, private *http.ServeMux
	list            *[]Route
	errs            *[]error
}

// NewRoutes returns a registrar for public and private (behind sign-in).
func NewRoutes(r *Renderer, public, private *http.ServeMux) *Routes {
	return &Routes{R: r, public: public, private: private, list: &[]Route{}, errs: &[]error{}}
}

// For returns the registrar that records routes as module's.
func (rt *Routes) For(module string) *Routes {
	c := *rt
	c.module = module
	return &c
}

// Handle registers h at pattern ("METHOD /path") with what it needs.
func (rt *Routes) Handle(pattern string, a Access, h http.Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	switch {
	case !ok || method == "" || !strings.HasPrefix(path, "/"):
		*rt.errs = append(*rt.errs, fmt.Errorf("route %q (%s): give a method and a path", pattern, rt.module))
		return
	case a.kind == undeclared:
		*rt.errs = append(*rt.errs, fmt.Errorf("route %q (%s) does not declare what it needs (web.Public, Own, Read or Write)", pattern, rt.module))
		return
	case (a.kind == reads || a.kind == writes) && len(a.perms) == 0:
		*rt.errs = append(*rt.errs, fmt.Errorf("route %q (%s) reads or writes but names no permission", pattern, rt.module))
		return
	case a.kind == reads && method != http.MethodGet && method != http.MethodHead:
		*rt.errs = append(*rt.errs, fmt.Errorf("route %q (%s) is declared to read but takes %s", pattern, rt.module, method))
		return
	}
	*rt.list = append(*rt.list, Route{Module: rt.module, Pattern: pattern, Access: a})
	if a.kind == public {
		rt.public.Handle(pattern, h)
		return
	}
	rt.private.Handle(pattern, rt.guard(a, h))
}

// guard refuses, before the handler runs, a caller without the route's
// permission: 403 (a page or JSON, as the request is).
func (rt *Routes) guard(a Access, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Allows(Actor(r)) {
			h.ServeHTTP(w, r)
			return
		}
		err := apperr.New(apperr.Forbidden, "error.forbidden")
		if Actor(r) == nil {
			err = apperr.New(apperr.Unauthorized, "error.unauthorized")
		}
		if IsAPI(r) || rt.R == nil {
			WriteError(w, r, err)
			return
		}
		rt.R.RenderError(w, r, err)
	})
}

// Page registers a page handler that may fail (its error is shown as a
// page with the error's status).
func (rt *Routes) Page(pattern string, a Access, fn func(w http.ResponseWriter, r *http.Request) error) {
	rt.Handle(pattern, a, rt.R.Handler(fn))
}

// API registers a JSON handler of the signed-in actor.
func (rt *Routes) API(pattern string, a Access, fn func(r *http.Request, actor *auth.Actor) (any, error)) {
	rt.Handle(pattern, a, ActorAPI(fn))
}

// APIByID registers a JSON handler of one record named by the path's {id}.
func (rt *Routes) APIByID(pattern string, a Access, fn func(r *http.Request, actor *auth.Actor, id int64) (any, error)) {
	rt.Handle(pattern, a, ActorPathAPI(fn))
}

// List is every route registered so far, in order.
func (rt *Routes) List() []Route { return slices.Clone(*rt.list) }

// Err reports the routes registered wrongly (without a declaration).
func (rt *Routes) Err() error { return errors.Join(*rt.errs...) }
