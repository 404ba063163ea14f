package web

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"grassroots/internal/platform/apperr"
)

func TestJSONRefusesOnlyRealNULs(t *testing.T) {
	var v map[string]string
	if err := DecodeJSONBytes(strings.NewReader(`{"a":"x\u0000y"}`), &v); err != ErrBadText {
		t.Errorf("an escaped NUL: %v", err)
	}
	if err := DecodeJSONBytes(strings.NewReader(`{"a":"C:\\u0000"}`), &v); err != nil || v["a"] != `C:\u0000` {
		t.Errorf("a backslash before u0000: %q %v", v["a"], err)
	}
	if err := DecodeJSONBytes(strings.NewReader(`{"a":"\\\u0000"}`), &v); err != ErrBadText {
		t.Errorf("a backslash, then an escaped NUL: %v", err)
	}
}

// TestJSONRefusesTextThatIsNotUnicode checks that a body with bytes that are
// not UTF-8, or with an escaped surrogate that is not half of a pair, is
// refused rather than stored as U+FFFD, while pairs and escaped backslashes
// pass.
func TestJSONRefusesTextThatIsNotUnicode(t *testing.T) {
	for _, body := range []string{
		"{\"a\":\"\xff\"}", "{\"a\":\"caf\xc3\"}", "{\"\xfe\":\"x\"}",
		`{"a":"\ud800"}`, `{"a":"\uDBFF x"}`, `{"a":"\udc00"}`, `{"a":"\ud800\u0041"}`,
		`{"a":"\ud800\ud800"}`, `{"a":"\ude00\ud83d"}`, `{"a":"x\\\ud800"}`, `{"\ud800":"x"}`,
	} {
		var v map[string]string
		if err := DecodeJSONBytes(strings.NewReader(body), &v); err != ErrBadText {
			t.Errorf("%q: %v, %q; want ErrBadText", body, err, v)
		}
	}
	for body, want := range map[string]string{
		`{"a":"\ud83d\ude00"}`: "😀", `{"a":"\uD83D\uDE00"}`: "😀", `{"a":"\\ud800"}`: `\ud800`,
		`{"a":"\\\\ud800"}`: `\\ud800`, `{"a":"\ufffd"}`: "\ufffd", "{\"a\":\"\ufffd\"}": "\ufffd",
	} {
		var v map[string]string
		if err := DecodeJSONBytes(strings.NewReader(body), &v); err != nil || v["a"] != want {
			t.Errorf("%q: %v, %q; want %q", body, err, v["a"], want)
		}
	}
}

func TestJSONChangeRefusesCreateOnlyFields(t *testing.T) {
	type body struct {
		ParentID *int64  `json:"parent_id" web:"create-only"`
		Name     *string `json:"name"`
	}
	change := func(text string) (*body, error) {
		r := httptest.NewRequest("PATCH", "/x", strings.NewReader(text))
		r.Header.Set("Content-Type", "application/json")
		var b body
		return &b, DecodeJSONChange(r, &b)
	}
	if b, err := change(`{"name":"x"}`); err != nil || b.Name == nil || *b.Name != "x" {
		t.Errorf("a change of a field that may change: %+v %v", b, err)
	}
	for _, text := range []string{`{"parent_id":2}`, `{"name":"x","parent_id":null}`, `{"PARENT_ID":2}`} {
		_, err := change(text)
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.Invalid || e.Fields["parent_id"].Key != "web.json_create_only" {
			t.Errorf("%s: %v", text, err)
		}
	}
	if _, err := change(`{"nmae":"x"}`); err == nil {
		t.Errorf("an unknown field is accepted on a change")
	}
	r := httptest.NewRequest("POST", "/x", strings.NewReader(`{"parent_id":2}`))
	var b body
	if err := DecodeJSON(r, &b); err != nil || b.ParentID == nil || *b.ParentID != 2 {
		t.Errorf("a create-only field on creation: %+v %v", b, err)
	}
}
