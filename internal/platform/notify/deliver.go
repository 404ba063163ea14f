package notify

import (
	"context"
	"log/slog"

	"github.com/riverqueue/river"

	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/jobs"
)

// DeliverArgs is the job that passes notifications on beyond the app.
type DeliverArgs struct {
	IDs []int64 `json:"ids"`
}

// Kind names the job in River's table.
func (DeliverArgs) Kind() string { return "notify_deliver" }

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
	slog.Info("notification", "user", n.UserID, "subject", n.Subject.Type, "id", n.Subject.ID, "text", n.Text(i18n.Zh))
	return nil
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	s *Store
	n Notifier
}

func (w *deliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	for _, id := range j.Args.IDs {
		n, err := w.s.byID(ctx, id)
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

// RegisterJobs makes r deliver what Send writes, through notifier (nil:
// LogNotifier); app calls it before starting the runner.
func (s *Store) RegisterJobs(r *jobs.Runner, notifier Notifier) {
	if notifier == nil {
		notifier = LogNotifier{}
	}
	s.Jobs = r
	jobs.Register(r, &deliverWorker{s: s, n: notifier})
}
