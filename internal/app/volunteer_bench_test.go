package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/volunteer"
)

// BenchmarkRedeemAPI is transfers per second through the API: a
// merchant's cashier posting redemptions (POST /api/v1/volunteer/
// redemptions, one transfer each, with sign-in by token, the one-time
// code, the idempotency key and the audit entry), against a raw SQL
// transaction inserting two movement rows on the same database, in the
// same run, on each engine.
//
//	go test ./internal/app -run '^$' -bench RedeemAPI -benchtime 1000x
func BenchmarkRedeemAPI(b *testing.B) {
	for _, engine := range dbtest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			ctx := context.Background()
			e := apptest.Start(b, engine)
			sys := auth.SystemActor("bench")
			vs := e.Volunteer
			var uid int64
			if err := e.App.DB.QueryRow(ctx, `SELECT id FROM users WHERE username = 'volunteer1'`).Scan(&uid); err != nil {
				b.Fatal(err)
			}
			v, err := vs.CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: e.Community1.ID, Name: "张志愿", IDNumber: "360403199001010010", UserID: uid})
			if err != nil {
				b.Fatal(err)
			}
			m, err := vs.CreateMerchant(ctx, sys, volunteer.MerchantInput{UnitID: e.Street1.ID, Name: "爱心超市"})
			if err != nil {
				b.Fatal(err)
			}
			if err := vs.AddStaff(ctx, sys, m.ID, "merchant1"); err != nil {
				b.Fatal(err)
			}
			err = e.App.DB.InTx(ctx, func(tx *db.Tx) error {
				bank, err := vs.Ledger.OpenAccount(ctx, tx, volunteer.AccountBank, e.District.ID, e.District.Path)
				if err != nil {
					return err
				}
				_, err = vs.Ledger.Post(ctx, tx, sys, volunteer.TransferInput{Kind: volunteer.KindOpening, Memo: "bench",
					Legs: []volunteer.Leg{{Account: bank, Amount: -1e9}, {Account: v.AccountID, Amount: 1e9}}})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			volActor := &auth.Actor{UserID: uid, Username: "volunteer1", Grants: []auth.Grant{{Role: volunteer.RoleVolunteer, UnitID: e.Community1.ID, UnitPath: e.Community1.Path}}}
			cashier := e.Token(b, "merchant1")
			b.Run("raw-two-movements", func(b *testing.B) {
				if _, err := e.App.DB.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_movements (transfer BIGINT NOT NULL, account BIGINT NOT NULL, amount BIGINT NOT NULL)`); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				for i := range b.N {
					err := e.App.DB.InTx(ctx, func(tx *db.Tx) error {
						_, err := tx.Exec(ctx, `INSERT INTO bench_movements (transfer, account, amount) VALUES (?, ?, ?), (?, ?, ?)`, i, v.AccountID, -1, i, m.AccountID, 1)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
			})
			round := 0
			b.Run("api-redeem", func(b *testing.B) {
				b.StopTimer()
				round++
				codes := make([]string, b.N)
				for i := range codes {
					p, err := vs.NewPass(ctx, volActor)
					if err != nil {
						b.Fatal(err)
					}
					codes[i] = p.Code
				}
				client := &http.Client{}
				b.StartTimer()
				for i := range b.N {
					req, _ := http.NewRequest("POST", e.Server.URL+"/api/v1/volunteer/redemptions",
						strings.NewReader(fmt.Sprintf(`{"code":%q,"amount":"0.01","idempotency_key":"b%d-%d"}`, codes[i], round, i)))
					req.Header.Set("Authorization", "Bearer "+cashier)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						b.Fatalf("redeem: %d", resp.StatusCode)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
			})
			if _, err := vs.Ledger.Verify(ctx, e.App.DB); err != nil {
				b.Fatalf("ledger after the benchmark: %v", err)
			}
		})
	}
}
