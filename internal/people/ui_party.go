package people

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// MembersPage lists party members.
type MembersPage struct {
	web.Page
	Form     *web.Form
	Units    []web.Option
	Members  []PartyMember
	Pager    *web.Pager
	CanWrite bool
}

func (u *UI) members(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := MemberFilter{UnderID: q.ID("under"), Name: q.String("name"), InService: q.String("in_service") == "1", Registered: q.String("registered") == "1"}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	p := &MembersPage{Form: web.NewForm(r.URL.Query()), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.party_members")
	if p.Units, err = u.unitOptions(ctx, actor, lang, "people.all_area", org.Street, org.Community); err != nil {
		return err
	}
	p.Pager, err = web.ReadPage(r, 50, func(limit, offset int) (total int, err error) {
		f.Limit, f.Offset = limit, offset
		p.Members, total, err = u.Store.ListPartyMembers(ctx, actor, f)
		return total, err
	})
	if err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "people/members", p)
	return nil
}

// MemberPage shows a party member, with reporting and service.
type MemberPage struct {
	web.Page
	Member   *PartyMember
	Resident *Resident
	Posts    []ServicePost
	Form     *web.Form
	CanWrite bool
	Year     int
	Quarter  int
}

func (u *UI) member(w http.ResponseWriter, r *http.Request) error {
	return u.renderMember(w, r, http.StatusOK, web.NewForm(nil))
}

func (u *UI) renderMember(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, err := u.Store.PartyMember(ctx, actor, id)
	if err != nil {
		return err
	}
	p := &MemberPage{Member: m, Form: form, CanWrite: actor.Scope(PermWrite).Contains(m.UnitPath)}
	p.Year, p.Quarter = currentQuarter(u.Store.Now())
	p.Title = m.ResidentName
	p.Section = "/party-members"
	if p.Resident, err = u.Store.Resident(ctx, actor, m.ResidentID); err != nil {
		return err
	}
	if m.RegisteredCommunityID != 0 {
		if p.Posts, err = u.Store.ListPosts(ctx, actor, m.RegisteredCommunityID); err != nil {
			return err
		}
	}
	u.R.Render(w, r, status, "people/member", p)
	return nil
}

// MemberFormPage creates or edits a party membership.
type MemberFormPage struct {
	web.Page
	Form     *web.Form
	Member   *PartyMember
	Resident *Resident
	Orgs     []web.Option
	Statuses []web.Option
	Action   string
}

func (u *UI) renderMemberForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, m *PartyMember, res *Resident) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &MemberFormPage{Form: form, Member: m, Resident: res, Statuses: options(lang, MemberStatus, ""), Action: "/party-members"}
	p.Section = "/party-members"
	p.Title = i18n.T(lang, "people.new_member", res.Name)
	if m != nil {
		p.Action = fmt.Sprintf("/party-members/%d", m.ID)
		p.Title = res.Name
	}
	orgs, _, err := u.Store.Orgs.ListPartyOrgs(r.Context(), actor, org.PartyOrgFilter{Limit: 1000, Sort: "unit"})
	if err != nil {
		return err
	}
	for _, o := range orgs {
		p.Orgs = append(p.Orgs, web.Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	u.R.Render(w, r, status, "people/member_form", p)
	return nil
}

func (u *UI) newMember(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	q := web.NewQuery(r)
	rid := q.ID("resident")
	if err := q.Err(); err != nil {
		return err
	}
	res, err := u.Store.Resident(r.Context(), actor, rid)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"resident_id": {strconv.FormatInt(res.ID, 10)}, "status": {"full"}})
	return u.renderMemberForm(w, r, http.StatusOK, form, nil, res)
}

func (u *UI) saveMember(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := PartyMemberInput{ResidentID: form.Int64("resident_id"), PartyOrgID: form.Int64("party_org_id"), JoinedOn: form.Get("joined_on"),
		Status: form.Get("status"), InService: form.Get("in_service") == "1", Employer: form.Get("employer")}
	id, existing, err := editing(r, func(id int64) (*PartyMember, error) { return u.Store.PartyMember(ctx, actor, id) })
	if err != nil {
		return err
	}
	var m *PartyMember
	if existing != nil {
		in.ResidentID = existing.ResidentID
		m, err = u.Store.UpdatePartyMember(ctx, actor, id, in)
	} else {
		m, err = u.Store.CreatePartyMember(ctx, actor, in)
	}
	if err != nil {
		res, rerr := u.Store.Resident(ctx, actor, in.ResidentID)
		if rerr != nil {
			return err
		}
		return u.renderMemberForm(w, r, form.Fail(r, err), form, existing, res)
	}
	return flashRedirect(w, r, "web.saved", fmt.Sprintf("/party-members/%d", m.ID))
}

func (u *UI) registerMember(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	if _, err := u.Store.Register(r.Context(), actor, id, form.Get("registered_on")); err != nil {
		return u.renderMember(w, r, form.Fail(r, err), form)
	}
	return flashRedirect(w, r, "people.registered_flash", fmt.Sprintf("/party-members/%d", id))
}

func (u *UI) recordHours(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	minutes := 0
	if h, err := strconv.ParseFloat(form.Trim("hours"), 64); err == nil {
		minutes = int(h*60 + 0.5)
	}
	if err := u.Store.RecordHours(r.Context(), actor, id, form.Int64("post_id"), form.Get("served_on"), minutes, form.Get("note")); err != nil {
		if apperr.CodeOf(err) == apperr.Invalid {
			if msg, ok := apperr.As(err).Fields["minutes"]; ok {
				err = apperr.FieldInvalid("hours", msg.Key, msg.Args...)
			}
		}
		return u.renderMember(w, r, form.Fail(r, err), form)
	}
	return flashRedirect(w, r, "web.saved", fmt.Sprintf("/party-members/%d", id))
}

// FeedbackPage is the printable feedback sheet for a member's employer.
type FeedbackPage struct {
	web.Page
	Sheet     *FeedbackSheet
	Community string
}

func (u *UI) feedback(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	q := web.NewQuery(r)
	year, quarter := currentQuarter(u.Store.Now())
	year, quarter = q.Int("year", year, 2000, 2200), q.Int("quarter", quarter, 1, 4)
	if err := q.Err(); err != nil {
		return err
	}
	sheet, err := u.Store.Feedback(r.Context(), actor, id, year, quarter, u.Store.hours)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	if r.URL.Query().Get("format") != "" {
		s := web.Sheet{Name: i18n.T(lang, "people.feedback_title"), Header: []string{i18n.T(lang, "people.served_on"), i18n.T(lang, "people.service"),
			i18n.T(lang, "people.hours"), i18n.T(lang, "people.source")}}
		for _, l := range sheet.Lines {
			s.Rows = append(s.Rows, []any{l.On, l.What, float64(l.Minutes) / 60, i18n.T(lang, "people.source_"+l.Source)})
		}
		s.Rows = append(s.Rows, []any{"", i18n.T(lang, "people.quarter_total"), sheet.QuarterHours(), ""},
			[]any{"", i18n.T(lang, "people.year_total"), sheet.YearHours(), ""},
			[]any{"", i18n.T(lang, "people.target"), sheet.TargetHours, ""})
		if err := u.Store.RecordExport(r.Context(), actor, "feedback", len(sheet.Lines), map[string]any{"party_member_id": id, "year": year, "quarter": quarter}); err != nil {
			return err
		}
		_, err := web.Export(w, r, fmt.Sprintf("feedback-%d-%dQ%d", id, year, quarter), s)
		return err
	}
	p := &FeedbackPage{Sheet: sheet, Community: sheet.Member.RegisteredCommunityName}
	p.Title = i18n.T(lang, "people.feedback_title")
	p.Section = "/party-members"
	u.R.Render(w, r, http.StatusOK, "people/feedback", p)
	return nil
}

// InServicePage shows the needs lists and who reported where.
type InServicePage struct {
	web.Page
	Posts       []ServicePost
	Members     []PartyMember
	Pager       *web.Pager
	Form        *web.Form
	Communities []web.Option
	Categories  []web.Option
	CanWrite    bool
}

func (u *UI) inService(w http.ResponseWriter, r *http.Request) error {
	return u.renderInService(w, r, http.StatusOK, web.NewForm(url.Values{"slots": {"5"}}))
}

func (u *UI) renderInService(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	ctx := r.Context()
	p := &InServicePage{Form: form, Categories: options(lang, PostKinds, ""), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.in_service")
	p.Section = "/in-service"
	if p.Posts, err = u.Store.ListPosts(ctx, actor, 0); err != nil {
		return err
	}
	p.Pager, err = web.ReadPage(r, 50, func(limit, offset int) (total int, err error) {
		p.Members, total, err = u.Store.ListPartyMembers(ctx, actor, MemberFilter{Registered: true, Limit: limit, Offset: offset})
		return total, err
	})
	if err != nil {
		return err
	}
	if p.CanWrite {
		if p.Communities, err = u.unitOptions(ctx, actor, lang, "", org.Community); err != nil {
			return err
		}
	}
	u.R.Render(w, r, status, "people/in_service", p)
	return nil
}

func (u *UI) createPost(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	slots, _ := strconv.Atoi(form.Trim("slots"))
	if _, err := u.Store.CreatePost(r.Context(), actor, PostInput{CommunityID: form.Int64("community_id"), Category: form.Get("category"),
		Title: form.Get("title"), Description: form.Get("description"), Slots: slots}); err != nil {
		return u.renderInService(w, r, form.Fail(r, err), form)
	}
	return flashRedirect(w, r, "web.saved", "/in-service")
}

func (u *UI) claimPost(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	member := form.Int64("party_member_id")
	if err := u.Store.Claim(r.Context(), actor, id, member); err != nil {
		return err
	}
	return flashRedirect(w, r, "people.claimed", fmt.Sprintf("/party-members/%d", member))
}

// WorkersPage lists community workers.
type WorkersPage struct {
	web.Page
	Workers  []Worker
	CanWrite bool
	Export   org.ExportLinks
}

func (u *UI) workers(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	position := q.Choice("position", Positions.Values...)
	if err := q.Err(); err != nil {
		return err
	}
	list, err := u.Store.ListWorkers(r.Context(), actor, 0, position)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") != "" {
		if err := checkExport(actor, len(list)); err != nil {
			return err
		}
		s := web.Sheet{Name: i18n.T(lang, "nav.workers"), Header: []string{i18n.T(lang, "people.unit"), i18n.T(lang, "people.name"), i18n.T(lang, "people.gender"),
			i18n.T(lang, "people.birth_date"), i18n.T(lang, "people.position"), i18n.T(lang, "people.education"), i18n.T(lang, "people.pay_step"),
			i18n.T(lang, "people.id_number"), i18n.T(lang, "people.phone")}}
		for _, x := range list {
			s.Rows = append(s.Rows, []any{x.UnitName, x.Name, i18n.T(lang, "gender."+x.Gender), x.BirthDate, i18n.T(lang, "position."+x.Position),
				i18n.T(lang, "education."+x.Education), x.PayStep, x.IDNumber, x.Phone})
		}
		if err := u.Store.RecordExport(r.Context(), actor, "workers", len(list), map[string]any{"position": position}); err != nil {
			return err
		}
		_, err := web.Export(w, r, "workers", s)
		return err
	}
	p := &WorkersPage{Workers: list, CanWrite: actor.Has(PermWrite), Export: org.NewExportLinks(r.URL)}
	p.Title = i18n.T(lang, "nav.workers")
	u.R.Render(w, r, http.StatusOK, "people/workers", p)
	return nil
}

// WorkerFormPage creates or edits a community worker.
type WorkerFormPage struct {
	web.Page
	Form       *web.Form
	Worker     *Worker
	Units      []web.Option
	Genders    []web.Option
	Positions  []web.Option
	Educations []web.Option
	Action     string
}

func (u *UI) workerForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"pay_step": {"1"}})
	_, wk, err := editing(r, func(id int64) (*Worker, error) { return u.Store.Worker(r.Context(), actor, id) })
	if err != nil {
		return err
	}
	if wk != nil {
		form = web.NewForm(url.Values{"unit_id": {strconv.FormatInt(wk.UnitID, 10)}, "name": {wk.Name}, "gender": {wk.Gender}, "birth_date": {string(wk.BirthDate)},
			"position": {wk.Position}, "education": {wk.Education}, "pay_step": {strconv.Itoa(wk.PayStep)}, "hired_on": {string(wk.HiredOn)}})
	}
	return u.renderWorkerForm(w, r, http.StatusOK, form, wk)
}

func (u *UI) renderWorkerForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, wk *Worker) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &WorkerFormPage{Form: form, Worker: wk, Genders: options(lang, Genders, ""), Positions: options(lang, Positions, ""),
		Educations: options(lang, Educations, ""), Action: "/workers"}
	p.Section = "/workers"
	p.Title = i18n.T(lang, "people.new_worker")
	if wk != nil {
		p.Title = wk.Name
		p.Action = fmt.Sprintf("/workers/%d", wk.ID)
	}
	if p.Units, err = u.unitOptions(r.Context(), actor, lang, "", org.Street, org.Community); err != nil {
		return err
	}
	u.R.Render(w, r, status, "people/worker_form", p)
	return nil
}

func (u *UI) saveWorker(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	id, existing, err := editing(r, func(id int64) (*Worker, error) { return u.Store.Worker(r.Context(), actor, id) })
	if err != nil {
		return err
	}
	step, _ := strconv.Atoi(form.Trim("pay_step"))
	in := WorkerInput{UnitID: form.Int64("unit_id"), Name: form.Get("name"), Gender: form.Get("gender"), BirthDate: form.Get("birth_date"),
		IDNumber: form.Get("id_number"), Phone: form.Get("phone"), Position: form.Get("position"), Education: form.Get("education"), PayStep: step, HiredOn: form.Get("hired_on")}
	if _, err := u.Store.SaveWorker(r.Context(), actor, id, in); err != nil {
		form.Values.Del("id_number")
		form.Values.Del("phone")
		return u.renderWorkerForm(w, r, form.Fail(r, err), form, existing)
	}
	return flashRedirect(w, r, "web.saved", "/workers")
}

// GridStaffPage lists grid staff.
type GridStaffPage struct {
	web.Page
	Form     *web.Form
	Units    []web.Option
	Roles    []web.Option
	Staff    []GridStaff
	Pager    *web.Pager
	CanWrite bool
}

func (u *UI) gridStaff(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := StaffFilter{UnderID: q.ID("under"), Role: q.Choice("role", StaffRoles.Values...)}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	p := &GridStaffPage{Form: web.NewForm(r.URL.Query()), Roles: options(lang, StaffRoles, "web.all"), CanWrite: actor.Has(PermWrite)}
	p.Title = i18n.T(lang, "nav.grid_staff")
	if p.Units, err = u.unitOptions(ctx, actor, lang, "people.all_area", org.Street, org.Community, org.Grid); err != nil {
		return err
	}
	p.Pager, err = web.ReadPage(r, 50, func(limit, offset int) (total int, err error) {
		f.Limit, f.Offset = limit, offset
		p.Staff, total, err = u.Store.ListGridStaff(ctx, actor, f)
		return total, err
	})
	if err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "people/grid_staff", p)
	return nil
}

// StaffFormPage creates or edits one of a grid's staff.
type StaffFormPage struct {
	web.Page
	Form      *web.Form
	Staff     *GridStaff
	Grids     []web.Option
	Roles     []web.Option
	Kinds     []web.Option
	Buildings []org.Unit // of the chosen grid, to tick the ones looked after
	Action    string
}

// Looks reports whether the form has building id ticked.
func (p *StaffFormPage) Looks(id int64) bool {
	for _, v := range p.Form.Values["buildings"] {
		if v == strconv.FormatInt(id, 10) {
			return true
		}
	}
	return false
}

func (u *UI) staffForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form := web.NewForm(url.Values{"role": {"member"}, "grid_id": {r.URL.Query().Get("grid")}})
	_, g, err := editing(r, func(id int64) (*GridStaff, error) { return u.Store.GridStaffMember(r.Context(), actor, id) })
	if err != nil {
		return err
	}
	if g != nil {
		form = web.NewForm(url.Values{"grid_id": {strconv.FormatInt(g.GridID, 10)}, "role": {g.Role}, "kind": {g.Kind}, "name": {g.Name},
			"since": {string(g.Since)}})
		for _, b := range g.Buildings {
			form.Values.Add("buildings", strconv.FormatInt(b, 10))
		}
	}
	return u.renderStaffForm(w, r, http.StatusOK, form, g)
}

func (u *UI) renderStaffForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, g *GridStaff) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &StaffFormPage{Form: form, Staff: g, Roles: options(lang, StaffRoles, ""), Kinds: options(lang, StaffKinds, "web.none"), Action: "/grid-staff"}
	p.Section = "/grid-staff"
	p.Title = i18n.T(lang, "people.new_staff")
	if g != nil {
		p.Title = g.Name
		p.Action = fmt.Sprintf("/grid-staff/%d", g.ID)
	}
	if p.Grids, err = u.unitOptions(r.Context(), actor, lang, "people.choose_grid", org.Grid); err != nil {
		return err
	}
	if grid := form.Int64("grid_id"); grid != 0 {
		if p.Buildings, _, err = u.Store.Orgs.ListUnits(r.Context(), actor, org.UnitFilter{Type: org.Building, ParentID: grid, Limit: 500}); err != nil {
			return err
		}
	}
	u.R.Render(w, r, status, "people/staff_form", p)
	return nil
}

func (u *UI) saveStaff(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	id, existing, err := editing(r, func(id int64) (*GridStaff, error) { return u.Store.GridStaffMember(r.Context(), actor, id) })
	if err != nil {
		return err
	}
	in := GridStaffInput{GridID: form.Int64("grid_id"), Role: form.Get("role"), Kind: form.Get("kind"), Name: form.Get("name"), Phone: form.Get("phone"),
		Since: form.Get("since")}
	for _, v := range form.Values["buildings"] {
		if b, err := strconv.ParseInt(v, 10, 64); err == nil {
			in.Buildings = append(in.Buildings, b)
		}
	}
	if existing != nil {
		in.UserID, in.WorkerID, in.ResidentID = existing.UserID, existing.WorkerID, existing.ResidentID
	}
	if _, err := u.Store.SaveGridStaff(r.Context(), actor, id, in); err != nil {
		form.Values.Del("phone")
		return u.renderStaffForm(w, r, form.Fail(r, err), form, existing)
	}
	return flashRedirect(w, r, "web.saved", "/grid-staff")
}

func (u *UI) deleteStaff(w http.ResponseWriter, r *http.Request) error {
	actor, id, err := signedInID(r)
	if err != nil {
		return err
	}
	if err := u.Store.DeleteGridStaff(r.Context(), actor, id); err != nil {
		return err
	}
	return flashRedirect(w, r, "web.deleted", "/grid-staff")
}
