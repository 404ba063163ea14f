package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"grassroots/internal/platform/apperr"
)

// jsonProbe is the kind of struct API handlers decode bodies into.
type jsonProbe struct {
	Name string   `json:"name"`
	Code *string  `json:"code"`
	N    int      `json:"n"`
	Tags []string `json:"tags"`
}

// strictDecode is the reference DecodeJSONBytes is held to: the input is
// exactly one JSON value (json.Valid allows nothing else around it but JSON
// white space), its text is Unicode (jsontext, unlike encoding/json, refuses
// bytes that are not UTF-8 and lone surrogate escapes), encoding/json,
// refusing unknown fields, decodes it into v, and no decoded text holds a NUL.
func strictDecode(data []byte, v *jsonProbe) bool {
	if !json.Valid(data) || !jsontext.Value(data).IsValid(jsontext.AllowDuplicateNames(true)) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if dec.Decode(v) != nil {
		return false
	}
	texts := append([]string{v.Name}, v.Tags...)
	if v.Code != nil {
		texts = append(texts, *v.Code)
	}
	for _, s := range texts {
		if strings.ContainsRune(s, 0) {
			return false
		}
	}
	return true
}

// topKeys returns the keys of the object at the start of data, if it starts
// with a well-formed object.
func topKeys(data []byte) map[string]bool {
	var obj map[string]json.RawMessage
	if json.NewDecoder(bytes.NewReader(data)).Decode(&obj) != nil {
		return nil
	}
	keys := make(map[string]bool, len(obj))
	for k := range obj {
		keys[k] = true
	}
	return keys
}

// FuzzDecodeJSON checks that DecodeJSONBytes never panics, fails only with
// invalid or too_large errors, names only fields that the body holds when it
// calls one unknown, and accepts exactly what encoding/json accepts as one
// value with no unknown fields, decoding it the same way.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"张三","code":"A1","n":3,"tags":["a","b"]}`,
		`{"name":"x","code":null}`, `{}`, `null`, ` {"n":1} `, "{\"n\":1}\n",
		`{"name":"x","extra":1}`, `{"NAME":"case"}`, `{"名字":1}`,
		`{"n":"1"}`, `{"n":1.5}`, `{"n":1e400}`, `{"n":99999999999999999999}`, `{"tags":[1]}`, `{"tags":"a"}`,
		`{"n":1}{"n":2}`, `{"n":1} x`, `{"n":1}]`, `[]`, `"s"`, `1`,
		``, ` `, `{`, `{"name":`, `{"name":"\ud800"}`, `{"name":"\ud83d\ude00"}`, `{"name":"\\ud800"}`, `{"tags":["\u0000"]}`, "\xff", "{\"name\":\"\xff\"}", "\ufeff{}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got jsonProbe
		err := DecodeJSONBytes(bytes.NewReader(data), &got)
		var want jsonProbe
		ok := strictDecode(data, &want)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.TooLarge) {
				t.Fatalf("error %v (%T) is not an invalid or too_large *apperr.Error", err, err)
			}
			if ok && len(data) <= MaxJSONBody {
				t.Fatalf("rejected %q, which encoding/json accepts: %v", data, err)
			}
			for field, m := range ae.Fields {
				if m.Key == "field.unknown" && !topKeys(data)[field] {
					t.Fatalf("unknown field %q is not a key of %q", field, data)
				}
			}
			return
		}
		if !ok {
			t.Fatalf("accepted %q, which encoding/json rejects", data)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %q as %+v, encoding/json as %+v", data, got, want)
		}
	})
}

// TestDecodeJSON covers the plain cases of DecodeJSON.
func TestDecodeJSON(t *testing.T) {
	cases := []struct {
		name, body, contentType string
		code                    apperr.Code
		msg                     string // the error's message key, if no field
		field, fieldKey         string // the field the error names, and its key
	}{
		{name: "ok", body: `{"name":"张三","code":"A1","n":3,"tags":["a"]}`},
		{name: "ok with charset", body: `{"name":"x"}`, contentType: "application/json; charset=utf-8"},
		{name: "null", body: `null`},
		{name: "unknown field", body: `{"name":"x","nmae":"y"}`, code: apperr.Invalid, field: "nmae", fieldKey: "field.unknown"},
		{name: "unknown field, Chinese", body: `{"名字":"x"}`, code: apperr.Invalid, field: "名字", fieldKey: "field.unknown"},
		{name: "unknown field with a quote", body: `{"a\"b":1}`, code: apperr.Invalid, field: `a"b`, fieldKey: "field.unknown"},
		{name: "unknown field with a backslash", body: `{"a\\":1}`, code: apperr.Invalid, field: `a\`, fieldKey: "field.unknown"},
		{name: "wrong type", body: `{"n":"three"}`, code: apperr.Invalid, field: "n", fieldKey: "web.json_wrong_type"},
		{name: "wrong element type", body: `{"tags":[1]}`, code: apperr.Invalid, field: "tags", fieldKey: "web.json_wrong_type"},
		{name: "fraction for int", body: `{"n":1.5}`, code: apperr.Invalid, field: "n", fieldKey: "web.json_wrong_type"},
		{name: "not an object", body: `["x"]`, code: apperr.Invalid, msg: "web.json_not_object"},
		{name: "second value", body: `{"n":1}{"n":2}`, code: apperr.Invalid, msg: "web.json_trailing"},
		{name: "trailing garbage", body: `{"n":1} x`, code: apperr.Invalid, msg: "web.json_trailing"},
		{name: "trailing bracket", body: `{"n":1}]`, code: apperr.Invalid, msg: "web.json_trailing"},
		{name: "empty", body: ``, code: apperr.Invalid, msg: "web.json_empty"},
		{name: "blank", body: " \n\t", code: apperr.Invalid, msg: "web.json_empty"},
		{name: "syntax error", body: `{"name" "x"}`, code: apperr.Invalid, msg: "web.json_syntax"},
		{name: "truncated", body: `{"name":"x"`, code: apperr.Invalid, msg: "web.json_truncated"},
		{name: "form body", body: `name=x`, contentType: "application/x-www-form-urlencoded", code: apperr.Invalid, msg: "web.json_content_type"},
		{name: "too large", body: `{"name":"` + strings.Repeat("x", MaxJSONBody) + `"}`, code: apperr.TooLarge, msg: "web.json_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(c.body))
			r.Header.Set("Content-Type", "application/json")
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			var v jsonProbe
			err := DecodeJSON(r, &v)
			if c.code == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T), want *apperr.Error", err, err)
			}
			if ae.Code != c.code {
				t.Errorf("code %s, want %s", ae.Code, c.code)
			}
			if c.field == "" {
				if ae.Msg.Key != c.msg || len(ae.Fields) != 0 {
					t.Errorf("message %s, fields %v; want %s", ae.Msg.Key, ae.Fields, c.msg)
				}
				return
			}
			if m, ok := ae.Fields[c.field]; !ok || m.Key != c.fieldKey || len(ae.Fields) != 1 {
				t.Errorf("fields %v, want %s: %s", ae.Fields, c.field, c.fieldKey)
			}
		})
	}
}
