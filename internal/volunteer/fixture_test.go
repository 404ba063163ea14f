package volunteer

import (
	"context"
	"sync"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
)

var testMigrations = []db.Migrations{auth.Migrations, audit.Migrations, pii.Migrations, org.Migrations, people.Migrations, Migrations}

var system = auth.SystemActor("test")

// idNumber makes a valid identity number from 17 digits.
func idNumber(first17 string) string { return first17 + string(pii.IDCheckChar(first17)) }

// clock is a settable time for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type fixture struct {
	s                           *Store
	d                           *db.DB
	accounts                    *auth.Store
	clock                       *clock
	district, street, street2   *org.Unit
	community, neighbour, other *org.Unit // neighbour: same street; other: street2
	grid, building              *org.Unit
}

func setup(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	orgs := org.NewStore(d)
	vault, err := pii.Open(ctx, d, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	ppl := people.NewStore(d, orgs, vault)
	f := &fixture{d: d, accounts: auth.NewStore(d, orgs), clock: &clock{t: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}}
	f.s = NewStore(d, orgs, f.accounts, ppl, vault)
	f.s.Now = f.clock.Now
	ppl.Now = f.clock.Now
	mk := func(parent *org.Unit, typ org.UnitType, code, name string) *org.Unit {
		in := org.UnitInput{Type: typ, Code: code, Name: name}
		if parent != nil {
			in.ParentID = parent.ID
		}
		u, err := orgs.CreateUnit(ctx, system, in)
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		return u
	}
	f.district = mk(nil, org.District, "360403", "浔阳区")
	f.street = mk(f.district, org.Street, "360403001", "湓浦街道")
	f.street2 = mk(f.district, org.Street, "360403002", "人民路街道")
	f.community = mk(f.street, org.Community, "360403001001", "白水湖社区")
	f.neighbour = mk(f.street, org.Community, "360403001002", "甘棠社区")
	f.other = mk(f.street2, org.Community, "360403002001", "大中路社区")
	f.grid = mk(f.community, org.Grid, "360403001001001", "第一网格")
	f.building = mk(f.grid, org.Building, "360403001001001001", "1号楼")
	return f
}

// user creates an account holding role at unit and returns its actor.
func (f *fixture) user(t testing.TB, name string, role auth.Role, u *org.Unit) *auth.Actor {
	t.Helper()
	usr, err := f.accounts.CreateUser(context.Background(), system, auth.NewUser{Username: name, Password: "test-password-1",
		Grants: []auth.GrantSpec{{Role: role, UnitID: u.ID}}})
	if err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return &auth.Actor{UserID: usr.ID, Username: name, Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitType: string(u.Type)}}}
}

// grant adds a grant to an actor (in memory and in the database).
func (f *fixture) grant(t testing.TB, a *auth.Actor, role auth.Role, u *org.Unit) {
	t.Helper()
	if _, err := f.d.Exec(context.Background(), `INSERT INTO user_roles (user_id, role, unit_id) VALUES (?, ?, ?)`, a.UserID, string(role), u.ID); err != nil {
		t.Fatal(err)
	}
	a.Grants = append(a.Grants, auth.Grant{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitType: string(u.Type)})
}

// volunteer registers a volunteer at the community with an identity
// number made from seq, linked to user (0: none).
func (f *fixture) volunteer(t testing.TB, name string, seq int, userID int64, skills ...string) *Volunteer {
	t.Helper()
	v, err := f.s.CreateVolunteer(context.Background(), system, VolunteerInput{UnitID: f.community.ID, Name: name, UserID: userID,
		IDNumber: idNumber("36040319900101" + pad3(seq)), Phone: "13800000000", Skills: skills})
	if err != nil {
		t.Fatalf("volunteer %s: %v", name, err)
	}
	return v
}

func pad3(n int) string {
	s := "000" + itoa(n)
	return s[len(s)-3:]
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// fund gives a volunteer points from the bank with an opening transfer.
func (f *fixture) fund(t testing.TB, v *Volunteer, amount Points) {
	t.Helper()
	ctx := context.Background()
	err := f.d.InTx(ctx, func(tx *db.Tx) error {
		bank, err := f.s.Ledger.OpenAccount(ctx, tx, AccountBank, f.district.ID, f.district.Path)
		if err != nil {
			return err
		}
		_, err = f.s.Ledger.Post(ctx, tx, system, TransferInput{Kind: KindOpening, Memo: "test", Legs: []Leg{{bank, -amount}, {v.AccountID, amount}}})
		return err
	})
	if err != nil {
		t.Fatalf("fund: %v", err)
	}
}

// codeOf returns the error's code and message key, for comparing.
func keyOf(err error) string {
	if err == nil {
		return ""
	}
	ae := apperr.As(err)
	if ae.Code == apperr.Internal {
		return "internal: " + err.Error()
	}
	for _, m := range ae.Fields {
		return m.Key
	}
	return ae.Msg.Key
}

func verifyLedger(t testing.TB, f *fixture) *LedgerReport {
	t.Helper()
	rep, err := f.s.Ledger.Verify(context.Background(), f.d)
	if err != nil {
		t.Fatalf("ledger: %v", err)
	}
	return rep
}
