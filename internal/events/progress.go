package events

import (
	"time"

	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/workcal"
)

// Stage is one step of the workflow as an event's page draws it.
type Stage struct {
	Key    string // report, accept, dispatch, sign, handle, verify, close
	Status string // done, current, paused (deferred), stopped (rejected, void, merged) or todo
}

// Label names the stage in the reader's language.
func (s Stage) Label() i18n.Msg { return i18n.M("events.stage." + s.Key) }

// stageKeys are the workflow's stages in order: 上报 → 受理 → 派遣/吹哨 →
// 签收 → 处置 → 核查 → 评价/结案.
var stageKeys = []string{"report", "accept", "dispatch", "sign", "handle", "verify", "close"}

// stageOf is the index of the stage an event in state s waits in.
func stageOf(s State) int {
	switch s {
	case Reported:
		return 1
	case Accepted:
		return 2
	case Dispatched:
		return 3
	case Signed, Rework:
		return 4
	case Handled:
		return 5
	case Closed:
		return 6
	}
	return -1
}

// Stages is the workflow's step bar for e: the stages before the one it
// waits in are done; a deferred event pauses in the stage it was deferred
// from; a rejected, void or merged one stopped in the first stage it never
// finished; a closed one waits for its rating, and once rated is done.
func (e *Event) Stages() []Stage {
	cur, status := stageOf(e.State), "current"
	switch e.State {
	case Deferred:
		cur, status = stageOf(e.DeferredFrom), "paused"
		if cur < 0 {
			cur = stageOf(Signed)
		}
	case Rejected, Void, Merged:
		cur, status = 1, "stopped"
		for _, t := range []*time.Time{e.AcceptedAt, e.DispatchedAt, e.SignedAt, e.HandledAt} {
			if t == nil {
				break
			}
			cur++
		}
	case Closed:
		if e.Rating != 0 {
			cur = len(stageKeys)
		}
	}
	out := make([]Stage, len(stageKeys))
	for i, k := range stageKeys {
		out[i] = Stage{Key: k, Status: "todo"}
		switch {
		case i < cur:
			out[i].Status = "done"
		case i == cur:
			out[i].Status = status
		}
	}
	return out
}

// waitingActions are the steps an event can wait for, most pressing first:
// a request to decide, then the workflow's own step. The to-do inbox
// counts by the same actions (see Todo.action), so the page and the inbox
// name the same actor.
var waitingActions = []Action{ActApprove, ActAccept, ActDispatch, ActSign, ActHandle, ActPass, ActResume, ActRate}

// Waits lists the steps e waits for and the part that takes each: every
// action of waitingActions that e's state allows to someone.
func (e *Event) Waits() []Action {
	var out []Action
	for _, a := range waitingActions {
		if e.Check(a, rules[a].by) == nil {
			out = append(out, a)
		}
	}
	return out
}

// By is the part that takes action a.
func (a Action) By() Who { return rules[a].by }

// Tone is the colour of e's state tag at now: "done" for a closed event
// (green), "stopped" for a rejected, void or merged one and "paused" for
// a deferred one (grey), and for an open one its light: "red" once its
// stage is overdue, "yellow" at the warning, else "open".
func (e *Event) Tone(now time.Time) string {
	switch e.State {
	case Closed:
		return "done"
	case Rejected, Void, Merged:
		return "stopped"
	case Deferred:
		return "paused"
	}
	switch e.Light(now) {
	case "red":
		return "red"
	case "yellow":
		return "yellow"
	}
	return "open"
}

// TimeLeft is the time from now to the current stage's deadline, in
// working time on cal (by the clock for an emergency), and whether the
// deadline has passed (then it is the time since). ok is false when the
// stage has no running clock.
func (e *Event) TimeLeft(now time.Time, cal *workcal.Calendar) (left workcal.Limit, over, ok bool) {
	if !e.State.Open() || e.State == Deferred || e.StageDueAt == nil {
		return workcal.Limit{}, false, false
	}
	a, b := now, *e.StageDueAt
	if over = !now.Before(b); over {
		a, b = b, now
	}
	if e.Whistle == Emergency {
		return workcal.Limit{Minutes: int(b.Sub(a) / time.Minute)}, over, true
	}
	return cal.Span(a, b), over, true
}
