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
