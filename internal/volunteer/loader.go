package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
)

// Loader writes a volunteer service's history in bulk, in one
// transaction, for the demo district and imports: teams, volunteers with
// their accounts, memberships, past activities and shifts, and services
// (sign-ups with their check-in, check-out and verification). Every row is
// checked by the same rules as a single write and personal fields are
// sealed the same way; every verified service is paid by its own earn
// transfer (or, for services verified before OpensAt, by its volunteer's
// opening transfer), numbered, balanced and hash-chained exactly as Post
// does (through a Batch). Rows get their ids here and are written with
// multi-row inserts when Flush is called; the load is audited once, by
// its caller.
type Loader struct {
	s     *Store
	tx    *db.Tx
	actor *auth.Actor
	batch *Batch
	now   time.Time
	ids   map[string]int64
	rows  map[string]*bulkRows
	order []string
	rates map[int64]Points
	banks map[int64]int64 // district -> bank account
	// Redemptions and settlements are written after the transfers they
	// point at.
	redemptions []*loadRedemption
	unsettled   map[int64][]*loadRedemption // by merchant
	settlements []any
	nsettle     int
	// OpensAt, when set, is when the ledger opened: services verified
	// before it are paid by one opening transfer per account (see Open).
	OpensAt  time.Time
	opened   bool
	openings map[int64]*opening
	// Counts of what was loaded, for the caller's audit entry.
	Teams, Volunteers, Members, Activities, Shifts, Services, Verified int
}

type bulkRows struct {
	cols   string
	width  int // the id and the columns
	per    int // rows per statement
	n      int
	chunks [][]any // each the arguments of one statement
}

// cell is where column col (0: the id) of row i sits.
func (r *bulkRows) cell(i, col int) *any {
	return &r.chunks[i/r.per][(i%r.per)*r.width+col]
}

// Loader returns a bulk loader writing in tx, acting as actor.
func (s *Store) Loader(ctx context.Context, tx *db.Tx, actor *auth.Actor) (*Loader, error) {
	l := &Loader{s: s, tx: tx, actor: actor, batch: s.Ledger.Batch(tx, actor), now: s.now(), ids: map[string]int64{}, rows: map[string]*bulkRows{},
		rates: map[int64]Points{}, banks: map[int64]int64{}, unsettled: map[int64][]*loadRedemption{}, openings: map[int64]*opening{}}
	l.batch.hold = true
	for _, t := range []string{"vol_teams", "vol_volunteers", "lb_accounts", "vol_team_members", "vol_activities", "vol_shifts", "vol_signups", "lb_redemptions", "lb_settlements"} {
		var max int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+t).Scan(&max); err != nil {
			return nil, apperr.Wrap(err)
		}
		l.ids[t] = max
	}
	return l, nil
}

// add buffers one row of table t and returns its id.
func (l *Loader) add(table, cols string, args ...any) int64 {
	l.ids[table]++
	id := l.ids[table]
	r, ok := l.rows[table]
	if !ok {
		width := len(args) + 1
		r = &bulkRows{cols: cols, width: width, per: 30000 / width}
		l.rows[table] = r
		l.order = append(l.order, table)
	}
	if r.n%r.per == 0 {
		r.chunks = append(r.chunks, make([]any, 0, r.per*r.width))
	}
	c := &r.chunks[len(r.chunks)-1]
	*c = append(append(*c, id), args...)
	r.n++
	return id
}

// Team adds a team at a unit.
func (l *Loader) Team(u *org.Unit, in TeamInput) (int64, error) {
	in.UnitID = u.ID
	founded, err := in.validate()
	if err != nil {
		return 0, err
	}
	l.Teams++
	return l.add("vol_teams", "unit_id, unit_path, type, field, name, description, founded_on, status, created_at, updated_at",
		u.ID, u.Path, in.Type, in.Field, in.Name, in.Description, founded, "active", l.now, l.now), nil
}

// Volunteer registers a volunteer at a community (or links a resident of
// it) and opens their account; it returns the volunteer's id and account.
// Identity numbers must be unique among what the loader is given.
func (l *Loader) Volunteer(community *org.Unit, in VolunteerInput) (int64, int64, error) {
	in.UnitID = community.ID
	c, err := in.validate(l.now)
	if err != nil {
		return 0, 0, err
	}
	var idn, ph sealed
	if c.ResidentID == 0 {
		if idn, err = l.s.seal("vol_volunteers.id_number_sealed", "id_number", c.IDNumber, pii.MaskID); err != nil {
			return 0, 0, apperr.Wrap(err)
		}
		if ph, err = l.s.seal("vol_volunteers.phone_sealed", "phone", c.Phone, pii.MaskPhone); err != nil {
			return 0, 0, apperr.Wrap(err)
		}
	}
	id, acct := l.addVolunteer(community, c, idn, ph)
	return id, acct, nil
}

// addVolunteer buffers a checked volunteer with their sealed fields and
// opens their account; it returns the volunteer's id and account.
func (l *Loader) addVolunteer(community *org.Unit, c *checkedVolunteer, idn, ph sealed) (int64, int64) {
	id := l.ids["vol_volunteers"] + 1
	l.add("vol_volunteers", `unit_id, unit_path, number, resident_id, user_id, name, gender, birth_date, id_number_sealed, id_number_index, id_number_masked,
		phone_sealed, phone_index, phone_masked, skills, status, registered_on, created_at, updated_at`,
		community.ID, community.Path, VolunteerNumber(community.Code, id), nullInt(c.ResidentID), nullInt(c.UserID), c.Name, c.Gender, c.birth,
		idn.text, idn.index, idn.masked, ph.text, ph.index, ph.masked, strings.Join(c.Skills, ","), "active", c.registered, l.now, l.now)
	acct := l.add("lb_accounts", "kind, owner_id, unit_path, balance, allow_negative, created_at", AccountVolunteer, id, community.Path, 0, false, l.now)
	l.batch.know(acct, 0, false)
	l.Volunteers++
	return id, acct
}

// Member puts a volunteer in a team from a day.
func (l *Loader) Member(teamID int64, teamPath string, volunteerID int64, role string, joined date.Date) {
	l.Members++
	l.add("vol_team_members", "team_id, volunteer_id, unit_path, role, joined_on, left_on, created_at", teamID, volunteerID, teamPath, role, joined, nil, l.now)
}

// Activity adds an activity (past or to come) with its shifts and returns
// its id and its shifts' ids.
func (l *Loader) Activity(unit *org.Unit, in ActivityInput) (int64, []int64, error) {
	in.UnitID = unit.ID
	if err := in.validate(time.Time{}); err != nil {
		return 0, nil, err
	}
	start, end := in.span()
	var lon, lat any
	if in.Lon != nil {
		lon, lat = *in.Lon, *in.Lat
	}
	id := l.add("vol_activities", `unit_id, unit_path, team_id, title, category, description, place, lon, lat, needs_approval, team_only, status,
		starts_at, ends_at, created_by, created_at, updated_at`, unit.ID, unit.Path, nullInt(in.TeamID), in.Title, in.Category, in.Description, in.Place,
		lon, lat, in.NeedsApproval, in.TeamOnly, "published", start, end, nil, start.Add(-7*24*time.Hour), l.now)
	var shifts []int64
	for _, sh := range in.Shifts {
		shifts = append(shifts, l.add("vol_shifts", "activity_id, unit_path, starts_at, ends_at, capacity, skills, in_code, out_code, created_at",
			id, unit.Path, sh.StartsAt, sh.EndsAt, sh.Capacity, strings.Join(sh.Skills, ","), newCode(8), newCode(8), start.Add(-7*24*time.Hour)))
		l.Shifts++
	}
	l.Activities++
	return id, shifts, nil
}

// ServiceRow is one volunteer's part in a shift, as the loader takes it.
type ServiceRow struct {
	ShiftID, ActivityID, TeamID int64
	UnitPath, Title             string
	StartsAt, EndsAt            time.Time
	VolunteerID, AccountID      int64
	Status                      string     // sign-up status; approved when empty
	In, Out                     *time.Time // check-in and check-out, if made
	Hours                       string     // "" (not checked out), pending, verified, rejected
	Reason                      string
	VerifiedBy                  int64
}

// Serve adds a sign-up with what became of it; a verified service earns
// its points at the district's rate through an earn transfer from the bank.
func (l *Loader) Serve(ctx context.Context, sv ServiceRow) error {
	if sv.Status == "" {
		sv.Status = SignupApproved
	}
	minutes := 0
	if sv.In != nil && sv.Out != nil {
		if !sv.Out.After(*sv.In) {
			return apperr.New(apperr.Invalid, "vol.out_before_in")
		}
		minutes = ServedMinutes(sv.StartsAt, sv.EndsAt, *sv.In, *sv.Out)
	}
	var points Points
	var seq int64
	var verifiedAt any
	if sv.Hours == HoursVerified {
		district := districtOf(sv.UnitPath)
		rate, ok := l.rates[district]
		if !ok {
			r, err := l.s.Rate(ctx, l.tx, sv.UnitPath)
			if err != nil {
				return err
			}
			rate, l.rates[district] = r, r
		}
		points = Earned(minutes, rate)
		at := sv.Out.Add(24 * time.Hour)
		if at.After(l.now) {
			at = l.now
		}
		verifiedAt = at
		if points > 0 && !l.OpensAt.IsZero() && !l.opened {
			// Earned before the ledger opened: paid by the account's
			// opening transfer when Open is called.
			o := l.openings[sv.AccountID]
			if o == nil {
				o = &opening{district: district}
				l.openings[sv.AccountID] = o
			}
			o.amount += points
			o.rows = append(o.rows, l.signupRow())
		} else if points > 0 {
			bank, err := l.bank(ctx, district)
			if err != nil {
				return err
			}
			seq, err = l.batch.Add(ctx, TransferInput{Kind: KindEarn, At: at, Memo: fmt.Sprintf("%s %s", sv.Title, date.Today(sv.StartsAt)),
				Legs: []Leg{{bank, -points}, {sv.AccountID, points}}})
			if err != nil {
				return err
			}
		}
		l.Verified++
	}
	var inHow, outHow string
	if sv.In != nil {
		inHow = ByQR
	}
	if sv.Out != nil {
		outHow = ByQR
	}
	l.add("vol_signups", `shift_id, activity_id, team_id, volunteer_id, unit_path, starts_at, ends_at, period, status, check_in_at, check_in_how,
		check_out_at, check_out_how, minutes, hours_status, reason, points, transfer_seq, verified_by, verified_at, created_at, updated_at`,
		sv.ShiftID, sv.ActivityID, nullInt(sv.TeamID), sv.VolunteerID, sv.UnitPath, sv.StartsAt, sv.EndsAt, Period(sv.StartsAt), sv.Status,
		sv.In, inHow, sv.Out, outHow, minutes, sv.Hours, sv.Reason, int64(points), nullInt(seq), nullInt(sv.VerifiedBy), verifiedAt,
		sv.StartsAt.Add(-48*time.Hour), l.now)
	l.Services++
	return nil
}

// opening is what an account earned before the ledger opened, and the
// places of the sign-ups it pays among the buffered arguments.
type opening struct {
	district int64
	amount   Points
	rows     []int
}

// signupRow is the index the sign-up about to be added will have.
func (l *Loader) signupRow() int {
	if r := l.rows["vol_signups"]; r != nil {
		return r.n
	}
	return 0
}

// signupSeqCol is the transfer_seq column of vol_signups (0: the id).
const signupSeqCol = 18

// Open opens the ledger at a moment of the load: every account that
// earned points for services verified before it gets one opening transfer
// from its district's bank (kind opening), and those services point at
// it. After Open, verified services are paid one earn transfer each, as
// live. A load that never sets OpensAt pays every service as it goes.
func (l *Loader) Open(ctx context.Context, at time.Time) error {
	if l.opened {
		return nil
	}
	l.opened = true
	accts := make([]int64, 0, len(l.openings))
	for a := range l.openings {
		accts = append(accts, a)
	}
	slices.Sort(accts)
	r := l.rows["vol_signups"]
	for _, a := range accts {
		o := l.openings[a]
		bank, err := l.bank(ctx, o.district)
		if err != nil {
			return err
		}
		seq, err := l.batch.Add(ctx, TransferInput{Kind: KindOpening, At: at, Memo: fmt.Sprintf("开通前已认定服务 %d 次", len(o.rows)),
			Legs: []Leg{{bank, -o.amount}, {a, o.amount}}})
		if err != nil {
			return err
		}
		for _, i := range o.rows {
			*r.cell(i, signupSeqCol) = seq
		}
	}
	l.openings = nil
	return nil
}

// Flush writes everything buffered, then the transfers, then the
// redemptions and settlements, and sets the engines' id counters past the
// ids given here. Accounts opened by the load are written with the
// balance their transfers leave.
func (l *Loader) Flush(ctx context.Context) error {
	if r, ok := l.rows["lb_accounts"]; ok {
		// id, kind, owner_id, unit_path, balance, allow_negative, created_at
		for i := 0; i < r.n; i++ {
			id := (*r.cell(i, 0)).(int64)
			if b, ok := l.batch.balances[id]; ok {
				*r.cell(i, 4) = int64(b)
				delete(l.batch.balances, id)
			}
		}
	}
	if err := l.writeRows(ctx); err != nil {
		return err
	}
	if err := l.batch.Flush(ctx); err != nil {
		return err
	}
	for _, r := range l.redemptions {
		l.add("lb_redemptions", "merchant_id, unit_path, volunteer_id, item_id, quantity, amount, transfer_seq, idem_key, staff_user_id, status, settlement_id, created_at",
			r.merchant, r.path, r.volunteer, nullInt(r.item), r.qty, int64(r.amount), r.seq, r.key, nil, "done", nullInt(r.settlement), r.at)
	}
	for i := 0; i < len(l.settlements); i += 10 {
		l.add("lb_settlements", "merchant_id, unit_path, period_from, period_to, redemptions, amount, fen, transfer_seq, created_by, created_at", l.settlements[i:i+10]...)
	}
	l.redemptions, l.settlements = nil, nil
	return l.writeRows(ctx)
}

func (l *Loader) writeRows(ctx context.Context) error {
	for _, table := range l.order {
		r := l.rows[table]
		row := "(" + db.Placeholders(r.width) + ")"
		for _, args := range r.chunks {
			n := len(args) / r.width
			var b strings.Builder
			b.WriteString(`INSERT INTO ` + table + ` (id, ` + r.cols + `) VALUES `)
			for i := range n {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(row)
			}
			if _, err := l.tx.Exec(ctx, b.String(), args...); err != nil {
				return apperr.Wrap(fmt.Errorf("%s: %w", table, err))
			}
		}
		if l.tx.Engine() == db.Postgres {
			if _, err := l.tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'), GREATEST(CAST(? AS BIGINT), 1))`, l.ids[table]); err != nil {
				return apperr.Wrap(err)
			}
		}
	}
	l.rows, l.order = map[string]*bulkRows{}, nil
	return nil
}

// ResidentVolunteer registers a resident of community as a volunteer,
// with what the record shows of them (their name, gender and birth date,
// which stay the resident record's), and opens their account.
func (l *Loader) ResidentVolunteer(community *org.Unit, residentID int64, name, gender string, birth date.Date, skills []string, registered date.Date) (int64, int64, error) {
	c, err := VolunteerInput{ResidentID: residentID, Skills: skills, RegisteredOn: string(registered)}.validate(l.now)
	if err != nil {
		return 0, 0, err
	}
	c.Name, c.Gender, c.birth = name, gender, birth
	id, acct := l.addVolunteer(community, c, sealed{}, sealed{})
	return id, acct, nil
}

type loadRedemption struct {
	merchant, volunteer, item, seq, settlement int64
	path, key                                  string
	qty                                        int
	amount                                     Points
	at                                         time.Time
}

// Balance is what an account holds at this point of the load.
func (l *Loader) Balance(account int64) Points { return l.batch.balances[account] }

// Redeem spends a volunteer's points on an item at a merchant at a moment
// of the load, if their balance covers it; it reports whether it did.
func (l *Loader) Redeem(ctx context.Context, merchantID, merchantAccount int64, merchantPath string, volunteerID, volunteerAccount int64, item Item, qty int, at time.Time) (bool, error) {
	amount := item.Price * Points(qty)
	if l.batch.balances[volunteerAccount] < amount {
		return false, nil
	}
	r := &loadRedemption{merchant: merchantID, volunteer: volunteerID, item: item.ID, path: merchantPath, qty: qty, amount: amount, at: at.UTC()}
	r.key = fmt.Sprintf("redeem:%d:load-%d", merchantID, len(l.redemptions)+1)
	seq, err := l.batch.Add(ctx, TransferInput{Kind: KindRedeem, Key: r.key, At: at, Memo: item.Name, Legs: []Leg{{volunteerAccount, -amount}, {merchantAccount, amount}}})
	if err != nil {
		return false, err
	}
	r.seq = seq
	l.redemptions = append(l.redemptions, r)
	l.unsettled[merchantID] = append(l.unsettled[merchantID], r)
	return true, nil
}

// Settle settles what a merchant took up to a moment of the load.
func (l *Loader) Settle(ctx context.Context, merchantID, merchantAccount int64, merchantPath string, at time.Time) error {
	open := l.unsettled[merchantID]
	if len(open) == 0 {
		return nil
	}
	var amount Points
	for _, r := range open {
		amount += r.amount
	}
	bank, err := l.bank(ctx, districtOf(merchantPath))
	if err != nil {
		return err
	}
	fen, err := l.s.FenPerPoint(ctx, l.tx, merchantPath)
	if err != nil {
		return err
	}
	from, to := date.Today(open[0].at), date.Today(at.Add(-24*time.Hour))
	seq, err := l.batch.Add(ctx, TransferInput{Kind: KindSettle, At: at, Memo: fmt.Sprintf("%s~%s", from, to), Legs: []Leg{{merchantAccount, -amount}, {bank, amount}}})
	if err != nil {
		return err
	}
	// add() numbers the settlements at Flush, in this order.
	l.nsettle++
	id := l.ids["lb_settlements"] + int64(l.nsettle)
	for _, r := range open {
		r.settlement = id
	}
	l.settlements = append(l.settlements, merchantID, merchantPath, from, to, len(open), int64(amount), int64(amount)*fen/100, seq, l.actor.Username, at.UTC())
	l.unsettled[merchantID] = nil
	return nil
}

// bank returns the bank account of a district, opening it in the load if
// it has none yet. Accounts take their ids from the load, so that none
// collides with those it gives.
func (l *Loader) bank(ctx context.Context, district int64) (int64, error) {
	if id, ok := l.banks[district]; ok {
		return id, nil
	}
	var id int64
	err := l.tx.QueryRow(ctx, `SELECT id FROM lb_accounts WHERE kind = 'bank' AND owner_id = ?`, district).Scan(&id)
	switch {
	case err == nil:
	case errors.Is(err, sql.ErrNoRows):
		id = l.add("lb_accounts", "kind, owner_id, unit_path, balance, allow_negative, created_at", AccountBank, district, org.ChildPath("/", district), 0, true, l.now)
		l.batch.know(id, 0, true)
	default:
		return 0, apperr.Wrap(err)
	}
	l.banks[district] = id
	return id, nil
}

// Merchant adds a merchant at a unit and opens its account in the load;
// it returns the merchant's id and account.
func (l *Loader) Merchant(ctx context.Context, u *org.Unit, in MerchantInput) (int64, int64, error) {
	in.UnitID = u.ID
	if err := in.validate(); err != nil {
		return 0, 0, err
	}
	var id int64
	if err := l.tx.QueryRow(ctx, `INSERT INTO lb_merchants (unit_id, unit_path, name, address, contact, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id`, u.ID, u.Path, in.Name, in.Address, in.Contact, l.now, l.now).Scan(&id); err != nil {
		return 0, 0, apperr.Wrap(err)
	}
	acct := l.add("lb_accounts", "kind, owner_id, unit_path, balance, allow_negative, created_at", AccountMerchant, id, u.Path, 0, false, l.now)
	l.batch.know(acct, 0, false)
	return id, acct, nil
}

// LoadItem adds an item to a merchant inside a bulk load's transaction.
func (s *Store) LoadItem(ctx context.Context, tx *db.Tx, merchantID int64, in ItemInput) (*Item, error) {
	price, err := in.validate()
	if err != nil {
		return nil, err
	}
	it := &Item{MerchantID: merchantID, Name: in.Name, Price: price, Active: true}
	err = tx.QueryRow(ctx, `INSERT INTO lb_items (merchant_id, name, price, active, created_at) VALUES (?, ?, ?, TRUE, ?) RETURNING id`,
		merchantID, in.Name, int64(price), s.now()).Scan(&it.ID)
	return it, apperr.Wrap(err)
}

// NameOf returns a volunteer's name, unscoped, for loads.
func (s *Store) NameOf(ctx context.Context, q db.Querier, volunteerID int64) string {
	var n string
	_ = q.QueryRow(ctx, `SELECT name FROM vol_volunteers WHERE id = ?`, volunteerID).Scan(&n)
	return n
}

// LinkUser links an account to a volunteer inside a load's transaction.
func (s *Store) LinkUser(ctx context.Context, tx *db.Tx, volunteerID, userID int64) error {
	_, err := tx.Exec(ctx, `UPDATE vol_volunteers SET user_id = ? WHERE id = ?`, userID, volunteerID)
	return apperr.Wrap(err)
}

// LinkStaff makes an account a merchant's staff inside a load's transaction.
func (s *Store) LinkStaff(ctx context.Context, tx *db.Tx, merchantID, userID int64) error {
	_, err := tx.Exec(ctx, `INSERT INTO lb_merchant_staff (merchant_id, user_id, created_at) VALUES (?, ?, ?)`, merchantID, userID, s.now())
	return apperr.Wrap(err)
}
