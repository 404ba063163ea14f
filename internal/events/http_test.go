package events_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/events"
)

type eventOut struct {
	ID         int64  `json:"id"`
	State      string `json:"state"`
	GridID     int64  `json:"grid_id"`
	Photos     int    `json:"photos"`
	Duplicates []struct {
		ID int64 `json:"id"`
	} `json:"duplicates"`
	Actions []string `json:"actions"`
	History []struct {
		Action string   `json:"action"`
		Photos []string `json:"photos"`
	} `json:"history"`
}

// TestEventsAPI reports an event with a photo, again with the same key
// and once nearby, refuses bad reports and steps, walks the event through
// the whole workflow, each step by its own user, and reads its history,
// photo, indicators, overview figures, export and pages.
func TestEventsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		grid, street, dept := e.Token(t, "grid1"), e.Token(t, "street1"), e.Token(t, "dept1")
		lon, lat := apptest.GridPoint(1)
		photo := base64.StdEncoding.EncodeToString(apptest.PNG(t))
		body := fmt.Sprintf(`{"category_code":"0101","description":"路口垃圾堆积","lon":%f,"lat":%f,"idempotency_key":"abc","photos":[%q]}`, lon, lat, photo)
		status, out := e.Do(t, grid, "POST", "/api/v1/events", body)
		if status != 201 {
			t.Fatalf("report: %d %s", status, out)
		}
		var ev eventOut
		apptest.Decode(t, out, &ev)
		if ev.State != "reported" || ev.GridID != e.Grid1.ID || ev.Photos != 1 {
			t.Fatalf("reported: %s", out)
		}
		// The same key again: the same event, 200.
		status, out = e.Do(t, grid, "POST", "/api/v1/events", body)
		var again eventOut
		apptest.Decode(t, out, &again)
		if status != 200 || again.ID != ev.ID {
			t.Errorf("double submit: %d %s", status, out)
		}
		// A second report 20 m away suggests the first as a duplicate.
		status, out = e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"垃圾","lon":%f,"lat":%f}`, lon+0.0002, lat))
		var dup eventOut
		apptest.Decode(t, out, &dup)
		if status != 201 || len(dup.Duplicates) != 1 || dup.Duplicates[0].ID != ev.ID {
			t.Errorf("duplicates: %d %s", status, out)
		}
		long := strings.Repeat("字", 4001)
		notImage := base64.StdEncoding.EncodeToString([]byte("GIF89a but not really an image at all"))
		actions := fmt.Sprintf("/api/v1/events/%d/actions", ev.ID)
		e.Run(t,
			apptest.Refused(apptest.Scenario{Name: "outside the district", User: "grid1", Method: "POST", Path: "/api/v1/events",
				Body: `{"category_code":"0101","description":"x","lon":120.1,"lat":30.2}`, Status: 400}, "lon"),
			apptest.Refused(apptest.Scenario{Name: "coordinates not numbers", User: "grid1", Method: "POST", Path: "/api/v1/events",
				Body: `{"category_code":"0101","description":"x","lon":"east","lat":29.7}`, Status: 400}, "lon"),
			apptest.Refused(apptest.Scenario{Name: "unknown category", User: "grid1", Method: "POST", Path: "/api/v1/events",
				Body: fmt.Sprintf(`{"category_code":"9999","description":"x","lon":%f,"lat":%f}`, lon, lat), Status: 400}, "category_code"),
			apptest.Refused(apptest.Scenario{Name: "photo not an image", User: "grid1", Method: "POST", Path: "/api/v1/events",
				Body: fmt.Sprintf(`{"category_code":"0101","description":"x","lon":%f,"lat":%f,"photos":[%q]}`, lon, lat, notImage), Status: 400}, "photos[0]"),
			apptest.Refused(apptest.Scenario{Name: "text too long", User: "grid1", Method: "POST", Path: "/api/v1/events",
				Body: fmt.Sprintf(`{"category_code":"0101","description":%q,"lon":%f,"lat":%f}`, long, lon, lat), Status: 400}, "description"),
			apptest.Refused(apptest.Scenario{Name: "another street's event", User: "street2", Method: "GET", Path: fmt.Sprintf("/api/v1/events/%d", ev.ID), Status: 404}),
			apptest.Refused(apptest.Scenario{Name: "another street acts", User: "street2", Method: "POST", Path: actions, Body: `{"action":"accept"}`, Status: 404}),
			apptest.Refused(apptest.Scenario{Name: "department before dispatch", User: "dept1", Method: "GET", Path: fmt.Sprintf("/api/v1/events/%d", ev.ID), Status: 404}),
			apptest.Refused(apptest.Scenario{Name: "out of order", User: "street1", Method: "POST", Path: actions, Body: `{"action":"sign"}`, Status: 409}),
			apptest.Refused(apptest.Scenario{Name: "not the dispatcher", User: "grid1", Method: "POST", Path: actions, Body: `{"action":"accept"}`, Status: 403}),
			apptest.Refused(apptest.Scenario{Name: "unknown action", User: "street1", Method: "POST", Path: actions, Body: `{"action":"fly"}`, Status: 400}, "action"),
		)
		var n int
		if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM events`).Scan(&n); err != nil || n != 2 {
			t.Errorf("events after bad input: %d %v", n, err)
		}
		// The whole workflow, each step by its own user.
		act := func(token, body string, want string) {
			t.Helper()
			status, out := e.Do(t, token, "POST", actions, body)
			var got eventOut
			_ = json.Unmarshal([]byte(out), &got)
			if status != 200 || got.State != want {
				t.Fatalf("%s: %d %s", body, status, out)
			}
		}
		act(street, `{"action":"accept"}`, "accepted")
		act(street, fmt.Sprintf(`{"action":"dispatch","handling_unit_id":%d,"whistle":"daily"}`, e.Dept.ID), "dispatched")
		status, out = e.Do(t, dept, "GET", "/api/v1/events", "")
		if status != 200 || !strings.Contains(out, fmt.Sprintf(`"id":%d`, ev.ID)) || !strings.Contains(out, `"total":1`) {
			t.Errorf("department's list: %d %s", status, out)
		}
		act(dept, `{"action":"sign"}`, "signed")
		act(dept, fmt.Sprintf(`{"action":"handle","note":"已清运","photos":[%q]}`, photo), "handled")
		act(grid, `{"action":"fail","note":"仍有残留"}`, "rework")
		act(dept, `{"action":"handle","note":"已彻底清理"}`, "handled")
		act(grid, `{"action":"pass"}`, "closed")
		act(grid, `{"action":"rate","rating":5}`, "closed")
		status, out = e.Do(t, street, "GET", fmt.Sprintf("/api/v1/events/%d", ev.ID), "")
		var full eventOut
		apptest.Decode(t, out, &full)
		if status != 200 || len(full.History) != 9 || len(full.History[0].Photos) != 1 || full.History[4].Action != "handle" || len(full.History[4].Photos) != 1 {
			t.Fatalf("history: %d %s", status, out)
		}
		status, out = e.Do(t, street, "GET", fmt.Sprintf("/api/v1/events/%d/photos/%s", ev.ID, strings.TrimPrefix(full.History[0].Photos[0], fmt.Sprintf("/api/v1/events/%d/photos/", ev.ID))), "")
		if status != 200 || !strings.HasPrefix(out, "\x89PNG") {
			t.Errorf("photo: %d", status)
		}
		status, out = e.Do(t, street, "GET", fmt.Sprintf("/api/v1/events/indicators?unit=%d", e.Street1.ID), "")
		var ind events.Indicators
		apptest.Decode(t, out, &ind)
		if status != 200 || ind.Received != 2 || ind.Accepted != 1 {
			t.Errorf("indicators: %d %s", status, out)
		}
		status, out = e.Do(t, e.Token(t, "admin"), "GET", "/api/v1/overview", "")
		var o struct {
			Open    *int     `json:"events_open"`
			Overdue *int     `json:"events_overdue"`
			Closed  *int     `json:"events_closed_30d"`
			Rate    *float64 `json:"on_time_close_rate_30d"`
		}
		apptest.Decode(t, out, &o)
		if status != 200 || o.Open == nil || *o.Open != 1 || o.Closed == nil || *o.Closed != 1 || o.Overdue == nil || o.Rate == nil {
			t.Errorf("overview: %s", out)
		}
		// The export has one row per event with the time of every stage.
		resp, err := e.Browser(t, "street1").Get(e.Server.URL + "/events?format=csv")
		if err != nil {
			t.Fatal(err)
		}
		csv, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
		if resp.StatusCode != 200 || len(lines) != 3 || !strings.Contains(lines[0], "立案时间") || !strings.Contains(lines[0], "结案时间") {
			t.Errorf("export: %d %q", resp.StatusCode, csv)
		}
		var pages []apptest.Scenario
		for _, path := range []string{"/events", "/events/new", fmt.Sprintf("/events/%d", ev.ID), "/events/map", fmt.Sprintf("/events/map?unit=%d", e.Grid1.ID),
			"/events/indicators", fmt.Sprintf("/events/indicators?unit=%d", e.Street1.ID), "/event-categories", "/event-calendar", "/notifications", "/events?format=xlsx"} {
			pages = append(pages, apptest.Scenario{Name: "page " + path, User: "street1", Method: "GET", Path: path, Status: 200})
		}
		e.Run(t, pages...)
	})
}
