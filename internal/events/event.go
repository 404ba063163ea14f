// Package events is the daily work of the grids (docs/domain.md §2): a grid
// member, a resident, a hotline operator or an API client reports a
// problem; the street accepts it (立案) and dispatches it (派遣, "blows the
// whistle") to the department or unit responsible; that unit signs for it
// (签收), handles it and reports back; the reporter or a grid member
// verifies it, and it closes (结案) or goes back for rework (返工); then it
// is rated. Side branches: return to the dispatcher (回退), extension (延期),
// deferral (缓办), void (作废), supervision (督办), merge as duplicate.
//
// Every stage has a deadline on the working calendar (platform/workcal);
// a durable periodic job (platform/jobs) turns events yellow before a
// deadline and red after it, escalates red ones to the level above, and
// notifies the people responsible. Indicators (立案率, 派遣率, 结案率,
// 按期结案率, 返工率, 延期率, 响应率, 满意率) and rankings are counted from the
// rows, and Open311 GeoReport v2 is served at /open311/v2/.
//
// event.go and category.go hold the types and rules with no SQL or HTTP;
// store*.go the SQL; api.go, open311.go and ui.go the handlers.
//
// Scope: an event belongs to its grid (unit_path, a copy of the grid's
// path) and, once dispatched, to its handling unit (handling_path). A user
// reads the events whose grid lies in their read scope, the events
// dispatched to a unit in their handling scope (a department sees what was
// sent to it, wherever the grid is), and the events they reported.
package events

import (
	"bytes"
	"cmp"
	"image"
	_ "image/gif" // photo formats accepted
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/workcal"
)

// Permissions of the events module.
const (
	PermRead     auth.Perm = "events.read"     // read events in the unit's subtree
	PermReport   auth.Perm = "events.report"   // report events in the subtree
	PermDispatch auth.Perm = "events.dispatch" // accept, dispatch, approve, supervise
	PermHandle   auth.Perm = "events.handle"   // sign for and handle events sent to the unit
	PermVerify   auth.Perm = "events.verify"   // verify handled events in the subtree
	PermAdmin    auth.Perm = "events.admin"    // edit categories
	PermUnmask   auth.Perm = "events.unmask"   // see a caller's phone in full, giving a reason
)

// Roles this module adds: a hotline operator (接线员), who takes calls and
// reports for callers, and a resident, who reports and sees their own.
const (
	Operator auth.Role = "operator"
	Resident auth.Role = "resident"
)

func init() {
	auth.DefineReadPerm(PermRead)
	auth.DefineRole(auth.DistrictAdmin, PermRead, PermReport, PermDispatch, PermHandle, PermVerify, PermAdmin)
	auth.DefineRole(auth.StreetStaff, PermRead, PermReport, PermDispatch, PermHandle)
	auth.DefineRole(auth.CommunityStaff, PermRead, PermReport, PermHandle, PermVerify)
	auth.DefineRole(auth.GridMember, PermRead, PermReport, PermVerify)
	auth.DefineRole(auth.DepartmentStaff, PermHandle)
	auth.DefineRole(auth.Instructor, PermRead)
	auth.DefineRole(Operator, PermRead, PermReport)
	auth.DefineRole(auth.DistrictAdmin, PermUnmask)
	auth.DefineRole(auth.StreetStaff, PermUnmask)
	auth.DefineRole(Operator, PermUnmask)
	auth.DefineRole(Resident, PermReport)
}

// State is where an event stands.
type State string

// The states.
const (
	Reported   State = "reported"   // 上报, waiting to be accepted
	Accepted   State = "accepted"   // 立案, waiting to be dispatched
	Rejected   State = "rejected"   // 不予立案
	Dispatched State = "dispatched" // 派遣, waiting to be signed for
	Signed     State = "signed"     // 签收, being handled
	Handled    State = "handled"    // 处置反馈, waiting to be verified
	Rework     State = "rework"     // 返工
	Closed     State = "closed"     // 结案
	Deferred   State = "deferred"   // 缓办: the clock stands
	Void       State = "void"       // 作废
	Merged     State = "merged"     // 合并为重复
)

// States lists every state, in workflow order.
var States = []State{Reported, Accepted, Dispatched, Signed, Handled, Rework, Deferred, Closed, Rejected, Void, Merged}

// Open reports whether an event in state s still needs work.
func (s State) Open() bool {
	switch s {
	case Reported, Accepted, Dispatched, Signed, Handled, Rework, Deferred:
		return true
	}
	return false
}

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Label names the state in the reader's language.
func (s State) Label() i18n.Msg { return i18n.M("events.state." + string(s)) }

// Whistle is the kind of dispatch (吹哨).
type Whistle string

// The whistles.
const (
	Daily     Whistle = "daily"     // 日常吹哨
	Tough     Whistle = "tough"     // 攻坚吹哨: a hard problem, at least 15 working days
	Emergency Whistle = "emergency" // 应急吹哨: two hours, by the clock
)

// Whistles lists the kinds of dispatch.
var Whistles = []Whistle{Daily, Tough, Emergency}

// Valid reports whether w is known.
func (w Whistle) Valid() bool { return w == Daily || w == Tough || w == Emergency }

// Source is how an event came in.
type Source string

// The sources.
const (
	FromGrid     Source = "grid"     // a grid member's phone
	FromResident Source = "resident" // a resident's page
	FromHotline  Source = "hotline"  // an operator taking a call
	FromAPI      Source = "api"      // the JSON API
	FromOpen311  Source = "open311"  // Open311 GeoReport v2
)

// Sources lists the sources.
var Sources = []Source{FromGrid, FromResident, FromHotline, FromAPI, FromOpen311}

// Event is a reported problem and where its handling stands.
type Event struct {
	ID              int64
	CategoryID      int64
	CategoryCode    string
	CategoryName    string
	GridID          int64
	GridName        string
	CommunityName   string // the community the grid lies in (through its area, if any)
	UnitPath        string
	HandlingUnitID  int64
	HandlingName    string
	HandlingPath    string
	State           State
	Whistle         Whistle
	Source          Source
	Description     string
	Address         string
	Lon, Lat        float64
	HasLocation     bool
	ReporterID      int64
	ReporterName    string
	ReporterPhone   string // masked
	ReportedAt      time.Time
	AcceptedAt      *time.Time
	DispatchedAt    *time.Time
	SignedAt        *time.Time
	HandledAt       *time.Time
	ClosedAt        *time.Time
	StageStartedAt  *time.Time
	StageDueAt      *time.Time
	WarnAt          *time.Time
	DueAt           *time.Time
	NextCheckAt     *time.Time
	WarnLevel       int // 0 in time, 1 yellow, 2 red
	StageSeq        int
	SignedOnTime    *bool
	ClosedOnTime    *bool
	Reworks         int
	Extensions      int
	Returns         int
	Escalations     int
	EscalatedUnitID int64
	EscalatedName   string
	Supervised      bool
	DeferredFrom    State
	Pending         Action // a request waiting for approval: extend, defer or void
	PendingDays     int
	PendingReason   string
	DuplicateOf     int64
	Rating          int
	Open311Token    string
	UpdatedAt       time.Time
	PhotoCount      int
}

// Overdue reports whether the event's current stage is past its deadline at now.
func (e *Event) Overdue(now time.Time) bool {
	return e.State.Open() && e.StageDueAt != nil && now.After(*e.StageDueAt)
}

// Light is the warning colour at now: "green", "yellow" or "red" (empty
// when the clock stands).
func (e *Event) Light(now time.Time) string {
	switch {
	case !e.State.Open() || e.StageDueAt == nil:
		return ""
	case !now.Before(*e.StageDueAt):
		return "red"
	case e.WarnAt != nil && !now.Before(*e.WarnAt):
		return "yellow"
	}
	return "green"
}

// Action is a step that moves an event.
type Action string

// The actions.
const (
	ActReport       Action = "report"
	ActAccept       Action = "accept"   // 立案
	ActReject       Action = "reject"   // 不予立案
	ActDispatch     Action = "dispatch" // 派遣
	ActSign         Action = "sign"     // 签收
	ActReturn       Action = "return"   // 回退 to the dispatcher
	ActHandle       Action = "handle"   // 处置反馈
	ActPass         Action = "pass"     // 核查通过 → 结案
	ActFail         Action = "fail"     // 核查不通过 → 返工
	ActRate         Action = "rate"     // 满意度评价
	ActAskExtension Action = "ask_extension"
	ActAskDeferral  Action = "ask_deferral"
	ActAskVoid      Action = "ask_void"
	ActApprove      Action = "approve"
	ActDeny         Action = "deny"
	ActResume       Action = "resume" // 恢复 a deferred event
	ActVoid         Action = "void"   // 作废
	ActSupervise    Action = "supervise"
	ActMerge        Action = "merge"
	ActWarn         Action = "warn"     // the deadline sweep: yellow
	ActEscalate     Action = "escalate" // the deadline sweep: red, sent up a level
)

// Who is what an actor is to one event: the roles that decide what they may
// do to it.
type Who uint8

// The parts an actor can play.
const (
	AsDispatcher Who = 1 << iota // PermDispatch over the event's grid
	AsHandler                    // PermHandle over its handling unit
	AsVerifier                   // PermVerify over its grid, or its reporter
	AsReporter                   // its reporter, or for a hotline call an operator over its grid
)

// rule says from which states an action may be taken, by whom, and what it
// needs.
type rule struct {
	from       []State
	by         Who
	needReason bool
	pending    bool // only with a pending request
}

var rules = map[Action]rule{
	ActAccept:       {from: []State{Reported}, by: AsDispatcher},
	ActReject:       {from: []State{Reported}, by: AsDispatcher, needReason: true},
	ActDispatch:     {from: []State{Accepted}, by: AsDispatcher},
	ActSign:         {from: []State{Dispatched}, by: AsHandler},
	ActReturn:       {from: []State{Dispatched, Signed}, by: AsHandler, needReason: true},
	ActHandle:       {from: []State{Signed, Rework}, by: AsHandler, needReason: true},
	ActPass:         {from: []State{Handled}, by: AsVerifier},
	ActFail:         {from: []State{Handled}, by: AsVerifier, needReason: true},
	ActRate:         {from: []State{Closed}, by: AsReporter},
	ActAskExtension: {from: []State{Dispatched, Signed, Rework}, by: AsHandler, needReason: true},
	ActAskDeferral:  {from: []State{Signed, Rework}, by: AsHandler, needReason: true},
	ActAskVoid:      {from: []State{Dispatched, Signed, Rework}, by: AsHandler, needReason: true},
	ActApprove:      {from: []State{Dispatched, Signed, Rework}, by: AsDispatcher, pending: true},
	ActDeny:         {from: []State{Dispatched, Signed, Rework}, by: AsDispatcher, pending: true, needReason: true},
	ActResume:       {from: []State{Deferred}, by: AsDispatcher},
	ActVoid:         {from: []State{Reported, Accepted}, by: AsDispatcher, needReason: true},
	ActSupervise:    {from: []State{Accepted, Dispatched, Signed, Handled, Rework}, by: AsDispatcher, needReason: true},
	ActMerge:        {from: []State{Reported, Accepted}, by: AsDispatcher},
}

// UserActions lists the actions a person can take, in the order pages show them.
var UserActions = []Action{ActAccept, ActDispatch, ActReject, ActMerge, ActVoid, ActSign, ActHandle, ActReturn,
	ActAskExtension, ActAskDeferral, ActAskVoid, ActApprove, ActDeny, ActResume, ActSupervise, ActPass, ActFail, ActRate}

// Valid reports whether a is an action a person can take.
func (a Action) Valid() bool {
	_, ok := rules[a]
	return ok
}

// Label names the action in the reader's language.
func (a Action) Label() i18n.Msg { return i18n.M("events.act." + string(a)) }

// Check says whether who may take action a on e now: nil, or a Conflict
// error saying why not (the state does not allow it), or Forbidden (the
// actor plays no part that may).
func (e *Event) Check(a Action, who Who) error {
	r, ok := rules[a]
	if !ok {
		return apperr.FieldInvalid("action", "field.bad_choice")
	}
	allowed := false
	for _, s := range r.from {
		allowed = allowed || s == e.State
	}
	if !allowed {
		return apperr.New(apperr.Conflict, "events.not_allowed", a.Label(), e.State.Label())
	}
	switch {
	case r.pending && e.Pending == "":
		return apperr.New(apperr.Conflict, "events.nothing_pending")
	case !r.pending && e.Pending != "" && (a == ActAskExtension || a == ActAskDeferral || a == ActAskVoid):
		return apperr.New(apperr.Conflict, "events.already_pending")
	case a == ActRate && e.Rating != 0:
		return apperr.New(apperr.Conflict, "events.already_rated")
	}
	if who&r.by == 0 {
		return apperr.New(apperr.Forbidden, "events.not_yours", a.Label())
	}
	return nil
}

// Allowed lists the actions who may take on e now.
func (e *Event) Allowed(who Who) []Action {
	var out []Action
	for _, a := range UserActions {
		if e.Check(a, who) == nil {
			out = append(out, a)
		}
	}
	return out
}

// MaxText bounds descriptions and notes.
const MaxText = 4000

// checkText validates free text into f: required when need is set.
func checkText(f *apperr.Fields, field, text string, need bool) {
	switch {
	case need && strings.TrimSpace(text) == "":
		f.Add(field, "field.required")
	case utf8.RuneCountInString(text) > MaxText:
		f.Add(field, "field.too_long", MaxText)
	case !utf8.ValidString(text) || strings.IndexFunc(text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.Add(field, "events.bad_text")
	}
}

// NewEvent is a report.
type NewEvent struct {
	CategoryID    int64
	Description   string
	Address       string
	Lon, Lat      *float64 // WGS-84; the grid is found from them
	GridID        int64    // when there is no location (a hotline call)
	Source        Source
	ReporterName  string // a caller or resident who is not a user
	ReporterPhone string // a caller's phone, to call back; sealed when stored
	IdemKey       string // the same key twice makes one event
	Photos        []Photo
	Open311Token  string
}

// Validate checks the report's own fields.
func (n *NewEvent) Validate() error {
	n.Description = strings.TrimSpace(n.Description)
	n.Address = strings.TrimSpace(n.Address)
	n.ReporterName = strings.TrimSpace(n.ReporterName)
	n.ReporterPhone = pii.NormalizePhone(n.ReporterPhone)
	var f apperr.Fields
	if n.CategoryID <= 0 {
		f.Add("category_id", "field.required")
	}
	// GeoReport v2 makes the description optional: the service names the problem.
	checkText(&f, "description", n.Description, n.Source != FromOpen311)
	if utf8.RuneCountInString(n.Address) > 200 {
		f.Add("address", "field.too_long", 200)
	}
	if utf8.RuneCountInString(n.ReporterName) > 50 {
		f.Add("reporter_name", "field.too_long", 50)
	}
	if n.ReporterPhone != "" {
		if p := pii.PhoneProblem(n.ReporterPhone); p != "" {
			f.Add("reporter_phone", p)
		}
	}
	if len(n.IdemKey) > 100 {
		f.Add("idempotency_key", "field.too_long", 100)
	}
	if (n.Lon == nil) != (n.Lat == nil) {
		f.Add("lat", "events.location_pair")
	}
	if n.Lon == nil && n.GridID == 0 {
		f.Add("lon", "events.location_required")
	}
	if len(n.Photos) > MaxPhotos {
		f.Add("photos", "events.too_many_photos", MaxPhotos)
	}
	switch n.Source {
	case FromGrid, FromResident, FromHotline, FromAPI, FromOpen311:
	default:
		f.Add("source", "field.bad_choice")
	}
	return f.Err()
}

// StepInput is one step a person takes.
type StepInput struct {
	Action         Action
	Note           string
	HandlingUnitID int64   // dispatch: where to
	Whistle        Whistle // dispatch: what kind
	Days           int     // ask_extension: how many working days more
	Rating         int     // rate: 1 to 5
	TargetID       int64   // merge: into which event
	Photos         []Photo
}

// Validate checks the step's own fields against its rule.
func (in *StepInput) Validate() error {
	in.Note = strings.TrimSpace(in.Note)
	var f apperr.Fields
	r, ok := rules[in.Action]
	if !ok {
		f.Add("action", "field.bad_choice")
		return f.Err()
	}
	checkText(&f, "note", in.Note, r.needReason)
	switch in.Action {
	case ActDispatch:
		if in.HandlingUnitID <= 0 {
			f.Add("handling_unit_id", "field.required")
		}
		if in.Whistle == "" {
			in.Whistle = Daily
		}
		if !in.Whistle.Valid() {
			f.Add("whistle", "field.bad_choice")
		}
	case ActAskExtension:
		if in.Days < 1 || in.Days > 60 {
			f.Add("days", "events.days_range", 1, 60)
		}
	case ActRate:
		if in.Rating < 1 || in.Rating > 5 {
			f.Add("rating", "events.rating_range")
		}
	case ActMerge:
		if in.TargetID <= 0 {
			f.Add("target_id", "field.required")
		}
	}
	if len(in.Photos) > MaxPhotos {
		f.Add("photos", "events.too_many_photos", MaxPhotos)
	}
	return f.Err()
}

// Step is one entry of an event's history.
type Step struct {
	ID        int64
	EventID   int64
	Action    Action
	From, To  State
	ActorID   int64
	ActorName string
	At        time.Time
	Note      string
	Detail    map[string]any
	Photos    []int64
}

// Photo limits.
const (
	MaxPhotoBytes = 10 << 20
	MaxPhotos     = 6
	maxPixels     = 20000
)

// Photo is a checked image.
type Photo struct {
	ContentType   string
	Width, Height int
	Data          []byte
}

// CheckPhoto checks that data is a JPEG, PNG or GIF image of at most 10 MB,
// by its bytes (the content sniffed and the header decoded), not its name.
func CheckPhoto(field string, data []byte) (Photo, error) {
	if len(data) > MaxPhotoBytes {
		return Photo{}, apperr.New(apperr.TooLarge, "events.photo_too_large", MaxPhotoBytes>>20).Field(field, "events.photo_too_large", MaxPhotoBytes>>20)
	}
	if len(data) == 0 {
		return Photo{}, apperr.FieldInvalid(field, "events.photo_not_image")
	}
	ct := http.DetectContentType(data)
	switch ct {
	case "image/jpeg", "image/png", "image/gif":
	default:
		return Photo{}, apperr.FieldInvalid(field, "events.photo_not_image")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ct || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPixels || cfg.Height > maxPixels {
		return Photo{}, apperr.FieldInvalid(field, "events.photo_not_image")
	}
	return Photo{ContentType: ct, Width: cfg.Width, Height: cfg.Height, Data: data}, nil
}

// Limits are the deadlines of each stage of a category.
type Limits struct {
	Accept, Dispatch, Sign, Handle, Verify workcal.Limit
	WarnPercent                            int
}

// handleLimit is the handling limit for a whistle.
func (l Limits) handleLimit(w Whistle) workcal.Limit {
	if w == Tough && (l.Handle.Days < 15) {
		return workcal.Limit{Days: 15}
	}
	return l.Handle
}

// stageLimit is the limit of the stage an event enters.
func (l Limits) stageLimit(s State) (workcal.Limit, bool) {
	switch s {
	case Reported:
		return l.Accept, true
	case Accepted:
		return l.Dispatch, true
	case Dispatched:
		return l.Sign, true
	case Handled:
		return l.Verify, true
	}
	return workcal.Limit{}, false
}

// ClearPending drops a request for an extension, deferral or void that
// was waiting for approval: the stage it was asked in is over, and a
// request belongs to the unit and stage that made it.
func (e *Event) ClearPending() {
	e.Pending, e.PendingDays, e.PendingReason = "", 0, ""
}

// EnterStage moves e into state s at now and sets the new stage's clock:
// its deadline and yellow-warning time on the calendar. Handling runs to
// due_at (set at dispatch, moved by extensions); rework gets a fresh
// handling limit; an emergency's deadlines run by the clock.
func (e *Event) EnterStage(s State, now time.Time, cal *workcal.Calendar, l Limits) {
	e.State = s
	e.StageSeq++
	e.WarnLevel = 0
	t := now
	e.StageStartedAt = &t
	e.StageDueAt, e.WarnAt, e.NextCheckAt = nil, nil, nil
	var due time.Time
	switch s {
	case Signed:
		if e.DueAt == nil {
			return
		}
		due = *e.DueAt
	case Rework:
		due = e.deadline(now, cal, l.handleLimit(e.Whistle))
	default:
		lim, ok := l.stageLimit(s)
		if !ok || lim.IsZero() {
			return
		}
		due = e.deadline(now, cal, lim)
	}
	e.setStageDue(now, due, cal, l)
}

// setStageDue sets the current stage's deadline to due (not before now)
// and its yellow warning at the category's share of the time from now.
func (e *Event) setStageDue(now, due time.Time, cal *workcal.Calendar, l Limits) {
	if due.Before(now) {
		due = now
	}
	pct := l.WarnPercent
	if pct <= 0 || pct >= 100 {
		pct = 80
	}
	var warn time.Time
	if e.Whistle == Emergency {
		warn = now.Add(due.Sub(now) * time.Duration(pct) / 100)
	} else {
		warn = cal.Warn(now, due, pct)
	}
	e.StageDueAt, e.WarnAt = &due, &warn
	e.NextCheckAt = &warn
}

// deadline is a limit from now: on the working calendar, or by the clock
// (two hours at most) for an emergency.
func (e *Event) deadline(now time.Time, cal *workcal.Calendar, lim workcal.Limit) time.Time {
	if e.Whistle == Emergency {
		d := time.Duration(lim.Minutes) * time.Minute
		if lim.Days > 0 || d > 2*time.Hour || d <= 0 {
			d = 2 * time.Hour
		}
		return now.Add(d)
	}
	return cal.Due(now, lim)
}

// SetDue sets the handling deadline at dispatch.
func (e *Event) SetDue(now time.Time, cal *workcal.Calendar, l Limits) {
	due := e.deadline(now, cal, l.handleLimit(e.Whistle))
	e.DueAt = &due
}

// Open311Status is the event's status in Open311: open or closed.
func (e *Event) Open311Status() string {
	if e.State.Open() {
		return "open"
	}
	return "closed"
}

// StepEnv is what a step needs from outside the event: when it is taken,
// the working calendar and the category's limits its clocks run on, the
// parts the actor plays, and what the caller looked up for it.
type StepEnv struct {
	At     time.Time
	Cal    *workcal.Calendar
	Limits Limits
	Who    Who
	// Own says that the actor took the step this one judges (see Judges):
	// nobody approves their own request or verifies their own handling.
	Own bool
	// Handler is the unit a dispatch names (nil if there is no such unit).
	Handler *auth.UnitRef
	// Target is the event a merge names, if the actor can see it.
	Target *Event
}

// Notice is a notification a step leaves: for one user or for everyone
// holding a role at a unit, of a kind, with a message (its argument is
// the event's id).
type Notice struct {
	UserID, UnitID int64
	Kind, Msg      string
}

// Outcome is what a step does: the event as it stands after it, the line
// it adds to the history (without its actor), and the notices it leaves.
type Outcome struct {
	Event   Event
	Step    Step
	Notices []Notice
}

// Judges names the step whose actor may not take a on e: the request an
// approval or denial answers, the handling a verification judges; empty
// for any other action.
func (e *Event) Judges(a Action) Action {
	switch a {
	case ActApprove, ActDeny:
		return e.Pending
	case ActPass, ActFail:
		return ActHandle
	}
	return ""
}

// Apply takes step in on e under env, without touching e: it checks that
// the step is well formed, that e's state allows it and the actor plays a
// part that may take it (Check), that the actor is not judging their own
// step, and what the step names (the unit dispatched to, the event merged
// into); then it moves the event, starts and stops the stage clocks and
// says what the history records and whom to tell. The store and the demo
// district both move events only through it.
func Apply(e Event, in StepInput, env StepEnv) (*Outcome, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := e.Check(in.Action, env.Who); err != nil {
		return nil, err
	}
	if env.Own && e.Judges(in.Action) != "" {
		return nil, apperr.New(apperr.Forbidden, "events.own_step")
	}
	now, cal, lim := env.At, env.Cal, env.Limits
	from := e.State
	detail := map[string]any{}
	var notices []Notice
	tell := func(user, unit int64, kind, msg string) {
		if user != 0 || unit != 0 {
			notices = append(notices, Notice{UserID: user, UnitID: unit, Kind: kind, Msg: msg})
		}
	}
	street := streetOf(e.UnitPath)
	switch in.Action {
	case ActAccept:
		e.AcceptedAt = &now
		e.EnterStage(Accepted, now, cal, lim)
	case ActReject:
		e.EnterStage(Rejected, now, cal, lim)
		tell(e.ReporterID, 0, "rejected", "events.n_rejected")
	case ActDispatch:
		u := env.Handler
		if u == nil || u.ID != in.HandlingUnitID || !handlerType(u.Type) {
			return nil, apperr.FieldInvalid("handling_unit_id", "events.handler_not_found")
		}
		// A department serves the whole district; a street or community
		// only handles what lies in the event's own street.
		if ids := org.PathIDs(e.UnitPath); u.Type != string(org.Department) && len(ids) >= 2 &&
			!strings.HasPrefix(u.Path, org.ChildPath(org.ChildPath("/", ids[0]), ids[1])) {
			return nil, apperr.FieldInvalid("handling_unit_id", "events.handler_other_street")
		}
		e.HandlingUnitID, e.HandlingPath, e.HandlingName, e.Whistle = u.ID, u.Path, u.Name, in.Whistle
		e.DispatchedAt = &now
		e.SetDue(now, cal, lim)
		e.EnterStage(Dispatched, now, cal, lim)
		detail["handling_unit_id"], detail["handling_unit"], detail["whistle"] = u.ID, u.Name, in.Whistle
		detail["due_at"] = e.DueAt
		tell(0, u.ID, "dispatched", "events.n_dispatched")
	case ActSign:
		e.SignedAt = &now
		onTime := e.StageDueAt == nil || !now.After(*e.StageDueAt)
		if e.SignedOnTime == nil {
			e.SignedOnTime = &onTime
		}
		e.EnterStage(Signed, now, cal, lim)
	case ActReturn:
		detail["handling_unit"] = e.HandlingName
		e.Returns++
		e.HandlingUnitID, e.HandlingPath, e.HandlingName = 0, "", ""
		e.DispatchedAt, e.SignedAt, e.DueAt, e.SignedOnTime = nil, nil, nil, nil
		e.ClearPending()
		e.EnterStage(Accepted, now, cal, lim)
		tell(0, street, "returned", "events.n_returned")
	case ActHandle:
		e.HandledAt = &now
		e.ClearPending()
		e.EnterStage(Handled, now, cal, lim)
		tell(e.ReporterID, 0, "handled", "events.n_handled")
	case ActPass:
		e.ClosedAt = &now
		onTime := e.DueAt != nil && e.HandledAt != nil && !e.HandledAt.After(*e.DueAt)
		e.ClosedOnTime = &onTime
		e.ClearPending()
		e.EnterStage(Closed, now, cal, lim)
		detail["on_time"] = onTime
	case ActFail:
		e.Reworks++
		e.ClearPending()
		e.EnterStage(Rework, now, cal, lim)
		tell(0, e.HandlingUnitID, "rework", "events.n_rework")
	case ActRate:
		e.Rating = in.Rating
		detail["rating"] = in.Rating
	case ActAskExtension, ActAskDeferral, ActAskVoid:
		e.Pending, e.PendingReason = in.Action, in.Note
		if in.Action == ActAskExtension {
			e.PendingDays = in.Days
			detail["days"] = in.Days
		}
		tell(0, street, "request", "events.n_request")
	case ActApprove:
		detail["request"], detail["reason"] = e.Pending, e.PendingReason
		switch e.Pending {
		case ActAskExtension:
			e.extend(now, cal, lim)
			detail["days"], detail["due_at"] = e.PendingDays, e.DueAt
		case ActAskDeferral:
			e.DeferredFrom = e.State
			e.EnterStage(Deferred, now, cal, lim)
		case ActAskVoid:
			e.EnterStage(Void, now, cal, lim)
		}
		e.ClearPending()
		tell(0, e.HandlingUnitID, "approved", "events.n_approved")
	case ActDeny:
		detail["request"] = e.Pending
		e.ClearPending()
		tell(0, e.HandlingUnitID, "denied", "events.n_denied")
	case ActResume:
		back := e.DeferredFrom
		if back == "" {
			back = Signed
		}
		e.DeferredFrom = ""
		// The deferral stopped the clock: the handling deadline starts again.
		e.SetDue(now, cal, lim)
		e.EnterStage(back, now, cal, lim)
	case ActVoid:
		e.EnterStage(Void, now, cal, lim)
	case ActSupervise:
		e.Supervised = true
		tell(0, cmp.Or(e.HandlingUnitID, street), "supervise", "events.n_supervise")
	case ActMerge:
		if in.TargetID == e.ID {
			return nil, apperr.FieldInvalid("target_id", "events.merge_self")
		}
		if t := env.Target; t == nil || t.ID != in.TargetID || !t.State.Open() {
			return nil, apperr.FieldInvalid("target_id", "events.merge_target")
		}
		e.DuplicateOf = in.TargetID
		e.EnterStage(Merged, now, cal, lim)
		detail["into"] = in.TargetID
	}
	e.UpdatedAt = now
	return &Outcome{Event: e, Notices: notices,
		Step: Step{EventID: e.ID, Action: in.Action, From: from, To: e.State, At: now, Note: in.Note, Detail: detail}}, nil
}

// extend grants the extension asked for: the handling deadline moves by
// the days asked, and so does the deadline of the stage that runs to it.
func (e *Event) extend(now time.Time, cal *workcal.Calendar, l Limits) {
	if e.DueAt != nil {
		due := cal.AddWorkDays(*e.DueAt, e.PendingDays)
		e.DueAt = &due
		switch {
		case e.State == Signed:
			e.EnterStage(Signed, now, cal, l)
		case e.State == Rework && e.StageDueAt != nil:
			// The rework's own deadline moves; its light starts green
			// again, warned as any stage is.
			e.StageSeq++
			e.WarnLevel = 0
			e.setStageDue(now, cal.AddWorkDays(*e.StageDueAt, e.PendingDays), cal, l)
		}
		// Dispatched: signing for it keeps its own limit, and handling
		// then runs to the new due_at.
	}
	e.Extensions++
}

// streetOf returns the id of the street in a grid's path (0 if none).
func streetOf(path string) int64 {
	ids := org.PathIDs(path)
	if len(ids) < 2 {
		return 0
	}
	return ids[1]
}

// handlerType reports whether a unit of type t can handle events.
func handlerType(t string) bool {
	switch org.UnitType(t) {
	case org.Department, org.Street, org.Community:
		return true
	}
	return false
}

// Done names the action as the history records it: what was done, in the
// past tense ("Accepted", where the button says "Accept").
func (a Action) Done() i18n.Msg { return i18n.M("events.did." + string(a)) }
