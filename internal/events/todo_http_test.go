package events_test

import (
	"fmt"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
)

// inbox is /api/v1/inbox as a test reads it.
type inbox struct {
	Total int `json:"total"`
	Items []struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
		Href  string `json:"href"`
	} `json:"items"`
}

// waiting is the count of the inbox item named name, 0 when absent, and
// the total of the list it links to.
func waiting(t *testing.T, e *apptest.Env, token, name string) (count, listed int) {
	t.Helper()
	status, out := e.Do(t, token, "GET", "/api/v1/inbox", "")
	if status != 200 {
		t.Fatalf("inbox: %d %s", status, out)
	}
	var in inbox
	apptest.Decode(t, out, &in)
	for _, it := range in.Items {
		if it.Name != name {
			continue
		}
		// The item's list, through the API, holds exactly those events.
		status, out := e.Do(t, token, "GET", "/api/v1"+strings.Replace(it.Href, "&sort=due", "", 1), "")
		var list struct {
			Total int `json:"total"`
		}
		apptest.Decode(t, out, &list)
		if status != 200 {
			t.Fatalf("%s: %d %s", it.Href, status, out)
		}
		return it.Count, list.Total
	}
	return 0, 0
}

// TestInboxFollowsTheWorkflow walks one event from report to close and
// checks each step leaves the next actor's inbox with it and the last
// one's without it, each count equal to the list it links to.
func TestInboxFollowsTheWorkflow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
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
		act := func(token, body string) {
			t.Helper()
			if status, out := e.Do(t, token, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), body); status != 200 {
				t.Fatalf("%s: %d %s", body, status, out)
			}
		}
		expect := func(who, token, name string, want int) {
			t.Helper()
			n, listed := waiting(t, e, token, name)
			if n != want || (want > 0 && listed != n) {
				t.Errorf("%s's %s: %d waiting, %d in its list; want %d", who, name, n, listed, want)
			}
		}
		expect("street1", street, "events.accept", 1)
		expect("street2", e.Token(t, "street2"), "events.accept", 0)
		act(street, `{"action":"accept"}`)
		expect("street1", street, "events.accept", 0)
		expect("street1", street, "events.dispatch", 1)
		act(street, fmt.Sprintf(`{"action":"dispatch","handling_unit_id":%d,"whistle":"daily"}`, e.Dept.ID))
		expect("street1", street, "events.dispatch", 0)
		expect("dept1", dept, "events.sign", 1)
		act(dept, `{"action":"sign"}`)
		expect("dept1", dept, "events.sign", 0)
		expect("dept1", dept, "events.handle", 1)
		act(dept, `{"action":"handle","note":"已清理"}`)
		expect("dept1", dept, "events.handle", 0)
		expect("grid1", grid, "events.verify", 1)
		act(grid, `{"action":"pass"}`)
		expect("grid1", grid, "events.verify", 0)
		expect("grid1", grid, "events.rate", 1)
		act(grid, `{"action":"rate","rating":5}`)
		expect("grid1", grid, "events.rate", 0)

		// The top bar counts what waits, on every page; the rated event
		// waits for no one.
		e.Run(t, apptest.Scenario{Name: "nothing waits", User: "street1", Method: "GET", Path: "/events", Status: 200,
			ExpectedContent: []string{`aria-label="待办"`}})
		if status, out := e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"井盖缺失","lon":%f,"lat":%f}`, lon, lat)); status != 201 {
			t.Fatalf("report: %d %s", status, out)
		}
		e.Run(t, apptest.Scenario{Name: "one waits", User: "street1", Method: "GET", Path: "/units", Status: 200,
			ExpectedContent: []string{`aria-label="待办 1"`}},
			apptest.Scenario{Name: "home leads with it", User: "street1", Method: "GET", Path: "/", Status: 200,
				ExpectedContent: []string{`id="inbox"`, "待受理立案的事件", "/events?todo=accept"}},
			apptest.Scenario{Name: "its list", User: "street1", Method: "GET", Path: "/events?todo=accept&sort=due", Status: 200,
				ExpectedContent: []string{"待办：待受理立案的事件", "井盖缺失"}, NotExpectedContent: []string{"路口垃圾堆积"}},
			apptest.Scenario{Name: "a grid member reports first", User: "grid1", Method: "GET", Path: "/", Status: 200,
				ExpectedContent: []string{`class="btn primary big" href="/events/new"`}},
			apptest.Scenario{Name: "not a kind of work", User: "street1", Method: "GET", Path: "/api/v1/events?todo=nap", Status: 400,
				ExpectedContent: []string{`"todo"`}})
	})
}
