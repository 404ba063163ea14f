package volunteer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// dropLedgerTriggers removes the append-only triggers, as someone with
// direct access to the database could.
func dropLedgerTriggers(t testing.TB, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	stmts := []string{`DROP TRIGGER lb_movements_no_update`, `DROP TRIGGER lb_movements_no_delete`, `DROP TRIGGER lb_transfers_no_update`, `DROP TRIGGER lb_transfers_no_delete`}
	if d.Engine() == db.Postgres {
		stmts = []string{`DROP TRIGGER lb_movements_no_change ON lb_movements`, `DROP TRIGGER lb_transfers_no_change ON lb_transfers`}
	}
	for _, q := range stmts {
		if _, err := d.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLedgerChainAndSums(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		a := f.volunteer(t, "甲", 1, 0)
		b := f.volunteer(t, "乙", 2, 0)
		f.fund(t, a, 1000)
		f.fund(t, b, 500)
		err := d.InTx(ctx, func(tx *db.Tx) error {
			_, err := f.s.Ledger.Post(ctx, tx, system, TransferInput{Kind: KindRedeem, Memo: "x", Legs: []Leg{{a.AccountID, -250}, {b.AccountID, 250}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Below zero is refused, and nothing is written.
		err = d.InTx(ctx, func(tx *db.Tx) error {
			_, err := f.s.Ledger.Post(ctx, tx, system, TransferInput{Kind: KindRedeem, Memo: "x", Legs: []Leg{{a.AccountID, -751}, {b.AccountID, 751}}})
			return err
		})
		if keyOf(err) != "lb.insufficient" {
			t.Errorf("overdraft: %v", err)
		}
		// Movements cannot be changed or removed while the triggers stand.
		if _, err := d.Exec(ctx, `UPDATE lb_movements SET amount = 1 WHERE id = 1`); err == nil {
			t.Error("a movement was changed")
		}
		if _, err := d.Exec(ctx, `DELETE FROM lb_transfers WHERE seq = 3`); err == nil {
			t.Error("a transfer was removed")
		}
		// Nor can a volunteer's balance go below zero, whatever writes it.
		if _, err := d.Exec(ctx, `UPDATE lb_accounts SET balance = -1 WHERE id = ?`, a.AccountID); err == nil {
			t.Error("a volunteer's balance went below zero")
		}
		rep := verifyLedger(t, f)
		if rep.Transfers != 3 || rep.Movements != 6 || rep.Circulating != 1500 {
			t.Errorf("report %+v", rep)
		}

		// A balance edited by hand shows, and Rebuild puts it back.
		if _, err := d.Exec(ctx, `UPDATE lb_accounts SET balance = balance + 100 WHERE id = ?`, b.AccountID); err != nil {
			t.Fatal(err)
		}
		var p *LedgerProblem
		if _, err := f.s.Ledger.Verify(ctx, d); !errors.As(err, &p) || p.Account != b.AccountID {
			t.Errorf("edited balance: %v", err)
		}
		var fixed []int64
		if err := d.InTx(ctx, func(tx *db.Tx) (err error) { fixed, err = f.s.Ledger.Rebuild(ctx, tx); return }); err != nil || len(fixed) != 1 || fixed[0] != b.AccountID {
			t.Errorf("rebuild: %v %v", err, fixed)
		}
		verifyLedger(t, f)

		// One movement edited by hand (past the triggers) breaks the sums
		// and the chain.
		dropLedgerTriggers(t, d)
		if _, err := d.Exec(ctx, `UPDATE lb_movements SET amount = amount + 1, balance_after = balance_after + 1 WHERE transfer_seq = 3 AND account_id = ?`, b.AccountID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Ledger.Verify(ctx, d); !errors.As(err, &p) || p.Seq != 3 || !strings.Contains(p.Reason, "sum") {
			t.Errorf("edited movement: %v", err)
		}
		// Both legs edited so the sums hold: the chain still shows it.
		if _, err := d.Exec(ctx, `UPDATE lb_movements SET amount = amount - 1, balance_after = balance_after - 1 WHERE transfer_seq = 3 AND account_id = ?`, a.AccountID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Ledger.Verify(ctx, d); !errors.As(err, &p) || p.Seq != 3 || !strings.Contains(p.Reason, "changed") {
			t.Errorf("balanced edit: %v", err)
		}
	})
}

func TestLedgerRemovedTransfer(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		a := f.volunteer(t, "甲", 1, 0)
		for range 3 {
			f.fund(t, a, 100)
		}
		dropLedgerTriggers(t, d)
		if _, err := d.Exec(ctx, `DELETE FROM lb_movements WHERE transfer_seq = 3`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `DELETE FROM lb_transfers WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		var p *LedgerProblem
		if _, err := f.s.Ledger.Verify(ctx, d); !errors.As(err, &p) || p.Seq != 3 {
			t.Errorf("removed last transfer: %v", err)
		}
	})
}

// TestConcurrentRedemptions spends one account from 100 goroutines at
// once, each with its own one-time code and key, with a retry of every
// tenth request beside it: the balance covers 50, so exactly 50 go
// through, none twice, and the account never goes below zero.
func TestConcurrentRedemptions(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		admin := f.user(t, "admin", auth.DistrictAdmin, f.district)
		userA := f.user(t, "vola", RoleVolunteer, f.community)
		staff := f.user(t, "cashier", RoleMerchantStaff, f.street)
		a := f.volunteer(t, "张志愿", 1, userA.UserID)
		f.fund(t, a, 5000)
		m, err := f.s.CreateMerchant(ctx, admin, MerchantInput{UnitID: f.street.ID, Name: "爱心超市"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddStaff(ctx, admin, m.ID, "cashier"); err != nil {
			t.Fatal(err)
		}
		const n = 100
		codes := make([]string, n)
		for i := range codes {
			p, err := f.s.NewPass(ctx, userA)
			if err != nil {
				t.Fatal(err)
			}
			codes[i] = p.Code
		}
		type result struct {
			r   *Redemption
			err error
		}
		var wg sync.WaitGroup
		results := make(chan result, n+n/10)
		start := make(chan struct{})
		for i := range n {
			send := func() {
				defer wg.Done()
				<-start
				r, err := f.s.Redeem(ctx, staff, RedeemInput{Code: codes[i], Amount: "1", Key: fmt.Sprintf("key-%d", i)})
				results <- result{r, err}
			}
			wg.Add(1)
			go send()
			if i%10 == 0 {
				wg.Add(1)
				go send()
			}
		}
		close(start)
		wg.Wait()
		close(results)
		ok, replayed, short := 0, 0, 0
		ids := map[int64]bool{}
		for res := range results {
			switch {
			case res.err == nil && res.r.Replayed:
				replayed++
				ids[res.r.ID] = true
			case res.err == nil:
				ok++
				ids[res.r.ID] = true
			case keyOf(res.err) == "lb.insufficient":
				short++
			default:
				t.Errorf("redeem: %v", res.err)
			}
		}
		var count int
		var sum int64
		if err := d.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM lb_redemptions`).Scan(&count, &sum); err != nil {
			t.Fatal(err)
		}
		me, _ := f.s.Me(ctx, userA)
		if count != 50 || sum != 5000 || len(ids) != 50 || me.Balance != 0 || ok != 50 {
			t.Errorf("%s: %d redemptions of %d, %d distinct, balance %v; %d ok, %d replayed, %d refused", d.Engine(), count, sum, len(ids), me.Balance, ok, replayed, short)
		}
		t.Logf("%s: %d ok, %d answered as retries, %d refused", d.Engine(), ok, replayed, short)
		verifyLedger(t, f)
	})
}

// killChildEnv, when set (to a database URL), makes the test binary a child
// that posts transfers until it is killed.
const killChildEnv = "GRASSROOTS_LEDGER_KILL_CHILD"

// TestLedgerSurvivesKill starts a child process that posts batches of
// transfers as fast as it can, kills it (SIGKILL) in the middle, and
// checks that the ledger is balanced and its chain whole; three times per
// engine.
func TestLedgerSurvivesKill(t *testing.T) {
	if url := os.Getenv(killChildEnv); url != "" {
		killChild(url)
		return
	}
	if testing.Short() {
		t.Skip("short")
	}
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url := dbtest.URL(t, engine)
			d, err := db.Open(ctx, url, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Migrate(ctx, testMigrations...); err != nil {
				t.Fatal(err)
			}
			f := setup(t, d)
			a := f.volunteer(t, "甲", 1, 0)
			b := f.volunteer(t, "乙", 2, 0)
			f.fund(t, a, 1_000_000)
			var last int64
			for round := range 3 {
				cmd := exec.Command(os.Args[0], "-test.run=^TestLedgerSurvivesKill$")
				cmd.Env = append(os.Environ(), killChildEnv+"="+url, fmt.Sprintf("KILL_ACCOUNTS=%d,%d", a.AccountID, b.AccountID))
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Wait until the child is posting, then kill it at a random moment.
				deadline := time.Now().Add(30 * time.Second)
				for {
					var seq int64
					_ = d.QueryRow(ctx, `SELECT seq FROM lb_head WHERE id = 1`).Scan(&seq)
					if seq > last+50 {
						break
					}
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						t.Fatalf("the child posted nothing")
					}
					time.Sleep(20 * time.Millisecond)
				}
				time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				_ = cmd.Wait()
				if engine == db.Postgres {
					// The server notices the dead connection and rolls back.
					time.Sleep(300 * time.Millisecond)
				}
				rep, err := f.s.Ledger.Verify(ctx, d)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				if rep.Transfers <= last {
					t.Errorf("round %d: no transfers were posted", round)
				}
				t.Logf("round %d: %d transfers, ledger whole", round, rep.Transfers)
				last = rep.Transfers
			}
		})
	}
}

// killChild posts batches of 20 transfers back and forth between two
// accounts, each batch in one transaction, until it is killed.
func killChild(url string) {
	ctx := context.Background()
	d, err := db.Open(ctx, url, os.TempDir())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var a, b int64
	fmt.Sscanf(os.Getenv("KILL_ACCOUNTS"), "%d,%d", &a, &b)
	l := &Ledger{}
	actor := auth.SystemActor("kill-test")
	for i := 0; ; i++ {
		err := d.InTx(ctx, func(tx *db.Tx) error {
			for j := range 20 {
				from, to := a, b
				if j%2 == 1 {
					from, to = b, a
				}
				if _, err := l.Post(ctx, tx, actor, TransferInput{Kind: KindRedeem, Memo: "kill test", Legs: []Leg{{from, -1}, {to, 1}}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
	}
}

// TestSettlementRacesReversal settles a merchant's day while the day's
// redemption is being reversed, round after round: one of the two wins,
// never both, so no redemption is both refunded and paid for, and the
// merchant's balance stays what it has not settled.
func TestSettlementRacesReversal(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		admin := f.user(t, "admin", auth.DistrictAdmin, f.district)
		userA := f.user(t, "vola", RoleVolunteer, f.community)
		staff := f.user(t, "cashier", RoleMerchantStaff, f.street)
		a := f.volunteer(t, "张志愿", 1, userA.UserID)
		f.fund(t, a, 100000)
		m, err := f.s.CreateMerchant(ctx, admin, MerchantInput{UnitID: f.street.ID, Name: "爱心超市"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddStaff(ctx, admin, m.ID, "cashier"); err != nil {
			t.Fatal(err)
		}
		redeem := func(at time.Time, key string) *Redemption {
			t.Helper()
			f.clock.Set(at)
			p, err := f.s.NewPass(ctx, userA)
			if err != nil {
				t.Fatal(err)
			}
			r, err := f.s.Redeem(ctx, staff, RedeemInput{Code: p.Code, Amount: "5", Key: key})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		day := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)
		for round := range 15 {
			// One redemption on the day settled, one the day after, so the
			// merchant always holds points the reversal could take.
			r1 := redeem(day, fmt.Sprintf("a%d", round))
			redeem(day.Add(24*time.Hour), fmt.Sprintf("b%d", round))
			f.clock.Set(day.Add(48 * time.Hour))
			var wg sync.WaitGroup
			var settleErr, reverseErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, settleErr = f.s.Settle(ctx, admin, m.ID, date.Today(day))
			}()
			go func() {
				defer wg.Done()
				_, reverseErr = f.s.Reverse(ctx, admin, r1.TransferSeq, "收银员误操作")
			}()
			wg.Wait()
			for _, err := range []error{settleErr, reverseErr} {
				if err != nil && apperr.CodeOf(err) != apperr.Conflict {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			day = day.Add(48 * time.Hour)
		}
		var both int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM lb_redemptions WHERE status = 'reversed' AND settlement_id IS NOT NULL`).Scan(&both); err != nil {
			t.Fatal(err)
		}
		rep, err := f.s.SettlementReport(ctx, admin, m.ID, date.Today(day))
		if err != nil {
			t.Fatal(err)
		}
		mm, err := f.s.Merchant(ctx, admin, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		acct, err := f.s.Account(ctx, admin, mm.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		if both != 0 || acct.Balance != rep.Amount {
			t.Errorf("%d redemptions reversed and settled; the merchant holds %v and has %v to settle", both, acct.Balance, rep.Amount)
		}
		verifyLedger(t, f)
	})
}

// TestPointsStayInTheirDistrict refuses a redemption at a shop of another
// district: that district's bank would settle points it never issued.
func TestPointsStayInTheirDistrict(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		mk := func(parent *org.Unit, typ org.UnitType, code, name string) *org.Unit {
			in := org.UnitInput{Type: typ, Code: code, Name: name}
			if parent != nil {
				in.ParentID = parent.ID
			}
			u, err := f.s.Orgs.CreateUnit(ctx, system, in)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		lianxi := mk(nil, org.District, "360402", "濂溪区")
		street := mk(lianxi, org.Street, "360402001", "十里街道")
		admin := f.user(t, "admin2", auth.DistrictAdmin, lianxi)
		staff := f.user(t, "cashier2", RoleMerchantStaff, street)
		userA := f.user(t, "vola", RoleVolunteer, f.community)
		a := f.volunteer(t, "张志愿", 1, userA.UserID)
		f.fund(t, a, 1000)
		m, err := f.s.CreateMerchant(ctx, admin, MerchantInput{UnitID: street.ID, Name: "濂溪爱心超市"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddStaff(ctx, admin, m.ID, "cashier2"); err != nil {
			t.Fatal(err)
		}
		p, err := f.s.NewPass(ctx, userA)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Redeem(ctx, staff, RedeemInput{Code: p.Code, Amount: "1", Key: "x1"}); keyOf(err) != "lb.other_district" {
			t.Errorf("redeeming in another district: %v", err)
		}
		me, err := f.s.Me(ctx, userA)
		if err != nil || me.Balance != 1000 {
			t.Errorf("balance after a refused redemption: %+v %v", me, err)
		}
	})
}

// TestTransfersHideTheOtherSide lets a street's staff see a redemption at
// their street's shop by a volunteer of another street: what moved, but
// not the volunteer's balance or name.
func TestTransfersHideTheOtherSide(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := setup(t, d)
		admin := f.user(t, "admin", auth.DistrictAdmin, f.district)
		street2 := f.user(t, "street2", auth.StreetStaff, f.street2)
		staff := f.user(t, "cashier", RoleMerchantStaff, f.street2)
		userA := f.user(t, "vola", RoleVolunteer, f.community)
		a := f.volunteer(t, "张志愿", 1, userA.UserID)
		f.fund(t, a, 1000)
		m, err := f.s.CreateMerchant(ctx, admin, MerchantInput{UnitID: f.street2.ID, Name: "人民路爱心超市"})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddStaff(ctx, admin, m.ID, "cashier"); err != nil {
			t.Fatal(err)
		}
		p, err := f.s.NewPass(ctx, userA)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.s.Redeem(ctx, staff, RedeemInput{Code: p.Code, Amount: "2", Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.s.Transfers(ctx, street2, KindRedeem, 10, 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("street 2's redemptions: %d %v", len(list), err)
		}
		one, err := f.s.Transfer(ctx, street2, r.TransferSeq)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range []Transfer{list[0], *one} {
			for _, mv := range tr.Movements {
				mine := mv.AccountID == m.AccountID
				if mv.Hidden == mine || (!mine && (mv.BalanceAfter != 0 || mv.Owner != "")) {
					t.Errorf("movement of account %d (the shop's: %t): %+v", mv.AccountID, mine, mv)
				}
			}
		}
		// The district sees both sides.
		full, err := f.s.Transfer(ctx, admin, r.TransferSeq)
		if err != nil {
			t.Fatal(err)
		}
		for _, mv := range full.Movements {
			if mv.Hidden {
				t.Errorf("the district does not see account %d", mv.AccountID)
			}
		}
	})
}
