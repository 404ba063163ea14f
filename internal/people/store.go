package people

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the people tables.
var Migrations = db.Migrations{Module: "people", FS: db.Sub(migrationFiles, "migrations")}

// PathTables are the tables that keep a copy of their unit's path.
var PathTables = []string{"households", "residents", "party_members", "service_registrations", "service_posts", "workers", "grid_staff"}

// Store keeps people.
type Store struct {
	db    *db.DB
	Orgs  *org.Store
	Vault *pii.Vault
	Now   func() time.Time
	// hours gives party members' feedback sheets their verified
	// volunteer hours (nil: none), as a module above sets it.
	hours HoursSource
}

// SetDB makes the store work on d from now on; tests use it to lose the
// connection of one module.
func (s *Store) SetDB(d *db.DB) { s.db = d }

// SetHoursSource makes h the source of members' verified volunteer hours.
func (s *Store) SetHoursSource(h HoursSource) { s.hours = h }

// NewStore returns the people store.
func NewStore(d *db.DB, orgs *org.Store, vault *pii.Vault) *Store {
	return &Store{db: d, Orgs: orgs, Vault: vault, Now: time.Now}
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// today is the district's day on the store's clock.
func (s *Store) today() date.Date { return date.Today(s.Now()) }

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

// DeleteGuards keep units that people still refer to from being deleted.
func (s *Store) DeleteGuards() []org.DeleteGuard {
	count := func(q string) func(context.Context, db.Querier, int64) (int, error) {
		return func(ctx context.Context, d db.Querier, id int64) (int, error) {
			var n int
			err := d.QueryRow(ctx, q, id).Scan(&n)
			return n, err
		}
	}
	return []org.DeleteGuard{
		{What: "people.in_use.households", Count: count(`SELECT COUNT(*) FROM households WHERE building_id = ?`)},
		{What: "people.in_use.staff", Count: count(`SELECT COUNT(*) FROM grid_staff WHERE grid_id = ?`)},
		{What: "people.in_use.workers", Count: count(`SELECT COUNT(*) FROM workers WHERE unit_id = ?`)},
		{What: "people.in_use.posts", Count: count(`SELECT COUNT(*) FROM service_posts WHERE community_id = ?`)},
	}
}

// sealed is a personal value ready to store: ciphertext, blind index and
// masked form.
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

// writableUnit reads a unit of one of the given types in the actor's write scope.
func (s *Store) writableUnit(ctx context.Context, q db.Querier, actor *auth.Actor, field string, id int64, types ...org.UnitType) (*org.Unit, error) {
	u, err := s.Orgs.UnitIn(ctx, q, actor.Scope(PermWrite), id)
	if err != nil {
		return nil, apperr.Reword(err, apperr.FieldInvalid(field, "people.unit_not_found"))
	}
	for _, t := range types {
		if u.Type == t {
			return u, nil
		}
	}
	return nil, apperr.FieldInvalid(field, "people.unit_wrong_type", types[0].Label())
}

// jsonText is v as JSON text, for the history's detail column (Go's %q
// is not JSON for control characters).
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("history detail: %v", err)) // maps of strings and numbers always marshal
	}
	return string(b)
}

func (s *Store) history(ctx context.Context, tx *db.Tx, actor *auth.Actor, householdID, residentID int64, kind string, detail string) error {
	_, err := tx.Exec(ctx, `INSERT INTO people_history (household_id, resident_id, at, actor, kind, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		nullID(householdID), nullID(residentID), s.now(), actor.Username, kind, detail)
	return err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const householdWord = "住户"

const householdCols = `h.id, h.building_id, b.name, b.code, h.unit_path, h.room, h.status, h.created_at`

func scanHousehold(sc interface{ Scan(...any) error }) (*Household, error) {
	h := &Household{}
	return h, sc.Scan(&h.ID, &h.BuildingID, &h.BuildingName, &h.BuildingCode, &h.UnitPath, &h.Room, &h.Status, &h.CreatedAt)
}

func (s *Store) householdIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Household, error) {
	where, args := scope.Where("h.unit_path")
	h, err := scanHousehold(q.QueryRow(ctx, `SELECT `+householdCols+` FROM households h JOIN units b ON b.id = h.building_id
		WHERE h.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(householdWord)
	}
	return h, apperr.Wrap(err)
}

// CreateHousehold adds a household in a building.
func (s *Store) CreateHousehold(ctx context.Context, actor *auth.Actor, buildingID int64, room string) (*Household, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	room = strings.TrimSpace(room)
	if len([]rune(room)) > 20 {
		return nil, apperr.FieldInvalid("room", "field.too_long", 20)
	}
	var out *Household
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		b, err := s.writableUnit(ctx, tx, actor, "building_id", buildingID, org.Building)
		if err != nil {
			return err
		}
		id, err := s.insertHousehold(ctx, tx, b, room)
		if err != nil {
			return err
		}
		if out, err = s.householdIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("household.create", "household", fmt.Sprint(id), map[string]any{"building_id": b.ID, "room": room}))
	})
	return out, err
}

func (s *Store) insertHousehold(ctx context.Context, tx *db.Tx, b *org.Unit, room string) (int64, error) {
	now := s.now()
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO households (building_id, unit_path, room, status, created_at, updated_at) VALUES (?, ?, ?, 'active', ?, ?) RETURNING id`,
		b.ID, b.Path, room, now, now).Scan(&id)
	return id, apperr.Wrap(err)
}

// Household returns a household with its members.
func (s *Store) Household(ctx context.Context, actor *auth.Actor, id int64) (*Household, error) {
	h, err := s.householdIn(ctx, s.db, actor.Scope(PermRead), id)
	if err != nil {
		return nil, err
	}
	members, _, err := s.ListResidents(ctx, actor, ResidentFilter{HouseholdID: id, AnyStatus: true, Limit: 100})
	h.Members = members
	return h, err
}

// HouseholdFilter selects households.
type HouseholdFilter struct {
	UnderID int64 // below this unit (a grid, a building ...)
	Limit   int
	Offset  int
}

// ListHouseholds returns a page of active households with their living
// members, ordered by building and room, and the total.
func (s *Store) ListHouseholds(ctx context.Context, actor *auth.Actor, f HouseholdFilter) ([]Household, int, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("h.unit_path")
	where += " AND h.status = 'active'"
	if f.UnderID != 0 {
		u, err := s.Orgs.UnitIn(ctx, s.db, scope, f.UnderID)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := db.PrefixRange(u.Path)
		where += " AND h.unit_path >= ? AND h.unit_path < ?"
		args = append(args, lo, hi)
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM households h WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	f.Limit = clampLimit(f.Limit)
	rows, err := s.db.Query(ctx, `SELECT `+householdCols+` FROM households h JOIN units b ON b.id = h.building_id WHERE `+where+
		` ORDER BY b.code, h.room, h.id LIMIT `+strconv.Itoa(f.Limit)+` OFFSET `+strconv.Itoa(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	var out []Household
	byID := map[int64]int{}
	for rows.Next() {
		h, err := scanHousehold(rows)
		if err != nil {
			rows.Close()
			return nil, 0, apperr.Wrap(err)
		}
		byID[h.ID] = len(out)
		out = append(out, *h)
	}
	rows.Close()
	if len(out) == 0 {
		return out, total, apperr.Wrap(rows.Err())
	}
	ids := make([]any, 0, len(out))
	for _, h := range out {
		ids = append(ids, h.ID)
	}
	members, err := s.queryResidents(ctx, s.db, `r.household_id IN (`+db.Placeholders(len(ids))+`) AND r.status = 'living'`, ids, "r.household_id, r.relation <> 'head', r.birth_date", 0, 0)
	if err != nil {
		return nil, 0, err
	}
	for _, m := range members {
		i := byID[m.HouseholdID]
		out[i].Members = append(out[i].Members, m)
	}
	return out, total, nil
}

func clampLimit(n int) int {
	if n <= 0 || n > 100000 {
		return 50
	}
	return n
}

// MoveHousehold moves a household, with its residents, to another building
// (or room); the move is kept in its history.
func (s *Store) MoveHousehold(ctx context.Context, actor *auth.Actor, id, buildingID int64, room string) (*Household, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	room = strings.TrimSpace(room)
	if len([]rune(room)) > 20 {
		return nil, apperr.FieldInvalid("room", "field.too_long", 20)
	}
	var out *Household
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.householdIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		b, err := s.writableUnit(ctx, tx, actor, "building_id", buildingID, org.Building)
		if err != nil {
			return err
		}
		now := s.now()
		if _, err := tx.Exec(ctx, `UPDATE households SET building_id = ?, unit_path = ?, room = ?, updated_at = ? WHERE id = ?`, b.ID, b.Path, room, now, id); err != nil {
			return apperr.Wrap(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE residents SET unit_path = ?, updated_at = ? WHERE household_id = ?`, b.Path, now, id); err != nil {
			return apperr.Wrap(err)
		}
		if _, err := tx.Exec(ctx, `UPDATE party_members SET unit_path = ? WHERE resident_id IN (SELECT id FROM residents WHERE household_id = ?)`, b.Path, id); err != nil {
			return apperr.Wrap(err)
		}
		detail := jsonText(map[string]any{"from": map[string]any{"building_id": h.BuildingID, "room": h.Room}, "to": map[string]any{"building_id": b.ID, "room": room}})
		if err := s.history(ctx, tx, actor, id, 0, "moved", detail); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.householdIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("household.move", "household", fmt.Sprint(id),
			map[string]any{"from": h.BuildingID, "to": b.ID, "room": room}))
	})
	return out, err
}

// HistoryEntry is one thing that happened to a household or resident.
type HistoryEntry struct {
	At     time.Time
	Actor  string
	Kind   string
	Detail string
}

// History returns what happened to a household and its residents, newest first.
func (s *Store) History(ctx context.Context, actor *auth.Actor, householdID int64) ([]HistoryEntry, error) {
	if _, err := s.householdIn(ctx, s.db, actor.Scope(PermRead), householdID); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT at, actor, kind, detail FROM people_history
		WHERE household_id = ? OR resident_id IN (SELECT id FROM residents WHERE household_id = ?) ORDER BY at DESC, id DESC`, householdID, householdID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var h HistoryEntry
		if err := rows.Scan(&h.At, &h.Actor, &h.Kind, &h.Detail); err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, h)
	}
	return out, apperr.Wrap(rows.Err())
}

const residentWord = "居民"

const residentCols = `r.id, r.household_id, r.unit_path, r.name, r.gender, r.birth_date, r.id_type, r.id_number_masked, r.phone_masked,
	r.ethnicity, r.residence, r.relation, r.status, r.status_on, r.created_at, r.updated_at, b.name, h.room`

const residentFrom = ` FROM residents r JOIN households h ON h.id = r.household_id JOIN units b ON b.id = h.building_id`

// queryResidents reads residents matching where, in order; limit 0 reads
// them all (the members of a page of households, however large a
// collective household is).
func (s *Store) queryResidents(ctx context.Context, q db.Querier, where string, args []any, order string, limit, offset int) ([]Resident, error) {
	page := ""
	if limit > 0 {
		page = ` LIMIT ` + strconv.Itoa(limit) + ` OFFSET ` + strconv.Itoa(offset)
	}
	rows, err := q.Query(ctx, `SELECT `+residentCols+residentFrom+` WHERE `+where+` ORDER BY `+order+page, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	var out []Resident
	for rows.Next() {
		var r Resident
		if err := rows.Scan(&r.ID, &r.HouseholdID, &r.UnitPath, &r.Name, &r.Gender, &r.BirthDate, &r.IDType, &r.IDNumber, &r.Phone,
			&r.Ethnicity, &r.Residence, &r.Relation, &r.Status, &r.StatusOn, &r.CreatedAt, &r.UpdatedAt, &r.BuildingName, &r.Room); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	return out, s.loadTags(ctx, q, out)
}

func (s *Store) loadTags(ctx context.Context, q db.Querier, rs []Resident) error {
	if len(rs) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(rs))
	ids := make([]any, 0, len(rs))
	for i, r := range rs {
		idx[r.ID] = i
		ids = append(ids, r.ID)
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := q.Query(ctx, `SELECT resident_id, tag FROM resident_tags WHERE resident_id IN (`+db.Placeholders(len(chunk))+`) ORDER BY tag`, chunk...)
		if err != nil {
			return apperr.Wrap(err)
		}
		for rows.Next() {
			var id int64
			var tag string
			if err := rows.Scan(&id, &tag); err != nil {
				rows.Close()
				return apperr.Wrap(err)
			}
			rs[idx[id]].Tags = append(rs[idx[id]].Tags, tag)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}

// ResidentFilter selects residents.
type ResidentFilter struct {
	UnderID     int64
	HouseholdID int64
	Name        string // part of the name
	Tag         string
	IDNumber    string // the whole number, found through the blind index
	Phone       string // the whole number, found through the blind index
	AnyStatus   bool   // include the dead and moved out
	Sort        string // "name", "age", "building" (default)
	Desc        bool
	Limit       int
	Offset      int
}

func (s *Store) residentWhere(ctx context.Context, actor *auth.Actor, f ResidentFilter) (string, []any, error) {
	scope := actor.Scope(PermRead)
	where, args := scope.Where("r.unit_path")
	if !f.AnyStatus {
		where += " AND r.status = 'living'"
	}
	if f.UnderID != 0 {
		u, err := s.Orgs.UnitIn(ctx, s.db, scope, f.UnderID)
		if err != nil {
			return "", nil, err
		}
		lo, hi := db.PrefixRange(u.Path)
		where += " AND r.unit_path >= ? AND r.unit_path < ?"
		args = append(args, lo, hi)
	}
	if f.HouseholdID != 0 {
		where += " AND r.household_id = ?"
		args = append(args, f.HouseholdID)
	}
	if q := strings.TrimSpace(f.Name); q != "" {
		where += ` AND r.name LIKE ? ESCAPE '\'`
		args = append(args, "%"+db.LikeEscape(q)+"%")
	}
	if f.Tag != "" {
		if !Tags.Has(f.Tag) {
			return "", nil, apperr.FieldInvalid("tag", "field.bad_choice")
		}
		where += " AND r.id IN (SELECT resident_id FROM resident_tags WHERE tag = ?)"
		args = append(args, f.Tag)
	}
	if f.IDNumber != "" {
		where += " AND r.id_number_index = ?"
		args = append(args, s.Vault.Index("id_number", pii.NormalizeIDNumber(f.IDNumber)))
	}
	if f.Phone != "" {
		where += " AND r.phone_index = ?"
		args = append(args, s.Vault.Index("phone", pii.NormalizePhone(f.Phone)))
	}
	return where, args, nil
}

// ListResidents returns a page of the residents the actor may see, masked,
// and how many match.
func (s *Store) ListResidents(ctx context.Context, actor *auth.Actor, f ResidentFilter) ([]Resident, int, error) {
	where, args, err := s.residentWhere(ctx, actor, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM residents r WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	order := map[string]string{"name": "r.name", "age": "r.birth_date"}[f.Sort]
	if order == "" {
		order = "b.code, h.room, r.household_id"
	}
	if f.Desc {
		order = strings.ReplaceAll(order, ",", " DESC,") + " DESC"
	}
	list, err := s.queryResidents(ctx, s.db, where, args, order+", r.id", clampLimit(f.Limit), max(f.Offset, 0))
	return list, total, err
}

func (s *Store) residentIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Resident, error) {
	where, args := scope.Where("r.unit_path")
	rows, err := s.queryResidents(ctx, q, "r.id = ? AND "+where, append([]any{id}, args...), "r.id", 1, 0)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, apperr.NotFoundf(residentWord)
	}
	return &rows[0], nil
}

// Resident returns a resident, masked.
func (s *Store) Resident(ctx context.Context, actor *auth.Actor, id int64) (*Resident, error) {
	return s.residentIn(ctx, s.db, actor.Scope(PermRead), id)
}

// CreateResident adds a resident to a household in the actor's scope.
func (s *Store) CreateResident(ctx context.Context, actor *auth.Actor, in ResidentInput) (*Resident, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	c, err := in.Validate(s.today())
	if err != nil {
		return nil, err
	}
	var out *Resident
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.householdIn(ctx, tx, actor.Scope(PermWrite), c.HouseholdID)
		if err != nil {
			return apperr.Reword(err, apperr.FieldInvalid("household_id", "people.household_not_found"))
		}
		id, err := s.insertResident(ctx, tx, h.UnitPath, c)
		if err != nil {
			return err
		}
		if out, err = s.residentIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("resident.create", "resident", fmt.Sprint(id),
			map[string]any{"household_id": h.ID, "name": c.Name, "id_number": out.IDNumber}))
	})
	return out, err
}

// ErrDuplicateID is the error for an identity number already on file.
func duplicateID(idNumber string) error {
	return apperr.FieldInvalid("id_number", "people.duplicate_id", pii.MaskID(idNumber))
}

// insertResident writes a validated resident: its identity number must not
// be on file already.
func (s *Store) insertResident(ctx context.Context, tx *db.Tx, path string, c *checkedResident) (int64, error) {
	idn, err := s.seal("residents.id_number_sealed", "id_number", c.IDNumber, pii.MaskID)
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	ph, err := s.seal("residents.phone_sealed", "phone", c.Phone, pii.MaskPhone)
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM residents WHERE id_number_index = ?`, idn.index).Scan(&n); err != nil {
		return 0, apperr.Wrap(err)
	}
	if n > 0 {
		return 0, duplicateID(c.IDNumber)
	}
	now := s.now()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO residents (household_id, unit_path, name, gender, birth_date, id_type, id_number_sealed, id_number_index, id_number_masked,
		phone_sealed, phone_index, phone_masked, ethnicity, residence, relation, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'living', ?, ?) RETURNING id`,
		c.HouseholdID, path, c.Name, c.Gender, c.birth, c.IDType, idn.text, idn.index, idn.masked,
		ph.text, ph.index, ph.masked, c.Ethnicity, c.Residence, c.Relation, now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, duplicateID(c.IDNumber) // written by another at the same moment
	}
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	return id, s.writeTags(ctx, tx, id, c.Tags, false)
}

// writeTags writes a resident's tags, replacing those on file if replace is set.
func (s *Store) writeTags(ctx context.Context, tx *db.Tx, id int64, tags []string, replace bool) error {
	if replace {
		if _, err := tx.Exec(ctx, `DELETE FROM resident_tags WHERE resident_id = ?`, id); err != nil {
			return apperr.Wrap(err)
		}
	}
	for _, t := range tags {
		if _, err := tx.Exec(ctx, `INSERT INTO resident_tags (resident_id, tag) VALUES (?, ?)`, id, t); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}

// UpdateResident replaces a resident's fields. An empty identity number or
// phone in the input keeps the one on file (the form shows them masked).
func (s *Store) UpdateResident(ctx context.Context, actor *auth.Actor, id int64, in ResidentInput) (*Resident, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	keepID := strings.TrimSpace(in.IDNumber) == ""
	c, err := in.validate(false, s.today())
	if err != nil {
		return nil, err
	}
	var out *Resident
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		before, err := s.residentIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if keepID && c.IDType != before.IDType {
			return apperr.FieldInvalid("id_type", "people.id_type_alone") // the number on file is of the old type
		}
		sets := []string{"name = ?", "gender = ?", "birth_date = ?", "ethnicity = ?", "residence = ?", "relation = ?", "updated_at = ?"}
		args := []any{c.Name, c.Gender, c.birth, c.Ethnicity, c.Residence, c.Relation, s.now()}
		if !keepID {
			idn, err := s.seal("residents.id_number_sealed", "id_number", c.IDNumber, pii.MaskID)
			if err != nil {
				return apperr.Wrap(err)
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM residents WHERE id_number_index = ? AND id <> ?`, idn.index, id).Scan(&n); err != nil {
				return apperr.Wrap(err)
			}
			if n > 0 {
				return duplicateID(c.IDNumber)
			}
			sets = append(sets, "id_type = ?", "id_number_sealed = ?", "id_number_index = ?", "id_number_masked = ?")
			args = append(args, c.IDType, idn.text, idn.index, idn.masked)
		}
		if c.Phone != "" {
			ph, err := s.seal("residents.phone_sealed", "phone", c.Phone, pii.MaskPhone)
			if err != nil {
				return apperr.Wrap(err)
			}
			sets = append(sets, "phone_sealed = ?", "phone_index = ?", "phone_masked = ?")
			args = append(args, ph.text, ph.index, ph.masked)
		}
		_, err = tx.Exec(ctx, `UPDATE residents SET `+strings.Join(sets, ", ")+` WHERE id = ?`, append(args, id)...)
		if db.IsUniqueViolation(err) {
			return duplicateID(c.IDNumber) // taken by another write at the same moment
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if err := s.writeTags(ctx, tx, id, c.Tags, true); err != nil {
			return err
		}
		if out, err = s.residentIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("resident.update", "resident", fmt.Sprint(id), map[string]any{
			"name": [2]string{before.Name, out.Name}, "id_number_changed": !keepID, "phone_changed": c.Phone != "",
			"tags": [2][]string{before.Tags, out.Tags}}))
	})
	return out, err
}

// SetResidentStatus records a death or a move out (or a return): the
// resident stays on file with the date, and the household's history keeps it.
func (s *Store) SetResidentStatus(ctx context.Context, actor *auth.Actor, id int64, status, on, note string) (*Resident, error) {
	if err := actor.Require(PermWrite); err != nil {
		return nil, err
	}
	var f apperr.Fields
	if !Statuses.Has(status) {
		f.Add("status", "field.bad_choice")
	}
	day, err := date.Parse(on)
	if err != nil {
		f.Add("status_on", "field.bad_date")
	} else if day == "" && status != "living" {
		f.Add("status_on", "field.required")
	}
	if len([]rune(note)) > 500 {
		f.Add("note", "field.too_long", 500)
	}
	var out *Resident
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		// A resident out of the actor's scope is not found, whatever the
		// request holds; only then is the request's input judged.
		r, err := s.residentIn(ctx, tx, actor.Scope(PermWrite), id)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE residents SET status = ?, status_on = ?, updated_at = ? WHERE id = ?`, status, day, s.now(), id); err != nil {
			return apperr.Wrap(err)
		}
		detail := jsonText(map[string]any{"from": r.Status, "to": status, "on": day, "note": note})
		if err := s.history(ctx, tx, actor, r.HouseholdID, id, "status", detail); err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.residentIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("resident.status", "resident", fmt.Sprint(id), map[string]any{"from": r.Status, "to": status, "on": day}))
	})
	return out, err
}

// Revealed is a resident's identity number and phone in full.
type Revealed struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// MinReasonLen is the shortest reason accepted for revealing a record.
const MinReasonLen = 4

// Reveal shows one resident's identity number and phone in full to an
// actor allowed to unmask, who gives a reason; the reveal is audited.
func (s *Store) Reveal(ctx context.Context, actor *auth.Actor, id int64, reason string) (*Revealed, error) {
	if !actor.Has(PermUnmask) {
		return nil, apperr.New(apperr.Forbidden, "people.no_unmask")
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < MinReasonLen {
		return nil, apperr.FieldInvalid("reason", "people.reason_required", MinReasonLen)
	}
	if len([]rune(reason)) > 200 {
		return nil, apperr.FieldInvalid("reason", "field.too_long", 200)
	}
	var out Revealed
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		where, args := actor.Scope(PermUnmask).Where("unit_path")
		var idSealed, phoneSealed string
		err := tx.QueryRow(ctx, `SELECT id_number_sealed, phone_sealed FROM residents WHERE id = ? AND `+where, append([]any{id}, args...)...).Scan(&idSealed, &phoneSealed)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf(residentWord)
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if out.IDNumber, err = s.Vault.Decrypt("residents.id_number_sealed", idSealed); err != nil {
			return apperr.Wrap(err)
		}
		if out.Phone, err = s.Vault.Decrypt("residents.phone_sealed", phoneSealed); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("resident.reveal", "resident", fmt.Sprint(id), map[string]any{"reason": reason}))
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// RecordExport audits an export of personal data: what, how many rows, with
// which filter.
func (s *Store) RecordExport(ctx context.Context, actor *auth.Actor, what string, rows int, filter any) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, actor.Entry("export."+what, what, "", map[string]any{"rows": rows, "filter": filter}))
	})
}
