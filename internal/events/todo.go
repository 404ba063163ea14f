package events

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/module"
)

// Todo is a kind of work on events that waits for someone: the events in
// some states that the actor may move on, by the permission that lets them.
type Todo string

// The kinds of work, in the order of the workflow.
const (
	TodoAccept   Todo = "accept"   // reported, to accept or reject (dispatchers)
	TodoDispatch Todo = "dispatch" // accepted, to send to a unit (dispatchers)
	TodoApprove  Todo = "approve"  // a handler's request to decide (dispatchers)
	TodoSign     Todo = "sign"     // sent to the actor's unit, to sign for (handlers)
	TodoHandle   Todo = "handle"   // signed for or sent back, to handle (handlers)
	TodoVerify   Todo = "verify"   // handled, to verify on the spot (verifiers, reporters)
	TodoRate     Todo = "rate"     // closed, the reporter's to rate
)

// RateWindow is how long after closing an event waits in its reporter's
// inbox to be rated; rating stays possible after, but no longer waits.
const RateWindow = 7 * 24 * time.Hour

// Todos lists the kinds in the order the inbox shows them.
var Todos = []Todo{TodoAccept, TodoDispatch, TodoApprove, TodoSign, TodoHandle, TodoVerify, TodoRate}

// action is the step that takes the kind's events on: its rule (the
// states it is taken from and the part that takes it) is the kind's, as it
// is the next actor's on an event's page (Event.Waits).
func (t Todo) action() Action {
	switch t {
	case TodoAccept:
		return ActAccept
	case TodoDispatch:
		return ActDispatch
	case TodoApprove:
		return ActApprove
	case TodoSign:
		return ActSign
	case TodoHandle:
		return ActHandle
	case TodoVerify:
		return ActPass
	case TodoRate:
		return ActRate
	}
	return ""
}

// where is the condition of the events of the kind that wait for actor:
// the states its action is taken from, and the scope of the part that
// takes it.
func (t Todo) where(actor *auth.Actor, now time.Time) (string, []any) {
	r, ok := rules[t.action()]
	if !ok {
		return "1=0", nil
	}
	states := "e.state IN ("
	for i, s := range r.from {
		if i > 0 {
			states += ", "
		}
		states += "'" + string(s) + "'"
	}
	states += ")"
	if r.pending {
		states += " AND e.pending <> ''"
	}
	scoped := func(p auth.Perm, col string) (string, []any) {
		w, a := actor.Scope(p).Where(col)
		return "(" + states + " AND " + w + ")", a
	}
	switch r.by {
	case AsDispatcher:
		return scoped(PermDispatch, "e.unit_path")
	case AsHandler:
		return scoped(PermHandle, "e.handling_path")
	case AsVerifier:
		w, a := actor.Scope(PermVerify).Where("e.unit_path")
		return "(" + states + " AND (" + w + " OR e.reporter_id = ?))", append(a, actor.UserID)
	case AsReporter:
		return "(" + states + " AND e.rating IS NULL AND e.reporter_id = ? AND e.closed_at >= ?)", []any{actor.UserID, now.Add(-RateWindow)}
	}
	return "1=0", nil
}

// todoNames are the kinds' names, for the list's ?todo= parameter.
func todoNames() []string {
	out := make([]string, len(Todos))
	for i, t := range Todos {
		out[i] = string(t)
	}
	return out
}

// Label is the message key of the kind's name in the inbox.
func (t Todo) Label() string { return "events.todo." + string(t) }

// Href is the events list of exactly the kind's events, most urgent first.
func (t Todo) Href() string { return "/events?todo=" + string(t) + "&sort=due" }

// Waiting counts the events of each kind that wait for the actor, with the
// most urgent stage deadline among them and how many are past it; kinds
// with nothing waiting are left out. Each count is what the list at the
// kind's Href shows.
func (s *Store) Waiting(ctx context.Context, actor *auth.Actor) ([]module.Todo, error) {
	now := s.now()
	var out []module.Todo
	for _, t := range Todos {
		where, args, err := s.filterWhere(ctx, actor, Filter{Todo: t})
		if err != nil {
			return nil, err
		}
		var n, overdue int
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN e.stage_due_at < ? THEN 1 ELSE 0 END), 0)
			FROM events e WHERE `+where, append([]any{now}, args...)...).Scan(&n, &overdue); err != nil {
			return nil, apperr.Wrap(err)
		}
		if n == 0 {
			continue
		}
		item := module.Todo{Name: "events." + string(t), Label: t.Label(), Count: n, Overdue: overdue, Href: t.Href()}
		var due *time.Time
		err = s.db.QueryRow(ctx, `SELECT e.stage_due_at FROM events e WHERE `+where+` AND e.stage_due_at IS NOT NULL
			ORDER BY e.stage_due_at LIMIT 1`, args...).Scan(&due)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Wrap(err)
		}
		item.Due = due
		out = append(out, item)
	}
	return out, nil
}

// Todos lists the events waiting for the actor, one item per kind of work.
func (m *Module) Todos(ctx context.Context, actor *auth.Actor) ([]module.Todo, error) {
	return m.store.Waiting(ctx, actor)
}

// Shortcuts offers reporting an event to those who may: a grid member's
// main task.
func (m *Module) Shortcuts(actor *auth.Actor) []module.Shortcut {
	if !actor.Has(PermReport) {
		return nil
	}
	return []module.Shortcut{{Label: "nav.events_report", Href: "/events/new", Primary: true}}
}

func init() {
	i18n.Register(i18n.Catalog{
		"events.todo.accept":   {Zh: "待受理立案的事件", En: "Events to accept"},
		"events.todo.dispatch": {Zh: "待派遣（吹哨）的事件", En: "Events to dispatch"},
		"events.todo.approve":  {Zh: "待审批的延期、缓办、作废申请", En: "Requests to decide"},
		"events.todo.sign":     {Zh: "待签收的事件", En: "Events to sign for"},
		"events.todo.handle":   {Zh: "处置中的事件", En: "Events to handle"},
		"events.todo.verify":   {Zh: "待核查的事件", En: "Events to verify"},
		"events.todo.rate":     {Zh: "待评价的事件（近7天结案）", En: "Events to rate (closed in the last 7 days)"},
		"events.todo_filter":   {Zh: "待办：%s", En: "To do: %s"},
	})
}
