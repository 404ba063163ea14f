package demo

import (
	"context"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
	"grassroots/internal/volunteer"
)

// TestLoadVolunteers loads the whole volunteer plan over the demo tree and
// checks the figures of docs/domain.md §3 that it must reproduce, counted from
// the rows, and that the ledger it wrote verifies.
func TestLoadVolunteers(t *testing.T) {
	if testing.Short() {
		t.Skip("the full volunteer plan takes seconds")
	}
	dbtest.Each(t, migrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgs := org.NewStore(d)
		accounts := auth.NewStore(d, orgs)
		vault, err := pii.Open(ctx, d, t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		ps := people.NewStore(d, orgs, vault)
		if err := d.InTx(ctx, func(tx *db.Tx) error { return newBuilder(1, orgs.Loader(tx)).build(ctx) }); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		users, err := LoadVolunteers(ctx, d, orgs, accounts, ps, 1, DefaultPassword, time.Now(), 1)
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		t.Logf("%s: volunteers loaded in %v", d.Engine(), time.Since(start))
		vs := volunteer.NewStore(d, orgs, accounts, ps, vault)
		ov, err := vs.Overview(ctx, auth.SystemActor("test"))
		if err != nil {
			t.Fatal(err)
		}
		for typ, want := range map[string]int{"party_service": 135, "youth": 114, "love_help": 413} {
			if ov.TeamsByType[typ] != want {
				t.Errorf("%s teams: %d, want %d", typ, ov.TeamsByType[typ], want)
			}
		}
		if ov.PoliceMembers < 8900 || ov.PoliceMinutes < 250000*60 {
			t.Errorf("volunteer police: %d members, %d hours", ov.PoliceMembers, ov.PoliceMinutes/60)
		}
		if ov.PointsIssued <= 0 || ov.PointsRedeemed <= 0 || ov.PendingVerifications == 0 || ov.UpcomingActivities == 0 {
			t.Errorf("overview %+v", ov)
		}
		t.Logf("%s: %d volunteers, %s hours verified (police %d members, %s hours), %s points issued, %s redeemed", d.Engine(),
			ov.Volunteers, ov.VerifiedHours(), ov.PoliceMembers, ov.PoliceHours(), ov.PointsIssued, ov.PointsRedeemed)
		rep, err := vs.Ledger.Verify(ctx, d)
		if err != nil {
			t.Fatalf("ledger: %v", err)
		}
		if rep.Circulating != ov.PointsIssued-ov.PointsRedeemed+settledBack(t, d) {
			t.Errorf("points in circulation %v, issued %v, redeemed %v", rep.Circulating, ov.PointsIssued, ov.PointsRedeemed)
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Error(err)
		}
		if len(users) != 2 {
			t.Fatalf("users: %+v", users)
		}
		_, actor, err := accounts.Login(ctx, "volunteer", DefaultPassword, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		me, err := vs.Me(ctx, actor)
		if err != nil || me.Balance <= 0 {
			t.Errorf("the demo volunteer: %v %+v", err, me)
		}
		up, err := vs.MySignups(ctx, actor, 10)
		if err != nil || len(up) == 0 || up[0].Status != volunteer.SignupApproved || up[0].CheckInAt != nil {
			t.Errorf("the demo volunteer's next shift: %v %+v", err, up)
		}
		_, cashier, err := accounts.Login(ctx, "merchant", DefaultPassword, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if m, err := vs.MyMerchant(ctx, cashier); err != nil || len(m.Items) == 0 {
			t.Errorf("the demo cashier's shop: %v", err)
		}
	})
}

// settledBack is the points merchants handed back to the bank: issued
// minus redeemed is what volunteers hold; merchants hold what they took
// and have not settled.
func settledBack(t *testing.T, d *db.DB) volunteer.Points {
	var merchants int64
	if err := d.QueryRow(context.Background(), `SELECT COALESCE(SUM(balance), 0) FROM lb_accounts WHERE kind = 'merchant'`).Scan(&merchants); err != nil {
		t.Fatal(err)
	}
	return volunteer.Points(merchants)
}
