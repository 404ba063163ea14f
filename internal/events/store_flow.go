package events

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"maps"
	"strconv"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// Act takes one step on an event: it checks that the actor may see the
// event (404 if not), then looks up what the step names and lets Apply
// judge and make it (403 for a part the actor does not play, 409 for a
// state that does not allow it, saying why); it saves the event, records
// the step with its note and photos, leaves the notices and audits it, all
// in one transaction.
func (s *Store) Act(ctx context.Context, actor *auth.Actor, id int64, in StepInput) (*Event, error) {
	cal, err := s.Cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// An event out of the actor's scope is not found, whatever the
		// request holds; only then is the request's input judged.
		e, err := s.eventIn(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		cat, err := s.categoryIn(ctx, tx, e.CategoryID)
		if err != nil {
			return err
		}
		env := StepEnv{At: s.now(), Cal: cal, Limits: cat.Limits, Who: who(actor, e)}
		if env.Own, err = s.judgesOwn(ctx, tx, actor, e, in.Action); err != nil {
			return err
		}
		switch {
		case in.Action == ActDispatch:
			u, err := s.unitByID(ctx, tx, in.HandlingUnitID)
			if err != nil {
				return err
			}
			if u != nil {
				env.Handler = &auth.UnitRef{ID: u.ID, Path: u.Path, Name: u.Name, Type: u.Type}
			}
		case in.Action == ActMerge && in.TargetID != e.ID:
			t, err := s.eventIn(ctx, tx, actor, in.TargetID, false)
			if apperr.IsFault(err) {
				return err
			}
			env.Target = t
		}
		out, err := Apply(*e, in, env)
		if err != nil {
			return err
		}
		e, st := &out.Event, out.Step
		if err := saveEvent(ctx, tx, e); err != nil {
			return err
		}
		stepID, err := addStep(ctx, tx, actor, e, st.Action, st.From, st.Note, st.Detail, st.At)
		if err != nil {
			return err
		}
		photoIDs, err := addPhotos(ctx, tx, e.ID, stepID, in.Photos, st.At)
		if err != nil {
			return err
		}
		for _, n := range out.Notices {
			if n.UserID != 0 {
				err = s.notifyUser(ctx, tx, n.UserID, e.ID, n.Kind, n.Msg, e.ID)
			} else {
				err = s.notifyUnit(ctx, tx, n.UnitID, e.ID, n.Kind, n.Msg, e.ID)
			}
			if err != nil {
				return err
			}
		}
		detail := maps.Clone(st.Detail)
		detail["from"], detail["to"], detail["photos"] = st.From, st.To, len(photoIDs)
		return audit.Record(ctx, tx, actor.Entry("event."+string(st.Action), "event", strconv.FormatInt(e.ID, 10), detail))
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

// judgesOwn reports whether actor took the step that action a on e judges
// (Event.Judges): the request an approval answers, the handling a
// verification passes or fails.
func (s *Store) judgesOwn(ctx context.Context, tx *db.Tx, actor *auth.Actor, e *Event, a Action) (bool, error) {
	step := e.Judges(a)
	if actor.UserID == 0 || step == "" {
		return false, nil
	}
	var by sql.NullInt64
	err := tx.QueryRow(ctx, `SELECT actor_id FROM event_steps WHERE event_id = ? AND action = ? ORDER BY id DESC LIMIT 1`, e.ID, string(step)).Scan(&by)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, apperr.Wrap(err)
	}
	return by.Valid && by.Int64 == actor.UserID, nil
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
		ids, err := db.All(ctx, s.db, func(sc db.Scanner) (int64, error) {
			var id int64
			err := sc.Scan(&id)
			return id, err
		}, `SELECT id FROM events WHERE next_check_at IS NOT NULL AND next_check_at <= ?
			ORDER BY next_check_at LIMIT `+strconv.Itoa(sweepBatch), now)
		if err != nil {
			return changed, apperr.Wrap(err)
		}
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
