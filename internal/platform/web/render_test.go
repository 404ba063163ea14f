package web

import (
	"testing"
	"time"
)

func TestGrouped(t *testing.T) {
	for in, want := range map[any]string{
		0:             "0",
		999:           "999",
		1000:          "1,000",
		29566:         "29,566",
		int64(423117): "423,117",
		-1234567:      "-1,234,567",
		384501.5:      "384,501.5",
		"384382.17":   "384,382.17",
		"93.4%":       "93.4%",
		"12345abc":    "12345abc",
		"":            "",
	} {
		if got := Grouped(in); got != want {
			t.Errorf("Grouped(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestDateFuncsInShanghai checks that pages show an instant's day and time
// in Shanghai whatever its zone: 20:00 UTC is the next morning there.
func TestDateFuncsInShanghai(t *testing.T) {
	f := (&Renderer{}).funcs()
	at := time.Date(2026, 6, 14, 20, 0, 0, 0, time.UTC)
	day, stamp := f["date"].(func(any) string), f["datetime"].(func(any) string)
	if got := day(at); got != "2026-06-15" {
		t.Errorf("date = %s", got)
	}
	if got := day(&at); got != "2026-06-15" {
		t.Errorf("date of a pointer = %s", got)
	}
	if got := stamp(at); got != "2026-06-15 04:00" {
		t.Errorf("datetime = %s", got)
	}
}
