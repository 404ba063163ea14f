package volunteer

import (
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
)

// Merchant is a partner merchant that accepts points.
type Merchant struct {
	ID        int64
	UnitID    int64
	UnitName  string
	UnitPath  string
	Name      string
	Address   string
	Contact   string
	Status    string
	AccountID int64
	Balance   Points // points taken and not yet settled
	Items     []Item
	CreatedAt time.Time
}

// MerchantInput is a new or changed merchant.
type MerchantInput struct {
	UnitID  int64
	Name    string
	Address string
	Contact string
}

func (in *MerchantInput) validate() error {
	in.Name, in.Address, in.Contact = strings.TrimSpace(in.Name), strings.TrimSpace(in.Address), strings.TrimSpace(in.Contact)
	var f apperr.Fields
	if in.UnitID == 0 {
		f.Add("unit_id", "field.required")
	}
	checkName(&f, "name", in.Name, 60)
	checkText(&f, "address", in.Address, 120)
	checkText(&f, "contact", in.Contact, 60)
	return f.Err()
}

// Item is something a merchant gives for points.
type Item struct {
	ID         int64
	MerchantID int64
	Name       string
	Price      Points
	Active     bool
}

// ItemInput is a new item.
type ItemInput struct {
	Name  string
	Price string // points, like 10 or 2.5
}

func (in *ItemInput) validate() (Points, error) {
	in.Name = strings.TrimSpace(in.Name)
	var f apperr.Fields
	checkName(&f, "name", in.Name, 60)
	price, err := ParsePoints(in.Price)
	if err != nil || price <= 0 || price > 1000000 {
		f.Add("price", "lb.bad_amount")
	}
	return price, f.Err()
}

// Pass is a one-time code a volunteer shows a merchant.
type Pass struct {
	Code      string // shown once, when made
	ExpiresAt time.Time
}

// PassLifetime is how long a pass works.
const PassLifetime = 5 * time.Minute

// PassCodeLen is the length of a pass code (about 50 bits).
const PassCodeLen = 10

// RedeemInput is a redemption as a merchant's page or client sends it:
// the volunteer's pass code, an item (and quantity) or an amount, and an
// idempotency key that makes a retry find the first attempt.
type RedeemInput struct {
	Code     string
	ItemID   int64
	Quantity int
	Amount   string // points, when no item
	Key      string
}

func (in *RedeemInput) validate() (Points, error) {
	in.Code = NormalizeCode(in.Code)
	in.Key = strings.TrimSpace(in.Key)
	var f apperr.Fields
	if in.Code == "" {
		f.Add("code", "field.required")
	}
	if in.Key == "" || len(in.Key) > 100 {
		f.Add("idempotency_key", "lb.key_required")
	}
	var amount Points
	switch {
	case in.ItemID != 0:
		if in.Quantity == 0 {
			in.Quantity = 1
		}
		if in.Quantity < 1 || in.Quantity > 100 {
			f.Add("quantity", "web.out_of_range", 1, 100)
		}
		if strings.TrimSpace(in.Amount) != "" {
			f.Add("amount", "lb.item_or_amount")
		}
	default:
		a, err := ParsePoints(in.Amount)
		if err != nil || a <= 0 || a > 1000000 {
			f.Add("amount", "lb.bad_amount")
		}
		amount = a
		in.Quantity = 1
	}
	return amount, f.Err()
}

// Redemption is points a volunteer spent at a merchant.
type Redemption struct {
	ID            int64
	MerchantID    int64
	MerchantName  string
	VolunteerID   int64
	VolunteerName string
	ItemID        int64
	ItemName      string
	Quantity      int
	Amount        Points
	TransferSeq   int64
	Status        string // done, reversed
	SettlementID  int64
	CreatedAt     time.Time
	// Replayed is set when the request was a retry of one already done.
	Replayed bool
	// Balance is the volunteer's balance after it.
	Balance Points
}

// SettlementReport is what a merchant is owed for a period: the
// redemptions not yet settled and their total, in points and money.
type SettlementReport struct {
	Merchant    Merchant
	From, To    date.Date
	Redemptions []Redemption
	Amount      Points
	Fen         int64
	FenPerPoint int64
}

// Settlement is a settled report.
type Settlement struct {
	ID          int64
	MerchantID  int64
	From, To    date.Date
	Redemptions int
	Amount      Points
	Fen         int64
	TransferSeq int64
	CreatedBy   string
	CreatedAt   time.Time
}

// Account is a love bank account as shown.
type Account struct {
	ID        int64
	Kind      string
	OwnerID   int64
	OwnerName string
	UnitPath  string
	Balance   Points
}

// Yuan writes fen as yuan with two decimals.
func Yuan(fen int64) string { return Points(fen).String() }

// Money is what the report is worth in yuan.
func (r *SettlementReport) Money() string { return Yuan(r.Fen) }

// Money is what the settlement paid in yuan.
func (s *Settlement) Money() string { return Yuan(s.Fen) }
