package volunteer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
)

// AddEntry adds a training, award or evaluation to a volunteer's record.
func (s *Store) AddEntry(ctx context.Context, actor *auth.Actor, volunteerID int64, in EntryInput) (*Entry, error) {
	var out *Entry
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		// Out of scope is not found, whatever the request holds.
		v, err := s.volunteerIn(ctx, tx, actor.Scope(PermManage), volunteerID)
		if err != nil {
			return err
		}
		on, err := in.validate(s.Now())
		if err != nil {
			return err
		}
		e := &Entry{Kind: in.Kind, On: on, Title: in.Title, Issuer: in.Issuer, Minutes: in.Minutes, Grade: in.Grade, Note: in.Note, RecordedBy: actor.Username}
		if err := tx.QueryRow(ctx, `INSERT INTO vol_record_entries (volunteer_id, kind, on_date, title, issuer, minutes, grade, note, recorded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, v.ID, e.Kind, e.On, e.Title, e.Issuer, e.Minutes, e.Grade, e.Note, e.RecordedBy, s.now()).Scan(&e.ID); err != nil {
			return apperr.Wrap(err)
		}
		out = e
		return audit.Record(ctx, tx, actor.Entry("volunteer.record_"+in.Kind, "volunteer", fmt.Sprint(v.ID), map[string]any{"title": e.Title, "on": e.On}))
	})
	return out, err
}

// services returns a volunteer's verified services between two days
// (either may be empty), oldest first.
func (s *Store) services(ctx context.Context, q db.Querier, volunteerID int64, from, to date.Date) ([]Service, error) {
	where, args := dayRange("g.starts_at", from, to)
	where, args = "g.volunteer_id = ? AND g.hours_status = 'verified'"+where, append([]any{volunteerID}, args...)
	rows, err := q.Query(ctx, `SELECT g.id, g.starts_at, a.title, a.category, a.place, COALESCE(t.name, u.name), g.minutes, g.points
		FROM vol_signups g JOIN vol_activities a ON a.id = g.activity_id JOIN units u ON u.id = a.unit_id LEFT JOIN vol_teams t ON t.id = a.team_id
		WHERE `+where+` ORDER BY g.starts_at, g.id`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Service
	for rows.Next() {
		var sv Service
		var at time.Time
		if err := rows.Scan(&sv.SignupID, &at, &sv.Activity, &sv.Category, &sv.Place, &sv.Organiser, &sv.Minutes, &sv.Points); err != nil {
			return nil, apperr.Wrap(err)
		}
		sv.On = date.Today(at)
		out = append(out, sv)
	}
	return out, apperr.Wrap(rows.Err())
}

// Record returns a volunteer's whole record. For a volunteer who is a
// resident, the identity number and phone shown are people's masked ones,
// if the actor may see the resident there.
func (s *Store) Record(ctx context.Context, actor *auth.Actor, volunteerID int64) (*Record, error) {
	v, err := s.Volunteer(ctx, actor, volunteerID)
	if err != nil {
		return nil, err
	}
	return s.record(ctx, actor, v)
}

// MyRecord returns the actor's own volunteer record.
func (s *Store) MyRecord(ctx context.Context, actor *auth.Actor) (*Record, error) {
	v, err := s.Me(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.record(ctx, actor, v)
}

func (s *Store) record(ctx context.Context, actor *auth.Actor, v *Volunteer) (*Record, error) {
	rec := &Record{Volunteer: *v}
	if v.ResidentID != 0 && s.People != nil {
		if r, err := s.People.Resident(ctx, actor, v.ResidentID); err == nil {
			rec.Volunteer.IDNumber, rec.Volunteer.Phone, rec.Volunteer.BirthDate = r.IDNumber, r.Phone, r.BirthDate
		}
	}
	var err error
	if rec.Teams, err = s.queryMembers(ctx, `m.volunteer_id = ? ORDER BY m.left_on IS NOT NULL, m.joined_on`, v.ID); err != nil {
		return nil, err
	}
	if rec.Services, err = s.services(ctx, s.db, v.ID, "", ""); err != nil {
		return nil, err
	}
	for _, sv := range rec.Services {
		rec.TotalMinutes += int64(sv.Minutes)
	}
	rows, err := s.db.Query(ctx, `SELECT id, kind, on_date, title, issuer, minutes, grade, note, recorded_by FROM vol_record_entries WHERE volunteer_id = ? ORDER BY on_date, id`, v.ID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.Kind, &e.On, &e.Title, &e.Issuer, &e.Minutes, &e.Grade, &e.Note, &e.RecordedBy); err != nil {
			return nil, apperr.Wrap(err)
		}
		switch e.Kind {
		case "training":
			rec.Trainings = append(rec.Trainings, e)
		case "award":
			rec.Awards = append(rec.Awards, e)
		case "evaluation":
			rec.Evaluations = append(rec.Evaluations, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	if rec.Certificates, err = s.certificates(ctx, `c.volunteer_id = ? ORDER BY c.issued_on DESC, c.id DESC`, v.ID); err != nil {
		return nil, err
	}
	return rec, nil
}

// ---- Certificates

const certCols = `c.id, c.number, c.volunteer_id, v.name, c.id_number_masked, c.unit_id, c.issuer, c.issued_on, c.from_on, c.to_on, c.minutes, c.services, c.content, c.issued_by`

func (s *Store) certificates(ctx context.Context, where string, args ...any) ([]Certificate, error) {
	rows, err := s.db.Query(ctx, `SELECT `+certCols+` FROM vol_certificates c JOIN vol_volunteers v ON v.id = c.volunteer_id WHERE `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Certificate
	for rows.Next() {
		var c Certificate
		var content string
		if err := rows.Scan(&c.ID, &c.Number, &c.VolunteerID, &c.VolunteerName, &c.IDNumber, &c.UnitID, &c.Issuer, &c.IssuedOn, &c.From, &c.To,
			&c.Minutes, &c.Services, &content, &c.IssuedBy); err != nil {
			return nil, apperr.Wrap(err)
		}
		if err := json.Unmarshal([]byte(content), &c.Content); err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, c)
	}
	return out, apperr.Wrap(rows.Err())
}

// IssueCertificate issues a certificate (志愿服务证明) for a volunteer's
// verified services between two days (their whole service when empty),
// in the name of the unit the actor works at (the volunteer's community
// or above). Its number is unique and can be checked by anyone.
func (s *Store) IssueCertificate(ctx context.Context, actor *auth.Actor, volunteerID int64, from, to string) (*Certificate, error) {
	var f apperr.Fields
	fromD, err := date.Parse(from)
	if err != nil {
		f.Add("from", "field.bad_date")
	}
	toD, err := date.Parse(to)
	if err != nil {
		f.Add("to", "field.bad_date")
	}
	if fromD != "" && toD != "" && toD < fromD {
		f.Add("to", "vol.to_before_from")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Certificate
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.volunteerIn(ctx, tx, actor.Scope(PermManage), volunteerID)
		if err != nil {
			return err
		}
		services, err := s.services(ctx, tx, v.ID, fromD, toD)
		if err != nil {
			return err
		}
		if len(services) == 0 {
			return apperr.New(apperr.Conflict, "vol.no_services")
		}
		issuer, err := s.issuerFor(ctx, tx, actor, v)
		if err != nil {
			return err
		}
		// The certificate carries the identity number, masked: a
		// resident's from their resident record.
		if v.ResidentID != 0 && s.People != nil {
			if r, err := s.People.Resident(ctx, actor, v.ResidentID); err == nil {
				v.IDNumber = r.IDNumber
			}
		}
		c := &Certificate{VolunteerID: v.ID, VolunteerName: v.Name, UnitID: issuer.ID, Issuer: issuer.Name,
			IssuedOn: date.Today(s.Now()), From: fromD, To: toD, Services: len(services), Content: services, IssuedBy: actor.Username}
		if c.From == "" {
			c.From = services[0].On
		}
		if c.To == "" {
			c.To = services[len(services)-1].On
		}
		for _, sv := range services {
			c.Minutes += int64(sv.Minutes)
		}
		c.IDNumber = v.IDNumber
		content, err := json.Marshal(services)
		if err != nil {
			return apperr.Wrap(err)
		}
		for attempt := 0; ; attempt++ {
			c.Number = certificateNumber(s.Now())
			err = tx.QueryRow(ctx, `INSERT INTO vol_certificates (number, volunteer_id, id_number_masked, unit_id, unit_path, issuer, issued_on, from_on, to_on, minutes, services, content, issued_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.Number, v.ID, v.IDNumber, issuer.ID, issuer.Path, c.Issuer, c.IssuedOn, c.From, c.To,
				c.Minutes, c.Services, string(content), c.IssuedBy, s.now()).Scan(&c.ID)
			if db.IsUniqueViolation(err) && attempt < 3 {
				continue
			}
			if err != nil {
				return apperr.Wrap(err)
			}
			break
		}
		out = c
		return audit.Record(ctx, tx, actor.Entry("volunteer.certificate", "volunteer", fmt.Sprint(v.ID), map[string]any{
			"number": c.Number, "minutes": c.Minutes, "services": c.Services, "from": c.From, "to": c.To}))
	})
	return out, err
}

// issuerFor is the unit a certificate is issued in the name of: the unit
// of the actor's grant that covers the volunteer (the nearest one).
func (s *Store) issuerFor(ctx context.Context, q db.Querier, actor *auth.Actor, v *Volunteer) (*org.Unit, error) {
	best := ""
	var bestID int64
	for _, g := range actor.Grants {
		if auth.RoleHas(g.Role, PermManage) && len(g.UnitPath) > len(best) && len(v.UnitPath) >= len(g.UnitPath) && v.UnitPath[:len(g.UnitPath)] == g.UnitPath {
			best, bestID = g.UnitPath, g.UnitID
		}
	}
	if bestID == 0 {
		bestID = v.UnitID
	}
	return s.Orgs.UnitIn(ctx, q, auth.Scope{All: true}, bestID)
}

// certificateNumber is ZY, the year and ten random digits in groups.
func certificateNumber(now time.Time) string {
	n := newDigits(10)
	return fmt.Sprintf("ZY%d-%s-%s-%s", now.In(date.Shanghai).Year(), n[:4], n[4:8], n[8:])
}

func newDigits(n int) string {
	b := []byte(newCode(n))
	for i, c := range b {
		b[i] = '0' + c%10
	}
	return string(b)
}

// Certificate returns a certificate of a volunteer the actor may see (or
// their own).
func (s *Store) Certificate(ctx context.Context, actor *auth.Actor, id int64) (*Certificate, error) {
	cs, err := s.certificates(ctx, `c.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, apperr.NotFoundf("证明")
	}
	if me, err := s.Me(ctx, actor); err == nil && me.ID == cs[0].VolunteerID {
		return &cs[0], nil
	}
	if _, err := s.Volunteer(ctx, actor, cs[0].VolunteerID); err != nil {
		return nil, apperr.Reword(err, apperr.NotFoundf("证明"))
	}
	return &cs[0], nil
}

// PublicCertificate is what anyone may learn of a certificate by its
// number: whether it exists, the volunteer's name masked, the hours, the
// issuer and the day.
type PublicCertificate struct {
	Number   string    `json:"number"`
	Name     string    `json:"name"`
	Issuer   string    `json:"issuer"`
	IssuedOn date.Date `json:"issued_on"`
	From     date.Date `json:"from"`
	To       date.Date `json:"to"`
	Minutes  int64     `json:"minutes"`
	Hours    float64   `json:"hours"`
	Services int       `json:"services"`
}

// CheckCertificate looks a certificate up by its number, for the public
// check page: no sign-in, nothing personal beyond the masked name.
func (s *Store) CheckCertificate(ctx context.Context, number string) (*PublicCertificate, error) {
	number = NormalizeCertNumber(number)
	if number == "" {
		return nil, apperr.FieldInvalid("number", "field.required")
	}
	cs, err := s.certificates(ctx, `c.number = ?`, number)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, apperr.NotFoundf("证明")
	}
	c := cs[0]
	return &PublicCertificate{Number: c.Number, Name: MaskName(c.VolunteerName), Issuer: c.Issuer, IssuedOn: c.IssuedOn, From: c.From, To: c.To,
		Minutes: c.Minutes, Hours: float64(c.Minutes) / 60, Services: c.Services}, nil
}

// NormalizeCertNumber reads a typed certificate number.
func NormalizeCertNumber(s string) string {
	n := NormalizeCode(s)
	if len(n) != 16 || n[:2] != "ZY" {
		return n
	}
	return n[:6] + "-" + n[6:10] + "-" + n[10:14] + "-" + n[14:]
}

// ---- Rankings

// RankRow is one line of a ranking.
type RankRow struct {
	Rank     int     `json:"rank"`
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Minutes  int64   `json:"minutes"`
	Hours    float64 `json:"hours"`
	Services int     `json:"services"`
}

// Ranking ranks volunteers or teams ("volunteers", "teams") in the actor's
// scope by hours verified in a month (period YYYYMM) or a year (period
// YYYY).
func (s *Store) Ranking(ctx context.Context, actor *auth.Actor, of string, period int, limit int) ([]RankRow, error) {
	var lo, hi int
	switch {
	case period >= 190001 && period <= 220012 && period%100 >= 1 && period%100 <= 12:
		lo, hi = period, period
	case period >= 1900 && period <= 2200:
		lo, hi = period*100+1, period*100+12
	default:
		return nil, apperr.FieldInvalid("period", "vol.bad_period")
	}
	where, args := actor.Scope(PermRead).Where("g.unit_path")
	where += " AND g.hours_status = 'verified' AND g.period >= ? AND g.period <= ?"
	args = append(args, lo, hi)
	var query, by string
	switch of {
	case "volunteers", "":
		query = `SELECT v.id, v.name, u.name, r.minutes, r.services FROM (%s) r JOIN vol_volunteers v ON v.id = r.id JOIN units u ON u.id = v.unit_id`
		by = "g.volunteer_id"
	case "teams":
		query = `SELECT t.id, t.name, u.name, r.minutes, r.services FROM (%s) r JOIN vol_teams t ON t.id = r.id JOIN units u ON u.id = t.unit_id`
		by = "g.team_id"
	default:
		return nil, apperr.FieldInvalid("of", "field.bad_choice")
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	// The sums come from the covering index vol_signups_sums; only the
	// ranked rows are joined to their names. The unary plus keeps SQLite
	// from grouping by walking vol_signups_volunteer (or _team) in order,
	// which visits every row of the table to spare a sort of a few
	// thousand sums: ten times slower for a street (BenchmarkVolunteerHome).
	top := `SELECT +` + by + ` AS id, SUM(g.minutes) AS minutes, COUNT(*) AS services FROM vol_signups g WHERE ` + where +
		` AND ` + by + ` IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ` + strconv.Itoa(limit)
	rows, err := s.db.Query(ctx, fmt.Sprintf(query, top)+` ORDER BY r.minutes DESC, r.id`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []RankRow
	for rows.Next() {
		var r RankRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Unit, &r.Minutes, &r.Services); err != nil {
			return nil, apperr.Wrap(err)
		}
		r.Hours = float64(r.Minutes) / 60
		// Equal hours share a rank.
		r.Rank = len(out) + 1
		if n := len(out); n > 0 && out[n-1].Minutes == r.Minutes {
			r.Rank = out[n-1].Rank
		}
		out = append(out, r)
	}
	return out, apperr.Wrap(rows.Err())
}

// ---- Overview

// TypeCount is how many teams of a type there are.
type TypeCount struct {
	Type string
	N    int
}

// ByType lists the teams by type in the order of TeamTypes.
func (o *Overview) ByType() []TypeCount {
	out := make([]TypeCount, 0, len(TeamTypes.Values))
	for _, t := range TeamTypes.Values {
		out = append(out, TypeCount{t, o.TeamsByType[t]})
	}
	return out
}

// Overview is the module's figures in the actor's scope, counted from rows.
type Overview struct {
	TeamsByType          map[string]int
	Teams                int
	Volunteers           int
	VerifiedMinutes      int64
	PointsIssued         Points
	PointsRedeemed       Points
	PoliceMembers        int
	PoliceMinutes        int64
	Activities           int
	UpcomingActivities   int
	Merchants            int
	PendingVerifications int
}

// Overview counts the module's figures in the actor's scope: teams where
// they sit, volunteers (and volunteer police members) where they are
// registered, hours and the points they earned where the service was
// done, points redeemed where they were spent. Points issued are those
// paid for verified hours still standing; points redeemed those spent at
// merchants and not reversed.
func (s *Store) Overview(ctx context.Context, actor *auth.Actor) (*Overview, error) {
	scope := actor.Scope(PermRead)
	o := &Overview{TeamsByType: map[string]int{}}
	for _, t := range TeamTypes.Values {
		o.TeamsByType[t] = 0
	}
	where, args := scope.Where("unit_path")
	rows, err := s.db.Query(ctx, `SELECT type, COUNT(*) FROM vol_teams WHERE status = 'active' AND `+where+` GROUP BY type`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err)
		}
		o.TeamsByType[t] = n
		o.Teams += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	var issued, redeemed int64
	counts := []struct {
		dst   any
		query string
		col   string
		args  []any
	}{
		{&o.Volunteers, `SELECT COUNT(*) FROM vol_volunteers WHERE status = 'active' AND `, "unit_path", nil},
		{&redeemed, `SELECT COALESCE(SUM(amount), 0) FROM lb_redemptions WHERE status = 'done' AND `, "unit_path", nil},
		{&o.PoliceMembers, `SELECT COUNT(DISTINCT m.volunteer_id) FROM vol_team_members m JOIN vol_teams t ON t.id = m.team_id
			JOIN vol_volunteers v ON v.id = m.volunteer_id WHERE t.type = 'police' AND m.left_on IS NULL AND `, "v.unit_path", nil},
		{&o.Activities, `SELECT COUNT(*) FROM vol_activities WHERE status = 'published' AND `, "unit_path", nil},
		{&o.UpcomingActivities, `SELECT COUNT(*) FROM vol_activities WHERE status = 'published' AND ends_at > ? AND `, "unit_path", []any{s.now()}},
		{&o.Merchants, `SELECT COUNT(*) FROM lb_merchants WHERE status = 'active' AND `, "unit_path", nil},
		{&o.PendingVerifications, `SELECT COUNT(*) FROM vol_signups WHERE hours_status = 'pending' AND `, "unit_path", nil},
	}
	// Verified minutes, the points they earned and the volunteer police's
	// share, in one pass over the covering index vol_signups_sums.
	if err := s.db.QueryRow(ctx, `SELECT COALESCE(SUM(minutes), 0), COALESCE(SUM(points), 0),
		COALESCE(SUM(CASE WHEN team_id IN (SELECT id FROM vol_teams WHERE type = 'police') THEN minutes ELSE 0 END), 0)
		FROM vol_signups WHERE hours_status = 'verified' AND `+where, args...).
		Scan(&o.VerifiedMinutes, &issued, &o.PoliceMinutes); err != nil {
		return nil, apperr.Wrap(err)
	}
	for _, c := range counts {
		w, a := scope.Where(c.col)
		if err := s.db.QueryRow(ctx, c.query+w, append(c.args, a...)...).Scan(c.dst); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	o.PointsIssued, o.PointsRedeemed = Points(issued), Points(redeemed)
	return o, nil
}

// ---- In-service party members

// HoursFor is a people.HoursSource: a resident's verified volunteer hours
// between two days, in the community they are registered at as a
// volunteer, which for a resident is the community where they live. app
// plugs it into the people module's feedback sheets.
func (s *Store) HoursFor(ctx context.Context, residentID int64, from, to date.Date) (int, []people.ServiceLine, error) {
	var vid int64
	var path string
	err := s.db.QueryRow(ctx, `SELECT id, unit_path FROM vol_volunteers WHERE resident_id = ?`, residentID).Scan(&vid, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, nil, apperr.Wrap(err)
	}
	lo, hi := db.PrefixRange(path)
	where, args := dayRange("g.starts_at", from, to)
	where, args = "g.volunteer_id = ? AND g.hours_status = 'verified' AND g.unit_path >= ? AND g.unit_path < ?"+where, append([]any{vid, lo, hi}, args...)
	rows, err := s.db.Query(ctx, `SELECT g.starts_at, a.title, g.minutes FROM vol_signups g JOIN vol_activities a ON a.id = g.activity_id WHERE `+where+` ORDER BY g.starts_at`, args...)
	if err != nil {
		return 0, nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var total int
	var lines []people.ServiceLine
	for rows.Next() {
		var at time.Time
		l := people.ServiceLine{Source: "volunteer"}
		if err := rows.Scan(&at, &l.What, &l.Minutes); err != nil {
			return 0, nil, apperr.Wrap(err)
		}
		l.On = date.Today(at)
		total += l.Minutes
		lines = append(lines, l)
	}
	return total, lines, apperr.Wrap(rows.Err())
}
