// Package audit keeps the append-only, hash-chained audit log: every login,
// good or bad, and every write, with who, when, from where, what and which
// record.
//
// Each row's hash covers its own fields and the hash of the row before, and a
// head row holds the last sequence number and hash; a changed, removed or
// re-ordered row breaks the chain, and Verify names the first bad one. Rows
// are written in the same transaction as the change they describe, at its
// end, so that the head row's lock is held only for the commit.
package audit

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"grassroots/internal/platform/db"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the audit tables.
var Migrations = db.Migrations{Module: "audit", FS: db.Sub(migrationFiles, "migrations")}

// Entry is one thing that happened.
type Entry struct {
	At       time.Time
	ActorID  int64  // 0 for the system or an unknown user
	Actor    string // user name as typed or known
	IP       string
	Action   string // e.g. "login.failed", "unit.create"
	Entity   string // e.g. "unit"
	EntityID string
	Detail   any // marshalled as JSON
}

// Row is an entry as stored.
type Row struct {
	Seq      int64
	At       time.Time
	ActorID  int64
	Actor    string
	IP       string
	Action   string
	Entity   string
	EntityID string
	Detail   string
	PrevHash string
	Hash     string
}

// Record appends e to the log inside the caller's transaction.
func Record(ctx context.Context, tx *db.Tx, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	detail := "{}"
	if e.Detail != nil {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		detail = string(b)
	}
	var seq int64
	var prev string
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`+db.ForUpdate(tx.Engine())).Scan(&seq, &prev); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	r := Row{
		Seq: seq + 1, At: e.At.UTC().Truncate(time.Microsecond), ActorID: e.ActorID, Actor: e.Actor, IP: e.IP,
		Action: e.Action, Entity: e.Entity, EntityID: e.EntityID, Detail: detail, PrevHash: prev,
	}
	r.Hash = r.computeHash()
	var actorID any
	if r.ActorID != 0 {
		actorID = r.ActorID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor, ip, action, entity, entity_id, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Seq, r.At, actorID, r.Actor, r.IP, r.Action, r.Entity, r.EntityID, r.Detail, r.PrevHash, r.Hash); err != nil {
		return fmt.Errorf("audit insert: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`, r.Seq, r.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

// computeHash hashes the row's content and the previous hash. Fields are
// length-prefixed so that no two different rows hash the same text.
func (r Row) computeHash() string {
	h := sha256.New()
	for _, f := range []string{
		r.PrevHash, strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano),
		strconv.FormatInt(r.ActorID, 10), r.Actor, r.IP, r.Action, r.Entity, r.EntityID, r.Detail,
	} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Problem describes the first place where the chain is broken.
type Problem struct {
	Seq    int64
	Reason string
}

func (p *Problem) Error() string { return fmt.Sprintf("audit entry %d: %s", p.Seq, p.Reason) }

// Verify walks the whole log in order and returns the number of good rows, and
// a *Problem naming the first bad row if the chain is broken.
func Verify(ctx context.Context, q db.Querier) (int64, error) {
	var n, lastSeq int64
	lastHash := ""
	err := db.Each(ctx, q, func(sc db.Scanner) error {
		r, err := scanRow(sc)
		if err != nil {
			return err
		}
		switch {
		case r.Seq != lastSeq+1:
			return &Problem{Seq: lastSeq + 1, Reason: "missing (removed)"}
		case r.PrevHash != lastHash:
			return &Problem{Seq: r.Seq, Reason: "does not follow the entry before it"}
		case r.computeHash() != r.Hash:
			return &Problem{Seq: r.Seq, Reason: "changed after it was written"}
		}
		lastSeq, lastHash = r.Seq, r.Hash
		n++
		return nil
	}, `SELECT `+rowCols+` FROM audit_log ORDER BY seq`)
	if err != nil {
		return n, err
	}
	var headSeq int64
	var headHash string
	if err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return n, err
	}
	if headSeq != lastSeq || headHash != lastHash {
		return n, &Problem{Seq: lastSeq + 1, Reason: fmt.Sprintf("missing: the log should end at entry %d", headSeq)}
	}
	return n, nil
}

// Head returns the sequence number of the last entry, 0 while the log is
// empty. Every write appends an entry in its own transaction, so an
// unchanged head means nothing was written since, on any instance.
func Head(ctx context.Context, q db.Querier) (int64, error) {
	var seq int64
	err := q.QueryRow(ctx, `SELECT seq FROM audit_head WHERE id = 1`).Scan(&seq)
	return seq, err
}

// CountBetween counts the entries after sequence number after, up to and
// including upTo, whose action is none of except.
func CountBetween(ctx context.Context, q db.Querier, after, upTo int64, except ...string) (int, error) {
	query := `SELECT COUNT(*) FROM audit_log WHERE seq > ? AND seq <= ?`
	args := []any{after, upTo}
	if len(except) > 0 {
		query += ` AND action NOT IN (` + db.Placeholders(len(except)) + `)`
		for _, a := range except {
			args = append(args, a)
		}
	}
	var n int
	err := q.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

// Filter selects audit rows.
type Filter struct {
	Entity    string
	EntityID  string
	ActorID   int64
	Actor     string // the user name as written in the entry
	Action    string
	From, To  time.Time // entries at or after From and before To, where set
	Limit     int
	Offset    int
	BeforeSeq int64
}

// where is the SQL condition and arguments of f.
func (f Filter) where() (string, []any) {
	where, args := "1=1", []any{}
	add := func(cond string, v any) {
		where += " AND " + cond
		args = append(args, v)
	}
	if f.Entity != "" {
		add("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		add("entity_id = ?", f.EntityID)
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Actor != "" {
		add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	return where, args
}

// Count counts the rows matching f (its Limit and Offset aside).
func Count(ctx context.Context, q db.Querier, f Filter) (int, error) {
	where, args := f.where()
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+where, args...).Scan(&n)
	return n, err
}

// MaxLimit is the most rows List returns at once.
const MaxLimit = 50000

// List returns rows matching f, newest first: f.Limit of them (100 if
// unset, at most MaxLimit) after skipping f.Offset.
func List(ctx context.Context, q db.Querier, f Filter) ([]Row, error) {
	where, args := f.where()
	if f.Limit <= 0 {
		f.Limit = 100
	}
	f.Limit = min(f.Limit, MaxLimit)
	page := ` LIMIT ` + strconv.Itoa(f.Limit)
	if f.Offset > 0 {
		page += ` OFFSET ` + strconv.Itoa(f.Offset)
	}
	return db.All(ctx, q, scanRow, `SELECT `+rowCols+` FROM audit_log WHERE `+where+` ORDER BY seq DESC`+page, args...)
}

// rowCols are the columns of audit_log that scanRow reads, in its order.
const rowCols = `seq, at, COALESCE(actor_id, 0), actor, ip, action, entity, entity_id, detail, prev_hash, hash`

// scanRow reads one row of a SELECT of rowCols.
func scanRow(sc db.Scanner) (Row, error) {
	var r Row
	err := sc.Scan(&r.Seq, &r.At, &r.ActorID, &r.Actor, &r.IP, &r.Action, &r.Entity, &r.EntityID, &r.Detail, &r.PrevHash, &r.Hash)
	return r, err
}
