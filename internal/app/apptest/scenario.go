package apptest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"grassroots/internal/platform/audit"
)

// Scenario is one request and what its answer must be, in the manner of a
// table of API scenarios: who sends it, what, and the status, the text the
// body holds and does not hold, and what the audit log gains.
type Scenario struct {
	// Name says what the scenario checks; failures are reported under it.
	Name string
	// User is the test user sending the request ("" for no session): a
	// bearer token of theirs for paths under /api/, their signed-in browser
	// session for every other path.
	User string
	// Method, Path and Body are the request; a Body is sent as JSON.
	Method, Path, Body string
	// Form, when set, is sent instead of Body as a browser's form post.
	Form url.Values
	// Header is added to the request (Accept-Language, Authorization...).
	Header map[string]string
	// Status is the status the answer must have.
	Status int
	// ExpectedContent must all be in the body, NotExpectedContent none.
	ExpectedContent, NotExpectedContent []string
	// ExpectedAudit, when not nil, is the actions of the audit entries the
	// request writes, in order; an empty, non-nil list means none.
	ExpectedAudit []string
	// Before, when set, runs first, to set up what the request needs.
	Before func(t testing.TB, e *Env)
}

// Scenarios runs the scenarios that build returns on each engine, each
// engine with a fresh server that build may first fill. The scenarios run
// in order on that one server, so what one writes the next ones see.
func Scenarios(t *testing.T, build func(t *testing.T, e *Env) []Scenario) {
	t.Helper()
	Each(t, func(t *testing.T, e *Env) { e.Run(t, build(t, e)...) })
}

// Run runs scenarios on e in order, each as a subtest named after it.
func (e *Env) Run(t *testing.T, scenarios ...Scenario) {
	t.Helper()
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) { e.run(t, s) })
	}
}

func (e *Env) run(t *testing.T, s Scenario) {
	t.Helper()
	if s.Before != nil {
		s.Before(t, e)
	}
	body := io.Reader(nil)
	switch {
	case s.Form != nil:
		body = strings.NewReader(s.Form.Encode())
	case s.Body != "":
		body = strings.NewReader(s.Body)
	}
	req, err := http.NewRequest(s.Method, e.Server.URL+s.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case s.Form != nil:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case s.Body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	switch {
	case s.User == "":
	case strings.HasPrefix(s.Path, "/api/"):
		req.Header.Set("Authorization", "Bearer "+e.cachedToken(t, s.User))
	default:
		client = e.cachedBrowser(t, s.User)
	}
	for k, v := range s.Header {
		req.Header.Set(k, v)
	}
	head := e.auditHead(t)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if resp.StatusCode != s.Status {
		t.Errorf("%s %s as %q: status %d, want %d: %.500s", s.Method, s.Path, s.User, resp.StatusCode, s.Status, got)
	}
	for _, want := range s.ExpectedContent {
		if !strings.Contains(got, want) {
			t.Errorf("%s %s as %q: the answer does not hold %q: %.500s", s.Method, s.Path, s.User, want, got)
		}
	}
	for _, not := range s.NotExpectedContent {
		if strings.Contains(got, not) {
			t.Errorf("%s %s as %q: the answer holds %q", s.Method, s.Path, s.User, not)
		}
	}
	if s.ExpectedAudit != nil {
		if actions := e.auditSince(t, head); !slices.Equal(actions, s.ExpectedAudit) {
			t.Errorf("%s %s as %q: audited %q, want %q", s.Method, s.Path, s.User, actions, s.ExpectedAudit)
		}
	}
}

// cachedToken returns an API token of user, made once per server.
func (e *Env) cachedToken(t testing.TB, user string) string {
	if tok, ok := e.tokens[user]; ok {
		return tok
	}
	if e.tokens == nil {
		e.tokens = map[string]string{}
	}
	e.tokens[user] = e.Token(t, user)
	return e.tokens[user]
}

// cachedBrowser returns a browser signed in as user, signed in once per
// server.
func (e *Env) cachedBrowser(t testing.TB, user string) *http.Client {
	if c, ok := e.browsers[user]; ok {
		return c
	}
	if e.browsers == nil {
		e.browsers = map[string]*http.Client{}
	}
	e.browsers[user] = e.Browser(t, user)
	return e.browsers[user]
}

// auditHead returns the sequence number of the audit log's last entry.
func (e *Env) auditHead(t testing.TB) int64 {
	t.Helper()
	seq, err := audit.Head(context.Background(), e.App.DB)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// auditSince returns the actions of the audit entries after seq, oldest
// first.
func (e *Env) auditSince(t testing.TB, seq int64) []string {
	t.Helper()
	rows, err := audit.List(context.Background(), e.App.DB, audit.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	actions := []string{}
	for _, r := range rows {
		if r.Seq > seq {
			actions = append(actions, r.Action)
		}
	}
	slices.Reverse(actions)
	return actions
}

// Refused returns s expecting an API error answer: a message, and a
// message about each of fields.
func Refused(s Scenario, fields ...string) Scenario {
	s.ExpectedContent = append(slices.Clip(s.ExpectedContent), `"message":"`)
	s.NotExpectedContent = append(slices.Clip(s.NotExpectedContent), `"message":""`)
	for _, f := range fields {
		s.ExpectedContent = append(s.ExpectedContent, `"`+f+`":"`)
		s.NotExpectedContent = append(s.NotExpectedContent, `"`+f+`":""`)
	}
	return s
}
