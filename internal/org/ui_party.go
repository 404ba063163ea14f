package org

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

func partyTypeOptions(lang i18n.Lang, withAll bool) []web.Option {
	var out []web.Option
	if withAll {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, "web.all")})
	}
	for _, t := range PartyOrgTypes {
		out = append(out, web.Option{Value: string(t), Label: i18n.T(lang, "party."+string(t))})
	}
	return out
}

func checklistOptions(lang i18n.Lang) []web.Option {
	out := []web.Option{{Value: "", Label: i18n.T(lang, "web.all")}}
	for _, t := range ChecklistTypes {
		out = append(out, web.Option{Value: string(t), Label: i18n.T(lang, "party."+string(t))})
	}
	return out
}

// PartyOrgsPage lists party organisations.
type PartyOrgsPage struct {
	web.Page
	Form       *web.Form
	Types      []web.Option
	Checklists []web.Option
	Orgs       []PartyOrg
	Pager      *web.Pager
	Sort       SortLinks
	Export     ExportLinks
	CanWrite   bool
}

func (u *UI) partyOrgs(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	checklist := make([]string, len(ChecklistTypes))
	for i, t := range ChecklistTypes {
		checklist[i] = string(t)
	}
	f := PartyOrgFilter{Type: PartyOrgType(q.Choice("type", partyTypeNames()...)), Checklist: PartyOrgType(q.Choice("checklist", checklist...)),
		UnderID: q.ID("under"), Query: q.String("q"), Sort: q.Choice("sort", "name", "type", "unit", "members", "founded"), Desc: q.String("order") == "desc"}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	if r.URL.Query().Get("format") != "" {
		f.Limit = exportLimit
		orgs, _, err := u.Store.ListPartyOrgs(ctx, actor, f)
		if err != nil {
			return err
		}
		sheet := web.Sheet{Name: i18n.T(lang, "nav.party_orgs"), Header: []string{i18n.T(lang, "org.name"), i18n.T(lang, "org.type"),
			i18n.T(lang, "org.checklist"), i18n.T(lang, "org.unit"), i18n.T(lang, "org.unit_code"), i18n.T(lang, "org.parent_org"),
			i18n.T(lang, "org.secretary"), i18n.T(lang, "org.members"), i18n.T(lang, "org.founded")}}
		for _, o := range orgs {
			checklist := ""
			if c, ok := o.Type.Checklist(); ok {
				checklist = i18n.T(lang, "party."+string(c))
			}
			sheet.Rows = append(sheet.Rows, []any{o.Name, i18n.T(lang, "party."+string(o.Type)), checklist, o.UnitName, o.UnitCode,
				o.ParentName, o.Secretary, o.MemberCount, o.FoundedOn})
		}
		_, err = web.Export(w, r, "party-orgs", sheet)
		return err
	}
	p := &PartyOrgsPage{Form: web.NewForm(r.URL.Query()), Types: partyTypeOptions(lang, true), Checklists: checklistOptions(lang),
		Sort: NewSortLinks(r.URL, "unit"), Export: NewExportLinks(r.URL), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.party_orgs")
	count := f
	count.Limit = 1
	_, total, err := u.Store.ListPartyOrgs(ctx, actor, count)
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, 50, i18n.T(lang, "web.pager"))
	f.Limit, f.Offset = 50, p.Pager.Offset()
	if p.Orgs, _, err = u.Store.ListPartyOrgs(ctx, actor, f); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "org/party_orgs", p)
	return nil
}

// PartyOrgFormPage creates or edits a party organisation.
type PartyOrgFormPage struct {
	web.Page
	Form    *web.Form
	Org     *PartyOrg
	Types   []web.Option
	Parents []web.Option
	Units   []Unit
	Action  string
}

// parentCandidates are the structural organisations an organisation may
// hang under, as options.
func (u *UI) parentCandidates(ctx context.Context, actor *auth.Actor, lang i18n.Lang) ([]web.Option, error) {
	out := []web.Option{{Value: "", Label: i18n.T(lang, "web.none")}}
	for _, t := range []PartyOrgType{DistrictCommittee, StreetWorkingCommittee, CommunityOrg, AreaBranch} {
		list, _, err := u.Store.ListPartyOrgs(ctx, actor, PartyOrgFilter{Type: t, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			out = append(out, web.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	return out, nil
}

func (u *UI) renderPartyOrgForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, org *PartyOrg) error {
	actor, _ := web.SignedIn(r)
	lang := web.Lang(r)
	p := &PartyOrgFormPage{Form: form, Org: org, Types: partyTypeOptions(lang, false), Action: "/party-orgs"}
	p.Section = "/party-orgs"
	p.Title = i18n.T(lang, "org.new_party_org")
	if org != nil {
		p.Title = org.Name
		p.Action = fmt.Sprintf("/party-orgs/%d", org.ID)
	}
	var err error
	if p.Parents, err = u.parentCandidates(r.Context(), actor, lang); err != nil {
		return err
	}
	for _, t := range []UnitType{District, Street, Community, Area, Department} {
		list, _, err := u.Store.ListUnits(r.Context(), actor, UnitFilter{Type: t, Limit: 1000})
		if err != nil {
			return err
		}
		p.Units = append(p.Units, list...)
	}
	u.R.Render(w, r, status, "org/party_org_form", p)
	return nil
}

func (u *UI) newPartyOrg(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"type": {string(StreetCommunity)}})
	if id, err := strconv.ParseInt(r.URL.Query().Get("unit"), 10, 64); err == nil {
		if unit, err := u.Store.Unit(r.Context(), actor, id); err == nil {
			form.Values.Set("unit_code", unit.Code)
		}
	}
	return u.renderPartyOrgForm(w, r, http.StatusOK, form, nil)
}

func (u *UI) editPartyOrg(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := u.Store.PartyOrg(r.Context(), actor, id)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"unit_code": {o.UnitCode}, "type": {string(o.Type)}, "name": {o.Name}, "secretary": {o.Secretary},
		"founded_on": {string(o.FoundedOn)}, "member_count": {strconv.Itoa(o.MemberCount)}, "parent_id": {idText(o.ParentID)}})
	return u.renderPartyOrgForm(w, r, http.StatusOK, form, o)
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func (u *UI) savePartyOrg(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var existing *PartyOrg
	if r.PathValue("id") != "" {
		var id int64
		if id, err = web.PathID(r, "id"); err != nil {
			return err
		}
		if existing, err = u.Store.PartyOrg(ctx, actor, id); err != nil {
			return err
		}
	}
	in := PartyOrgInput{Type: PartyOrgType(form.Get("type")), Name: form.Get("name"), Secretary: form.Get("secretary"),
		FoundedOn: form.Get("founded_on"), ParentID: form.Int64("parent_id")}
	if n := form.Trim("member_count"); n != "" {
		if in.MemberCount, err = strconv.Atoi(n); err != nil {
			in.MemberCount = -1
		}
	}
	if unit, err := u.Store.UnitByCode(ctx, actor, form.Get("unit_code")); err == nil {
		in.UnitID = unit.ID
	} else if apperr.IsFault(err) {
		return err
	}
	var saved *PartyOrg
	if existing == nil {
		saved, err = u.Store.CreatePartyOrg(ctx, actor, in)
	} else {
		saved, err = u.Store.UpdatePartyOrg(ctx, actor, existing.ID, in)
	}
	if err != nil {
		status := form.Fail(r, err)
		if msg, ok := form.Errors["unit_id"]; ok {
			form.Errors["unit_code"] = msg
		}
		return u.renderPartyOrgForm(w, r, status, form, existing)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, fmt.Sprintf("/units/%d", saved.UnitID), http.StatusSeeOther)
	return nil
}

func (u *UI) deletePartyOrg(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Store.DeletePartyOrg(r.Context(), actor, id); err != nil {
		return err
	}
	web.SetFlash(w, "web.deleted")
	http.Redirect(w, r, "/party-orgs", http.StatusSeeOther)
	return nil
}

func kindOptions(lang i18n.Lang, withAll bool) []web.Option {
	var out []web.Option
	if withAll {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, "web.all")})
	}
	for _, k := range CoBuildingKinds {
		out = append(out, web.Option{Value: string(k), Label: i18n.T(lang, "cob."+string(k))})
	}
	return out
}

// CoBuildingPage lists co-building units.
type CoBuildingPage struct {
	web.Page
	Form     *web.Form
	Kinds    []web.Option
	Units    []CoBuildingUnit
	Pager    *web.Pager
	Sort     SortLinks
	Export   ExportLinks
	CanWrite bool
}

func (u *UI) coBuilding(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	kinds := make([]string, len(CoBuildingKinds))
	for i, k := range CoBuildingKinds {
		kinds[i] = string(k)
	}
	f := CoBuildingFilter{Kind: CoBuildingKind(q.Choice("kind", kinds...)), UnderID: q.ID("under"), Query: q.String("q"),
		Sort: q.Choice("sort", "name", "kind", "community"), Desc: q.String("order") == "desc"}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	if r.URL.Query().Get("format") != "" {
		f.Limit = exportLimit
		list, _, err := u.Store.ListCoBuildingUnits(ctx, actor, f)
		if err != nil {
			return err
		}
		sheet := web.Sheet{Name: i18n.T(lang, "nav.co_building"), Header: []string{i18n.T(lang, "org.name"), i18n.T(lang, "org.kind"),
			i18n.T(lang, "unit.community"), i18n.T(lang, "org.address"), i18n.T(lang, "org.contact"), i18n.T(lang, "org.agreements"), i18n.T(lang, "org.signed_on")}}
		for _, c := range list {
			var signed date.Date
			if len(c.Agreements) > 0 {
				signed = c.Agreements[0].SignedOn
			}
			sheet.Rows = append(sheet.Rows, []any{c.Name, i18n.T(lang, "cob."+string(c.Kind)), c.CommunityName, c.Address, c.Contact, len(c.Agreements), signed})
		}
		_, err = web.Export(w, r, "co-building-units", sheet)
		return err
	}
	p := &CoBuildingPage{Form: web.NewForm(r.URL.Query()), Kinds: kindOptions(lang, true), Sort: NewSortLinks(r.URL, "name"),
		Export: NewExportLinks(r.URL), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.co_building")
	count := f
	count.Limit = 1
	_, total, err := u.Store.ListCoBuildingUnits(ctx, actor, count)
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, 50, i18n.T(lang, "web.pager"))
	f.Limit, f.Offset = 50, p.Pager.Offset()
	if p.Units, _, err = u.Store.ListCoBuildingUnits(ctx, actor, f); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "org/co_building", p)
	return nil
}

// CoBuildingUnitPage shows a co-building unit and its agreements.
type CoBuildingUnitPage struct {
	web.Page
	Unit     *CoBuildingUnit
	Form     *web.Form // a new agreement
	CanWrite bool
}

func (u *UI) coBuildingUnit(w http.ResponseWriter, r *http.Request) error {
	return u.renderCoBuildingUnit(w, r, http.StatusOK, web.NewForm(nil))
}

func (u *UI) renderCoBuildingUnit(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := u.Store.CoBuildingUnit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	p := &CoBuildingUnitPage{Unit: c, Form: form, CanWrite: actor.Scope(PermWrite).Contains(c.CommunityPath)}
	p.Title = c.Name
	p.Section = "/co-building"
	u.R.Render(w, r, status, "org/co_building_unit", p)
	return nil
}

// CoBuildingFormPage creates or edits a co-building unit.
type CoBuildingFormPage struct {
	web.Page
	Form        *web.Form
	Unit        *CoBuildingUnit
	Kinds       []web.Option
	Communities []web.Option
	Action      string
}

func (u *UI) communityOptions(ctx context.Context, actor *auth.Actor) ([]web.Option, error) {
	list, _, err := u.Store.ListUnits(ctx, actor, UnitFilter{Type: Community, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := make([]web.Option, 0, len(list))
	for _, c := range list {
		out = append(out, web.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name + " " + c.Code})
	}
	return out, nil
}

func (u *UI) renderCoBuildingForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, c *CoBuildingUnit) error {
	actor, _ := web.SignedIn(r)
	lang := web.Lang(r)
	p := &CoBuildingFormPage{Form: form, Unit: c, Kinds: kindOptions(lang, false), Action: "/co-building"}
	p.Section = "/co-building"
	p.Title = i18n.T(lang, "org.new_co_building")
	if c != nil {
		p.Title = c.Name
		p.Action = fmt.Sprintf("/co-building/%d", c.ID)
	}
	var err error
	if p.Communities, err = u.communityOptions(r.Context(), actor); err != nil {
		return err
	}
	u.R.Render(w, r, status, "org/co_building_form", p)
	return nil
}

func (u *UI) newCoBuilding(w http.ResponseWriter, r *http.Request) error {
	form := web.NewForm(url.Values{"community_id": {r.URL.Query().Get("community")}, "kind": {string(CityBody)}})
	return u.renderCoBuildingForm(w, r, http.StatusOK, form, nil)
}

func (u *UI) editCoBuilding(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := u.Store.CoBuildingUnit(r.Context(), actor, id)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"community_id": {strconv.FormatInt(c.CommunityID, 10)}, "name": {c.Name}, "kind": {string(c.Kind)},
		"address": {c.Address}, "contact": {c.Contact}})
	return u.renderCoBuildingForm(w, r, http.StatusOK, form, c)
}

func (u *UI) saveCoBuilding(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := CoBuildingInput{CommunityID: form.Int64("community_id"), Name: form.Get("name"), Kind: CoBuildingKind(form.Get("kind")),
		Address: form.Get("address"), Contact: form.Get("contact")}
	var existing, saved *CoBuildingUnit
	if r.PathValue("id") != "" {
		var id int64
		if id, err = web.PathID(r, "id"); err != nil {
			return err
		}
		if existing, err = u.Store.CoBuildingUnit(ctx, actor, id); err != nil {
			return err
		}
		saved, err = u.Store.UpdateCoBuildingUnit(ctx, actor, id, in)
	} else {
		saved, err = u.Store.CreateCoBuildingUnit(ctx, actor, in)
	}
	if err != nil {
		return u.renderCoBuildingForm(w, r, form.Fail(r, err), form, existing)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, fmt.Sprintf("/co-building/%d", saved.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) deleteCoBuilding(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Store.DeleteCoBuildingUnit(r.Context(), actor, id); err != nil {
		return err
	}
	web.SetFlash(w, "web.deleted")
	http.Redirect(w, r, "/co-building", http.StatusSeeOther)
	return nil
}

func (u *UI) addAgreement(w http.ResponseWriter, r *http.Request) error {
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
	if _, err := u.Store.AddAgreement(r.Context(), actor, id, AgreementInput{SignedOn: form.Get("signed_on"), ExpiresOn: form.Get("expires_on"), Content: form.Get("content")}); err != nil {
		return u.renderCoBuildingUnit(w, r, form.Fail(r, err), form)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, fmt.Sprintf("/co-building/%d", id), http.StatusSeeOther)
	return nil
}

func (u *UI) deleteAgreement(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := web.PathID(r, "aid")
	if err != nil {
		return err
	}
	if err := u.Store.DeleteAgreement(r.Context(), actor, id, aid); err != nil {
		return err
	}
	web.SetFlash(w, "web.deleted")
	http.Redirect(w, r, fmt.Sprintf("/co-building/%d", id), http.StatusSeeOther)
	return nil
}

// PartTimePage lists part-time committee members.
type PartTimePage struct {
	web.Page
	Members  []PartTimeMember
	Export   ExportLinks
	CanWrite bool
}

func (u *UI) partTime(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	list, err := u.Store.ListPartTimeMembers(r.Context(), actor, 0)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") != "" {
		sheet := web.Sheet{Name: i18n.T(lang, "nav.part_time"), Header: []string{i18n.T(lang, "org.person_name"), i18n.T(lang, "unit.street"),
			i18n.T(lang, "org.employer"), i18n.T(lang, "org.position"), i18n.T(lang, "org.term_start"), i18n.T(lang, "org.term_end")}}
		for _, m := range list {
			sheet.Rows = append(sheet.Rows, []any{m.Name, m.StreetName, m.Employer, m.Position, m.TermStart, m.TermEnd})
		}
		_, err = web.Export(w, r, "part-time-members", sheet)
		return err
	}
	p := &PartTimePage{Members: list, Export: NewExportLinks(r.URL), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.part_time")
	u.R.Render(w, r, http.StatusOK, "org/part_time", p)
	return nil
}

// PartTimeFormPage creates or edits a part-time member.
type PartTimeFormPage struct {
	web.Page
	Form       *web.Form
	Member     *PartTimeMember
	Streets    []web.Option
	CoBuilding []web.Option
	Action     string
}

func (u *UI) renderPartTimeForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, m *PartTimeMember) error {
	actor, _ := web.SignedIn(r)
	lang := web.Lang(r)
	ctx := r.Context()
	p := &PartTimeFormPage{Form: form, Member: m, Action: "/part-time-members"}
	p.Section = "/part-time-members"
	p.Title = i18n.T(lang, "org.new_part_time")
	if m != nil {
		p.Title = m.Name
		p.Action = fmt.Sprintf("/part-time-members/%d", m.ID)
	}
	streets, _, err := u.Store.ListUnits(ctx, actor, UnitFilter{Type: Street, Limit: 1000})
	if err != nil {
		return err
	}
	for _, s := range streets {
		p.Streets = append(p.Streets, web.Option{Value: strconv.FormatInt(s.ID, 10), Label: s.Name})
	}
	cbs, _, err := u.Store.ListCoBuildingUnits(ctx, actor, CoBuildingFilter{Limit: 1000})
	if err != nil {
		return err
	}
	p.CoBuilding = []web.Option{{Value: "", Label: i18n.T(lang, "web.none")}}
	for _, c := range cbs {
		p.CoBuilding = append(p.CoBuilding, web.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	u.R.Render(w, r, status, "org/part_time_form", p)
	return nil
}

func (u *UI) newPartTime(w http.ResponseWriter, r *http.Request) error {
	return u.renderPartTimeForm(w, r, http.StatusOK, web.NewForm(nil), nil)
}

func (u *UI) editPartTime(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := u.Store.PartTimeMember(r.Context(), actor, id)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"street_id": {strconv.FormatInt(m.StreetID, 10)}, "co_building_unit_id": {idText(m.CoBuildingUnitID)},
		"name": {m.Name}, "employer": {m.Employer}, "position": {m.Position}, "term_start": {string(m.TermStart)}, "term_end": {string(m.TermEnd)}})
	return u.renderPartTimeForm(w, r, http.StatusOK, form, m)
}

func (u *UI) savePartTime(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := PartTimeInput{StreetID: form.Int64("street_id"), CoBuildingUnitID: form.Int64("co_building_unit_id"), Name: form.Get("name"),
		Employer: form.Get("employer"), Position: form.Get("position"), TermStart: form.Get("term_start"), TermEnd: form.Get("term_end")}
	var existing *PartTimeMember
	if r.PathValue("id") != "" {
		var id int64
		if id, err = web.PathID(r, "id"); err != nil {
			return err
		}
		if existing, err = u.Store.PartTimeMember(ctx, actor, id); err != nil {
			return err
		}
		_, err = u.Store.UpdatePartTimeMember(ctx, actor, id, in)
	} else {
		_, err = u.Store.CreatePartTimeMember(ctx, actor, in)
	}
	if err != nil {
		return u.renderPartTimeForm(w, r, form.Fail(r, err), form, existing)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, "/part-time-members", http.StatusSeeOther)
	return nil
}

func (u *UI) deletePartTime(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := u.Store.DeletePartTimeMember(r.Context(), actor, id); err != nil {
		return err
	}
	web.SetFlash(w, "web.deleted")
	http.Redirect(w, r, "/part-time-members", http.StatusSeeOther)
	return nil
}
