package volunteer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"

	"grassroots/internal/platform/apperr"
)

// The love bank ledger keeps points the way TimeOverflow keeps time: every
// change is a transfer whose movements sum to zero, movements are never
// changed or removed, and a mistake is undone by a reversing transfer.
//
//   - Accounts belong to the bank of a district, to volunteers and to
//     merchants. Each keeps its balance, updated in the transaction that
//     moves it, so a balance read is one row whatever the history; the
//     balance can be rebuilt from the movements (Rebuild) and Verify
//     checks that it equals them.
//   - Only the bank may go below zero: its negative balance is the points
//     in circulation. The database refuses any other negative balance too
//     (a CHECK constraint), behind the store's own check.
//   - Transfers are numbered without gaps (seq) and chained like the audit
//     log: each hash covers the transfer, its movements with the balances
//     they left, and the hash before it; lb_head holds the last. A changed,
//     removed or re-ordered movement or transfer breaks the chain, and the
//     sums show where.
//   - Concurrent transfers lock the accounts they move in id order, then
//     the head, then (through audit.Record) the audit head, so they never
//     wait on each other in a circle; the balance check is part of the
//     UPDATE that moves it, so two redemptions can never both spend the
//     same points.
//
// Transfer kinds: earn (bank → volunteer, verified hours), opening (bank →
// volunteer, points earned before the ledger opened), redeem (volunteer →
// merchant), settle (merchant → bank). A reversal has the kind of the
// transfer it reverses and points at it.

// Account kinds.
const (
	AccountBank      = "bank"
	AccountVolunteer = "volunteer"
	AccountMerchant  = "merchant"
)

// Transfer kinds.
const (
	KindEarn    = "earn"
	KindOpening = "opening"
	KindRedeem  = "redeem"
	KindSettle  = "settle"
)

// TransferKinds lists the kinds, for filters and labels.
var TransferKinds = Choice{"lb.kind", []string{KindEarn, KindOpening, KindRedeem, KindSettle}}

// maxAmount bounds one movement (a hundred billion points).
const maxAmount = Points(1e13)

// Leg is one account's part of a transfer.
type Leg struct {
	Account int64
	Amount  Points
}

// TransferInput is a transfer to post.
type TransferInput struct {
	Kind     string
	Memo     string
	Key      string // idempotency key: a second transfer with it is refused
	Reverses int64  // the transfer this one undoes
	Legs     []Leg
	At       time.Time // zero: now
}

// checkLegs checks that legs make a transfer: two or more accounts, each
// once, no zero amounts, summing to zero. It returns them sorted by
// account, the order they are locked and hashed in.
func checkLegs(legs []Leg) ([]Leg, error) {
	if len(legs) < 2 {
		return nil, apperr.New(apperr.Invalid, "lb.legs_two")
	}
	out := slices.Clone(legs)
	slices.SortFunc(out, func(a, b Leg) int { return compareInt(a.Account, b.Account) })
	var sum Points
	for i, l := range out {
		if l.Amount == 0 || l.Amount > maxAmount || l.Amount < -maxAmount {
			return nil, apperr.FieldInvalid("amount", "lb.bad_amount")
		}
		if i > 0 && out[i-1].Account == l.Account {
			return nil, apperr.New(apperr.Invalid, "lb.legs_same_account")
		}
		sum += l.Amount
	}
	if sum != 0 {
		return nil, apperr.New(apperr.Invalid, "lb.legs_unbalanced", sum.String())
	}
	return out, nil
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Transfer is a posted transfer with its movements.
type Transfer struct {
	Seq       int64
	Kind      string
	Reverses  int64
	Key       string
	Memo      string
	ActorID   int64
	Actor     string
	At        time.Time
	PrevHash  string
	Hash      string
	Movements []Movement
	// ReversedBy is the transfer that undid this one, if any (filled in by reads).
	ReversedBy int64
}

// Movement is one account's part of a posted transfer.
type Movement struct {
	ID           int64
	TransferSeq  int64
	AccountID    int64
	Amount       Points
	BalanceAfter Points
	// Filled in by statements and listings.
	Owner    string // the account's owner, as shown
	Hidden   bool   // the account lies outside the reader's scope: no owner, no balance
	Kind     string
	Memo     string
	At       time.Time
	Reverses int64
}

// computeHash hashes the transfer, its movements (in account order) and
// the hash before it. Fields are length-prefixed, as in the audit log, so
// that no two different transfers hash the same text.
func (t *Transfer) computeHash() string {
	h := sha256.New()
	field := func(s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
	for _, f := range []string{
		t.PrevHash, strconv.FormatInt(t.Seq, 10), t.Kind, strconv.FormatInt(t.Reverses, 10), t.Key, t.Memo,
		strconv.FormatInt(t.ActorID, 10), t.Actor, t.At.UTC().Format(time.RFC3339Nano),
	} {
		field(f)
	}
	ms := slices.Clone(t.Movements)
	slices.SortFunc(ms, func(a, b Movement) int { return compareInt(a.AccountID, b.AccountID) })
	field(strconv.Itoa(len(ms)))
	for _, m := range ms {
		field(strconv.FormatInt(m.AccountID, 10))
		field(strconv.FormatInt(int64(m.Amount), 10))
		field(strconv.FormatInt(int64(m.BalanceAfter), 10))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// LedgerProblem names the first place where the ledger does not hold.
type LedgerProblem struct {
	Seq     int64 // the transfer, 0 when the problem is an account's
	Account int64
	Reason  string
}

func (p *LedgerProblem) Error() string {
	if p.Seq == 0 {
		return fmt.Sprintf("ledger account %d: %s", p.Account, p.Reason)
	}
	if p.Account != 0 {
		return fmt.Sprintf("ledger transfer %d, account %d: %s", p.Seq, p.Account, p.Reason)
	}
	return fmt.Sprintf("ledger transfer %d: %s", p.Seq, p.Reason)
}

// LedgerReport is what Verify found in a whole ledger.
type LedgerReport struct {
	Transfers int64
	Movements int64
	Accounts  int64
	// Circulating is the points held by volunteers and merchants, which is
	// what the banks owe (minus their balances).
	Circulating Points
}

// ledgerState follows the ledger as Verify walks it.
type ledgerState struct {
	balance  map[int64]Points
	negative map[int64]bool
}

// apply checks one movement against the running balance of its account.
func (s *ledgerState) apply(seq int64, m Movement) *LedgerProblem {
	allowNeg, known := s.negative[m.AccountID]
	if !known {
		return &LedgerProblem{Seq: seq, Account: m.AccountID, Reason: "moves an account that does not exist"}
	}
	want := s.balance[m.AccountID] + m.Amount
	if m.BalanceAfter != want {
		return &LedgerProblem{Seq: seq, Account: m.AccountID, Reason: fmt.Sprintf("says the balance became %s, but the movements before it make %s", m.BalanceAfter, want)}
	}
	if want < 0 && !allowNeg {
		return &LedgerProblem{Seq: seq, Account: m.AccountID, Reason: fmt.Sprintf("takes the account below zero (%s)", want)}
	}
	s.balance[m.AccountID] = want
	return nil
}
