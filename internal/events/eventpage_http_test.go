package events_test

import (
	"fmt"
	"testing"
	"time"

	"grassroots/internal/app/apptest"
)

// current is how the step bar marks stage n (from 1) named name as the
// one the event waits in.
func current(n int, name string) string {
	return fmt.Sprintf(`class="stage current" aria-current="step"><span class="dot">%d</span><span class="name">%s</span>`, n, name)
}

// TestEventPageSaysWhereItStands walks an event through the workflow and
// checks that its page shows the stage it waits in, who acts next (as the
// inbox counts it), the time left on the stage, the state tag's colour,
// the history in the past tense, and the printable handling sheet.
func TestEventPageSaysWhereItStands(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		// A Monday morning in working hours.
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
		e.Events.Now = func() time.Time { return at }
		grid, street, dept := e.Token(t, "grid1"), e.Token(t, "street1"), e.Token(t, "dept1")
		lon, lat := apptest.GridPoint(1)
		status, out := e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"路口垃圾堆积","lon":%f,"lat":%f}`, lon, lat))
		if status != 201 {
			t.Fatalf("report: %d %s", status, out)
		}
		var ev struct {
			ID int64 `json:"id"`
		}
		apptest.Decode(t, out, &ev)
		page := fmt.Sprintf("/events/%d", ev.ID)
		act := func(token, body string) func(testing.TB, *apptest.Env) {
			return func(t testing.TB, e *apptest.Env) {
				if status, out := e.Do(t, token, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), body); status != 200 {
					t.Fatalf("%s: %d %s", body, status, out)
				}
			}
		}
		e.Run(t,
			apptest.Scenario{Name: "reported: the street accepts", User: "auditor", Method: "GET", Path: page, Status: 200,
				ExpectedContent: []string{current(2, "受理"), "待 " + e.Street1.Name + " 受理立案", `id="clock">剩余 `, `class="tag state tone-open"`,
					`<span class="dot">✓</span><span class="name">上报</span>`, `href="` + page + `/print"`},
				NotExpectedContent: []string{"您可办理", `tag red state`}},
			apptest.Scenario{Name: "the street is told it is theirs", User: "street1", Method: "GET", Path: page, Status: 200,
				ExpectedContent: []string{"待 " + e.Street1.Name + " 受理立案 <span class=\"tag yours\">您可办理</span>"}},
			apptest.Scenario{Name: "dispatched: the department signs", User: "auditor", Method: "GET", Path: page, Status: 200,
				Before: func(t testing.TB, e *apptest.Env) {
					act(street, `{"action":"accept"}`)(t, e)
					act(street, fmt.Sprintf(`{"action":"dispatch","handling_unit_id":%d,"whistle":"daily"}`, e.Dept.ID))(t, e)
				},
				ExpectedContent: []string{current(4, "签收"), "待 " + e.Dept.Name + " 签收", `id="clock">剩余 `}},
			apptest.Scenario{Name: "overdue in working days, in red", User: "dept1", Method: "GET", Path: page, Status: 200,
				Before:          func(t testing.TB, e *apptest.Env) { e.Events.Now = func() time.Time { return at.AddDate(0, 0, 14) } },
				ExpectedContent: []string{`id="clock">已超时 `, `个工作日</span>`, `class="tag state tone-red"`}},
			apptest.Scenario{Name: "overdue in English", User: "dept1", Method: "GET", Path: page + "?lang=en", Status: 200,
				ExpectedContent: []string{`id="clock">overdue by `, ` working days</span>`, "Waiting for " + e.Dept.Name + " to sign for it"}},
			apptest.Scenario{Name: "handled: the grid verifies", User: "street1", Method: "GET", Path: page + "?lang=zh", Status: 200,
				Before: func(t testing.TB, e *apptest.Env) {
					e.Events.Now = func() time.Time { return at.Add(time.Hour) }
					act(dept, `{"action":"sign"}`)(t, e)
					act(dept, `{"action":"handle","note":"已清理"}`)(t, e)
				},
				ExpectedContent: []string{current(6, "核查"), "待 上报人或" + e.Grid1.Name + "网格员 核查"}},
			apptest.Scenario{Name: "closed: green, waiting for the rating", User: "grid1", Method: "GET", Path: page, Status: 200,
				Before:             act(grid, `{"action":"pass"}`),
				ExpectedContent:    []string{current(7, "评价/结案"), "待 上报人 评价", `class="tag state tone-done"`},
				NotExpectedContent: []string{`id="clock"`, "tone-red"}},
			apptest.Scenario{Name: "rated: every stage done, nothing waits", User: "grid1", Method: "GET", Path: page, Status: 200,
				Before:             act(grid, `{"action":"rate","rating":5}`),
				ExpectedContent:    []string{`<span class="dot">✓</span><span class="name">评价/结案</span>`, "已办结，无待办事项"},
				NotExpectedContent: []string{`aria-current="step"`}},
			apptest.Scenario{Name: "the history in the past tense", User: "grid1", Method: "GET", Path: page + "?lang=en", Status: 200,
				ExpectedContent:    []string{"<strong>Reported</strong>", "<strong>Accepted</strong>", "<strong>Dispatched</strong>", "<strong>Signed for</strong>", "<strong>Reported the handling</strong>", "<strong>Verified: passed (closed)</strong>", "<strong>Rated</strong>"},
				NotExpectedContent: []string{"<strong>Accept</strong>", "<strong>Sign for</strong>", "<strong>Rate</strong>"}},
			apptest.Scenario{Name: "the list colours the state", User: "grid1", Method: "GET", Path: "/events?lang=zh", Status: 200,
				ExpectedContent: []string{`<span class="tag state tone-done">已结案</span>`}},
			apptest.Scenario{Name: "the handling sheet", User: "dept1", Method: "GET", Path: page + "/print?lang=zh", Status: 200,
				ExpectedContent: []string{"<h1>网格事件处置单</h1>", "#" + fmt.Sprint(ev.ID), "路口垃圾堆积", e.Dept.Name, "处置人签字", "核查人签字",
					"已清理", `<button type="button" class="primary" data-print>`},
				NotExpectedContent: []string{`class="sidenav"`, `class="topbar"`}},
			apptest.Scenario{Name: "no sheet out of scope", User: "street2", Method: "GET", Path: page + "/print", Status: 404},
		)
	})
}
