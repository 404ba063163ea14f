package events

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
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
	"events/categories", "events/category_form", "events/calendar"}

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
	rt.Page("POST /events/{id}/act", web.Write(PermReport, PermDispatch, PermHandle, PermVerify).On("event"), u.act)
	rt.Page("POST /events/{id}/caller", web.Write(PermUnmask).On("event"), u.revealCaller)
	rt.Page("GET /events/{id}/photos/{pid}", web.Read(PermRead, PermHandle, PermReport).On("event", "photo"), func(w http.ResponseWriter, r *http.Request) error { return servePhoto(u.Store, w, r) })
	return nil
}

// Row is an event as a list shows it.
type Row struct {
	Event
	Light string
}

func rows(list []Event, now time.Time) []Row {
	out := make([]Row, len(list))
	for i := range list {
		out[i] = Row{Event: list[i], Light: list[i].Light(now)}
	}
	return out
}

// ListPage lists events.
type ListPage struct {
	web.Page
	Form       *web.Form
	States     []web.Option
	Categories []web.Option
	Rows       []Row
	Pager      *web.Pager
	Export     org.ExportLinks
	CanReport  bool
}

func stateOptions(lang i18n.Lang) []web.Option {
	out := []web.Option{{Value: "", Label: i18n.T(lang, "events.all_states")}}
	for _, s := range States {
		out = append(out, web.Option{Value: string(s), Label: s.Label().In(lang)})
	}
	return out
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

const exportLimit = 100000

func (u *UI) list(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	ctx := r.Context()
	q := web.NewQuery(r)
	f, err := filterFromQuery(q)
	if err != nil {
		return err
	}
	if err := q.Err(); err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" {
		list, _, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
			UnitID: f.UnitID, Mine: f.Mine, Todo: f.Todo, Query: f.Query, From: f.From, To: f.To, Limit: -exportLimit})
		if err != nil {
			return err
		}
		_, err = web.Export(w, r, "events", exportSheet(list, lang))
		return err
	}
	p := &ListPage{Form: web.NewForm(r.URL.Query()), States: stateOptions(lang), CanReport: actor.Has(PermReport)}
	p.Title = i18n.T(lang, "nav.events")
	p.Section = "/events"
	if p.Categories, err = u.categoryOptions(ctx, lang, true, false); err != nil {
		return err
	}
	p.Export = org.NewExportLinks(r.URL)
	_, total, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
		UnitID: f.UnitID, Mine: f.Mine, Todo: f.Todo, Query: f.Query, From: f.From, To: f.To, Limit: 1})
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, 30, i18n.T(lang, "web.pager"))
	// The count is known: the page is read without counting again.
	f.Limit, f.Offset = -30, p.Pager.Offset()
	list, _, err := u.Store.List(ctx, actor, f)
	if err != nil {
		return err
	}
	p.Rows = rows(list, u.Store.now())
	u.R.Render(w, r, http.StatusOK, "events/list", p)
	return nil
}

// exportSheet is one row per event with the times of each stage, as
// FixMyStreet's reporting export has them.
func exportSheet(list []Event, lang i18n.Lang) web.Sheet {
	t := func(k string) string { return i18n.T(lang, k) }
	s := web.Sheet{Name: t("nav.events"), Header: []string{t("events.id"), t("events.category_col"), t("events.category"), t("events.state"),
		t("events.community"), t("events.grid"), t("events.handling_unit"), t("events.whistle"), t("events.source"), t("events.description"), t("events.address"),
		t("events.lon"), t("events.lat"), t("events.reported_at"), t("events.accepted_at"), t("events.dispatched_at"), t("events.signed_at"),
		t("events.handled_at"), t("events.closed_at"), t("events.due_at"), t("events.closed_on_time"), t("events.reworks"),
		t("events.extensions"), t("events.escalations"), t("events.rating")}}
	opt := func(x *time.Time) any {
		if x == nil {
			return nil
		}
		return *x
	}
	for _, e := range list {
		var lon, lat, onTime, rating any
		if e.HasLocation {
			lon, lat = e.Lon, e.Lat
		}
		if e.ClosedOnTime != nil {
			onTime = t(map[bool]string{true: "events.yes", false: "events.no"}[*e.ClosedOnTime])
		}
		if e.Rating != 0 {
			rating = e.Rating
		}
		whistle := ""
		if e.Whistle != "" {
			whistle = t("events.whistle." + string(e.Whistle))
		}
		s.Rows = append(s.Rows, []any{e.ID, e.CategoryCode, e.CategoryName, e.State.Label().In(lang), e.CommunityName, e.GridName, e.HandlingName,
			whistle, t("events.source." + string(e.Source)), e.Description, e.Address, lon, lat, e.ReportedAt, opt(e.AcceptedAt),
			opt(e.DispatchedAt), opt(e.SignedAt), opt(e.HandledAt), opt(e.ClosedAt), opt(e.DueAt), onTime, e.Reworks, e.Extensions,
			e.Escalations, rating})
	}
	return s
}

// ReportPage is the report form, made for a phone.
type ReportPage struct {
	web.Page
	Form       *web.Form
	Categories []web.Option
	Grids      []web.Option
	Sources    []web.Option
	MapJSON    template.JS
	Operator   bool // may report for a caller
}

// randomHex is n random bytes in hex: an idempotency key, an Open311 token.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (u *UI) reportForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if !actor.Has(PermReport) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	form := web.NewForm(url.Values{"idempotency_key": {randomHex(16)}})
	return u.renderReport(w, r, http.StatusOK, actor, form)
}

func (u *UI) renderReport(w http.ResponseWriter, r *http.Request, status int, actor *auth.Actor, form *web.Form) error {
	lang := web.Lang(r)
	ctx := r.Context()
	p := &ReportPage{Form: form, Operator: actor.HasRole(Operator) || actor.Has(PermDispatch)}
	p.Title = i18n.T(lang, "nav.events_report")
	p.Section = "/events/new"
	var err error
	if p.Categories, err = u.categoryOptions(ctx, lang, false, true); err != nil {
		return err
	}
	p.Categories = append([]web.Option{{Value: "", Label: i18n.T(lang, "events.choose")}}, p.Categories...)
	grids, fc, err := u.gridsOf(ctx, actor, PermReport, "")
	if err != nil {
		return err
	}
	p.Grids = append([]web.Option{{Value: "", Label: i18n.T(lang, "events.grid_from_place")}}, grids...)
	p.MapJSON = fc
	if p.Operator {
		for _, s := range []Source{FromHotline, FromGrid, FromResident} {
			p.Sources = append(p.Sources, web.Option{Value: string(s), Label: i18n.T(lang, "events.source."+string(s))})
		}
	}
	u.R.Render(w, r, status, "events/report", p)
	return nil
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

// maxForm bounds a form with photos: six of 10 MB and the fields.
const maxForm = MaxPhotos*MaxPhotoBytes + 1<<20

// parseMultipart reads a form that may carry photos, checking each photo's
// bytes. A photo over 10 MB or not an image is a field error.
func parseMultipart(w http.ResponseWriter, r *http.Request) (*web.Form, []Photo, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, err := web.ParseForm(w, r)
		return f, nil, err
	}
	form, err := web.ParseFormUpTo(w, r, maxForm, apperr.New(apperr.TooLarge, "events.photo_too_large", MaxPhotoBytes>>20))
	if err != nil {
		return nil, nil, err
	}
	var photos []Photo
	files := r.MultipartForm.File["photo"]
	if len(files) > MaxPhotos {
		return form, nil, apperr.FieldInvalid("photo", "events.too_many_photos", MaxPhotos)
	}
	for _, fh := range files {
		if fh.Size == 0 {
			continue
		}
		data, err := readPart(fh)
		if err != nil {
			return form, nil, err
		}
		p, err := CheckPhoto("photo", data)
		if err != nil {
			return form, nil, err
		}
		photos = append(photos, p)
	}
	return form, photos, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > MaxPhotoBytes {
		return nil, apperr.FieldInvalid("photo", "events.photo_too_large", MaxPhotoBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPhotoBytes+1))
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return data, nil
}

// floatField reads an optional number; a present non-number is an error.
func floatField(form *web.Form, name string, f *apperr.Fields) *float64 {
	s := form.Trim(name)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.Add(name, "events.bad_location")
		return nil
	}
	return &v
}

func (u *UI) report(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, photos, err := parseMultipart(w, r)
	if form == nil {
		return err
	}
	if err == nil {
		var f apperr.Fields
		lon, lat := floatField(form, "lon", &f), floatField(form, "lat", &f)
		if err = f.Err(); err == nil {
			source := FromGrid
			if actor.HasRole(Resident) && !actor.Has(PermRead) {
				source = FromResident
			}
			if s := Source(form.Get("source")); s != "" {
				source = s
			}
			var c *Created
			c, err = u.Store.Create(r.Context(), actor, NewEvent{CategoryID: form.Int64("category_id"), Description: form.Get("description"),
				Address: form.Get("address"), Lon: lon, Lat: lat, GridID: form.Int64("grid_id"), Source: source,
				ReporterName: form.Get("reporter_name"), ReporterPhone: form.Get("reporter_phone"), IdemKey: form.Get("idempotency_key"), Photos: photos})
			if err == nil {
				web.SetFlash(w, "events.reported")
				http.Redirect(w, r, fmt.Sprintf("/events/%d", c.Event.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	if form.Get("idempotency_key") == "" {
		form.Values.Set("idempotency_key", randomHex(16))
	}
	return u.renderReport(w, r, form.Fail(r, err), actor, form)
}

// EventPage shows one event: where it stands, its place, photos, the steps
// the reader may take and its history.
type EventPage struct {
	web.Page
	E          *Event
	Light      string
	Steps      []Step
	Actions    []Action
	Form       *web.Form // the step form shown again after an error
	FormAction Action
	Handlers   []web.Option
	Whistles   []web.Option
	Duplicates []Event
	MapJSON    template.JS
	CanReveal  bool   // may see the caller's phone in full
	Caller     string // the caller's phone, once revealed
}

// Needs says which fields an action's form shows.
func (p *EventPage) Needs(a Action, field string) bool {
	switch field {
	case "note":
		return a != ActAccept && a != ActSign && a != ActMerge && a != ActResume && a != ActApprove
	case "note_required":
		return rules[a].needReason
	case "handler":
		return a == ActDispatch
	case "days":
		return a == ActAskExtension
	case "rating":
		return a == ActRate
	case "photo":
		return a == ActHandle || a == ActFail || a == ActPass
	case "target":
		return a == ActMerge
	}
	return false
}

// OnTime reports whether the event closed on time.
func (p *EventPage) OnTime() bool { return p.E.ClosedOnTime != nil && *p.E.ClosedOnTime }

// Stars draws the rating.
func (p *EventPage) Stars() string {
	return strings.Repeat("★", p.E.Rating) + strings.Repeat("☆", 5-p.E.Rating)
}

// Open reports whether the form of action a starts open.
func (p *EventPage) Open(a Action) bool { return p.FormAction == a }

// FormFor returns the form of action a (empty unless it is being shown again).
func (p *EventPage) FormFor(a Action) *web.Form {
	if p.FormAction == a && p.Form != nil {
		return p.Form
	}
	return web.NewForm(nil)
}

// StepNote describes a step's details in words.
func (p *EventPage) StepNote(st Step) string {
	var parts []string
	if v, ok := st.Detail["handling_unit"].(string); ok && v != "" && st.Action == ActDispatch {
		parts = append(parts, p.T("events.to_unit", v))
	}
	if v, ok := st.Detail["whistle"].(string); ok && v != "" {
		parts = append(parts, p.T("events.whistle."+v))
	}
	if v, ok := st.Detail["days"].(float64); ok && v > 0 {
		parts = append(parts, p.T("events.days_more", int(v)))
	}
	if v, ok := st.Detail["rating"].(float64); ok && v > 0 {
		parts = append(parts, strings.Repeat("★", int(v)))
	}
	if v, ok := st.Detail["to_unit"].(string); ok && v != "" {
		parts = append(parts, p.T("events.escalated_to", v))
	}
	if v, ok := st.Detail["into"].(float64); ok && v > 0 {
		parts = append(parts, fmt.Sprintf("→ #%d", int64(v)))
	}
	if v, ok := st.Detail["request"].(string); ok && v != "" {
		parts = append(parts, p.T("events.act."+v))
	}
	return strings.Join(parts, " · ")
}

func (u *UI) event(w http.ResponseWriter, r *http.Request) error {
	return u.renderEvent(w, r, http.StatusOK, nil, "", "")
}

// revealCaller shows the caller's phone in full, after a reason.
func (u *UI) revealCaller(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	phone, err := u.Store.RevealCaller(r.Context(), actor, id, form.Get("reason"))
	if err != nil {
		if apperr.CodeOf(err) != apperr.Invalid {
			return err
		}
		return u.renderEvent(w, r, form.Fail(r, err), form, "caller", "")
	}
	return u.renderEvent(w, r, http.StatusOK, nil, "", phone)
}

// renderEvent shows an event, with the form of action shown again after
// an error; caller is the caller's phone once revealed.
func (u *UI) renderEvent(w http.ResponseWriter, r *http.Request, status int, form *web.Form, action Action, caller string) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	e, err := u.Store.Event(ctx, actor, id)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	now := u.Store.now()
	p := &EventPage{E: e, Light: e.Light(now), Form: form, FormAction: action, Caller: caller,
		CanReveal: e.ReporterPhone != "" && actor.Scope(PermUnmask).Contains(e.UnitPath)}
	p.Title = fmt.Sprintf("#%d %s", e.ID, e.CategoryName)
	p.Section = "/events"
	if p.Steps, err = u.Store.Steps(ctx, actor, id); err != nil {
		return err
	}
	p.Actions = e.Allowed(u.Store.Who(actor, e))
	for _, a := range p.Actions {
		switch a {
		case ActDispatch:
			if p.Handlers, err = u.handlerOptions(ctx, e); err != nil {
				return err
			}
			for _, wh := range Whistles {
				p.Whistles = append(p.Whistles, web.Option{Value: string(wh), Label: i18n.T(lang, "events.whistle."+string(wh))})
			}
		case ActMerge:
			if p.Duplicates, err = u.Store.Nearby(ctx, actor, e); err != nil {
				return err
			}
		}
	}
	if e.HasLocation {
		fs := []map[string]any{}
		boundary, err := u.Orgs.Boundary(ctx, e.GridID)
		if err != nil {
			return err
		}
		if boundary != "" {
			fs = append(fs, map[string]any{"type": "Feature", "geometry": json.RawMessage(boundary),
				"properties": map[string]any{"name": e.GridName, "color": "#0b57d0"}})
		}
		fs = append(fs, map[string]any{"type": "Feature",
			"geometry":   map[string]any{"type": "Point", "coordinates": []float64{e.Lon, e.Lat}},
			"properties": map[string]any{"name": e.CategoryName, "color": lightColor(p.Light)}})
		p.MapJSON = featureCollection(fs)
	}
	u.R.Render(w, r, status, "events/event", p)
	return nil
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

// handlerOptions lists where an event can be sent: the category's usual
// unit first, the district's departments, the event's street and community.
func (u *UI) handlerOptions(ctx context.Context, e *Event) ([]web.Option, error) {
	cat, err := u.Store.Category(ctx, e.CategoryID)
	if err != nil {
		return nil, err
	}
	along, err := u.Orgs.Units(ctx, org.PathIDs(e.UnitPath))
	if err != nil {
		return nil, err
	}
	depts, err := u.Orgs.Departments(ctx)
	if err != nil {
		return nil, err
	}
	// The event's community, the departments by code, the event's street.
	var units []org.Unit
	for _, t := range []org.UnitType{org.Community, org.Department, org.Street} {
		if t == org.Department {
			units = append(units, depts...)
			continue
		}
		for _, a := range along {
			if a.Type == string(t) {
				units = append(units, org.Unit{ID: a.ID, Name: a.Name})
			}
		}
	}
	var out []web.Option
	for _, h := range units {
		o := web.Option{Value: strconv.FormatInt(h.ID, 10), Label: h.Name}
		if h.ID == cat.HandlingUnitID {
			out = append([]web.Option{o}, out...)
		} else {
			out = append(out, o)
		}
	}
	return out, nil
}

func (u *UI) act(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	form, photos, err := parseMultipart(w, r)
	if form == nil {
		return err
	}
	action := Action(form.Get("action"))
	if err == nil {
		days, _ := strconv.Atoi(form.Trim("days"))
		rating, _ := strconv.Atoi(form.Trim("rating"))
		_, err = u.Store.Act(r.Context(), actor, id, StepInput{Action: action, Note: form.Get("note"),
			HandlingUnitID: form.Int64("handling_unit_id"), Whistle: Whistle(form.Get("whistle")), Days: days, Rating: rating,
			TargetID: form.Int64("target_id"), Photos: photos})
		if err == nil {
			web.SetFlash(w, "web.saved")
			next := fmt.Sprintf("/events/%d", id)
			if _, err := u.Store.Event(r.Context(), actor, id); apperr.CodeOf(err) == apperr.NotFound {
				next = "/events" // returned out of the actor's reach
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
	}
	if apperr.IsFault(err) || apperr.IsNotFound(err) {
		return err
	}
	return u.renderEvent(w, r, form.Fail(r, err), form, action, "")
}

// MapPage shows events as markers by stage over the outlines of the units
// (the viewer's own unit framed), with a heat layer by category.
type MapPage struct {
	web.Page
	Form       *web.Form
	States     []web.Option
	Categories []web.Option
	// Stages are the legend: each stage's class and name, for the markers.
	Stages []web.Option
	// HeatCategories are the categories of the events shown, for the heat
	// layer's chooser.
	HeatCategories []web.Option
	MapJSON        template.JS
	Unit           *auth.UnitRef
	Rows           []Row
	Shown          int
}

const mapLimit = 2000

// mapStages are the stages the map tells apart, each drawn in a shape and
// colour of its own (events.css), in workflow order.
var mapStages = []string{"reported", "dispatch", "handling", "verify", "deferred", "closed", "ended"}

// mapStage is the stage of the map's legend a state belongs to.
func mapStage(s State) string {
	switch s {
	case Reported:
		return "reported"
	case Accepted, Dispatched:
		return "dispatch"
	case Signed, Rework:
		return "handling"
	case Handled:
		return "verify"
	case Deferred:
		return "deferred"
	case Closed:
		return "closed"
	}
	return "ended"
}

func (u *UI) mapPage(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	ctx := r.Context()
	q := web.NewQuery(r)
	f, err := filterFromQuery(q)
	if err != nil {
		return err
	}
	if err := q.Err(); err != nil {
		return err
	}
	if f.State == "" && r.URL.Query().Get("open") == "" {
		f.Open = true
	}
	p := &MapPage{Form: web.NewForm(r.URL.Query()), States: stateOptions(lang)}
	p.Title = i18n.T(lang, "nav.events_map")
	p.Section = "/events/map"
	if p.Categories, err = u.categoryOptions(ctx, lang, true, false); err != nil {
		return err
	}
	for _, st := range mapStages {
		p.Stages = append(p.Stages, web.Option{Value: st, Label: i18n.T(lang, "events.stage."+st)})
	}
	// The frame: the unit asked for, or else the units the viewer's roles
	// are held at.
	var under string
	var frames []auth.UnitRef
	if f.UnitID != 0 {
		if p.Unit, err = u.Store.visibleUnit(ctx, actor, f.UnitID); err != nil {
			return err
		}
		p.Title = p.Unit.Name + " · " + p.Title
		under = p.Unit.Path
		frames = append(frames, *p.Unit)
	} else {
		for _, g := range actor.Grants {
			if auth.RoleHas(g.Role, PermRead) && !slices.ContainsFunc(frames, func(x auth.UnitRef) bool { return x.ID == g.UnitID }) {
				frames = append(frames, auth.UnitRef{ID: g.UnitID, Path: g.UnitPath, Name: g.UnitName, Type: g.UnitType})
			}
		}
	}
	var features []map[string]any
	for _, fr := range frames {
		b, err := u.Orgs.Boundary(ctx, fr.ID)
		if err != nil {
			return err
		}
		if b != "" {
			features = append(features, map[string]any{"type": "Feature", "geometry": json.RawMessage(b),
				"properties": map[string]any{"name": fr.Name, "level": fr.Type, "frame": true}})
		}
	}
	scope := actor.Scope(PermRead)
	for _, t := range []org.UnitType{org.Community, org.Grid} {
		units, err := u.Orgs.UnitsOfType(ctx, scope, t, under, 3000)
		if err != nil {
			return err
		}
		for _, g := range units {
			if g.Boundary == "" || slices.ContainsFunc(frames, func(x auth.UnitRef) bool { return x.ID == g.ID }) {
				continue
			}
			features = append(features, map[string]any{"type": "Feature", "geometry": json.RawMessage(g.Boundary),
				"properties": map[string]any{"name": g.Name, "level": string(t), "href": fmt.Sprintf("/events/map?unit=%d", g.ID)}})
		}
	}
	list, _, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
		UnitID: f.UnitID, Query: f.Query, From: f.From, To: f.To, Limit: -mapLimit})
	if err != nil {
		return err
	}
	now := u.Store.now()
	heat := map[string]string{}
	for i := range list {
		e := &list[i]
		if !e.HasLocation {
			continue
		}
		heat[e.CategoryCode] = e.CategoryName
		features = append(features, map[string]any{"type": "Feature",
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{e.Lon, e.Lat}},
			"properties": map[string]any{"name": fmt.Sprintf("#%d %s · %s", e.ID, e.CategoryName, e.State.Label().In(lang)),
				"stage": mapStage(e.State), "light": e.Light(now), "category": e.CategoryCode, "href": fmt.Sprintf("/events/%d", e.ID)}})
	}
	for code, name := range heat {
		p.HeatCategories = append(p.HeatCategories, web.Option{Value: code, Label: name})
	}
	slices.SortFunc(p.HeatCategories, func(a, b web.Option) int { return strings.Compare(a.Value, b.Value) })
	p.MapJSON = featureCollection(features)
	p.Shown = len(list)
	if p.Unit != nil {
		p.Rows = rows(list, now)
	}
	u.R.Render(w, r, http.StatusOK, "events/map", p)
	return nil
}

// IndicatorsPage shows a unit's indicators for a period and the ranking of
// the units below it.
type IndicatorsPage struct {
	web.Page
	Form        *web.Form
	Ind         *Indicators
	Ranking     []Indicators
	Departments bool
	From, To    string
	Chart       template.JS
	Export      org.ExportLinks
}

func (u *UI) indicators(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	ctx := r.Context()
	fq, err := readFigures(r, actor, u.Store.now())
	if err != nil {
		return err
	}
	if fq.unit == 0 {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	p := &IndicatorsPage{Form: web.NewForm(r.URL.Query()), Departments: fq.departments,
		From: fq.from.In(workcal.Shanghai).Format("2006-01-02"), To: fq.to.Add(-time.Second).In(workcal.Shanghai).Format("2006-01-02")}
	p.Form.Values.Set("from", p.From)
	p.Form.Values.Set("to", p.To)
	p.Title = i18n.T(lang, "nav.events_indicators")
	p.Section = "/events/indicators"
	if p.Ind, err = u.Store.IndicatorsFor(ctx, actor, fq.unit, fq.from, fq.to); err != nil {
		return err
	}
	if p.Ranking, err = u.Store.Ranking(ctx, actor, fq.unit, fq.departments, fq.from, fq.to); err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" {
		_, err := web.Export(w, r, "ranking", rankingSheet(append([]Indicators{*p.Ind}, p.Ranking...), lang))
		return err
	}
	p.Export = org.NewExportLinks(r.URL)
	if len(p.Ranking) > 0 {
		var names []string
		var onTime, closeRate []float64
		for _, x := range p.Ranking {
			names = append(names, x.UnitName)
			onTime = append(onTime, float64(int(x.OnTimeRate*1000))/10)
			closeRate = append(closeRate, float64(int(x.CloseRate*1000))/10)
		}
		b, _ := json.Marshal(map[string]any{
			"tooltip": map[string]any{"trigger": "axis"},
			"legend":  map[string]any{"bottom": 0},
			"grid":    map[string]any{"left": 40, "right": 16, "bottom": 70, "top": 20},
			"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
			"yAxis":   map[string]any{"type": "value", "max": 100},
			"series": []any{
				map[string]any{"name": i18n.T(lang, "events.rate.on_time"), "type": "bar", "data": onTime, "itemStyle": map[string]any{"color": "#b8232a"}},
				map[string]any{"name": i18n.T(lang, "events.rate.close"), "type": "bar", "data": closeRate, "itemStyle": map[string]any{"color": "#5470c6"}},
			},
		})
		p.Chart = template.JS(b)
	}
	u.R.Render(w, r, http.StatusOK, "events/indicators", p)
	return nil
}

func rankingSheet(list []Indicators, lang i18n.Lang) web.Sheet {
	t := func(k string) string { return i18n.T(lang, k) }
	s := web.Sheet{Name: t("nav.events_indicators"), Header: []string{t("events.unit"), t("events.received"), t("events.rate.accept"),
		t("events.rate.dispatch"), t("events.due"), t("events.rate.close"), t("events.rate.on_time"), t("events.rate.rework"),
		t("events.rate.extension"), t("events.rate.response"), t("events.rate.resolve"), t("events.rate.satisfaction")}}
	pc := func(v float64) float64 { return float64(int(v*10000+0.5)) / 100 }
	for _, x := range list {
		s.Rows = append(s.Rows, []any{x.UnitName, x.Received, pc(x.AcceptRate), pc(x.DispatchRate), x.Due, pc(x.CloseRate), pc(x.OnTimeRate),
			pc(x.ReworkRate), pc(x.ExtensionRate), pc(x.ResponseRate), pc(x.ResolveRate), pc(x.SatisfactionRate)})
	}
	return s
}

// CategoriesPage lists the categories.
type CategoriesPage struct {
	web.Page
	Categories []Category
	CanEdit    bool
}

func (u *UI) categories(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	list, err := u.Store.Categories(r.Context())
	if err != nil {
		return err
	}
	p := &CategoriesPage{Categories: list, CanEdit: actor.Has(PermAdmin)}
	p.Title = i18n.T(web.Lang(r), "nav.events_categories")
	p.Section = "/event-categories"
	u.R.Render(w, r, http.StatusOK, "events/categories", p)
	return nil
}

// CategoryFormPage creates or edits a category.
type CategoryFormPage struct {
	web.Page
	Form     *web.Form
	ID       int64
	Parents  []web.Option
	Handlers []web.Option
	Kinds    []web.Option
}

func (u *UI) categoryForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if !actor.Has(PermAdmin) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	form := web.NewForm(url.Values{"kind": {"event"}, "accept": {"1h"}, "dispatch": {"1h"}, "sign": {"1h"}, "handle": {"1d"}, "verify": {"2h"},
		"warn_percent": {"80"}, "public": {"1"}, "active": {"1"}})
	var id int64
	if r.PathValue("id") != "" {
		if id, err = web.PathID(r, "id"); err != nil {
			return err
		}
		c, err := u.Store.Category(r.Context(), id)
		if err != nil {
			return err
		}
		form = web.NewForm(url.Values{"parent_id": {strconv.FormatInt(c.ParentID, 10)}, "code": {c.Code}, "name": {c.Name}, "name_en": {c.NameEn},
			"kind": {string(c.Kind)}, "handling_unit_id": {strconv.FormatInt(c.HandlingUnitID, 10)}, "accept": {c.Limits.Accept.String()},
			"dispatch": {c.Limits.Dispatch.String()}, "sign": {c.Limits.Sign.String()}, "handle": {c.Limits.Handle.String()},
			"verify": {c.Limits.Verify.String()}, "warn_percent": {strconv.Itoa(c.Limits.WarnPercent)}})
		if c.Public {
			form.Values.Set("public", "1")
		}
		if c.Active {
			form.Values.Set("active", "1")
		}
	}
	return u.renderCategoryForm(w, r, http.StatusOK, form, id)
}

func (u *UI) renderCategoryForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, id int64) error {
	lang := web.Lang(r)
	ctx := r.Context()
	p := &CategoryFormPage{Form: form, ID: id}
	p.Title = i18n.T(lang, "nav.events_categories")
	p.Section = "/event-categories"
	cats, err := u.Store.Categories(ctx)
	if err != nil {
		return err
	}
	p.Parents = []web.Option{{Value: "0", Label: i18n.T(lang, "events.top_class")}}
	for _, c := range cats {
		if c.ParentID == 0 && c.ID != id {
			p.Parents = append(p.Parents, web.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Code + " " + c.DisplayName(string(lang))})
		}
	}
	p.Handlers = []web.Option{{Value: "0", Label: i18n.T(lang, "events.handler_at_dispatch")}}
	depts, err := u.Orgs.Departments(ctx)
	if err != nil {
		return err
	}
	for _, d := range depts {
		p.Handlers = append(p.Handlers, web.Option{Value: strconv.FormatInt(d.ID, 10), Label: d.Name})
	}
	p.Kinds = []web.Option{{Value: "event", Label: i18n.T(lang, "events.kind.event")}, {Value: "facility", Label: i18n.T(lang, "events.kind.facility")}}
	u.R.Render(w, r, status, "events/category_form", p)
	return nil
}

func (u *UI) saveCategory(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	var id int64
	if r.PathValue("id") != "" {
		if id, err = web.PathID(r, "id"); err != nil {
			return err
		}
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	warn, _ := strconv.Atoi(form.Trim("warn_percent"))
	in := CategoryInput{ParentID: form.Int64("parent_id"), Code: form.Get("code"), Name: form.Get("name"), NameEn: form.Get("name_en"),
		Kind: Kind(form.Get("kind")), HandlingUnitID: form.Int64("handling_unit_id"), Accept: form.Get("accept"), Dispatch: form.Get("dispatch"),
		Sign: form.Get("sign"), Handle: form.Get("handle"), Verify: form.Get("verify"), WarnPercent: warn,
		Public: form.Get("public") == "1", Active: form.Get("active") == "1"}
	if warn == 0 && form.Trim("warn_percent") != "" {
		in.WarnPercent = -1
	}
	if _, err := u.Store.SaveCategory(r.Context(), actor, id, in); err != nil {
		if c := apperr.CodeOf(err); c == apperr.Forbidden || c == apperr.NotFound {
			return err
		}
		return u.renderCategoryForm(w, r, form.Fail(r, err), form, id)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, "/event-categories", http.StatusSeeOther)
	return nil
}

// CalendarPage shows and edits the working calendar, one year at a time.
type CalendarPage struct {
	web.Page
	Years   []workcal.Year
	Form    *web.Form
	CanEdit bool
}

// Hours writes a year's working hours.
func (p *CalendarPage) Hours(ps []workcal.Period) string { return workcal.FormatHours(ps) }

func (u *UI) calendar(w http.ResponseWriter, r *http.Request) error {
	return u.renderCalendar(w, r, http.StatusOK, nil)
}

func (u *UI) renderCalendar(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	years, err := u.Store.Cal.Years(r.Context())
	if err != nil {
		return err
	}
	if form == nil {
		form = web.NewForm(nil)
		if len(years) > 0 {
			y := years[len(years)-1]
			var hol, wd []string
			for _, d := range y.Days {
				line := d.Date + " " + d.Name
				if d.Kind == workcal.Holiday {
					hol = append(hol, line)
				} else {
					wd = append(wd, line)
				}
			}
			form.Values.Set("year", strconv.Itoa(y.Year))
			form.Values.Set("hours", workcal.FormatHours(y.Hours))
			form.Values.Set("holidays", strings.Join(hol, "\n"))
			form.Values.Set("workdays", strings.Join(wd, "\n"))
		}
	}
	p := &CalendarPage{Years: years, Form: form, CanEdit: actor.Has(workcal.PermManage)}
	p.Title = i18n.T(web.Lang(r), "events.calendar")
	p.Section = "/event-categories"
	u.R.Render(w, r, status, "events/calendar", p)
	return nil
}

func (u *UI) saveCalendar(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(form.Trim("year"))
	y, err := yearFromText(year, form.Get("hours"), form.Get("holidays"), form.Get("workdays"), form.Get("provisional") == "1")
	if err == nil {
		err = u.Store.Cal.SetYear(r.Context(), actor, y)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Forbidden {
			return err
		}
		return u.renderCalendar(w, r, form.Fail(r, err), form)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, "/event-calendar", http.StatusSeeOther)
	return nil
}
