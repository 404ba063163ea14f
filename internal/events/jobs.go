package events

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

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

// RegisterJobs adds the deadline sweep's worker to r and runs the sweep
// every sweepEvery (0: every minute); app calls it before starting the
// runner. Notifications are delivered by platform/notify's job.
func (s *Store) RegisterJobs(r *jobs.Runner, sweepEvery time.Duration) {
	if sweepEvery <= 0 {
		sweepEvery = time.Minute
	}
	jobs.Register(r, &sweepWorker{s: s})
	r.Every(sweepEvery, func() river.JobArgs { return SweepArgs{} })
}
