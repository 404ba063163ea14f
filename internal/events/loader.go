package events

import (
	"context"
	"encoding/json"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/db"
)

// Loader writes many events with their histories in one transaction, in
// multi-row INSERTs, for the demo district's year of events and for
// benchmarks at city scale. The caller builds each event (its times,
// counters and state, as the workflow would have left it) and audits the
// load once. Events get their ids from the loader, in order.
type Loader struct {
	tx     *db.Tx
	nextID int64
	events []*Event
	steps  []Step
	// Batch is how many events go into one INSERT (default 400).
	Batch int
}

// Loader starts a bulk load in tx.
func (s *Store) Loader(ctx context.Context, tx *db.Tx) (*Loader, error) {
	l := &Loader{tx: tx, Batch: 400}
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&l.nextID); err != nil {
		return nil, apperr.Wrap(err)
	}
	return l, nil
}

// Add queues an event and its steps, gives the event its id and writes a
// batch when one is full.
func (l *Loader) Add(ctx context.Context, e *Event, steps []Step) error {
	l.nextID++
	e.ID = l.nextID
	for i := range steps {
		steps[i].EventID = e.ID
	}
	l.events = append(l.events, e)
	l.steps = append(l.steps, steps...)
	if len(l.events) >= l.Batch {
		return l.Flush(ctx)
	}
	return nil
}

const loadCols = `id, category_id, grid_id, unit_path, handling_unit_id, handling_path, state, is_open, whistle, source, description, address,
	lon, lat, reporter_id, reporter_name, reported_at, accepted_at, dispatched_at, signed_at, handled_at, closed_at, stage_started_at,
	stage_due_at, warn_at, due_at, next_check_at, warn_level, stage_seq, signed_on_time, closed_on_time, reworks, extensions, returns,
	escalations, escalated_unit_id, supervised, duplicate_of, rating, updated_at`

// orNull is v as a query argument, NULL when it is its zero value (an id,
// a rating or a text that is not set).
func orNull[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// Flush writes what is queued.
func (l *Loader) Flush(ctx context.Context) error {
	if len(l.events) > 0 {
		row := "(" + db.Placeholders(40) + ")"
		rows := make([]string, len(l.events))
		args := make([]any, 0, 40*len(l.events))
		for i, e := range l.events {
			rows[i] = row
			var lon, lat any
			if e.HasLocation {
				lon, lat = e.Lon, e.Lat
			}
			args = append(args, e.ID, e.CategoryID, e.GridID, e.UnitPath, orNull(e.HandlingUnitID), orNull(e.HandlingPath), string(e.State),
				e.State.Open(), string(e.Whistle), string(e.Source), e.Description, e.Address, lon, lat, orNull(e.ReporterID), e.ReporterName,
				e.ReportedAt, e.AcceptedAt, e.DispatchedAt, e.SignedAt, e.HandledAt, e.ClosedAt, e.StageStartedAt, e.StageDueAt, e.WarnAt,
				e.DueAt, e.NextCheckAt, e.WarnLevel, e.StageSeq, e.SignedOnTime, e.ClosedOnTime, e.Reworks, e.Extensions, e.Returns,
				e.Escalations, orNull(e.EscalatedUnitID), e.Supervised, orNull(e.DuplicateOf), orNull(e.Rating), e.UpdatedAt)
		}
		if _, err := l.tx.Exec(ctx, `INSERT INTO events (`+loadCols+`) VALUES `+strings.Join(rows, ","), args...); err != nil {
			return apperr.Wrap(err)
		}
		l.events = l.events[:0]
	}
	for len(l.steps) > 0 {
		n := min(len(l.steps), 1000)
		rows := make([]string, n)
		args := make([]any, 0, 9*n)
		for i, st := range l.steps[:n] {
			rows[i] = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
			d := "{}"
			if st.Detail != nil {
				b, _ := json.Marshal(st.Detail)
				d = string(b)
			}
			args = append(args, st.EventID, string(st.Action), string(st.From), string(st.To), orNull(st.ActorID), st.ActorName, st.At, st.Note, d)
		}
		if _, err := l.tx.Exec(ctx, `INSERT INTO event_steps (event_id, action, from_state, to_state, actor_id, actor_name, at, note, detail)
			VALUES `+strings.Join(rows, ","), args...); err != nil {
			return apperr.Wrap(err)
		}
		l.steps = l.steps[n:]
	}
	return nil
}

// Close writes what is left and, on PostgreSQL, moves the id sequence past
// the ids the loader gave.
func (l *Loader) Close(ctx context.Context) error {
	if err := l.Flush(ctx); err != nil {
		return err
	}
	if l.tx.Engine() == db.Postgres {
		if _, err := l.tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('events', 'id'), GREATEST(CAST(? AS BIGINT), 1))`, l.nextID); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}
