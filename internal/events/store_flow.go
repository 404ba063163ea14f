package events

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// Act takes one step on an event: it checks that the actor may see the
// event (404 if not), plays a part that may take the step (403), and that
// the event's state allows it (409, saying why); then it moves the event,
// restarts the stage clock, records the step with its note and photos,
// notifies those who must act next and audits it, all in one transaction.
func (s *Store) Act(ctx context.Context, actor *auth.Actor, id int64, in StepInput) (*Event, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	cal, err := s.Cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		e, err := s.eventIn(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := e.Check(in.Action, who(actor, e)); err != nil {
			return err
		}
		if err := s.checkNotOwn(ctx, tx, actor, e, in.Action); err != nil {
			return err
		}
		cat, err := s.categoryIn(ctx, tx, e.CategoryID)
		if err != nil {
			return err
		}
		now := s.now()
		from := e.State
		detail := map[string]any{}
		var notes []func() error
		street := streetOf(e.UnitPath)
		switch in.Action {
		case ActAccept:
			e.AcceptedAt = &now
			e.EnterStage(Accepted, now, cal, cat.Limits)
		case ActReject:
			e.EnterStage(Rejected, now, cal, cat.Limits)
			notes = append(notes, func() error { return s.notifyUser(ctx, tx, e.ReporterID, e.ID, "rejected", "events.n_rejected", e.ID) })
		case ActDispatch:
			u, err := s.unitByID(ctx, tx, in.HandlingUnitID)
			if err != nil {
				return err
			}
			if u == nil || !handlerType(u.Type) {
				return apperr.FieldInvalid("handling_unit_id", "events.handler_not_found")
			}
			// A department serves the whole district; a street or community
			// only handles what lies in the event's own street.
			if ids := org.PathIDs(e.UnitPath); u.Type != string(org.Department) && len(ids) >= 2 &&
				!strings.HasPrefix(u.Path, org.ChildPath(org.ChildPath("/", ids[0]), ids[1])) {
				return apperr.FieldInvalid("handling_unit_id", "events.handler_other_street")
			}
			e.HandlingUnitID, e.HandlingPath, e.HandlingName, e.Whistle = u.ID, u.Path, u.Name, in.Whistle
			e.DispatchedAt = &now
			e.SetDue(now, cal, cat.Limits)
			e.EnterStage(Dispatched, now, cal, cat.Limits)
			detail["handling_unit_id"], detail["handling_unit"], detail["whistle"] = u.ID, u.Name, in.Whistle
			detail["due_at"] = e.DueAt
			notes = append(notes, func() error { return s.notifyUnit(ctx, tx, u.ID, e.ID, "dispatched", "events.n_dispatched", e.ID) })
		case ActSign:
			e.SignedAt = &now
			onTime := e.StageDueAt == nil || !now.After(*e.StageDueAt)
			if e.SignedOnTime == nil {
				e.SignedOnTime = &onTime
			}
			e.EnterStage(Signed, now, cal, cat.Limits)
		case ActReturn:
			detail["handling_unit"] = e.HandlingName
			e.Returns++
			e.HandlingUnitID, e.HandlingPath, e.HandlingName = 0, "", ""
			e.DispatchedAt, e.SignedAt, e.DueAt, e.SignedOnTime = nil, nil, nil, nil
			e.ClearPending()
			e.EnterStage(Accepted, now, cal, cat.Limits)
			notes = append(notes, func() error { return s.notifyUnit(ctx, tx, street, e.ID, "returned", "events.n_returned", e.ID) })
		case ActHandle:
			e.HandledAt = &now
			e.ClearPending()
			e.EnterStage(Handled, now, cal, cat.Limits)
			notes = append(notes, func() error { return s.notifyUser(ctx, tx, e.ReporterID, e.ID, "handled", "events.n_handled", e.ID) })
		case ActPass:
			e.ClosedAt = &now
			onTime := e.DueAt != nil && e.HandledAt != nil && !e.HandledAt.After(*e.DueAt)
			e.ClosedOnTime = &onTime
			e.ClearPending()
			e.EnterStage(Closed, now, cal, cat.Limits)
			detail["on_time"] = onTime
		case ActFail:
			e.Reworks++
			e.ClearPending()
			e.EnterStage(Rework, now, cal, cat.Limits)
			notes = append(notes, func() error { return s.notifyUnit(ctx, tx, e.HandlingUnitID, e.ID, "rework", "events.n_rework", e.ID) })
		case ActRate:
			e.Rating = in.Rating
			detail["rating"] = in.Rating
		case ActAskExtension, ActAskDeferral, ActAskVoid:
			e.Pending, e.PendingReason = in.Action, in.Note
			if in.Action == ActAskExtension {
				e.PendingDays = in.Days
				detail["days"] = in.Days
			}
			notes = append(notes, func() error { return s.notifyUnit(ctx, tx, street, e.ID, "request", "events.n_request", e.ID) })
		case ActApprove:
			detail["request"], detail["reason"] = e.Pending, e.PendingReason
			switch e.Pending {
			case ActAskExtension:
				if e.DueAt != nil {
					due := cal.AddWorkDays(*e.DueAt, e.PendingDays)
					e.DueAt = &due
					switch {
					case e.State == Signed:
						e.EnterStage(Signed, now, cal, cat.Limits)
					case e.State == Rework && e.StageDueAt != nil:
						// The rework's own deadline moves; its light starts
						// green again, warned as any stage is.
						e.StageSeq++
						e.WarnLevel = 0
						e.setStageDue(now, cal.AddWorkDays(*e.StageDueAt, e.PendingDays), cal, cat.Limits)
					}
					// Dispatched: signing for it keeps its own limit, and
					// handling then runs to the new due_at.
				}
				e.Extensions++
				detail["days"], detail["due_at"] = e.PendingDays, e.DueAt
			case ActAskDeferral:
				e.DeferredFrom = e.State
				e.EnterStage(Deferred, now, cal, cat.Limits)
			case ActAskVoid:
				e.EnterStage(Void, now, cal, cat.Limits)
			}
			e.ClearPending()
			notes = append(notes, func() error {
				return s.notifyUnit(ctx, tx, e.HandlingUnitID, e.ID, "approved", "events.n_approved", e.ID)
			})
		case ActDeny:
			detail["request"] = e.Pending
			e.ClearPending()
			notes = append(notes, func() error { return s.notifyUnit(ctx, tx, e.HandlingUnitID, e.ID, "denied", "events.n_denied", e.ID) })
		case ActResume:
			back := e.DeferredFrom
			if back == "" {
				back = Signed
			}
			e.DeferredFrom = ""
			// The deferral stopped the clock: the handling deadline starts again.
			e.SetDue(now, cal, cat.Limits)
			e.EnterStage(back, now, cal, cat.Limits)
		case ActVoid:
			e.EnterStage(Void, now, cal, cat.Limits)
		case ActSupervise:
			e.Supervised = true
			target := e.HandlingUnitID
			if target == 0 {
				target = street
			}
			notes = append(notes, func() error { return s.notifyUnit(ctx, tx, target, e.ID, "supervise", "events.n_supervise", e.ID) })
		case ActMerge:
			if in.TargetID == e.ID {
				return apperr.FieldInvalid("target_id", "events.merge_self")
			}
			target, err := s.eventIn(ctx, tx, actor, in.TargetID, false)
			if err != nil || !target.State.Open() {
				return apperr.Reword(err, apperr.FieldInvalid("target_id", "events.merge_target"))
			}
			e.DuplicateOf = target.ID
			e.EnterStage(Merged, now, cal, cat.Limits)
			detail["into"] = target.ID
		}
		e.UpdatedAt = now
		if err := saveEvent(ctx, tx, e); err != nil {
			return err
		}
		stepID, err := addStep(ctx, tx, actor, e, in.Action, from, in.Note, detail, now)
		if err != nil {
			return err
		}
		photoIDs, err := addPhotos(ctx, tx, e.ID, stepID, in.Photos, now)
		if err != nil {
			return err
		}
		for _, n := range notes {
			if err := n(); err != nil {
				return err
			}
		}
		detail["from"], detail["to"], detail["photos"] = from, e.State, len(photoIDs)
		return audit.Record(ctx, tx, actor.Entry("event."+string(in.Action), "event", strconv.FormatInt(e.ID, 10), detail))
	})
	if err != nil {
		return nil, err
	}
	e, err := s.Event(ctx, actor, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		// The step took the event out of the actor's reach (a department
		// returning it to the street): it is done, and answered as it now
		// stands.
		return s.Event(ctx, auth.SystemActor("events"), id)
	}
	return e, err
}

// checkNotOwn keeps duties apart: nobody approves or denies their own
// request for an extension, deferral or void, and nobody passes or fails
// the handling they reported themselves.
func (s *Store) checkNotOwn(ctx context.Context, tx *db.Tx, actor *auth.Actor, e *Event, a Action) error {
	if actor.UserID == 0 {
		return nil
	}
	var step Action
	switch a {
	case ActApprove, ActDeny:
		step = e.Pending
	case ActPass, ActFail:
		step = ActHandle
	default:
		return nil
	}
	var by sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT actor_id FROM event_steps WHERE event_id = ? AND action = ? ORDER BY id DESC LIMIT 1`, e.ID, string(step)).Scan(&by)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return apperr.Wrap(err)
	}
	if by.Valid && by.Int64 == actor.UserID {
		return apperr.New(apperr.Forbidden, "events.own_step")
	}
	return nil
}

// sweepBatch bounds how many events one sweep looks at.
const sweepBatch = 500

// Sweep looks at every open event whose next warning has come (its
// next_check_at has passed): it turns it yellow once the warning share of
// its stage's limit has passed, and red once the limit has, escalating a red
// one to the level above the unit that owns the stage and notifying both.
// Each event changes in its own transaction, and only if it is still in the
// stage and at the warning level that were read, so two sweeps running at
// once (two instances) change it once. It returns how many events changed.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	changed := 0
	for {
		rows, err := s.db.Query(ctx, `SELECT id FROM events WHERE next_check_at IS NOT NULL AND next_check_at <= ?
			ORDER BY next_check_at LIMIT `+strconv.Itoa(sweepBatch), now)
		if err != nil {
			return changed, apperr.Wrap(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return changed, apperr.Wrap(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		for _, id := range ids {
			ok, err := s.checkDeadline(ctx, id, now)
			if err != nil {
				return changed, err
			}
			if ok {
				changed++
			}
		}
		if len(ids) < sweepBatch {
			return changed, nil
		}
	}
}

// owner is the unit responsible for an event's current stage: the street
// (dispatcher) before dispatch, the handling unit while it is handled, the
// grid while it waits for verification.
func owner(e *Event) int64 {
	switch e.State {
	case Dispatched, Signed, Rework:
		if e.HandlingUnitID != 0 {
			return e.HandlingUnitID
		}
	case Handled:
		return e.GridID
	}
	return streetOf(e.UnitPath)
}

// above is the unit one level above owner o of e. A grid answers to its
// community, through its area if it lies in one.
func above(e *Event, o int64) int64 {
	if o == e.HandlingUnitID && e.HandlingPath != "" {
		return parentOf(e.HandlingPath)
	}
	ids := org.PathIDs(e.UnitPath)
	if o == e.GridID && len(ids) >= 4 {
		return ids[2] // district, street, community, ...
	}
	for i, id := range ids {
		if id == o && i > 0 {
			return ids[i-1]
		}
	}
	return 0
}

func (s *Store) checkDeadline(ctx context.Context, id int64, now time.Time) (bool, error) {
	sys := auth.SystemActor("deadlines")
	changed := false
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		e, err := s.eventIn(ctx, tx, sys, id, true)
		if err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return nil
			}
			return err
		}
		if !e.State.Open() || e.NextCheckAt == nil || e.NextCheckAt.After(now) || e.StageDueAt == nil {
			return nil
		}
		level := 1
		var next any = *e.StageDueAt
		if !now.Before(*e.StageDueAt) {
			level, next = 2, nil
		}
		if level <= e.WarnLevel {
			_, err := tx.Exec(ctx, `UPDATE events SET next_check_at = ? WHERE id = ?`, next, e.ID)
			return apperr.Wrap(err)
		}
		o := owner(e)
		var up int64
		escalations := e.Escalations
		if level == 2 {
			up = above(e, o)
			escalations++
		}
		res, err := tx.Exec(ctx, `UPDATE events SET warn_level = ?, next_check_at = ?, escalations = ?, escalated_unit_id = ?, updated_at = ?
			WHERE id = ? AND stage_seq = ? AND warn_level < ?`, level, next, escalations, orNull(cmp.Or(up, e.EscalatedUnitID)), now, e.ID, e.StageSeq, level)
		if err != nil {
			return apperr.Wrap(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		changed = true
		e.WarnLevel = level
		if level == 1 {
			if _, err := addStep(ctx, tx, nil, e, ActWarn, e.State, "", map[string]any{"due": e.StageDueAt, "owner": o}, now); err != nil {
				return err
			}
			if err := s.notifyUnit(ctx, tx, o, e.ID, "warning", "events.n_warning", e.ID); err != nil {
				return err
			}
			return audit.Record(ctx, tx, sys.Entry("event.warn", "event", strconv.FormatInt(e.ID, 10), map[string]any{"state": e.State, "owner": o}))
		}
		var upName string
		if up != 0 {
			if u, err := s.unitByID(ctx, tx, up); err == nil && u != nil {
				upName = u.Name
			}
		}
		if _, err := addStep(ctx, tx, nil, e, ActEscalate, e.State, "", map[string]any{"due": e.StageDueAt, "owner": o, "to_unit_id": up, "to_unit": upName}, now); err != nil {
			return err
		}
		if err := s.notifyUnit(ctx, tx, o, e.ID, "overdue", "events.n_overdue", e.ID); err != nil {
			return err
		}
		if err := s.notifyUnit(ctx, tx, up, e.ID, "escalated", "events.n_escalated", e.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, sys.Entry("event.escalate", "event", strconv.FormatInt(e.ID, 10), map[string]any{"state": e.State, "owner": o, "to": up}))
	})
	return changed, err
}
