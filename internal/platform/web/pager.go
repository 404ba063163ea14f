package web

import (
	"fmt"
	"grassroots/internal/platform/i18n"
	"math"
	"net/http"
	"net/url"
	"strconv"
)

// Pager is one page of a long list.
type Pager struct {
	Page    int
	PerPage int
	Total   int
	Pages   int
	base    url.URL
	label   string
}

// NewPager reads ?page= from u and fits it to total rows of perPage each.
func NewPager(u *url.URL, total, perPage int, label string) *Pager {
	page, _ := strconv.Atoi(u.Query().Get("page"))
	pages := (total + perPage - 1) / perPage
	if pages < 1 {
		pages = 1
	}
	if page < 1 {
		page = 1
	}
	if page > pages {
		page = pages
	}
	return &Pager{Page: page, PerPage: perPage, Total: total, Pages: pages, base: *u, label: label}
}

// Offset is the number of rows before this page.
func (p *Pager) Offset() int { return (p.Page - 1) * p.PerPage }

// URL returns the address of page n, keeping the other query parameters.
func (p *Pager) URL(n int) string {
	u := p.base
	q := u.Query()
	q.Set("page", strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Label describes the page, like "第 2/7 页，共 130 条".
func (p *Pager) Label() string { return fmt.Sprintf(p.label, p.Page, p.Pages, p.Total) }

// ReadPage reads the page of a list that ?page= asks for, perPage rows,
// and returns its pager labelled in the request's language. read reads
// limit rows from offset and returns how many rows there are in all. The
// page asked for is read at once, and read again only when it lies past
// the end and the pager moves back to the last page, so that a list page
// costs one read, not a count first.
func ReadPage(r *http.Request, perPage int, read func(limit, offset int) (total int, err error)) (*Pager, error) {
	asked := NewPager(r.URL, math.MaxInt32, perPage, "").Offset()
	total, err := read(perPage, asked)
	if err != nil {
		return nil, err
	}
	p := NewPager(r.URL, total, perPage, i18n.T(Lang(r), "web.pager"))
	if p.Offset() != asked {
		if _, err := read(perPage, p.Offset()); err != nil {
			return nil, err
		}
	}
	return p, nil
}
