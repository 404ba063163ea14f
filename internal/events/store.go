package events

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/notify"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/workcal"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the events tables (after org's and auth's).
var Migrations = db.Migrations{Module: "events", FS: db.Sub(migrationFiles, "migrations")}

const eventWord = "事件"

// Store keeps events, their history, photos and categories, and sends
// notifications about them through Notify.
type Store struct {
	db  *db.DB
	Cal *workcal.Store
	// Orgs answers what the events need of the unit tree: grids, their
	// boundaries, departments.
	Orgs *org.Store
	// Now is the clock; tests move it past deadlines.
	Now func() time.Time
	// Vault seals callers' phones; without it a phone is refused.
	Vault *pii.Vault
	// Notify receives the notifications of the workflow; the module gives
	// it the app's, which delivers them beyond the app.
	Notify *notify.Store

	gridsMu     sync.Mutex
	grids       []gridShape
	gridsLoaded time.Time
}

// NewStore returns the events store on d with the calendar cal, asking
// orgs about the tree and sending its notifications to d's notify table
// (without delivery beyond the app until Notify is replaced).
func NewStore(d *db.DB, orgs *org.Store, cal *workcal.Store) *Store {
	return &Store{db: d, Orgs: orgs, Cal: cal, Now: time.Now, Notify: notify.NewStore(d)}
}

// SetDB makes the store work on d from now on; tests use it to lose the
// connection of one module.
func (s *Store) SetDB(d *db.DB) { s.db = d }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

const eventCols = `e.id, e.category_id, c.code, c.name, e.grid_id, g.name, e.unit_path, COALESCE(e.handling_unit_id, 0), COALESCE(h.name, ''),
	COALESCE(e.handling_path, ''), e.state, e.whistle, e.source, e.description, e.address, e.lon, e.lat, COALESCE(e.reporter_id, 0),
	e.reporter_name, e.reporter_phone_masked, e.reported_at, e.accepted_at, e.dispatched_at, e.signed_at, e.handled_at, e.closed_at, e.stage_started_at,
	e.stage_due_at, e.warn_at, e.due_at, e.next_check_at, e.warn_level, e.stage_seq, e.signed_on_time, e.closed_on_time, e.reworks,
	e.extensions, e.returns, e.escalations, COALESCE(e.escalated_unit_id, 0), COALESCE(x.name, ''), e.supervised, e.deferred_from,
	e.pending, e.pending_days, e.pending_reason, COALESCE(e.duplicate_of, 0), COALESCE(e.rating, 0), COALESCE(e.open311_token, ''), e.updated_at,
	COALESCE(CASE WHEN gp.type = 'area' THEN gpp.name ELSE gp.name END, '')`

const eventFrom = ` FROM events e JOIN event_categories c ON c.id = e.category_id JOIN units g ON g.id = e.grid_id
	LEFT JOIN units h ON h.id = e.handling_unit_id LEFT JOIN units x ON x.id = e.escalated_unit_id
	LEFT JOIN units gp ON gp.id = g.parent_id LEFT JOIN units gpp ON gpp.id = gp.parent_id`

func tp(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func bp(b sql.NullBool) *bool {
	if !b.Valid {
		return nil
	}
	v := b.Bool
	return &v
}

func scanEvent(sc interface{ Scan(...any) error }) (*Event, error) {
	e := &Event{}
	var lon, lat sql.NullFloat64
	var acc, disp, sig, hand, clo, sst, sdue, warn, due, next sql.NullTime
	var sot, cot sql.NullBool
	var state, whistle, source, deferred, pending string
	err := sc.Scan(&e.ID, &e.CategoryID, &e.CategoryCode, &e.CategoryName, &e.GridID, &e.GridName, &e.UnitPath, &e.HandlingUnitID, &e.HandlingName,
		&e.HandlingPath, &state, &whistle, &source, &e.Description, &e.Address, &lon, &lat, &e.ReporterID,
		&e.ReporterName, &e.ReporterPhone, &e.ReportedAt, &acc, &disp, &sig, &hand, &clo, &sst,
		&sdue, &warn, &due, &next, &e.WarnLevel, &e.StageSeq, &sot, &cot, &e.Reworks,
		&e.Extensions, &e.Returns, &e.Escalations, &e.EscalatedUnitID, &e.EscalatedName, &e.Supervised, &deferred,
		&pending, &e.PendingDays, &e.PendingReason, &e.DuplicateOf, &e.Rating, &e.Open311Token, &e.UpdatedAt,
		&e.CommunityName)
	if err != nil {
		return nil, err
	}
	e.State, e.Whistle, e.Source, e.DeferredFrom, e.Pending = State(state), Whistle(whistle), Source(source), State(deferred), Action(pending)
	if lon.Valid && lat.Valid {
		e.Lon, e.Lat, e.HasLocation = lon.Float64, lat.Float64, true
	}
	e.ReportedAt, e.UpdatedAt = e.ReportedAt.UTC(), e.UpdatedAt.UTC()
	e.AcceptedAt, e.DispatchedAt, e.SignedAt, e.HandledAt, e.ClosedAt = tp(acc), tp(disp), tp(sig), tp(hand), tp(clo)
	e.StageStartedAt, e.StageDueAt, e.WarnAt, e.DueAt, e.NextCheckAt = tp(sst), tp(sdue), tp(warn), tp(due), tp(next)
	e.SignedOnTime, e.ClosedOnTime = bp(sot), bp(cot)
	return e, nil
}

// queryEvents runs a SELECT of eventCols and reads its rows.
func queryEvents(ctx context.Context, q db.Querier, query string, args ...any) ([]Event, error) {
	out, err := db.All(ctx, q, func(sc db.Scanner) (Event, error) {
		e, err := scanEvent(sc)
		if err != nil {
			return Event{}, err
		}
		return *e, nil
	}, query, args...)
	return out, apperr.Wrap(err)
}

// readWhere is the condition for the events an actor may read: those whose
// grid lies in their read scope, those dispatched to a unit in their
// handling scope, and those they reported themselves.
func readWhere(actor *auth.Actor) (string, []any) { return readWhereAnd(actor, "", nil) }

// readWhereAnd is readWhere with a condition repeated inside each branch of
// the scope, so that each branch can be answered from its own (partial)
// index: SQLite's planner uses the partial index on open events only when
// is_open stands beside the path range it scans.
func readWhereAnd(actor *auth.Actor, and string, andArgs []any) (string, []any) {
	if actor == nil {
		return "1=0", nil
	}
	branch := func(w string, a []any) (string, []any) {
		if and == "" {
			return w, a
		}
		return "(" + w + " AND " + and + ")", append(append([]any{}, a...), andArgs...)
	}
	if actor.System {
		return branch("1=1", nil)
	}
	var parts []string
	var args []any
	add := func(w string, a []any) {
		if w != "1=0" {
			w, a = branch(w, a)
			parts, args = append(parts, w), append(args, a...)
		}
	}
	add(actor.Scope(PermRead).Where("e.unit_path"))
	add(actor.Scope(PermHandle).Where("e.handling_path"))
	if actor.UserID != 0 {
		add("e.reporter_id = ?", []any{actor.UserID})
	}
	if len(parts) == 0 {
		return "1=0", nil
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}

// who says what the actor is to e.
func who(actor *auth.Actor, e *Event) Who {
	if actor == nil {
		return 0
	}
	if actor.System {
		return AsDispatcher | AsHandler | AsVerifier | AsReporter
	}
	var w Who
	if actor.Scope(PermDispatch).Contains(e.UnitPath) {
		w |= AsDispatcher
	}
	if e.HandlingPath != "" && actor.Scope(PermHandle).Contains(e.HandlingPath) {
		w |= AsHandler
	}
	mine := e.ReporterID != 0 && e.ReporterID == actor.UserID
	if mine || actor.Scope(PermVerify).Contains(e.UnitPath) {
		w |= AsVerifier
	}
	if mine || (e.Source == FromHotline && callsBack(actor, e.UnitPath)) {
		w |= AsReporter
	}
	return w
}

// callsBack reports whether actor is a hotline operator over the unit at
// path: they call a caller back and record the caller's rating.
func callsBack(actor *auth.Actor, path string) bool {
	for _, g := range actor.Grants {
		if g.Role == Operator && strings.HasPrefix(path, g.UnitPath) {
			return true
		}
	}
	return false
}

// Who says what the actor is to e, for pages that offer actions.
func (s *Store) Who(actor *auth.Actor, e *Event) Who { return who(actor, e) }

func (s *Store) eventIn(ctx context.Context, q db.Querier, actor *auth.Actor, id int64, lock bool) (*Event, error) {
	where, args := readWhere(actor)
	query := `SELECT ` + eventCols + eventFrom + ` WHERE e.id = ? AND ` + where
	if lock && q.Engine() == db.Postgres {
		query += ` FOR UPDATE OF e`
	}
	e, err := scanEvent(q.QueryRow(ctx, query, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(eventWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return e, nil
}

// Event returns an event the actor may read, with its photo count.
func (s *Store) Event(ctx context.Context, actor *auth.Actor, id int64) (*Event, error) {
	e, err := s.eventIn(ctx, s.db, actor, id, false)
	if err != nil {
		return nil, err
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM event_photos WHERE event_id = ?`, id).Scan(&e.PhotoCount); err != nil {
		return nil, apperr.Wrap(err)
	}
	return e, nil
}

// saveEvent writes every changing column of e.
func saveEvent(ctx context.Context, tx *db.Tx, e *Event) error {
	var handlingPath any
	if e.HandlingUnitID != 0 {
		handlingPath = e.HandlingPath
	}
	_, err := tx.Exec(ctx, `UPDATE events SET handling_unit_id = ?, handling_path = ?, state = ?, is_open = ?, whistle = ?,
		accepted_at = ?, dispatched_at = ?, signed_at = ?, handled_at = ?, closed_at = ?, stage_started_at = ?, stage_due_at = ?,
		warn_at = ?, due_at = ?, next_check_at = ?, warn_level = ?, stage_seq = ?, signed_on_time = ?, closed_on_time = ?,
		reworks = ?, extensions = ?, returns = ?, escalations = ?, escalated_unit_id = ?, supervised = ?, deferred_from = ?,
		pending = ?, pending_days = ?, pending_reason = ?, duplicate_of = ?, rating = ?, updated_at = ? WHERE id = ?`,
		orNull(e.HandlingUnitID), handlingPath, string(e.State), e.State.Open(), string(e.Whistle),
		e.AcceptedAt, e.DispatchedAt, e.SignedAt, e.HandledAt, e.ClosedAt, e.StageStartedAt, e.StageDueAt,
		e.WarnAt, e.DueAt, e.NextCheckAt, e.WarnLevel, e.StageSeq, e.SignedOnTime, e.ClosedOnTime,
		e.Reworks, e.Extensions, e.Returns, e.Escalations, orNull(e.EscalatedUnitID), e.Supervised, string(e.DeferredFrom),
		string(e.Pending), e.PendingDays, e.PendingReason, orNull(e.DuplicateOf), orNull(e.Rating), e.UpdatedAt, e.ID)
	return apperr.Wrap(err)
}

// addStep records a step of e's history and returns its id.
func addStep(ctx context.Context, tx *db.Tx, actor *auth.Actor, e *Event, a Action, from State, note string, detail map[string]any, at time.Time) (int64, error) {
	if detail == nil {
		detail = map[string]any{}
	}
	d, _ := json.Marshal(detail)
	var actorID any
	name := "system"
	if actor != nil {
		actorID = orNull(actor.UserID)
		name = actor.DisplayName
		if name == "" {
			name = actor.Username
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO event_steps (event_id, action, from_state, to_state, actor_id, actor_name, at, note, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.ID, string(a), string(from), string(e.State), actorID, name, at, note, string(d)).Scan(&id)
	return id, apperr.Wrap(err)
}

func addPhotos(ctx context.Context, tx *db.Tx, eventID, stepID int64, photos []Photo, at time.Time) ([]int64, error) {
	var ids []int64
	for _, p := range photos {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO event_photos (event_id, step_id, content_type, size, width, height, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, eventID, stepID, p.ContentType, len(p.Data), p.Width, p.Height, p.Data, at).Scan(&id); err != nil {
			return nil, apperr.Wrap(err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// unitByID looks a unit up in the tree through q (nil if there is none).
func (s *Store) unitByID(ctx context.Context, q db.Querier, id int64) (*auth.UnitRef, error) {
	units, err := s.Orgs.UnitsByID(ctx, q, []int64{id})
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	u, ok := units[id]
	if !ok {
		return nil, nil
	}
	return &u, nil
}

// gridShape is a grid's boundary, cached for point-in-polygon lookups.
type gridShape struct {
	id int64
	b  *geo.Boundary
}

// gridCacheFor is how long the grid boundaries are kept in memory; a grid
// redrawn in the meantime is found by its new boundary after that.
const gridCacheFor = time.Minute

func (s *Store) gridShapes(ctx context.Context) ([]gridShape, error) {
	s.gridsMu.Lock()
	defer s.gridsMu.Unlock()
	if s.grids != nil && time.Since(s.gridsLoaded) < gridCacheFor {
		return s.grids, nil
	}
	grids, err := s.Orgs.UnitsOfType(ctx, auth.Scope{All: true}, org.Grid, "", 0)
	if err != nil {
		return nil, err
	}
	out := []gridShape{}
	for _, g := range grids {
		if g.Boundary == "" {
			continue
		}
		b, err := geo.ParseBoundary("boundary", []byte(g.Boundary))
		if err != nil {
			continue
		}
		out = append(out, gridShape{g.ID, b})
	}
	s.grids, s.gridsLoaded = out, time.Now()
	return out, nil
}

// GridAt finds the grid whose boundary holds the point (0 if none).
func (s *Store) GridAt(ctx context.Context, lon, lat float64) (int64, error) {
	shapes, err := s.gridShapes(ctx)
	if err != nil {
		return 0, err
	}
	for _, g := range shapes {
		if g.b.Contains(lon, lat) {
			return g.id, nil
		}
	}
	return 0, nil
}

// Created is the result of a report.
type Created struct {
	Event *Event
	// New is false when the idempotency key named an event already reported.
	New bool
	// Duplicates are open events of the same category within 250 m.
	Duplicates []Event
}

// Create records a report. The grid comes from the location (point in
// polygon) or, without one, from GridID; either must lie in the reporter's
// area. The same idempotency key from the same reporter gives back the
// event it made the first time.
func (s *Store) Create(ctx context.Context, actor *auth.Actor, n NewEvent) (*Created, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !actor.Has(PermReport) {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	idem := ""
	if n.IdemKey != "" {
		idem = fmt.Sprintf("%d:%s", actor.UserID, n.IdemKey)
		if e, err := s.byIdem(ctx, actor, idem); err != nil || e != nil {
			if e != nil {
				return &Created{Event: e}, nil
			}
			return nil, err
		}
	}
	gridID := n.GridID
	if n.Lon != nil {
		if !geo.ValidLonLat(*n.Lon, *n.Lat) {
			return nil, apperr.FieldInvalid("lon", "events.bad_location")
		}
		g, err := s.GridAt(ctx, *n.Lon, *n.Lat)
		if err != nil {
			return nil, err
		}
		if g == 0 {
			return nil, apperr.FieldInvalid("lon", "events.outside_district")
		}
		gridID = g
	}
	cal, err := s.Cal.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var e *Event
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		grid, err := s.unitByID(ctx, tx, gridID)
		if err != nil {
			return err
		}
		if grid == nil || grid.Type != string(org.Grid) {
			return apperr.FieldInvalid("grid_id", "events.grid_not_found")
		}
		if !actor.Scope(PermReport).Contains(grid.Path) {
			field := "grid_id"
			if n.Lon != nil {
				field = "lon"
			}
			return apperr.FieldInvalid(field, "events.outside_area")
		}
		cat, err := s.categoryIn(ctx, tx, n.CategoryID)
		if err != nil || !cat.Active || cat.ParentID == 0 && s.hasChildren(ctx, tx, cat.ID) {
			return apperr.Reword(err, apperr.FieldInvalid("category_id", "events.category_not_found"))
		}
		now := s.now()
		e = &Event{CategoryID: cat.ID, GridID: grid.ID, UnitPath: grid.Path, Source: n.Source, Description: n.Description,
			Address: n.Address, ReporterID: actor.UserID, ReporterName: n.ReporterName, ReportedAt: now, UpdatedAt: now}
		if n.ReporterName == "" && actor.UserID != 0 {
			e.ReporterName = actor.DisplayName
		}
		e.EnterStage(Reported, now, cal, cat.Limits)
		var lon, lat any
		if n.Lon != nil {
			lon, lat = *n.Lon, *n.Lat
			e.Lon, e.Lat, e.HasLocation = *n.Lon, *n.Lat, true
		}
		var phoneSealed string
		if n.ReporterPhone != "" {
			if s.Vault == nil {
				return apperr.FieldInvalid("reporter_phone", "events.phone_not_kept")
			}
			if phoneSealed, err = s.Vault.Encrypt(callerPhoneColumn, n.ReporterPhone); err != nil {
				return err
			}
			e.ReporterPhone = pii.MaskPhone(n.ReporterPhone)
		}
		err = tx.QueryRow(ctx, `INSERT INTO events (category_id, grid_id, unit_path, state, is_open, source, description, address, lon, lat,
			reporter_id, reporter_name, reporter_phone_sealed, reporter_phone_masked, idem_key, open311_token, reported_at, stage_started_at, stage_due_at, warn_at, next_check_at, stage_seq, updated_at)
			VALUES (?, ?, ?, ?, TRUE, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.CategoryID, e.GridID, e.UnitPath, string(e.State), string(e.Source), e.Description, e.Address, lon, lat,
			orNull(actor.UserID), e.ReporterName, phoneSealed, e.ReporterPhone, orNull(idem), orNull(n.Open311Token), e.ReportedAt, e.StageStartedAt, e.StageDueAt, e.WarnAt, e.NextCheckAt, e.StageSeq, e.UpdatedAt).Scan(&e.ID)
		if err != nil {
			return err
		}
		stepID, err := addStep(ctx, tx, actor, e, ActReport, "", "", map[string]any{"source": n.Source}, now)
		if err != nil {
			return err
		}
		if _, err := addPhotos(ctx, tx, e.ID, stepID, n.Photos, now); err != nil {
			return err
		}
		if err := s.notifyUnit(ctx, tx, streetOf(e.UnitPath), e.ID, "reported", "events.n_reported", e.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("event.report", "event", strconv.FormatInt(e.ID, 10),
			map[string]any{"category": cat.Code, "grid_id": grid.ID, "source": n.Source, "photos": len(n.Photos)}))
	})
	if idem != "" && db.IsUniqueViolation(err) {
		// The same key arrived twice at once: the first one won.
		if e, err := s.byIdem(ctx, actor, idem); e != nil || err != nil {
			return &Created{Event: e}, err
		}
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	out, err := s.Event(ctx, auth.SystemActor("events"), e.ID)
	if err != nil {
		return nil, err
	}
	dups, err := s.Nearby(ctx, actor, out)
	if err != nil {
		return nil, err
	}
	return &Created{Event: out, New: true, Duplicates: dups}, nil
}

func (s *Store) byIdem(ctx context.Context, actor *auth.Actor, key string) (*Event, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM events WHERE idem_key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return s.Event(ctx, actor, id)
}

// DuplicateRadius is how near an open event of the same category must be
// to be suggested as a duplicate.
const DuplicateRadius = 250.0

// Nearby returns the open events of e's category within 250 m of it that
// the actor may read, nearest first.
func (s *Store) Nearby(ctx context.Context, actor *auth.Actor, e *Event) ([]Event, error) {
	if !e.HasLocation {
		return nil, nil
	}
	dLat := DuplicateRadius / 111320.0
	dLon := dLat / max(0.1, cosDeg(e.Lat))
	// The open events of the category in the box around the point, from
	// the covering partial index; the distance in Go; then the nearest
	// few, read in full through the actor's scope.
	type near struct {
		id int64
		m  float64
	}
	var cands []near
	err := db.Each(ctx, s.db, func(sc db.Scanner) error {
		var id int64
		var lon, lat float64
		if err := sc.Scan(&id, &lon, &lat); err != nil {
			return err
		}
		if m := geo.DistanceMeters(e.Lon, e.Lat, lon, lat); m <= DuplicateRadius {
			cands = append(cands, near{id, m})
		}
		return nil
	}, `SELECT e.id, e.lon, e.lat FROM events e WHERE e.is_open AND e.category_id = ?
		AND e.lat >= ? AND e.lat <= ? AND e.lon >= ? AND e.lon <= ? AND e.id <> ? LIMIT 2000`,
		e.CategoryID, e.Lat-dLat, e.Lat+dLat, e.Lon-dLon, e.Lon+dLon, e.ID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	if len(cands) == 0 {
		return nil, nil
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].m < cands[j].m })
	if len(cands) > 10 {
		cands = cands[:10]
	}
	ids := make([]any, len(cands))
	rank := map[int64]int{}
	for i, c := range cands {
		ids[i], rank[c.id] = c.id, i
	}
	where, args := readWhere(actor)
	out, err := queryEvents(ctx, s.db, `SELECT `+eventCols+eventFrom+` WHERE e.id IN (`+db.Placeholders(len(ids))+`) AND `+where, append(ids, args...)...)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return rank[out[i].ID] < rank[out[j].ID] })
	return out, nil
}

// parentOf returns the id of the unit above the last in path (0 if none).
func parentOf(path string) int64 {
	ids := org.PathIDs(path)
	if len(ids) < 2 {
		return 0
	}
	return ids[len(ids)-2]
}

// Filter selects events for a listing.
type Filter struct {
	State          State
	Open           bool // only open events
	Overdue        bool // only open events past their stage deadline
	CategoryCode   string
	UnitID         int64 // in the subtree of this unit (a grid, community, street)
	HandlingUnitID int64
	Mine           bool // reported by the actor
	Todo           Todo // only those of this kind of work waiting for the actor
	Query          string
	From, To       time.Time // reported in [From, To)
	Sort           string    // "reported" (default), "due", "state", "category"
	Desc           bool
	Limit, Offset  int
}

func (s *Store) filterWhere(ctx context.Context, actor *auth.Actor, f Filter) (string, []any, error) {
	var and string
	var andArgs []any
	switch {
	case f.Overdue:
		and, andArgs = "e.is_open AND e.stage_due_at < ?", []any{s.now()}
	case f.Open:
		and = "e.is_open"
	}
	where, args := readWhereAnd(actor, and, andArgs)
	if f.State != "" {
		where += " AND e.state = ?"
		args = append(args, string(f.State))
	}
	if f.CategoryCode != "" {
		where += ` AND c.code LIKE ? ESCAPE '\'`
		args = append(args, db.LikeEscape(f.CategoryCode)+"%")
	}
	if f.UnitID != 0 {
		u, err := s.unitByID(ctx, s.db, f.UnitID)
		if err != nil {
			return "", nil, err
		}
		if u == nil {
			return "", nil, apperr.NotFoundf("单位")
		}
		lo, hi := db.PrefixRange(u.Path)
		if u.Type == string(org.Department) {
			where += " AND e.handling_path >= ? AND e.handling_path < ?"
		} else {
			where += " AND e.unit_path >= ? AND e.unit_path < ?"
		}
		args = append(args, lo, hi)
	}
	if f.HandlingUnitID != 0 {
		where += " AND e.handling_unit_id = ?"
		args = append(args, f.HandlingUnitID)
	}
	if f.Mine {
		where += " AND e.reporter_id = ?"
		args = append(args, actor.UserID)
	}
	if f.Todo != "" {
		w, a := f.Todo.where(actor, s.now())
		where += " AND " + w
		args = append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if id, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil {
			where += " AND e.id = ?"
			args = append(args, id)
		} else {
			where += " AND (e.description " + db.ILike(s.db.Engine()) + ` ? ESCAPE '\' OR e.address ` + db.ILike(s.db.Engine()) + ` ? ESCAPE '\')`
			args = append(args, "%"+db.LikeEscape(q)+"%", "%"+db.LikeEscape(q)+"%")
		}
	}
	if !f.From.IsZero() {
		where += " AND e.reported_at >= ?"
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where += " AND e.reported_at < ?"
		args = append(args, f.To.UTC())
	}
	return where, args, nil
}

// List returns one page of the events the actor may read that match f, and
// how many match in all. A negative f.Limit asks for up to -f.Limit rows
// and no count (total is -1).
func (s *Store) List(ctx context.Context, actor *auth.Actor, f Filter) ([]Event, int, error) {
	where, args, err := s.filterWhere(ctx, actor, f)
	if err != nil {
		return nil, 0, err
	}
	// Only a category filter or sort needs the categories; the count and
	// the page's ids come from the events (and their indexes) alone, and
	// the joins are made for the page's rows only.
	from := ` FROM events e`
	if f.CategoryCode != "" || f.Sort == "category" {
		from += ` JOIN event_categories c ON c.id = e.category_id`
	}
	total := -1
	if f.Limit >= 0 {
		if err := s.db.QueryRow(ctx, `SELECT COUNT(*)`+from+` WHERE `+where, args...).Scan(&total); err != nil {
			return nil, 0, apperr.Wrap(err)
		}
	}
	order := "e.reported_at"
	switch f.Sort {
	case "due":
		order = "e.stage_due_at"
	case "state":
		order = "e.state"
	case "category":
		order = "c.code"
	}
	if f.Desc || f.Sort == "" {
		order += " DESC"
	}
	limit := f.Limit
	if limit < 0 {
		limit = -limit
	}
	if limit == 0 || limit > 100000 {
		limit = 50
	}
	page := `SELECT e.id` + from + ` WHERE ` + where + ` ORDER BY ` + order + `, e.id DESC LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(max(f.Offset, 0))
	out, err := queryEvents(ctx, s.db, `SELECT `+eventCols+eventFrom+` WHERE e.id IN (`+page+`) ORDER BY `+order+`, e.id DESC`, args...)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Steps returns an event's history, oldest first, with the photos of each step.
func (s *Store) Steps(ctx context.Context, actor *auth.Actor, id int64) (_ []Step, err error) {
	defer apperr.Trace(&err, "events.Store.Steps(%d)", id)
	if _, err := s.eventIn(ctx, s.db, actor, id, false); err != nil {
		return nil, err
	}
	out, err := db.All(ctx, s.db, func(sc db.Scanner) (Step, error) {
		var st Step
		var detail string
		if err := sc.Scan(&st.ID, &st.EventID, &st.Action, &st.From, &st.To, &st.ActorID, &st.ActorName, &st.At, &st.Note, &detail); err != nil {
			return st, err
		}
		st.At = st.At.UTC()
		_ = json.Unmarshal([]byte(detail), &st.Detail)
		return st, nil
	}, `SELECT id, event_id, action, from_state, to_state, COALESCE(actor_id, 0), actor_name, at, note, detail
		FROM event_steps WHERE event_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	for i, st := range out {
		index[st.ID] = i
	}
	err = db.Each(ctx, s.db, func(sc db.Scanner) error {
		var pid, sid int64
		if err := sc.Scan(&pid, &sid); err != nil {
			return err
		}
		if i, ok := index[sid]; ok {
			out[i].Photos = append(out[i].Photos, pid)
		}
		return nil
	}, `SELECT id, COALESCE(step_id, 0) FROM event_photos WHERE event_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PhotoData returns one photo of an event the actor may read.
func (s *Store) PhotoData(ctx context.Context, actor *auth.Actor, eventID, photoID int64) (*Photo, error) {
	if _, err := s.eventIn(ctx, s.db, actor, eventID, false); err != nil {
		return nil, err
	}
	p := &Photo{}
	err := s.db.QueryRow(ctx, `SELECT content_type, width, height, data FROM event_photos WHERE id = ? AND event_id = ?`, photoID, eventID).
		Scan(&p.ContentType, &p.Width, &p.Height, &p.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("照片")
	}
	return p, apperr.Wrap(err)
}

// notifyUnit leaves an in-app notification about an event for every user
// holding a role at unit, and queues their delivery beyond the app.
func (s *Store) notifyUnit(ctx context.Context, tx *db.Tx, unitID, eventID int64, kind, key string, args ...any) error {
	if unitID == 0 {
		return nil
	}
	users, err := auth.HoldersAt(ctx, tx, unitID)
	if err != nil {
		return apperr.Wrap(err)
	}
	return s.Notify.Send(ctx, tx, users, notify.Message{Subject: notify.Subject{Type: SubjectEvent, ID: eventID}, Kind: kind, Key: key, Args: args})
}

// notifyUser leaves a notification about an event for one user.
func (s *Store) notifyUser(ctx context.Context, tx *db.Tx, userID, eventID int64, kind, key string, args ...any) error {
	return s.Notify.Send(ctx, tx, []int64{userID}, notify.Message{Subject: notify.Subject{Type: SubjectEvent, ID: eventID}, Kind: kind, Key: key, Args: args})
}

// MoveHook keeps the copies of unit paths on events right when a subtree
// of the tree moves; app registers it with org.Store.OnMove.
func (s *Store) MoveHook(ctx context.Context, tx *db.Tx, oldPrefix, newPrefix string) error {
	lo, hi := db.PrefixRange(oldPrefix)
	for _, col := range []string{"unit_path", "handling_path"} {
		if _, err := tx.Exec(ctx, `UPDATE events SET `+col+` = ? || substr(`+col+`, ?) WHERE `+col+` >= ? AND `+col+` < ?`,
			newPrefix, len(oldPrefix)+1, lo, hi); err != nil {
			return err
		}
	}
	return nil
}

// CountAtUnit counts the events of a grid and those dispatched to a unit,
// so that the tree refuses to delete a unit that still has events.
func (s *Store) CountAtUnit(ctx context.Context, q db.Querier, unitID int64) (int, error) {
	u, err := s.unitByID(ctx, q, unitID)
	if err != nil || u == nil {
		return 0, err
	}
	var n, m int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE unit_path = ?`, u.Path).Scan(&n); err != nil {
		return 0, err
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE handling_path = ?`, u.Path).Scan(&m); err != nil {
		return 0, err
	}
	return n + m, nil
}

func cosDeg(d float64) float64 { return math.Cos(d * math.Pi / 180) }

// callerPhoneColumn is the column callers' phones are sealed for.
const callerPhoneColumn = "events.reporter_phone_sealed"

// SealedColumns are the personal fields events keep encrypted, for key rotation.
var SealedColumns = []pii.Column{{Table: "events", Sealed: "reporter_phone_sealed"}}

// RevealCaller shows the phone of an event's caller in full to someone
// allowed to see it for that event, who gives a reason; it is audited.
func (s *Store) RevealCaller(ctx context.Context, actor *auth.Actor, id int64, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < 4 {
		return "", apperr.FieldInvalid("reason", "events.reason_required", 4)
	}
	if utf8.RuneCountInString(reason) > 200 {
		return "", apperr.FieldInvalid("reason", "field.too_long", 200)
	}
	var phone string
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		e, err := s.eventIn(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		if !actor.Scope(PermUnmask).Contains(e.UnitPath) {
			return apperr.New(apperr.Forbidden, "events.no_unmask")
		}
		var sealed string
		if err := tx.QueryRow(ctx, `SELECT reporter_phone_sealed FROM events WHERE id = ?`, id).Scan(&sealed); err != nil {
			return err
		}
		if sealed == "" || s.Vault == nil {
			return apperr.New(apperr.NotFound, "events.no_phone")
		}
		if phone, err = s.Vault.Decrypt(callerPhoneColumn, sealed); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("event.reveal_caller", "event", fmt.Sprint(id), map[string]any{"reason": reason}))
	})
	return phone, err
}
