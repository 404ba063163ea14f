package account_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
)

type inboxOut struct {
	Items []struct {
		ID          int64  `json:"id"`
		SubjectType string `json:"subject_type"`
		SubjectID   int64  `json:"subject_id"`
		EventID     int64  `json:"event_id"`
		Kind        string `json:"kind"`
		Text        string `json:"text"`
		Href        string `json:"href"`
		Read        bool   `json:"read"`
	} `json:"items"`
	Unread int `json:"unread"`
	Total  int `json:"total"`
}

func inbox(t *testing.T, e *apptest.Env, token string) inboxOut {
	t.Helper()
	status, body := e.Do(t, token, "GET", "/api/v1/notifications", "")
	if status != 200 {
		t.Fatalf("notifications: %d %s", status, body)
	}
	var out inboxOut
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return out
}

// TestEventNotificationsInInbox follows a notification from the events
// workflow to the inbox: a report from a grid reaches its street's staff,
// who see it linked to the event on their page and in the API, and mark
// it read; nobody else receives it.
func TestEventNotificationsInInbox(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		grid, street, street2 := e.Token(t, "grid1"), e.Token(t, "street1"), e.Token(t, "street2")
		lon, lat := apptest.GridPoint(1)
		status, body := e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"路口垃圾堆积","lon":%f,"lat":%f}`, lon, lat))
		if status != 201 {
			t.Fatalf("report: %d %s", status, body)
		}
		var ev struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			t.Fatal(err)
		}

		got := inbox(t, e, street)
		if got.Total != 1 || got.Unread != 1 || len(got.Items) != 1 {
			t.Fatalf("street1's inbox = %+v, want the one report", got)
		}
		n := got.Items[0]
		href := fmt.Sprintf("/events/%d", ev.ID)
		if n.SubjectType != "event" || n.SubjectID != ev.ID || n.EventID != ev.ID || n.Kind != "reported" || n.Href != href || n.Read {
			t.Errorf("notification = %+v, want about event %d at %s", n, ev.ID, href)
		}
		if want := fmt.Sprintf("新上报事件 #%d 待立案。", ev.ID); n.Text != want {
			t.Errorf("text = %q, want %q", n.Text, want)
		}
		for name, tok := range map[string]string{"grid1": grid, "street2": street2} {
			if other := inbox(t, e, tok); other.Total != 0 {
				t.Errorf("%s received %+v", name, other.Items)
			}
		}

		b := e.Browser(t, "street1")
		resp, err := b.Get(e.Server.URL + "/notifications")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The page links each notification through its opening, which marks
		// it read and goes on to the subject (TestNotificationBell).
		open := fmt.Sprintf(`href="/notifications/%d"`, n.ID)
		if resp.StatusCode != 200 || !strings.Contains(string(page), open) || !strings.Contains(string(page), "/notifications/read") {
			t.Errorf("page: %d, without the link %s or the mark-read button", resp.StatusCode, open)
		}
		resp, err = b.PostForm(e.Server.URL+"/notifications/read", url.Values{})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Errorf("mark read: %d", resp.StatusCode)
		}
		if got := inbox(t, e, street); got.Unread != 0 || len(got.Items) != 1 || !got.Items[0].Read {
			t.Errorf("after marking read: %+v", got)
		}
	})
}
