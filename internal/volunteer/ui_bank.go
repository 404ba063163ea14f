package volunteer

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// BankPage is the love bank for its managers: what is in circulation, the
// partner merchants, the latest transfers, the district's rate.
type BankPage struct {
	web.Page
	O         *Overview
	Bank      *Account
	Merchants []Merchant
	Transfers []Transfer
	Kind      string
	Kinds     []web.Option
	Settings  *Settings
	Form      *web.Form
	CanAdmin  bool
	Error     string
}

func (u *UI) bank(w http.ResponseWriter, r *http.Request) error {
	return u.showBank(w, r, nil, http.StatusOK)
}

func (u *UI) showBank(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if !actor.Has(PermBank) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	ctx := r.Context()
	lang := web.Lang(r)
	q := web.NewQuery(r)
	kind := q.Choice("kind", TransferKinds.Values...)
	if err := q.Err(); err != nil {
		return err
	}
	p := &BankPage{Kind: kind, Kinds: choiceOptions(lang, TransferKinds, "web.all"), CanAdmin: actor.Has(PermBankAd), Error: takeError(w, r)}
	p.Title = i18n.T(lang, "nav.lovebank")
	p.Section = "/lovebank"
	if p.O, err = u.Store.Overview(ctx, actor); err != nil {
		return err
	}
	if p.Bank, err = u.Store.BankAccount(ctx, actor); err != nil {
		return err
	}
	if p.Merchants, err = u.Store.ListMerchants(ctx, actor); err != nil {
		return err
	}
	if p.Transfers, err = u.Store.Transfers(ctx, actor, kind, 30, 0); err != nil {
		return err
	}
	if p.Settings, err = u.Store.Settings(ctx, actor); err != nil {
		return err
	}
	if form == nil {
		form = web.NewForm(nil)
		form.Values.Set("rate", p.Settings.Rate.String())
		form.Values.Set("fen_per_point", Yuan(p.Settings.FenPerPoint))
	}
	p.Form = form
	u.R.Render(w, r, status, "volunteer/bank", p)
	return nil
}

func (u *UI) saveSettings(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	rate, err1 := ParsePoints(form.Get("rate"))
	yuan, err2 := ParsePoints(form.Get("fen_per_point"))
	var f apperr.Fields
	if err1 != nil {
		f.Add("rate", "lb.rate_range")
	}
	if err2 != nil {
		f.Add("fen_per_point", "lb.bad_money")
	}
	err = f.Err()
	if err == nil {
		var s *Settings
		if s, err = u.Store.Settings(r.Context(), actor); err == nil {
			err = u.Store.SetSettings(r.Context(), actor, s.DistrictID, rate, int64(yuan))
		}
	}
	if err != nil {
		return u.showBank(w, r, form, form.Fail(r, err))
	}
	return done(w, r, "/lovebank", "web.saved")
}

func (u *UI) reverse(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	seq, err := web.PathID(r, "seq")
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	to := back(form, "/lovebank")
	if _, err := u.Store.Reverse(r.Context(), actor, seq, form.Get("reason")); err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, "lb.reversed")
}

// AccountPage is an account's statement.
type AccountPage struct {
	web.Page
	Account   *Account
	Movements []Movement
	Pager     *web.Pager
	CanAdmin  bool
}

func (u *UI) account(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := u.Store.Account(ctx, actor, id)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	_, _, total, err := u.Store.Statement(ctx, actor, id, 1, 0)
	if err != nil {
		return err
	}
	p := &AccountPage{Account: a, CanAdmin: actor.Scope(PermBankAd).Contains(a.UnitPath)}
	p.Pager = web.NewPager(r.URL, total, 50, i18n.T(lang, "web.pager"))
	if _, p.Movements, _, err = u.Store.Statement(ctx, actor, id, 50, p.Pager.Offset()); err != nil {
		return err
	}
	p.Title = i18n.T(lang, "lb.account_title", a.OwnerName)
	p.Section = "/lovebank"
	if !actor.Has(PermBank) {
		p.Section = "/volunteer/me"
	}
	u.R.Render(w, r, http.StatusOK, "volunteer/account", p)
	return nil
}

// MerchantFormPage adds a merchant.
type MerchantFormPage struct {
	web.Page
	Form  *web.Form
	Units []web.Option
}

func (u *UI) merchantForm(w http.ResponseWriter, r *http.Request) error {
	return u.showMerchantForm(w, r, web.NewForm(nil), http.StatusOK)
}

func (u *UI) showMerchantForm(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	p := &MerchantFormPage{Form: form}
	p.Title = i18n.T(web.Lang(r), "lb.new_merchant")
	p.Section = "/lovebank"
	if p.Units, err = u.unitOptions(r, actor, PermBankAd, org.District, org.Street, org.Community); err != nil {
		return err
	}
	if len(p.Units) == 0 {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	u.R.Render(w, r, status, "volunteer/merchant_form", p)
	return nil
}

func (u *UI) createMerchant(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	m, err := u.Store.CreateMerchant(r.Context(), actor, MerchantInput{UnitID: form.Int64("unit_id"), Name: form.Get("name"), Address: form.Get("address"), Contact: form.Get("contact")})
	if err != nil {
		return u.showMerchantForm(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/lovebank/merchants/%d", m.ID), "web.saved")
}

// MerchantPage is a merchant for the love bank's managers (and its own
// staff): items, staff, redemptions, what is owed and the settlements.
type MerchantPage struct {
	web.Page
	M           *Merchant
	Staff       []string
	Redemptions []Redemption
	Pager       *web.Pager
	Report      *SettlementReport
	Settlements []Settlement
	Form        *web.Form
	CanAdmin    bool
	Export      org.ExportLinks
	Error       string
}

func (u *UI) merchant(w http.ResponseWriter, r *http.Request) error {
	return u.showMerchant(w, r, web.NewForm(nil), http.StatusOK)
}

func (u *UI) showMerchant(w http.ResponseWriter, r *http.Request, form *web.Form, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, err := u.Store.Merchant(ctx, actor, id)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	to, err := date.Parse(r.URL.Query().Get("to"))
	if err != nil {
		return apperr.FieldInvalid("to", "field.bad_date")
	}
	p := &MerchantPage{M: m, Form: form, CanAdmin: actor.Scope(PermBankAd).Contains(m.UnitPath), Export: org.NewExportLinks(r.URL), Error: takeError(w, r)}
	p.Title = m.Name
	p.Section = "/lovebank"
	if !actor.Has(PermBank) {
		p.Section = "/merchant"
	}
	if p.Report, err = u.Store.SettlementReport(ctx, actor, id, to); err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" {
		sheet := web.Sheet{Name: i18n.T(lang, "lb.report"), Header: []string{i18n.T(lang, "lb.when"), i18n.T(lang, "vol.person_name"),
			i18n.T(lang, "lb.item"), i18n.T(lang, "lb.quantity"), i18n.T(lang, "vol.points"), i18n.T(lang, "lb.transfer")}}
		for _, x := range p.Report.Redemptions {
			sheet.Rows = append(sheet.Rows, []any{x.CreatedAt, x.VolunteerName, x.ItemName, x.Quantity, x.Amount.Float(), x.TransferSeq})
		}
		sheet.Rows = append(sheet.Rows, []any{"", i18n.T(lang, "lb.total"), "", "", p.Report.Amount.Float(), ""},
			[]any{"", i18n.T(lang, "lb.money"), "", "", Yuan(p.Report.Fen), ""})
		_, err := web.Export(w, r, fmt.Sprintf("settlement-%d-%s", m.ID, p.Report.To), sheet)
		return err
	}
	if p.Staff, err = u.Store.Staff(ctx, actor, id); err != nil {
		return err
	}
	if p.Pager, err = web.ReadPage(r, 30, func(limit, offset int) (total int, err error) {
		p.Redemptions, total, err = u.Store.Redemptions(ctx, actor, RedemptionFilter{MerchantID: id, Limit: limit, Offset: offset})
		return total, err
	}); err != nil {
		return err
	}
	if p.Settlements, err = u.Store.Settlements(ctx, actor, id); err != nil {
		return err
	}
	u.R.Render(w, r, status, "volunteer/merchant", p)
	return nil
}

func (u *UI) addItem(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	if _, err := u.Store.AddItem(r.Context(), actor, id, ItemInput{Name: form.Get("name"), Price: form.Get("price")}); err != nil {
		return u.showMerchant(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/lovebank/merchants/%d", id), "web.saved")
}

func (u *UI) toggleItem(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	iid, err := web.PathID(r, "iid")
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/lovebank/merchants/%d", id)
	if err := u.Store.SetItemActive(r.Context(), actor, id, iid, form.Get("active") == "1"); err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, "web.saved")
}

func (u *UI) addStaff(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	if err := u.Store.AddStaff(r.Context(), actor, id, form.Get("username")); err != nil {
		return u.showMerchant(w, r, form, form.Fail(r, err))
	}
	return done(w, r, fmt.Sprintf("/lovebank/merchants/%d", id), "web.saved")
}

func (u *UI) settle(w http.ResponseWriter, r *http.Request) error {
	actor, id, form, err := recordForm(w, r)
	if err != nil {
		return err
	}
	to := fmt.Sprintf("/lovebank/merchants/%d", id)
	day, err := date.Parse(form.Get("to"))
	if err == nil {
		_, err = u.Store.Settle(r.Context(), actor, id, day)
	} else {
		err = apperr.FieldInvalid("to", "field.bad_date")
	}
	if err != nil {
		return failFlash(w, r, to, err)
	}
	return done(w, r, to, "lb.settled")
}

// TillPage is the merchant's phone page: read the volunteer's code, pick
// an item or type an amount, redeem; then the result, and the day's list.
type TillPage struct {
	web.Page
	M           *Merchant
	Form        *web.Form
	Items       []web.Option
	Done        *Redemption
	Redemptions []Redemption
}

func newKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (u *UI) till(w http.ResponseWriter, r *http.Request) error {
	return u.showTill(w, r, nil, nil, http.StatusOK)
}

func (u *UI) showTill(w http.ResponseWriter, r *http.Request, form *web.Form, res *Redemption, status int) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, err := u.Store.MyMerchant(ctx, actor)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &TillPage{M: m, Done: res}
	p.Title = m.Name
	p.Section = "/merchant"
	p.Items = []web.Option{{Value: "", Label: i18n.T(lang, "lb.by_amount")}}
	for _, it := range m.Items {
		if it.Active {
			p.Items = append(p.Items, web.Option{Value: strconv.FormatInt(it.ID, 10), Label: fmt.Sprintf("%s（%s %s）", it.Name, it.Price, i18n.T(lang, "lb.point_unit"))})
		}
	}
	if form == nil || res != nil {
		// Every new form carries a fresh key: sending it twice (a double
		// tap, a retry after a lost answer) redeems once.
		form = web.NewForm(nil)
		form.Values.Set("quantity", "1")
	}
	if form.Get("idempotency_key") == "" {
		form.Values.Set("idempotency_key", newKey())
	}
	p.Form = form
	today := date.Today(u.Store.Now())
	if p.Redemptions, _, err = u.Store.Redemptions(ctx, actor, RedemptionFilter{MerchantID: m.ID, From: today, To: today, Limit: 20}); err != nil {
		return err
	}
	u.R.Render(w, r, status, "volunteer/till", p)
	return nil
}

func (u *UI) redeem(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	qty := 0
	if q := form.Trim("quantity"); q != "" {
		// A typo is the cashier's to correct, not a quantity of one.
		if qty, err = strconv.Atoi(q); err != nil || qty <= 0 {
			return u.showTill(w, r, form, nil, form.Fail(r, apperr.FieldInvalid("quantity", "field.bad_number")))
		}
	}
	in := RedeemInput{Code: form.Get("code"), ItemID: form.Int64("item_id"), Quantity: qty, Key: form.Get("idempotency_key")}
	if in.ItemID == 0 {
		in.Amount = form.Get("amount")
	}
	res, err := u.Store.Redeem(r.Context(), actor, in)
	if err != nil {
		return u.showTill(w, r, form, nil, form.Fail(r, err))
	}
	return u.showTill(w, r, nil, res, http.StatusOK)
}
