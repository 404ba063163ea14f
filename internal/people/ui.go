package people

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// UI serves the people pages.
type UI struct {
	Store *Store
	R     *web.Renderer
}

// Pages lists the page templates the UI needs.
var Pages = []string{"people/residents", "people/resident", "people/resident_form", "people/household", "people/my_grid",
	"people/members", "people/member", "people/member_form", "people/feedback", "people/in_service",
	"people/workers", "people/worker_form", "people/grid_staff", "people/staff_form"}

// Register parses the templates, adds the navigation and routes.
func (u *UI) Register(rt *web.Routes) error {
	if err := u.R.AddPages("people", templateFiles, "templates"); err != nil {
		return err
	}
	if err := u.R.Check(Pages...); err != nil {
		return err
	}
	u.R.AddNav(
		web.NavItem{Key: "nav.my_grid", Href: "/my-grid", Perm: PermRead, Order: 5},
		web.NavItem{Key: "nav.residents", Href: "/residents", Perm: PermRead, Order: 20, Group: "navgroup.people"},
		web.NavItem{Key: "nav.party_members", Href: "/party-members", Perm: PermRead, Order: 21, Group: "navgroup.people"},
		web.NavItem{Key: "nav.in_service", Href: "/in-service", Perm: PermRead, Order: 22, Group: "navgroup.people"},
		web.NavItem{Key: "nav.grid_staff", Href: "/grid-staff", Perm: PermRead, Order: 23, Group: "navgroup.people"},
		web.NavItem{Key: "nav.workers", Href: "/workers", Perm: PermRead, Order: 24, Group: "navgroup.people"},
	)
	rt.Page("GET /my-grid", web.Read(PermRead), u.myGrid)
	rt.Page("GET /residents", web.Read(PermRead), u.residents)
	rt.Page("GET /residents/new", web.Write(PermWrite), u.newResident)
	rt.Page("POST /residents", web.Write(PermWrite), u.saveResident)
	rt.Page("GET /residents/{id}", web.Read(PermRead).On("resident"), u.resident)
	rt.Page("GET /residents/{id}/edit", web.Write(PermWrite).On("resident"), u.editResident)
	rt.Page("POST /residents/{id}", web.Write(PermWrite).On("resident"), u.saveResident)
	rt.Page("POST /residents/{id}/reveal", web.Write(PermUnmask).On("resident"), u.reveal)
	rt.Page("POST /residents/{id}/status", web.Write(PermWrite).On("resident"), u.residentStatus)
	rt.Page("POST /households", web.Write(PermWrite), u.createHousehold)
	rt.Page("GET /households/{id}", web.Read(PermRead).On("household"), u.household)
	rt.Page("POST /households/{id}/move", web.Write(PermWrite).On("household"), u.moveHousehold)

	rt.Page("GET /party-members", web.Read(PermRead), u.members)
	rt.Page("GET /party-members/new", web.Write(PermWrite), u.newMember)
	rt.Page("POST /party-members", web.Write(PermWrite), u.saveMember)
	rt.Page("GET /party-members/{id}", web.Read(PermRead).On("party_member"), u.member)
	rt.Page("POST /party-members/{id}", web.Write(PermWrite).On("party_member"), u.saveMember)
	rt.Page("POST /party-members/{id}/register", web.Write(PermWrite).On("party_member"), u.registerMember)
	rt.Page("POST /party-members/{id}/hours", web.Write(PermWrite).On("party_member"), u.recordHours)
	rt.Page("GET /party-members/{id}/feedback", web.Read(PermRead).On("party_member"), u.feedback)
	rt.Page("GET /in-service", web.Read(PermRead), u.inService)
	rt.Page("POST /service-posts", web.Write(PermWrite), u.createPost)
	rt.Page("POST /service-posts/{id}/claims", web.Write(PermWrite).On("service_post"), u.claimPost)

	rt.Page("GET /workers", web.Read(PermRead), u.workers)
	rt.Page("GET /workers/new", web.Write(PermWrite), u.workerForm)
	rt.Page("GET /workers/{id}", web.Read(PermRead).On("worker"), u.workerForm)
	rt.Page("POST /workers", web.Write(PermWrite), u.saveWorker)
	rt.Page("POST /workers/{id}", web.Write(PermWrite).On("worker"), u.saveWorker)

	rt.Page("GET /grid-staff", web.Read(PermRead), u.gridStaff)
	rt.Page("GET /grid-staff/new", web.Write(PermWrite), u.staffForm)
	rt.Page("GET /grid-staff/{id}", web.Read(PermRead).On("grid_staff"), u.staffForm)
	rt.Page("POST /grid-staff", web.Write(PermWrite), u.saveStaff)
	rt.Page("POST /grid-staff/{id}", web.Write(PermWrite).On("grid_staff"), u.saveStaff)
	rt.Page("POST /grid-staff/{id}/delete", web.Write(PermWrite).On("grid_staff"), u.deleteStaff)
	return u.registerSheets(rt) // spreadsheet import and export (ui_import.go)
}

// options turns a Choice into select options in lang, optionally with an
// empty first choice labelled by emptyKey.
func options(lang i18n.Lang, c Choice, emptyKey string) []web.Option {
	var out []web.Option
	if emptyKey != "" {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, emptyKey)})
	}
	for _, v := range c.Values {
		if v == "" {
			continue
		}
		out = append(out, web.Option{Value: v, Label: i18n.T(lang, c.Prefix+"."+v)})
	}
	return out
}

// unitOptions lists the units of some types the actor may read, for a
// select; emptyKey labels an empty first choice.
func (u *UI) unitOptions(ctx context.Context, actor *auth.Actor, lang i18n.Lang, emptyKey string, types ...org.UnitType) ([]web.Option, error) {
	var out []web.Option
	if emptyKey != "" {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, emptyKey)})
	}
	for _, t := range types {
		list, _, err := u.Store.Orgs.ListUnits(ctx, actor, org.UnitFilter{Type: t, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			out = append(out, web.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name + " " + x.Code})
		}
	}
	return out, nil
}

// signedInID returns the signed-in actor and the id in the URL path.
func signedInID(r *http.Request) (*auth.Actor, int64, error) {
	actor, err := web.SignedIn(r)
	if err != nil {
		return nil, 0, err
	}
	id, err := web.PathID(r, "id")
	return actor, id, err
}

// editing reads the record named by the URL path's id with get, when the
// path has one (an edit); it returns a zero id and nil for a new record.
func editing[T any](r *http.Request, get func(id int64) (*T, error)) (int64, *T, error) {
	if r.PathValue("id") == "" {
		return 0, nil, nil
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	x, err := get(id)
	return id, x, err
}

// flashRedirect flashes key and sends the browser to url.
func flashRedirect(w http.ResponseWriter, r *http.Request, key, url string) error {
	web.SetFlash(w, key)
	http.Redirect(w, r, url, http.StatusSeeOther)
	return nil
}

// ResidentsPage lists residents.
type ResidentsPage struct {
	web.Page
	Form      *web.Form
	Units     []web.Option
	Tags      []web.Option
	Residents []Resident
	Pager     *web.Pager
	Sort      org.SortLinks
	Export    org.ExportLinks
	CanWrite  bool
}

func residentFilter(q *web.Query) ResidentFilter {
	return ResidentFilter{UnderID: q.ID("under"), Name: q.String("name"), Tag: q.Choice("tag", Tags.Values...), IDNumber: q.String("id_number"),
		Phone: q.String("phone"), AnyStatus: q.String("status") == "all", Sort: q.Choice("sort", "name", "age", "building"), Desc: q.String("order") == "desc"}
}

func (u *UI) residents(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := residentFilter(q)
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	p := &ResidentsPage{Form: web.NewForm(r.URL.Query()), Tags: options(lang, Tags, "people.any_tag"), Sort: org.NewSortLinks(r.URL, "building"),
		Export: org.NewExportLinks(&url.URL{Path: "/residents/export", RawQuery: r.URL.RawQuery}), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.residents")
	if p.Units, err = u.unitOptions(ctx, actor, lang, "people.all_area", org.Street, org.Community, org.Grid); err != nil {
		return err
	}
	p.Pager, err = web.ReadPage(r, 50, func(limit, offset int) (total int, err error) {
		f.Limit, f.Offset = limit, offset
		p.Residents, total, err = u.Store.ListResidents(ctx, actor, f)
		return total, err
	})
	if err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "people/residents", p)
	return nil
}

// ResidentPage shows one resident.
type ResidentPage struct {
	web.Page
	Resident  *Resident
	Household *Household
	Member    *PartyMember
	Revealed  *Revealed
	Form      *web.Form
	Statuses  []web.Option
	CanWrite  bool
	CanUnmask bool
}

func (u *UI) resident(w http.ResponseWriter, r *http.Request) error {
	return u.renderResident(w, r, http.StatusOK, web.NewForm(nil), nil)
}

func (u *UI) renderResident(w http.ResponseWriter, r *http.Request, status int, form *web.Form, revealed *Revealed) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	res, err := u.Store.Resident(ctx, actor, id)
	if err != nil {
		return err
	}
	p := &ResidentPage{Resident: res, Revealed: revealed, Form: form, Statuses: options(web.Lang(r), Statuses, ""),
		CanWrite: actor.Scope(PermWrite).Contains(res.UnitPath), CanUnmask: actor.Scope(PermUnmask).Contains(res.UnitPath)}
	p.Title = res.Name
	p.Section = "/residents"
	if p.Household, err = u.Store.Household(ctx, actor, res.HouseholdID); err != nil {
		return err
	}
	if p.Member, err = u.Store.MemberOfResident(ctx, actor, res.ID); err != nil {
		return err
	}
	u.R.Render(w, r, status, "people/resident", p)
	return nil
}

func (u *UI) reveal(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	rev, err := u.Store.Reveal(r.Context(), actor, id, form.Get("reason"))
	if err != nil {
		return u.renderResident(w, r, form.Fail(r, err), form, nil)
	}
	return u.renderResident(w, r, http.StatusOK, web.NewForm(nil), rev)
}

func (u *UI) residentStatus(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	if _, err := u.Store.SetResidentStatus(r.Context(), actor, id, form.Get("status"), form.Get("status_on"), form.Get("note")); err != nil {
		return u.renderResident(w, r, form.Fail(r, err), form, nil)
	}
	return flashRedirect(w, r, "web.saved", fmt.Sprintf("/residents/%d", id))
}

// ResidentFormPage creates or edits a resident.
type ResidentFormPage struct {
	web.Page
	Form       *web.Form
	Resident   *Resident
	Household  *Household
	Genders    []web.Option
	IDTypes    []web.Option
	Residences []web.Option
	Relations  []web.Option
	Tags       []web.Option
	Action     string
}

// HasTag reports whether the form has tag t checked.
func (p *ResidentFormPage) HasTag(t string) bool {
	for _, v := range p.Form.Values["tags"] {
		if v == t {
			return true
		}
	}
	return false
}

func (u *UI) renderResidentForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, res *Resident, h *Household) error {
	lang := web.Lang(r)
	p := &ResidentFormPage{Form: form, Resident: res, Household: h, Genders: options(lang, Genders, "people.from_id"), IDTypes: options(lang, IDTypes, ""),
		Residences: options(lang, Residences, ""), Relations: options(lang, Relations, "web.none"), Tags: options(lang, Tags, ""), Action: "/residents"}
	p.Section = "/residents"
	p.Title = i18n.T(lang, "people.new_resident")
	if res != nil {
		p.Title = i18n.T(lang, "people.edit_resident", res.Name)
		p.Action = fmt.Sprintf("/residents/%d", res.ID)
	}
	u.R.Render(w, r, status, "people/resident_form", p)
	return nil
}

func (u *UI) newResident(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	q := web.NewQuery(r)
	hid := q.ID("household")
	if err := q.Err(); err != nil {
		return err
	}
	h, err := u.Store.Household(r.Context(), actor, hid)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"household_id": {strconv.FormatInt(h.ID, 10)}, "residence": {"registered"}, "ethnicity": {"汉族"}})
	if len(h.Members) == 0 {
		form.Values.Set("relation", "head")
	}
	return u.renderResidentForm(w, r, http.StatusOK, form, nil, h)
}

func (u *UI) editResident(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	res, err := u.Store.Resident(r.Context(), actor, id)
	if err != nil {
		return err
	}
	h, err := u.Store.Household(r.Context(), actor, res.HouseholdID)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"household_id": {strconv.FormatInt(res.HouseholdID, 10)}, "name": {res.Name}, "gender": {res.Gender},
		"birth_date": {string(res.BirthDate)}, "id_type": {res.IDType}, "ethnicity": {res.Ethnicity}, "residence": {res.Residence},
		"relation": {res.Relation}, "tags": res.Tags})
	return u.renderResidentForm(w, r, http.StatusOK, form, res, h)
}

func (u *UI) saveResident(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := ResidentInput{HouseholdID: form.Int64("household_id"), Name: form.Get("name"), Gender: form.Get("gender"), BirthDate: form.Get("birth_date"),
		IDType: form.Get("id_type"), IDNumber: form.Get("id_number"), Phone: form.Get("phone"), Ethnicity: form.Get("ethnicity"),
		Residence: form.Get("residence"), Relation: form.Get("relation"), Tags: form.Values["tags"]}
	id, existing, err := editing(r, func(id int64) (*Resident, error) { return u.Store.Resident(ctx, actor, id) })
	if err != nil {
		return err
	}
	var res *Resident
	if existing != nil {
		in.HouseholdID = existing.HouseholdID
		res, err = u.Store.UpdateResident(ctx, actor, id, in)
	} else {
		res, err = u.Store.CreateResident(ctx, actor, in)
	}
	if err != nil {
		// Identity numbers and phones are not shown back in the form.
		form.Values.Del("id_number")
		form.Values.Del("phone")
		h, herr := u.Store.Household(ctx, actor, in.HouseholdID)
		if herr != nil {
			return err
		}
		return u.renderResidentForm(w, r, form.Fail(r, err), form, existing, h)
	}
	return flashRedirect(w, r, "web.saved", fmt.Sprintf("/residents/%d", res.ID))
}

// HouseholdPage shows a household, its members and history.
type HouseholdPage struct {
	web.Page
	Household *Household
	History   []HistoryEntry
	Form      *web.Form
	Buildings []web.Option
	CanWrite  bool
}

func (u *UI) household(w http.ResponseWriter, r *http.Request) error {
	return u.renderHousehold(w, r, http.StatusOK, web.NewForm(nil))
}

func (u *UI) renderHousehold(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	h, err := u.Store.Household(ctx, actor, id)
	if err != nil {
		return err
	}
	p := &HouseholdPage{Household: h, Form: form, CanWrite: actor.Scope(PermWrite).Contains(h.UnitPath)}
	p.Title = h.BuildingName + " " + h.Room
	p.Section = "/residents"
	if p.History, err = u.Store.History(ctx, actor, id); err != nil {
		return err
	}
	if p.CanWrite {
		if p.Buildings, err = u.buildingOptions(ctx, actor, h.UnitPath); err != nil {
			return err
		}
	}
	u.R.Render(w, r, status, "people/household", p)
	return nil
}

// buildingOptions lists the buildings of the community above path (where
// households usually move), or, for someone who looks after less than the
// community, the buildings they look after, as options.
func (u *UI) buildingOptions(ctx context.Context, actor *auth.Actor, path string) ([]web.Option, error) {
	c, err := u.Store.communityAbove(ctx, path)
	if err != nil {
		return nil, err
	}
	f := org.UnitFilter{Type: org.Building, Limit: 1000}
	if actor.Scope(PermRead).Contains(c.Path) {
		f.UnderID = c.ID
	}
	list, _, err := u.Store.Orgs.ListUnits(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, 0, len(list))
	for _, b := range list {
		out = append(out, web.Option{Value: strconv.FormatInt(b.ID, 10), Label: b.Name + " " + b.Code})
	}
	return out, nil
}

func (u *UI) moveHousehold(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	if _, err := u.Store.MoveHousehold(r.Context(), actor, id, form.Int64("building_id"), form.Get("room")); err != nil {
		return u.renderHousehold(w, r, form.Fail(r, err), form)
	}
	return flashRedirect(w, r, "people.moved", fmt.Sprintf("/households/%d", id))
}

func (u *UI) createHousehold(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	h, err := u.Store.CreateHousehold(r.Context(), actor, form.Int64("building_id"), form.Get("room"))
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/residents/new?household=%d", h.ID), http.StatusSeeOther)
	return nil
}

// MyGridPage is a grid member's phone page: the households of their grids.
type MyGridPage struct {
	web.Page
	Grids      []org.Unit
	Grid       *org.Unit
	Households []Household
	Pager      *web.Pager
	Form       *web.Form
	Buildings  []web.Option
	CanWrite   bool
}

func (u *UI) myGrid(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := web.Lang(r)
	p := &MyGridPage{Form: web.NewForm(r.URL.Query())}
	p.Title = i18n.T(lang, "nav.my_grid")
	grids, _, err := u.Store.Orgs.ListUnits(ctx, actor, org.UnitFilter{Type: org.Grid, Limit: 50})
	if err != nil {
		return err
	}
	p.Grids = grids
	q := web.NewQuery(r)
	want := q.ID("grid")
	if err := q.Err(); err != nil {
		return err
	}
	for i := range grids {
		if grids[i].ID == want || (want == 0 && i == 0) {
			p.Grid = &grids[i]
		}
	}
	if p.Grid == nil {
		if want != 0 {
			return apperr.NotFoundf("网格")
		}
		u.R.Render(w, r, http.StatusOK, "people/my_grid", p)
		return nil
	}
	p.CanWrite = actor.Scope(PermWrite).Contains(p.Grid.Path)
	p.Pager, err = web.ReadPage(r, 30, func(limit, offset int) (total int, err error) {
		p.Households, total, err = u.Store.ListHouseholds(ctx, actor, HouseholdFilter{UnderID: p.Grid.ID, Limit: limit, Offset: offset})
		return total, err
	})
	if err != nil {
		return err
	}
	if p.CanWrite {
		list, _, err := u.Store.Orgs.ListUnits(ctx, actor, org.UnitFilter{Type: org.Building, ParentID: p.Grid.ID, Limit: 500})
		if err != nil {
			return err
		}
		for _, b := range list {
			p.Buildings = append(p.Buildings, web.Option{Value: strconv.FormatInt(b.ID, 10), Label: b.Name})
		}
	}
	u.R.Render(w, r, http.StatusOK, "people/my_grid", p)
	return nil
}
