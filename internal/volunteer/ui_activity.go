package volunteer

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// ActivitiesPage lists activities.
type ActivitiesPage struct {
	web.Page
	Form       *web.Form
	Categories []web.Option
	Activities []Activity
	Pager      *web.Pager
	When       string
	CanManage  bool
}

func (u *UI) activities(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := web.NewQuery(r)
	f := ActivityFilter{When: q.Choice("when", "upcoming", "past", "all"), Category: q.Choice("category", Categories.Values...), Query: q.String("q"),
		UnderID: q.ID("under"), TeamID: q.ID("team")}
	if err := q.Err(); err != nil {
		return err
	}
	if f.When == "" {
		f.When = "upcoming"
	}
	if f.When == "all" {
		f.When = ""
	}
	ctx := r.Context()
	p := &ActivitiesPage{Form: web.NewForm(r.URL.Query()), Categories: choiceOptions(lang, Categories, "web.all"), When: f.When, CanManage: actor.Has(PermManage)}
	p.Title = i18n.T(lang, "vol.activities")
	p.Section = "/volunteer"
	if p.Pager, err = web.ReadPage(r, 30, func(limit, offset int) (total int, err error) {
		f.Limit, f.Offset = limit, offset
		p.Activities, total, err = u.Store.ListActivities(ctx, actor, f)
		return total, err
	}); err != nil {
		return err
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/activities", p)
	return nil
}

// ShiftRows is how many shift rows the activity form offers.
const ShiftRows = 3

// ActivityFormPage publishes an activity.
type ActivityFormPage struct {
	web.Page
	Form       *web.Form
	Team       *Team
	Units      []web.Option
	Categories []web.Option
	Skills     []web.Option
	Rows       []int
	MapJSON    template.JS
}

func (u *UI) activityForm(w http.ResponseWriter, r *http.Request) error {
	form := web.NewForm(r.URL.Query())
	tomorrow := time.Now().In(date.Shanghai).AddDate(0, 0, 1).Format(date.Layout)
	form.Values.Set("shift_date_0", tomorrow)
	form.Values.Set("shift_start_0", "09:00")
	form.Values.Set("shift_end_0", "11:00")
	form.Values.Set("shift_cap_0", "10")
	return u.showActivityForm(w, r, form, http.StatusOK)
}

func (u *UI) showActivityForm(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &ActivityFormPage{Form: form, Categories: choiceOptions(lang, Categories, ""), Skills: choiceOptions(lang, Skills, "web.none")}
	p.Title = i18n.T(lang, "vol.new_activity")
	p.Section = "/volunteer"
	for i := range ShiftRows {
		p.Rows = append(p.Rows, i)
	}
	ctx := r.Context()
	var around *org.Unit
	if tid := form.Int64("team"); tid != 0 {
		if p.Team, err = u.Store.teamWithin(ctx, actor.Scope(PermManage), tid); err != nil {
			return err
		}
		around, _ = u.Store.unitWithin(ctx, actor.Scope(PermRead), p.Team.UnitID)
	} else {
		if p.Units, err = u.unitOptions(r, actor, PermManage, org.Community, org.Street); err != nil {
			return err
		}
		if len(p.Units) == 0 {
			return apperr.New(apperr.Forbidden, "error.forbidden")
		}
		id, _ := strconv.ParseInt(p.Units[0].Value, 10, 64)
		around, _ = u.Store.unitWithin(ctx, actor.Scope(PermRead), id)
	}
	p.MapJSON = pickMap(around, form)
	u.R.Render(w, r, status, "volunteer/activity_form", p)
	return nil
}

// pickMap is the map the activity form shows to pick the place on: the
// unit's boundary, and the point picked so far.
func pickMap(unit *org.Unit, form *web.Form) template.JS {
	fc := map[string]any{"type": "FeatureCollection", "features": []any{}}
	feats := []any{}
	if unit != nil && unit.Boundary != "" {
		feats = append(feats, map[string]any{"type": "Feature", "geometry": json.RawMessage(unit.Boundary), "properties": map[string]any{"name": unit.Name, "self": true}})
	}
	if lon, err1 := strconv.ParseFloat(form.Trim("lon"), 64); err1 == nil {
		if lat, err2 := strconv.ParseFloat(form.Trim("lat"), 64); err2 == nil {
			feats = append(feats, pointFeature(lon, lat, ""))
		}
	}
	fc["features"] = feats
	b, _ := json.Marshal(fc)
	return template.JS(b)
}

func pointFeature(lon, lat float64, name string) map[string]any {
	return map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{lon, lat}},
		"properties": map[string]any{"name": name, "color": "#b8232a"}}
}

func (u *UI) createActivity(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	in := ActivityInput{UnitID: form.Int64("unit_id"), TeamID: form.Int64("team"), Title: form.Get("title"), Category: form.Get("category"),
		Description: form.Get("description"), Place: form.Get("place"), NeedsApproval: form.Get("needs_approval") != "", TeamOnly: form.Get("team_only") != ""}
	var f apperr.Fields
	if lonText, latText := form.Trim("lon"), form.Trim("lat"); lonText != "" || latText != "" {
		lon, err1 := strconv.ParseFloat(lonText, 64)
		lat, err2 := strconv.ParseFloat(latText, 64)
		if err1 != nil || err2 != nil {
			f.Add("lon", "vol.point_both")
		} else {
			in.Lon, in.Lat = &lon, &lat
		}
	}
	for i := range ShiftRows {
		d, from, to := form.Trim(fmt.Sprintf("shift_date_%d", i)), form.Trim(fmt.Sprintf("shift_start_%d", i)), form.Trim(fmt.Sprintf("shift_end_%d", i))
		if d == "" && from == "" && to == "" {
			continue
		}
		field := fmt.Sprintf("shift_%d", i)
		start, err1 := parseLocal(d, from)
		end, err2 := parseLocal(d, to)
		if err1 != nil || err2 != nil {
			f.Add(field, "vol.shift_times")
			continue
		}
		if !end.After(start) {
			end = end.AddDate(0, 0, 1) // a night shift ends the next day
		}
		capacity, err := strconv.Atoi(form.Trim(fmt.Sprintf("shift_cap_%d", i)))
		if err != nil {
			f.Add(field, "web.out_of_range", 1, 10000)
			continue
		}
		sh := ShiftInput{StartsAt: start, EndsAt: end, Capacity: capacity}
		if sk := form.Get(fmt.Sprintf("shift_skill_%d", i)); sk != "" {
			sh.Skills = []string{sk}
		}
		in.Shifts = append(in.Shifts, sh)
	}
	if err := f.Err(); err != nil {
		return u.showActivityForm(w, r, form, form.Fail(r, err))
	}
	a, err := u.Store.CreateActivity(r.Context(), actor, in)
	if err != nil {
		// Shift problems are reported on the row they came from.
		if ae := apperr.As(err); ae.Code == apperr.Invalid {
			for k, m := range ae.Fields {
				if strings.HasPrefix(k, "shifts.") {
					delete(ae.Fields, k)
					ae.Fields["shift_"+strings.TrimPrefix(k, "shifts.")] = m
				}
				if k == "shifts" {
					delete(ae.Fields, k)
					ae.Fields["shift_0"] = m
				}
			}
		}
		return u.showActivityForm(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/volunteer/activities/%d", a.ID), "vol.published")
}

// ActivityPage shows an activity: where, its shifts and, to whoever runs
// it, the sign-ups with what to do next.
type ActivityPage struct {
	web.Page
	A         *Activity
	ByShift   map[int64][]Signup
	CanManage bool
	MapJSON   template.JS
	Form      *web.Form
	Error     string
	Now       time.Time
}

// Signups returns the sign-ups of a shift.
func (p *ActivityPage) Signups(shiftID int64) []Signup { return p.ByShift[shiftID] }

func (u *UI) activity(w http.ResponseWriter, r *http.Request) error {
	return u.showActivity(w, r, web.NewForm(nil), http.StatusOK)
}

func (u *UI) showActivity(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := u.Store.Activity(ctx, actor, id)
	if err != nil {
		return err
	}
	p := &ActivityPage{A: a, ByShift: map[int64][]Signup{}, CanManage: actor.Scope(PermManage).Contains(a.UnitPath), Form: form,
		Error: takeError(w, r), Now: time.Now()}
	p.Title = a.Title
	p.Section = "/volunteer"
	signups, err := u.Store.Signups(ctx, actor, id)
	if err != nil {
		return err
	}
	for _, g := range signups {
		p.ByShift[g.ShiftID] = append(p.ByShift[g.ShiftID], g)
	}
	if a.HasPoint {
		b, _ := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{pointFeature(a.Lon, a.Lat, a.Place)}})
		p.MapJSON = template.JS(b)
	}
	u.R.Render(w, r, status, "volunteer/activity", p)
	return nil
}

func (u *UI) cancelActivity(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/volunteer/activities/%d", id)
	if err := u.Store.CancelActivity(r.Context(), actor, id, form.Get("reason")); err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, "vol.activity_was_cancelled")
}

// signUpFor lets an organiser sign a volunteer up for a shift by number.
func (u *UI) signUpFor(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	// An activity out of scope is not found, whatever the form holds; the
	// shift must be one of the activity's.
	act, err := u.Store.Activity(r.Context(), actor, id)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/volunteer/activities/%d", id)
	shiftID := form.Int64("shift_id")
	if !slices.ContainsFunc(act.Shifts, func(sh Shift) bool { return sh.ID == shiftID }) {
		return failFlash(w, r, to, apperr.FieldInvalid("shift_id", "field.bad_choice"))
	}
	vid, err := u.volunteerByNumber(r, actor, form.Trim("number"))
	if err == nil {
		_, err = u.Store.SignUp(r.Context(), actor, shiftID, vid)
	}
	if err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, "vol.signed_up")
}

// signupAction runs one of the organiser's actions on a sign-up.
func (u *UI) signupAction(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	to := back(form, "/volunteer")
	var flash string
	switch r.PathValue("action") {
	case "approve":
		flash = "vol.approved"
		_, err = u.Store.Decide(ctx, actor, id, true, "")
	case "reject":
		flash = "vol.rejected"
		_, err = u.Store.Decide(ctx, actor, id, false, form.Get("reason"))
	case "cancel":
		flash = "vol.cancelled"
		_, err = u.Store.Cancel(ctx, actor, id)
	case "mark":
		flash = "vol.marked"
		in, e1 := parseLocalDateTime(form.Get("check_in_at"))
		out, e2 := parseLocalDateTime(form.Get("check_out_at"))
		if e1 != nil || e2 != nil {
			err = apperr.FieldInvalid("check_in_at", "field.bad_date")
			break
		}
		_, err = u.Store.Mark(ctx, actor, id, in, out)
	case "verify":
		flash = "vol.verified"
		var minutes *int
		if h := form.Trim("hours"); h != "" {
			v, perr := strconv.ParseFloat(h, 64)
			if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				err = apperr.FieldInvalid("minutes", "field.bad_number")
				break
			}
			m := int(v*60 + 0.5)
			minutes = &m
		}
		_, err = u.Store.VerifyHours(ctx, actor, id, minutes)
	case "reject-hours":
		flash = "vol.hours_rejected"
		_, err = u.Store.RejectHours(ctx, actor, id, form.Get("reason"))
	default:
		return apperr.NotFoundf("操作")
	}
	if err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, flash)
}

// ShiftQRPage shows a shift's check-in or check-out code full screen, for
// the organiser's phone or a printed sheet.
type ShiftQRPage struct {
	web.Page
	A     *Activity
	Shift *Shift
	Kind  string
	Code  string
	QR    template.HTML
	Link  string
}

func (u *UI) shiftCode(r *http.Request) (*Activity, *Shift, string, string, error) {
	actor, err := web.SignedIn(r)
	if err != nil {
		return nil, nil, "", "", err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return nil, nil, "", "", err
	}
	a, sh, err := u.Store.Shift(r.Context(), actor, id)
	if err != nil {
		return nil, nil, "", "", err
	}
	kind := r.URL.Query().Get("kind")
	code := sh.InCode
	if kind == "out" {
		code = sh.OutCode
	} else {
		kind = "in"
	}
	return a, sh, kind, code, nil
}

func (u *UI) shiftQR(w http.ResponseWriter, r *http.Request) error {
	a, sh, kind, code, err := u.shiftCode(r)
	if err != nil {
		return err
	}
	p := &ShiftQRPage{A: a, Shift: sh, Kind: kind, Code: GroupCode(code), Link: absURL(r, "/volunteer/scan?code="+code)}
	if p.QR, err = QRSVG(p.Link, p.Code); err != nil {
		return err
	}
	p.Title = a.Title
	p.Section = "/volunteer"
	u.R.Render(w, r, http.StatusOK, "volunteer/shift_qr", p)
	return nil
}

func (u *UI) shiftQRPNG(w http.ResponseWriter, r *http.Request) error {
	_, _, kind, code, err := u.shiftCode(r)
	if err != nil {
		return err
	}
	png, err := QRPNG(absURL(r, "/volunteer/scan?code="+code), 12)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="shift-%s-%s.png"`, r.PathValue("id"), kind))
	_, err = w.Write(png)
	return err
}

// ---- The volunteer's own pages

// MePage is a volunteer's phone page: their hours and points, their
// sign-ups, activities to join, and the way to their code for merchants.
type MePage struct {
	web.Page
	V        *Volunteer
	Signups  []Signup
	Upcoming []Activity
	Mine     map[int64]Signup // by shift
	Record   *Record
	Recent   []Service // the latest services, newest first
	Error    string
	Now      time.Time
}

// MineOn returns the volunteer's sign-up on a shift, if any.
func (p *MePage) MineOn(shiftID int64) *Signup {
	if g, ok := p.Mine[shiftID]; ok {
		return &g
	}
	return nil
}

func (u *UI) me(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v, err := u.Store.Me(ctx, actor)
	if err != nil {
		return err
	}
	p := &MePage{V: v, Mine: map[int64]Signup{}, Error: takeError(w, r), Now: time.Now()}
	p.Title = i18n.T(web.Lang(r), "nav.my_volunteer")
	p.Section = "/volunteer/me"
	if p.Signups, err = u.Store.MySignups(ctx, actor, 100); err != nil {
		return err
	}
	for _, g := range p.Signups {
		p.Mine[g.ShiftID] = g
	}
	// The phone page shows what is next: sign-ups to come or waiting for
	// verification, then a few of the latest.
	keep := 0
	for i, g := range p.Signups {
		if i >= 5 && !(g.EndsAt.After(p.Now) && g.Active()) && g.HoursStatus != HoursPending {
			break
		}
		keep = i + 1
	}
	p.Signups = p.Signups[:keep]
	if p.Upcoming, err = u.Store.Upcoming(ctx, actor, 10); err != nil {
		return err
	}
	if p.Record, err = u.Store.MyRecord(ctx, actor); err != nil {
		return err
	}
	for i := len(p.Record.Services) - 1; i >= 0 && len(p.Recent) < 10; i-- {
		p.Recent = append(p.Recent, p.Record.Services[i])
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/me", p)
	return nil
}

func (u *UI) signUpSelf(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	g, err := u.Store.SignUp(r.Context(), actor, form.Int64("shift_id"), 0)
	if err != nil {
		return failFlash(w, r, "/volunteer/me", err)
	}
	flash := "vol.signed_up"
	if g.Status == SignupPending {
		flash = "vol.signed_up_pending"
	}
	return done(w, r, "/volunteer/me", flash)
}

func (u *UI) cancelSelf(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := u.Store.Cancel(r.Context(), actor, id); err != nil {
		return failFlash(w, r, "/volunteer/me", err)
	}
	return done(w, r, "/volunteer/me", "vol.cancelled")
}

// ScanPage checks a volunteer in or out: the phone's camera reads the
// organiser's QR code where the browser can (BarcodeDetector), and the
// code printed under it can be typed where it cannot.
type ScanPage struct {
	web.Page
	Form   *web.Form
	Result *ScanResult
}

func (u *UI) scanForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if _, err := u.Store.Me(r.Context(), actor); err != nil {
		return err
	}
	form := web.NewForm(nil)
	if c := r.URL.Query().Get("code"); c != "" {
		form.Values.Set("code", GroupCode(NormalizeCode(c)))
	}
	return u.showScan(w, r, form, nil, http.StatusOK)
}

func (u *UI) showScan(w http.ResponseWriter, r *http.Request, form *web.Form, res *ScanResult, status int) error {
	p := &ScanPage{Form: form, Result: res}
	p.Title = i18n.T(web.Lang(r), "vol.scan_title")
	p.Section = "/volunteer/me"
	u.R.Render(w, r, status, "volunteer/scan", p)
	return nil
}

func (u *UI) scan(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	res, err := u.Store.Scan(r.Context(), actor, form.Get("code"))
	if err != nil {
		return u.showScan(w, r, form, nil, form.Fail(r, err))
	}
	return u.showScan(w, r, web.NewForm(nil), res, http.StatusOK)
}

// PassPage shows a one-time code to a merchant.
type PassPage struct {
	web.Page
	V       *Volunteer
	Code    string
	QR      template.HTML
	Expires time.Time
}

func (u *UI) pass(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v, err := u.Store.Me(ctx, actor)
	if err != nil {
		return err
	}
	pass, err := u.Store.NewPass(ctx, actor)
	if err != nil {
		return failFlash(w, r, "/volunteer/me", err)
	}
	p := &PassPage{V: v, Code: GroupCode(pass.Code), Expires: pass.ExpiresAt}
	if p.QR, err = QRSVG(pass.Code, p.Code); err != nil {
		return err
	}
	p.Title = i18n.T(web.Lang(r), "vol.pass_title")
	p.Section = "/volunteer/me"
	u.R.Render(w, r, http.StatusOK, "volunteer/pass", p)
	return nil
}
