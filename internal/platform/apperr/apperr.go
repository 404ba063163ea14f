// Package apperr is the one error type of Grassroots: a code that decides the
// HTTP status, a message meant for the user (in their language) and, for
// invalid input, a message per field.
//
// Only Internal and Unavailable errors carry a cause worth logging: they are
// the system's fault (IsFault). Every other code is the user's to read and
// fix. An error that is not an *Error becomes Internal, or Unavailable when
// the database failed for a moment (db.IsTransient), so that a lost
// connection is never reported as bad input.
package apperr

import (
	"errors"
	"fmt"
	"net/http"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

// Code classifies an error.
type Code string

// The error codes.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	TooLarge     Code = "too_large"
	Internal     Code = "internal"
	// Unavailable is a failure of the database that may pass (a lost
	// connection, a server restarting, a lock held too long): answered 503
	// with Retry-After, so that a client sends the same request again.
	Unavailable Code = "unavailable"
)

// RetryAfterSeconds is how long a client is asked to wait before it sends a
// request that met an Unavailable error again.
const RetryAfterSeconds = 5

// Error is an error a user can read.
type Error struct {
	Code   Code
	Msg    i18n.Msg
	Fields map[string]i18n.Msg
	Cause  error // only for Internal and Unavailable, for the log
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + i18n.T(i18n.En, e.Msg.Key, e.Msg.Args...)
	for f, m := range e.Fields {
		s += fmt.Sprintf("; %s: %s", f, m.In(i18n.En))
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// New makes an error with a code and a message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Msg: i18n.M(key, args...)}
}

// Field adds a field's message to e and returns e.
func (e *Error) Field(name, key string, args ...any) *Error {
	if e.Fields == nil {
		e.Fields = map[string]i18n.Msg{}
	}
	if _, ok := e.Fields[name]; !ok {
		e.Fields[name] = i18n.M(key, args...)
	}
	return e
}

// FieldInvalid makes an Invalid error about one field.
func FieldInvalid(field, key string, args ...any) *Error {
	return New(Invalid, "error.invalid").Field(field, key, args...)
}

// NotFoundf is the error for a record that does not exist or is out of
// scope. what names the record as a message key, put into the reader's
// language with the rest of the message; a word that is not a key in the
// catalogue is shown as it is.
func NotFoundf(what string) *Error { return New(NotFound, "error.not_found", i18n.M(what)) }

// Wrap makes an Internal (or, for a transient database failure,
// Unavailable) error from an unexpected cause, passes an *Error through,
// and returns nil for nil.
func Wrap(cause error) error {
	if cause == nil {
		return nil
	}
	return As(cause)
}

// Trace, deferred at the top of a method with a named error result, names
// where an unexpected error arose: a fault (see IsFault) becomes an *Error
// as Wrap makes it, its cause prefixed with the place that format and args
// describe, such as "events.Store.Act(12)", so that the log line says where
// it failed. The user's errors (not found, invalid, forbidden…) pass
// unchanged, and the code and message of a fault stay what they were, so
// the HTTP status does not change.
//
//	func (s *Store) Get(ctx context.Context, id int64) (_ *Thing, err error) {
//		defer apperr.Trace(&err, "things.Store.Get(%d)", id)
func Trace(errp *error, format string, args ...any) {
	if *errp == nil {
		return
	}
	ae := As(*errp)
	if ae.Code != Internal && ae.Code != Unavailable {
		return
	}
	traced := *ae
	traced.Cause = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ae.Cause)
	*errp = &traced
}

// As returns a non-nil err as an *Error, wrapping it as Unavailable if the
// database failed for a moment and as Internal if it is anything else.
func As(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	if db.IsTransient(err) {
		return &Error{Code: Unavailable, Msg: i18n.M("error.unavailable"), Cause: err}
	}
	return &Error{Code: Internal, Msg: i18n.M("error.internal"), Cause: err}
}

// CodeOf returns the code of err: its own, or Unavailable or Internal as As
// would give it.
func CodeOf(err error) Code { return As(err).Code }

// IsFault reports whether err is the system's fault rather than the user's
// (Internal or Unavailable): it is logged, and shown as a page of its own
// rather than beside a form's fields.
func IsFault(err error) bool {
	if err == nil {
		return false
	}
	c := CodeOf(err)
	return c == Internal || c == Unavailable
}

// Reword returns err if it is the system's fault (IsFault), and refusal
// otherwise: a lookup that found nothing (or nothing in the actor's reach),
// or found a record the caller then judged unsuitable (err nil), becomes a
// message about the field that named it, while a database out of reach
// stays a 503 and a bug stays a 500, never blamed on the input.
func Reword(err error, refusal error) error {
	if IsFault(err) {
		return err
	}
	return refusal
}

// IsNotFound reports whether err says that a record does not exist (or is
// out of the actor's reach). A lookup tells this from a fault before it
// turns its error into a message about the input.
func IsNotFound(err error) bool { return CodeOf(err) == NotFound }

// Status maps a code to its HTTP status.
func Status(c Code) int {
	switch c {
	case Invalid:
		return http.StatusBadRequest
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Fields collects per-field problems while a value is validated; Err returns
// nil when there were none.
type Fields struct{ err *Error }

// Add records a problem with one field; the first problem per field wins.
func (f *Fields) Add(field, key string, args ...any) {
	if f.err == nil {
		f.err = New(Invalid, "error.invalid")
	}
	f.err.Field(field, key, args...)
}

// Has reports whether field already has a problem.
func (f *Fields) Has(field string) bool {
	if f.err == nil {
		return false
	}
	_, ok := f.err.Fields[field]
	return ok
}

// Err returns the collected problems as one Invalid error, or nil.
func (f *Fields) Err() error {
	if f.err == nil {
		return nil
	}
	return f.err
}

func init() {
	i18n.Register(i18n.Catalog{
		"error.invalid":      {Zh: "提交的内容有误，请按提示修改。", En: "Some of the input is not valid; see the notes beside the fields."},
		"error.not_found":    {Zh: "%s不存在或不在您的管辖范围内。", En: "%s does not exist or is outside your area."},
		"error.internal":     {Zh: "系统内部错误，请稍后再试。", En: "Something went wrong on our side; please try again later."},
		"error.unavailable":  {Zh: "数据库暂时无法访问，请稍后重试。", En: "The database is briefly out of reach; please try again in a moment."},
		"error.forbidden":    {Zh: "您没有执行此操作的权限。", En: "You are not allowed to do this."},
		"error.unauthorized": {Zh: "请先登录。", En: "Please log in first."},
		"error.conflict":     {Zh: "操作与现有数据冲突。", En: "This conflicts with existing data."},
		"field.required":     {Zh: "必填。", En: "Required."},
		"field.too_long":     {Zh: "不能超过 %d 个字符。", En: "At most %d characters."},
		"field.bad_date":     {Zh: "日期格式应为 年-月-日，如 2024-03-01。", En: "A date is written year-month-day, like 2024-03-01."},
		"field.unknown":      {Zh: "不认识的字段，或此请求不能设置该字段。", En: "Unknown field, or one this request may not set."},
		"field.bad_choice":   {Zh: "不是可选的值。", En: "Not one of the allowed values."},
		"field.bad_number":   {Zh: "应为数字。", En: "Must be a number."},
	})
}
