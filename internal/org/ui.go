package org

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// UI serves the org pages: the unit tree, party organisations, co-building
// units and part-time members.
type UI struct {
	Store *Store
	R     *web.Renderer
}

// Pages lists the page templates the UI needs.
var Pages = []string{"org/tree", "org/units", "org/unit", "org/unit_form", "org/unit_move",
	"org/party_orgs", "org/party_org_form", "org/co_building", "org/co_building_unit", "org/co_building_form",
	"org/part_time", "org/part_time_form"}

// Register parses the templates, adds the navigation and routes.
func (u *UI) Register(rt *web.Routes) error {
	if err := u.R.AddPages("org", templateFiles, "templates"); err != nil {
		return err
	}
	if err := u.R.Check(Pages...); err != nil {
		return err
	}
	u.R.AddNav(
		web.NavItem{Key: "nav.tree", Href: "/units", Perm: PermRead, Order: 10, Group: "navgroup.org"},
		web.NavItem{Key: "nav.party_orgs", Href: "/party-orgs", Perm: PermRead, Order: 11, Group: "navgroup.org"},
		web.NavItem{Key: "nav.co_building", Href: "/co-building", Perm: PermRead, Order: 12, Group: "navgroup.org"},
		web.NavItem{Key: "nav.part_time", Href: "/part-time-members", Perm: PermRead, Order: 13, Group: "navgroup.org"},
	)
	rt.Page("GET /units", web.Read(PermRead), u.tree)
	rt.Page("GET /units/list", web.Read(PermRead), u.units)
	rt.Page("GET /units/new", web.Write(PermWrite), u.newUnit)
	rt.Page("POST /units", web.Write(PermWrite), u.createUnit)
	rt.Page("GET /units/{id}", web.Read(PermRead).On("unit"), u.unit)
	rt.Page("GET /units/{id}/children", web.Read(PermRead).On("unit"), u.children)
	rt.Page("GET /units/{id}/edit", web.Write(PermWrite).On("unit"), u.editUnit)
	rt.Page("POST /units/{id}", web.Write(PermWrite).On("unit"), u.updateUnit)
	rt.Page("GET /units/{id}/move", web.Write(PermWrite).On("unit"), u.moveForm)
	rt.Page("POST /units/{id}/move", web.Write(PermWrite).On("unit"), u.moveUnit)
	rt.Page("POST /units/{id}/delete", web.Write(PermWrite).On("unit"), u.deleteUnit)

	rt.Page("GET /party-orgs", web.Read(PermRead), u.partyOrgs)
	rt.Page("GET /party-orgs/new", web.Write(PermWrite), u.newPartyOrg)
	rt.Page("POST /party-orgs", web.Write(PermWrite), u.savePartyOrg)
	rt.Page("GET /party-orgs/{id}", web.Read(PermRead).On("party_org"), u.editPartyOrg)
	rt.Page("POST /party-orgs/{id}", web.Write(PermWrite).On("party_org"), u.savePartyOrg)
	rt.Page("POST /party-orgs/{id}/delete", web.Write(PermWrite).On("party_org"), u.deletePartyOrg)

	rt.Page("GET /co-building", web.Read(PermRead), u.coBuilding)
	rt.Page("GET /co-building/new", web.Write(PermWrite), u.newCoBuilding)
	rt.Page("POST /co-building", web.Write(PermWrite), u.saveCoBuilding)
	rt.Page("GET /co-building/{id}", web.Read(PermRead).On("co_building"), u.coBuildingUnit)
	rt.Page("GET /co-building/{id}/edit", web.Write(PermWrite).On("co_building"), u.editCoBuilding)
	rt.Page("POST /co-building/{id}", web.Write(PermWrite).On("co_building"), u.saveCoBuilding)
	rt.Page("POST /co-building/{id}/delete", web.Write(PermWrite).On("co_building"), u.deleteCoBuilding)
	rt.Page("POST /co-building/{id}/agreements", web.Write(PermWrite).On("co_building"), u.addAgreement)
	rt.Page("POST /co-building/{id}/agreements/{aid}/delete", web.Write(PermWrite).On("co_building", "agreement"), u.deleteAgreement)

	rt.Page("GET /part-time-members", web.Read(PermRead), u.partTime)
	rt.Page("GET /part-time-members/new", web.Write(PermWrite), u.newPartTime)
	rt.Page("POST /part-time-members", web.Write(PermWrite), u.savePartTime)
	rt.Page("GET /part-time-members/{id}", web.Read(PermRead).On("part_time_member"), u.editPartTime)
	rt.Page("POST /part-time-members/{id}", web.Write(PermWrite).On("part_time_member"), u.savePartTime)
	rt.Page("POST /part-time-members/{id}/delete", web.Write(PermWrite).On("part_time_member"), u.deletePartTime)
	return nil
}

func typeOptions(lang i18n.Lang, types []UnitType, withAll bool) []web.Option {
	var out []web.Option
	if withAll {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, "web.all")})
	}
	for _, t := range types {
		out = append(out, web.Option{Value: string(t), Label: i18n.T(lang, "unit."+string(t))})
	}
	return out
}

// TreePage is the unit tree.
type TreePage struct {
	web.Page
	Roots    []TreeNode
	Form     *web.Form
	Types    []web.Option
	CanWrite bool
}

// TreeNode is a unit in the tree, with its children when they are shown.
type TreeNode struct {
	Unit     Unit
	Open     bool
	Children []TreeNode
}

func (u *UI) tree(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	roots, err := u.Store.Roots(r.Context(), actor)
	if err != nil {
		return err
	}
	p := &TreePage{Form: web.NewForm(r.URL.Query()), Types: typeOptions(web.Lang(r), UnitTypes, true), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(web.Lang(r), "nav.tree")
	for _, root := range roots {
		node := TreeNode{Unit: root, Open: true}
		kids, _, err := u.Store.ListUnits(r.Context(), actor, UnitFilter{ParentID: root.ID, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range kids {
			node.Children = append(node.Children, TreeNode{Unit: k})
		}
		p.Roots = append(p.Roots, node)
	}
	u.R.Render(w, r, http.StatusOK, "org/tree", p)
	return nil
}

// ChildrenPage is the children of one unit, as a tree fragment.
type ChildrenPage struct {
	web.Page
	Nodes []TreeNode
}

func (u *UI) children(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := u.Store.Unit(r.Context(), actor, id); err != nil {
		return err
	}
	kids, _, err := u.Store.ListUnits(r.Context(), actor, UnitFilter{ParentID: id, Limit: 1000})
	if err != nil {
		return err
	}
	p := &ChildrenPage{}
	for _, k := range kids {
		p.Nodes = append(p.Nodes, TreeNode{Unit: k})
	}
	u.R.Fragment(w, r, "org/tree", "tree-children", p)
	return nil
}

// UnitsPage is a searchable, sortable, exportable list of units.
type UnitsPage struct {
	web.Page
	Form   *web.Form
	Types  []web.Option
	Units  []Unit
	Pager  *web.Pager
	Sort   SortLinks
	Export ExportLinks
	Parent *Unit
	Under  *Unit
}

// SortLinks builds the header links of a server-sorted table.
type SortLinks struct {
	base url.URL
	sort string
	desc bool
}

// NewSortLinks reads the current sort from u.
func NewSortLinks(u *url.URL, defaultSort string) SortLinks {
	s := u.Query().Get("sort")
	if s == "" {
		s = defaultSort
	}
	return SortLinks{base: *u, sort: s, desc: u.Query().Get("order") == "desc"}
}

// URL returns the address that sorts by col (flipping the order if it is
// already sorted by col).
func (s SortLinks) URL(col string) string {
	u := s.base
	q := u.Query()
	q.Set("sort", col)
	q.Del("page")
	if col == s.sort && !s.desc {
		q.Set("order", "desc")
	} else {
		q.Del("order")
	}
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Class returns the header class showing the sort state of col.
func (s SortLinks) Class(col string) string {
	if col != s.sort {
		return ""
	}
	if s.desc {
		return "sorted-desc"
	}
	return "sorted-asc"
}

// ExportLinks are the addresses of a list's exports.
type ExportLinks struct{ CSV, XLSX string }

// NewExportLinks returns the export addresses of the list at u.
func NewExportLinks(u *url.URL) ExportLinks {
	mk := func(f string) string {
		c := *u
		q := c.Query()
		q.Set("format", f)
		q.Del("page")
		c.RawQuery = q.Encode()
		return c.RequestURI()
	}
	return ExportLinks{CSV: mk("csv"), XLSX: mk("xlsx")}
}

const exportLimit = 100000

func (u *UI) units(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := UnitFilter{Type: UnitType(q.Choice("type", unitTypeNames()...)), ParentID: q.ID("parent"), UnderID: q.ID("under"),
		Query: q.String("q"), Sort: q.Choice("sort", "code", "name", "type"), Desc: q.String("order") == "desc"}
	if err := q.Err(); err != nil {
		return err
	}
	p := &UnitsPage{Form: web.NewForm(r.URL.Query()), Types: typeOptions(lang, UnitTypes, true), Sort: NewSortLinks(r.URL, "code"), Export: NewExportLinks(r.URL)}
	p.Title = i18n.T(lang, "org.units_title")
	p.Section = "/units"
	ctx := r.Context()
	if f.ParentID != 0 {
		if p.Parent, err = u.Store.Unit(ctx, actor, f.ParentID); err != nil {
			return err
		}
	}
	if f.UnderID != 0 {
		if p.Under, err = u.Store.Unit(ctx, actor, f.UnderID); err != nil {
			return err
		}
	}
	if format := r.URL.Query().Get("format"); format != "" {
		f.Limit = exportLimit
		units, _, err := u.Store.ListUnits(ctx, actor, f)
		if err != nil {
			return err
		}
		sheet := web.Sheet{Name: i18n.T(lang, "org.units_title"), Header: []string{
			i18n.T(lang, "org.code"), i18n.T(lang, "org.name"), i18n.T(lang, "org.type"), i18n.T(lang, "org.children")}}
		for _, x := range units {
			sheet.Rows = append(sheet.Rows, []any{x.Code, x.Name, i18n.T(lang, "unit."+string(x.Type)), x.Children})
		}
		_, err = web.Export(w, r, "units", sheet)
		return err
	}
	_, total, err := u.Store.ListUnits(ctx, actor, UnitFilter{Type: f.Type, ParentID: f.ParentID, UnderID: f.UnderID, Query: f.Query, Limit: 1})
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, 50, i18n.T(lang, "web.pager"))
	f.Limit, f.Offset = 50, p.Pager.Offset()
	if p.Units, _, err = u.Store.ListUnits(ctx, actor, f); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "org/units", p)
	return nil
}

// UnitPage shows one unit.
type UnitPage struct {
	web.Page
	Unit       *Unit
	Ancestors  []Unit
	Children   []Unit
	ChildTotal int
	PartyOrgs  []PartyOrg
	CoBuilding []CoBuildingUnit
	ChildTypes []UnitType
	CanWrite   bool
	CanManage  bool // below the actor's own unit: may move, recode, delete
	MapJSON    template.JS
}

func (u *UI) unit(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	unit, err := u.Store.Unit(ctx, actor, id)
	if err != nil {
		return err
	}
	p := &UnitPage{Unit: unit, ChildTypes: unit.Type.ChildTypes()}
	p.Title = unit.Name
	p.Section = "/units"
	writeScope := actor.Scope(PermWrite)
	p.CanWrite = writeScope.Contains(unit.Path)
	p.CanManage = writeScope.ContainsBelow(unit.Path)
	if p.Ancestors, err = u.Store.Ancestors(ctx, actor, unit); err != nil {
		return err
	}
	if p.Children, p.ChildTotal, err = u.Store.ListUnits(ctx, actor, UnitFilter{ParentID: id, Limit: 500}); err != nil {
		return err
	}
	if p.PartyOrgs, _, err = u.Store.ListPartyOrgs(ctx, actor, PartyOrgFilter{UnitID: id, Limit: 200}); err != nil {
		return err
	}
	if unit.Type == Community {
		if p.CoBuilding, _, err = u.Store.ListCoBuildingUnits(ctx, actor, CoBuildingFilter{UnderID: id, Limit: 200}); err != nil {
			return err
		}
	}
	p.MapJSON = mapJSON(unit, p.Children)
	u.R.Render(w, r, http.StatusOK, "org/unit", p)
	return nil
}

// mapJSON is the GeoJSON FeatureCollection of a unit's boundary and its
// children's, for the page's map; empty when none has a boundary.
func mapJSON(unit *Unit, children []Unit) template.JS {
	type feature struct {
		Type       string          `json:"type"`
		Geometry   json.RawMessage `json:"geometry"`
		Properties map[string]any  `json:"properties"`
	}
	var fs []feature
	add := func(x *Unit, self bool) {
		if x.Boundary != "" {
			fs = append(fs, feature{Type: "Feature", Geometry: json.RawMessage(x.Boundary),
				Properties: map[string]any{"name": x.Name, "code": x.Code, "href": fmt.Sprintf("/units/%d", x.ID), "self": self}})
		}
	}
	add(unit, true)
	for i := range children {
		add(&children[i], false)
	}
	if len(fs) == 0 {
		return ""
	}
	b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": fs})
	return template.JS(b)
}

// UnitFormPage creates or edits a unit.
type UnitFormPage struct {
	web.Page
	Form   *web.Form
	Unit   *Unit // nil when new
	Parent *Unit
	Types  []web.Option
	Action string
}

func (u *UI) newUnit(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := web.NewQuery(r)
	parentID := q.ID("parent")
	if err := q.Err(); err != nil {
		return err
	}
	parent, err := u.writableUnit(ctx, actor, parentID)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"parent_id": {strconv.FormatInt(parent.ID, 10)}})
	types := parent.Type.ChildTypes()
	t := UnitType(r.URL.Query().Get("type"))
	if !t.CanSitUnder(parent.Type) && len(types) > 0 {
		t = types[0]
	}
	form.Values.Set("type", string(t))
	if code, err := u.Store.NextCode(ctx, t, parent); err == nil {
		form.Values.Set("code", code)
	}
	return u.renderUnitForm(w, r, http.StatusOK, form, nil, parent)
}

func (u *UI) writableUnit(ctx context.Context, actor *auth.Actor, id int64) (*Unit, error) {
	unit, err := u.Store.Unit(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !actor.Scope(PermWrite).Contains(unit.Path) {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return unit, nil
}

func (u *UI) renderUnitForm(w http.ResponseWriter, req *http.Request, status int, form *web.Form, unit, parent *Unit) error {
	p := &UnitFormPage{Form: form, Unit: unit, Parent: parent}
	lang := web.Lang(req)
	p.Section = "/units"
	if unit == nil {
		p.Action = "/units"
		// The code suggested depends on the type: a type chosen from the
		// unit's page stays fixed, so the two agree.
		if t := UnitType(form.Get("type")); t.CanSitUnder(parent.Type) && req.URL.Query().Get("type") != "" {
			p.Types = typeOptions(lang, []UnitType{t}, false)
			p.Title = i18n.T(lang, "org.new_unit_of", i18n.T(lang, "unit."+string(t)))
		} else {
			p.Types = typeOptions(lang, parent.Type.ChildTypes(), false)
			p.Title = i18n.T(lang, "org.new_unit")
		}
	} else {
		p.Title = i18n.T(lang, "org.edit_unit", unit.Name)
		p.Action = fmt.Sprintf("/units/%d", unit.ID)
	}
	u.R.Render(w, req, status, "org/unit_form", p)
	return nil
}

func (u *UI) createUnit(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	parent, err := u.writableUnit(ctx, actor, form.Int64("parent_id"))
	if err != nil {
		return err
	}
	unit, err := u.Store.CreateUnit(ctx, actor, UnitInput{ParentID: parent.ID, Type: UnitType(form.Get("type")),
		Code: form.Get("code"), Name: form.Get("name"), Boundary: form.Get("boundary")})
	if err != nil {
		return u.renderUnitForm(w, r, form.Fail(r, err), form, nil, parent)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, fmt.Sprintf("/units/%d", unit.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) editUnit(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	unit, err := u.writableUnit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"code": {unit.Code}, "name": {unit.Name}, "boundary": {unit.Boundary}})
	return u.renderUnitForm(w, r, http.StatusOK, form, unit, nil)
}

func (u *UI) updateUnit(w http.ResponseWriter, r *http.Request) error {
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
	unit, err := u.writableUnit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	name, code, boundary := form.Get("name"), form.Get("code"), form.Get("boundary")
	if _, err := u.Store.UpdateUnit(r.Context(), actor, id, UnitPatch{Name: &name, Code: &code, Boundary: &boundary}); err != nil {
		return u.renderUnitForm(w, r, form.Fail(r, err), form, unit, nil)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, fmt.Sprintf("/units/%d", id), http.StatusSeeOther)
	return nil
}

// MovePage moves a unit under another parent.
type MovePage struct {
	web.Page
	Form       *web.Form
	Unit       *Unit
	Candidates []Unit
}

func (u *UI) moveForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	unit, err := u.writableUnit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	return u.renderMove(w, r, http.StatusOK, web.NewForm(nil), actor, unit)
}

func (u *UI) renderMove(w http.ResponseWriter, r *http.Request, status int, form *web.Form, actor *auth.Actor, unit *Unit) error {
	p := &MovePage{Form: form, Unit: unit}
	p.Title = i18n.T(web.Lang(r), "org.move_unit", unit.Name)
	p.Section = "/units"
	for _, t := range allowedParents[unit.Type] {
		list, _, err := u.Store.ListUnits(r.Context(), actor, UnitFilter{Type: t, Limit: 1000})
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.ID != unit.ParentID {
				p.Candidates = append(p.Candidates, c)
			}
		}
	}
	u.R.Render(w, r, status, "org/unit_move", p)
	return nil
}

func (u *UI) moveUnit(w http.ResponseWriter, r *http.Request) error {
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
	ctx := r.Context()
	unit, err := u.writableUnit(ctx, actor, id)
	if err != nil {
		return err
	}
	parent, err := u.Store.UnitByCode(ctx, actor, form.Get("parent_code"))
	if apperr.IsFault(err) {
		return err
	}
	if err != nil {
		form.Errors = map[string]string{"parent_code": i18n.T(web.Lang(r), "org.parent_not_found")}
		return u.renderMove(w, r, http.StatusBadRequest, form, actor, unit)
	}
	if _, err := u.Store.MoveUnit(ctx, actor, id, parent.ID, form.Get("code")); err != nil {
		status := form.Fail(r, err)
		if msg, ok := form.Errors["parent_id"]; ok {
			form.Errors["parent_code"] = msg
		}
		return u.renderMove(w, r, status, form, actor, unit)
	}
	web.SetFlash(w, "org.moved")
	http.Redirect(w, r, fmt.Sprintf("/units/%d", id), http.StatusSeeOther)
	return nil
}

func (u *UI) deleteUnit(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	unit, err := u.Store.Unit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if err := u.Store.DeleteUnit(r.Context(), actor, id); err != nil {
		return err
	}
	web.SetFlash(w, "web.deleted")
	http.Redirect(w, r, fmt.Sprintf("/units/%d", unit.ParentID), http.StatusSeeOther)
	return nil
}
