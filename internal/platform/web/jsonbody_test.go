package web

import (
	"strings"
	"testing"
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
