package events

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
)

//go:embed templates/*.html
var templateFiles embed.FS

// PermNav shows the events menu: everyone who reports, reads or handles events.
const PermNav auth.Perm = "events.nav"

func init() {
	auth.DefineReadPerm(PermNav)
	for _, r := range []auth.Role{auth.DistrictAdmin, auth.StreetStaff, auth.CommunityStaff, auth.GridMember, auth.DepartmentStaff,
		auth.Instructor, Operator, Resident} {
		auth.DefineRole(r, PermNav)
	}
}

// UI serves the events pages.
type UI struct {
	Store *Store
	Orgs  *org.Store
	R     *web.Renderer
}

// Pages lists the page templates the UI needs.
var Pages = []string{"events/list", "events/report", "events/event", "events/map", "events/indicators",
	"events/categories", "events/category_form", "events/calendar", "events/print"}

// Register parses the templates, adds the navigation and routes.
func (u *UI) Register(rt *web.Routes) error {
	if err := u.R.AddPages("events", templateFiles, "templates"); err != nil {
		return err
	}
	if err := u.R.Check(Pages...); err != nil {
		return err
	}
	u.R.AddNav(
		web.NavItem{Key: "nav.events", Href: "/events", Perm: PermNav, Order: 30, Group: "navgroup.events"},
		web.NavItem{Key: "nav.events_report", Href: "/events/new", Perm: PermReport, Order: 31, Group: "navgroup.events"},
		web.NavItem{Key: "nav.events_map", Href: "/events/map", Perm: PermRead, Order: 32, Group: "navgroup.events"},
		web.NavItem{Key: "nav.events_indicators", Href: "/events/indicators", Perm: PermNav, Order: 33, Group: "navgroup.events"},
		web.NavItem{Key: "nav.events_categories", Href: "/event-categories", Perm: PermAdmin, Order: 34, Group: "navgroup.events"},
	)
	rt.Page("GET /events", web.Read(PermRead, PermHandle, PermReport), u.list)
	rt.Page("GET /events/new", web.Write(PermReport), u.reportForm)
	rt.Page("POST /events", web.Write(PermReport), u.report)
	rt.Page("GET /events/map", web.Read(PermRead), u.mapPage)
	rt.Page("GET /events/indicators", web.Read(PermRead, PermHandle), u.indicators)
	rt.Page("GET /event-categories", web.Read(PermRead, PermHandle, PermReport), u.categories)
	rt.Page("GET /event-categories/new", web.Write(PermAdmin), u.categoryForm)
	rt.Page("GET /event-categories/{id}", web.Write(PermAdmin).On("category"), u.categoryForm)
	rt.Page("POST /event-categories", web.Write(PermAdmin), u.saveCategory)
	rt.Page("POST /event-categories/{id}", web.Write(PermAdmin).On("category"), u.saveCategory)
	rt.Page("GET /event-calendar", web.Read(PermRead, PermHandle, PermReport), u.calendar)
	rt.Page("POST /event-calendar", web.Write(workcal.PermManage), u.saveCalendar)
	rt.Page("GET /events/{id}", web.Read(PermRead, PermHandle, PermReport).On("event"), u.event)
	rt.Page("GET /events/{id}/print", web.Read(PermRead, PermHandle, PermReport).On("event"), u.printEvent)
	rt.Page("POST /events/{id}/act", web.Write(PermReport, PermDispatch, PermHandle, PermVerify).On("event"), u.act)
	rt.Page("POST /events/{id}/caller", web.Write(PermUnmask).On("event"), u.revealCaller)
	rt.Page("GET /events/{id}/photos/{pid}", web.Read(PermRead, PermHandle, PermReport).On("event", "photo"), func(w http.ResponseWriter, r *http.Request) error { return servePhoto(u.Store, w, r) })
	return nil
}

func (u *UI) categoryOptions(ctx context.Context, lang i18n.Lang, all bool, leavesOnly bool) ([]web.Option, error) {
	cats, err := u.Store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Option
	if all {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, "events.all_categories")})
	}
	list := cats
	if leavesOnly {
		list = Leaves(cats)
	}
	for _, c := range list {
		label := c.Code + " " + c.DisplayName(string(lang))
		if c.ParentID != 0 && !leavesOnly {
			label = "　" + label
		}
		value := c.Code
		if leavesOnly {
			value = strconv.FormatInt(c.ID, 10)
		}
		out = append(out, web.Option{Value: value, Label: label})
	}
	return out, nil
}

// randomHex is n random bytes in hex: an idempotency key, an Open311 token.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// gridsOf lists the grids in the actor's scope for perm (below the unit
// at the path under, if set) as options and as a GeoJSON FeatureCollection
// of their boundaries.
func (u *UI) gridsOf(ctx context.Context, actor *auth.Actor, perm auth.Perm, under string) ([]web.Option, template.JS, error) {
	grids, err := u.Orgs.UnitsOfType(ctx, actor.Scope(perm), org.Grid, under, 3000)
	if err != nil {
		return nil, "", err
	}
	var opts []web.Option
	var fs []map[string]any
	for _, g := range grids {
		opts = append(opts, web.Option{Value: strconv.FormatInt(g.ID, 10), Label: g.Code + " " + g.Name})
		if g.Boundary != "" {
			fs = append(fs, map[string]any{"type": "Feature", "geometry": json.RawMessage(g.Boundary),
				"properties": map[string]any{"name": g.Name, "level": string(org.Grid)}})
		}
	}
	return opts, featureCollection(fs), nil
}

func featureCollection(fs []map[string]any) template.JS {
	if fs == nil {
		fs = []map[string]any{}
	}
	b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	return template.JS(b)
}

func lightColor(l string) string {
	switch l {
	case "red":
		return "#cf222e"
	case "yellow":
		return "#bf8700"
	case "green":
		return "#1a7f37"
	}
	return "#656d76"
}
