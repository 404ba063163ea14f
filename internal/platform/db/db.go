// Package db opens the Grassroots database on SQLite or PostgreSQL, hides the
// few differences between the two engines, applies embedded migrations and
// runs write transactions.
//
// Queries are written once, with `?` placeholders; on PostgreSQL they are
// rebound to `$n` before they reach the driver. SQLite gets one writer
// connection and a pool of readers (WAL lets readers run beside the writer);
// PostgreSQL gets one pool for both.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names a supported database engine.
type Engine string

// The engines Grassroots runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Querier is what both a DB and a Tx offer to store code, so that one store
// function can run inside or outside a transaction.
type Querier interface {
	Engine() Engine
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// DB is an open Grassroots database.
type DB struct {
	engine Engine
	read   *sql.DB
	write  *sql.DB
	// Pool is the pgx pool behind a PostgreSQL database (nil on SQLite); the
	// job queue uses it directly.
	Pool *pgxpool.Pool
	// Path is the SQLite file (empty on PostgreSQL).
	Path string
}

// DefaultFile is the SQLite file name used inside the data folder.
const DefaultFile = "grassroots.db"

// Open opens the database that url names: a postgres:// or postgresql:// URL,
// a sqlite: URL or file path, or, when url is empty, a SQLite file in dataDir.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(ctx, url)
	case url == "":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		return openSQLite(ctx, filepath.Join(dataDir, DefaultFile))
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite://"), "sqlite:")
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("create database folder: %w", err)
			}
		}
		return openSQLite(ctx, path)
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	// A path is part of a file: URI, where ? and # would end it early.
	dsn := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) + "?_time_format=sqlite&_txlock=immediate" +
		"&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-32000)&_pragma=temp_store(2)"
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// The writer creates the file and switches it to WAL before any reader opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Gather planner statistics for tables that have none yet (cheap when
	// they do), as SQLite advises for long-lived connections.
	if _, err := write.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		write.Close()
		return nil, fmt.Errorf("optimize %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	return &DB{engine: SQLite, read: read, write: write, Path: path}, nil
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	sdb := stdlib.OpenDBFromPool(pool)
	return &DB{engine: Postgres, read: sdb, write: sdb, Pool: pool}, nil
}

// Close closes every connection.
func (d *DB) Close() error {
	err := d.read.Close()
	if d.write != d.read {
		err = errors.Join(err, d.write.Close())
	}
	if d.Pool != nil {
		d.Pool.Close()
	}
	return err
}

// Engine reports which engine the database runs on.
func (d *DB) Engine() Engine { return d.engine }

// SQL returns the database/sql handle that writes go through; tools such as
// the job queue's SQLite driver take it.
func (d *DB) SQL() *sql.DB { return d.write }

// Exec runs a statement outside a transaction on the writer.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.write.ExecContext(ctx, Rebind(d.engine, query), args...)
}

// Query runs a read on the reader pool.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.read.QueryContext(ctx, Rebind(d.engine, query), args...)
}

// QueryRow runs a one-row read on the reader pool.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return d.read.QueryRowContext(ctx, Rebind(d.engine, query), args...)
}

// Analyze refreshes the planner's statistics, after a bulk load.
func (d *DB) Analyze(ctx context.Context) error {
	_, err := d.write.ExecContext(ctx, `ANALYZE`)
	return err
}

// Tx is a write transaction.
type Tx struct {
	engine Engine
	tx     *sql.Tx
	after  []func()
}

// Engine reports which engine the transaction runs on.
func (t *Tx) Engine() Engine { return t.engine }

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, Rebind(t.engine, query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, Rebind(t.engine, query), args...)
}

// QueryRow runs a one-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, Rebind(t.engine, query), args...)
}

// Lock holds the lock named by class and key until the transaction ends, so
// that transactions that check rows before they write take turns instead of
// both passing the check. On PostgreSQL it is an advisory transaction lock
// (class keeps one module's locks apart from another's). SQLite needs none:
// a write transaction there already holds the database's one writer.
func (t *Tx) Lock(ctx context.Context, class, key int32) error {
	if t.engine != Postgres {
		return nil
	}
	_, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, class, key)
	return err
}

// AfterCommit registers f to run once the transaction has committed.
func (t *Tx) AfterCommit(f func()) { t.after = append(t.after, f) }

// SQLTx exposes the underlying transaction for tools that need one, such as
// the job queue inserting a job in the same transaction as its cause.
func (t *Tx) SQLTx() *sql.Tx { return t.tx }

// InTx runs fn in a write transaction and commits it if fn returns nil. On
// PostgreSQL a serialization failure or deadlock is retried a few times.
func (d *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := d.inTxOnce(ctx, fn)
		if err != nil && attempt < 4 && IsRetryable(err) {
			time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
			continue
		}
		return err
	}
}

func (d *DB) inTxOnce(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{engine: d.engine, tx: stx}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// Rebind turns `?` placeholders into `$1, $2, ...` for PostgreSQL, leaving
// question marks inside quoted strings and identifiers alone.
func Rebind(engine Engine, query string) string {
	if engine != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
