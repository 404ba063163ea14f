// Package dbtest gives store tests a fresh database on every engine: a SQLite
// file always, and a PostgreSQL schema of its own whenever
// GRASSROOTS_TEST_POSTGRES holds a server URL.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"grassroots/internal/platform/db"
)

// PostgresEnv names the environment variable that holds the PostgreSQL URL
// the tests may use.
const PostgresEnv = "GRASSROOTS_TEST_POSTGRES"

// Each runs fn as a subtest once per available engine, each time with a fresh,
// migrated database.
func Each(t *testing.T, migrations []db.Migrations, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e, migrations))
		})
	}
}

// Engines lists the engines the tests can reach.
func Engines() []db.Engine {
	if os.Getenv(PostgresEnv) != "" {
		return []db.Engine{db.SQLite, db.Postgres}
	}
	return []db.Engine{db.SQLite}
}

// Open returns a fresh, migrated database on engine e, removed when the test ends.
func Open(tb testing.TB, e db.Engine, migrations []db.Migrations) *db.DB {
	tb.Helper()
	ctx := context.Background()
	dbURL := URL(tb, e)
	d, err := db.Open(ctx, dbURL, tb.TempDir())
	if err != nil {
		tb.Fatalf("open %s: %v", e, err)
	}
	tb.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctx, migrations...); err != nil {
		tb.Fatalf("migrate %s: %v", e, err)
	}
	return d
}

// URL returns a database URL for a fresh, empty database on engine e: a file
// in a temporary folder, or a new PostgreSQL schema dropped when the test ends.
func URL(tb testing.TB, e db.Engine) string {
	tb.Helper()
	if e == db.SQLite {
		return filepath.Join(tb.TempDir(), "test.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skip(PostgresEnv + " is not set")
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		tb.Fatalf("connect to %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := db.Open(context.Background(), base, "")
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Lost returns a database on engine e whose connection has been lost: on
// PostgreSQL it was opened through a relay that is then cut (the open
// connections break and new ones are refused); on SQLite the handle is
// closed under its users, as when the server stops. Each query on it fails
// the way a database out of reach does.
func Lost(tb testing.TB, e db.Engine) *db.DB {
	tb.Helper()
	dbURL := URL(tb, e)
	var cut func()
	if e == db.Postgres {
		u, err := url.Parse(dbURL)
		if err != nil {
			tb.Fatal(err)
		}
		u.Host, cut = relay(tb, u.Host)
		dbURL = u.String()
	}
	d, err := db.Open(context.Background(), dbURL, tb.TempDir())
	if err != nil {
		tb.Fatalf("open %s: %v", e, err)
	}
	if cut != nil {
		cut()
		tb.Cleanup(func() { d.Close() })
	} else {
		d.Close()
	}
	return d
}

// relay forwards connections on a local port to target until cut, which
// closes the port and every connection through it.
func relay(tb testing.TB, target string) (addr string, cut func()) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	track := func(c net.Conn) bool {
		mu.Lock()
		defer mu.Unlock()
		if conns == nil {
			c.Close()
			return false
		}
		conns = append(conns, c)
		return true
	}
	conns = []net.Conn{}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			if !track(in) || !track(out) {
				in.Close()
				continue
			}
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	cut = func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
		conns = nil
	}
	tb.Cleanup(cut)
	return ln.Addr().String(), cut
}
