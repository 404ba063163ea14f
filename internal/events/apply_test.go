package events

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/workcal"
)

// The tree of these tests: district 1, street 2, community 3, grid 4; a
// department 9 of the district; street 5 is another street.
const (
	testGrid      = "/1/2/3/4/"
	testCommunity = "/1/2/3/"
	testDept      = "/1/9/"
)

var (
	everyone = AsDispatcher | AsHandler | AsVerifier | AsReporter
	// A Tuesday, 10:00 in Shanghai: a working hour.
	testNow   = time.Date(2025, 6, 10, 2, 0, 0, 0, time.UTC)
	testLimit = Limits{Accept: workcal.Limit{Days: 1}, Dispatch: workcal.Limit{Days: 1}, Sign: workcal.Limit{Days: 1},
		Handle: workcal.Limit{Days: 5}, Verify: workcal.Limit{Days: 2}}
	dept      = &auth.UnitRef{ID: 9, Path: testDept, Name: "城管委", Type: "department"}
	community = &auth.UnitRef{ID: 3, Path: testCommunity, Name: "一社区", Type: "community"}
)

// eventAt is an event standing in state s, as the workflow leaves it there.
func eventAt(s State) Event {
	before := testNow.Add(-time.Hour)
	due := testNow.Add(72 * time.Hour)
	e := Event{ID: 1, GridID: 4, UnitPath: testGrid, State: s, Whistle: Daily, ReporterID: 7, ReportedAt: before,
		StageStartedAt: &before, StageDueAt: &due}
	switch s {
	case Dispatched, Signed, Handled, Rework, Deferred, Closed:
		e.HandlingUnitID, e.HandlingPath, e.HandlingName = dept.ID, dept.Path, dept.Name
		e.DispatchedAt, e.DueAt = &before, &due
	}
	switch s {
	case Handled, Closed:
		e.HandledAt = &before
	case Deferred:
		e.DeferredFrom, e.StageDueAt = Rework, nil
	}
	return e
}

// inputFor is a well-formed step of action a.
func inputFor(a Action) StepInput {
	in := StepInput{Action: a, Note: "理由"}
	switch a {
	case ActDispatch:
		in.HandlingUnitID = dept.ID
	case ActAskExtension:
		in.Days = 3
	case ActRate:
		in.Rating = 4
	case ActMerge:
		in.TargetID = 2
	}
	return in
}

func envFor() StepEnv {
	open := eventAt(Accepted)
	open.ID = 2
	return StepEnv{At: testNow, Cal: workcal.New(nil, nil), Limits: testLimit, Who: everyone, Handler: dept, Target: &open}
}

// why names what an error says: its code and its message, or the field
// and the field's message.
func why(err error) string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return ""
	}
	for f, m := range e.Fields {
		return string(e.Code) + " " + f + ": " + m.Key
	}
	return string(e.Code) + " " + e.Msg.Key
}

// TestApplyStates walks every state and every action a person can take,
// by someone playing every part: the listed moves happen, every other is
// refused as not allowed in that state.
func TestApplyStates(t *testing.T) {
	moves := map[State]map[Action]State{
		Reported:   {ActAccept: Accepted, ActReject: Rejected, ActVoid: Void, ActMerge: Merged},
		Accepted:   {ActDispatch: Dispatched, ActVoid: Void, ActMerge: Merged, ActSupervise: Accepted},
		Dispatched: {ActSign: Signed, ActReturn: Accepted, ActAskExtension: Dispatched, ActAskVoid: Dispatched, ActSupervise: Dispatched},
		Signed: {ActHandle: Handled, ActReturn: Accepted, ActAskExtension: Signed, ActAskDeferral: Signed, ActAskVoid: Signed,
			ActSupervise: Signed},
		Handled:  {ActPass: Closed, ActFail: Rework, ActSupervise: Handled},
		Rework:   {ActHandle: Handled, ActAskExtension: Rework, ActAskDeferral: Rework, ActAskVoid: Rework, ActSupervise: Rework},
		Deferred: {ActResume: Rework},
		Closed:   {ActRate: Closed},
	}
	for _, s := range States {
		for _, a := range UserActions {
			out, err := Apply(eventAt(s), inputFor(a), envFor())
			want, ok := moves[s][a]
			switch {
			case ok && err != nil:
				t.Errorf("%s at %s: %v, want it to go to %s", a, s, err, want)
			case ok && out.Event.State != want:
				t.Errorf("%s at %s went to %s, want %s", a, s, out.Event.State, want)
			case ok && (out.Step.From != s || out.Step.To != want || out.Step.Action != a || !out.Step.At.Equal(testNow)):
				t.Errorf("%s at %s: history line %+v", a, s, out.Step)
			case !ok && why(err) != "conflict events.not_allowed" && why(err) != "conflict events.nothing_pending":
				t.Errorf("%s at %s: got %v (%s), want it refused as not allowed", a, s, err, why(err))
			}
		}
	}
}

// TestApply checks who may take a step, what it needs and what it does.
func TestApply(t *testing.T) {
	late := testNow.Add(-time.Minute)
	closed := eventAt(Closed)
	closed.ID = 2
	cases := []struct {
		name  string
		state State
		event func(e *Event)     // changes to the event in state, if any
		in    StepInput          // inputFor(in.Action) when only the action is given
		env   func(e *StepEnv)   // changes to envFor(), if any
		why   string             // the refusal, or empty
		check func(e Event) bool // what the moved event must show
		tells []Notice           // the notices it leaves
	}{
		// Who may act.
		{name: "a handler cannot accept", state: Reported, in: StepInput{Action: ActAccept},
			env: func(e *StepEnv) { e.Who = AsHandler }, why: "forbidden events.not_yours"},
		{name: "a dispatcher cannot sign", state: Dispatched, in: StepInput{Action: ActSign},
			env: func(e *StepEnv) { e.Who = AsDispatcher }, why: "forbidden events.not_yours"},
		{name: "a verifier passes", state: Handled, in: StepInput{Action: ActPass},
			env: func(e *StepEnv) { e.Who = AsVerifier }},
		{name: "only the reporter rates", state: Closed, in: StepInput{Action: ActRate},
			env: func(e *StepEnv) { e.Who = AsVerifier | AsDispatcher }, why: "forbidden events.not_yours"},
		{name: "nobody passes their own handling", state: Handled, in: StepInput{Action: ActPass},
			env: func(e *StepEnv) { e.Own = true }, why: "forbidden events.own_step"},
		{name: "nobody approves their own request", state: Signed, in: StepInput{Action: ActApprove},
			event: func(e *Event) { e.Pending, e.PendingDays = ActAskExtension, 2 },
			env:   func(e *StepEnv) { e.Own = true }, why: "forbidden events.own_step"},
		{name: "own matters only for judging steps", state: Signed, in: StepInput{Action: ActHandle},
			env:   func(e *StepEnv) { e.Own = true },
			tells: []Notice{{UserID: 7, Kind: "handled", Msg: "events.n_handled"}}},
		// What a step needs.
		{name: "a rejection needs a reason", state: Reported, in: StepInput{Action: ActReject, Note: " "},
			why: "invalid note: field.required"},
		{name: "dispatch to no unit", state: Accepted, in: StepInput{Action: ActDispatch},
			env: func(e *StepEnv) { e.Handler = nil }, why: "invalid handling_unit_id: events.handler_not_found"},
		{name: "dispatch to a grid", state: Accepted, in: StepInput{Action: ActDispatch, HandlingUnitID: 4},
			env: func(e *StepEnv) { e.Handler = &auth.UnitRef{ID: 4, Path: testGrid, Type: "grid"} },
			why: "invalid handling_unit_id: events.handler_not_found"},
		{name: "dispatch to another street's community", state: Accepted, in: StepInput{Action: ActDispatch, HandlingUnitID: 6},
			env: func(e *StepEnv) { e.Handler = &auth.UnitRef{ID: 6, Path: "/1/5/6/", Type: "community"} },
			why: "invalid handling_unit_id: events.handler_other_street"},
		{name: "merge into itself", state: Reported, in: StepInput{Action: ActMerge, TargetID: 1},
			why: "invalid target_id: events.merge_self"},
		{name: "merge into a closed event", state: Reported, in: StepInput{Action: ActMerge},
			env: func(e *StepEnv) { e.Target = &closed }, why: "invalid target_id: events.merge_target"},
		{name: "merge into an event out of reach", state: Reported, in: StepInput{Action: ActMerge},
			env: func(e *StepEnv) { e.Target = nil }, why: "invalid target_id: events.merge_target"},
		{name: "rated twice", state: Closed, in: StepInput{Action: ActRate}, event: func(e *Event) { e.Rating = 5 },
			why: "conflict events.already_rated"},
		{name: "a second request while one waits", state: Signed, in: StepInput{Action: ActAskVoid},
			event: func(e *Event) { e.Pending = ActAskDeferral }, why: "conflict events.already_pending"},
		// What a step does.
		{name: "reject tells the reporter", state: Reported, in: StepInput{Action: ActReject},
			tells: []Notice{{UserID: 7, Kind: "rejected", Msg: "events.n_rejected"}}},
		{name: "reject of a caller's report tells nobody", state: Reported, in: StepInput{Action: ActReject},
			event: func(e *Event) { e.ReporterID = 0 }},
		{name: "dispatch to the community starts the clocks", state: Accepted, in: StepInput{Action: ActDispatch, HandlingUnitID: 3},
			env: func(e *StepEnv) { e.Handler = community },
			check: func(e Event) bool {
				return e.HandlingUnitID == 3 && e.HandlingPath == testCommunity && e.Whistle == Daily && e.DispatchedAt.Equal(testNow) &&
					e.DueAt.After(testNow) && e.StageDueAt.After(testNow) && e.StageDueAt.Before(*e.DueAt) && e.StageSeq == 1
			},
			tells: []Notice{{UnitID: 3, Kind: "dispatched", Msg: "events.n_dispatched"}}},
		{name: "an emergency runs by the clock", state: Accepted, in: StepInput{Action: ActDispatch, HandlingUnitID: 9, Whistle: Emergency},
			check: func(e Event) bool { return e.DueAt.Equal(testNow.Add(2 * time.Hour)) },
			tells: []Notice{{UnitID: 9, Kind: "dispatched", Msg: "events.n_dispatched"}}},
		{name: "signed in time", state: Dispatched, in: StepInput{Action: ActSign},
			check: func(e Event) bool { return *e.SignedOnTime && e.StageDueAt.Equal(*e.DueAt) }},
		{name: "signed late", state: Dispatched, in: StepInput{Action: ActSign}, event: func(e *Event) { e.StageDueAt = &late },
			check: func(e Event) bool { return !*e.SignedOnTime }},
		{name: "return clears the handler", state: Signed, in: StepInput{Action: ActReturn},
			event: func(e *Event) { e.Pending = ActAskVoid },
			check: func(e Event) bool {
				return e.HandlingUnitID == 0 && e.HandlingPath == "" && e.DueAt == nil && e.DispatchedAt == nil && e.Returns == 1 && e.Pending == ""
			},
			tells: []Notice{{UnitID: 2, Kind: "returned", Msg: "events.n_returned"}}},
		{name: "closed in time", state: Handled, in: StepInput{Action: ActPass},
			check: func(e Event) bool { return *e.ClosedOnTime && e.ClosedAt.Equal(testNow) && e.StageDueAt == nil }},
		{name: "closed late", state: Handled, in: StepInput{Action: ActPass}, event: func(e *Event) { early := e.ReportedAt.Add(-time.Hour); e.DueAt, e.HandledAt = &early, &late },
			check: func(e Event) bool { return !*e.ClosedOnTime }},
		{name: "a failed verification is reworked", state: Handled, in: StepInput{Action: ActFail},
			check: func(e Event) bool { return e.Reworks == 1 && e.StageDueAt.After(testNow) },
			tells: []Notice{{UnitID: 9, Kind: "rework", Msg: "events.n_rework"}}},
		{name: "ask for an extension", state: Signed, in: StepInput{Action: ActAskExtension},
			check: func(e Event) bool {
				return e.Pending == ActAskExtension && e.PendingDays == 3 && e.PendingReason == "理由"
			},
			tells: []Notice{{UnitID: 2, Kind: "request", Msg: "events.n_request"}}},
		{name: "an extension moves the deadlines", state: Signed, in: StepInput{Action: ActApprove},
			event: func(e *Event) { e.Pending, e.PendingDays = ActAskExtension, 2 },
			check: func(e Event) bool {
				return e.Extensions == 1 && e.Pending == "" && e.DueAt.After(testNow.Add(72*time.Hour)) && e.StageDueAt.Equal(*e.DueAt)
			},
			tells: []Notice{{UnitID: 9, Kind: "approved", Msg: "events.n_approved"}}},
		{name: "a deferral stops the clock", state: Rework, in: StepInput{Action: ActApprove},
			event: func(e *Event) { e.Pending = ActAskDeferral },
			check: func(e Event) bool {
				return e.State == Deferred && e.DeferredFrom == Rework && e.StageDueAt == nil && e.NextCheckAt == nil
			},
			tells: []Notice{{UnitID: 9, Kind: "approved", Msg: "events.n_approved"}}},
		{name: "a void request approved", state: Dispatched, in: StepInput{Action: ActApprove},
			event: func(e *Event) { e.Pending = ActAskVoid },
			check: func(e Event) bool { return e.State == Void },
			tells: []Notice{{UnitID: 9, Kind: "approved", Msg: "events.n_approved"}}},
		{name: "a request denied", state: Signed, in: StepInput{Action: ActDeny},
			event: func(e *Event) { e.Pending = ActAskVoid },
			check: func(e Event) bool { return e.State == Signed && e.Pending == "" },
			tells: []Notice{{UnitID: 9, Kind: "denied", Msg: "events.n_denied"}}},
		{name: "resume restarts the handling clock", state: Deferred, in: StepInput{Action: ActResume},
			check: func(e Event) bool { return e.State == Rework && e.DeferredFrom == "" && e.DueAt.After(testNow) }},
		{name: "supervision before dispatch tells the street", state: Accepted, in: StepInput{Action: ActSupervise},
			check: func(e Event) bool { return e.Supervised },
			tells: []Notice{{UnitID: 2, Kind: "supervise", Msg: "events.n_supervise"}}},
		{name: "a merge names its event", state: Reported, in: StepInput{Action: ActMerge},
			check: func(e Event) bool { return e.DuplicateOf == 2 && !e.State.Open() }},
		{name: "a rating", state: Closed, in: StepInput{Action: ActRate},
			check: func(e Event) bool { return e.Rating == 4 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := eventAt(c.state)
			if c.event != nil {
				c.event(&e)
			}
			in := inputFor(c.in.Action)
			if c.in.Note != "" {
				in.Note = c.in.Note
			}
			if c.in.HandlingUnitID != 0 {
				in.HandlingUnitID = c.in.HandlingUnitID
			}
			if c.in.Whistle != "" {
				in.Whistle = c.in.Whistle
			}
			if c.in.TargetID != 0 {
				in.TargetID = c.in.TargetID
			}
			env := envFor()
			if c.env != nil {
				c.env(&env)
			}
			before := e
			out, err := Apply(e, in, env)
			if !reflect.DeepEqual(e, before) {
				t.Errorf("Apply changed the event it was given")
			}
			if got := why(err); got != c.why {
				t.Fatalf("got %q (%v), want %q", got, err, c.why)
			}
			if err != nil {
				return
			}
			if c.check != nil && !c.check(out.Event) {
				t.Errorf("the event after the step: %+v", out.Event)
			}
			if !reflect.DeepEqual(out.Notices, c.tells) {
				t.Errorf("notices %+v, want %+v", out.Notices, c.tells)
			}
			if !out.Event.UpdatedAt.Equal(testNow) || out.Step.Note != in.Note {
				t.Errorf("updated %v, history line %+v", out.Event.UpdatedAt, out.Step)
			}
		})
	}
}
