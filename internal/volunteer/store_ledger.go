package volunteer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// Ledger posts transfers and checks the ledger. It writes inside the
// caller's transaction, so that a transfer commits with what caused it
// (a verification, a redemption, a settlement) or not at all.
type Ledger struct {
	Now func() time.Time
}

func (l *Ledger) now() time.Time {
	if l.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return l.Now().UTC().Truncate(time.Microsecond)
}

// errKeyTaken is the error for a transfer whose idempotency key was used.
var errKeyTaken = apperr.New(apperr.Conflict, "lb.key_used")

// Post writes a transfer in tx: it moves every account's balance (refusing
// to take one below zero unless its kind allows), then numbers and chains
// the transfer and writes its movements.
func (l *Ledger) Post(ctx context.Context, tx *db.Tx, actor *auth.Actor, in TransferInput) (*Transfer, error) {
	legs, err := checkLegs(in.Legs)
	if err != nil {
		return nil, err
	}
	if !TransferKinds.Has(in.Kind) {
		return nil, apperr.FieldInvalid("kind", "field.bad_choice")
	}
	t := &Transfer{Kind: in.Kind, Reverses: in.Reverses, Key: in.Key, Memo: in.Memo, At: in.At.UTC().Truncate(time.Microsecond)}
	if t.At.IsZero() {
		t.At = l.now()
	}
	if actor != nil {
		t.ActorID, t.Actor = actor.UserID, actor.Username
	}
	if in.Key != "" {
		var seq int64
		err := tx.QueryRow(ctx, `SELECT seq FROM lb_transfers WHERE idem_key = ?`, in.Key).Scan(&seq)
		if err == nil {
			return nil, errKeyTaken
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, apperr.Wrap(err)
		}
	}
	// The balance check is in the UPDATE, so it holds however many
	// transfers run at once: each waits for the row lock and sees the
	// balance the one before it left.
	for _, leg := range legs {
		var bal int64
		err := tx.QueryRow(ctx, `UPDATE lb_accounts SET balance = balance + ? WHERE id = ? AND (allow_negative OR balance + ? >= 0) RETURNING balance`,
			int64(leg.Amount), leg.Account, int64(leg.Amount)).Scan(&bal)
		if errors.Is(err, sql.ErrNoRows) {
			var have int64
			if err := tx.QueryRow(ctx, `SELECT balance FROM lb_accounts WHERE id = ?`, leg.Account).Scan(&have); errors.Is(err, sql.ErrNoRows) {
				return nil, apperr.NotFoundf("账户")
			} else if err != nil {
				return nil, apperr.Wrap(err)
			}
			return nil, apperr.New(apperr.Conflict, "lb.insufficient", Points(have).String(), (-leg.Amount).String())
		}
		if err != nil {
			return nil, apperr.Wrap(err)
		}
		t.Movements = append(t.Movements, Movement{AccountID: leg.Account, Amount: leg.Amount, BalanceAfter: Points(bal)})
	}
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM lb_head WHERE id = 1`+db.ForUpdate(tx.Engine())).Scan(&t.Seq, &t.PrevHash); err != nil {
		return nil, apperr.Wrap(fmt.Errorf("ledger head: %w", err))
	}
	t.Seq++
	t.Hash = t.computeHash()
	if err := insertTransfers(ctx, tx, []*Transfer{t}); err != nil {
		if db.IsUniqueViolation(err) {
			if in.Reverses != 0 {
				return nil, apperr.New(apperr.Conflict, "lb.already_reversed")
			}
			return nil, errKeyTaken
		}
		return nil, apperr.Wrap(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE lb_head SET seq = ?, hash = ? WHERE id = 1`, t.Seq, t.Hash); err != nil {
		return nil, apperr.Wrap(err)
	}
	return t, nil
}

// insertTransfers writes transfers and their movements with multi-row
// inserts.
func insertTransfers(ctx context.Context, tx *db.Tx, ts []*Transfer) error {
	const perStmt = 400
	for start := 0; start < len(ts); start += perStmt {
		chunk := ts[start:min(start+perStmt, len(ts))]
		var b strings.Builder
		b.WriteString(`INSERT INTO lb_transfers (seq, kind, reverses, idem_key, memo, actor_id, actor, at, prev_hash, hash) VALUES `)
		args := make([]any, 0, len(chunk)*10)
		for i, t := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?,?,?,?,?,?,?,?,?,?)`)
			args = append(args, t.Seq, t.Kind, nullInt(t.Reverses), nullStr(t.Key), t.Memo, nullInt(t.ActorID), t.Actor, t.At, t.PrevHash, t.Hash)
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	var ms []Movement
	for _, t := range ts {
		for _, m := range t.Movements {
			m.TransferSeq = t.Seq
			ms = append(ms, m)
		}
	}
	const movesPerStmt = 1000
	for start := 0; start < len(ms); start += movesPerStmt {
		chunk := ms[start:min(start+movesPerStmt, len(ms))]
		var b strings.Builder
		b.WriteString(`INSERT INTO lb_movements (transfer_seq, account_id, amount, balance_after) VALUES `)
		args := make([]any, 0, len(chunk)*4)
		for i, m := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`(?,?,?,?)`)
			args = append(args, m.TransferSeq, m.AccountID, int64(m.Amount), int64(m.BalanceAfter))
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Reverse posts the transfer that undoes transfer seq: the same movements
// with their signs turned. A transfer is reversed once at most, and a
// reversal is not reversed (post the transfer again instead).
func (l *Ledger) Reverse(ctx context.Context, tx *db.Tx, actor *auth.Actor, seq int64, memo string) (*Transfer, error) {
	orig, err := l.transfer(ctx, tx, seq)
	if err != nil {
		return nil, err
	}
	if orig.Reverses != 0 {
		return nil, apperr.New(apperr.Conflict, "lb.reverse_reversal")
	}
	if orig.ReversedBy != 0 {
		return nil, apperr.New(apperr.Conflict, "lb.already_reversed")
	}
	in := TransferInput{Kind: orig.Kind, Reverses: orig.Seq, Memo: memo}
	for _, m := range orig.Movements {
		in.Legs = append(in.Legs, Leg{Account: m.AccountID, Amount: -m.Amount})
	}
	return l.Post(ctx, tx, actor, in)
}

const transferCols = `t.seq, t.kind, COALESCE(t.reverses, 0), COALESCE(t.idem_key, ''), t.memo, COALESCE(t.actor_id, 0), t.actor, t.at, t.prev_hash, t.hash,
	COALESCE((SELECT r.seq FROM lb_transfers r WHERE r.reverses = t.seq), 0)`

func scanTransfer(sc interface{ Scan(...any) error }) (*Transfer, error) {
	t := &Transfer{}
	return t, sc.Scan(&t.Seq, &t.Kind, &t.Reverses, &t.Key, &t.Memo, &t.ActorID, &t.Actor, &t.At, &t.PrevHash, &t.Hash, &t.ReversedBy)
}

// transfer reads a transfer with its movements, unscoped.
func (l *Ledger) transfer(ctx context.Context, q db.Querier, seq int64) (*Transfer, error) {
	t, err := scanTransfer(q.QueryRow(ctx, `SELECT `+transferCols+` FROM lb_transfers t WHERE t.seq = ?`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("转账")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	rows, err := q.Query(ctx, `SELECT id, transfer_seq, account_id, amount, balance_after FROM lb_movements WHERE transfer_seq = ? ORDER BY account_id`, seq)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		var m Movement
		if err := rows.Scan(&m.ID, &m.TransferSeq, &m.AccountID, &m.Amount, &m.BalanceAfter); err != nil {
			return nil, apperr.Wrap(err)
		}
		t.Movements = append(t.Movements, m)
	}
	return t, apperr.Wrap(rows.Err())
}

// OpenAccount returns the account of an owner, creating it if need be.
// Only bank accounts may go below zero.
func (l *Ledger) OpenAccount(ctx context.Context, tx *db.Tx, kind string, ownerID int64, path string) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT id FROM lb_accounts WHERE kind = ? AND owner_id = ?`, kind, ownerID).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.Wrap(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO lb_accounts (kind, owner_id, unit_path, balance, allow_negative, created_at) VALUES (?, ?, ?, 0, ?, ?)
		ON CONFLICT (kind, owner_id) DO NOTHING`, kind, ownerID, path, kind == AccountBank, l.now()); err != nil {
		return 0, apperr.Wrap(err)
	}
	err = tx.QueryRow(ctx, `SELECT id FROM lb_accounts WHERE kind = ? AND owner_id = ?`, kind, ownerID).Scan(&id)
	return id, apperr.Wrap(err)
}

// Balance reads one account's balance: one row by its key, however long
// its history.
func (l *Ledger) Balance(ctx context.Context, q db.Querier, account int64) (Points, error) {
	var b int64
	err := q.QueryRow(ctx, `SELECT balance FROM lb_accounts WHERE id = ?`, account).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("账户")
	}
	return Points(b), apperr.Wrap(err)
}

// Verify walks the whole ledger in order and checks that every transfer
// follows the one before it and hashes to what it says, that its movements
// sum to zero, that every movement leaves the balance it records and no
// account goes below zero unless it may, that each account's balance is
// the sum of its movements, and that the head names the last transfer. It
// returns what it read and a *LedgerProblem naming the first fault.
func (l *Ledger) Verify(ctx context.Context, q db.Querier) (*LedgerReport, error) {
	rep := &LedgerReport{}
	st := &ledgerState{balance: map[int64]Points{}, negative: map[int64]bool{}}
	stored := map[int64]Points{}
	kinds := map[int64]string{}
	arows, err := q.Query(ctx, `SELECT id, kind, balance, allow_negative FROM lb_accounts`)
	if err != nil {
		return nil, err
	}
	for arows.Next() {
		var id, bal int64
		var kind string
		var neg bool
		if err := arows.Scan(&id, &kind, &bal, &neg); err != nil {
			arows.Close()
			return nil, err
		}
		st.negative[id], stored[id], kinds[id] = neg, Points(bal), kind
		rep.Accounts++
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT t.seq, t.kind, COALESCE(t.reverses, 0), COALESCE(t.idem_key, ''), t.memo, COALESCE(t.actor_id, 0), t.actor, t.at, t.prev_hash, t.hash,
		COALESCE(m.account_id, 0), COALESCE(m.amount, 0), COALESCE(m.balance_after, 0), COALESCE(m.transfer_seq, 0)
		FROM lb_transfers t LEFT JOIN lb_movements m ON m.transfer_seq = t.seq ORDER BY t.seq, m.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cur *Transfer
	lastHash := ""
	var lastSeq int64
	finish := func(t *Transfer) error {
		if t == nil {
			return nil
		}
		switch {
		case t.Seq != lastSeq+1:
			return &LedgerProblem{Seq: lastSeq + 1, Reason: "missing (removed)"}
		case t.PrevHash != lastHash:
			return &LedgerProblem{Seq: t.Seq, Reason: "does not follow the transfer before it"}
		case len(t.Movements) < 2:
			return &LedgerProblem{Seq: t.Seq, Reason: fmt.Sprintf("has %d movements; a transfer has two or more", len(t.Movements))}
		}
		var sum Points
		for _, m := range t.Movements {
			sum += m.Amount
		}
		if sum != 0 {
			return &LedgerProblem{Seq: t.Seq, Reason: fmt.Sprintf("movements sum to %s, not zero", sum)}
		}
		if t.computeHash() != t.Hash {
			return &LedgerProblem{Seq: t.Seq, Reason: "changed after it was written"}
		}
		for _, m := range t.Movements {
			if p := st.apply(t.Seq, m); p != nil {
				return p
			}
		}
		lastSeq, lastHash = t.Seq, t.Hash
		rep.Transfers++
		rep.Movements += int64(len(t.Movements))
		return nil
	}
	for rows.Next() {
		var t Transfer
		var m Movement
		var mseq int64
		if err := rows.Scan(&t.Seq, &t.Kind, &t.Reverses, &t.Key, &t.Memo, &t.ActorID, &t.Actor, &t.At, &t.PrevHash, &t.Hash,
			&m.AccountID, &m.Amount, &m.BalanceAfter, &mseq); err != nil {
			return rep, err
		}
		if cur == nil || cur.Seq != t.Seq {
			if err := finish(cur); err != nil {
				return rep, err
			}
			tt := t
			cur = &tt
		}
		if mseq != 0 {
			cur.Movements = append(cur.Movements, m)
		}
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	if err := finish(cur); err != nil {
		return rep, err
	}
	var headSeq int64
	var headHash string
	if err := q.QueryRow(ctx, `SELECT seq, hash FROM lb_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return rep, err
	}
	if headSeq != lastSeq || headHash != lastHash {
		return rep, &LedgerProblem{Seq: lastSeq + 1, Reason: fmt.Sprintf("missing: the ledger should end at transfer %d", headSeq)}
	}
	// Movements that belong to no transfer would move balances unseen.
	var orphans int64
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM lb_movements m WHERE NOT EXISTS (SELECT 1 FROM lb_transfers t WHERE t.seq = m.transfer_seq)`).Scan(&orphans); err != nil {
		return rep, err
	}
	if orphans > 0 {
		return rep, &LedgerProblem{Reason: fmt.Sprintf("%d movements belong to no transfer", orphans)}
	}
	for id, bal := range stored {
		if st.balance[id] != bal {
			return rep, &LedgerProblem{Account: id, Reason: fmt.Sprintf("balance is %s, but its movements sum to %s", bal, st.balance[id])}
		}
		if kinds[id] != AccountBank {
			rep.Circulating += bal
		}
	}
	return rep, nil
}

// Rebuild sets every account's balance to the sum of its movements and
// returns the accounts whose balance changed. The ledger's movements are
// the truth; balances are kept beside them only to be read fast.
func (l *Ledger) Rebuild(ctx context.Context, tx *db.Tx) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT a.id FROM lb_accounts a
		WHERE a.balance <> (SELECT COALESCE(SUM(m.amount), 0) FROM lb_movements m WHERE m.account_id = a.id) ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := tx.Exec(ctx, `UPDATE lb_accounts SET balance = (SELECT COALESCE(SUM(m.amount), 0) FROM lb_movements m WHERE m.account_id = ?) WHERE id = ?`, id, id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// Batch posts many transfers in one transaction for bulk loads (the demo):
// each is checked, numbered, balanced and chained exactly as Post does, but
// balances are followed in memory and everything is written with
// multi-row inserts when Flush is called. Nothing else may post in the
// transaction meanwhile.
type Batch struct {
	l        *Ledger
	tx       *db.Tx
	actor    *auth.Actor
	seq      int64
	hash     string
	started  bool
	balances map[int64]Points
	negative map[int64]bool
	pending  []*Transfer
	hold     bool // write only at Flush (the accounts are written then too)
}

// know tells the batch an account's balance without reading it, for
// accounts written in the same load.
func (b *Batch) know(account int64, balance Points, allowNegative bool) {
	b.balances[account], b.negative[account] = balance, allowNegative
}

// Batch starts a bulk posting in tx.
func (l *Ledger) Batch(tx *db.Tx, actor *auth.Actor) *Batch {
	return &Batch{l: l, tx: tx, actor: actor, balances: map[int64]Points{}, negative: map[int64]bool{}}
}

// Add posts one transfer into the batch and returns its number.
func (b *Batch) Add(ctx context.Context, in TransferInput) (int64, error) {
	legs, err := checkLegs(in.Legs)
	if err != nil {
		return 0, err
	}
	if !TransferKinds.Has(in.Kind) {
		return 0, apperr.FieldInvalid("kind", "field.bad_choice")
	}
	if !b.started {
		if err := b.tx.QueryRow(ctx, `SELECT seq, hash FROM lb_head WHERE id = 1`+db.ForUpdate(b.tx.Engine())).Scan(&b.seq, &b.hash); err != nil {
			return 0, apperr.Wrap(err)
		}
		b.started = true
	}
	t := &Transfer{Kind: in.Kind, Reverses: in.Reverses, Key: in.Key, Memo: in.Memo, At: in.At.UTC().Truncate(time.Microsecond)}
	if t.At.IsZero() {
		t.At = b.l.now()
	}
	if b.actor != nil {
		t.ActorID, t.Actor = b.actor.UserID, b.actor.Username
	}
	for _, leg := range legs {
		bal, ok := b.balances[leg.Account]
		if !ok {
			var v int64
			var neg bool
			if err := b.tx.QueryRow(ctx, `SELECT balance, allow_negative FROM lb_accounts WHERE id = ?`, leg.Account).Scan(&v, &neg); err != nil {
				return 0, apperr.Wrap(fmt.Errorf("account %d: %w", leg.Account, err))
			}
			bal = Points(v)
			b.negative[leg.Account] = neg
		}
		bal += leg.Amount
		if bal < 0 && !b.negative[leg.Account] {
			return 0, apperr.New(apperr.Conflict, "lb.insufficient", (bal - leg.Amount).String(), (-leg.Amount).String())
		}
		b.balances[leg.Account] = bal
		t.Movements = append(t.Movements, Movement{AccountID: leg.Account, Amount: leg.Amount, BalanceAfter: bal})
	}
	b.seq++
	t.Seq, t.PrevHash = b.seq, b.hash
	t.Hash = t.computeHash()
	b.hash = t.Hash
	b.pending = append(b.pending, t)
	if len(b.pending) >= 5000 && !b.hold {
		if err := b.write(ctx); err != nil {
			return 0, err
		}
	}
	return t.Seq, nil
}

func (b *Batch) write(ctx context.Context) error {
	if len(b.pending) == 0 {
		return nil
	}
	if err := insertTransfers(ctx, b.tx, b.pending); err != nil {
		return apperr.Wrap(err)
	}
	b.pending = b.pending[:0]
	return nil
}

// Flush writes what is pending, the balances and the head.
func (b *Batch) Flush(ctx context.Context) error {
	if !b.started {
		return nil
	}
	if err := b.write(ctx); err != nil {
		return err
	}
	for id, bal := range b.balances {
		if _, err := b.tx.Exec(ctx, `UPDATE lb_accounts SET balance = ? WHERE id = ?`, int64(bal), id); err != nil {
			return apperr.Wrap(err)
		}
	}
	_, err := b.tx.Exec(ctx, `UPDATE lb_head SET seq = ?, hash = ? WHERE id = 1`, b.seq, b.hash)
	return apperr.Wrap(err)
}

// Statement returns an account's movements, newest first, with what moved
// them, and how many there are.
func (l *Ledger) Statement(ctx context.Context, q db.Querier, account int64, limit, offset int) ([]Movement, int, error) {
	var total int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM lb_movements WHERE account_id = ?`, account).Scan(&total); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := q.Query(ctx, `SELECT m.id, m.transfer_seq, m.account_id, m.amount, m.balance_after, t.kind, t.memo, t.at, COALESCE(t.reverses, 0)
		FROM lb_movements m JOIN lb_transfers t ON t.seq = m.transfer_seq WHERE m.account_id = ? ORDER BY m.id DESC LIMIT `+
		strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(offset, 0)), account)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []Movement
	for rows.Next() {
		var m Movement
		if err := rows.Scan(&m.ID, &m.TransferSeq, &m.AccountID, &m.Amount, &m.BalanceAfter, &m.Kind, &m.Memo, &m.At, &m.Reverses); err != nil {
			return nil, 0, apperr.Wrap(err)
		}
		out = append(out, m)
	}
	return out, total, apperr.Wrap(rows.Err())
}
