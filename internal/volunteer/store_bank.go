package volunteer

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
)

const merchantWord = "商户"

const merchantCols = `m.id, m.unit_id, u.name, m.unit_path, m.name, m.address, m.contact, m.status, m.created_at, COALESCE(a.id, 0), COALESCE(a.balance, 0)`

const merchantFrom = ` FROM lb_merchants m JOIN units u ON u.id = m.unit_id LEFT JOIN lb_accounts a ON a.kind = 'merchant' AND a.owner_id = m.id`

func scanMerchant(sc interface{ Scan(...any) error }) (*Merchant, error) {
	m := &Merchant{}
	return m, sc.Scan(&m.ID, &m.UnitID, &m.UnitName, &m.UnitPath, &m.Name, &m.Address, &m.Contact, &m.Status, &m.CreatedAt, &m.AccountID, &m.Balance)
}

func (s *Store) merchantIn(ctx context.Context, q db.Querier, scope auth.Scope, id int64) (*Merchant, error) {
	where, args := scope.Where("m.unit_path")
	m, err := scanMerchant(q.QueryRow(ctx, `SELECT `+merchantCols+merchantFrom+` WHERE m.id = ? AND `+where, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf(merchantWord)
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return m, s.loadItems(ctx, q, m, false)
}

func (s *Store) loadItems(ctx context.Context, q db.Querier, m *Merchant, activeOnly bool) error {
	where := "merchant_id = ?"
	if activeOnly {
		where += " AND active"
	}
	rows, err := q.Query(ctx, `SELECT id, merchant_id, name, price, active FROM lb_items WHERE `+where+` ORDER BY active DESC, price, id`, m.ID)
	if err != nil {
		return apperr.Wrap(err)
	}
	defer rows.Close()
	m.Items = nil
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.ID, &it.MerchantID, &it.Name, &it.Price, &it.Active); err != nil {
			return apperr.Wrap(err)
		}
		m.Items = append(m.Items, it)
	}
	return apperr.Wrap(rows.Err())
}

// Merchant returns a merchant the actor may see: in their love bank scope,
// or the one they work at.
func (s *Store) Merchant(ctx context.Context, actor *auth.Actor, id int64) (*Merchant, error) {
	if mine, err := s.MyMerchant(ctx, actor); err == nil && mine.ID == id {
		return mine, nil
	}
	m, err := s.merchantIn(ctx, s.db, actor.Scope(PermBank), id)
	if err != nil {
		return nil, err
	}
	maskContact(actor, m)
	return m, nil
}

// maskContact masks the phone in a merchant's contact (a person's name and
// mobile) for a reader who neither runs the love bank's merchants nor the
// volunteer service: an auditor sees 139****0007.
func maskContact(actor *auth.Actor, m *Merchant) {
	if !actor.Has(PermBankAd) && !actor.Has(PermManage) {
		m.Contact = pii.MaskDigitRuns(m.Contact)
	}
}

// MyMerchant returns the merchant the actor works at as staff.
func (s *Store) MyMerchant(ctx context.Context, actor *auth.Actor) (*Merchant, error) {
	if actor == nil || actor.UserID == 0 || !actor.Has(PermRedeem) {
		return nil, apperr.New(apperr.Forbidden, "lb.not_staff")
	}
	var id int64
	err := s.db.QueryRow(ctx, `SELECT merchant_id FROM lb_merchant_staff WHERE user_id = ?`, actor.UserID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Forbidden, "lb.not_staff")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	m, err := s.merchantIn(ctx, s.db, auth.Scope{All: true}, id)
	if err != nil {
		return nil, err
	}
	// Staff act for the merchant only where their role reaches.
	if !actor.Scope(PermRedeem).Contains(m.UnitPath) {
		return nil, apperr.New(apperr.Forbidden, "lb.not_staff")
	}
	return m, nil
}

// ListMerchants returns the merchants in the actor's love bank scope.
func (s *Store) ListMerchants(ctx context.Context, actor *auth.Actor) ([]Merchant, error) {
	where, args := actor.Scope(PermBank).Where("m.unit_path")
	rows, err := s.db.Query(ctx, `SELECT `+merchantCols+merchantFrom+` WHERE `+where+` ORDER BY m.name, m.id LIMIT 1000`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Merchant
	for rows.Next() {
		m, err := scanMerchant(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		maskContact(actor, m)
		out = append(out, *m)
	}
	return out, apperr.Wrap(rows.Err())
}

// CreateMerchant adds a partner merchant at a unit and opens its account.
func (s *Store) CreateMerchant(ctx context.Context, actor *auth.Actor, in MerchantInput) (*Merchant, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out *Merchant
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		u, err := s.unitIn(ctx, tx, actor.Scope(PermBankAd), "unit_id", in.UnitID, org.District, org.Street, org.Community)
		if err != nil {
			return err
		}
		id, err := s.insertMerchant(ctx, tx, u, in)
		if err != nil {
			return err
		}
		if out, err = s.merchantIn(ctx, tx, auth.Scope{All: true}, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("merchant.create", "merchant", fmt.Sprint(id), map[string]any{"unit_id": u.ID, "name": in.Name}))
	})
	return out, err
}

func (s *Store) insertMerchant(ctx context.Context, tx *db.Tx, u *org.Unit, in MerchantInput) (int64, error) {
	now := s.now()
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO lb_merchants (unit_id, unit_path, name, address, contact, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id`, u.ID, u.Path, in.Name, in.Address, in.Contact, now, now).Scan(&id); err != nil {
		return 0, apperr.Wrap(err)
	}
	_, err := s.Ledger.OpenAccount(ctx, tx, AccountMerchant, id, u.Path)
	return id, err
}

// AddStaff links an account (by user name) to a merchant as its staff.
// The account must hold the merchant-staff role where the merchant is.
func (s *Store) AddStaff(ctx context.Context, actor *auth.Actor, merchantID int64, username string) error {
	username = strings.ToLower(strings.TrimSpace(username))
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := s.merchantIn(ctx, tx, actor.Scope(PermBankAd), merchantID)
		if err != nil {
			return err
		}
		user, err := s.Accounts.UserByName(ctx, tx, username)
		if apperr.CodeOf(err) == apperr.NotFound {
			return apperr.FieldInvalid("username", "vol.user_not_found")
		}
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(user.Grants, func(g auth.Grant) bool {
			return g.Role == RoleMerchantStaff && g.UnitPath != "" && strings.HasPrefix(m.UnitPath, g.UnitPath)
		}) {
			return apperr.FieldInvalid("username", "lb.staff_role_needed")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO lb_merchant_staff (merchant_id, user_id, created_at) VALUES (?, ?, ?)`, m.ID, user.ID, s.now()); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.FieldInvalid("username", "lb.staff_elsewhere")
			}
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("merchant.staff_add", "merchant", fmt.Sprint(m.ID), map[string]any{"user": username}))
	})
}

// Staff lists the user names of a merchant's staff.
func (s *Store) Staff(ctx context.Context, actor *auth.Actor, merchantID int64) ([]string, error) {
	m, err := s.Merchant(ctx, actor, merchantID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT user_id FROM lb_merchant_staff WHERE merchant_id = ?`, m.ID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, apperr.Wrap(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	// A shop has a few cashiers: each is asked of the account store.
	var out []string
	for _, id := range ids {
		u, err := s.Accounts.UserByID(ctx, s.db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u.Username)
	}
	slices.Sort(out)
	return out, nil
}

// AddItem adds an item to a merchant's list.
func (s *Store) AddItem(ctx context.Context, actor *auth.Actor, merchantID int64, in ItemInput) (*Item, error) {
	var out *Item
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		// Out of scope is not found, whatever the request holds.
		m, err := s.merchantIn(ctx, tx, actor.Scope(PermBankAd), merchantID)
		if err != nil {
			return err
		}
		price, err := in.validate()
		if err != nil {
			return err
		}
		it := &Item{MerchantID: m.ID, Name: in.Name, Price: price, Active: true}
		if err := tx.QueryRow(ctx, `INSERT INTO lb_items (merchant_id, name, price, active, created_at) VALUES (?, ?, ?, TRUE, ?) RETURNING id`,
			m.ID, in.Name, int64(price), s.now()).Scan(&it.ID); err != nil {
			return apperr.Wrap(err)
		}
		out = it
		return audit.Record(ctx, tx, actor.Entry("merchant.item_add", "merchant", fmt.Sprint(m.ID), map[string]any{"item": in.Name, "price": int64(price)}))
	})
	return out, err
}

// SetItemActive takes an item off a merchant's list, or puts it back.
func (s *Store) SetItemActive(ctx context.Context, actor *auth.Actor, merchantID, itemID int64, active bool) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := s.merchantIn(ctx, tx, actor.Scope(PermBankAd), merchantID)
		if err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE lb_items SET active = ? WHERE id = ? AND merchant_id = ?`, active, itemID, m.ID)
		if err != nil {
			return apperr.Wrap(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("兑换项目")
		}
		return audit.Record(ctx, tx, actor.Entry("merchant.item_active", "merchant", fmt.Sprint(m.ID), map[string]any{"item_id": itemID, "active": active}))
	})
}

// ---- Passes and redemptions

func hashCode(code string) string {
	h := sha256.Sum256([]byte("grassroots pass " + code))
	return hex.EncodeToString(h[:])
}

// NewPass makes a one-time code for the actor's volunteer to show a
// merchant. Only its hash is kept; it works once, for PassLifetime.
func (s *Store) NewPass(ctx context.Context, actor *auth.Actor) (*Pass, error) {
	me, err := s.Me(ctx, actor)
	if err != nil {
		return nil, err
	}
	if me.Status != "active" {
		return nil, apperr.New(apperr.Conflict, "vol.volunteer_inactive")
	}
	p := &Pass{Code: newCode(PassCodeLen), ExpiresAt: s.now().Add(PassLifetime)}
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO lb_passes (volunteer_id, code_hash, expires_at, created_at) VALUES (?, ?, ?, ?)`,
			me.ID, hashCode(p.Code), p.ExpiresAt, s.now()); err != nil {
			return apperr.Wrap(err)
		}
		return audit.Record(ctx, tx, actor.Entry("lovebank.pass", "volunteer", fmt.Sprint(me.ID), map[string]any{"expires_at": p.ExpiresAt}))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

const redemptionCols = `r.id, r.merchant_id, m.name, r.volunteer_id, v.name, COALESCE(r.item_id, 0), COALESCE(i.name, ''), r.quantity, r.amount, r.transfer_seq,
	r.status, COALESCE(r.settlement_id, 0), r.created_at`

const redemptionFrom = ` FROM lb_redemptions r JOIN lb_merchants m ON m.id = r.merchant_id JOIN vol_volunteers v ON v.id = r.volunteer_id LEFT JOIN lb_items i ON i.id = r.item_id`

func scanRedemption(sc interface{ Scan(...any) error }) (*Redemption, error) {
	r := &Redemption{}
	return r, sc.Scan(&r.ID, &r.MerchantID, &r.MerchantName, &r.VolunteerID, &r.VolunteerName, &r.ItemID, &r.ItemName, &r.Quantity, &r.Amount,
		&r.TransferSeq, &r.Status, &r.SettlementID, &r.CreatedAt)
}

func (s *Store) redemptionByKey(ctx context.Context, q db.Querier, key string) (*Redemption, error) {
	r, err := scanRedemption(q.QueryRow(ctx, `SELECT `+redemptionCols+redemptionFrom+` WHERE r.idem_key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, apperr.Wrap(err)
}

// Redeem spends a volunteer's points at the actor's merchant: the
// volunteer's one-time code, an item or an amount, and an idempotency
// key. A retry with the same key answers with the first redemption and
// charges nothing more. Refused, with nothing written: an unknown, used or
// expired code, and what JudgeRedemption refuses.
func (s *Store) Redeem(ctx context.Context, actor *auth.Actor, in RedeemInput) (*Redemption, error) {
	amount, err := in.validate()
	if err != nil {
		return nil, err
	}
	m, err := s.MyMerchant(ctx, actor)
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("redeem:%d:%s", m.ID, in.Key)
	replay := func() (*Redemption, error) {
		r, err := s.redemptionByKey(ctx, s.db, key)
		if r == nil || err != nil {
			return nil, err
		}
		if (in.ItemID != 0 && (r.ItemID != in.ItemID || r.Quantity != in.Quantity)) || (in.ItemID == 0 && (r.ItemID != 0 || r.Amount != amount)) {
			return nil, apperr.New(apperr.Conflict, "lb.key_reused")
		}
		// A retry carries the same volunteer's code: another volunteer's
		// code with a used key is a mistake, not a retry, and must not be
		// answered as paid.
		var passVolunteer int64
		err = s.db.QueryRow(ctx, `SELECT volunteer_id FROM lb_passes WHERE code_hash = ?`, hashCode(in.Code)).Scan(&passVolunteer)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Wrap(err)
		}
		if passVolunteer != r.VolunteerID {
			return nil, apperr.New(apperr.Conflict, "lb.key_reused")
		}
		r.Replayed = true
		if r.Balance, err = s.volunteerBalance(ctx, s.db, r.VolunteerID); err != nil {
			return nil, err
		}
		return r, nil
	}
	if r, err := replay(); r != nil || err != nil {
		return r, err
	}
	var out *Redemption
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		now := s.now()
		h := hashCode(in.Code)
		var passID, volunteerID int64
		err := tx.QueryRow(ctx, `UPDATE lb_passes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING id, volunteer_id`,
			now, h, now).Scan(&passID, &volunteerID)
		if errors.Is(err, sql.ErrNoRows) {
			var used sql.NullTime
			err := tx.QueryRow(ctx, `SELECT used_at FROM lb_passes WHERE code_hash = ?`, h).Scan(&used)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return apperr.Wrap(err)
			}
			return passRefusal(err == nil, used.Valid)
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		c := RedeemCase{Amount: amount, ItemID: in.ItemID, Quantity: in.Quantity, MerchantID: m.ID, MerchantPath: m.UnitPath}
		if in.ItemID != 0 {
			it := Item{ID: in.ItemID}
			err := tx.QueryRow(ctx, `SELECT merchant_id, name, price, active FROM lb_items WHERE id = ? AND merchant_id = ?`, in.ItemID, m.ID).
				Scan(&it.MerchantID, &it.Name, &it.Price, &it.Active)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return apperr.Wrap(err)
			}
			if err == nil {
				c.Item = &it
			}
		}
		var vacct int64
		var vname string
		if err := tx.QueryRow(ctx, `SELECT a.id, v.name, a.unit_path, a.balance FROM vol_volunteers v JOIN lb_accounts a ON a.kind = 'volunteer' AND a.owner_id = v.id WHERE v.id = ?`,
			volunteerID).Scan(&vacct, &vname, &c.VolunteerPath, &c.Balance); err != nil {
			return apperr.Wrap(err)
		}
		// The balance read here is the rule's; the ledger checks it again
		// as it moves the points, against redemptions running at once.
		cost, err := JudgeRedemption(c)
		if err != nil {
			return err
		}
		var itemID any
		if in.ItemID != 0 {
			itemID = in.ItemID
		}
		t, err := s.Ledger.Post(ctx, tx, actor, TransferInput{Kind: KindRedeem, Key: key, Memo: fmt.Sprintf("%s %s", m.Name, vname),
			Legs: []Leg{{vacct, -cost}, {m.AccountID, cost}}})
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO lb_redemptions (merchant_id, unit_path, volunteer_id, item_id, quantity, amount, transfer_seq, idem_key, staff_user_id, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', ?) RETURNING id`, m.ID, m.UnitPath, volunteerID, itemID, in.Quantity, int64(cost), t.Seq, key,
			nullInt(actor.UserID), now).Scan(&id); err != nil {
			return apperr.Wrap(err)
		}
		r, err := scanRedemption(tx.QueryRow(ctx, `SELECT `+redemptionCols+redemptionFrom+` WHERE r.id = ?`, id))
		if err != nil {
			return apperr.Wrap(err)
		}
		for _, mv := range t.Movements {
			if mv.AccountID == vacct {
				r.Balance = mv.BalanceAfter
			}
		}
		out = r
		return audit.Record(ctx, tx, actor.Entry("lovebank.redeem", "redemption", fmt.Sprint(id), map[string]any{
			"merchant_id": m.ID, "volunteer_id": volunteerID, "amount": int64(cost), "transfer": t.Seq, "pass": passID}))
	})
	if err != nil {
		// The same request may have been done meanwhile by a retry that
		// raced this one: then that is the answer.
		if r, rerr := replay(); r != nil {
			return r, nil
		} else if rerr != nil && !apperr.IsFault(rerr) {
			return nil, rerr
		}
		return nil, err
	}
	return out, nil
}

func (s *Store) volunteerBalance(ctx context.Context, q db.Querier, volunteerID int64) (Points, error) {
	var b int64
	err := q.QueryRow(ctx, `SELECT balance FROM lb_accounts WHERE kind = 'volunteer' AND owner_id = ?`, volunteerID).Scan(&b)
	return Points(b), apperr.Wrap(err)
}

// RedemptionFilter selects redemptions.
type RedemptionFilter struct {
	MerchantID int64
	From, To   date.Date
	Limit      int
	Offset     int
}

// Redemptions lists redemptions newest first: a merchant's (for its staff
// or the love bank's managers) or all in the actor's love bank scope, and
// the total.
func (s *Store) Redemptions(ctx context.Context, actor *auth.Actor, f RedemptionFilter) ([]Redemption, int, error) {
	var where string
	var args []any
	if f.MerchantID != 0 {
		m, err := s.Merchant(ctx, actor, f.MerchantID)
		if err != nil {
			return nil, 0, err
		}
		where, args = "r.merchant_id = ?", []any{m.ID}
	} else {
		where, args = actor.Scope(PermBank).Where("r.unit_path")
	}
	w, a := dayRange("r.created_at", f.From, f.To)
	where, args = where+w, append(args, a...)
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM lb_redemptions r WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	rows, err := s.db.Query(ctx, `SELECT `+redemptionCols+redemptionFrom+` WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC`+page(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Redemption
	for rows.Next() {
		r, err := scanRedemption(rows)
		if err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		out = append(out, *r)
	}
	return out, total, apperr.Wrap(rows.Err())
}

// ---- Settlements

// SettlementReport lists what a merchant is owed up to a day (today when
// empty): its redemptions not yet settled and not reversed.
func (s *Store) SettlementReport(ctx context.Context, actor *auth.Actor, merchantID int64, to date.Date) (*SettlementReport, error) {
	m, err := s.Merchant(ctx, actor, merchantID)
	if err != nil {
		return nil, err
	}
	return s.settlementReport(ctx, s.db, m, to)
}

func (s *Store) settlementReport(ctx context.Context, q db.Querier, m *Merchant, to date.Date) (*SettlementReport, error) {
	if to == "" {
		to = date.Today(s.Now())
	}
	rep := &SettlementReport{Merchant: *m, To: to}
	rows, err := q.Query(ctx, `SELECT `+redemptionCols+redemptionFrom+` WHERE r.merchant_id = ? AND r.status = 'done' AND r.settlement_id IS NULL AND r.created_at < ?
		ORDER BY r.created_at, r.id`, m.ID, dayStart(to).AddDate(0, 0, 1))
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRedemption(rows)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		rep.Redemptions = append(rep.Redemptions, *r)
		rep.Amount += r.Amount
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	if len(rep.Redemptions) > 0 {
		rep.From = date.Today(rep.Redemptions[0].CreatedAt)
	} else {
		rep.From = to
	}
	if rep.FenPerPoint, err = s.FenPerPoint(ctx, q, m.UnitPath); err != nil {
		return nil, err
	}
	rep.Fen = int64(rep.Amount) * rep.FenPerPoint / 100
	return rep, nil
}

// Settle settles a merchant's report up to a day: the merchant hands the
// points back to the bank (a settle transfer) and the redemptions are
// marked as settled; the bank pays the money outside the system.
func (s *Store) Settle(ctx context.Context, actor *auth.Actor, merchantID int64, to date.Date) (*Settlement, error) {
	var out *Settlement
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		m, err := s.merchantIn(ctx, tx, actor.Scope(PermBankAd), merchantID)
		if err != nil {
			return err
		}
		// Lock the merchant's account first: a redemption arriving now
		// waits, and the report below sees everything before it.
		if _, err := tx.Exec(ctx, `UPDATE lb_accounts SET balance = balance WHERE id = ?`, m.AccountID); err != nil {
			return apperr.Wrap(err)
		}
		rep, err := s.settlementReport(ctx, tx, m, to)
		if err != nil {
			return err
		}
		if rep.Amount == 0 {
			return apperr.New(apperr.Conflict, "lb.nothing_to_settle")
		}
		district := districtOf(m.UnitPath)
		bank, err := s.Ledger.OpenAccount(ctx, tx, AccountBank, district, org.ChildPath("/", district))
		if err != nil {
			return err
		}
		t, err := s.Ledger.Post(ctx, tx, actor, TransferInput{Kind: KindSettle, Memo: fmt.Sprintf("%s %s~%s", m.Name, rep.From, rep.To),
			Legs: []Leg{{m.AccountID, -rep.Amount}, {bank, rep.Amount}}})
		if err != nil {
			return err
		}
		st := &Settlement{MerchantID: m.ID, From: rep.From, To: rep.To, Redemptions: len(rep.Redemptions), Amount: rep.Amount, Fen: rep.Fen,
			TransferSeq: t.Seq, CreatedBy: actor.Username, CreatedAt: s.now()}
		if err := tx.QueryRow(ctx, `INSERT INTO lb_settlements (merchant_id, unit_path, period_from, period_to, redemptions, amount, fen, transfer_seq, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, m.ID, m.UnitPath, st.From, st.To, st.Redemptions, int64(st.Amount), st.Fen, t.Seq, st.CreatedBy, st.CreatedAt).Scan(&st.ID); err != nil {
			return apperr.Wrap(err)
		}
		ids := make([]any, 0, len(rep.Redemptions))
		for _, r := range rep.Redemptions {
			ids = append(ids, r.ID)
		}
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			res, err := tx.Exec(ctx, `UPDATE lb_redemptions SET settlement_id = ? WHERE status = 'done' AND settlement_id IS NULL AND id IN (`+db.Placeholders(len(chunk))+`)`,
				append([]any{st.ID}, chunk...)...)
			if err != nil {
				return apperr.Wrap(err)
			}
			// A redemption reversed or settled since the report was read
			// changes what is owed: nothing is settled.
			if n, _ := res.RowsAffected(); n != int64(len(chunk)) {
				return apperr.New(apperr.Conflict, "lb.settlement_changed")
			}
		}
		out = st
		return audit.Record(ctx, tx, actor.Entry("lovebank.settle", "merchant", fmt.Sprint(m.ID), map[string]any{
			"settlement": st.ID, "amount": int64(st.Amount), "fen": st.Fen, "redemptions": st.Redemptions, "transfer": t.Seq}))
	})
	return out, err
}

// Settlements lists a merchant's settlements, newest first.
func (s *Store) Settlements(ctx context.Context, actor *auth.Actor, merchantID int64) ([]Settlement, error) {
	m, err := s.Merchant(ctx, actor, merchantID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT id, merchant_id, period_from, period_to, redemptions, amount, fen, transfer_seq, created_by, created_at
		FROM lb_settlements WHERE merchant_id = ? AND reversed_by IS NULL ORDER BY created_at DESC, id DESC LIMIT 200`, m.ID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Settlement
	for rows.Next() {
		var st Settlement
		if err := rows.Scan(&st.ID, &st.MerchantID, &st.From, &st.To, &st.Redemptions, &st.Amount, &st.Fen, &st.TransferSeq, &st.CreatedBy, &st.CreatedAt); err != nil {
			return nil, apperr.Wrap(err)
		}
		out = append(out, st)
	}
	return out, apperr.Wrap(rows.Err())
}

// ---- Accounts and transfers

// accountsInScope is the condition that a transfer touches an account in
// scope.
func touchesScope(scope auth.Scope) (string, []any) {
	where, args := scope.Where("ac.unit_path")
	return `EXISTS (SELECT 1 FROM lb_movements mv JOIN lb_accounts ac ON ac.id = mv.account_id WHERE mv.transfer_seq = t.seq AND ` + where + `)`, args
}

// Transfer returns a transfer that moves an account in the actor's love
// bank scope, with its movements.
func (s *Store) Transfer(ctx context.Context, actor *auth.Actor, seq int64) (*Transfer, error) {
	where, args := touchesScope(actor.Scope(PermBank))
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM lb_transfers t WHERE t.seq = ? AND `+where, append([]any{seq}, args...)...).Scan(&n); err != nil {
		return nil, apperr.Wrap(err)
	}
	if n == 0 {
		return nil, apperr.NotFoundf("转账")
	}
	t, err := s.Ledger.transfer(ctx, s.db, seq)
	if err != nil {
		return nil, err
	}
	if err := s.hideOutside(ctx, actor.Scope(PermBank), []Transfer{*t}); err != nil {
		return nil, err
	}
	return t, nil
}

// hideOutside blanks the balance and owner of every movement of an
// account outside scope: a transfer that touches the reader's scope shows
// what moved, not the other side's balance.
func (s *Store) hideOutside(ctx context.Context, scope auth.Scope, ts []Transfer) error {
	if scope.All {
		return nil
	}
	var ids []any
	for _, t := range ts {
		for _, m := range t.Movements {
			ids = append(ids, m.AccountID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := s.db.Query(ctx, `SELECT id, unit_path FROM lb_accounts WHERE id IN (`+db.Placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return apperr.Wrap(err)
	}
	inside := map[int64]bool{}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return apperr.Wrap(err)
		}
		inside[id] = scope.Contains(path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return apperr.Wrap(err)
	}
	for i := range ts {
		for j := range ts[i].Movements {
			if m := &ts[i].Movements[j]; !inside[m.AccountID] {
				m.Hidden, m.BalanceAfter, m.Owner = true, 0, ""
			}
		}
	}
	return nil
}

// Transfers lists the latest transfers that move accounts in the actor's
// love bank scope (of one kind, if given).
func (s *Store) Transfers(ctx context.Context, actor *auth.Actor, kind string, limit, offset int) ([]Transfer, error) {
	where, args := touchesScope(actor.Scope(PermBank))
	if kind != "" {
		where += " AND t.kind = ?"
		args = append(args, kind)
	}
	rows, err := s.db.Query(ctx, `SELECT `+transferCols+` FROM lb_transfers t WHERE `+where+` ORDER BY t.seq DESC`+page(limit, offset), args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	var out []Transfer
	for rows.Next() {
		t, err := scanTransfer(rows)
		if err != nil {
			rows.Close()
			return nil, apperr.Wrap(err)
		}
		out = append(out, *t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	ids, err := s.loadMovements(ctx, out)
	if err != nil {
		return nil, err
	}
	names, err := s.accountOwners(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Movements {
			out[i].Movements[j].Owner = names[out[i].Movements[j].AccountID]
		}
	}
	return out, s.hideOutside(ctx, actor.Scope(PermBank), out)
}

// loadMovements reads the movements of transfers, in account order as
// the ledger reads them, a few hundred transfers a query, and returns the
// accounts they move.
func (s *Store) loadMovements(ctx context.Context, ts []Transfer) ([]int64, error) {
	const perQuery = 500
	bySeq := make(map[int64]*Transfer, len(ts))
	seqs := make([]any, len(ts))
	for i := range ts {
		bySeq[ts[i].Seq], seqs[i] = &ts[i], ts[i].Seq
	}
	var ids []int64
	for start := 0; start < len(seqs); start += perQuery {
		chunk := seqs[start:min(start+perQuery, len(seqs))]
		rows, err := s.db.Query(ctx, `SELECT id, transfer_seq, account_id, amount, balance_after FROM lb_movements
			WHERE transfer_seq IN (`+db.Placeholders(len(chunk))+`) ORDER BY transfer_seq, account_id`, chunk...)
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		for rows.Next() {
			var m Movement
			if err := rows.Scan(&m.ID, &m.TransferSeq, &m.AccountID, &m.Amount, &m.BalanceAfter); err != nil {
				rows.Close()
				return nil, apperr.Wrap(err)
			}
			t := bySeq[m.TransferSeq]
			t.Movements = append(t.Movements, m)
			ids = append(ids, m.AccountID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	return ids, nil
}

// ownerName is the SQL naming an account's owner (a lb_accounts row a).
const ownerName = `COALESCE(CASE a.kind WHEN 'volunteer' THEN (SELECT name FROM vol_volunteers WHERE id = a.owner_id)
	WHEN 'merchant' THEN (SELECT name FROM lb_merchants WHERE id = a.owner_id)
	ELSE (SELECT name FROM units WHERE id = a.owner_id) END, '')`

// accountOwners names the owners of accounts.
func (s *Store) accountOwners(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.Query(ctx, `SELECT a.id, `+ownerName+` FROM lb_accounts a WHERE a.id IN (`+db.Placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n string
		if err := rows.Scan(&id, &n); err != nil {
			return nil, apperr.Wrap(err)
		}
		out[id] = n
	}
	return out, apperr.Wrap(rows.Err())
}

// Account returns an account in the actor's love bank scope, or their own
// (a volunteer's, their merchant's).
func (s *Store) Account(ctx context.Context, actor *auth.Actor, id int64) (*Account, error) {
	a := &Account{}
	err := s.db.QueryRow(ctx, `SELECT a.id, a.kind, a.owner_id, a.unit_path, a.balance, `+ownerName+`
		FROM lb_accounts a WHERE a.id = ?`, id).Scan(&a.ID, &a.Kind, &a.OwnerID, &a.UnitPath, &a.Balance, &a.OwnerName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("账户")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	if actor.Scope(PermBank).Contains(a.UnitPath) {
		return a, nil
	}
	switch a.Kind {
	case AccountVolunteer:
		me, err := s.Me(ctx, actor)
		if err == nil && me.ID == a.OwnerID {
			return a, nil
		}
		if apperr.IsFault(err) {
			return nil, err
		}
	case AccountMerchant:
		m, err := s.MyMerchant(ctx, actor)
		if err == nil && m.ID == a.OwnerID {
			return a, nil
		}
		if apperr.IsFault(err) {
			return nil, err
		}
	}
	return nil, apperr.NotFoundf("账户")
}

// Statement returns an account's movements, newest first, and their count.
func (s *Store) Statement(ctx context.Context, actor *auth.Actor, accountID int64, limit, offset int) (*Account, []Movement, int, error) {
	a, err := s.Account(ctx, actor, accountID)
	if err != nil {
		return nil, nil, 0, err
	}
	ms, total, err := s.Ledger.Statement(ctx, s.db, a.ID, limit, offset)
	return a, ms, total, err
}

// BankAccount returns the bank account of the actor's district.
func (s *Store) BankAccount(ctx context.Context, actor *auth.Actor) (*Account, error) {
	path, err := s.actorDistrictPath(ctx, actor, PermBank)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.QueryRow(ctx, `SELECT id FROM lb_accounts WHERE kind = 'bank' AND owner_id = ?`, districtOf(path)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return &Account{Kind: AccountBank, OwnerID: districtOf(path), UnitPath: path}, nil
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	a, err := s.Account(ctx, actor, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		// The bank is the district's: a street sees its own part only.
		return &Account{Kind: AccountBank, OwnerID: districtOf(path)}, nil
	}
	return a, err
}

// Reverse undoes a transfer with a reversing one, with a reason, and
// undoes what it did: verified hours it paid stop counting (revoked), a
// redemption is marked reversed, a settlement's redemptions are open to
// settle again. Only who manages the love bank where every account it
// moved lies may.
func (s *Store) Reverse(ctx context.Context, actor *auth.Actor, seq int64, reason string) (*Transfer, error) {
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason); err != nil {
		return nil, err
	}
	var out *Transfer
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		orig, err := s.Ledger.transfer(ctx, tx, seq)
		if err != nil {
			return err
		}
		scope := actor.Scope(PermBankAd)
		for _, m := range orig.Movements {
			var path string
			if err := tx.QueryRow(ctx, `SELECT unit_path FROM lb_accounts WHERE id = ?`, m.AccountID).Scan(&path); err != nil {
				return apperr.Wrap(err)
			}
			if !scope.Contains(path) {
				return apperr.NotFoundf("转账")
			}
		}
		if orig.Kind == KindRedeem {
			var settled sql.NullInt64
			if err := tx.QueryRow(ctx, `SELECT settlement_id FROM lb_redemptions WHERE transfer_seq = ?`, seq).Scan(&settled); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return apperr.Wrap(err)
			}
			if settled.Valid {
				return apperr.New(apperr.Conflict, "lb.redemption_settled")
			}
		}
		t, err := s.Ledger.Reverse(ctx, tx, actor, seq, reason)
		if err != nil {
			return err
		}
		now := s.now()
		switch orig.Kind {
		case KindEarn, KindOpening:
			_, err = tx.Exec(ctx, `UPDATE vol_signups SET hours_status = 'revoked', reason = ?, updated_at = ? WHERE transfer_seq = ?`, reason, now, seq)
		case KindRedeem:
			// Settled since the check above (a settlement committed while
			// this waited for the merchant's account): the reversal is
			// refused and rolled back, never both.
			var res sql.Result
			if res, err = tx.Exec(ctx, `UPDATE lb_redemptions SET status = 'reversed' WHERE transfer_seq = ? AND settlement_id IS NULL`, seq); err == nil {
				if n, _ := res.RowsAffected(); n != 1 {
					return apperr.New(apperr.Conflict, "lb.redemption_settled")
				}
			}
		case KindSettle:
			var stID int64
			if err = tx.QueryRow(ctx, `SELECT id FROM lb_settlements WHERE transfer_seq = ?`, seq).Scan(&stID); err == nil {
				if _, err = tx.Exec(ctx, `UPDATE lb_settlements SET reversed_by = ? WHERE id = ?`, t.Seq, stID); err == nil {
					_, err = tx.Exec(ctx, `UPDATE lb_redemptions SET settlement_id = NULL WHERE settlement_id = ?`, stID)
				}
			}
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		out = t
		return audit.Record(ctx, tx, actor.Entry("lovebank.reverse", "transfer", fmt.Sprint(seq), map[string]any{"reversal": t.Seq, "reason": reason, "kind": orig.Kind}))
	})
	return out, err
}
