package events

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/jobs"
)

// SweepArgs is the deadline sweep job: the leader instance enqueues one
// every minute; any instance may work it.
type SweepArgs struct{}

// Kind names the job in River's table.
func (SweepArgs) Kind() string { return "events_deadline_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	s *Store
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	n, err := w.s.Sweep(ctx)
	if n > 0 {
		slog.Info("deadline sweep", "changed", n)
	}
	return err
}

// NotifyArgs passes notifications on beyond the app.
type NotifyArgs struct {
	IDs []int64 `json:"ids"`
}

// Kind names the job in River's table.
func (NotifyArgs) Kind() string { return "events_notify" }

// Notifier delivers a notification beyond the app: by SMS, a messaging app,
// e-mail. The in-app notification is already stored when it is called.
type Notifier interface {
	Notify(ctx context.Context, n Notification) error
}

// LogNotifier writes notifications to the log; the default until a
// district connects an SMS gateway or a messaging app.
type LogNotifier struct{}

// Notify logs n.
func (LogNotifier) Notify(_ context.Context, n Notification) error {
	slog.Info("notification", "user", n.UserID, "event", n.EventID, "text", n.Text(i18n.Zh))
	return nil
}

type notifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	s *Store
	n Notifier
}

func (w *notifyWorker) Work(ctx context.Context, j *river.Job[NotifyArgs]) error {
	for _, id := range j.Args.IDs {
		n, err := w.s.notification(ctx, id)
		if err != nil {
			return err
		}
		if n == nil {
			continue
		}
		if err := w.n.Notify(ctx, *n); err != nil {
			return err
		}
	}
	return nil
}

// RegisterJobs adds the module's workers and its periodic sweep to r; app
// calls it before starting the runner. notifier may be nil (LogNotifier).
func (s *Store) RegisterJobs(r *jobs.Runner, notifier Notifier, sweepEvery time.Duration) {
	if notifier == nil {
		notifier = LogNotifier{}
	}
	if sweepEvery <= 0 {
		sweepEvery = time.Minute
	}
	s.Jobs = r
	jobs.Register(r, &sweepWorker{s: s})
	jobs.Register(r, &notifyWorker{s: s, n: notifier})
	r.Every(sweepEvery, func() river.JobArgs { return SweepArgs{} })
}

// Notification is a message for one user about one event.
type Notification struct {
	ID        int64
	UserID    int64
	EventID   int64
	Kind      string
	Key       string
	Args      []any
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Text puts the notification into words.
func (n Notification) Text(lang i18n.Lang) string { return i18n.T(lang, n.Key, n.Args...) }

func (n *Notification) decode(msg string) {
	var m struct {
		Key  string `json:"key"`
		Args []any  `json:"args"`
	}
	_ = json.Unmarshal([]byte(msg), &m)
	n.Key, n.Args = m.Key, m.Args
	for i, a := range n.Args {
		if f, ok := a.(float64); ok && f == float64(int64(f)) {
			n.Args[i] = int64(f)
		}
	}
}

func (s *Store) notification(ctx context.Context, id int64) (*Notification, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+notificationCols+` FROM notifications WHERE id = ?`, id)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	list, err := scanNotifications(rows)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return &list[0], nil
}

// Notifications returns the actor's latest notifications and how many are unread.
func (s *Store) Notifications(ctx context.Context, actor *auth.Actor, limit int) ([]Notification, int, error) {
	if actor == nil || actor.UserID == 0 {
		return nil, 0, nil
	}
	var unread int
	if err := s.DB.QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, actor.UserID).Scan(&unread); err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	rows, err := s.DB.Query(ctx, `SELECT `+notificationCols+` FROM notifications WHERE user_id = ? ORDER BY id DESC LIMIT ?`, actor.UserID, limit)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	list, err := scanNotifications(rows)
	return list, unread, err
}

// MarkRead marks all of the actor's notifications read.
func (s *Store) MarkRead(ctx context.Context, actor *auth.Actor) error {
	_, err := s.DB.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, s.now(), actor.UserID)
	return apperr.Wrap(err)
}

const notificationCols = `id, user_id, COALESCE(event_id, 0), kind, message, created_at, read_at`

// scanNotifications reads the rows of a SELECT of notificationCols and closes them.
func scanNotifications(rows *sql.Rows) ([]Notification, error) {
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var msg string
		var read *time.Time
		if err := rows.Scan(&n.ID, &n.UserID, &n.EventID, &n.Kind, &msg, &n.CreatedAt, &read); err != nil {
			return nil, apperr.Wrap(err)
		}
		n.ReadAt = read
		n.decode(msg)
		out = append(out, n)
	}
	return out, apperr.Wrap(rows.Err())
}
