package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
)

// Loader writes many people in one transaction for bulk loads (imports, the
// demo district): each row is checked by the same rules as a single write
// and sealed the same way, but the load is audited once, by its caller.
type Loader struct {
	s  *Store
	tx *db.Tx
}

// Loader returns a bulk loader writing in tx.
func (s *Store) Loader(tx *db.Tx) *Loader { return &Loader{s: s, tx: tx} }

// Household adds a household in a building.
func (l *Loader) Household(ctx context.Context, building *org.Unit, room string) (int64, error) {
	if building.Type != org.Building {
		return 0, apperr.FieldInvalid("building_id", "people.unit_wrong_type", org.Building.Label())
	}
	return l.s.insertHousehold(ctx, l.tx, building, room)
}

// Resident adds a resident to a household whose unit path is given.
func (l *Loader) Resident(ctx context.Context, path string, in ResidentInput) (int64, error) {
	c, err := in.Validate(l.s.today())
	if err != nil {
		return 0, err
	}
	return l.s.insertResident(ctx, l.tx, path, c)
}

// PartyMember records a resident (living at path) as a party member.
func (l *Loader) PartyMember(ctx context.Context, path string, in PartyMemberInput) (int64, error) {
	joined, err := in.validate()
	if err != nil {
		return 0, err
	}
	return l.s.insertMember(ctx, l.tx, path, in, joined)
}

// Register records an in-service member's report to a community: the
// member must be in service and the community the one above their home.
func (l *Loader) Register(ctx context.Context, memberID int64, community *org.Unit, on string) error {
	var inService bool
	var path string
	if err := l.tx.QueryRow(ctx, `SELECT in_service, unit_path FROM party_members WHERE id = ?`, memberID).Scan(&inService, &path); err != nil {
		return apperr.Wrap(err)
	}
	if !inService {
		return apperr.New(apperr.Conflict, "people.not_in_service")
	}
	if community.Type != org.Community || !strings.HasPrefix(path, community.Path) {
		return apperr.FieldInvalid("community_id", "people.unit_wrong_type", org.Community.Label())
	}
	_, err := l.tx.Exec(ctx, `INSERT INTO service_registrations (party_member_id, community_id, unit_path, registered_on, created_at) VALUES (?, ?, ?, ?, ?)`,
		memberID, community.ID, community.Path, on, l.s.now())
	return apperr.Wrap(err)
}

// Worker adds a community worker at a community or street.
func (l *Loader) Worker(ctx context.Context, unit *org.Unit, in WorkerInput) (int64, error) {
	birth, hired, err := in.validate(l.s.today())
	if err != nil {
		return 0, err
	}
	idn, err := l.s.seal("workers.id_number_sealed", "id_number", in.IDNumber, pii.MaskID)
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	ph, err := l.s.seal("workers.phone_sealed", "phone", in.Phone, pii.MaskPhone)
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	return l.s.insertWorker(ctx, l.tx, unit, in, birth, hired, idn, ph)
}

// GridStaff adds one of a grid's staff.
func (l *Loader) GridStaff(ctx context.Context, grid *org.Unit, in GridStaffInput) (int64, error) {
	since, err := in.validate()
	if err != nil {
		return 0, err
	}
	if err := l.s.checkStaffBuildings(ctx, l.tx, grid, in.Buildings); err != nil {
		return 0, err
	}
	ph, err := l.s.seal("grid_staff.phone_sealed", "phone", in.Phone, pii.MaskPhone)
	if err != nil {
		return 0, apperr.Wrap(err)
	}
	return l.s.insertStaff(ctx, l.tx, grid, in, since, ph)
}

// Post adds a post to a community's needs list and returns its id.
func (l *Loader) Post(ctx context.Context, community *org.Unit, in PostInput) (int64, error) {
	if err := in.validate(); err != nil {
		return 0, err
	}
	var id int64
	err := l.tx.QueryRow(ctx, `INSERT INTO service_posts (community_id, unit_path, category, title, description, slots, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'open', ?) RETURNING id`, community.ID, community.Path, in.Category, in.Title, in.Description, in.Slots, l.s.now()).Scan(&id)
	return id, apperr.Wrap(err)
}

// NewResident is a resident to add in a batch: the input and the unit path
// of its household.
type NewResident struct {
	Path  string
	Input ResidentInput
}

// residentBatch is how many residents one INSERT statement writes.
const residentBatch = 200

// RowError is an error about one row of a batch: Index is its place in the
// rows given.
type RowError struct {
	Index int
	Err   error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Index, e.Err) }

func (e *RowError) Unwrap() error { return e.Err }

// Residents adds many residents, checked one by one by the same rules as
// Resident, but written in multi-row statements: a bulk load of tens of
// thousands of people takes seconds, not minutes. It returns their ids in
// the order given. The first invalid or duplicate row stops the load with a
// *RowError naming it.
func (l *Loader) Residents(ctx context.Context, rows []NewResident) ([]int64, error) {
	ids := make([]int64, 0, len(rows))
	for start := 0; start < len(rows); start += residentBatch {
		batch, err := l.residentBatch(ctx, rows[start:min(start+residentBatch, len(rows))])
		var re *RowError
		if errors.As(err, &re) {
			re.Index += start
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, batch...)
	}
	return ids, nil
}

func (l *Loader) residentBatch(ctx context.Context, rows []NewResident) ([]int64, error) {
	type prepared struct {
		c       *checkedResident
		path    string
		idn, ph sealed
	}
	list := make([]prepared, len(rows))
	indexes := make([]any, len(rows))
	seen := make(map[string]bool, len(rows))
	today := l.s.today()
	for i, r := range rows {
		c, err := r.Input.Validate(today)
		if err != nil {
			return nil, &RowError{Index: i, Err: err}
		}
		idn, err := l.s.seal("residents.id_number_sealed", "id_number", c.IDNumber, pii.MaskID)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		ph, err := l.s.seal("residents.phone_sealed", "phone", c.Phone, pii.MaskPhone)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		if seen[idn.index] {
			return nil, &RowError{Index: i, Err: duplicateID(c.IDNumber)}
		}
		seen[idn.index] = true
		list[i] = prepared{c: c, path: r.Path, idn: idn, ph: ph}
		indexes[i] = idn.index
	}
	var dup string
	err := l.tx.QueryRow(ctx, `SELECT id_number_index FROM residents WHERE id_number_index IN (`+db.Placeholders(len(indexes))+`) LIMIT 1`, indexes...).Scan(&dup)
	if err == nil {
		for i, p := range list {
			if p.idn.index == dup {
				return nil, &RowError{Index: i, Err: duplicateID(p.c.IDNumber)}
			}
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.Wrap(err)
	}
	now := l.s.now()
	const cols = 17
	args := make([]any, 0, cols*len(list))
	values := make([]string, len(list))
	for i, p := range list {
		c := p.c
		values[i] = "(" + db.Placeholders(cols) + ")"
		args = append(args, c.HouseholdID, p.path, c.Name, c.Gender, c.birth, c.IDType, p.idn.text, p.idn.index, p.idn.masked,
			p.ph.text, p.ph.index, p.ph.masked, c.Ethnicity, c.Residence, c.Relation, now, now)
	}
	rs, err := l.tx.Query(ctx, `INSERT INTO residents (household_id, unit_path, name, gender, birth_date, id_type, id_number_sealed, id_number_index, id_number_masked,
		phone_sealed, phone_index, phone_masked, ethnicity, residence, relation, created_at, updated_at)
		VALUES `+strings.Join(values, ", ")+` RETURNING id, id_number_index`, args...)
	if db.IsUniqueViolation(err) {
		// Checked above; another write took one of these numbers since.
		return nil, apperr.New(apperr.Conflict, "people.id_taken_meanwhile")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	// Neither engine promises RETURNING rows in VALUES order: each row is
	// matched back through its identity number's index, unique in the batch.
	byIndex := make(map[string]int64, len(list))
	for rs.Next() {
		var id int64
		var index string
		if err := rs.Scan(&id, &index); err != nil {
			rs.Close()
			return nil, apperr.Wrap(err)
		}
		byIndex[index] = id
	}
	rs.Close()
	if err := rs.Err(); db.IsUniqueViolation(err) {
		return nil, apperr.New(apperr.Conflict, "people.id_taken_meanwhile")
	} else if err != nil {
		return nil, apperr.Wrap(err)
	}
	ids := make([]int64, len(list))
	var tagValues []string
	var tagArgs []any
	for i, p := range list {
		ids[i] = byIndex[p.idn.index]
		for _, t := range p.c.Tags {
			tagValues = append(tagValues, "(?, ?)")
			tagArgs = append(tagArgs, ids[i], t)
		}
	}
	if len(tagValues) > 0 {
		if _, err := l.tx.Exec(ctx, `INSERT INTO resident_tags (resident_id, tag) VALUES `+strings.Join(tagValues, ", "), tagArgs...); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	return ids, nil
}
