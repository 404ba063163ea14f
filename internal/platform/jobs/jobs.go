// Package jobs runs work that outlives a request (deadline warnings,
// escalations, notifications) as durable jobs in the application's own
// database, with River: SQLite through riversqlite on the writer
// connection, PostgreSQL through riverpgxv5 on the pgx pool.
//
// A job is a row until a worker completes it, so a crash or a restart loses
// nothing; on PostgreSQL several instances share the queue and River locks
// each job for one of them (SELECT ... FOR UPDATE SKIP LOCKED), and only the
// elected leader enqueues periodic jobs. Workers should still be idempotent
// (a job whose worker crashed mid-way runs again): the events module's
// deadline sweep changes a row only if it still is in the state it read.
//
// Use: New, then Register workers and Every for periodic jobs, then Start;
// Insert works from New on (an instance that only enqueues need not Start).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"grassroots/internal/platform/db"
)

// Config tunes a runner.
type Config struct {
	// Workers is how many jobs one instance works at once (default 4).
	Workers int
	// PollInterval is how often an idle instance looks for jobs (default 1s).
	PollInterval time.Duration
	// Logger receives River's log (default: warnings and errors to stderr).
	Logger *slog.Logger
	// ID names the instance in River's tables (default: host name and pid).
	ID string
}

// Runner is one instance's job client.
type Runner struct {
	db      *db.DB
	cfg     Config
	workers *river.Workers
	periods []*river.PeriodicJob

	mu      sync.Mutex
	client  client
	started bool
}

// client is what the runner needs of river.Client, whatever its driver.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// New returns a runner on d. Register workers before Start.
func New(d *db.DB, cfg Config) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	if cfg.ID == "" {
		host, _ := os.Hostname()
		cfg.ID = fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()%100000)
	}
	return &Runner{db: d, cfg: cfg, workers: river.NewWorkers()}
}

// Register adds a worker for one kind of job. It must be called before the
// runner is first used.
func Register[T river.JobArgs](r *Runner, w river.Worker[T]) {
	river.AddWorker(r.workers, w)
}

// Every enqueues the job that args returns every interval (and once at
// start); only the elected leader among the instances does so.
func (r *Runner) Every(interval time.Duration, args func() river.JobArgs) {
	r.periods = append(r.periods, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return args(), nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

func (r *Runner) riverConfig() *river.Config {
	return &river.Config{
		ID:                r.cfg.ID,
		Logger:            r.cfg.Logger,
		Workers:           r.workers,
		PeriodicJobs:      r.periods,
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: r.cfg.Workers}},
		FetchPollInterval: r.cfg.PollInterval,
		FetchCooldown:     min(r.cfg.PollInterval, 100*time.Millisecond),
		JobTimeout:        5 * time.Minute,
		// SQLite has no LISTEN/NOTIFY; PostgreSQL polls too, so that a
		// connection pooler in transaction mode works.
		PollOnly: true,
	}
}

func (r *Runner) getClient() (client, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.client != nil {
		return r.client, nil
	}
	var err error
	switch r.db.Engine() {
	case db.SQLite:
		r.client, err = river.NewClient(riversqlite.New(r.db.SQL()), r.riverConfig())
	case db.Postgres:
		r.client, err = river.NewClient(riverpgxv5.New(r.db.Pool), r.riverConfig())
	default:
		err = fmt.Errorf("jobs: unknown engine %s", r.db.Engine())
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return r.client, nil
}

// Start starts working jobs in the background until Stop.
func (r *Runner) Start(ctx context.Context) error {
	c, err := r.getClient()
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return nil
	}
	// River's background work must not end with the request or command
	// context that started it; Stop ends it.
	if err := c.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.started = true
	return nil
}

// Stop waits for running jobs to finish (until ctx ends) and stops.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	c, started := r.client, r.started
	r.started = false
	r.mu.Unlock()
	if !started {
		return nil
	}
	return c.Stop(ctx)
}

// Insert enqueues a job now.
func (r *Runner) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	c, err := r.getClient()
	if err != nil {
		return err
	}
	_, err = c.Insert(ctx, args, opts)
	return err
}

// InsertAfterCommit enqueues a job once tx commits. A crash between the
// commit and the insert loses the job, so work enqueued this way must also
// be found by a periodic sweep (the events module's deadline sweep does).
func (r *Runner) InsertAfterCommit(tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) {
	tx.AfterCommit(func() {
		if err := r.Insert(context.Background(), args, opts); err != nil {
			r.cfg.Logger.Error("jobs: insert after commit", "kind", args.Kind(), "err", err)
		}
	})
}

// migrationLock keeps two instances from running River's migrations at once.
const migrationLock = 7471002

// migrator is what Migrate needs of rivermigrate.Migrator, whatever its driver.
type migrator interface {
	Migrate(ctx context.Context, direction rivermigrate.Direction, opts *rivermigrate.MigrateOpts) (*rivermigrate.MigrateResult, error)
}

// Migrate applies River's own migrations (its job, leader and queue
// tables). It is safe to run from several instances at once.
func Migrate(ctx context.Context, d *db.DB) error {
	cfg := &rivermigrate.Config{Logger: quietLogger()}
	var m migrator
	var err error
	switch d.Engine() {
	case db.SQLite:
		m, err = rivermigrate.New(riversqlite.New(d.SQL()), cfg)
	case db.Postgres:
		conn, cerr := d.Pool.Acquire(ctx)
		if cerr != nil {
			return cerr
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("jobs: migration lock: %w", err)
		}
		defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
		m, err = rivermigrate.New(riverpgxv5.New(d.Pool), cfg)
	default:
		return errors.New("jobs: unknown engine")
	}
	if err != nil {
		return fmt.Errorf("jobs: migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// quietLogger passes on River's warnings and errors only.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
