// Package apptest starts a whole Grassroots server for tests, on each
// engine, with a small district of two streets and a user per role, and
// runs tables of HTTP scenarios against it (see Scenario). The modules'
// HTTP tests use it from their external test packages.
package apptest

import (
	"context"
	"grassroots/internal/people"
	"grassroots/internal/platform/workcal"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"grassroots/internal/app"
	"grassroots/internal/events"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/geo"
	"grassroots/internal/volunteer"
)

// Password is every test user's password.
const Password = "test-password-1"

// Env is a running server with its data.
type Env struct {
	App    *app.App
	Server *httptest.Server
	// The district, its two streets, a community and a grid in each.
	District, Street1, Street2, Community1, Community2, Grid1, Grid2 *org.Unit
	// Dept is a department (城管局, 360403-CGJ) that events are dispatched to;
	// Grid1 and Grid2 have boundaries, side by side (see GridPoint).
	Dept *org.Unit
	// The modules' stores, as the app opened them.
	Orgs      *org.Store
	Accounts  *auth.Store
	People    *people.Store
	Events    *events.Store
	Calendar  *workcal.Store
	Volunteer *volunteer.Store

	// The scenarios' tokens and signed-in browsers, by user.
	tokens   map[string]string
	browsers map[string]*http.Client
}

// GridPoint returns a point inside Grid1 (n=1) or Grid2 (n=2).
func GridPoint(n int) (lon, lat float64) { return 116.005 + float64(n-1)*0.01, 29.705 }

// Each runs fn once per engine with a fresh server.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, Start(t, engine)) })
	}
}

// Start starts a server on engine with the small district and these users:
// admin (district-admin), street1 and street2 (street-staff), grid1
// (grid-member at Grid1), auditor, dept1 (department-staff at Dept) and
// operator (a hotline operator at the district), volunteer1 (a volunteer
// at Community1, not yet linked to a volunteer record) and merchant1
// (merchant staff at Street1, not yet linked to a merchant).
func Start(t testing.TB, engine db.Engine) *Env {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DBURL: dbtest.URL(t, engine), DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	e := &Env{App: a, Orgs: app.Get[*org.Store](a), Accounts: app.Get[*auth.Store](a), People: app.Get[*people.Store](a),
		Events: app.Get[*events.Store](a), Calendar: app.Get[*workcal.Store](a), Volunteer: app.Get[*volunteer.Store](a)}
	sys := auth.SystemActor("test")
	mk := func(parent *org.Unit, typ org.UnitType, code, name string) *org.Unit {
		in := org.UnitInput{Type: typ, Code: code, Name: name}
		if parent != nil {
			in.ParentID = parent.ID
		}
		u, err := e.Orgs.CreateUnit(ctx, sys, in)
		if err != nil {
			t.Fatalf("unit %s: %v", code, err)
		}
		return u
	}
	e.District = mk(nil, org.District, "360403", "浔阳区")
	e.Street1 = mk(e.District, org.Street, "360403001", "湓浦街道")
	e.Street2 = mk(e.District, org.Street, "360403002", "人民路街道")
	e.Community1 = mk(e.Street1, org.Community, "360403001001", "白水湖社区")
	e.Community2 = mk(e.Street2, org.Community, "360403002001", "大中路社区")
	e.Grid1 = mk(e.Community1, org.Grid, "360403001001001", "第一网格")
	e.Grid2 = mk(e.Community2, org.Grid, "360403002001001", "第一网格")
	e.Dept = mk(e.District, org.Department, "360403-CGJ", "浔阳区城市管理局")
	for i, g := range []*org.Unit{e.Grid1, e.Grid2} {
		b := geo.Rect(116.0+0.01*float64(i), 29.7, 116.01+0.01*float64(i), 29.71).GeoJSON()
		if _, err := e.Orgs.UpdateUnit(ctx, sys, g.ID, org.UnitPatch{Boundary: &b}); err != nil {
			t.Fatalf("grid boundary: %v", err)
		}
	}
	if err := a.DB.InTx(ctx, func(tx *db.Tx) error { return e.Events.AssignDefaultHandlers(ctx, tx) }); err != nil {
		t.Fatalf("category handlers: %v", err)
	}
	for _, u := range []struct {
		name string
		role auth.Role
		unit *org.Unit
	}{
		{"admin", auth.DistrictAdmin, e.District},
		{"street1", auth.StreetStaff, e.Street1},
		{"street2", auth.StreetStaff, e.Street2},
		{"grid1", auth.GridMember, e.Grid1},
		{"auditor", auth.Auditor, e.District},
		{"dept1", auth.DepartmentStaff, e.Dept},
		{"operator", events.Operator, e.District},
		{"volunteer1", volunteer.RoleVolunteer, e.Community1},
		{"merchant1", volunteer.RoleMerchantStaff, e.Street1},
	} {
		if _, err := e.Accounts.CreateUser(ctx, sys, auth.NewUser{Username: u.name, Password: Password, Grants: []auth.GrantSpec{{Role: u.role, UnitID: u.unit.ID}}}); err != nil {
			t.Fatalf("user %s: %v", u.name, err)
		}
	}
	h, err := a.Handler()
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	e.Server = httptest.NewServer(h)
	t.Cleanup(e.Server.Close)
	return e
}

// Token returns a new API token for a user.
func (e *Env) Token(t testing.TB, user string) string {
	t.Helper()
	tok, err := e.Accounts.CreateToken(context.Background(), auth.SystemActor("test"), user, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Browser returns an HTTP client with a cookie jar that does not follow
// redirects, signed in as user.
func (e *Env) Browser(t testing.TB, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(e.Server.URL+"/login", url.Values{"username": {user}, "password": {Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login as %s: %d", user, resp.StatusCode)
	}
	return c
}

// Do sends a request with an optional bearer token and JSON body and
// returns the status and body.
func (e *Env) Do(t testing.TB, token, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
