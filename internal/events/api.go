package events

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
)

// API serves /api/v1/events, /api/v1/event-categories and /api/v1/calendar.
type API struct{ Store *Store }

// maxAPIBody bounds an API body that carries photos (base64, six of 10 MB).
const maxAPIBody = 90 << 20

// Register adds the API's routes.
func (a *API) Register(rt *web.Routes) {
	rt.API("GET /api/v1/events", web.Read(PermRead, PermHandle, PermReport), a.list)
	rt.API("POST /api/v1/events", web.Write(PermReport), a.create)
	rt.API("GET /api/v1/events/indicators", web.Read(PermRead, PermHandle), a.indicators)
	rt.API("GET /api/v1/events/ranking", web.Read(PermRead, PermHandle), a.ranking)
	rt.APIByID("GET /api/v1/events/{id}", web.Read(PermRead, PermHandle, PermReport).On("event"), a.get)
	rt.APIByID("POST /api/v1/events/{id}/actions", web.Write(PermReport, PermDispatch, PermHandle, PermVerify).On("event"), a.act)
	rt.APIByID("GET /api/v1/events/{id}/nearby", web.Read(PermRead, PermHandle, PermReport).On("event"), a.nearby)
	rt.Handle("GET /api/v1/events/{id}/photos/{pid}", web.Read(PermRead, PermHandle, PermReport).On("event", "photo"), http.HandlerFunc(a.photo))
	rt.API("GET /api/v1/event-categories", web.Read(PermRead, PermHandle, PermReport), a.categories)
	rt.API("POST /api/v1/event-categories", web.Write(PermAdmin), func(r *http.Request, actor *auth.Actor) (any, error) {
		return a.saveCategory(r, actor, 0)
	})
	rt.APIByID("PUT /api/v1/event-categories/{id}", web.Write(PermAdmin).On("category"), a.saveCategory)
	rt.API("GET /api/v1/calendar", web.Read(PermRead, PermHandle, PermReport), a.calendar)
	rt.API("PUT /api/v1/calendar/{year}", web.Write(workcal.PermManage).On("year"), a.setCalendar)
}

// EventJSON is an event in the API.
type EventJSON struct {
	ID             int64      `json:"id"`
	State          State      `json:"state"`
	StateLabel     string     `json:"state_label"`
	Light          string     `json:"light"`
	CategoryID     int64      `json:"category_id"`
	CategoryCode   string     `json:"category_code"`
	CategoryName   string     `json:"category_name"`
	GridID         int64      `json:"grid_id"`
	GridName       string     `json:"grid_name"`
	CommunityName  string     `json:"community_name"`
	HandlingUnitID *int64     `json:"handling_unit_id"`
	HandlingUnit   string     `json:"handling_unit,omitempty"`
	Whistle        Whistle    `json:"whistle,omitempty"`
	Source         Source     `json:"source"`
	Description    string     `json:"description"`
	Address        string     `json:"address"`
	Lon            *float64   `json:"lon"`
	Lat            *float64   `json:"lat"`
	ReporterName   string     `json:"reporter_name"`
	ReporterPhone  string     `json:"reporter_phone"` // masked
	ReportedAt     time.Time  `json:"reported_at"`
	AcceptedAt     *time.Time `json:"accepted_at"`
	DispatchedAt   *time.Time `json:"dispatched_at"`
	SignedAt       *time.Time `json:"signed_at"`
	HandledAt      *time.Time `json:"handled_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	StageDueAt     *time.Time `json:"stage_due_at"`
	DueAt          *time.Time `json:"due_at"`
	WarnLevel      int        `json:"warn_level"`
	Reworks        int        `json:"reworks"`
	Extensions     int        `json:"extensions"`
	Escalations    int        `json:"escalations"`
	EscalatedTo    string     `json:"escalated_to,omitempty"`
	Supervised     bool       `json:"supervised"`
	Pending        Action     `json:"pending,omitempty"`
	DuplicateOf    *int64     `json:"duplicate_of,omitempty"`
	Rating         *int       `json:"rating"`
	ClosedOnTime   *bool      `json:"closed_on_time"`
	Photos         int        `json:"photos"`
}

func eventJSON(e *Event, lang i18n.Lang, now time.Time) EventJSON {
	j := EventJSON{ID: e.ID, State: e.State, StateLabel: e.State.Label().In(lang), Light: e.Light(now), CategoryID: e.CategoryID, ReporterName: e.ReporterName, ReporterPhone: e.ReporterPhone,
		CategoryCode: e.CategoryCode, CategoryName: e.CategoryName, GridID: e.GridID, GridName: e.GridName, CommunityName: e.CommunityName, HandlingUnit: e.HandlingName,
		Whistle: e.Whistle, Source: e.Source, Description: e.Description, Address: e.Address, ReportedAt: e.ReportedAt,
		AcceptedAt: e.AcceptedAt, DispatchedAt: e.DispatchedAt, SignedAt: e.SignedAt, HandledAt: e.HandledAt, ClosedAt: e.ClosedAt,
		StageDueAt: e.StageDueAt, DueAt: e.DueAt, WarnLevel: e.WarnLevel, Reworks: e.Reworks, Extensions: e.Extensions,
		Escalations: e.Escalations, EscalatedTo: e.EscalatedName, Supervised: e.Supervised, Pending: e.Pending,
		ClosedOnTime: e.ClosedOnTime, Photos: e.PhotoCount}
	if e.HandlingUnitID != 0 {
		id := e.HandlingUnitID
		j.HandlingUnitID = &id
	}
	if e.HasLocation {
		lon, lat := e.Lon, e.Lat
		j.Lon, j.Lat = &lon, &lat
	}
	if e.DuplicateOf != 0 {
		d := e.DuplicateOf
		j.DuplicateOf = &d
	}
	if e.Rating != 0 {
		r := e.Rating
		j.Rating = &r
	}
	return j
}

// StepJSON is a history entry in the API.
type StepJSON struct {
	Action    Action         `json:"action"`
	Label     string         `json:"label"`
	From      State          `json:"from"`
	To        State          `json:"to"`
	ActorName string         `json:"actor"`
	At        time.Time      `json:"at"`
	Note      string         `json:"note"`
	Detail    map[string]any `json:"detail"`
	Photos    []string       `json:"photos"`
}

// filterFromQuery reads a listing's filters.
func filterFromQuery(q *web.Query) (Filter, error) {
	states := make([]string, len(States))
	for i, s := range States {
		states[i] = string(s)
	}
	f := Filter{
		State:        State(q.Choice("state", states...)),
		Open:         q.String("open") == "1" || q.String("open") == "true",
		Overdue:      q.String("overdue") == "1" || q.String("overdue") == "true",
		CategoryCode: q.String("category"),
		UnitID:       q.ID("unit"),
		Mine:         q.String("mine") == "1" || q.String("mine") == "true",
		Todo:         Todo(q.Choice("todo", todoNames()...)),
		Query:        q.String("q"),
		Sort:         q.Choice("sort", "reported", "due", "state", "category"),
		Desc:         q.String("order") == "desc",
	}
	var err error
	f.From, f.To, err = period(q)
	return f, err
}

// period reads ?from= and ?to= (dates in Shanghai; to is inclusive).
func period(q *web.Query) (time.Time, time.Time, error) {
	from, err := day(q, "from")
	if err != nil {
		return from, time.Time{}, err
	}
	to, err := day(q, "to")
	if err != nil || to.IsZero() {
		return from, to, err
	}
	return from, to.AddDate(0, 0, 1), nil
}

// day reads a date parameter (a day in Shanghai), zero when absent.
func day(q *web.Query, name string) (time.Time, error) {
	s := q.String(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(date.Layout, s, workcal.Shanghai)
	if err != nil {
		return time.Time{}, apperr.FieldInvalid(name, "field.bad_date")
	}
	return t, nil
}

func (a *API) list(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	f, err := filterFromQuery(q)
	if err != nil {
		return nil, err
	}
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	list, total, err := a.Store.List(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	now := a.Store.now()
	items := make([]EventJSON, len(list))
	for i := range list {
		items[i] = eventJSON(&list[i], web.Lang(r), now)
	}
	return web.NewList(items, total, p), nil
}

// createBody is a report through the API. Photos are base64.
type createBody struct {
	CategoryID     int64    `json:"category_id"`
	CategoryCode   string   `json:"category_code"`
	Description    string   `json:"description"`
	Address        string   `json:"address"`
	Lon            *float64 `json:"lon"`
	Lat            *float64 `json:"lat"`
	GridID         int64    `json:"grid_id"`
	ReporterName   string   `json:"reporter_name"`
	ReporterPhone  string   `json:"reporter_phone"`
	Source         Source   `json:"source"`
	IdempotencyKey string   `json:"idempotency_key"`
	Photos         []string `json:"photos"`
}

func decodePhotos(list []string) ([]Photo, error) {
	var out []Photo
	if len(list) > MaxPhotos {
		return nil, apperr.FieldInvalid("photos", "events.too_many_photos", MaxPhotos)
	}
	for i, s := range list {
		if i := strings.Index(s, ";base64,"); i >= 0 && strings.HasPrefix(s, "data:") {
			s = s[i+len(";base64,"):]
		}
		data, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, apperr.FieldInvalid(fmt.Sprintf("photos[%d]", i), "events.photo_not_image")
		}
		p, err := CheckPhoto(fmt.Sprintf("photos[%d]", i), data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (a *API) create(r *http.Request, actor *auth.Actor) (any, error) {
	var body createBody
	if err := web.DecodeJSONUpTo(r, &body, maxAPIBody); err != nil {
		return nil, err
	}
	ctx := r.Context()
	if body.CategoryID == 0 && body.CategoryCode != "" {
		c, err := a.Store.CategoryByCode(ctx, body.CategoryCode)
		if apperr.IsNotFound(err) {
			return nil, apperr.FieldInvalid("category_code", "events.category_not_found")
		}
		if err != nil {
			return nil, err
		}
		body.CategoryID = c.ID
	}
	photos, err := decodePhotos(body.Photos)
	if err != nil {
		return nil, err
	}
	if body.Source == "" {
		body.Source = FromAPI
	}
	key := body.IdempotencyKey
	if key == "" {
		key = r.Header.Get("Idempotency-Key")
	}
	c, err := a.Store.Create(ctx, actor, NewEvent{CategoryID: body.CategoryID, Description: body.Description, Address: body.Address,
		Lon: body.Lon, Lat: body.Lat, GridID: body.GridID, Source: body.Source, ReporterName: body.ReporterName, ReporterPhone: body.ReporterPhone, IdemKey: key, Photos: photos})
	if err != nil {
		return nil, err
	}
	now := a.Store.now()
	out := struct {
		EventJSON
		Duplicates []EventJSON `json:"duplicates"`
	}{EventJSON: eventJSON(c.Event, web.Lang(r), now), Duplicates: []EventJSON{}}
	for i := range c.Duplicates {
		out.Duplicates = append(out.Duplicates, eventJSON(&c.Duplicates[i], web.Lang(r), now))
	}
	if !c.New {
		return out, nil
	}
	return web.Created{Value: out}, nil
}

func (a *API) get(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	ctx := r.Context()
	e, err := a.Store.Event(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	steps, err := a.Store.Steps(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(r)
	out := struct {
		EventJSON
		Actions []Action   `json:"actions"`
		History []StepJSON `json:"history"`
	}{EventJSON: eventJSON(e, lang, a.Store.now()), Actions: e.Allowed(a.Store.Who(actor, e)), History: []StepJSON{}}
	if out.Actions == nil {
		out.Actions = []Action{}
	}
	for _, st := range steps {
		j := StepJSON{Action: st.Action, Label: st.Action.Label().In(lang), From: st.From, To: st.To, ActorName: st.ActorName, At: st.At,
			Note: st.Note, Detail: st.Detail, Photos: []string{}}
		for _, p := range st.Photos {
			j.Photos = append(j.Photos, fmt.Sprintf("/api/v1/events/%d/photos/%d", id, p))
		}
		out.History = append(out.History, j)
	}
	return out, nil
}

// actBody is a step through the API.
type actBody struct {
	Action         Action   `json:"action"`
	Note           string   `json:"note"`
	HandlingUnitID int64    `json:"handling_unit_id"`
	Whistle        Whistle  `json:"whistle"`
	Days           int      `json:"days"`
	Rating         int      `json:"rating"`
	TargetID       int64    `json:"target_id"`
	Photos         []string `json:"photos"`
}

func (a *API) act(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body actBody
	if err := web.DecodeJSONUpTo(r, &body, maxAPIBody); err != nil {
		return nil, err
	}
	photos, err := decodePhotos(body.Photos)
	if err != nil {
		return nil, err
	}
	e, err := a.Store.Act(r.Context(), actor, id, StepInput{Action: body.Action, Note: body.Note, HandlingUnitID: body.HandlingUnitID,
		Whistle: body.Whistle, Days: body.Days, Rating: body.Rating, TargetID: body.TargetID, Photos: photos})
	if err != nil {
		return nil, err
	}
	return eventJSON(e, web.Lang(r), a.Store.now()), nil
}

func (a *API) nearby(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	e, err := a.Store.Event(r.Context(), actor, id)
	if err != nil {
		return nil, err
	}
	list, err := a.Store.Nearby(r.Context(), actor, e)
	if err != nil {
		return nil, err
	}
	now := a.Store.now()
	items := make([]EventJSON, len(list))
	for i := range list {
		items[i] = eventJSON(&list[i], web.Lang(r), now)
	}
	return wholeList(items), nil
}

// wholeList is a listing of every item on one page.
func wholeList[T any](items []T) web.List[T] {
	return web.NewList(items, len(items), web.Paging{Page: 1, PerPage: max(1, len(items))})
}

// servePhoto writes a photo of an event the actor may read.
func servePhoto(s *Store, w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pid, err := web.PathID(r, "pid")
	if err != nil {
		return err
	}
	p, err := s.PhotoData(r.Context(), actor, id, pid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=86400")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, _ = w.Write(p.Data)
	return nil
}

func (a *API) photo(w http.ResponseWriter, r *http.Request) {
	if err := servePhoto(a.Store, w, r); err != nil {
		web.WriteError(w, r, err)
	}
}

// CategoryJSON is a category in the API.
type CategoryJSON struct {
	ID             int64  `json:"id"`
	ParentID       *int64 `json:"parent_id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	NameEn         string `json:"name_en"`
	Kind           Kind   `json:"kind"`
	HandlingUnitID *int64 `json:"handling_unit_id"`
	HandlingUnit   string `json:"handling_unit,omitempty"`
	Accept         string `json:"accept"`
	Dispatch       string `json:"dispatch"`
	Sign           string `json:"sign"`
	Handle         string `json:"handle"`
	Verify         string `json:"verify"`
	WarnPercent    int    `json:"warn_percent"`
	Public         bool   `json:"public"`
	Active         bool   `json:"active"`
}

func categoryJSON(c *Category) CategoryJSON {
	j := CategoryJSON{ID: c.ID, Code: c.Code, Name: c.Name, NameEn: c.NameEn, Kind: c.Kind, HandlingUnit: c.HandlingName,
		Accept: c.Limits.Accept.String(), Dispatch: c.Limits.Dispatch.String(), Sign: c.Limits.Sign.String(),
		Handle: c.Limits.Handle.String(), Verify: c.Limits.Verify.String(), WarnPercent: c.Limits.WarnPercent, Public: c.Public, Active: c.Active}
	if c.ParentID != 0 {
		p := c.ParentID
		j.ParentID = &p
	}
	if c.HandlingUnitID != 0 {
		h := c.HandlingUnitID
		j.HandlingUnitID = &h
	}
	return j
}

func (a *API) categories(r *http.Request, _ *auth.Actor) (any, error) {
	list, err := a.Store.Categories(r.Context())
	if err != nil {
		return nil, err
	}
	items := make([]CategoryJSON, len(list))
	for i := range list {
		items[i] = categoryJSON(&list[i])
	}
	return wholeList(items), nil
}

// saveCategory creates (id 0) or changes a category.
func (a *API) saveCategory(r *http.Request, actor *auth.Actor, id int64) (any, error) {
	var body struct {
		ParentID       int64  `json:"parent_id"`
		Code           string `json:"code"`
		Name           string `json:"name"`
		NameEn         string `json:"name_en"`
		Kind           Kind   `json:"kind"`
		HandlingUnitID int64  `json:"handling_unit_id"`
		Accept         string `json:"accept"`
		Dispatch       string `json:"dispatch"`
		Sign           string `json:"sign"`
		Handle         string `json:"handle"`
		Verify         string `json:"verify"`
		WarnPercent    int    `json:"warn_percent"`
		Public         *bool  `json:"public"`
		Active         *bool  `json:"active"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	in := CategoryInput{ParentID: body.ParentID, Code: body.Code, Name: body.Name, NameEn: body.NameEn, Kind: body.Kind,
		HandlingUnitID: body.HandlingUnitID, Accept: body.Accept, Dispatch: body.Dispatch, Sign: body.Sign, Handle: body.Handle,
		Verify: body.Verify, WarnPercent: body.WarnPercent, Public: body.Public == nil || *body.Public, Active: body.Active == nil || *body.Active}
	c, err := a.Store.SaveCategory(r.Context(), actor, id, in)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		return web.Created{Value: categoryJSON(c)}, nil
	}
	return categoryJSON(c), nil
}

func (a *API) indicators(r *http.Request, actor *auth.Actor) (any, error) {
	fq, err := readFigures(r, actor, a.Store.now())
	if err != nil {
		return nil, err
	}
	return a.Store.IndicatorsFor(r.Context(), actor, fq.unit, fq.from, fq.to)
}

func (a *API) ranking(r *http.Request, actor *auth.Actor) (any, error) {
	fq, err := readFigures(r, actor, a.Store.now())
	if err != nil {
		return nil, err
	}
	list, err := a.Store.Ranking(r.Context(), actor, fq.unit, fq.departments, fq.from, fq.to)
	if err != nil {
		return nil, err
	}
	return wholeList(list), nil
}

// figures is what indicators and rankings are asked for.
type figures struct {
	unit        int64 // the actor's home unit when not given (0 if they have none)
	departments bool  // rank the departments rather than the units below
	from, to    time.Time
}

// readFigures reads ?unit=, ?departments= and the period (this month so
// far when not given) of an indicators or ranking request.
func readFigures(r *http.Request, actor *auth.Actor, now time.Time) (figures, error) {
	q := web.NewQuery(r)
	fq := figures{unit: q.ID("unit"), departments: q.String("departments") == "1"}
	from, to, err := period(q)
	if err != nil {
		return fq, err
	}
	if err := q.Err(); err != nil {
		return fq, err
	}
	fq.from, fq.to = defaultPeriod(from, to, now)
	if fq.unit == 0 {
		fq.unit = homeUnit(actor)
	}
	return fq, nil
}

// defaultPeriod is this month so far when no period is given.
func defaultPeriod(from, to, now time.Time) (time.Time, time.Time) {
	if from.IsZero() {
		l := now.In(workcal.Shanghai)
		from = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, workcal.Shanghai)
	}
	if to.IsZero() || !to.After(from) {
		to = now.Add(time.Second)
		if !to.After(from) {
			to = from.AddDate(0, 1, 0)
		}
	}
	return from, to
}

// homeUnit is the unit an actor's figures default to: where they hold
// their first role.
func homeUnit(actor *auth.Actor) int64 {
	for _, g := range actor.Grants {
		if actor.Scope(PermRead).Contains(g.UnitPath) || actor.Scope(PermHandle).Contains(g.UnitPath) {
			return g.UnitID
		}
	}
	return 0
}

func (a *API) calendar(r *http.Request, _ *auth.Actor) (any, error) {
	years, err := a.Store.Cal.Years(r.Context())
	if err != nil {
		return nil, err
	}
	type dayJSON struct {
		Date string          `json:"date"`
		Kind workcal.DayKind `json:"kind"`
		Name string          `json:"name"`
	}
	type yearJSON struct {
		Year        int       `json:"year"`
		Hours       string    `json:"hours"`
		Provisional bool      `json:"provisional"`
		Days        []dayJSON `json:"days"`
	}
	out := []yearJSON{}
	for _, y := range years {
		j := yearJSON{Year: y.Year, Hours: workcal.FormatHours(y.Hours), Provisional: y.Provisional, Days: []dayJSON{}}
		for _, d := range y.Days {
			j.Days = append(j.Days, dayJSON{d.Date, d.Kind, d.Name})
		}
		out = append(out, j)
	}
	return map[string]any{"years": out}, nil
}

func (a *API) setCalendar(r *http.Request, actor *auth.Actor) (any, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return nil, apperr.FieldInvalid("year", "workcal.bad_year")
	}
	var body struct {
		Hours       string   `json:"hours"`
		Holidays    []string `json:"holidays"` // "2027-10-01 国庆节"
		Workdays    []string `json:"workdays"`
		Provisional bool     `json:"provisional"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return nil, err
	}
	y, err := yearFromText(year, body.Hours, strings.Join(body.Holidays, "\n"), strings.Join(body.Workdays, "\n"), body.Provisional)
	if err != nil {
		return nil, err
	}
	if err := a.Store.Cal.SetYear(r.Context(), actor, y); err != nil {
		return nil, err
	}
	return a.calendar(r, actor)
}

// yearFromText reads a year of the calendar as forms and the API give it.
func yearFromText(year int, hours, holidays, workdays string, provisional bool) (workcal.Year, error) {
	y := workcal.Year{Year: year, Provisional: provisional}
	h, err := workcal.ParseHours(hours)
	if err != nil {
		return y, apperr.FieldInvalid("hours", "workcal.bad_hours")
	}
	y.Hours = h
	hol, err := workcal.ParseDays("holidays", year, workcal.Holiday, holidays)
	if err != nil {
		return y, err
	}
	wd, err := workcal.ParseDays("workdays", year, workcal.Workday, workdays)
	if err != nil {
		return y, err
	}
	y.Days = append(hol, wd...)
	return y, nil
}
