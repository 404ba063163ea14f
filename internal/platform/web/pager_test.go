package web

import (
	"net/http/httptest"
	"testing"
)

func TestReadPage(t *testing.T) {
	for _, c := range []struct {
		query       string
		page, reads int
		offsets     []int
	}{
		{"", 1, 1, []int{0}},
		{"?page=2", 2, 1, []int{20}},
		{"?page=9", 3, 2, []int{160, 40}}, // past the end: the last page, read again
	} {
		var offsets []int
		p, err := ReadPage(httptest.NewRequest("GET", "/x"+c.query, nil), 20, func(limit, offset int) (int, error) {
			offsets = append(offsets, offset)
			return 45, nil
		})
		if err != nil || p.Page != c.page || len(offsets) != c.reads || offsets[len(offsets)-1] != c.offsets[len(c.offsets)-1] || p.Total != 45 {
			t.Errorf("%q: page %d after reads at %v, %v", c.query, p.Page, offsets, err)
		}
	}
}
