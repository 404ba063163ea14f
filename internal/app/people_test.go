package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/pii"
)

// peopleFixture adds a building and a household with a resident to each
// grid of the test district.
func peopleFixture(t *testing.T, e *apptest.Env) (mine, theirs *people.Household) {
	t.Helper()
	ctx := context.Background()
	sys := auth.SystemActor("test")
	mk := func(grid *org.Unit, code, name, first17 string) *people.Household {
		b, err := e.Orgs.CreateUnit(ctx, sys, org.UnitInput{ParentID: grid.ID, Type: org.Building, Code: code, Name: "1号楼"})
		if err != nil {
			t.Fatal(err)
		}
		h, err := e.People.CreateHousehold(ctx, sys, b.ID, "101")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.People.CreateResident(ctx, sys, people.ResidentInput{HouseholdID: h.ID, Name: name, IDNumber: first17 + string(pii.IDCheckChar(first17)),
			Phone: "13912345678", Relation: "head", Tags: []string{"elderly_alone"}}); err != nil {
			t.Fatal(err)
		}
		return h
	}
	return mk(e.Grid1, "360403001001001001", "王大爷", "36040319400101001"), mk(e.Grid2, "360403002001001001", "李奶奶", "36040319420202002")
}

func TestGridMemberSeesOwnHouseholds(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		mine, theirs := peopleFixture(t, e)
		b := e.Browser(t, "grid1")
		resp, err := b.Get(e.Server.URL + "/my-grid")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "王大爷") || strings.Contains(string(page), "李奶奶") {
			t.Errorf("my grid page: %d, shows own %v, shows other %v", resp.StatusCode, strings.Contains(string(page), "王大爷"), strings.Contains(string(page), "李奶奶"))
		}
		if strings.Contains(string(page), "13912345678") || !strings.Contains(string(page), "139****5678") {
			t.Errorf("the phone is not masked on the grid page")
		}
		resp, _ = b.Get(fmt.Sprintf("%s/households/%d", e.Server.URL, theirs.ID))
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("another grid's household: %d", resp.StatusCode)
		}
		resp, _ = b.Get(fmt.Sprintf("%s/households/%d", e.Server.URL, mine.ID))
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("own household: %d", resp.StatusCode)
		}
	})
}

func TestResidentsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		mine, _ := peopleFixture(t, e)
		admin := e.Token(t, "admin")
		id := "36040319800808122"
		id += string(pii.IDCheckChar(id))
		status, body := e.Do(t, admin, "POST", "/api/v1/residents", fmt.Sprintf(`{"name":"赵敏","gender":"female","birth_date":"1980-08-08","id_number":%q,
			"phone":"13800001111","household_id":%d,"tags":["disabled"]}`, id, mine.ID))
		if status != 201 || strings.Contains(body, id) || !strings.Contains(body, `"id_number":"3604**********`) || !strings.Contains(body, `"phone":"138****1111"`) {
			t.Fatalf("create: %d %s", status, body)
		}
		var r struct{ ID int64 }
		decode(t, body, &r)
		status, body = e.Do(t, admin, "POST", "/api/v1/residents", fmt.Sprintf(`{"name":"x","id_number":"%s0","household_id":%d}`, id[:17], mine.ID))
		if status != 400 || !strings.Contains(body, `"id_number"`) {
			t.Errorf("bad check digit: %d %s", status, body)
		}
		// Search by the full number, through the blind index.
		_, body = e.Do(t, admin, "GET", "/api/v1/residents?id_number="+id, "")
		if !strings.Contains(body, `"total":1`) || !strings.Contains(body, "赵敏") {
			t.Errorf("search by number: %s", body)
		}
		_, body = e.Do(t, admin, "GET", "/api/v1/residents?tag=elderly_alone", "")
		if !strings.Contains(body, `"total":2`) {
			t.Errorf("search by tag: %s", body)
		}
		// The street of another grid finds nothing.
		street2 := e.Token(t, "street2")
		if _, body = e.Do(t, street2, "GET", "/api/v1/residents?id_number="+id, ""); !strings.Contains(body, `"total":0`) {
			t.Errorf("street2 finds street1's resident: %s", body)
		}
		if status, _ = e.Do(t, street2, "GET", fmt.Sprintf("/api/v1/residents/%d", r.ID), ""); status != 404 {
			t.Errorf("street2 reads street1's resident: %d", status)
		}
		// Revealing: not for a grid member; with a reason for the admin, audited.
		grid := e.Token(t, "grid1")
		if status, _ = e.Do(t, grid, "POST", fmt.Sprintf("/api/v1/residents/%d/reveal", r.ID), `{"reason":"核实信息"}`); status != 403 {
			t.Errorf("grid member reveal: %d", status)
		}
		if status, body = e.Do(t, admin, "POST", fmt.Sprintf("/api/v1/residents/%d/reveal", r.ID), `{}`); status != 400 || !strings.Contains(body, "reason") {
			t.Errorf("reveal without reason: %d %s", status, body)
		}
		status, body = e.Do(t, admin, "POST", fmt.Sprintf("/api/v1/residents/%d/reveal", r.ID), `{"reason":"办理残疾人补贴"}`)
		if status != 200 || !strings.Contains(body, id) || !strings.Contains(body, "13800001111") {
			t.Errorf("reveal: %d %s", status, body)
		}
		var n int
		e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'resident.reveal' AND entity_id = ?`, fmt.Sprint(r.ID)).Scan(&n)
		if n != 1 {
			t.Errorf("reveals audited: %d", n)
		}
		// The overview counts people.
		_, body = e.Do(t, admin, "GET", "/api/v1/overview", "")
		if !strings.Contains(body, `"residents":3`) || !strings.Contains(body, `"households":2`) {
			t.Errorf("overview: %s", body)
		}
	})
}

func TestPeoplePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		mine, _ := peopleFixture(t, e)
		ctx := context.Background()
		list, _, err := e.People.ListResidents(ctx, auth.SystemActor("test"), people.ResidentFilter{HouseholdID: mine.ID})
		if err != nil || len(list) != 1 {
			t.Fatal(err)
		}
		res := list[0]
		// Lists leave in spreadsheets only with the bulk permission, workers'
		// too: a grid member reads the list but does not export it.
		resp, err := e.Browser(t, "grid1").Get(e.Server.URL + "/workers?format=csv")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("a grid member exporting workers: %d", resp.StatusCode)
		}
		b := e.Browser(t, "admin")
		for _, path := range []string{"/residents", "/residents?tag=elderly_alone", fmt.Sprintf("/residents/%d", res.ID), fmt.Sprintf("/residents/%d/edit", res.ID),
			fmt.Sprintf("/residents/new?household=%d", mine.ID), fmt.Sprintf("/households/%d", mine.ID), "/my-grid", "/party-members",
			fmt.Sprintf("/party-members/new?resident=%d", res.ID), "/in-service", "/workers", "/workers/new", "/grid-staff",
			fmt.Sprintf("/grid-staff/new?grid=%d", e.Grid1.ID)} {
			resp, err := b.Get(e.Server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "</html>") {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
			if strings.Contains(string(body), "13912345678") {
				t.Errorf("GET %s shows a phone in full", path)
			}
		}
	})
}

// A change may not set what only a new record takes: moving a resident to
// another household or a party member to another resident is refused,
// naming the field, and nothing changes.
func TestPatchRefusesCreateOnlyFields(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		f := newAuditorFixture(t, e)
		admin := e.Token(t, "admin")
		other, _, err := e.People.ListResidents(t.Context(), auth.SystemActor("test"), people.ResidentFilter{HouseholdID: f.theirs.ID})
		if err != nil || len(other) != 1 {
			t.Fatal(err)
		}
		for _, c := range []struct{ path, body, field string }{
			{fmt.Sprintf("/api/v1/residents/%d", f.resident), fmt.Sprintf(`{"name":"王大爷","household_id":%d}`, f.theirs.ID), "household_id"},
			{fmt.Sprintf("/api/v1/residents/%d", f.resident), `{"id_type":"passport"}`, "id_type"},
			{fmt.Sprintf("/api/v1/party-members/%d", f.member), fmt.Sprintf(`{"resident_id":%d}`, other[0].ID), "resident_id"},
		} {
			status, body := e.Do(t, admin, "PATCH", c.path, c.body)
			if status != 400 || !strings.Contains(body, `"`+c.field+`"`) {
				t.Errorf("PATCH %s %s: %d %s", c.path, c.body, status, body)
			}
		}
		if _, body := e.Do(t, admin, "GET", fmt.Sprintf("/api/v1/residents/%d", f.resident), ""); !strings.Contains(body, fmt.Sprintf(`"household_id":%d`, f.mine.ID)) ||
			!strings.Contains(body, `"id_type":"id_card"`) {
			t.Errorf("the resident changed: %s", body)
		}
		if _, body := e.Do(t, admin, "GET", fmt.Sprintf("/api/v1/party-members/%d", f.member), ""); !strings.Contains(body, fmt.Sprintf(`"resident_id":%d`, f.resident)) {
			t.Errorf("the party member changed: %s", body)
		}
		// What a change may set still changes.
		if status, body := e.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/residents/%d", f.resident), `{"name":"王大伯"}`); status != 200 || !strings.Contains(body, "王大伯") {
			t.Errorf("a rename: %d %s", status, body)
		}
	})
}
