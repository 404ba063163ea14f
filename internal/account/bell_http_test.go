package account_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"grassroots/internal/app/apptest"
)

// TestNotificationBell checks the top bar's bell: after a dispatch the
// department's staff see it counted on every page; opening the
// notification takes them to the event and clears it; nobody else can
// open it.
func TestNotificationBell(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		grid, street, dept := e.Token(t, "grid1"), e.Token(t, "street1"), e.Token(t, "dept1")
		lon, lat := apptest.GridPoint(1)
		status, body := e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"路口垃圾堆积","lon":%f,"lat":%f}`, lon, lat))
		if status != 201 {
			t.Fatalf("report: %d %s", status, body)
		}
		var ev struct {
			ID int64 `json:"id"`
		}
		apptest.Decode(t, body, &ev)
		e.Run(t, apptest.Scenario{Name: "no bell count before the dispatch", User: "dept1", Method: "GET", Path: "/units", Status: 200,
			ExpectedContent: []string{`href="/notifications"`, `aria-label="消息"`}})
		for _, step := range []string{`{"action":"accept"}`, fmt.Sprintf(`{"action":"dispatch","handling_unit_id":%d,"whistle":"daily"}`, e.Dept.ID)} {
			if status, body := e.Do(t, street, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), step); status != 200 {
				t.Fatalf("%s: %d %s", step, status, body)
			}
		}
		e.Run(t, apptest.Scenario{Name: "the bell counts the dispatch", User: "dept1", Method: "GET", Path: "/units", Status: 200,
			ExpectedContent: []string{`aria-label="消息 1"`}})

		_, body = e.Do(t, dept, "GET", "/api/v1/notifications", "")
		var list struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Items) != 1 {
			t.Fatalf("dept1's notifications: %v %s", err, body)
		}
		open := fmt.Sprintf("/notifications/%d", list.Items[0].ID)
		e.Run(t, apptest.Scenario{Name: "another user cannot open it", User: "street2", Method: "GET", Path: open, Status: http.StatusNotFound})
		resp, err := e.Browser(t, "dept1").Get(e.Server.URL + open)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/events/%d", ev.ID) {
			t.Errorf("opening the notification: %d to %q, want the event", resp.StatusCode, resp.Header.Get("Location"))
		}
		e.Run(t, apptest.Scenario{Name: "opened, the bell clears", User: "dept1", Method: "GET", Path: "/units", Status: 200,
			ExpectedContent: []string{`aria-label="消息"`}, NotExpectedContent: []string{`aria-label="消息 1"`}})
	})
}
