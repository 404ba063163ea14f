package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/events"
	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
)

// matrixUsers are the test district's users, one per role.
var matrixUsers = []string{"admin", "street1", "street2", "grid1", "auditor", "dept1", "operator", "volunteer1", "merchant1"}

// unmaskPerms are the permissions that let a role see identity numbers
// and phones in full.
var unmaskPerms = []auth.Perm{people.PermUnmask, events.PermUnmask}

// eighteenDigits and fullPhone find what may be an identity number, and a
// mobile phone, written whole.
var (
	eighteenDigits = regexp.MustCompile(`(^|[^0-9])([1-9][0-9]{16}[0-9Xx])($|[^0-9])`)
	fullPhone      = regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}($|[^0-9])`)
)

// wholeIDNumber returns the first identity number written whole in body:
// eighteen characters that pass its check digit and carry a birth date,
// which a building's 18-digit unit code does not.
func wholeIDNumber(body string) string {
	for _, m := range eighteenDigits.FindAllStringSubmatch(body, -1) {
		if pii.IDNumberProblem(strings.ToUpper(m[2]), date.Date("9999-12-31")) == "" {
			return m[2]
		}
	}
	return ""
}

// TestRouteMatrix walks every declared route, page and API, as every role,
// on a record in the caller's street and in the other street: without a
// session it asks to sign in, without the route's permission it is
// refused, out of scope it answers 404, in scope a read answers, nothing
// answers 5xx, nothing refused writes a line of audit, no answer carries a
// whole identity number or phone to a role that may not unmask, and a
// cross-site form post is refused.
func TestRouteMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		routes, err := e.App.Routes()
		if err != nil {
			t.Fatal(err)
		}
		samplers := map[string]module.Sampler{}
		for _, m := range e.App.Modules {
			if s, ok := m.(module.Sampler); ok {
				samplers[m.Name()] = s
			}
		}
		// samples are the modules' records, by module, kind and street:
		// every kind a route names must have one.
		type sample struct {
			id, at string
			err    error
		}
		type sampleKey struct {
			module, kind string
			street       int64
		}
		samples := map[sampleKey]sample{}
		sampleOf := func(mod, kind string, street int64) sample {
			key := sampleKey{mod, kind, street}
			if s, ok := samples[key]; ok {
				return s
			}
			var s sample
			if sm, ok := samplers[mod]; ok {
				s.id, s.at, s.err = sm.Sample(ctx, kind, street)
			} else {
				s.err = fmt.Errorf("module %s is not a module.Sampler", mod)
			}
			samples[key] = s
			return s
		}
		actors := map[string]*auth.Actor{}
		clients := map[string]*http.Client{}
		tokens := map[string]string{}
		for _, u := range matrixUsers {
			usr, err := e.Accounts.UserByName(ctx, e.App.DB, u)
			if err != nil {
				t.Fatal(err)
			}
			actors[u] = &auth.Actor{UserID: usr.ID, Username: u, Grants: usr.Grants}
			clients[u], tokens[u] = e.Browser(t, u), e.Token(t, u)
		}
		anonymous := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		send := func(c *http.Client, token, method, path string, header http.Header) (int, string) {
			t.Helper()
			var body io.Reader
			if method != http.MethodGet && strings.HasPrefix(path, "/api/") {
				body = strings.NewReader(`{}`)
			}
			req, err := http.NewRequest(method, e.Server.URL+path, body)
			if err != nil {
				t.Fatal(err)
			}
			if method != http.MethodGet {
				if strings.HasPrefix(path, "/api/") {
					req.Header.Set("Content-Type", "application/json")
				} else {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
			}
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			for k, v := range header {
				req.Header[k] = v
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		head := func() int64 {
			seq, err := audit.Head(ctx, e.App.DB)
			if err != nil {
				t.Fatal(err)
			}
			return seq
		}
		checked := 0
		for _, rt := range routes {
			if rt.Access.IsPublic() || strings.HasSuffix(rt.Path(), "/") {
				continue
			}
			method := rt.Method()
			isAPI := strings.HasPrefix(rt.Path(), "/api/")
			for si, street := range []int64{e.Street1.ID, e.Street2.ID} {
				// Fill the path's parameters with the module's samples; a
				// route for one's own things (web.Own) names none of them.
				path, at, filled := rt.Path(), "", true
				kinds := rt.Access.Kinds()
				for i, p := range regexp.MustCompile(`\{[a-z]+\$?\}`).FindAllString(path, -1) {
					value := ""
					switch {
					case p == "{$}":
					case i < len(kinds):
						s := sampleOf(rt.Module, kinds[i], street)
						if s.err != nil {
							t.Errorf("%s (%s): no sample of %q below street %d: %v", rt.Pattern, rt.Module, kinds[i], street, s.err)
							filled = false
						}
						value = s.id
						if i == 0 {
							at = s.at
						}
					case rt.Access.IsOwn():
						value = "999999"
					default:
						t.Errorf("%s (%s): declares no kind for %s (web.Access.On)", rt.Pattern, rt.Module, p)
						filled = false
					}
					path = strings.Replace(path, p, value, 1)
				}
				if !filled {
					break
				}
				name := fmt.Sprintf("%s (%s) at %s", rt.Pattern, rt.Module, path)
				if si == 0 {
					// No session: sign in first.
					status, _ := send(anonymous, "", method, path, nil)
					if isAPI && status != 401 || !isAPI && status != 303 && status != 401 && status != 403 {
						t.Errorf("%s without a session: %d", name, status)
					}
					// A cross-site form post is refused.
					if method != http.MethodGet {
						before := head()
						status, _ := send(clients["admin"], "", method, path, http.Header{"Origin": {"https://elsewhere.example"}, "Sec-Fetch-Site": {"cross-site"}})
						if status != http.StatusForbidden || head() != before {
							t.Errorf("%s posted from another site: %d", name, status)
						}
					}
				}
				for _, u := range matrixUsers {
					actor := actors[u]
					allowed := rt.Access.Allows(actor)
					// A permission over one's own records (auth.IsOwnPerm)
					// does not open the other records of its unit, and the
					// samples are no test user's own: an actor who holds
					// only such permissions is refused them everywhere.
					inScope, ownOnly := true, allowed
					for _, p := range rt.Access.Perms() {
						if actor.Has(p) && !auth.IsOwnPerm(p) {
							ownOnly = false
						}
					}
					if at != "" && !rt.Access.IsOwn() {
						inScope = false
						for _, p := range rt.Access.Perms() {
							if actor.Has(p) && !auth.IsOwnPerm(p) && actor.Scope(p).Contains(at) {
								inScope = true
							}
						}
					}
					if allowed && inScope && method != http.MethodGet {
						continue // in-scope writes change the samples; the modules' own tests make them
					}
					before := head()
					token := ""
					c := clients[u]
					if isAPI {
						token, c = tokens[u], anonymous
					}
					status, body := send(c, token, method, path, nil)
					who := fmt.Sprintf("%s as %s", name, u)
					checked++
					switch {
					case status >= 500:
						t.Errorf("%s: %d %.200s", who, status, body)
					case !allowed && status != 403 && status != 404:
						t.Errorf("%s, without the permission: %d, want 403 or 404", who, status)
					case allowed && !inScope && status != 404 && !((method != http.MethodGet || ownOnly) && status == 403):
						t.Errorf("%s, out of scope: %d, want 404", who, status)
					case allowed && at != "" && inScope && method == http.MethodGet && status >= 400:
						t.Errorf("%s, in scope: %d", who, status)
					}
					if status >= 400 && head() != before {
						t.Errorf("%s was refused (%d) but wrote to the audit log", who, status)
					}
					mayUnmask := false
					for _, p := range unmaskPerms {
						mayUnmask = mayUnmask || actor.Has(p)
					}
					if !mayUnmask {
						if m := wholeIDNumber(body) + fullPhone.FindString(body); m != "" {
							t.Errorf("%s: a whole identity number or phone in the answer: %q", who, m)
						}
					}
				}
			}
		}
		if checked < 2*len(routes) {
			t.Errorf("only %d checks over %d routes", checked, len(routes))
		}
	})
}

// TestRouteWithoutDeclarationFails checks that a route registered without
// saying what it needs stops the server from starting, naming the route.
func TestRouteWithoutDeclarationFails(t *testing.T) {
	rt := web.NewRoutes(nil, http.NewServeMux(), http.NewServeMux())
	rt.For("test").Handle("GET /forgotten", web.Access{}, http.NotFoundHandler())
	rt.For("test").Handle("POST /declared-read", web.Read(auth.PermAuditRead), http.NotFoundHandler())
	rt.For("test").Handle("GET /no-permission", web.Read(), http.NotFoundHandler())
	err := rt.Err()
	for _, want := range []string{"GET /forgotten", "POST /declared-read", "GET /no-permission"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a route %q registered wrongly: %v", want, err)
		}
	}
	if len(rt.List()) != 0 {
		t.Errorf("wrongly registered routes were kept: %v", rt.List())
	}
}
