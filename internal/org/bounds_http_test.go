package org_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/geo"
)

// TestUnitBoundsAPI checks through PATCH /api/v1/units/{id} that a
// boundary crossing itself, a grid lying wholly outside its community and a
// grid overlapping its neighbour are refused (400, saying where, in the
// reader's language), that boundaries that fit are written, and that a grid
// moves to another community with the boundary it takes there in one
// request.
func TestUnitBoundsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Token(t, "admin")
		rect := func(minLon, minLat, maxLon, maxLat float64) string {
			return geo.Rect(minLon, minLat, maxLon, maxLat).GeoJSON()
		}
		patch := func(id int64, body string) (int, apptest.APIError, string) {
			t.Helper()
			status, text := e.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/units/%d", id), body)
			var ae apptest.APIError
			if status != 200 {
				apptest.Decode(t, text, &ae)
			}
			return status, ae, text
		}
		refused := func(name string, id int64, lang, body, field string, says ...string) {
			t.Helper()
			status, text := e.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/units/%d?lang=%s", id, lang), body)
			var ae apptest.APIError
			apptest.Decode(t, text, &ae)
			msg := ae.Error.Fields[field]
			if status != 400 || ae.Error.Code != "invalid" || msg == "" {
				t.Fatalf("%s: %d %s, want 400 about %s", name, status, text, field)
			}
			for _, s := range says {
				if !strings.Contains(msg, s) {
					t.Errorf("%s: %q does not say %q", name, msg, s)
				}
			}
		}

		// Grid 1 lies in 116.00-116.01, grid 2 east of it, both 29.70-29.71;
		// community 1 gets a boundary around grid 1.
		if status, _, text := patch(e.Community1.ID, fmt.Sprintf(`{"boundary":%s}`, rect(115.99, 29.69, 116.01, 29.72))); status != 200 {
			t.Fatalf("community boundary: %d %s", status, text)
		}

		bowTie := `{"type":"Polygon","coordinates":[[[116.0,29.7],[116.008,29.708],[116.008,29.7],[116.0,29.71],[116.0,29.7]]]}`
		refused("self-intersecting", e.Grid1.ID, "zh", `{"boundary":`+bowTie+`}`, "boundary", "自相交", "经度 116.00444、纬度 29.70444")
		refused("self-intersecting", e.Grid1.ID, "en", `{"boundary":`+bowTie+`}`, "boundary", "crosses", "longitude 116.00444, latitude 29.70444")

		outside := rect(116.1, 29.7, 116.11, 29.71)
		refused("outside the community", e.Grid1.ID, "zh", `{"boundary":`+outside+`}`, "boundary", "100%", "「白水湖社区」")
		refused("outside the community", e.Grid1.ID, "en", `{"boundary":`+outside+`}`, "boundary", "100% of the boundary lies outside the boundary of 白水湖社区 (360403001001)")

		status, text := e.Do(t, admin, "POST", "/api/v1/units", fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001002","name":"第二网格","boundary":%s}`, e.Community1.ID, rect(116.0, 29.69, 116.01, 29.7)))
		if status != 201 {
			t.Fatalf("second grid: %d %s", status, text)
		}
		var second struct {
			ID int64 `json:"id"`
		}
		apptest.Decode(t, text, &second)
		overlapping := rect(116.0, 29.69, 116.01, 29.705)
		refused("overlapping", second.ID, "zh", `{"boundary":`+overlapping+`}`, "boundary", "「第一网格」（360403001001001）", "50%")
		refused("overlapping", second.ID, "en", `{"boundary":`+overlapping+`}`, "boundary", "overlaps the boundary of 第一网格 (360403001001001) by 50%")

		// Nothing was written by the refusals; what fits is.
		status, text = e.Do(t, admin, "GET", fmt.Sprintf("/api/v1/units/%d", e.Grid1.ID), "")
		var g1 struct {
			Boundary json.RawMessage `json:"boundary"`
		}
		apptest.Decode(t, text, &g1)
		if status != 200 || string(g1.Boundary) != rect(116.0, 29.7, 116.01, 29.71) {
			t.Errorf("grid 1 after refusals: %d %s", status, text)
		}
		for _, body := range []string{
			`{"boundary":` + rect(116.0, 29.7, 116.0095, 29.71) + `}`,
			`{"name":"第一网格","boundary":` + rect(116.0, 29.7, 116.01, 29.7101) + `}`,
			`{"boundary":null}`,
			`{"boundary":` + rect(116.0, 29.7, 116.01, 29.71) + `}`,
		} {
			if status, _, text := patch(e.Grid1.ID, body); status != 200 {
				t.Errorf("%s: %d %s", body, status, text)
			}
		}

		// Moved to community 2 (no boundary, so only grid 2 is in the way),
		// the second grid takes a boundary beside grid 2 in the same request.
		status, _, text = patch(second.ID, fmt.Sprintf(`{"parent_id":%d,"code":"360403002001002","boundary":%s}`, e.Community2.ID, rect(116.01, 29.7, 116.02, 29.71)))
		if status != 400 {
			t.Errorf("moved over grid 2: %d %s", status, text)
		}
		status, _, text = patch(second.ID, fmt.Sprintf(`{"parent_id":%d,"code":"360403002001002","boundary":%s}`, e.Community2.ID, rect(116.02, 29.7, 116.03, 29.71)))
		if status != 200 || !strings.Contains(text, `"code":"360403002001002"`) {
			t.Errorf("moved with a new boundary: %d %s", status, text)
		}
	})
}
