package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The differences between the engines that store code needs to know about
// live here, and nowhere else.

// ILike is the case-insensitive LIKE operator of the engine.
func ILike(e Engine) string {
	if e == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// ForUpdate is the row-lock clause to append to a SELECT that reads a row it
// will update in the same transaction. SQLite has one writer, so it needs none.
func ForUpdate(e Engine) string {
	if e == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// Placeholders returns n comma-separated `?` placeholders.
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// LikeEscape escapes % and _ in s so that it matches literally inside a LIKE
// pattern written with ESCAPE '\'.
func LikeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key failure, such as
// deleting a row that others still refer to.
func IsForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// IsRetryable reports whether a transaction failed only because of another
// one running beside it, so that running it again may succeed.
func IsRetryable(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "40001" || pg.Code == "40P01"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

// IsTransient reports whether err is a failure of the database rather than
// of the request: the connection was lost or refused, the server is
// shutting down or starting up, a transaction lost a serialization race or
// a deadlock (after InTx's retries), SQLite stayed busy or locked past its
// timeout, the wait for a connection ran out of time, or the handle was
// closed under a request while the server stops. The same request may
// succeed in a moment, so it is answered "unavailable, try again" rather
// than blamed on the input.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return false
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "57P01", "57P02", "57P03", // admin, crash or cannot-connect-now shutdown
			"40001", "40P01", // serialization failure, deadlock
			"53300": // too many connections
			return true
		}
		return strings.HasPrefix(pg.Code, "08") // connection exception
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) ||
		// database/sql keeps this error unexported.
		strings.Contains(err.Error(), "sql: database is closed")
}

// PrefixRange returns the half-open range [lo, hi) of strings that start with
// prefix, so that a prefix match can be written as `col >= lo AND col < hi`
// and run as an index range scan on both engines. Paths are ASCII.
func PrefixRange(prefix string) (lo, hi string) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0x7f {
			b[i]++
			return prefix, string(b[:i+1])
		}
	}
	return prefix, prefix + "\x7f"
}
