package apperr

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestTransientDatabaseFailureIsUnavailable checks that a database failure
// that may pass becomes Unavailable (503), any other unexpected error
// Internal (500), and that a lookup's refusal replaces only the user's
// errors, never a fault.
func TestTransientDatabaseFailureIsUnavailable(t *testing.T) {
	lost := fmt.Errorf("query: %w", &pgconn.PgError{Code: "57P01"})
	if ae := As(lost); ae.Code != Unavailable || Status(ae.Code) != http.StatusServiceUnavailable || !errors.Is(ae, lost) {
		t.Errorf("a terminated connection: %v, status %d", ae, Status(ae.Code))
	}
	if c := CodeOf(Wrap(sql.ErrConnDone)); c != Unavailable {
		t.Errorf("a closed connection: %s", c)
	}
	if c := CodeOf(errors.New("bad query")); c != Internal {
		t.Errorf("a bug: %s", c)
	}
	refusal := FieldInvalid("parent_id", "field.required")
	for _, c := range []struct {
		err  error
		want error
	}{
		{lost, lost}, {errors.New("bad query"), nil}, {NotFoundf("x"), refusal}, {New(Forbidden, "error.forbidden"), refusal}, {nil, refusal},
	} {
		got := Reword(c.err, refusal)
		if c.want == nil {
			if !IsFault(got) || got != c.err {
				t.Errorf("Reword(%v) = %v, want the fault itself", c.err, got)
			}
		} else if got != c.want {
			t.Errorf("Reword(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if IsFault(nil) || !IsFault(lost) || IsFault(NotFoundf("x")) || !IsNotFound(NotFoundf("x")) || IsNotFound(lost) {
		t.Error("IsFault or IsNotFound is wrong")
	}
}

// TestTraceNamesWhereAFaultArose checks that a deferred Trace puts the
// method's name into a fault's log text while keeping its code, and leaves
// the user's errors as they were, message and all.
func TestTraceNamesWhereAFaultArose(t *testing.T) {
	lost := &pgconn.PgError{Code: "57P01"}
	get := func(cause error) (err error) {
		defer Trace(&err, "things.Store.Get(%d)", 7)
		return cause
	}
	broken := errors.New("no such column: nmae")
	err := get(broken)
	if !strings.HasPrefix(err.Error(), "internal: ") || !strings.Contains(err.Error(), "things.Store.Get(7): no such column: nmae") || !errors.Is(err, broken) || CodeOf(err) != Internal {
		t.Errorf("a bug: %q (code %s)", err, CodeOf(err))
	}
	err = get(Wrap(lost))
	if CodeOf(err) != Unavailable || !strings.Contains(err.Error(), "things.Store.Get(7): ") || !errors.Is(err, lost) || Status(CodeOf(err)) != http.StatusServiceUnavailable {
		t.Errorf("a lost connection: %q (code %s)", err, CodeOf(err))
	}
	nested := func() (err error) {
		defer Trace(&err, "things.Store.List")
		return get(broken)
	}
	if err := nested(); !strings.Contains(err.Error(), "things.Store.List: things.Store.Get(7): no such column") {
		t.Errorf("nested: %q", err)
	}
	for _, user := range []*Error{NotFoundf("x"), FieldInvalid("name", "field.required"), New(Forbidden, "error.forbidden"), New(Conflict, "error.conflict")} {
		err := get(user)
		if err != user || strings.Contains(err.Error(), "Store") {
			t.Errorf("Trace changed the user's error %q into %q", user, err)
		}
	}
	if err := get(nil); err != nil {
		t.Errorf("Trace made %v out of nil", err)
	}
	if err := get(fmt.Errorf("look up: %w", NotFoundf("x"))); !IsNotFound(err) || strings.Contains(err.Error(), "Store") {
		t.Errorf("a wrapped not-found: %q", err)
	}
}
