package main

import (
	"context"
	"strings"
	"testing"

	"grassroots/internal/app"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
	"grassroots/internal/volunteer"
)

// TestVerifyLedger posts a few love bank transfers, checks that `verify`
// passes, edits one movement by hand (past the append-only triggers) and
// checks that `verify` fails and names the transfer.
func TestVerifyLedger(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			in := instance{dbtest.URL(t, engine), t.TempDir()}
			a, err := app.Open(ctx, app.Config{DBURL: in.dbURL, DataDir: in.dataDir})
			if err != nil {
				t.Fatal(err)
			}
			sys := auth.SystemActor("test")
			district, err := app.Get[*org.Store](a).CreateUnit(ctx, sys, org.UnitInput{Type: org.District, Code: "360403", Name: "浔阳区"})
			if err != nil {
				t.Fatal(err)
			}
			street, _ := app.Get[*org.Store](a).CreateUnit(ctx, sys, org.UnitInput{ParentID: district.ID, Type: org.Street, Code: "360403001", Name: "湓浦街道"})
			community, _ := app.Get[*org.Store](a).CreateUnit(ctx, sys, org.UnitInput{ParentID: street.ID, Type: org.Community, Code: "360403001001", Name: "白水湖社区"})
			var accts []int64
			for i, first := range []string{"36040319900101001", "36040319900101002"} {
				v, err := app.Get[*volunteer.Store](a).CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: community.ID, Name: []string{"甲", "乙"}[i], IDNumber: first + string(pii.IDCheckChar(first))})
				if err != nil {
					t.Fatal(err)
				}
				accts = append(accts, v.AccountID)
			}
			err = a.DB.InTx(ctx, func(tx *db.Tx) error {
				bank, err := app.Get[*volunteer.Store](a).Ledger.OpenAccount(ctx, tx, volunteer.AccountBank, district.ID, district.Path)
				if err != nil {
					return err
				}
				for _, acct := range accts {
					if _, err := app.Get[*volunteer.Store](a).Ledger.Post(ctx, tx, sys, volunteer.TransferInput{Kind: volunteer.KindOpening, Memo: "test",
						Legs: []volunteer.Leg{{Account: bank, Amount: -500}, {Account: acct, Amount: 500}}}); err != nil {
						return err
					}
				}
				return nil
			})
			a.Close()
			if err != nil {
				t.Fatal(err)
			}
			if out, err := in.run(t, "", "verify"); err != nil || !strings.Contains(out, "love bank ledger: 2 transfers") {
				t.Fatalf("verify: %v\n%s", err, out)
			}
			d, err := db.Open(ctx, in.dbURL, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Exec(ctx, `UPDATE lb_movements SET amount = amount + 100 WHERE transfer_seq = 2 AND account_id = ?`, accts[1]); err == nil {
				t.Errorf("a movement was changed while the triggers stand")
			}
			drops := []string{`DROP TRIGGER lb_movements_no_update`}
			if engine == db.Postgres {
				drops = []string{`DROP TRIGGER lb_movements_no_change ON lb_movements`}
			}
			for _, q := range drops {
				if _, err := d.Exec(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Exec(ctx, `UPDATE lb_movements SET amount = amount + 100 WHERE transfer_seq = 2 AND account_id = ?`, accts[1]); err != nil {
				t.Fatal(err)
			}
			_, err = in.run(t, "", "verify")
			if err == nil || !strings.Contains(err.Error(), "love bank ledger is broken") || !strings.Contains(err.Error(), "transfer 2") {
				t.Errorf("verify after a movement was edited: %v", err)
			}
		})
	}
}
