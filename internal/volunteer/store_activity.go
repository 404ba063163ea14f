package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
)

const activityWord = "志愿活动"

const activityCols = `a.id, a.unit_id, u.name, a.unit_path, COALESCE(a.team_id, 0), COALESCE(t.name, ''), a.title, a.category, a.description, a.place,
	a.lon, a.lat, a.needs_approval, a.team_only, a.status, a.starts_at, a.ends_at, COALESCE(a.created_by, 0), a.created_at`

const activityFrom = ` FROM vol_activities a JOIN units u ON u.id = a.unit_id LEFT JOIN vol_teams t ON t.id = a.team_id`

func scanActivity(sc interface{ Scan(...any) error }) (*Activity, error) {
	a := &Activity{}
	var lon, lat sql.NullFloat64
	err := sc.Scan(&a.ID, &a.UnitID, &a.UnitName, &a.UnitPath, &a.TeamID, &a.TeamName, &a.Title, &a.Category, &a.Description, &a.Place,
		&lon, &lat, &a.NeedsApproval, &a.TeamOnly, &a.Status, &a.StartsAt, &a.EndsAt, &a.CreatedBy, &a.CreatedAt)
	if lon.Valid && lat.Valid {
		a.Lon, a.Lat, a.HasPoint = lon.Float64, lat.Float64, true
	}
	return a, err
}

func (s *Store) activityIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Activity, error) {
	where, args := scope.Where("a.unit_path")
	a, err := scanActivity(q.QueryRow(ctx, `SELECT `+activityCols+activityFrom+` WHERE a.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(activityWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return a, s.loadShifts(ctx, q, []*Activity{a})
}

func (s *Store) loadShifts(ctx context.Context, q db.Querier, as []*Activity) error {
	if len(as) == 0 {
		return nil
	}
	byID := map[int64]*Activity{}
	ids := make([]any, 0, len(as))
	for _, a := range as {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	rows, err := q.Query(ctx, `SELECT sh.id, sh.activity_id, sh.unit_path, sh.starts_at, sh.ends_at, sh.capacity, sh.skills, sh.in_code, sh.out_code,
		(SELECT COUNT(*) FROM vol_signups g WHERE g.shift_id = sh.id AND g.status IN ('pending', 'approved'))
		FROM vol_shifts sh WHERE sh.activity_id IN (`+db.Placeholders(len(ids))+`) ORDER BY sh.starts_at, sh.id`, ids...)
	if err != nil {
		return apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var sh Shift
		var skills string
		if err := rows.Scan(&sh.ID, &sh.ActivityID, &sh.UnitPath, &sh.StartsAt, &sh.EndsAt, &sh.Capacity, &skills, &sh.InCode, &sh.OutCode, &sh.Taken); err != nil {
			return apperr.Wrap(err)
		}
		sh.Skills = splitList(skills)
		byID[sh.ActivityID].Shifts = append(byID[sh.ActivityID].Shifts, sh)
	}
	return apperr.Wrap(rows.Err())
}

// Activity returns an activity the actor may see, with its shifts.
func (s *Store) Activity(ctx context.Context, actor *auth.Actor, id int64) (*Activity, error) {
	return s.activityIn(ctx, s.db, actor.Scope(PermRead), id)
}

// ActivityFilter selects activities.
type ActivityFilter struct {
	UnderID  int64
	TeamID   int64
	Category string
	Query    string
	When     string // "upcoming", "past" or "" (all)
	Limit    int
	Offset   int
}

func (s *Store) activityWhere(ctx context.Context, scope auth.Scope, f ActivityFilter) (string, []any, error) {
	where, args := scope.Where("a.unit_path")
	if f.UnderID != 0 {
		w, a, err := s.underUnit(ctx, scope, "a.unit_path", f.UnderID)
		if err != nil {
			return "", nil, err
		}
		where, args = where+w, append(args, a...)
	}
	if f.TeamID != 0 {
		where += " AND a.team_id = ?"
		args = append(args, f.TeamID)
	}
	if f.Category != "" {
		where += " AND a.category = ?"
		args = append(args, f.Category)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` AND a.title LIKE ? ESCAPE '\'`
		args = append(args, "%"+db.LikeEscape(q)+"%")
	}
	switch f.When {
	case "upcoming":
		where += " AND a.ends_at > ? AND a.status = 'published'"
		args = append(args, s.now())
	case "past":
		where += " AND a.ends_at <= ?"
		args = append(args, s.now())
	}
	return where, args, nil
}

// ListActivities returns a page of activities the actor may see (upcoming
// first by start, past ones latest first) and the total.
func (s *Store) ListActivities(ctx context.Context, actor *auth.Actor, f ActivityFilter) ([]Activity, int, error) {
	where, args, err := s.activityWhere(ctx, actor.Scope(PermRead), f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM vol_activities a WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := "a.starts_at DESC"
	if f.When == "upcoming" {
		order = "a.starts_at"
	}
	out, err := s.queryActivities(ctx, s.db, where+` ORDER BY `+order+`, a.id`+page(f.Limit, f.Offset), args...)
	return out, total, err
}

func (s *Store) queryActivities(ctx context.Context, q db.Querier, where string, args ...any) ([]Activity, error) {
	rows, err := q.Query(ctx, `SELECT `+activityCols+activityFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	var out []Activity
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			rows.Close()
			return nil, apperr.Wrap(err)
		}
		out = append(out, *a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	ptrs := make([]*Activity, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.loadShifts(ctx, q, ptrs)
}

// CreateActivity publishes an activity with its shifts, by a team (at the
// team's unit) or by a unit in the actor's scope.
func (s *Store) CreateActivity(ctx context.Context, actor *auth.Actor, in ActivityInput) (*Activity, error) {
	if err := in.validate(s.Now()); err != nil {
		return nil, err
	}
	var out *Activity
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		scope := actor.Scope(PermManage)
		var unit *org.Unit
		if in.TeamID != 0 {
			t, err := s.teamIn(ctx, tx, scope, in.TeamID)
			if err != nil {
				return apperr.Reword(err, apperr.FieldInvalid("team_id", "vol.team_not_found"))
			}
			if unit, err = s.Orgs.UnitIn(ctx, tx, auth.Scope{All: true}, t.UnitID); err != nil {
				return err
			}
		} else {
			u, err := s.unitIn(ctx, tx, scope, "unit_id", in.UnitID, org.District, org.Street, org.Community, org.Area, org.Grid)
			if err != nil {
				return err
			}
			unit = u
		}
		id, err := s.insertActivity(ctx, tx, actor, unit, in)
		if err != nil {
			return err
		}
		if out, err = s.activityIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("vol_activity.create", "vol_activity", fmt.Sprint(id), map[string]any{
			"unit_id": unit.ID, "team_id": in.TeamID, "title": in.Title, "shifts": len(in.Shifts)}))
	})
	return out, err
}

func (s *Store) insertActivity(ctx context.Context, tx *db.Tx, actor *auth.Actor, unit *org.Unit, in ActivityInput) (int64, error) {
	start, end := in.span()
	var lon, lat any
	if in.Lon != nil {
		lon, lat = *in.Lon, *in.Lat
	}
	now := s.now()
	var createdBy int64
	if actor != nil {
		createdBy = actor.UserID
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO vol_activities (unit_id, unit_path, team_id, title, category, description, place, lon, lat, needs_approval, team_only,
		status, starts_at, ends_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?) RETURNING id`,
		unit.ID, unit.Path, nullInt(in.TeamID), in.Title, in.Category, in.Description, in.Place, lon, lat, in.NeedsApproval, in.TeamOnly,
		start, end, nullInt(createdBy), now, now).Scan(&id); err != nil {
		return 0, apperr.Wrap(err)
	}
	for _, sh := range in.Shifts {
		if _, err := tx.Exec(ctx, `INSERT INTO vol_shifts (activity_id, unit_path, starts_at, ends_at, capacity, skills, in_code, out_code, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, unit.Path, sh.StartsAt, sh.EndsAt, sh.Capacity, strings.Join(sh.Skills, ","), newCode(8), newCode(8), now); err != nil {
			return 0, apperr.Wrap(err)
		}
	}
	return id, nil
}

// CancelActivity cancels an activity that has not ended; its sign-ups are
// cancelled with it.
func (s *Store) CancelActivity(ctx context.Context, actor *auth.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		// Out of scope is not found, whatever the request holds.
		a, err := s.activityIn(ctx, tx, actor.Scope(PermManage), id)
		if err != nil {
			return err
		}
		if err := checkReason(reason); err != nil {
			return err
		}
		if a.Status != "published" {
			return apperr.New(apperr.Conflict, "vol.activity_cancelled")
		}
		if !a.EndsAt.After(s.now()) {
			return apperr.New(apperr.Conflict, "vol.activity_over")
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE vol_activities SET status = 'cancelled', updated_at = ? WHERE id = ?`, now, id); err != nil {
			return apperr.Wrap(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_signups SET status = 'cancelled', reason = ?, updated_at = ? WHERE activity_id = ? AND status IN ('pending', 'approved') AND check_in_at IS NULL`,
			reason, now, id); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("vol_activity.cancel", "vol_activity", fmt.Sprint(id), map[string]any{"reason": reason}))
	})
}

func checkReason(reason string) error {
	n := utf8.RuneCountInString(reason)
	switch {
	case n < 2:
		return apperr.FieldInvalid("reason", "vol.reason_required")
	case n > 200:
		return apperr.FieldInvalid("reason", "field.too_long", 200)
	}
	return nil
}

// ---- Sign-ups

const signupCols = `g.id, g.shift_id, g.activity_id, a.title, COALESCE(g.team_id, 0), g.volunteer_id, v.name, COALESCE(v.user_id, 0), g.unit_path, g.starts_at, g.ends_at,
	g.status, g.check_in_at, g.check_in_how, g.check_out_at, g.check_out_how, g.minutes, g.hours_status, g.reason, g.points, COALESCE(g.transfer_seq, 0),
	g.created_at`

const signupFrom = ` FROM vol_signups g JOIN vol_activities a ON a.id = g.activity_id JOIN vol_volunteers v ON v.id = g.volunteer_id`

func scanSignup(sc interface{ Scan(...any) error }) (*Signup, error) {
	g := &Signup{}
	var in, out sql.NullTime
	err := sc.Scan(&g.ID, &g.ShiftID, &g.ActivityID, &g.ActivityTitle, &g.TeamID, &g.VolunteerID, &g.VolunteerName, &g.VolunteerUser, &g.UnitPath,
		&g.StartsAt, &g.EndsAt, &g.Status, &in, &g.CheckInHow, &out, &g.CheckOutHow, &g.Minutes, &g.HoursStatus, &g.Reason, &g.Points, &g.TransferSeq,
		&g.CreatedAt)
	g.CheckInAt, g.CheckOutAt = timePtr(in), timePtr(out)
	return g, err
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

func (s *Store) signupIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Signup, error) {
	where, args := scope.Where("g.unit_path")
	g, err := scanSignup(q.QueryRow(ctx, `SELECT `+signupCols+signupFrom+` WHERE g.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("报名")
	}
	return g, apperr.Wrap(err)
}

func (s *Store) querySignups(ctx context.Context, q db.Querier, where string, args ...any) ([]Signup, error) {
	rows, err := q.Query(ctx, `SELECT `+signupCols+signupFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Signup
	for rows.Next() {
		g, err := scanSignup(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, *g)
	}
	return out, apperr.Wrap(rows.Err())
}

// Signups lists the sign-ups of an activity the actor may see, by shift.
func (s *Store) Signups(ctx context.Context, actor *auth.Actor, activityID int64) ([]Signup, error) {
	a, err := s.Activity(ctx, actor, activityID)
	if err != nil {
		return nil, err
	}
	return s.querySignups(ctx, s.db, `g.activity_id = ? ORDER BY g.starts_at, g.shift_id, g.status <> 'pending', v.name, g.id`, a.ID)
}

// SignUp puts a volunteer on a shift. Without volunteerID the actor signs
// themselves up (their linked volunteer), anywhere in their district;
// with it, an organiser who runs the activity signs up a volunteer they
// look after, approved at once. What may be signed up is JudgeSignup's to
// say; the store loads what it looks at, with the volunteer and the shift
// locked, and writes the sign-up.
func (s *Store) SignUp(ctx context.Context, actor *auth.Actor, shiftID, volunteerID int64) (*Signup, error) {
	self := volunteerID == 0
	var me *Volunteer
	if self {
		var err error
		if me, err = s.Me(ctx, actor); err != nil {
			return nil, err
		}
		volunteerID = me.ID
	}
	var out *Signup
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		// Lock the volunteer, then the shift, so that two sign-ups of one
		// volunteer, or two for one last place, wait for each other.
		c := SignupCase{Self: self, Now: s.now()}
		var vskills string
		err := tx.QueryRow(ctx, `SELECT unit_path, status, skills FROM vol_volunteers WHERE id = ?`+db.ForUpdate(tx.Engine()), volunteerID).
			Scan(&c.VolunteerPath, &c.VolunteerStatus, &vskills)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.FieldInvalid("volunteer_id", "vol.volunteer_not_found")
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		c.VolunteerSkills, c.ManagesVolunteer = splitList(vskills), actor.Scope(PermManage).Contains(c.VolunteerPath)
		existing, err := s.signupCase(ctx, tx, &c, shiftID, volunteerID)
		if err != nil {
			return err
		}
		if c.Activity != nil {
			c.ManagesActivity = actor.Scope(PermManage).Contains(c.Activity.UnitPath)
		}
		status, err := JudgeSignup(c)
		if err != nil {
			return err
		}
		now, sh, a := c.Now, c.Shift, c.Activity
		id := existing
		if existing != 0 {
			_, err = tx.Exec(ctx, `UPDATE vol_signups SET status = ?, reason = '', updated_at = ? WHERE id = ?`, status, now, existing)
		} else {
			err = tx.QueryRow(ctx, `INSERT INTO vol_signups (shift_id, activity_id, team_id, volunteer_id, unit_path, starts_at, ends_at, period, status, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, sh.ID, a.ID, nullInt(a.TeamID), volunteerID, a.UnitPath, sh.StartsAt, sh.EndsAt,
				Period(sh.StartsAt), status, now, now).Scan(&id)
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.signupIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("vol_signup.create", "vol_signup", fmt.Sprint(id), map[string]any{
			"shift_id": shiftID, "volunteer_id": volunteerID, "status": status, "self": self}))
	})
	return out, err
}

// signupCase loads into c what a sign-up of the volunteer for the shift is
// judged on, the shift locked, and returns the id of an earlier sign-up
// for it (0 if none). Nothing more is loaded when there is no such shift.
func (s *Store) signupCase(ctx context.Context, tx *db.Tx, c *SignupCase, shiftID, volunteerID int64) (int64, error) {
	var sh Shift
	var skills string
	err := tx.QueryRow(ctx, `SELECT id, activity_id, unit_path, starts_at, ends_at, capacity, skills FROM vol_shifts WHERE id = ?`+db.ForUpdate(tx.Engine()), shiftID).
		Scan(&sh.ID, &sh.ActivityID, &sh.UnitPath, &sh.StartsAt, &sh.EndsAt, &sh.Capacity, &skills)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	sh.Skills = splitList(skills)
	a, err := s.activityIn(ctx, tx, auth.Scope{All: true}, sh.ActivityID)
	if err != nil {
		return 0, err
	}
	c.Shift, c.Activity = &sh, a
	if a.TeamOnly {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vol_team_members WHERE team_id = ? AND volunteer_id = ? AND left_on IS NULL`, a.TeamID, volunteerID).Scan(&n); err != nil {
			return 0, apperr.Wrap(err)
		}
		c.InTeam = n > 0
	}
	var existing int64
	err = tx.QueryRow(ctx, `SELECT id, status FROM vol_signups WHERE shift_id = ? AND volunteer_id = ?`, shiftID, volunteerID).Scan(&existing, &c.Earlier)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.Wrap(err)
	}
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vol_signups WHERE shift_id = ? AND status IN ('pending', 'approved')`, shiftID).Scan(&sh.Taken); err != nil {
		return 0, apperr.Wrap(err)
	}
	rows, err := tx.Query(ctx, `SELECT g.shift_id, g.starts_at, g.ends_at, g.status, a.title FROM vol_signups g JOIN vol_activities a ON a.id = g.activity_id
		WHERE g.volunteer_id = ? AND g.status IN ('pending', 'approved') AND g.ends_at > ? ORDER BY g.starts_at, g.id`, volunteerID, sh.StartsAt)
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var g Signup
		if err := rows.Scan(&g.ShiftID, &g.StartsAt, &g.EndsAt, &g.Status, &g.ActivityTitle); err != nil {
			return 0, apperr.Wrap(err)
		}
		c.Others = append(c.Others, g)
	}
	return existing, apperr.Wrap(rows.Err())
}

// SkillMsg names a skill in the reader's language, for messages.
func SkillMsg(skill string) any { return msgOf(Skills.Key(skill)) }

// Decide approves or rejects a pending sign-up.
func (s *Store) Decide(ctx context.Context, actor *auth.Actor, id int64, approve bool, reason string) (*Signup, error) {
	reason = strings.TrimSpace(reason)
	if !approve {
		if err := checkReason(reason); err != nil {
			return nil, err
		}
	}
	return s.changeSignup(ctx, actor, id, "vol_signup.decide", func(tx *db.Tx, g *Signup) (map[string]any, error) {
		if g.Status != SignupPending {
			return nil, apperr.New(apperr.Conflict, "vol.not_pending")
		}
		status := SignupApproved
		if !approve {
			status = SignupRejected
		}
		if approve {
			var taken int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vol_signups WHERE shift_id = ? AND status = 'approved'`, g.ShiftID).Scan(&taken); err != nil {
				return nil, apperr.Wrap(err)
			}
			var capacity int
			if err := tx.QueryRow(ctx, `SELECT capacity FROM vol_shifts WHERE id = ?`, g.ShiftID).Scan(&capacity); err != nil {
				return nil, apperr.Wrap(err)
			}
			if taken >= capacity {
				return nil, apperr.New(apperr.Conflict, "vol.shift_full")
			}
		}
		_, err := tx.Exec(ctx, `UPDATE vol_signups SET status = ?, reason = ?, updated_at = ? WHERE id = ?`, status, reason, s.now(), g.ID)
		return map[string]any{"status": status, "reason": reason}, apperr.Wrap(err)
	})
}

// changeSignup runs a change of a sign-up the actor manages, audited.
func (s *Store) changeSignup(ctx context.Context, actor *auth.Actor, id int64, action string, fn func(tx *db.Tx, g *Signup) (map[string]any, error)) (*Signup, error) {
	var out *Signup
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		g, err := s.lockSignup(ctx, tx, actor.Scope(PermManage), id)
		if err != nil {
			return err
		}
		detail, err := fn(tx, g)
		if err != nil {
			return err
		}
		if out, err = s.signupIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry(action, "vol_signup", fmt.Sprint(id), detail))
	})
	return out, err
}

// lockSignup reads a sign-up in scope and locks its row for the change.
func (s *Store) lockSignup(ctx context.Context, tx *db.Tx, scope auth.Scope, id int64) (*Signup, error) {
	where, args := scope.Where("unit_path")
	var got int64
	err := tx.QueryRow(ctx, `SELECT id FROM vol_signups WHERE id = ? AND `+where+db.ForUpdate(tx.Engine()), append([]any{id}, args...)...).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("报名")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return s.signupIn(ctx, tx, auth.Scope{All: true}, id)
}

// Cancel withdraws a sign-up before its shift starts: the volunteer their
// own, an organiser any they manage.
func (s *Store) Cancel(ctx context.Context, actor *auth.Actor, id int64) (*Signup, error) {
	var out *Signup
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		scope := actor.Scope(PermManage)
		g, err := s.lockSignup(ctx, tx, auth.Scope{All: true}, id)
		if err != nil {
			return err
		}
		if !scope.Contains(g.UnitPath) && (actor.UserID == 0 || g.VolunteerUser != actor.UserID) {
			return apperr.NotFoundf("报名")
		}
		switch {
		case !g.Active():
			return apperr.New(apperr.Conflict, "vol.signup_inactive")
		case !s.now().Before(g.StartsAt):
			return apperr.New(apperr.Conflict, "vol.shift_started")
		case g.CheckInAt != nil:
			// Checked in early: the hours are the organiser's to verify or
			// reject, and the place stays taken.
			return apperr.New(apperr.Conflict, "vol.cancel_checked_in")
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_signups SET status = 'cancelled', updated_at = ? WHERE id = ?`, s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.signupIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("vol_signup.cancel", "vol_signup", fmt.Sprint(id), nil))
	})
	return out, err
}

// ScanResult says what a scanned code did.
type ScanResult struct {
	Action string // "in" or "out"
	Signup *Signup
}

// Scan checks the actor's volunteer in or out of a shift with the code its
// organiser shows (the QR code carries it; it is printed under it too).
func (s *Store) Scan(ctx context.Context, actor *auth.Actor, code string) (*ScanResult, error) {
	me, err := s.Me(ctx, actor)
	if err != nil {
		return nil, err
	}
	code = NormalizeCode(code)
	if code == "" {
		return nil, apperr.FieldInvalid("code", "field.required")
	}
	var res *ScanResult
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var shiftID int64
		var inCode string
		err := tx.QueryRow(ctx, `SELECT id, in_code FROM vol_shifts WHERE in_code = ? OR out_code = ?`, code, code).Scan(&shiftID, &inCode)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.FieldInvalid("code", "vol.bad_code")
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		action := "out"
		if code == inCode {
			action = "in"
		}
		var id int64
		err = tx.QueryRow(ctx, `SELECT id FROM vol_signups WHERE shift_id = ? AND volunteer_id = ?`+db.ForUpdate(tx.Engine()), shiftID, me.ID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.Conflict, "vol.not_signed_up")
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		g, err := s.signupIn(ctx, tx, auth.Scope{All: true}, id)
		if err != nil {
			return err
		}
		now := s.now()
		if action == "in" {
			if why := g.CanCheckIn(now); why != "" {
				return apperr.New(apperr.Conflict, why)
			}
			_, err = tx.Exec(ctx, `UPDATE vol_signups SET check_in_at = ?, check_in_how = ?, updated_at = ? WHERE id = ?`, now, ByQR, now, id)
		} else {
			if why := g.CanCheckOut(now); why != "" {
				return apperr.New(apperr.Conflict, why)
			}
			minutes := ServedMinutes(g.StartsAt, g.EndsAt, *g.CheckInAt, now)
			_, err = tx.Exec(ctx, `UPDATE vol_signups SET check_out_at = ?, check_out_how = ?, minutes = ?, hours_status = 'pending', updated_at = ? WHERE id = ?`,
				now, ByQR, minutes, now, id)
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if g, err = s.signupIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		res = &ScanResult{Action: action, Signup: g}
		return audit.Record(ctx, tx, actor.Entry("vol_signup.check_"+action, "vol_signup", fmt.Sprint(id), map[string]any{"how": ByQR}))
	})
	return res, err
}

// Mark records a check-in and check-out for a volunteer, by the organiser
// (a volunteer without a phone, a QR code that could not be scanned).
// Either time may be left nil to keep what is there.
func (s *Store) Mark(ctx context.Context, actor *auth.Actor, id int64, in, out *time.Time) (*Signup, error) {
	return s.changeSignup(ctx, actor, id, "vol_signup.mark", func(tx *db.Tx, g *Signup) (map[string]any, error) {
		now := s.now()
		switch {
		case g.Status != SignupApproved:
			return nil, apperr.New(apperr.Conflict, "vol.signup_inactive")
		case g.HoursStatus == HoursVerified || g.HoursStatus == HoursRejected || g.HoursStatus == HoursRevoked:
			return nil, apperr.New(apperr.Conflict, "vol.hours_decided")
		case actor.UserID != 0 && g.VolunteerUser == actor.UserID:
			return nil, apperr.New(apperr.Forbidden, "vol.own_hours")
		case in == nil && out == nil:
			return nil, apperr.FieldInvalid("check_in_at", "field.required")
		}
		checkIn, checkOut := g.CheckInAt, g.CheckOutAt
		if in != nil {
			t := in.UTC().Truncate(time.Minute)
			checkIn = &t
		}
		if out != nil {
			t := out.UTC().Truncate(time.Minute)
			checkOut = &t
		}
		switch {
		case checkIn != nil && checkIn.After(now), checkOut != nil && checkOut.After(now):
			return nil, apperr.FieldInvalid("check_out_at", "vol.time_future")
		case checkOut != nil && checkIn == nil:
			return nil, apperr.FieldInvalid("check_out_at", "vol.out_before_in")
		case checkOut != nil && !checkOut.After(*checkIn):
			return nil, apperr.FieldInvalid("check_out_at", "vol.out_before_in")
		}
		minutes, hours := 0, ""
		if checkOut != nil {
			minutes, hours = ServedMinutes(g.StartsAt, g.EndsAt, *checkIn, *checkOut), HoursPending
		}
		_, err := tx.Exec(ctx, `UPDATE vol_signups SET check_in_at = ?, check_in_how = CASE WHEN ? THEN ? ELSE check_in_how END,
			check_out_at = ?, check_out_how = CASE WHEN ? THEN ? ELSE check_out_how END, minutes = ?, hours_status = ?, updated_at = ? WHERE id = ?`,
			checkIn, in != nil, ByOrganiser, checkOut, out != nil, ByOrganiser, minutes, hours, now, g.ID)
		return map[string]any{"check_in_at": checkIn, "check_out_at": checkOut, "minutes": minutes}, apperr.Wrap(err)
	})
}

// VerifyHours confirms the hours of a checked-out sign-up, optionally
// corrected to minutes (never more than the shift), and credits the
// points they earn at the district's rate from the bank, in the same
// transaction. Nobody verifies their own hours.
func (s *Store) VerifyHours(ctx context.Context, actor *auth.Actor, id int64, minutes *int) (*Signup, error) {
	return s.changeSignup(ctx, actor, id, "vol_signup.verify", func(tx *db.Tx, g *Signup) (map[string]any, error) {
		if g.HoursStatus != HoursPending || g.Status != SignupApproved {
			return nil, apperr.New(apperr.Conflict, "vol.hours_not_pending")
		}
		if actor.UserID != 0 && g.VolunteerUser == actor.UserID {
			return nil, apperr.New(apperr.Forbidden, "vol.own_hours")
		}
		m := g.Minutes
		if minutes != nil {
			limit := ShiftMinutes(g.StartsAt, g.EndsAt)
			switch {
			case *minutes < 0:
				return nil, apperr.FieldInvalid("minutes", "web.out_of_range", 0, limit)
			case *minutes > limit:
				return nil, apperr.FieldInvalid("minutes", "vol.over_shift", limit)
			}
			m = *minutes
		}
		rate, err := s.Rate(ctx, tx, g.UnitPath)
		if err != nil {
			return nil, err
		}
		points := Earned(m, rate)
		var seq int64
		if points > 0 {
			t, err := s.earn(ctx, tx, actor, g, points)
			if err != nil {
				return nil, err
			}
			seq = t.Seq
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE vol_signups SET hours_status = 'verified', minutes = ?, points = ?, transfer_seq = ?, verified_by = ?, verified_at = ?, updated_at = ? WHERE id = ?`,
			m, int64(points), nullInt(seq), nullInt(actor.UserID), now, now, g.ID); err != nil {
			return nil, apperr.Wrap(err)
		}
		return map[string]any{"minutes": m, "points": int64(points), "transfer": seq, "rate": int64(rate)}, nil
	})
}

// earn posts the transfer that pays a sign-up's points from the bank of
// its district.
func (s *Store) earn(ctx context.Context, tx *db.Tx, actor *auth.Actor, g *Signup, points Points) (*Transfer, error) {
	district := districtOf(g.UnitPath)
	bank, err := s.Ledger.OpenAccount(ctx, tx, AccountBank, district, org.ChildPath("/", district))
	if err != nil {
		return nil, err
	}
	var vpath string
	if err := tx.QueryRow(ctx, `SELECT unit_path FROM vol_volunteers WHERE id = ?`, g.VolunteerID).Scan(&vpath); err != nil {
		return nil, apperr.Wrap(err)
	}
	acct, err := s.Ledger.OpenAccount(ctx, tx, AccountVolunteer, g.VolunteerID, vpath)
	if err != nil {
		return nil, err
	}
	memo := fmt.Sprintf("%s %s", g.ActivityTitle, date.Today(g.StartsAt))
	return s.Ledger.Post(ctx, tx, actor, TransferInput{Kind: KindEarn, Memo: memo, Legs: []Leg{{bank, -points}, {acct, points}}})
}

// RejectHours turns down the hours of a checked-out sign-up, with a reason.
func (s *Store) RejectHours(ctx context.Context, actor *auth.Actor, id int64, reason string) (*Signup, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	return s.changeSignup(ctx, actor, id, "vol_signup.reject_hours", func(tx *db.Tx, g *Signup) (map[string]any, error) {
		if g.HoursStatus != HoursPending {
			return nil, apperr.New(apperr.Conflict, "vol.hours_not_pending")
		}
		if actor.UserID != 0 && g.VolunteerUser == actor.UserID {
			return nil, apperr.New(apperr.Forbidden, "vol.own_hours")
		}
		now := s.now()
		_, err := tx.Exec(ctx, `UPDATE vol_signups SET hours_status = 'rejected', reason = ?, verified_by = ?, verified_at = ?, updated_at = ? WHERE id = ?`,
			reason, nullInt(actor.UserID), now, now, g.ID)
		return map[string]any{"reason": reason}, apperr.Wrap(err)
	})
}

// MySignups lists the actor's own sign-ups: those still to come or
// waiting for verification first, then the rest, newest first.
func (s *Store) MySignups(ctx context.Context, actor *auth.Actor, limit int) ([]Signup, error) {
	me, err := s.Me(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.querySignups(ctx, s.db, `g.volunteer_id = ? ORDER BY CASE WHEN g.ends_at > ? AND g.status IN ('pending','approved') THEN 0 ELSE 1 END,
		CASE WHEN g.ends_at > ? THEN g.starts_at END, g.starts_at DESC, g.id LIMIT `+strconv.Itoa(clampLimit(limit)), me.ID, s.now(), s.now())
}

// Upcoming lists the published activities the actor's volunteer may join:
// those of their district that have not ended, except teams' own ones of
// teams they are not in.
func (s *Store) Upcoming(ctx context.Context, actor *auth.Actor, limit int) ([]Activity, error) {
	me, err := s.Me(ctx, actor)
	if err != nil {
		return nil, err
	}
	lo, hi := db.PrefixRange(org.ChildPath("/", districtOf(me.UnitPath)))
	return s.queryActivities(ctx, s.db, `a.unit_path >= ? AND a.unit_path < ? AND a.status = 'published' AND a.ends_at > ?
		AND (NOT a.team_only OR a.team_id IN (SELECT team_id FROM vol_team_members WHERE volunteer_id = ? AND left_on IS NULL))
		ORDER BY a.starts_at, a.id LIMIT `+strconv.Itoa(clampLimit(limit)), lo, hi, s.now(), me.ID)
}

// ActivityForVolunteer returns an activity the actor's volunteer may join.
func (s *Store) ActivityForVolunteer(ctx context.Context, actor *auth.Actor, id int64) (*Activity, error) {
	me, err := s.Me(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.activityIn(ctx, s.db, auth.NewScope(org.ChildPath("/", districtOf(me.UnitPath))), id)
}

// Shift returns a shift of an activity the actor manages, for its QR codes.
func (s *Store) Shift(ctx context.Context, actor *auth.Actor, id int64) (*Activity, *Shift, error) {
	var activityID int64
	where, args := actor.Scope(PermManage).Where("unit_path")
	err := s.db.QueryRow(ctx, `SELECT activity_id FROM vol_shifts WHERE id = ? AND `+where, append([]any{id}, args...)...).Scan(&activityID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.NotFoundf("班次")
	}
	if err != nil {
		return nil, nil, apperr.Wrap(err)
	}
	a, err := s.activityIn(ctx, s.db, auth.Scope{All: true}, activityID)
	if err != nil {
		return nil, nil, err
	}
	for i := range a.Shifts {
		if a.Shifts[i].ID == id {
			return a, &a.Shifts[i], nil
		}
	}
	return nil, nil, apperr.NotFoundf("班次")
}

// PendingHours lists the sign-ups waiting for their hours to be verified
// in the actor's scope, oldest first, and how many there are.
func (s *Store) PendingHours(ctx context.Context, actor *auth.Actor, limit int) ([]Signup, int, error) {
	where, args := actor.Scope(PermManage).Where("g.unit_path")
	where += " AND g.hours_status = 'pending'"
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM vol_signups g WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	out, err := s.querySignups(ctx, s.db, where+` ORDER BY g.starts_at, g.id LIMIT `+strconv.Itoa(clampLimit(limit)), args...)
	return out, total, err
}

// RecordExport audits an export of volunteers' data: what, how many rows,
// with which filter.
func (s *Store) RecordExport(ctx context.Context, actor *auth.Actor, what string, rows int, filter any) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, actor.Entry("export."+what, what, "", map[string]any{"rows": rows, "filter": filter}))
	})
}
