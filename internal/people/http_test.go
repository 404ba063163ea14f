package people_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
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
		e.Run(t,
			apptest.Scenario{Name: "my grid page", User: "grid1", Method: "GET", Path: "/my-grid", Status: 200,
				// The phone is masked on the grid page.
				ExpectedContent: []string{"王大爷", "139****5678"}, NotExpectedContent: []string{"李奶奶", "13912345678"}},
			apptest.Scenario{Name: "another grid's household", User: "grid1", Method: "GET", Path: fmt.Sprintf("/households/%d", theirs.ID), Status: 404},
			apptest.Scenario{Name: "own household", User: "grid1", Method: "GET", Path: fmt.Sprintf("/households/%d", mine.ID), Status: 200},
		)
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
		apptest.Decode(t, body, &r)
		reveal := fmt.Sprintf("/api/v1/residents/%d/reveal", r.ID)
		e.Run(t,
			apptest.Scenario{Name: "bad check digit", User: "admin", Method: "POST", Path: "/api/v1/residents",
				Body: fmt.Sprintf(`{"name":"x","id_number":"%s0","household_id":%d}`, id[:17], mine.ID), Status: 400, ExpectedContent: []string{`"id_number"`}},
			// Search by the full number, through the blind index.
			apptest.Scenario{Name: "search by number", User: "admin", Method: "GET", Path: "/api/v1/residents?id_number=" + id, Status: 200,
				ExpectedContent: []string{`"total":1`, "赵敏"}},
			apptest.Scenario{Name: "search by tag", User: "admin", Method: "GET", Path: "/api/v1/residents?tag=elderly_alone", Status: 200,
				ExpectedContent: []string{`"total":2`}},
			// The street of another grid finds nothing.
			apptest.Scenario{Name: "street2 finds street1's resident", User: "street2", Method: "GET", Path: "/api/v1/residents?id_number=" + id, Status: 200,
				ExpectedContent: []string{`"total":0`}},
			apptest.Scenario{Name: "street2 reads street1's resident", User: "street2", Method: "GET", Path: fmt.Sprintf("/api/v1/residents/%d", r.ID), Status: 404},
			// Revealing: not for a grid member; with a reason for the admin, audited.
			apptest.Scenario{Name: "grid member reveal", User: "grid1", Method: "POST", Path: reveal, Body: `{"reason":"核实信息"}`, Status: 403,
				NotExpectedContent: []string{id}, ExpectedAudit: []string{}},
			apptest.Scenario{Name: "reveal without reason", User: "admin", Method: "POST", Path: reveal, Body: `{}`, Status: 400,
				ExpectedContent: []string{"reason"}, ExpectedAudit: []string{}},
			apptest.Scenario{Name: "reveal", User: "admin", Method: "POST", Path: reveal, Body: `{"reason":"办理残疾人补贴"}`, Status: 200,
				ExpectedContent: []string{id, "13800001111"}, ExpectedAudit: []string{"resident.reveal"}},
			// The overview counts people.
			apptest.Scenario{Name: "overview", User: "admin", Method: "GET", Path: "/api/v1/overview", Status: 200,
				ExpectedContent: []string{`"residents":3`, `"households":2`}},
		)
		rows, err := audit.List(t.Context(), e.App.DB, audit.Filter{Action: "resident.reveal", EntityID: fmt.Sprint(r.ID)})
		if err != nil || len(rows) != 1 {
			t.Errorf("reveals audited: %d (%v)", len(rows), err)
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
		scenarios := []apptest.Scenario{{Name: "a grid member exporting workers", User: "grid1", Method: "GET", Path: "/workers?format=csv", Status: http.StatusForbidden}}
		for _, path := range []string{"/residents", "/residents?tag=elderly_alone", fmt.Sprintf("/residents/%d", res.ID), fmt.Sprintf("/residents/%d/edit", res.ID),
			fmt.Sprintf("/residents/new?household=%d", mine.ID), fmt.Sprintf("/households/%d", mine.ID), "/my-grid", "/party-members",
			fmt.Sprintf("/party-members/new?resident=%d", res.ID), "/in-service", "/workers", "/workers/new", "/grid-staff",
			fmt.Sprintf("/grid-staff/new?grid=%d", e.Grid1.ID)} {
			// No page shows a phone in full.
			scenarios = append(scenarios, apptest.Scenario{Name: "GET " + path, User: "admin", Method: "GET", Path: path, Status: http.StatusOK,
				ExpectedContent: []string{"</html>"}, NotExpectedContent: []string{"13912345678"}})
		}
		e.Run(t, scenarios...)
	})
}

// A change may not set what only a new record takes: moving a resident to
// another household or a party member to another resident is refused,
// naming the field, and nothing changes.
func TestPatchRefusesCreateOnlyFields(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		f := newAuditorFixture(t, e)
		other, _, err := e.People.ListResidents(t.Context(), auth.SystemActor("test"), people.ResidentFilter{HouseholdID: f.theirs.ID})
		if err != nil || len(other) != 1 {
			t.Fatal(err)
		}
		resident, member := fmt.Sprintf("/api/v1/residents/%d", f.resident), fmt.Sprintf("/api/v1/party-members/%d", f.member)
		e.Run(t,
			apptest.Scenario{Name: "move a resident", User: "admin", Method: "PATCH", Path: resident,
				Body: fmt.Sprintf(`{"name":"王大爷","household_id":%d}`, f.theirs.ID), Status: 400, ExpectedContent: []string{`"household_id"`}},
			apptest.Scenario{Name: "change an identity document's type", User: "admin", Method: "PATCH", Path: resident,
				Body: `{"id_type":"passport"}`, Status: 400, ExpectedContent: []string{`"id_type"`}},
			apptest.Scenario{Name: "move a party member", User: "admin", Method: "PATCH", Path: member,
				Body: fmt.Sprintf(`{"resident_id":%d}`, other[0].ID), Status: 400, ExpectedContent: []string{`"resident_id"`}},
			apptest.Scenario{Name: "the resident unchanged", User: "admin", Method: "GET", Path: resident, Status: 200,
				ExpectedContent: []string{fmt.Sprintf(`"household_id":%d`, f.mine.ID), `"id_type":"id_card"`}},
			apptest.Scenario{Name: "the party member unchanged", User: "admin", Method: "GET", Path: member, Status: 200,
				ExpectedContent: []string{fmt.Sprintf(`"resident_id":%d`, f.resident)}},
			// What a change may set still changes.
			apptest.Scenario{Name: "a rename", User: "admin", Method: "PATCH", Path: resident, Body: `{"name":"王大伯"}`, Status: 200,
				ExpectedContent: []string{"王大伯"}},
		)
	})
}
