package events

import (
	"net/http"
	"net/url"
	"strconv"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

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
