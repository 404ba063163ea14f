// Package web is what every module's pages and API handlers stand on: the
// middleware chain (security headers, language, sign-in, CSRF), error
// handling in one place, strict JSON decoding, page rendering from embedded
// templates, forms that keep what the user typed, hashed static files and
// spreadsheet export.
package web

import (
	"context"
	"net/http"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	langKey
	sessionKey
)

// Actor returns the signed-in actor of the request, or nil.
func Actor(r *http.Request) *auth.Actor {
	a, _ := r.Context().Value(actorKey).(*auth.Actor)
	return a
}

// Lang returns the language of the request.
func Lang(r *http.Request) i18n.Lang {
	if l, ok := r.Context().Value(langKey).(i18n.Lang); ok {
		return l
	}
	return i18n.Zh
}

// sessionToken returns the session token the request was signed in with.
func sessionToken(r *http.Request) string {
	s, _ := r.Context().Value(sessionKey).(string)
	return s
}

// WithActor returns ctx carrying actor; tests and commands use it.
func WithActor(ctx context.Context, a *auth.Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// SignedIn returns the actor of a request, or an Unauthorized error if no
// one is signed in.
func SignedIn(r *http.Request) (*auth.Actor, error) {
	if a := Actor(r); a != nil {
		return a, nil
	}
	return nil, apperr.New(apperr.Unauthorized, "error.unauthorized")
}
