package events_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/audit"
)

// TestCallerPhone: a hotline operator records the caller's phone; it is
// kept sealed, shown masked, and revealed only to a dispatcher who gives a
// reason, audited.
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
		apptest.Decode(t, body, &ev)
		var plain int
		e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM events WHERE reporter_phone_sealed LIKE '%13955556666%' OR reporter_phone_masked = '13955556666'`).Scan(&plain)
		if plain != 0 {
			t.Errorf("the phone is stored in plain text")
		}
		caller := fmt.Sprintf("/events/%d/caller", ev.ID)
		// The grid member sees the event, not the number; the street may reveal it.
		e.Run(t,
			apptest.Refused(apptest.Scenario{Name: "bad phone", User: "operator", Method: "POST", Path: "/api/v1/events",
				Body: fmt.Sprintf(`{"category_code":"0101","description":"x","lon":%f,"lat":%f,"reporter_phone":"12"}`, lon, lat), Status: 400}, "reporter_phone"),
			apptest.Scenario{Name: "grid member reveals the caller", User: "grid1", Method: "POST", Path: caller,
				Form: url.Values{"reason": {"回访来电人"}}, Status: 403, NotExpectedContent: []string{"13955556666"}, ExpectedAudit: []string{}},
			apptest.Scenario{Name: "reveal without a reason", User: "street1", Method: "POST", Path: caller,
				Form: url.Values{"reason": {""}}, Status: 400, NotExpectedContent: []string{"13955556666"}, ExpectedAudit: []string{}},
			apptest.Scenario{Name: "street reveal", User: "street1", Method: "POST", Path: caller,
				Form: url.Values{"reason": {"回访来电人核实处理结果"}}, Status: 200, ExpectedContent: []string{"13955556666"}, ExpectedAudit: []string{"event.reveal_caller"}},
		)
		rows, err := audit.List(t.Context(), e.App.DB, audit.Filter{Action: "event.reveal_caller", EntityID: fmt.Sprint(ev.ID)})
		if err != nil || len(rows) != 1 {
			t.Errorf("reveals audited: %d (%v)", len(rows), err)
		}
	})
}

// TestEventsAPILargePhoto reports with a phone photo of a few megabytes,
// sent as base64, well past the 2 MB of an ordinary JSON body.
func TestEventsAPILargePhoto(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		noise := image.NewRGBA(image.Rect(0, 0, 900, 900))
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range noise.Pix {
			noise.Pix[i] = byte(rng.Uint32())
		}
		var big bytes.Buffer
		if err := png.Encode(&big, noise); err != nil {
			t.Fatal(err)
		}
		if big.Len() < 2<<20 {
			t.Fatalf("the large photo is only %d bytes", big.Len())
		}
		e.Run(t, apptest.Scenario{Name: fmt.Sprintf("a %d-byte photo", big.Len()), User: "grid1", Method: "POST", Path: "/api/v1/events",
			Body:   fmt.Sprintf(`{"category_code":"0101","description":"大照片","grid_id":%d,"photos":[%q]}`, e.Grid1.ID, base64.StdEncoding.EncodeToString(big.Bytes())),
			Status: 201})
	})
}
