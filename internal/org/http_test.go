package org_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
)

// TestUnitWritesAndErrors sends bad unit writes and reads, each refused
// with its code and a message beside the field at fault, in Chinese or
// English; then a street writes a grid, a party organisation, a co-building
// unit with its agreement and a part-time member, and the overview counts
// them.
func TestUnitWritesAndErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Token(t, "admin")
		street := e.Token(t, "street1")
		e.Run(t,
			apptest.Refused(apptest.Scenario{Name: "malformed JSON", User: "admin", Method: "POST", Path: "/api/v1/units", Body: `{"name":`, Status: 400, ExpectedContent: []string{`"code":"invalid"`}}),
			apptest.Refused(apptest.Scenario{Name: "unknown field", User: "admin", Method: "POST", Path: "/api/v1/units", Body: `{"parent_id":1,"type":"grid","code":"x","name":"n","colour":"red"}`, Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "colour"),
			apptest.Refused(apptest.Scenario{Name: "wrong type", User: "admin", Method: "POST", Path: "/api/v1/units", Body: `{"parent_id":"one"}`, Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "parent_id"),
			apptest.Refused(apptest.Scenario{Name: "two values", User: "admin", Method: "POST", Path: "/api/v1/units", Body: `{} {}`, Status: 400, ExpectedContent: []string{`"code":"invalid"`}}),
			apptest.Refused(apptest.Scenario{Name: "empty name", User: "admin", Method: "POST", Path: "/api/v1/units", Body: fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001002","name":" "}`, e.Community1.ID), Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "name"),
			apptest.Refused(apptest.Scenario{Name: "grid under street", User: "admin", Method: "POST", Path: "/api/v1/units", Body: fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001002","name":"x"}`, e.Street1.ID), Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "type"),
			apptest.Refused(apptest.Scenario{Name: "bad code", User: "admin", Method: "POST", Path: "/api/v1/units", Body: fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403002001002","name":"x"}`, e.Community1.ID), Status: 400, ExpectedContent: []string{`"code":"invalid"`, `"fields":{"code":"`}}, "code"),
			apptest.Refused(apptest.Scenario{Name: "bad GeoJSON", User: "admin", Method: "POST", Path: "/api/v1/units", Body: fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001002","name":"x","boundary":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}`, e.Community1.ID), Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "boundary"),
			apptest.Refused(apptest.Scenario{Name: "other street's parent", User: "street1", Method: "POST", Path: "/api/v1/units", Body: fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403002001002","name":"x"}`, e.Community2.ID), Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "parent_id"),
			apptest.Refused(apptest.Scenario{Name: "move into own subtree", User: "admin", Method: "PATCH", Path: fmt.Sprintf("/api/v1/units/%d", e.Street1.ID), Body: fmt.Sprintf(`{"parent_id":%d}`, e.Community1.ID), Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "parent_id"),
			apptest.Refused(apptest.Scenario{Name: "delete unit with children", User: "admin", Method: "DELETE", Path: fmt.Sprintf("/api/v1/units/%d", e.Community1.ID), Status: 409, ExpectedContent: []string{`"code":"conflict"`}}),
			apptest.Refused(apptest.Scenario{Name: "other street's unit", User: "street1", Method: "DELETE", Path: fmt.Sprintf("/api/v1/units/%d", e.Grid2.ID), Status: 404, ExpectedContent: []string{`"code":"not_found"`}}),
			apptest.Refused(apptest.Scenario{Name: "no token", User: "", Method: "GET", Path: "/api/v1/units", Status: 401, ExpectedContent: []string{`"code":"unauthorized"`}}),
			apptest.Refused(apptest.Scenario{Name: "bad token", User: "", Method: "GET", Path: "/api/v1/units", Header: map[string]string{"Authorization": "Bearer grt_nope"}, Status: 401, ExpectedContent: []string{`"code":"unauthorized"`}}),
			apptest.Refused(apptest.Scenario{Name: "bad query", User: "admin", Method: "GET", Path: "/api/v1/units?type=planet", Status: 400, ExpectedContent: []string{`"code":"invalid"`}}, "type"),
			apptest.Refused(apptest.Scenario{Name: "unknown endpoint", User: "admin", Method: "GET", Path: "/api/v1/nothing", Status: 404, ExpectedContent: []string{`"code":"not_found"`}}),
			// Messages speak Chinese by default and English on request.
			apptest.Scenario{Name: "English error", User: "admin", Method: "GET", Path: "/api/v1/units?type=planet", Header: map[string]string{"Accept-Language": "en-GB,en;q=0.9"},
				Status: 400, ExpectedContent: []string{"Not one of the allowed values"}},
			apptest.Scenario{Name: "Chinese error", User: "admin", Method: "GET", Path: "/api/v1/units?type=planet", Status: 400, ExpectedContent: []string{"不是可选的值"}},
		)

		// A street user creates a grid in its community, moves it and deletes it.
		status, body := e.Do(t, street, "POST", "/api/v1/units", fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001002","name":"第二网格",
			"boundary":{"type":"Polygon","coordinates":[[[115.99,29.70],[116.00,29.70],[116.00,29.71],[115.99,29.71],[115.99,29.70]]]}}`, e.Community1.ID))
		if status != 201 {
			t.Fatalf("create grid: %d %s", status, body)
		}
		var g struct {
			ID       int64           `json:"id"`
			Path     string          `json:"path"`
			Boundary json.RawMessage `json:"boundary"`
		}
		apptest.Decode(t, body, &g)
		if !strings.HasPrefix(g.Path, e.Community1.Path) || !strings.Contains(string(g.Boundary), "Polygon") {
			t.Errorf("created grid = %s", body)
		}
		status, body = e.Do(t, street, "PATCH", fmt.Sprintf("/api/v1/units/%d", g.ID), `{"name":"第二网格（调整）"}`)
		if status != 200 || !strings.Contains(body, "调整") {
			t.Errorf("rename: %d %s", status, body)
		}
		if status, body = e.Do(t, street, "DELETE", fmt.Sprintf("/api/v1/units/%d", g.ID), ""); status != 204 {
			t.Errorf("delete: %d %s", status, body)
		}

		// Party organisations and co-building units go through the same rules.
		status, body = e.Do(t, admin, "POST", "/api/v1/party-orgs", fmt.Sprintf(`{"unit_id":%d,"type":"school","name":"浔阳小学党支部","founded_on":"2001-07-01","member_count":23}`, e.Community1.ID))
		if status != 201 || !strings.Contains(body, `"checklist_type":"school"`) {
			t.Errorf("party org: %d %s", status, body)
		}
		status, body = e.Do(t, admin, "POST", "/api/v1/party-orgs", fmt.Sprintf(`{"unit_id":%d,"type":"school","name":"x","founded_on":"2001-13-01"}`, e.Community1.ID))
		if status != 400 || !strings.Contains(body, "founded_on") {
			t.Errorf("bad date: %d %s", status, body)
		}
		status, body = e.Do(t, admin, "POST", "/api/v1/co-building-units", fmt.Sprintf(`{"community_id":%d,"name":"九江市税务局","kind":"city_body"}`, e.Community1.ID))
		if status != 201 {
			t.Fatalf("co-building: %d %s", status, body)
		}
		var cb struct{ ID int64 }
		apptest.Decode(t, body, &cb)
		status, body = e.Do(t, admin, "POST", fmt.Sprintf("/api/v1/co-building-units/%d/agreements", cb.ID), `{"signed_on":"2023-05-04","content":"共建党员活动阵地"}`)
		if status != 201 {
			t.Errorf("agreement: %d %s", status, body)
		}
		status, body = e.Do(t, admin, "POST", "/api/v1/part-time-members", fmt.Sprintf(`{"street_id":%d,"co_building_unit_id":%d,"name":"李明","position":"党委委员"}`, e.Street1.ID, cb.ID))
		if status != 201 || !strings.Contains(body, "九江市税务局") {
			t.Errorf("part-time member: %d %s", status, body)
		}
		_, body = e.Do(t, admin, "GET", "/api/v1/overview", "")
		var o struct {
			PartyOrgs       int `json:"party_orgs"`
			CoBuildingUnits int `json:"co_building_units"`
			PartTimeMembers int `json:"part_time_members"`
		}
		apptest.Decode(t, body, &o)
		if o.PartyOrgs != 1 || o.CoBuildingUnits != 1 || o.PartTimeMembers != 1 {
			t.Errorf("overview after writes = %s", body)
		}
	})
}
