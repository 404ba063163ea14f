package web

import (
	"net/http"
	"strconv"
	"strings"

	"grassroots/internal/platform/apperr"
)

// Query reads typed query parameters, collecting problems per parameter.
type Query struct {
	r      *http.Request
	fields apperr.Fields
}

// NewQuery starts reading r's query parameters.
func NewQuery(r *http.Request) *Query { return &Query{r: r} }

// String returns a parameter, trimmed.
func (q *Query) String(name string) string { return strings.TrimSpace(q.r.URL.Query().Get(name)) }

// ID returns a parameter that must be a positive id, or 0 when absent.
func (q *Query) ID(name string) int64 {
	s := q.String(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.fields.Add(name, "field.bad_number")
		return 0
	}
	return n
}

// Int returns a whole-number parameter within [min, max], def when absent.
func (q *Query) Int(name string, def, min, max int) int {
	s := q.String(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		q.fields.Add(name, "web.out_of_range", min, max)
		return def
	}
	return n
}

// Choice returns a parameter that must be one of allowed (or empty).
func (q *Query) Choice(name string, allowed ...string) string {
	s := q.String(name)
	if s == "" {
		return ""
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	q.fields.Add(name, "field.bad_choice")
	return ""
}

// Err returns the problems found, as one Invalid error, or nil.
func (q *Query) Err() error { return q.fields.Err() }

// Paging is the page/per_page pair of a paginated API listing.
type Paging struct {
	Page    int
	PerPage int
}

// Offset is the number of rows before the page.
func (p Paging) Offset() int { return (p.Page - 1) * p.PerPage }

// Paging reads ?page= and ?per_page= (at most 500, 50 by default).
func (q *Query) Paging() Paging {
	return Paging{Page: q.Int("page", 1, 1, 1_000_000), PerPage: q.Int("per_page", 50, 1, 500)}
}

// List is the body of a paginated API listing.
type List[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// NewList makes a listing body; items is never null in JSON.
func NewList[T any](items []T, total int, p Paging) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Page: p.Page, PerPage: p.PerPage}
}

// PathID reads a positive id from the URL path parameter name.
func PathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.NotFoundf(name)
	}
	return n, nil
}
