package events

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

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
	Stages     []Stage
	Next       []NextStep // who acts next, as the to-do inbox counts it
	Clock      string     // the time left on the stage's deadline, or past it
	Tone       string     // the state tag's colour (see Event.Tone)
	Street     string     // the street of the event's grid
}

// NextStep is one step an event waits for, in words: the part and unit
// that takes it, and whether the reader may.
type NextStep struct {
	Text  string
	Yours bool
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
	who := u.Store.Who(actor, e)
	p.Actions = e.Allowed(who)
	if err := u.whereItStands(ctx, lang, p, who, now); err != nil {
		return err
	}
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

// whereItStands fills the step bar, who acts next and the time left on the
// stage's deadline.
func (u *UI) whereItStands(ctx context.Context, lang i18n.Lang, p *EventPage, who Who, now time.Time) error {
	e := p.E
	p.Stages, p.Tone = e.Stages(), e.Tone(now)
	along, err := u.Orgs.Units(ctx, org.PathIDs(e.UnitPath))
	if err != nil {
		return err
	}
	for _, a := range along {
		if a.Type == string(org.Street) {
			p.Street = a.Name
		}
	}
	for _, a := range e.Waits() {
		var by string
		switch a.By() {
		case AsDispatcher:
			by = p.Street
		case AsHandler:
			by = e.HandlingName
		case AsVerifier:
			by = i18n.T(lang, "events.by.verifier", e.GridName)
		case AsReporter:
			by = i18n.T(lang, "events.by.reporter")
			if e.Source == FromHotline {
				by = i18n.T(lang, "events.by.operator")
			}
		}
		p.Next = append(p.Next, NextStep{Text: i18n.T(lang, "events.next."+string(a), by), Yours: e.Check(a, who) == nil})
	}
	cal, err := u.Store.Cal.Calendar(ctx)
	if err != nil {
		return err
	}
	if left, over, ok := e.TimeLeft(now, cal); ok {
		key := "events.time_left"
		if over {
			key = "events.time_over"
		}
		p.Clock = i18n.T(lang, key, left.Words(lang))
	}
	return nil
}

// printEvent is the event's handling sheet (事件处置单): the event, where it
// stands, its history and lines to sign, on one A4 page with no menu.
func (u *UI) printEvent(w http.ResponseWriter, r *http.Request) error {
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
	p := &EventPage{E: e, Light: e.Light(now)}
	p.Title = i18n.T(lang, "events.sheet") + fmt.Sprintf(" #%d", e.ID)
	p.Section = "/events"
	if p.Steps, err = u.Store.Steps(ctx, actor, id); err != nil {
		return err
	}
	if err := u.whereItStands(ctx, lang, p, u.Store.Who(actor, e), now); err != nil {
		return err
	}
	u.R.Fragment(w, r, "events/print", "sheet", p)
	return nil
}
