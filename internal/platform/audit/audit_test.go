package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

var testMigrations = []db.Migrations{Migrations}

func record(t *testing.T, d *db.DB, e Entry) {
	t.Helper()
	if err := d.InTx(context.Background(), func(tx *db.Tx) error { return Record(context.Background(), tx, e) }); err != nil {
		t.Fatalf("record %s: %v", e.Action, err)
	}
}

// fill writes n entries, numbered in their EntityID.
func fill(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		record(t, d, Entry{ActorID: int64(i), Actor: fmt.Sprintf("user%d", i), IP: "10.0.0.1",
			Action: "thing.update", Entity: "thing", EntityID: fmt.Sprint(i), Detail: map[string]any{"n": i, "name": "名字"}})
	}
}

// all returns every row, oldest first.
func all(t *testing.T, d *db.DB) []Row {
	t.Helper()
	rows, err := List(context.Background(), d, Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
		rows[i], rows[j] = rows[j], rows[i]
	}
	return rows
}

// dropTriggers removes the append-only guard, as someone with direct access
// to the database could.
func dropTriggers(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	drops := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if d.Engine() == db.Postgres {
		drops = []string{`DROP TRIGGER audit_log_no_change ON audit_log`}
	}
	for _, q := range drops {
		if _, err := d.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

func problemOf(t *testing.T, err error) *Problem {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("Verify = %v, want a *Problem", err)
	}
	return p
}

func TestChain(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if n, err := Verify(ctx, d); n != 0 || err != nil {
			t.Errorf("Verify of an empty log = %d, %v", n, err)
		}
		at := time.Date(2025, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CST", 8*3600))
		record(t, d, Entry{At: at, ActorID: 7, Actor: "alice", IP: "10.0.0.9", Action: "unit.create", Entity: "unit", EntityID: "42", Detail: map[string]any{"name": "白水湖社区"}})
		record(t, d, Entry{Action: "system.start"}) // no actor, no detail
		fill(t, d, 5)

		rows := all(t, d)
		if len(rows) != 7 {
			t.Fatalf("%d rows, want 7", len(rows))
		}
		prev := ""
		seen := map[string]bool{}
		for i, r := range rows {
			if r.Seq != int64(i+1) {
				t.Errorf("row %d has seq %d", i, r.Seq)
			}
			if r.PrevHash != prev {
				t.Errorf("row %d prev_hash %q, want the hash before it %q", r.Seq, r.PrevHash, prev)
			}
			if len(r.Hash) != 64 || seen[r.Hash] {
				t.Errorf("row %d hash %q is not a fresh SHA-256", r.Seq, r.Hash)
			}
			seen[r.Hash] = true
			prev = r.Hash
		}
		first := rows[0]
		if !first.At.Equal(at.Truncate(time.Microsecond)) {
			t.Errorf("at = %v, want %v", first.At, at.Truncate(time.Microsecond))
		}
		if first.ActorID != 7 || first.Actor != "alice" || first.IP != "10.0.0.9" || first.Entity != "unit" || first.EntityID != "42" {
			t.Errorf("first row = %+v", first)
		}
		if first.Detail != `{"name":"白水湖社区"}` {
			t.Errorf("detail = %s", first.Detail)
		}
		if rows[1].Detail != "{}" || rows[1].ActorID != 0 || rows[1].At.IsZero() {
			t.Errorf("a bare entry = %+v", rows[1])
		}
		var nullActors int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE actor_id IS NULL`).Scan(&nullActors); err != nil || nullActors != 1 {
			t.Errorf("%d rows with no actor id, want 1 (%v)", nullActors, err)
		}
		if n, err := Verify(ctx, d); n != 7 || err != nil {
			t.Errorf("Verify = %d, %v; want 7, nil", n, err)
		}

		// An entry in a transaction that rolls back leaves no trace and no gap.
		boom := errors.New("boom")
		err := d.InTx(ctx, func(tx *db.Tx) error {
			if err := Record(ctx, tx, Entry{Action: "thing.delete"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		record(t, d, Entry{Action: "after.rollback"})
		rows = all(t, d)
		if last := rows[len(rows)-1]; last.Seq != 8 || last.Action != "after.rollback" {
			t.Errorf("after a rollback the next entry is %d %s", last.Seq, last.Action)
		}
		if n, err := Verify(ctx, d); n != 8 || err != nil {
			t.Errorf("Verify = %d, %v; want 8, nil", n, err)
		}

		// A detail that cannot be written fails the entry, and writes nothing.
		err = d.InTx(ctx, func(tx *db.Tx) error { return Record(ctx, tx, Entry{Action: "bad", Detail: make(chan int)}) })
		if err == nil {
			t.Errorf("an unmarshalable detail was recorded")
		}
		if n, err := Verify(ctx, d); n != 8 || err != nil {
			t.Errorf("Verify = %d, %v; want 8, nil", n, err)
		}
	})
}

func TestAppendOnly(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		fill(t, d, 3)
		if _, err := d.Exec(ctx, `UPDATE audit_log SET actor = 'nobody' WHERE seq = 2`); err == nil {
			t.Errorf("the audit log accepted an update")
		}
		if _, err := d.Exec(ctx, `DELETE FROM audit_log WHERE seq = 3`); err == nil {
			t.Errorf("the audit log accepted a delete")
		}
		if n, err := Verify(ctx, d); n != 3 || err != nil {
			t.Errorf("Verify = %d, %v; want 3, nil", n, err)
		}
	})
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, d *db.DB)
		seq    int64  // the entry Verify must name
		good   int64  // the good entries before it
		reason string // part of the reason
	}{
		{"changed actor", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET actor = 'nobody' WHERE seq = 3`)
		}, 3, 2, "changed"},
		{"changed detail", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET detail = '{"n":4,"name":"x"}' WHERE seq = 4`)
		}, 4, 3, "changed"},
		{"changed time", func(t *testing.T, d *db.DB) {
			var at time.Time
			if err := d.QueryRow(context.Background(), `SELECT at FROM audit_log WHERE seq = 2`).Scan(&at); err != nil {
				t.Fatal(err)
			}
			exec(t, d, `UPDATE audit_log SET at = ? WHERE seq = 2`, at.Add(-time.Hour))
		}, 2, 1, "changed"},
		{"changed actor id", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET actor_id = NULL WHERE seq = 1`)
		}, 1, 0, "changed"},
		{"changed last entry", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET action = 'thing.read' WHERE seq = 5`)
		}, 5, 4, "changed"},
		{"removed entry", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 3`)
		}, 3, 2, "missing"},
		{"removed last entry", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, 4, "missing"},
		{"removed first entry", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 1`)
		}, 1, 0, "missing"},
		{"renumbered to hide a removal", func(t *testing.T, d *db.DB) {
			exec(t, d, `DELETE FROM audit_log WHERE seq = 3`)
			exec(t, d, `UPDATE audit_log SET seq = 3 WHERE seq = 4`)
			exec(t, d, `UPDATE audit_log SET seq = 4 WHERE seq = 5`)
		}, 3, 2, "follow"},
		{"swapped entries", func(t *testing.T, d *db.DB) {
			exec(t, d, `UPDATE audit_log SET seq = 100 WHERE seq = 2`)
			exec(t, d, `UPDATE audit_log SET seq = 2 WHERE seq = 3`)
			exec(t, d, `UPDATE audit_log SET seq = 3 WHERE seq = 100`)
		}, 2, 1, "follow"},
		{"rewritten with a fresh hash", func(t *testing.T, d *db.DB) {
			// Whoever changes a row and recomputes its hash still breaks the
			// link from the next row.
			r := rowAt(t, d, 3)
			r.Actor = "nobody"
			r.Hash = r.computeHash()
			exec(t, d, `UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 3`, r.Actor, r.Hash)
		}, 4, 3, "follow"},
		{"extra entry", func(t *testing.T, d *db.DB) {
			// An entry added by hand, chained correctly, but past the head.
			last := rowAt(t, d, 5)
			r := Row{Seq: 6, At: last.At, Actor: "ghost", Action: "x", Detail: "{}", PrevHash: last.Hash}
			r.Hash = r.computeHash()
			exec(t, d, `INSERT INTO audit_log (seq, at, actor, ip, action, entity, entity_id, detail, prev_hash, hash)
				VALUES (?, ?, ?, '', ?, '', '', ?, ?, ?)`, r.Seq, r.At, r.Actor, r.Action, r.Detail, r.PrevHash, r.Hash)
		}, 7, 6, "should end at entry 5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
				ctx := context.Background()
				fill(t, d, 5)
				if n, err := Verify(ctx, d); n != 5 || err != nil {
					t.Fatalf("Verify before = %d, %v", n, err)
				}
				dropTriggers(t, d)
				c.change(t, d)
				n, err := Verify(ctx, d)
				p := problemOf(t, err)
				if p.Seq != c.seq || n != c.good || !strings.Contains(p.Reason, c.reason) {
					t.Errorf("Verify = %d, %v; want %d good and entry %d (%s)", n, err, c.good, c.seq, c.reason)
				}
				if !strings.Contains(err.Error(), fmt.Sprintf("audit entry %d", c.seq)) {
					t.Errorf("error %q does not name entry %d", err, c.seq)
				}
			})
		})
	}
}

func exec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func rowAt(t *testing.T, d *db.DB, seq int64) Row {
	t.Helper()
	for _, r := range all(t, d) {
		if r.Seq == seq {
			return r
		}
	}
	t.Fatalf("no row %d", seq)
	return Row{}
}

// TestHashCoversFields checks that each field is in the hash, and that
// moving text from one field to the next changes it.
func TestHashCoversFields(t *testing.T) {
	base := Row{Seq: 3, At: time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC), ActorID: 4, Actor: "alice", IP: "1.2.3.4",
		Action: "a.b", Entity: "unit", EntityID: "9", Detail: "{}", PrevHash: "abc"}
	h := base.computeHash()
	for name, change := range map[string]func(r *Row){
		"seq":       func(r *Row) { r.Seq++ },
		"at":        func(r *Row) { r.At = r.At.Add(time.Microsecond) },
		"actor id":  func(r *Row) { r.ActorID = 0 },
		"actor":     func(r *Row) { r.Actor = "alicf" },
		"ip":        func(r *Row) { r.IP = "1.2.3.5" },
		"action":    func(r *Row) { r.Action = "a.c" },
		"entity":    func(r *Row) { r.Entity = "user" },
		"entity id": func(r *Row) { r.EntityID = "8" },
		"detail":    func(r *Row) { r.Detail = `{"x":1}` },
		"prev hash": func(r *Row) { r.PrevHash = "abd" },
		"shifted":   func(r *Row) { r.Actor, r.IP = "alice1", ".2.3.4" },
		"moved":     func(r *Row) { r.Entity, r.EntityID = "unit9", "" },
	} {
		r := base
		change(&r)
		if r.computeHash() == h {
			t.Errorf("changing %s keeps the hash", name)
		}
	}
	// The time zone of At does not matter, only the instant.
	r := base
	r.At = r.At.In(time.FixedZone("CST", 8*3600))
	if r.computeHash() != h {
		t.Errorf("the zone of At changes the hash")
	}
}

func TestConcurrentAppends(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := d.InTx(ctx, func(tx *db.Tx) error {
						return Record(ctx, tx, Entry{ActorID: int64(w + 1), Actor: fmt.Sprintf("w%d", w), Action: "thing.update", Entity: "thing", EntityID: fmt.Sprint(i)})
					})
					if err != nil {
						errs <- fmt.Errorf("writer %d entry %d: %w", w, i, err)
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		n, err := Verify(ctx, d)
		if err != nil || n != writers*each {
			t.Fatalf("Verify = %d, %v; want %d, nil", n, err, writers*each)
		}
		perWriter := map[int64]map[string]bool{}
		for _, r := range all(t, d) {
			if perWriter[r.ActorID] == nil {
				perWriter[r.ActorID] = map[string]bool{}
			}
			perWriter[r.ActorID][r.EntityID] = true
		}
		for w := int64(1); w <= writers; w++ {
			if len(perWriter[w]) != each {
				t.Errorf("writer %d has %d entries, want %d", w, len(perWriter[w]), each)
			}
		}
	})
}

func TestList(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		fill(t, d, 6)
		record(t, d, Entry{ActorID: 2, Actor: "user2", Action: "login", Entity: "user", EntityID: "2"})
		seqs := func(f Filter) []int64 {
			rows, err := List(ctx, d, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rows {
				out = append(out, r.Seq)
			}
			return out
		}
		for _, c := range []struct {
			f    Filter
			want string
		}{
			{Filter{}, "[7 6 5 4 3 2 1]"},
			{Filter{Limit: 2}, "[7 6]"},
			{Filter{BeforeSeq: 3}, "[2 1]"},
			{Filter{BeforeSeq: 6, Limit: 2}, "[5 4]"},
			{Filter{ActorID: 2}, "[7 2]"},
			{Filter{Action: "login"}, "[7]"},
			{Filter{Entity: "thing"}, "[6 5 4 3 2 1]"},
			{Filter{Entity: "thing", EntityID: "4"}, "[4]"},
			{Filter{Entity: "thing", EntityID: "2", ActorID: 2}, "[2]"},
			{Filter{Entity: "nothing"}, "[]"},
			// A value that looks like SQL is only a value.
			{Filter{Action: "x' OR '1'='1"}, "[]"},
		} {
			if got := fmt.Sprint(seqs(c.f)); got != c.want {
				t.Errorf("List(%+v) = %s, want %s", c.f, got, c.want)
			}
		}
	})
}
