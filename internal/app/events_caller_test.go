package app_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
)

// A hotline operator records the caller's phone: it is kept sealed, shown
// masked, and revealed only to a dispatcher who gives a reason.
func TestCallerPhone(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		op := e.Token(t, "operator")
		lon, lat := apptest.GridPoint(1)
		status, body := e.Do(t, op, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"楼下垃圾堆积","lon":%f,"lat":%f,
			"source":"hotline","reporter_name":"张女士","reporter_phone":"13955556666"}`, lon, lat))
		if status != 201 || strings.Contains(body, "13955556666") || !strings.Contains(body, "139****6666") {
			t.Fatalf("report: %d %s", status, body)
		}
		var ev struct{ ID int64 }
		decode(t, body, &ev)
		if status, body = e.Do(t, op, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"x","lon":%f,"lat":%f,"reporter_phone":"12"}`, lon, lat)); status != 400 || !strings.Contains(body, "reporter_phone") {
			t.Errorf("bad phone: %d %s", status, body)
		}
		var plain int
		e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM events WHERE reporter_phone_sealed LIKE '%13955556666%' OR reporter_phone_masked = '13955556666'`).Scan(&plain)
		if plain != 0 {
			t.Errorf("the phone is stored in plain text")
		}
		// The grid member sees the event, not the number; the street may reveal it.
		grid := e.Browser(t, "grid1")
		resp, _ := grid.PostForm(fmt.Sprintf("%s/events/%d/caller", e.Server.URL, ev.ID), map[string][]string{"reason": {"回访来电人"}})
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("grid member reveals the caller: %d", resp.StatusCode)
		}
		street := e.Browser(t, "street1")
		resp, _ = street.PostForm(fmt.Sprintf("%s/events/%d/caller", e.Server.URL, ev.ID), map[string][]string{"reason": {""}})
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("reveal without a reason: %d", resp.StatusCode)
		}
		resp, _ = street.PostForm(fmt.Sprintf("%s/events/%d/caller", e.Server.URL, ev.ID), map[string][]string{"reason": {"回访来电人核实处理结果"}})
		page := readBody(t, resp)
		if resp.StatusCode != 200 || !strings.Contains(page, "13955556666") {
			t.Errorf("street reveal: %d", resp.StatusCode)
		}
		var n int
		e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'event.reveal_caller' AND entity_id = ?`, fmt.Sprint(ev.ID)).Scan(&n)
		if n != 1 {
			t.Errorf("reveals audited: %d", n)
		}
	})
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
