package apperr

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"
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
