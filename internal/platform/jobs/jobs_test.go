package jobs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

type countArgs struct{ N int }

func (countArgs) Kind() string { return "test_count" }

type countWorker struct {
	river.WorkerDefaults[countArgs]
	d    *db.DB
	runs *atomic.Int64
}

func (w *countWorker) Work(ctx context.Context, j *river.Job[countArgs]) error {
	w.runs.Add(1)
	_, err := w.d.Exec(ctx, `INSERT INTO job_runs (n) VALUES (?)`, j.Args.N)
	return err
}

func open(t *testing.T, e db.Engine) (*db.DB, string) {
	url := dbtest.URL(t, e)
	d, err := db.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, url
}

func newRunner(t *testing.T, d *db.DB, runs *atomic.Int64) *Runner {
	r := New(d, Config{PollInterval: 50 * time.Millisecond})
	Register(r, &countWorker{d: d, runs: runs})
	return r
}

func waitRows(t *testing.T, d *db.DB, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := d.QueryRow(context.Background(), `SELECT COUNT(*) FROM job_runs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs ran", n, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJobsSurviveRestartAndRunOnce enqueues jobs while no runner works, then
// starts runners (two on PostgreSQL, sharing one database): every job runs,
// and runs once.
func TestJobsSurviveRestartAndRunOnce(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			d, url := open(t, e)
			if err := Migrate(ctx, d); err != nil {
				t.Fatal(err)
			}
			if err := Migrate(ctx, d); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
			if _, err := d.Exec(ctx, `CREATE TABLE job_runs (n INTEGER NOT NULL)`); err != nil {
				t.Fatal(err)
			}
			var runs atomic.Int64
			// An instance that only enqueues, then goes away.
			first := newRunner(t, d, &runs)
			const n = 30
			for i := range n {
				if err := first.Insert(ctx, countArgs{N: i}, nil); err != nil {
					t.Fatal(err)
				}
			}
			runners := []*Runner{newRunner(t, d, &runs)}
			if e == db.Postgres {
				// A second instance with its own connection pool.
				d2, err := db.Open(ctx, url, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d2.Close() })
				runners = append(runners, newRunner(t, d2, &runs))
			}
			var wg sync.WaitGroup
			for _, r := range runners {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := r.Start(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			waitRows(t, d, n)
			for _, r := range runners {
				if err := r.Stop(ctx); err != nil {
					t.Error(err)
				}
			}
			var rows, distinct int
			if err := d.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT n) FROM job_runs`).Scan(&rows, &distinct); err != nil {
				t.Fatal(err)
			}
			if rows != n || distinct != n || runs.Load() != n {
				t.Errorf("%d rows, %d distinct, %d runs; want %d each", rows, distinct, runs.Load(), n)
			}
		})
	}
}
