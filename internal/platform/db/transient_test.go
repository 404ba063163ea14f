package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// TestIsTransientByCode classifies errors as the drivers report them: a lost
// connection, a server going down and a lost race are transient; bad input,
// a missing row and a broken query are not.
func TestIsTransientByCode(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("query: %w", &pgconn.PgError{Code: code}) }
	for _, c := range []struct {
		err  error
		want bool
	}{
		{pg("08006"), true}, {pg("08003"), true}, {pg("57P01"), true}, {pg("57P02"), true}, {pg("57P03"), true},
		{pg("40001"), true}, {pg("40P01"), true}, {pg("53300"), true},
		{pg("23505"), false}, {pg("23503"), false}, {pg("42P01"), false}, {pg("22P02"), false}, {pg("57014"), false},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), true},
		{fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		{sql.ErrConnDone, true}, {pgconn.ErrConnClosed, true},
		{sql.ErrNoRows, false}, {fmt.Errorf("scan: %w", sql.ErrNoRows), false},
		{context.Canceled, false}, {errors.New("sql: Scan error on column index 0"), false}, {nil, false},
	} {
		if got := db.IsTransient(c.err); got != c.want {
			t.Errorf("IsTransient(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestIsTransientOnRealFaults meets real faults on each engine: a lost
// connection, a wait for a connection that runs out of time, and on SQLite
// a write lock held elsewhere; a duplicate key and a missing row are the
// request's own.
func TestIsTransientOnRealFaults(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			var n int
			err := dbtest.Lost(t, e).QueryRow(ctx, `SELECT 1`).Scan(&n)
			if err == nil || !db.IsTransient(err) {
				t.Errorf("a lost connection: %v (%T) is not transient", err, err)
			}

			d := dbtest.Open(t, e, nil)
			if _, err := d.Exec(ctx, `CREATE TABLE probe (k TEXT PRIMARY KEY)`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO probe VALUES ('a')`); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Exec(ctx, `INSERT INTO probe VALUES ('a')`); err == nil || db.IsTransient(err) {
				t.Errorf("a duplicate key: %v is transient", err)
			}
			var k string
			if err := d.QueryRow(ctx, `SELECT k FROM probe WHERE k = 'b'`).Scan(&k); !errors.Is(err, sql.ErrNoRows) || db.IsTransient(err) {
				t.Errorf("a missing row: %v is transient", err)
			}
			late, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
			defer cancel()
			if err := d.QueryRow(late, `SELECT k FROM probe`).Scan(&k); err == nil || !db.IsTransient(err) {
				t.Errorf("a deadline passed: %v is not transient", err)
			}

			if e == db.Postgres {
				conn, err := d.SQL().Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				var pid int
				if err := conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
					t.Fatal(err)
				}
				if _, err := d.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
					t.Fatal(err)
				}
				err = conn.QueryRowContext(ctx, `SELECT 1`).Scan(&n)
				if err == nil || !db.IsTransient(err) {
					t.Errorf("a terminated backend: %v (%T) is not transient", err, err)
				}
				return
			}
			// Another process holds the write lock, and this one does not wait.
			other, err := sql.Open("sqlite", "file:"+d.Path+"?_pragma=busy_timeout(0)")
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			holder, err := other.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Close()
			if _, err := holder.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
				t.Fatal(err)
			}
			defer holder.ExecContext(ctx, `ROLLBACK`)
			_, err = other.ExecContext(ctx, `INSERT INTO probe VALUES ('c')`)
			if err == nil || !db.IsTransient(err) {
				t.Errorf("a write lock held elsewhere: %v is not transient", err)
			}
		})
	}
}
