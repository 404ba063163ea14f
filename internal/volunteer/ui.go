package volunteer

import (
	"embed"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// UI serves the volunteer and love bank pages: for staff, for volunteers
// on their phones, for merchants' staff at the till, and the public
// certificate check.
type UI struct {
	Store *Store
	R     *web.Renderer
}

// Pages lists the page templates the UI needs.
var Pages = []string{"volunteer/home", "volunteer/teams", "volunteer/team", "volunteer/team_form", "volunteer/volunteers", "volunteer/volunteer",
	"volunteer/volunteer_form", "volunteer/activities", "volunteer/activity", "volunteer/activity_form", "volunteer/shift_qr", "volunteer/rankings",
	"volunteer/certificate", "volunteer/check", "volunteer/me", "volunteer/scan", "volunteer/pass", "volunteer/bank", "volunteer/merchant",
	"volunteer/merchant_form", "volunteer/till", "volunteer/account"}

// Register parses the templates, adds the navigation and routes.
func (u *UI) Register(rt *web.Routes) error {
	if err := u.R.AddPages("volunteer", templateFiles, "templates"); err != nil {
		return err
	}
	if err := u.R.Check(Pages...); err != nil {
		return err
	}
	u.R.AddNav(
		web.NavItem{Key: "nav.my_volunteer", Href: "/volunteer/me", Perm: PermSelf, Order: 2},
		web.NavItem{Key: "nav.till", Href: "/merchant", Perm: PermRedeem, Order: 3},
		web.NavItem{Key: "nav.volunteer", Href: "/volunteer", Perm: PermRead, Order: 40, Group: "navgroup.volunteer"},
		web.NavItem{Key: "nav.lovebank", Href: "/lovebank", Perm: PermBank, Order: 41, Group: "navgroup.volunteer"},
	)
	rt.Page("GET /certificates/check", web.Public(), u.check)

	rt.Page("GET /volunteer", web.Read(PermRead, PermSelf, PermManage), u.home)
	rt.Page("GET /volunteer/teams", web.Read(PermRead), u.teams)
	rt.Page("GET /volunteer/teams/new", web.Write(PermManage), u.teamForm)
	rt.Page("POST /volunteer/teams", web.Write(PermManage), u.saveTeam)
	rt.Page("GET /volunteer/teams/{id}", web.Read(PermRead).On("team"), u.team)
	rt.Page("GET /volunteer/teams/{id}/edit", web.Write(PermManage).On("team"), u.teamForm)
	rt.Page("POST /volunteer/teams/{id}", web.Write(PermManage).On("team"), u.saveTeam)
	rt.Page("POST /volunteer/teams/{id}/members", web.Write(PermManage).On("team"), u.join)
	rt.Page("POST /volunteer/teams/{id}/members/{vid}/leave", web.Write(PermManage).On("team", "volunteer"), u.leave)

	rt.Page("GET /volunteer/volunteers", web.Read(PermRead), u.volunteers)
	rt.Page("GET /volunteer/volunteers/new", web.Write(PermManage), u.volunteerForm)
	rt.Page("POST /volunteer/volunteers", web.Write(PermManage), u.createVolunteer)
	rt.Page("GET /volunteer/volunteers/{id}", web.Read(PermRead).On("volunteer"), u.volunteer)
	rt.Page("POST /volunteer/volunteers/{id}", web.Write(PermManage).On("volunteer"), u.updateVolunteer)
	rt.Page("POST /volunteer/volunteers/{id}/entries", web.Write(PermManage).On("volunteer"), u.addEntry)
	rt.Page("POST /volunteer/volunteers/{id}/certificates", web.Write(PermManage).On("volunteer"), u.issueCertificate)
	rt.Page("GET /volunteer/certificates/{id}", web.Read(PermRead, PermSelf).On("certificate"), u.certificate)

	rt.Page("GET /volunteer/activities", web.Read(PermRead), u.activities)
	rt.Page("GET /volunteer/activities/new", web.Write(PermManage), u.activityForm)
	rt.Page("POST /volunteer/activities", web.Write(PermManage), u.createActivity)
	rt.Page("GET /volunteer/activities/{id}", web.Read(PermRead, PermSelf).On("activity"), u.activity)
	rt.Page("POST /volunteer/activities/{id}/cancel", web.Write(PermManage).On("activity"), u.cancelActivity)
	rt.Page("POST /volunteer/activities/{id}/signups", web.Write(PermManage).On("activity"), u.signUpFor)
	rt.Page("POST /volunteer/signups/{id}/{action}", web.Write(PermManage).On("signup", "signup_action"), u.signupAction)
	rt.Page("GET /volunteer/shifts/{id}/qr", web.Read(PermManage).On("shift"), u.shiftQR)
	rt.Page("GET /volunteer/shifts/{id}/qr.png", web.Read(PermManage).On("shift"), u.shiftQRPNG)
	rt.Page("GET /volunteer/rankings", web.Read(PermRead, PermSelf), u.rankings)

	rt.Page("GET /volunteer/me", web.Read(PermSelf), u.me)
	rt.Page("POST /volunteer/me/signups", web.Write(PermSelf), u.signUpSelf)
	rt.Page("POST /volunteer/me/signups/{id}/cancel", web.Write(PermSelf).On("signup"), u.cancelSelf)
	rt.Page("GET /volunteer/scan", web.Read(PermSelf), u.scanForm)
	rt.Page("POST /volunteer/scan", web.Write(PermSelf), u.scan)
	rt.Page("POST /volunteer/me/pass", web.Write(PermSelf), u.pass)

	rt.Page("GET /lovebank", web.Read(PermBank), u.bank)
	rt.Page("POST /lovebank/settings", web.Write(PermBankAd), u.saveSettings)
	rt.Page("GET /lovebank/merchants/new", web.Write(PermBankAd), u.merchantForm)
	rt.Page("POST /lovebank/merchants", web.Write(PermBankAd), u.createMerchant)
	rt.Page("GET /lovebank/merchants/{id}", web.Read(PermBank).On("merchant"), u.merchant)
	rt.Page("POST /lovebank/merchants/{id}/items", web.Write(PermBankAd, PermBank).On("merchant"), u.addItem)
	rt.Page("POST /lovebank/merchants/{id}/items/{iid}/toggle", web.Write(PermBankAd, PermBank).On("merchant", "item"), u.toggleItem)
	rt.Page("POST /lovebank/merchants/{id}/staff", web.Write(PermBankAd, PermBank).On("merchant"), u.addStaff)
	rt.Page("POST /lovebank/merchants/{id}/settle", web.Write(PermBankAd, PermBank).On("merchant"), u.settle)
	rt.Page("GET /lovebank/accounts/{id}", web.Read(PermBank, PermSelf).On("account"), u.account)
	rt.Page("POST /lovebank/transfers/{seq}/reverse", web.Write(PermBankAd).On("transfer"), u.reverse)

	rt.Page("GET /merchant", web.Read(PermRedeem), u.till)
	rt.Page("POST /merchant/redeem", web.Write(PermRedeem), u.redeem)
	return nil
}

// back returns the local address a form asked to return to, or fallback.
func back(form *web.Form, fallback string) string {
	b := form.Get("back")
	if strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.Contains(b, "\\") {
		return b
	}
	return fallback
}

// recordForm reads what a form posted about one record starts with: the
// signed-in actor, the path's {id} and the form.
func recordForm(w http.ResponseWriter, r *http.Request) (*auth.Actor, int64, *web.Form, error) {
	actor, err := web.SignedIn(r)
	if err != nil {
		return nil, 0, nil, err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, 0, nil, err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return nil, 0, nil, err
	}
	return actor, id, form, nil
}

// done sends the browser on after a successful form, with a flash.
func done(w http.ResponseWriter, r *http.Request, to, flash string) error {
	web.SetFlash(w, flash)
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// failFlash sends the browser back with the error as the flash message,
// for the small forms inside a page (approve, verify, leave) whose error
// needs no field of its own.
func failFlash(w http.ResponseWriter, r *http.Request, to string, err error) error {
	if apperr.IsFault(err) || apperr.CodeOf(err) == apperr.NotFound {
		return err
	}
	_, body := web.ErrorBody(r, err)
	msg := body.Error.Message
	for _, m := range body.Error.Fields {
		msg = m
	}
	http.SetCookie(w, &http.Cookie{Name: "volerr", Value: url.QueryEscape(msg), Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// takeError reads and clears the error left by failFlash.
func takeError(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie("volerr")
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "volerr", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

func choiceOptions(lang i18n.Lang, c Choice, first string) []web.Option {
	var out []web.Option
	if first != "" {
		out = append(out, web.Option{Value: "", Label: i18n.T(lang, first)})
	}
	for _, v := range c.Values {
		out = append(out, web.Option{Value: v, Label: i18n.T(lang, c.Key(v))})
	}
	return out
}

// unitOptions lists the units of the given types where the actor holds perm.
func (u *UI) unitOptions(r *http.Request, actor *auth.Actor, perm auth.Perm, types ...org.UnitType) ([]web.Option, error) {
	var out []web.Option
	for _, t := range types {
		list, _, err := u.Store.Orgs.ListUnits(r.Context(), actor, org.UnitFilter{Type: t, Limit: 500})
		if err != nil {
			return nil, err
		}
		scope := actor.Scope(perm)
		for _, x := range list {
			if scope.Contains(x.Path) {
				out = append(out, web.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
			}
		}
	}
	return out, nil
}

// parseLocal reads a date and a time of day typed in Shanghai.
func parseLocal(day, clock string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(day)+" "+strings.TrimSpace(clock), date.Shanghai)
}

// parseLocalDateTime reads a datetime-local field (2026-03-02T09:30).
func parseLocalDateTime(s string) (*time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", s, date.Shanghai)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ---- Home

// HomePage is the volunteer service's front page for staff.
type HomePage struct {
	web.Page
	O         *Overview
	Upcoming  []Activity
	Pending   []Signup
	PendingN  int
	Top       []RankRow
	Year      int
	CanManage bool
	Error     string
}

func (u *UI) home(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if !actor.Has(PermRead) {
		if actor.Has(PermSelf) {
			http.Redirect(w, r, "/volunteer/me", http.StatusSeeOther)
			return nil
		}
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	ctx := r.Context()
	p := &HomePage{CanManage: actor.Has(PermManage), Year: time.Now().In(date.Shanghai).Year(), Error: takeError(w, r)}
	p.Title = i18n.T(web.Lang(r), "nav.volunteer")
	p.Section = "/volunteer"
	if p.O, err = u.Store.Overview(ctx, actor); err != nil {
		return err
	}
	if p.Upcoming, _, err = u.Store.ListActivities(ctx, actor, ActivityFilter{When: "upcoming", Limit: 8}); err != nil {
		return err
	}
	if p.CanManage {
		if p.Pending, p.PendingN, err = u.Store.PendingHours(ctx, actor, 10); err != nil {
			return err
		}
	}
	if p.Top, err = u.Store.Ranking(ctx, actor, "volunteers", p.Year, 10); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/home", p)
	return nil
}

// ---- Teams

// TeamsPage lists teams.
type TeamsPage struct {
	web.Page
	Form      *web.Form
	Types     []web.Option
	Teams     []Team
	Pager     *web.Pager
	Sort      org.SortLinks
	Export    org.ExportLinks
	CanManage bool
}

func (u *UI) teams(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := TeamFilter{Type: q.Choice("type", TeamTypes.Values...), Query: q.String("q"), UnderID: q.ID("under"),
		Sort: q.Choice("sort", "name", "members", "type", "unit"), Desc: q.String("order") == "desc"}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	if format := r.URL.Query().Get("format"); format != "" {
		f.Limit = 100000
		list, _, err := u.Store.ListTeams(ctx, actor, f)
		if err != nil {
			return err
		}
		sheet := web.Sheet{Name: i18n.T(lang, "vol.teams"), Header: []string{i18n.T(lang, "vol.name"), i18n.T(lang, "vol.type"), i18n.T(lang, "vol.field_label"),
			i18n.T(lang, "vol.unit"), i18n.T(lang, "vol.members"), i18n.T(lang, "vol.founded")}}
		for _, t := range list {
			field := ""
			if t.Field != "" {
				field = i18n.T(lang, Fields.Key(t.Field))
			}
			sheet.Rows = append(sheet.Rows, []any{t.Name, i18n.T(lang, TeamTypes.Key(t.Type)), field, t.UnitName, t.Members, string(t.FoundedOn)})
		}
		_, err = web.Export(w, r, "teams", sheet)
		return err
	}
	p := &TeamsPage{Form: web.NewForm(r.URL.Query()), Types: choiceOptions(lang, TeamTypes, "web.all"), Sort: org.NewSortLinks(r.URL, "name"),
		Export: org.NewExportLinks(r.URL), CanManage: actor.Has(PermManage)}
	p.Title = i18n.T(lang, "vol.teams")
	p.Section = "/volunteer"
	if p.Pager, err = web.ReadPage(r, 50, func(limit, offset int) (total int, err error) {
		f.Limit, f.Offset = limit, offset
		p.Teams, total, err = u.Store.ListTeams(ctx, actor, f)
		return total, err
	}); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/teams", p)
	return nil
}

// TeamPage shows a team with its members and activities.
type TeamPage struct {
	web.Page
	Team       *Team
	Members    []Member
	Total      int
	Pager      *web.Pager
	Activities []Activity
	Form       *web.Form
	Roles      []web.Option
	CanManage  bool
	Error      string
}

func (u *UI) team(w http.ResponseWriter, r *http.Request) error {
	return u.showTeam(w, r, web.NewForm(nil), http.StatusOK)
}

func (u *UI) showTeam(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	t, err := u.Store.Team(ctx, actor, id)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &TeamPage{Team: t, Form: form, Roles: []web.Option{{Value: "member", Label: i18n.T(lang, "vol.role.member")}, {Value: "leader", Label: i18n.T(lang, "vol.role.leader")}},
		CanManage: actor.Scope(PermManage).Contains(t.UnitPath), Error: takeError(w, r)}
	p.Title = t.Name
	p.Section = "/volunteer"
	withLeft := r.URL.Query().Get("left") == "1"
	_, total, err := u.Store.Members(ctx, actor, id, withLeft, 1, 0)
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, 100, i18n.T(lang, "web.pager"))
	if p.Members, p.Total, err = u.Store.Members(ctx, actor, id, withLeft, 100, p.Pager.Offset()); err != nil {
		return err
	}
	if p.Activities, _, err = u.Store.ListActivities(ctx, actor, ActivityFilter{TeamID: id, Limit: 20}); err != nil {
		return err
	}
	u.R.Render(w, r, status, "volunteer/team", p)
	return nil
}

// TeamFormPage creates or edits a team.
type TeamFormPage struct {
	web.Page
	Form   *web.Form
	Team   *Team
	Action string
	Units  []web.Option
	Types  []web.Option
	Fields []web.Option
}

func (u *UI) teamForm(w http.ResponseWriter, r *http.Request) error {
	return u.showTeamForm(w, r, nil, http.StatusOK)
}

func (u *UI) showTeamForm(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &TeamFormPage{Action: "/volunteer/teams", Types: choiceOptions(lang, TeamTypes, ""), Fields: choiceOptions(lang, Fields, "web.none")}
	p.Title = i18n.T(lang, "vol.new_team")
	p.Section = "/volunteer"
	if idText := r.PathValue("id"); idText != "" {
		id, err := web.PathID(r, "id")
		if err != nil {
			return err
		}
		if p.Team, err = u.Store.teamWithin(r.Context(), actor.Scope(PermManage), id); err != nil {
			return err
		}
		p.Action = fmt.Sprintf("/volunteer/teams/%d", id)
		p.Title = i18n.T(lang, "vol.edit_team", p.Team.Name)
		if form == nil {
			form = web.NewForm(url.Values{"type": {p.Team.Type}, "field": {p.Team.Field}, "name": {p.Team.Name},
				"description": {p.Team.Description}, "founded_on": {string(p.Team.FoundedOn)}})
		}
	} else {
		if p.Units, err = u.unitOptions(r, actor, PermManage, org.District, org.Street, org.Community); err != nil {
			return err
		}
		if len(p.Units) == 0 {
			return apperr.New(apperr.Forbidden, "error.forbidden")
		}
	}
	if form == nil {
		form = web.NewForm(r.URL.Query())
	}
	p.Form = form
	u.R.Render(w, r, status, "volunteer/team_form", p)
	return nil
}

func (u *UI) saveTeam(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	in := TeamInput{UnitID: form.Int64("unit_id"), Type: form.Get("type"), Field: form.Get("field"), Name: form.Get("name"),
		Description: form.Get("description"), FoundedOn: form.Get("founded_on")}
	t, err := u.writeTeam(r, actor, in)
	if err != nil {
		// Out of scope, the form answers 404 as the team's page does.
		return u.showTeamForm(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/volunteer/teams/%d", t.ID), "web.saved")
}

// writeTeam creates the team the form describes, or changes the one in
// the path.
func (u *UI) writeTeam(r *http.Request, actor *auth.Actor, in TeamInput) (*Team, error) {
	if r.PathValue("id") == "" {
		return u.Store.CreateTeam(r.Context(), actor, in)
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	return u.Store.UpdateTeam(r.Context(), actor, id, in)
}

func (u *UI) join(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	vid, err := u.volunteerByNumber(r, actor, form.Trim("number"))
	if err == nil {
		_, err = u.Store.Join(r.Context(), actor, id, vid, form.Get("joined_on"), form.Get("role"))
	}
	if err != nil {
		return u.showTeam(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/volunteer/teams/%d", id), "vol.joined")
}

// volunteerByNumber finds a volunteer the actor may see by number.
func (u *UI) volunteerByNumber(r *http.Request, actor *auth.Actor, number string) (int64, error) {
	if number == "" {
		return 0, apperr.FieldInvalid("number", "field.required")
	}
	list, _, err := u.Store.ListVolunteers(r.Context(), actor, VolunteerFilter{Name: number, Limit: 2})
	if err != nil {
		return 0, err
	}
	for _, v := range list {
		if v.Number == strings.ToUpper(number) {
			return v.ID, nil
		}
	}
	if len(list) == 1 {
		return list[0].ID, nil
	}
	return 0, apperr.FieldInvalid("number", "vol.volunteer_not_found")
}

func (u *UI) leave(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	vid, err := web.PathID(r, "vid")
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/volunteer/teams/%d", id)
	if err := u.Store.Leave(r.Context(), actor, id, vid, form.Get("left_on")); err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, "vol.left")
}

// ---- Volunteers

// VolunteersPage lists volunteers.
type VolunteersPage struct {
	web.Page
	Form       *web.Form
	Skills     []web.Option
	Volunteers []Volunteer
	Pager      *web.Pager
	Sort       org.SortLinks
	Export     org.ExportLinks
	CanManage  bool
}

func (u *UI) volunteers(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := VolunteerFilter{Name: q.String("q"), Skill: q.Choice("skill", Skills.Values...), UnderID: q.ID("under"), TeamID: q.ID("team"),
		IDNumber: q.String("id_number"), Sort: q.Choice("sort", "name", "number", "registered", "points", "hours"), Desc: q.String("order") == "desc"}
	if err := q.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	if format := r.URL.Query().Get("format"); format != "" {
		f.Limit = 100000
		list, _, err := u.Store.ListVolunteers(ctx, actor, f)
		if err != nil {
			return err
		}
		sheet := web.Sheet{Name: i18n.T(lang, "vol.volunteers"), Header: []string{i18n.T(lang, "vol.number"), i18n.T(lang, "vol.person_name"),
			i18n.T(lang, "vol.id_number"), i18n.T(lang, "vol.phone"), i18n.T(lang, "vol.community"), i18n.T(lang, "vol.skills"),
			i18n.T(lang, "vol.hours_verified"), i18n.T(lang, "vol.points")}}
		for _, v := range list {
			var skills []string
			for _, s := range v.Skills {
				skills = append(skills, i18n.T(lang, Skills.Key(s)))
			}
			sheet.Rows = append(sheet.Rows, []any{v.Number, v.Name, v.IDNumber, v.Phone, v.UnitName, strings.Join(skills, "、"),
				float64(v.VerifiedMinutes) / 60, v.Balance.Float()})
		}
		if err := u.Store.RecordExport(ctx, actor, "volunteers", len(list), r.URL.Query()); err != nil {
			return err
		}
		_, err = web.Export(w, r, "volunteers", sheet)
		return err
	}
	p := &VolunteersPage{Form: web.NewForm(r.URL.Query()), Skills: choiceOptions(lang, Skills, "vol.any_skill"), Sort: org.NewSortLinks(r.URL, "name"),
		Export: org.NewExportLinks(r.URL), CanManage: actor.Has(PermManage)}
	p.Title = i18n.T(lang, "vol.volunteers")
	p.Section = "/volunteer"
	if p.Pager, err = web.ReadPage(r, 50, func(limit, offset int) (total int, err error) {
		f.Limit, f.Offset = limit, offset
		p.Volunteers, total, err = u.Store.ListVolunteers(ctx, actor, f)
		return total, err
	}); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/volunteers", p)
	return nil
}

// VolunteerFormPage registers a volunteer.
type VolunteerFormPage struct {
	web.Page
	Form   *web.Form
	Units  []web.Option
	Skills []CheckOption
}

func (u *UI) volunteerForm(w http.ResponseWriter, r *http.Request) error {
	return u.showVolunteerForm(w, r, web.NewForm(nil), http.StatusOK)
}

func (u *UI) showVolunteerForm(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &VolunteerFormPage{Form: form, Skills: checks(choiceOptions(lang, Skills, ""), form, "skills")}
	p.Title = i18n.T(lang, "vol.new_volunteer")
	p.Section = "/volunteer"
	if p.Units, err = u.unitOptions(r, actor, PermManage, org.Community); err != nil {
		return err
	}
	if len(p.Units) == 0 {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	u.R.Render(w, r, status, "volunteer/volunteer_form", p)
	return nil
}

// createVolunteer registers a volunteer: a resident found by identity
// number is linked (their details stay in people); anyone else is
// registered with their own.
func (u *UI) createVolunteer(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	in := VolunteerInput{UnitID: form.Int64("unit_id"), Name: form.Get("name"), IDNumber: form.Get("id_number"), Phone: form.Get("phone"),
		Skills: form.Values["skills"], RegisteredOn: form.Get("registered_on")}
	if in.IDNumber != "" && u.Store.People != nil {
		rs, _, err := u.Store.People.ListResidents(ctx, actor, people.ResidentFilter{IDNumber: in.IDNumber, Limit: 1})
		if err != nil {
			return err
		}
		if len(rs) == 1 {
			in = VolunteerInput{ResidentID: rs[0].ID, Skills: in.Skills, RegisteredOn: in.RegisteredOn}
		}
	}
	if name := form.Trim("username"); name != "" {
		uid, err := u.userID(r, name)
		if err != nil {
			return u.showVolunteerForm(w, r, form, form.Fail(r, err))
		}
		in.UserID = uid
	}
	v, err := u.Store.CreateVolunteer(ctx, actor, in)
	if err != nil {
		return u.showVolunteerForm(w, r, form, form.Fail(r, byUsername(err)))
	}
	return done(w, r, fmt.Sprintf("/volunteer/volunteers/%d", v.ID), "web.saved")
}

// userID finds an account by user name.
func (u *UI) userID(r *http.Request, name string) (int64, error) {
	usr, err := u.Store.userNamed(r.Context(), name)
	if apperr.CodeOf(err) == apperr.NotFound {
		return 0, apperr.FieldInvalid("username", "vol.user_not_found")
	}
	if err != nil {
		return 0, err
	}
	return usr.ID, nil
}

// byUsername puts the store's problem with the linked account (user_id)
// beside the form's field for it, the user name.
func byUsername(err error) error {
	ae := apperr.As(err)
	m, ok := ae.Fields["user_id"]
	if !ok {
		return err
	}
	out := &apperr.Error{Code: ae.Code, Msg: ae.Msg, Fields: map[string]i18n.Msg{"username": m}, Cause: ae.Cause}
	for f, m := range ae.Fields {
		if f != "user_id" {
			out.Fields[f] = m
		}
	}
	return out
}

// VolunteerPage is a volunteer's record.
type VolunteerPage struct {
	web.Page
	Rec       *Record
	Form      *web.Form
	Skills    []CheckOption
	Kinds     []web.Option
	Grades    []web.Option
	CanManage bool
	CanBank   bool
	Movements []Movement
	Username  string
	Error     string
}

func (u *UI) volunteer(w http.ResponseWriter, r *http.Request) error {
	return u.showVolunteer(w, r, web.NewForm(nil), http.StatusOK)
}

func (u *UI) showVolunteer(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	rec, err := u.Store.Record(ctx, actor, id)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &VolunteerPage{Rec: rec, Form: form, Kinds: choiceOptions(lang, EntryKinds, ""),
		Grades: choiceOptions(lang, Grades, "web.none"), CanManage: actor.Scope(PermManage).Contains(rec.Volunteer.UnitPath),
		CanBank: actor.Scope(PermBank).Contains(rec.Volunteer.UnitPath), Error: takeError(w, r)}
	p.Title = rec.Volunteer.Name
	p.Section = "/volunteer"
	if rec.Volunteer.UserID != 0 {
		usr, err := u.Store.userByID(ctx, rec.Volunteer.UserID)
		if err != nil {
			return err
		}
		p.Username = usr.Username
	}
	if p.CanBank && rec.Volunteer.AccountID != 0 {
		if p.Movements, err = u.Store.recentMovements(ctx, rec.Volunteer.AccountID, 10); err != nil {
			return err
		}
	}
	if len(form.Values) == 0 {
		form.Values["skills"] = rec.Volunteer.Skills
		form.Values.Set("username", p.Username)
	}
	p.Skills = checks(choiceOptions(lang, Skills, ""), form, "skills")
	u.R.Render(w, r, status, "volunteer/volunteer", p)
	return nil
}

func (u *UI) updateVolunteer(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	skills := form.Values["skills"]
	status := form.Get("status")
	patch := VolunteerPatch{Skills: &skills}
	if status != "" {
		patch.Status = &status
	}
	var uid int64
	if name := form.Trim("username"); name != "" {
		if uid, err = u.userID(r, name); err != nil {
			return u.showVolunteer(w, r, form, form.Fail(r, err))
		}
	}
	patch.UserID = &uid
	if _, err := u.Store.UpdateVolunteer(r.Context(), actor, id, patch); err != nil {
		return u.showVolunteer(w, r, form, form.Fail(r, byUsername(err)))
	}
	return done(w, r, fmt.Sprintf("/volunteer/volunteers/%d", id), "web.saved")
}

func (u *UI) addEntry(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	hours, err := strconv.ParseFloat(form.Trim("hours"), 64)
	if err != nil || math.IsNaN(hours) || math.IsInf(hours, 0) {
		hours = 0
	}
	in := EntryInput{Kind: form.Get("kind"), On: form.Get("on"), Title: form.Get("title"), Issuer: form.Get("issuer"),
		Minutes: int(hours * 60), Grade: form.Get("grade"), Note: form.Get("note")}
	if _, err := u.Store.AddEntry(r.Context(), actor, id, in); err != nil {
		return u.showVolunteer(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/volunteer/volunteers/%d#record", id), "web.saved")
}

func (u *UI) issueCertificate(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	c, err := u.Store.IssueCertificate(r.Context(), actor, id, form.Get("from"), form.Get("to"))
	if err != nil {
		return u.showVolunteer(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/volunteer/certificates/%d", c.ID), "vol.certificate_issued")
}

// CertificatePage is a printable certificate.
type CertificatePage struct {
	web.Page
	C        *Certificate
	CheckURL string
	QR       any
}

func (u *UI) certificate(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := u.Store.Certificate(r.Context(), actor, id)
	if err != nil {
		return err
	}
	p := &CertificatePage{C: c, CheckURL: absURL(r, "/certificates/check?number="+url.QueryEscape(c.Number))}
	if p.QR, err = QRSVG(p.CheckURL, c.Number); err != nil {
		return err
	}
	p.Title = i18n.T(web.Lang(r), "vol.certificate")
	p.Section = "/volunteer"
	if actor.Has(PermSelf) && !actor.Has(PermRead) {
		p.Section = "/volunteer/me"
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/certificate", p)
	return nil
}

// absURL makes an absolute address on this server, for QR codes that a
// phone's camera opens.
func absURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// CheckPage is the public certificate check.
type CheckPage struct {
	web.Page
	Form   *web.Form
	Result *PublicCertificate
	Error  string
}

func (u *UI) check(w http.ResponseWriter, r *http.Request) error {
	lang := web.Lang(r)
	p := &CheckPage{Form: web.NewForm(r.URL.Query())}
	p.Title = i18n.T(lang, "vol.check_title")
	status := http.StatusOK
	if n := r.URL.Query().Get("number"); n != "" {
		res, err := u.Store.CheckCertificate(r.Context(), n)
		if err != nil {
			st, body := web.ErrorBody(r, err)
			status = st
			p.Error = body.Error.Message
			if apperr.CodeOf(err) == apperr.NotFound {
				p.Error = i18n.T(lang, "vol.check_none")
			}
		}
		p.Result = res
	}
	u.R.Render(w, r, status, "volunteer/check", p)
	return nil
}

// ---- Rankings

// RankingsPage ranks volunteers and teams by verified hours.
type RankingsPage struct {
	web.Page
	Of      string
	Period  int
	Label   string
	Prev    int
	Next    int
	Rows    []RankRow
	IsMonth bool
	Year    int
	Export  org.ExportLinks
}

func (u *UI) rankings(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	of := q.Choice("of", "volunteers", "teams")
	if of == "" {
		of = "volunteers"
	}
	period := q.Int("period", Period(time.Now()), 1900, 220012)
	if err := q.Err(); err != nil {
		return err
	}
	rows, err := u.Store.Ranking(r.Context(), actor, of, period, 100)
	if err != nil {
		return err
	}
	p := &RankingsPage{Of: of, Period: period, Rows: rows, IsMonth: period > 9999, Year: period / 100, Export: org.NewExportLinks(r.URL)}
	if p.IsMonth {
		y, m := period/100, period%100
		p.Label = fmt.Sprintf("%d-%02d", y, m)
		prev, next := time.Date(y, time.Month(m)-1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, time.Month(m)+1, 1, 0, 0, 0, 0, time.UTC)
		p.Prev, p.Next = prev.Year()*100+int(prev.Month()), next.Year()*100+int(next.Month())
	} else {
		p.Label, p.Prev, p.Next = strconv.Itoa(period), period-1, period+1
	}
	if format := r.URL.Query().Get("format"); format != "" {
		sheet := web.Sheet{Name: i18n.T(lang, "vol.rankings") + " " + p.Label, Header: []string{i18n.T(lang, "vol.rank"), i18n.T(lang, "vol.name"),
			i18n.T(lang, "vol.unit"), i18n.T(lang, "vol.hours_verified"), i18n.T(lang, "vol.services")}}
		for _, x := range rows {
			sheet.Rows = append(sheet.Rows, []any{x.Rank, x.Name, x.Unit, x.Hours, x.Services})
		}
		_, err := web.Export(w, r, "ranking-"+of+"-"+p.Label, sheet)
		return err
	}
	p.Title = i18n.T(lang, "vol.rankings")
	p.Section = "/volunteer"
	u.R.Render(w, r, http.StatusOK, "volunteer/rankings", p)
	return nil
}

// CheckOption is a checkbox, ticked or not.
type CheckOption struct {
	Value, Label string
	Checked      bool
}

// checks turns options into checkboxes ticked where the form has them.
func checks(opts []web.Option, form *web.Form, name string) []CheckOption {
	on := map[string]bool{}
	if form != nil {
		for _, v := range form.Values[name] {
			on[v] = true
		}
	}
	out := make([]CheckOption, 0, len(opts))
	for _, o := range opts {
		out = append(out, CheckOption{Value: o.Value, Label: o.Label, Checked: on[o.Value]})
	}
	return out
}
