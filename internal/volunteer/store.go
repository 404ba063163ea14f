package volunteer

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the volunteer and love bank tables.
var Migrations = db.Migrations{Module: "volunteer", FS: db.Sub(migrationFiles, "migrations")}

// PathTables are the tables that keep a copy of their unit's path. The
// ledger's transfers and movements are not among them: they are
// append-only and reached through their accounts.
var PathTables = []string{"vol_teams", "vol_volunteers", "vol_team_members", "vol_activities", "vol_shifts", "vol_signups",
	"vol_certificates", "lb_accounts", "lb_merchants", "lb_redemptions", "lb_settlements"}

// SealedColumns are the personal fields of volunteers who are not
// residents, for the vault's key rotation.
var SealedColumns = []pii.Column{
	{Table: "vol_volunteers", Sealed: "id_number_sealed", Index: "id_number_index", Kind: "id_number", Normalize: pii.NormalizeIDNumber},
	{Table: "vol_volunteers", Sealed: "phone_sealed", Index: "phone_index", Kind: "phone", Normalize: pii.NormalizePhone},
}

// Store keeps teams, volunteers, activities, records and the love bank.
type Store struct {
	db     *db.DB
	Orgs   *org.Store
	People *people.Store
	Vault  *pii.Vault
	Ledger *Ledger
	// Accounts answers what an account linked to a volunteer record or to
	// a merchant is: its name and its roles.
	Accounts *auth.Store
	Now      func() time.Time
}

// NewStore returns the volunteer store.
func NewStore(d *db.DB, orgs *org.Store, accounts *auth.Store, ppl *people.Store, vault *pii.Vault) *Store {
	s := &Store{db: d, Orgs: orgs, Accounts: accounts, People: ppl, Vault: vault, Now: time.Now}
	s.Ledger = &Ledger{Now: func() time.Time { return s.Now() }}
	return s
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// SetDB makes the store work on d from now on; tests use it to lose the
// connection of one module.
func (s *Store) SetDB(d *db.DB) { s.db = d }

// FollowMove keeps the path copies right when a subtree of the tree moves;
// app registers it with the org store.
func (s *Store) FollowMove(ctx context.Context, tx *db.Tx, oldPrefix, newPrefix string) error {
	lo, hi := db.PrefixRange(oldPrefix)
	for _, t := range PathTables {
		if _, err := tx.Exec(ctx, `UPDATE `+t+` SET unit_path = ? || substr(unit_path, ?) WHERE unit_path >= ? AND unit_path < ?`,
			newPrefix, len(oldPrefix)+1, lo, hi); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

// DeleteGuards keep units that volunteers still use from being deleted.
func (s *Store) DeleteGuards() []org.DeleteGuard {
	count := func(q string) func(context.Context, db.Querier, int64) (int, error) {
		return func(ctx context.Context, d db.Querier, id int64) (int, error) {
			var n int
			err := d.QueryRow(ctx, q, id).Scan(&n)
			return n, err
		}
	}
	return []org.DeleteGuard{
		{What: "vol.in_use.teams", Count: count(`SELECT COUNT(*) FROM vol_teams WHERE unit_id = ?`)},
		{What: "vol.in_use.volunteers", Count: count(`SELECT COUNT(*) FROM vol_volunteers WHERE unit_id = ?`)},
		{What: "vol.in_use.activities", Count: count(`SELECT COUNT(*) FROM vol_activities WHERE unit_id = ?`)},
		{What: "vol.in_use.merchants", Count: count(`SELECT COUNT(*) FROM lb_merchants WHERE unit_id = ?`)},
		{What: "vol.in_use.certificates", Count: count(`SELECT COUNT(*) FROM vol_certificates WHERE unit_id = ?`)},
	}
}

// unitIn reads a unit in scope, for a write's target; a unit out of scope
// is reported on the field.
func (s *Store) unitIn(ctx context.Context, q db.Querier, scope auth.Scope, field string, id int64, types ...org.UnitType) (*org.Unit, error) {
	u, err := s.Orgs.UnitIn(ctx, q, scope, id)
	if err != nil {
		return nil, apperr.Reword(err, apperr.FieldInvalid(field, "vol.unit_not_found"))
	}
	if len(types) == 0 {
		return u, nil
	}
	for _, t := range types {
		if u.Type == t {
			return u, nil
		}
	}
	return nil, apperr.FieldInvalid(field, "vol.unit_wrong_type", types[0].Label())
}

// districtOf returns the id of the district at the top of path.
func districtOf(path string) int64 {
	ids := org.PathIDs(path)
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// Settings of a district.
const (
	SettingRate        = "points_per_hour" // hundredths of a point a verified hour earns
	SettingFenPerPoint = "fen_per_point"   // what the bank pays a merchant per point
)

// setting reads a district setting for the unit at path, or def.
func (s *Store) setting(ctx context.Context, q db.Querier, path, name string, def int64) (int64, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM vol_settings WHERE unit_id = ? AND name = ?`, districtOf(path), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return def, nil
	}
	return n, nil
}

// Rate is what a verified hour earns in the district of the unit at path.
func (s *Store) Rate(ctx context.Context, q db.Querier, path string) (Points, error) {
	n, err := s.setting(ctx, q, path, SettingRate, int64(DefaultRate))
	return Points(n), err
}

// FenPerPoint is what the bank pays a merchant per point at settlement.
func (s *Store) FenPerPoint(ctx context.Context, q db.Querier, path string) (int64, error) {
	return s.setting(ctx, q, path, SettingFenPerPoint, DefaultFenPerPoint)
}

// Settings are a district's love bank settings.
type Settings struct {
	DistrictID  int64
	Rate        Points
	FenPerPoint int64
}

// Settings reads the settings of the actor's district.
func (s *Store) Settings(ctx context.Context, actor *auth.Actor) (*Settings, error) {
	path, err := s.actorDistrictPath(ctx, actor, PermBank)
	if err != nil {
		return nil, err
	}
	out := &Settings{DistrictID: districtOf(path)}
	if out.Rate, err = s.Rate(ctx, s.db, path); err != nil {
		return nil, err
	}
	out.FenPerPoint, err = s.FenPerPoint(ctx, s.db, path)
	return out, err
}

// actorDistrictPath is the path of the district of the actor's first
// grant that holds perm.
func (s *Store) actorDistrictPath(ctx context.Context, actor *auth.Actor, perm auth.Perm) (string, error) {
	scope := actor.Scope(perm)
	if scope.Empty() {
		return "", apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if scope.All {
		var path string
		err := s.db.QueryRow(ctx, `SELECT path FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&path)
		if errors.Is(err, sql.ErrNoRows) {
			return "", apperr.NotFoundf("区")
		}
		return path, apperr.Wrap(err)
	}
	return org.ChildPath("/", districtOf(scope.Paths[0])), nil
}

// SetSettings changes a district's rate and settlement price. Only who
// manages the love bank at the district may.
func (s *Store) SetSettings(ctx context.Context, actor *auth.Actor, districtID int64, rate Points, fen int64) error {
	var f apperr.Fields
	if rate < 1 || rate > 100000 {
		f.Add("rate", "lb.rate_range")
	}
	if fen < 0 || fen > 1000000 {
		f.Add("fen_per_point", "web.out_of_range", 0, 1000000)
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.unitIn(ctx, tx, actor.Scope(PermBankAd), "district_id", districtID, org.District); err != nil {
			return err
		}
		for name, v := range map[string]int64{SettingRate: int64(rate), SettingFenPerPoint: fen} {
			if _, err := tx.Exec(ctx, `INSERT INTO vol_settings (unit_id, name, value) VALUES (?, ?, ?)
				ON CONFLICT (unit_id, name) DO UPDATE SET value = excluded.value`, districtID, name, strconv.FormatInt(v, 10)); err != nil {
				return apperr.Wrap(err)
			}
		}
		return audit.Record(ctx, tx, actor.Entry("lovebank.settings", "unit", fmt.Sprint(districtID), map[string]any{"rate": int64(rate), "fen_per_point": fen}))
	})
}

// ---- Teams

const teamWord = "志愿队伍"

const teamCols = `t.id, t.unit_id, u.name, t.unit_path, t.type, t.field, t.name, t.description, t.founded_on, t.status, t.created_at,
	(SELECT COUNT(*) FROM vol_team_members m WHERE m.team_id = t.id AND m.left_on IS NULL)`

const teamFrom = ` FROM vol_teams t JOIN units u ON u.id = t.unit_id`

func scanTeam(sc interface{ Scan(...any) error }) (*Team, error) {
	t := &Team{}
	return t, sc.Scan(&t.ID, &t.UnitID, &t.UnitName, &t.UnitPath, &t.Type, &t.Field, &t.Name, &t.Description, &t.FoundedOn, &t.Status, &t.CreatedAt, &t.Members)
}

func (s *Store) teamIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Team, error) {
	where, args := scope.Where("t.unit_path")
	t, err := scanTeam(q.QueryRow(ctx, `SELECT `+teamCols+teamFrom+` WHERE t.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(teamWord)
	}
	return t, apperr.Wrap(err)
}

// Team returns a team the actor may see.
func (s *Store) Team(ctx context.Context, actor *auth.Actor, id int64) (*Team, error) {
	return s.teamIn(ctx, s.db, actor.Scope(PermRead), id)
}

// TeamFilter selects teams.
type TeamFilter struct {
	Type    string
	Field   string
	UnderID int64
	Query   string
	Sort    string // "name" (default), "members", "type", "unit"
	Desc    bool
	Limit   int
	Offset  int
}

// ListTeams returns a page of the teams the actor may see and the total.
func (s *Store) ListTeams(ctx context.Context, actor *auth.Actor, f TeamFilter) ([]Team, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("t.unit_path")
	if f.Type != "" {
		where += " AND t.type = ?"
		args = append(args, f.Type)
	}
	if f.Field != "" {
		where += " AND t.field = ?"
		args = append(args, f.Field)
	}
	if f.UnderID != 0 {
		w, a, err := s.underUnit(ctx, scope, "t.unit_path", f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		where, args = where+w, append(args, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		where += ` AND t.name LIKE ? ESCAPE '\'`
		args = append(args, "%"+db.LikeEscape(q)+"%")
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM vol_teams t WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := map[string]string{"members": "12", "type": "t.type", "unit": "t.unit_path"}[f.Sort]
	if order == "" {
		order = "t.name"
	}
	if f.Desc {
		order += " DESC"
	}
	rows, err := s.db.Query(ctx, `SELECT `+teamCols+teamFrom+` WHERE `+where+` ORDER BY `+order+`, t.id`+page(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		out = append(out, *t)
	}
	return out, total, apperr.Wrap(rows.Err())
}

func clampLimit(n int) int {
	if n <= 0 || n > 100000 {
		return 50
	}
	return n
}

// page is the LIMIT and OFFSET clause of a listing's page, the limit
// clamped as clampLimit does.
func page(limit, offset int) string {
	return ` LIMIT ` + strconv.Itoa(clampLimit(limit)) + ` OFFSET ` + strconv.Itoa(max(offset, 0))
}

// underUnit is the condition that col lies in the subtree of unit id,
// which must be in scope (else not found), and its arguments.
func (s *Store) underUnit(ctx context.Context, scope auth.Scope, col string, id int64) (string, []any, error) {
	u, err := s.Orgs.UnitIn(ctx, s.db, scope, id)
	if err != nil {
		return "", nil, err
	}
	lo, hi := db.PrefixRange(u.Path)
	return " AND " + col + " >= ? AND " + col + " < ?", []any{lo, hi}, nil
}

// dayRange is the condition that col falls on the Shanghai days from
// through to (either may be empty, leaving that end open), and its
// arguments.
func dayRange(col string, from, to date.Date) (string, []any) {
	var where string
	var args []any
	if from != "" {
		where += " AND " + col + " >= ?"
		args = append(args, dayStart(from))
	}
	if to != "" {
		where += " AND " + col + " < ?"
		args = append(args, dayStart(to).AddDate(0, 0, 1))
	}
	return where, args
}

// dayStart is the UTC instant a Shanghai day starts.
func dayStart(d date.Date) time.Time {
	t := d.Time()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, date.Shanghai).UTC()
}

// CreateTeam adds a team at a unit in the actor's scope.
func (s *Store) CreateTeam(ctx context.Context, actor *auth.Actor, in TeamInput) (*Team, error) {
	founded, err := in.validate()
	if err != nil {
		return nil, err
	}
	var out *Team
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.unitIn(ctx, tx, actor.Scope(PermManage), "unit_id", in.UnitID, org.District, org.Street, org.Community, org.Area, org.Grid)
		if err != nil {
			return err
		}
		id, err := s.insertTeam(ctx, tx, u, in, founded)
		if err != nil {
			return err
		}
		if out, err = s.teamIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("vol_team.create", "vol_team", fmt.Sprint(id), map[string]any{"unit_id": u.ID, "type": in.Type, "name": in.Name}))
	})
	return out, err
}

func (s *Store) insertTeam(ctx context.Context, tx *db.Tx, u *org.Unit, in TeamInput, founded date.Date) (int64, error) {
	now := s.now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO vol_teams (unit_id, unit_path, type, field, name, description, founded_on, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id`, u.ID, u.Path, in.Type, in.Field, in.Name, in.Description, founded, now, now).Scan(&id)
	return id, apperr.Wrap(err)
}

// UpdateTeam changes a team's type, name and description (not its unit).
func (s *Store) UpdateTeam(ctx context.Context, actor *auth.Actor, id int64, in TeamInput) (*Team, error) {
	var out *Team
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.teamIn(ctx, tx, actor.Scope(PermManage), id)
		if err != nil {
			return err
		}
		in.UnitID = before.UnitID
		founded, err := in.validate()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_teams SET type = ?, field = ?, name = ?, description = ?, founded_on = ?, updated_at = ? WHERE id = ?`,
			in.Type, in.Field, in.Name, in.Description, founded, s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.teamIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("vol_team.update", "vol_team", fmt.Sprint(id), map[string]any{
			"type": [2]string{before.Type, out.Type}, "name": [2]string{before.Name, out.Name}}))
	})
	return out, err
}

// ---- Members

// Join adds a volunteer to a team from a day (today when empty).
func (s *Store) Join(ctx context.Context, actor *auth.Actor, teamID, volunteerID int64, on, role string) (*Member, error) {
	day, err := s.day("joined_on", on)
	if err != nil {
		return nil, err
	}
	if role == "" {
		role = "member"
	}
	if role != "member" && role != "leader" {
		return nil, apperr.FieldInvalid("role", "field.bad_choice")
	}
	var out *Member
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		t, err := s.teamIn(ctx, tx, actor.Scope(PermManage), teamID)
		if err != nil {
			return err
		}
		v, err := s.volunteerIn(ctx, tx, auth.Scope{All: true}, volunteerID)
		if err != nil {
			return apperr.Reword(err, apperr.FieldInvalid("volunteer_id", "vol.volunteer_not_found"))
		}
		// A team takes members from within its own area: a district team
		// from the whole district, a community team from the community's
		// street (neighbours help out).
		if !strings.HasPrefix(v.UnitPath, teamReach(t.UnitPath)) {
			return apperr.FieldInvalid("volunteer_id", "vol.volunteer_out_of_reach")
		}
		if v.Status != "active" {
			return apperr.New(apperr.Conflict, "vol.volunteer_inactive")
		}
		id, err := s.insertMember(ctx, tx, t, v.ID, role, day)
		if err != nil {
			return err
		}
		out = &Member{ID: id, TeamID: t.ID, TeamName: t.Name, TeamType: t.Type, VolunteerID: v.ID, VolunteerName: v.Name, Number: v.Number, Role: role, JoinedOn: day}
		return audit.Record(ctx, tx, actor.Entry("vol_team.join", "vol_team", fmt.Sprint(t.ID), map[string]any{"volunteer_id": v.ID, "on": day, "role": role}))
	})
	return out, err
}

// teamReach is the subtree a team draws members from: the street of a
// community (or lower) team, else the team's own unit.
func teamReach(teamPath string) string {
	ids := org.PathIDs(teamPath)
	if len(ids) > 2 {
		ids = ids[:2]
	}
	p := "/"
	for _, id := range ids {
		p = org.ChildPath(p, id)
	}
	return p
}

func (s *Store) insertMember(ctx context.Context, tx *db.Tx, t *Team, volunteerID int64, role string, day date.Date) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO vol_team_members (team_id, volunteer_id, unit_path, role, joined_on, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		t.ID, volunteerID, t.UnitPath, role, day, s.now()).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, apperr.New(apperr.Conflict, "vol.already_member")
	}
	return id, apperr.Wrap(err)
}

// Leave records the day a volunteer left a team.
func (s *Store) Leave(ctx context.Context, actor *auth.Actor, teamID, volunteerID int64, on string) error {
	day, err := s.day("left_on", on)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := s.teamIn(ctx, tx, actor.Scope(PermManage), teamID); err != nil {
			return err
		}
		var id int64
		var joined date.Date
		err := tx.QueryRow(ctx, `SELECT id, joined_on FROM vol_team_members WHERE team_id = ? AND volunteer_id = ? AND left_on IS NULL`, teamID, volunteerID).Scan(&id, &joined)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("队员")
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if day < joined {
			return apperr.FieldInvalid("left_on", "vol.left_before_joined", string(joined))
		}
		if _, err := tx.Exec(ctx, `UPDATE vol_team_members SET left_on = ? WHERE id = ?`, day, id); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("vol_team.leave", "vol_team", fmt.Sprint(teamID), map[string]any{"volunteer_id": volunteerID, "on": day}))
	})
}

// day reads an optional date field, today when empty; not in the future.
func (s *Store) day(field, on string) (date.Date, error) {
	d, err := date.Parse(on)
	if err != nil {
		return "", apperr.FieldInvalid(field, "field.bad_date")
	}
	today := date.Today(s.Now())
	if d == "" {
		return today, nil
	}
	if d.After(today) {
		return "", apperr.FieldInvalid(field, "vol.date_future")
	}
	return d, nil
}

// Members lists a team's members (with those who left, if asked).
func (s *Store) Members(ctx context.Context, actor *auth.Actor, teamID int64, withLeft bool, limit, offset int) ([]Member, int, error) {
	t, err := s.Team(ctx, actor, teamID)
	if err != nil {
		return nil, 0, err
	}
	where := "m.team_id = ?"
	if !withLeft {
		where += " AND m.left_on IS NULL"
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM vol_team_members m WHERE `+where, t.ID).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	out, err := s.queryMembers(ctx, where+` ORDER BY m.left_on IS NOT NULL, m.role <> 'leader', v.name, m.id`+page(limit, offset), t.ID)
	return out, total, err
}

func (s *Store) queryMembers(ctx context.Context, where string, args ...any) ([]Member, error) {
	rows, err := s.db.Query(ctx, `SELECT m.id, m.team_id, t.name, t.type, m.volunteer_id, v.name, v.number, m.role, m.joined_on, m.left_on
		FROM vol_team_members m JOIN vol_teams t ON t.id = m.team_id JOIN vol_volunteers v ON v.id = m.volunteer_id WHERE `+where, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.TeamID, &m.TeamName, &m.TeamType, &m.VolunteerID, &m.VolunteerName, &m.Number, &m.Role, &m.JoinedOn, &m.LeftOn); err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, m)
	}
	return out, apperr.Wrap(rows.Err())
}

// ---- Volunteers

const volunteerWord = "志愿者"

const volunteerCols = `v.id, v.unit_id, u.name, v.unit_path, v.number, COALESCE(v.resident_id, 0), COALESCE(v.user_id, 0), v.name, v.gender, v.birth_date,
	v.id_number_masked, v.phone_masked, v.skills, v.status, v.registered_on, v.created_at, COALESCE(a.id, 0), COALESCE(a.balance, 0)`

const volunteerFrom = ` FROM vol_volunteers v JOIN units u ON u.id = v.unit_id LEFT JOIN lb_accounts a ON a.kind = 'volunteer' AND a.owner_id = v.id`

func scanVolunteer(sc interface{ Scan(...any) error }, extra ...any) (*Volunteer, error) {
	v := &Volunteer{}
	var skills string
	err := sc.Scan(append([]any{&v.ID, &v.UnitID, &v.UnitName, &v.UnitPath, &v.Number, &v.ResidentID, &v.UserID, &v.Name, &v.Gender, &v.BirthDate,
		&v.IDNumber, &v.Phone, &skills, &v.Status, &v.RegisteredOn, &v.CreatedAt, &v.AccountID, &v.Balance}, extra...)...)
	v.Skills = splitList(skills)
	return v, err
}

func (s *Store) volunteerIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Volunteer, error) {
	where, args := scope.Where("v.unit_path")
	v, err := scanVolunteer(q.QueryRow(ctx, `SELECT `+volunteerCols+volunteerFrom+` WHERE v.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(volunteerWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return v, s.fillMinutes(ctx, q, v)
}

func (s *Store) fillMinutes(ctx context.Context, q db.Querier, v *Volunteer) error {
	return apperr.Wrap(q.QueryRow(ctx, `SELECT COALESCE(SUM(minutes), 0) FROM vol_signups WHERE volunteer_id = ? AND hours_status = 'verified'`, v.ID).Scan(&v.VerifiedMinutes))
}

// Volunteer returns a volunteer the actor may see, masked.
func (s *Store) Volunteer(ctx context.Context, actor *auth.Actor, id int64) (*Volunteer, error) {
	return s.volunteerIn(ctx, s.db, actor.Scope(PermRead), id)
}

// Me returns the volunteer linked to the actor's account.
func (s *Store) Me(ctx context.Context, actor *auth.Actor) (*Volunteer, error) {
	if actor == nil || actor.UserID == 0 || !actor.Has(PermSelf) {
		return nil, apperr.New(apperr.Forbidden, "vol.not_a_volunteer")
	}
	v, err := scanVolunteer(s.db.QueryRow(ctx, `SELECT `+volunteerCols+volunteerFrom+` WHERE v.user_id = ?`, actor.UserID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Forbidden, "vol.not_a_volunteer")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return v, s.fillMinutes(ctx, s.db, v)
}

// VolunteerFilter selects volunteers.
type VolunteerFilter struct {
	UnderID  int64
	TeamID   int64
	Name     string
	Skill    string
	IDNumber string // whole, through the blind index
	Phone    string // whole, through the blind index
	Sort     string // "name" (default), "number", "registered"
	Desc     bool
	Limit    int
	Offset   int
}

// ListVolunteers returns a page of the volunteers the actor may see,
// masked, and the total.
func (s *Store) ListVolunteers(ctx context.Context, actor *auth.Actor, f VolunteerFilter) ([]Volunteer, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("v.unit_path")
	if f.UnderID != 0 {
		w, a, err := s.underUnit(ctx, scope, "v.unit_path", f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		where, args = where+w, append(args, a...)
	}
	if f.TeamID != 0 {
		where += " AND v.id IN (SELECT volunteer_id FROM vol_team_members WHERE team_id = ? AND left_on IS NULL)"
		args = append(args, f.TeamID)
	}
	if q := strings.TrimSpace(f.Name); q != "" {
		where += ` AND (v.name LIKE ? ESCAPE '\' OR v.number = ?)`
		args = append(args, "%"+db.LikeEscape(q)+"%", strings.ToUpper(q))
	}
	if f.Skill != "" {
		if !Skills.Has(f.Skill) {
			return nil, 0, apperr.FieldInvalid("skill", "field.bad_choice")
		}
		where += ` AND (',' || v.skills || ',') LIKE ?`
		args = append(args, "%,"+f.Skill+",%")
	}
	if f.IDNumber != "" {
		where += " AND v.id_number_index = ?"
		args = append(args, s.Vault.Index("id_number", pii.NormalizeIDNumber(f.IDNumber)))
	}
	if f.Phone != "" {
		where += " AND v.phone_index = ?"
		args = append(args, s.Vault.Index("phone", pii.NormalizePhone(f.Phone)))
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM vol_volunteers v WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := map[string]string{"number": "v.number", "registered": "v.registered_on", "points": "a.balance", "hours": "19"}[f.Sort]
	if order == "" {
		order = "v.name"
	}
	if f.Desc {
		order += " DESC"
	}
	rows, err := s.db.Query(ctx, `SELECT `+volunteerCols+`, (SELECT COALESCE(SUM(g.minutes), 0) FROM vol_signups g WHERE g.volunteer_id = v.id AND g.hours_status = 'verified')`+
		volunteerFrom+` WHERE `+where+` ORDER BY `+order+`, v.id`+page(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Volunteer
	for rows.Next() {
		var minutes int64
		v, err := scanVolunteer(rows, &minutes)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		v.VerifiedMinutes = minutes
		out = append(out, *v)
	}
	return out, total, apperr.Wrap(rows.Err())
}

// CreateVolunteer registers a volunteer and opens their love bank account.
func (s *Store) CreateVolunteer(ctx context.Context, actor *auth.Actor, in VolunteerInput) (*Volunteer, error) {
	c, err := in.validate(s.Now())
	if err != nil {
		return nil, err
	}
	var out *Volunteer
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		var unit *org.Unit
		if c.ResidentID != 0 {
			r, err := s.People.Resident(ctx, actor, c.ResidentID)
			if err != nil {
				return apperr.Reword(err, apperr.FieldInvalid("resident_id", "vol.resident_not_found"))
			}
			if unit, err = s.communityOf(ctx, tx, r.UnitPath); err != nil {
				return err
			}
			if !actor.Scope(PermManage).Contains(unit.Path) {
				return apperr.FieldInvalid("resident_id", "vol.resident_not_found")
			}
			c.Name, c.Gender, c.birth = r.Name, r.Gender, r.BirthDate
			c.IDNumber, c.Phone = "", ""
		} else {
			u, err := s.unitIn(ctx, tx, actor.Scope(PermManage), "unit_id", c.UnitID, org.Community)
			if err != nil {
				return err
			}
			unit = u
		}
		var user *auth.User
		if c.UserID != 0 {
			if user, err = s.linkable(ctx, tx, unit.Path, 0, c.UserID); err != nil {
				return err
			}
		}
		id, err := s.insertVolunteer(ctx, tx, unit, c)
		if err != nil {
			return err
		}
		if out, err = s.volunteerIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("volunteer.create", "volunteer", fmt.Sprint(id), map[string]any{
			"unit_id": unit.ID, "resident_id": c.ResidentID, "name": out.Name, "id_number": out.IDNumber})); err != nil {
			return err
		}
		return s.auditLink(ctx, tx, actor, id, nil, user)
	})
	return out, err
}

// linkable returns the account userID if it may be linked to the
// volunteer record volunteerID (0 for a new one) at path: it holds the
// volunteer role at the record's community, above it or within it, and
// is linked to no other record. Accounts are asked of the account store,
// never read here.
func (s *Store) linkable(ctx context.Context, tx *db.Tx, path string, volunteerID, userID int64) (*auth.User, error) {
	u, err := s.Accounts.UserByID(ctx, tx, userID)
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.FieldInvalid("user_id", "vol.user_not_found")
	}
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(u.Grants, func(g auth.Grant) bool {
		return g.Role == RoleVolunteer && g.UnitPath != "" && (strings.HasPrefix(path, g.UnitPath) || strings.HasPrefix(g.UnitPath, path))
	}) {
		return nil, apperr.FieldInvalid("user_id", "vol.user_not_volunteer")
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vol_volunteers WHERE user_id = ? AND id <> ?`, userID, volunteerID).Scan(&n); err != nil {
		return nil, apperr.Wrap(err)
	}
	if n > 0 {
		return nil, apperr.FieldInvalid("user_id", "vol.user_linked")
	}
	return u, nil
}

// auditLink records that a volunteer record's account changed: the one it
// was linked to unlinked, the new one linked (either may be nil).
func (s *Store) auditLink(ctx context.Context, tx *db.Tx, actor *auth.Actor, volunteerID int64, from, to *auth.User) error {
	for _, c := range []struct {
		action string
		user   *auth.User
	}{{"volunteer.unlink", from}, {"volunteer.link", to}} {
		if c.user == nil {
			continue
		}
		if err := audit.Record(ctx, tx, actor.Entry(c.action, "volunteer", fmt.Sprint(volunteerID), map[string]any{
			"user_id": c.user.ID, "username": c.user.Username})); err != nil {
			return err
		}
	}
	return nil
}

// communityOf returns the community at or above the unit at path.
func (s *Store) communityOf(ctx context.Context, q db.Querier, path string) (*org.Unit, error) {
	ids := org.PathIDs(path)
	units, err := s.Orgs.UnitsByID(ctx, q, ids)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	for _, id := range ids {
		if units[id].Type == string(org.Community) {
			return s.Orgs.UnitIn(ctx, q, auth.Scope{All: true}, id)
		}
	}
	return nil, apperr.FieldInvalid("resident_id", "vol.no_community")
}

// insertVolunteer writes a checked volunteer with sealed personal fields,
// gives them their number and opens their account.
func (s *Store) insertVolunteer(ctx context.Context, tx *db.Tx, unit *org.Unit, c *checkedVolunteer) (int64, error) {
	var idn, ph sealed
	var err error
	if c.ResidentID == 0 {
		if idn, err = s.seal("vol_volunteers.id_number_sealed", "id_number", c.IDNumber, pii.MaskID); err != nil {
			return 0, apperr.Wrap(err)
		}
		if ph, err = s.seal("vol_volunteers.phone_sealed", "phone", c.Phone, pii.MaskPhone); err != nil {
			return 0, apperr.Wrap(err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM vol_volunteers WHERE id_number_index = ?`, idn.index).Scan(&n); err != nil {
			return 0, apperr.Wrap(err)
		}
		if n > 0 {
			return 0, apperr.FieldInvalid("id_number", "vol.duplicate_id", pii.MaskID(c.IDNumber))
		}
	}
	now := s.now()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO vol_volunteers (unit_id, unit_path, number, resident_id, user_id, name, gender, birth_date,
		id_number_sealed, id_number_index, id_number_masked, phone_sealed, phone_index, phone_masked, skills, status, registered_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?) RETURNING id`,
		unit.ID, unit.Path, "new:"+newCode(12), nullInt(c.ResidentID), nullInt(c.UserID), c.Name, c.Gender, c.birth,
		idn.text, idn.index, idn.masked, ph.text, ph.index, ph.masked, strings.Join(c.Skills, ","), c.registered, now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		if c.ResidentID != 0 {
			return 0, apperr.FieldInvalid("resident_id", "vol.resident_registered")
		}
		return 0, apperr.FieldInvalid("user_id", "vol.user_linked")
	}
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE vol_volunteers SET number = ? WHERE id = ?`, VolunteerNumber(unit.Code, id), id); err != nil {
		return 0, apperr.Wrap(err)
	}
	if _, err := s.Ledger.OpenAccount(ctx, tx, AccountVolunteer, id, unit.Path); err != nil {
		return 0, err
	}
	return id, nil
}

// VolunteerNumber is a volunteer's number: their district's code and
// their id, zero-padded.
func VolunteerNumber(unitCode string, id int64) string {
	d := unitCode
	if len(d) > 6 {
		d = d[:6]
	}
	return fmt.Sprintf("ZYZ%s%08d", d, id)
}

type sealed struct{ text, index, masked string }

func (s *Store) seal(column, kind, value string, mask func(string) string) (sealed, error) {
	if value == "" {
		return sealed{}, nil
	}
	text, err := s.Vault.Encrypt(column, value)
	if err != nil {
		return sealed{}, err
	}
	return sealed{text: text, index: s.Vault.Index(kind, value), masked: mask(value)}, nil
}

// VolunteerPatch changes a volunteer's skills, status, phone (for
// volunteers who are not residents) or linked account.
type VolunteerPatch struct {
	Skills *[]string
	Status *string
	Phone  *string
	UserID *int64 // 0 unlinks
}

// UpdateVolunteer applies a patch.
func (s *Store) UpdateVolunteer(ctx context.Context, actor *auth.Actor, id int64, p VolunteerPatch) (*Volunteer, error) {
	var out *Volunteer
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		v, err := s.volunteerIn(ctx, tx, actor.Scope(PermManage), id)
		if err != nil {
			return err
		}
		sets, args := []string{"updated_at = ?"}, []any{s.now()}
		detail := map[string]any{}
		var f apperr.Fields
		if p.Skills != nil {
			c, err := VolunteerInput{ResidentID: 1, Skills: *p.Skills}.validate(s.Now())
			if err != nil {
				return err
			}
			sets, args = append(sets, "skills = ?"), append(args, strings.Join(c.Skills, ","))
			detail["skills"] = c.Skills
		}
		if p.Status != nil {
			if *p.Status != "active" && *p.Status != "left" {
				f.Add("status", "field.bad_choice")
			}
			sets, args = append(sets, "status = ?"), append(args, *p.Status)
			detail["status"] = [2]string{v.Status, *p.Status}
		}
		if p.Phone != nil {
			phone := pii.NormalizePhone(*p.Phone)
			switch {
			case v.ResidentID != 0:
				f.Add("phone", "vol.phone_in_people")
			case phone != "" && pii.PhoneProblem(phone) != "":
				f.Add("phone", pii.PhoneProblem(phone))
			default:
				ph, err := s.seal("vol_volunteers.phone_sealed", "phone", phone, pii.MaskPhone)
				if err != nil {
					return apperr.Wrap(err)
				}
				sets, args = append(sets, "phone_sealed = ?", "phone_index = ?", "phone_masked = ?"), append(args, ph.text, ph.index, ph.masked)
				detail["phone_changed"] = true
			}
		}
		var unlinked, linked *auth.User
		if p.UserID != nil && *p.UserID != v.UserID {
			// Who could unlink their own record could then verify their
			// own hours, and who could link theirs to another's record
			// could spend that volunteer's points.
			if actor.UserID != 0 && (v.UserID == actor.UserID || *p.UserID == actor.UserID) {
				return apperr.New(apperr.Forbidden, "vol.own_link")
			}
			if *p.UserID != 0 {
				if linked, err = s.linkable(ctx, tx, v.UnitPath, v.ID, *p.UserID); err != nil {
					return err
				}
			}
			if v.UserID != 0 {
				if unlinked, err = s.Accounts.UserByID(ctx, tx, v.UserID); err != nil {
					return err
				}
			}
			sets, args = append(sets, "user_id = ?"), append(args, nullInt(*p.UserID))
		}
		if err := f.Err(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE vol_volunteers SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, id)...)
		if db.IsUniqueViolation(err) {
			return apperr.FieldInvalid("user_id", "vol.user_linked")
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.volunteerIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, actor.Entry("volunteer.update", "volunteer", fmt.Sprint(id), detail)); err != nil {
			return err
		}
		return s.auditLink(ctx, tx, actor, id, unlinked, linked)
	})
	return out, err
}
