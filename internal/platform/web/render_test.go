package web

import "testing"

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
