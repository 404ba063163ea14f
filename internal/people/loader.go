package people

import (
	"context"

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
	c, err := in.Validate()
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

// Register records an in-service member's report to a community.
func (l *Loader) Register(ctx context.Context, memberID int64, community *org.Unit, on string) error {
	_, err := l.tx.Exec(ctx, `INSERT INTO service_registrations (party_member_id, community_id, unit_path, registered_on, created_at) VALUES (?, ?, ?, ?, ?)`,
		memberID, community.ID, community.Path, on, l.s.now())
	return apperr.Wrap(err)
}

// Worker adds a community worker at a community or street.
func (l *Loader) Worker(ctx context.Context, unit *org.Unit, in WorkerInput) (int64, error) {
	birth, hired, err := in.validate()
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
