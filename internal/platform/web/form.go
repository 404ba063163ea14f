package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
)

// Form is a form as the user filled it in, with the problems found, so that
// a page can show it again with each error beside its field.
type Form struct {
	Values url.Values
	Errors map[string]string
	Error  string // a problem with the form as a whole
}

// NewForm starts a form from values (nil for an empty form).
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values}
}

// Get returns a field's value as typed.
func (f *Form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Err returns a field's error, in the page's language.
func (f *Form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Fail records err on the form: field errors beside their fields, the rest
// at the top. It returns the HTTP status to answer with.
func (f *Form) Fail(r *http.Request, err error) int {
	status, body := ErrorBody(r, err)
	f.Errors = body.Error.Fields
	if len(f.Errors) == 0 || apperr.CodeOf(err) != apperr.Invalid {
		f.Error = body.Error.Message
	} else {
		for name := range f.Errors {
			if !f.Values.Has(name) {
				// A problem with a field the form does not show goes to the top.
				f.Error = body.Error.Message + " " + f.Errors[name]
			}
		}
	}
	return status
}

// Option is one choice of a select field.
type Option struct {
	Value string
	Label string
}

// ParseForm reads a submitted form, bounding its size.
func ParseForm(w http.ResponseWriter, r *http.Request) (*Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxJSONBody)
	if err := r.ParseForm(); err != nil {
		return nil, apperr.New(apperr.Invalid, "web.form_unreadable")
	}
	if HasBadText(r.PostForm) {
		return nil, ErrBadText
	}
	return NewForm(r.PostForm), nil
}

// ParseFormUpTo reads a submitted form, URL-encoded or multipart (its files
// stay in r.MultipartForm), of at most max bytes, refusing bad text as
// ParseForm does. A body over max answers tooLarge.
func ParseFormUpTo(w http.ResponseWriter, r *http.Request, max int64, tooLarge error) (*Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(min(max, 8<<20))
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return nil, tooLarge
		}
		return nil, apperr.New(apperr.Invalid, "web.form_unreadable")
	}
	if HasBadText(r.PostForm) {
		return nil, ErrBadText
	}
	return NewForm(r.PostForm), nil
}

// ErrBadText refuses input that holds a NUL character or bytes that are
// not UTF-8: PostgreSQL refuses to store or even compare either, and no
// person types them.
var ErrBadText = apperr.New(apperr.Invalid, "web.bad_text")

// HasBadText reports whether any name or value in v holds a NUL character
// or is not valid UTF-8.
func HasBadText(v url.Values) bool {
	for k, vs := range v {
		if BadText(k) {
			return true
		}
		for _, s := range vs {
			if BadText(s) {
				return true
			}
		}
	}
	return false
}

// BadText reports whether s holds a NUL character or is not valid UTF-8.
func BadText(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }

// Trim returns a field's value with surrounding spaces removed.
func (f *Form) Trim(name string) string { return strings.TrimSpace(f.Get(name)) }

// Int64 returns a field as a number, or 0 if it is empty or not a number.
func (f *Form) Int64(name string) int64 {
	n, _ := strconv.ParseInt(f.Trim(name), 10, 64)
	return n
}

// SetFlash leaves a message (a key) to show on the next page.
func SetFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: url.QueryEscape(key), Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func takeFlash(w http.ResponseWriter, r *http.Request, lang i18n.Lang) string {
	c, err := r.Cookie("flash")
	if err != nil || c.Value == "" {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	key, _ := url.QueryUnescape(c.Value)
	if !i18n.Has(key) {
		return ""
	}
	return i18n.T(lang, key)
}
