package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"sync/atomic"
	"testing"
	"time"
)

// APIError is the body of an API error answer.
type APIError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// Decode reads a JSON body into v, failing the test if it cannot.
func Decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
}

// PNG returns a small PNG image, for a photo.
func PNG(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 6))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// UserID returns a test user's id.
func (e *Env) UserID(t testing.TB, name string) int64 {
	t.Helper()
	u, err := e.Accounts.UserByName(context.Background(), e.App.DB, name)
	if err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u.ID
}

// Clock is the volunteer store's clock, which a test moves forward so that
// a shift it made to start soon can be over.
type Clock struct{ offset atomic.Int64 }

// Now is the time on the clock.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// VolunteerClock sets the volunteer store's clock to a new Clock, at the
// present time, and returns it.
func (e *Env) VolunteerClock() *Clock {
	c := &Clock{}
	e.Volunteer.Now = c.Now
	return c
}
