package volunteer

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// Benchmarks of the love bank ledger, each on every engine the tests
// reach, with its baseline in the same run:
//
//	go test ./internal/volunteer -run '^$' -bench Transfer -benchtime 2000x
//	go test ./internal/volunteer -run '^$' -bench BalanceRead -benchtime 20000x
//
// BenchmarkTransfer: one transfer per transaction through the ledger
// (Post: the balance checks in the UPDATEs, the chain's head, the
// transfer and its two movements), through the store's redemption (the
// one-time code, the idempotency key, the transfer, the redemption row,
// the audit entry),
// against a raw SQL transaction inserting two movement rows into a table
// with no checks. The API's figure is in internal/app (BenchmarkRedeemAPI).
//
// BenchmarkBalanceRead: reading an account's balance as its movements
// grow (10k, 1M, then GRASSROOTS_BENCH_LEDGER_ROWS, default 10M), written
// with raw bulk inserts; beside it, what rebuilding that balance from the
// movements costs (µs/sum, measured once), to show why balances are kept.

func benchEngines(b *testing.B, fn func(b *testing.B, d *db.DB)) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) { fn(b, dbtest.Open(b, e, testMigrations)) })
	}
}

func BenchmarkTransfer(b *testing.B) {
	benchEngines(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		f := setup(b, d)
		f.clock.Set(time.Now())
		admin := f.user(b, "admin", auth.DistrictAdmin, f.district)
		userA := f.user(b, "vola", RoleVolunteer, f.community)
		staff := f.user(b, "cashier", RoleMerchantStaff, f.street)
		a := f.volunteer(b, "甲", 1, userA.UserID)
		c := f.volunteer(b, "乙", 2, 0)
		f.fund(b, a, 1e9)
		m, err := f.s.CreateMerchant(ctx, admin, MerchantInput{UnitID: f.street.ID, Name: "超市"})
		if err != nil {
			b.Fatal(err)
		}
		if err := f.s.AddStaff(ctx, admin, m.ID, "cashier"); err != nil {
			b.Fatal(err)
		}
		b.Run("raw-two-movements", func(b *testing.B) {
			if _, err := d.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_movements (id `+map[db.Engine]string{db.SQLite: "INTEGER PRIMARY KEY", db.Postgres: "BIGSERIAL PRIMARY KEY"}[d.Engine()]+
				`, transfer BIGINT NOT NULL, account BIGINT NOT NULL, amount BIGINT NOT NULL)`); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					_, err := tx.Exec(ctx, `INSERT INTO bench_movements (transfer, account, amount) VALUES (?, ?, ?), (?, ?, ?)`, i, a.AccountID, -1, i, c.AccountID, 1)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
		})
		b.Run("ledger-post", func(b *testing.B) {
			for range b.N {
				err := d.InTx(ctx, func(tx *db.Tx) error {
					_, err := f.s.Ledger.Post(ctx, tx, admin, TransferInput{Kind: KindRedeem, Memo: "bench", Legs: []Leg{{a.AccountID, -1}, {c.AccountID, 1}}})
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
		})
		round := 0
		b.Run("store-redeem", func(b *testing.B) {
			b.StopTimer()
			round++
			codes := make([]string, b.N)
			for i := range codes {
				p, err := f.s.NewPass(ctx, userA)
				if err != nil {
					b.Fatal(err)
				}
				codes[i] = p.Code
			}
			b.StartTimer()
			for i := range b.N {
				if _, err := f.s.Redeem(ctx, staff, RedeemInput{Code: codes[i], Amount: "0.01", Key: fmt.Sprintf("bench-%d-%d", round, i)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
		})
		if _, err := f.s.Ledger.Verify(ctx, d); err != nil {
			b.Fatalf("ledger after the benchmark: %v", err)
		}
	})
}

func BenchmarkBalanceRead(b *testing.B) {
	top := 10_000_000
	if s := os.Getenv("GRASSROOTS_BENCH_LEDGER_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		top = n
	}
	benchEngines(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		f := setup(b, d)
		a := f.volunteer(b, "甲", 1, 0)
		c := f.volunteer(b, "乙", 2, 0)
		have := 0
		for _, n := range []int{10_000, 1_000_000, top} {
			if n <= have || n > top {
				continue
			}
			start := time.Now()
			if err := bulkMovements(ctx, d, have, n, a.AccountID, c.AccountID); err != nil {
				b.Fatal(err)
			}
			have = n
			b.Logf("%s: %d movements written in %v", d.Engine(), n, time.Since(start).Round(time.Millisecond))
			b.Run(fmt.Sprintf("movements-%d", n), func(b *testing.B) {
				for range b.N {
					if _, err := f.s.Ledger.Balance(ctx, d, a.AccountID); err != nil {
						b.Fatal(err)
					}
				}
				// Beside it, once (it grows with the history): the same
				// balance summed from the account's movements.
				b.StopTimer()
				t := time.Now()
				var sum int64
				if err := d.QueryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM lb_movements WHERE account_id = ?`, a.AccountID).Scan(&sum); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(time.Since(t).Microseconds()), "µs/sum")
				b.StartTimer()
			})
		}
	})
}

// bulkMovements writes transfers from seq from+1 to to/2 and their two
// movements each between accounts x and y with raw INSERT ... SELECT
// statements generating the rows in the database (no chain: the
// benchmark reads balances, it does not verify).
func bulkMovements(ctx context.Context, d *db.DB, from, to int, x, y int64) error {
	lo, hi := from/2, to/2
	const step = 500_000
	for s := lo; s < hi; s += step {
		e := min(s+step, hi)
		series := fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT %d UNION ALL SELECT n + 1 FROM g WHERE n < %d) `, s+1, e)
		if d.Engine() == db.Postgres {
			series = fmt.Sprintf(`WITH g(n) AS (SELECT generate_series(%d, %d)) `, s+1, e)
		}
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if _, err := tx.Exec(ctx, series+`INSERT INTO lb_transfers (seq, kind, memo, actor, at, prev_hash, hash) SELECT n, 'redeem', 'bulk', 'bench', ?, '', '' FROM g`, time.Now().UTC()); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, series+`INSERT INTO lb_movements (transfer_seq, account_id, amount, balance_after) SELECT n, ?, -1, 0 FROM g`, x); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, series+`INSERT INTO lb_movements (transfer_seq, account_id, amount, balance_after) SELECT n, ?, 1, 0 FROM g`, y)
			return err
		})
		if err != nil {
			return err
		}
	}
	return d.Analyze(ctx)
}
