package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
)

// APIError is the JSON body of every API error.
type APIError struct {
	Error APIErrorBody `json:"error"`
}

// APIErrorBody says what went wrong, in the caller's language.
type APIErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// ErrorBody turns err into the API error body in lang, logging the
// system's faults: internal errors, and at warning level a database out of
// reach for a moment.
func ErrorBody(r *http.Request, err error) (int, APIError) {
	ae := apperr.As(err)
	switch ae.Code {
	case apperr.Internal:
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	case apperr.Unavailable:
		slog.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	lang := Lang(r)
	body := APIError{Error: APIErrorBody{Code: string(ae.Code), Message: ae.Msg.In(lang)}}
	if len(ae.Fields) > 0 {
		body.Error.Fields = make(map[string]string, len(ae.Fields))
		for f, m := range ae.Fields {
			body.Error.Fields[f] = m.In(lang)
		}
	}
	return apperr.Status(ae.Code), body
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	SetRetryAfter(w, status)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// SetRetryAfter tells the client when to try again if status is 503 Service
// Unavailable, the status of an apperr.Unavailable error. Every writer of
// an answer calls it before the status goes out.
func SetRetryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", strconv.Itoa(apperr.RetryAfterSeconds))
	}
}

// WriteError writes err as an API error.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := ErrorBody(r, err)
	WriteJSON(w, status, body)
}

// API adapts a handler that returns a value or an error into an
// http.Handler that writes JSON: 200 (or the status the value asks for) or
// the error mapped to its status.
func API(fn func(r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		status := http.StatusOK
		if c, ok := v.(Created); ok {
			status, v = http.StatusCreated, c.Value
		}
		if v == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		WriteJSON(w, status, v)
	})
}

// Created wraps an API result that answers 201 Created.
type Created struct{ Value any }

// NotFoundAPI answers unknown API paths with a JSON 404.
func NotFoundAPI(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusNotFound, APIError{Error: APIErrorBody{Code: string(apperr.NotFound), Message: i18n.T(Lang(r), "web.no_such_api")}})
}

// ActorAPI is API for handlers that need a signed-in actor: an unsigned
// request answers 401 before fn runs.
func ActorAPI(fn func(r *http.Request, actor *auth.Actor) (any, error)) http.Handler {
	return API(func(r *http.Request) (any, error) {
		actor, err := SignedIn(r)
		if err != nil {
			return nil, err
		}
		return fn(r, actor)
	})
}

// ActorPathAPI is ActorAPI for handlers of one record: the path's {id} is
// read first, and a malformed one answers 404.
func ActorPathAPI(fn func(r *http.Request, actor *auth.Actor, id int64) (any, error)) http.Handler {
	return ActorAPI(func(r *http.Request, actor *auth.Actor) (any, error) {
		id, err := PathID(r, "id")
		if err != nil {
			return nil, err
		}
		return fn(r, actor, id)
	})
}
