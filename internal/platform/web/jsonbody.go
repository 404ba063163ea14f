package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
)

// MaxJSONBody bounds the size of a JSON request body.
const MaxJSONBody = 2 << 20

// DecodeJSON reads the request body into v strictly: one JSON value, no
// unknown fields, no more than MaxJSONBody bytes. Problems come back as
// Invalid errors that name the field where they can.
func DecodeJSON(r *http.Request, v any) error {
	return DecodeJSONUpTo(r, v, MaxJSONBody)
}

// DecodeJSONUpTo is DecodeJSON for bodies allowed to be larger (or
// smaller) than MaxJSONBody: max bytes at most, such as a report that
// carries photos.
func DecodeJSONUpTo(r *http.Request, v any, max int64) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	return decodeJSON(io.LimitReader(r.Body, max+1), v, max)
}

// checkJSONType refuses a body declared as something other than JSON.
func checkJSONType(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return apperr.New(apperr.Invalid, "web.json_content_type")
	}
	return nil
}

// DecodeJSONBytes decodes one JSON value from rd into v strictly, refusing
// more than MaxJSONBody bytes.
func DecodeJSONBytes(rd io.Reader, v any) error { return decodeJSON(rd, v, MaxJSONBody) }

// CreateOnly is the struct tag (`web:"create-only"`) of a body field that
// only a new record takes, such as the household a resident is added to:
// DecodeJSONChange refuses a change that names it.
const CreateOnly = "create-only"

// DecodeJSONChange is DecodeJSON for a change to a record that exists (a
// PATCH) whose body type is shared with creation: a field tagged
// `web:"create-only"` is refused, naming it, instead of being ignored.
func DecodeJSONChange(r *http.Request, v any) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	data, err := readJSON(io.LimitReader(r.Body, MaxJSONBody+1), MaxJSONBody)
	if err != nil {
		return err
	}
	if err := unmarshalStrict(data, v); err != nil {
		return err
	}
	return refuseCreateOnly(data, v)
}

// refuseCreateOnly names the create-only fields of the struct v points to
// that the JSON object data sets, matching names as encoding/json does
// (ignoring case).
func refuseCreateOnly(data []byte, v any) error {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	var fixed []string
	for f := range t.Elem().Fields() {
		if f.Tag.Get("web") == CreateOnly {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			fixed = append(fixed, name)
		}
	}
	if len(fixed) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return apperr.New(apperr.Invalid, "web.json_not_object")
	}
	var errs apperr.Fields
	for key := range obj {
		for _, name := range fixed {
			if strings.EqualFold(key, name) {
				errs.Add(name, "web.json_create_only")
			}
		}
	}
	return errs.Err()
}

func decodeJSON(rd io.Reader, v any, max int64) error {
	data, err := readJSON(rd, max)
	if err != nil {
		return err
	}
	return unmarshalStrict(data, v)
}

// readJSON reads a JSON body of at most max bytes that holds something and
// escapes no NUL.
func readJSON(rd io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "web.json_unreadable")
	}
	if int64(len(data)) > max {
		return nil, apperr.New(apperr.TooLarge, "web.json_too_large", max>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, apperr.New(apperr.Invalid, "web.json_empty")
	}
	if !utf8.Valid(data) || hasBadEscape(data) {
		return nil, ErrBadText
	}
	return data, nil
}

// unmarshalStrict decodes data into v: one JSON value, no unknown fields.
func unmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "web.json_trailing")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return apperr.New(apperr.Invalid, "web.json_trailing")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.New(apperr.Invalid, "web.json_syntax", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apperr.New(apperr.Invalid, "web.json_not_object")
		}
		return apperr.FieldInvalid(field, "web.json_wrong_type", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "web.json_truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		if unquoted, err := strconv.Unquote(name); err == nil {
			name = unquoted
		}
		return apperr.FieldInvalid(name, "field.unknown")
	}
	return apperr.New(apperr.Invalid, "web.json_invalid")
}

// hasBadEscape reports whether JSON text escapes a NUL character (\u0000)
// or a UTF-16 surrogate that is not half of a pair (\ud800 alone), which
// encoding/json would quietly turn into U+FFFD. It tells an escape from an
// escaped backslash followed by "u0000"; a malformed escape is left for the
// decoder to report.
func hasBadEscape(data []byte) bool {
	for i := 0; i < len(data)-1; i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := escapedUnit(data[i+1:])
		switch {
		case !ok:
			i++ // the escaped character
		case r == 0 || utf16.IsSurrogate(r) && r >= 0xdc00:
			return true
		case utf16.IsSurrogate(r):
			low, ok := rune(0), false
			if i+6 < len(data) && data[i+6] == '\\' {
				low, ok = escapedUnit(data[i+7:])
			}
			if !ok || !utf16.IsSurrogate(low) || low < 0xdc00 {
				return true
			}
			i += 11 // both escapes
		default:
			i += 5 // the \uXXXX escape
		}
	}
	return false
}

// escapedUnit reads the UTF-16 code unit of a \uXXXX escape from b, which
// starts after the backslash.
func escapedUnit(b []byte) (rune, bool) {
	if len(b) < 5 || b[0] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[1:5]), 16, 16)
	if err != nil {
		return 0, false
	}
	return rune(n), true
}
