package notify

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/jobs"
)

// Store keeps the notifications.
type Store struct {
	db *db.DB
	// Now is the clock.
	Now func() time.Time
	// Jobs, when set, receives a delivery job for the notifications each
	// Send writes, inserted with the transaction's commit.
	Jobs *jobs.Runner
}

// NewStore returns the notifications of d.
func NewStore(d *db.DB) *Store { return &Store{db: d, Now: time.Now} }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// Send leaves m for each of users (once per user, in the order given;
// users that no longer exist are passed over) in tx, and queues their
// delivery beyond the app for when tx commits.
func (s *Store) Send(ctx context.Context, tx *db.Tx, users []int64, m Message) (err error) {
	defer apperr.Trace(&err, "notify.Store.Send(%s)", m.Kind)
	msg, err := encode(m)
	if err != nil {
		return err
	}
	ts := "?"
	if tx.Engine() == db.Postgres {
		ts = "CAST(? AS TIMESTAMPTZ)"
	}
	now := s.now()
	seen := map[int64]bool{}
	var ids []int64
	for _, u := range users {
		if u == 0 || seen[u] {
			continue
		}
		seen[u] = true
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO notify_messages (user_id, subject_type, subject_id, kind, message, created_at)
			SELECT id, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), `+ts+` FROM users WHERE id = ? RETURNING id`,
			m.Subject.Type, m.Subject.ID, m.Kind, msg, now, u).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if len(ids) > 0 && s.Jobs != nil {
		s.Jobs.InsertAfterCommit(tx, DeliverArgs{IDs: ids}, nil)
	}
	return nil
}

// List returns a page of the user's notifications, newest first (limit
// rows from offset), and how many they have in all.
func (s *Store) List(ctx context.Context, userID int64, offset, limit int) (_ []Notification, _ int, err error) {
	defer apperr.Trace(&err, "notify.Store.List(%d)", userID)
	if userID == 0 {
		return nil, 0, nil
	}
	var total int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM notify_messages WHERE user_id = ?`, userID).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := db.All(ctx, s.db, scan, `SELECT `+cols+` FROM notify_messages WHERE user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`,
		userID, limit, offset)
	return list, total, err
}

// Unread counts the user's unread notifications.
func (s *Store) Unread(ctx context.Context, userID int64) (_ int, err error) {
	defer apperr.Trace(&err, "notify.Store.Unread(%d)", userID)
	var n int
	err = s.db.QueryRow(ctx, `SELECT COUNT(*) FROM notify_messages WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkRead marks all of the user's notifications read.
func (s *Store) MarkRead(ctx context.Context, userID int64) (err error) {
	defer apperr.Trace(&err, "notify.Store.MarkRead(%d)", userID)
	_, err = s.db.Exec(ctx, `UPDATE notify_messages SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, s.now(), userID)
	return err
}

// Open marks one of the user's notifications read and returns it; another
// user's, or one that is gone, is not found.
func (s *Store) Open(ctx context.Context, userID, id int64) (_ *Notification, err error) {
	defer apperr.Trace(&err, "notify.Store.Open(%d)", id)
	if _, err := s.db.Exec(ctx, `UPDATE notify_messages SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`, s.now(), id, userID); err != nil {
		return nil, err
	}
	n, err := s.byID(ctx, id)
	if err != nil {
		return nil, err
	}
	if n == nil || n.UserID != userID {
		return nil, apperr.NotFoundf("notify.notification")
	}
	return n, nil
}

// byID returns one notification, or nil when it is gone (its user deleted).
func (s *Store) byID(ctx context.Context, id int64) (*Notification, error) {
	list, err := db.All(ctx, s.db, scan, `SELECT `+cols+` FROM notify_messages WHERE id = ?`, id)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

const cols = `id, user_id, subject_type, subject_id, kind, message, created_at, read_at`

// scan reads one row of a SELECT of cols.
func scan(r db.Scanner) (Notification, error) {
	var n Notification
	var msg string
	var read sql.NullTime
	if err := r.Scan(&n.ID, &n.UserID, &n.Subject.Type, &n.Subject.ID, &n.Kind, &msg, &n.CreatedAt, &read); err != nil {
		return n, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	if read.Valid {
		t := read.Time.UTC()
		n.ReadAt = &t
	}
	n.decode(msg)
	return n, nil
}
