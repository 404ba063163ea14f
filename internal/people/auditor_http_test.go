package people_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/pii"
)

// auditorFixture is one record of each kind the people and org modules
// keep, in street 1 (and peopleFixture's households in both streets), and
// the identity numbers and phones in full that no answer may show.
type auditorFixture struct {
	mine, theirs                                        *people.Household
	resident, member, worker, staff, post               int64
	partyOrg, coBuilding, partTime, building, agreement int64
	secrets                                             []string
}

func newAuditorFixture(t *testing.T, e *apptest.Env) auditorFixture {
	t.Helper()
	ctx, sys := t.Context(), auth.SystemActor("test")
	var f auditorFixture
	f.mine, f.theirs = peopleFixture(t, e)
	f.secrets = []string{"13912345678", "360403194001010010", "360403194202020020"}
	for _, first17 := range []string{"36040319400101001", "36040319420202002"} {
		f.secrets = append(f.secrets, first17+string(pii.IDCheckChar(first17)))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	list, _, err := e.People.ListResidents(ctx, sys, people.ResidentFilter{HouseholdID: f.mine.ID})
	must(err)
	f.resident, f.building = list[0].ID, f.mine.BuildingID
	po, err := e.Orgs.CreatePartyOrg(ctx, sys, org.PartyOrgInput{UnitID: e.Community1.ID, Type: org.CommunityOrg, Name: "白水湖社区党委"})
	must(err)
	f.partyOrg = po.ID
	m, err := e.People.CreatePartyMember(ctx, sys, people.PartyMemberInput{ResidentID: f.resident, PartyOrgID: po.ID, JoinedOn: "1970-07-01"})
	must(err)
	f.member = m.ID
	workerID := "36040319800101123"
	workerID += string(pii.IDCheckChar(workerID))
	w, err := e.People.SaveWorker(ctx, sys, 0, people.WorkerInput{UnitID: e.Community1.ID, Name: "李书记", Gender: "male", IDNumber: workerID,
		Phone: "13900001111", Position: "party_secretary", Education: "bachelor", PayStep: 3})
	must(err)
	f.worker = w.ID
	g, err := e.People.SaveGridStaff(ctx, sys, 0, people.GridStaffInput{GridID: e.Grid1.ID, Role: "member", Kind: "building_head", Name: "孙楼长",
		Phone: "13700002222", Buildings: []int64{f.building}})
	must(err)
	f.staff = g.ID
	f.secrets = append(f.secrets, workerID, "13900001111", "13700002222")
	p, err := e.People.CreatePost(ctx, sys, people.PostInput{CommunityID: e.Community1.ID, Category: "legal_aid", Title: "每周法律咨询", Slots: 1})
	must(err)
	f.post = p.ID
	cb, err := e.Orgs.CreateCoBuildingUnit(ctx, sys, org.CoBuildingInput{CommunityID: e.Community1.ID, Name: "九江市税务局", Kind: org.CityBody})
	must(err)
	f.coBuilding = cb.ID
	ag, err := e.Orgs.AddAgreement(ctx, sys, cb.ID, org.AgreementInput{CommunityID: e.Community1.ID, SignedOn: "2024-01-01", Content: "共建协议"})
	must(err)
	f.agreement = ag.ID
	pt, err := e.Orgs.CreatePartTimeMember(ctx, sys, org.PartTimeInput{StreetID: e.Street1.ID, CoBuildingUnitID: cb.ID, Name: "张三", Position: "党委副书记"})
	must(err)
	f.partTime = pt.ID
	return f
}

// The auditor reads every list and record of the people and org modules in
// the whole district, masked, may not reveal, and every write is refused.
func TestAuditorReadsEverythingAndWritesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		f := newAuditorFixture(t, e)
		reads := []string{
			"/api/v1/residents", fmt.Sprintf("/api/v1/residents/%d", f.resident), "/api/v1/households",
			fmt.Sprintf("/api/v1/households/%d", f.mine.ID), fmt.Sprintf("/api/v1/households/%d", f.theirs.ID),
			fmt.Sprintf("/api/v1/households/%d/history", f.mine.ID), "/api/v1/party-members", fmt.Sprintf("/api/v1/party-members/%d", f.member),
			fmt.Sprintf("/api/v1/party-members/%d/feedback", f.member), "/api/v1/service-posts", "/api/v1/grid-staff", "/api/v1/workers",
			fmt.Sprintf("/api/v1/workers/%d", f.worker), "/api/v1/units", fmt.Sprintf("/api/v1/units/%d", e.Grid2.ID), "/api/v1/party-orgs",
			fmt.Sprintf("/api/v1/party-orgs/%d", f.partyOrg), "/api/v1/co-building-units", fmt.Sprintf("/api/v1/co-building-units/%d", f.coBuilding),
			"/api/v1/part-time-members", fmt.Sprintf("/api/v1/part-time-members/%d", f.partTime),
		}
		var scenarios []apptest.Scenario
		for _, path := range reads {
			scenarios = append(scenarios, apptest.Scenario{Name: "GET " + path, User: "auditor", Method: "GET", Path: path, Status: 200, NotExpectedContent: f.secrets})
		}
		// The whole district: both streets' residents.
		scenarios = append(scenarios,
			apptest.Scenario{Name: "the auditor's residents", User: "auditor", Method: "GET", Path: "/api/v1/residents", Status: 200,
				ExpectedContent: []string{`"total":2`, "李奶奶"}},
			apptest.Scenario{Name: "the auditor's workers, masked", User: "auditor", Method: "GET", Path: "/api/v1/workers", Status: 200,
				ExpectedContent: []string{`"id_number":"3604**********`, `"139****1111"`}})
		for _, path := range []string{"/residents", fmt.Sprintf("/residents/%d", f.resident), fmt.Sprintf("/households/%d", f.theirs.ID),
			"/party-members", fmt.Sprintf("/party-members/%d", f.member), fmt.Sprintf("/party-members/%d/feedback", f.member), "/in-service",
			"/workers", fmt.Sprintf("/workers/%d", f.worker), "/grid-staff", fmt.Sprintf("/grid-staff/%d", f.staff), "/units",
			fmt.Sprintf("/units/%d", e.Grid1.ID), "/party-orgs", fmt.Sprintf("/party-orgs/%d", f.partyOrg), "/co-building",
			fmt.Sprintf("/co-building/%d", f.coBuilding), "/part-time-members", fmt.Sprintf("/part-time-members/%d", f.partTime)} {
			scenarios = append(scenarios, apptest.Scenario{Name: "page " + path, User: "auditor", Method: "GET", Path: path, Status: 200,
				ExpectedContent: []string{"</html>"}, NotExpectedContent: f.secrets})
		}

		// No reveal, no write: each answers 403, whatever the body.
		id := func(format string, args ...any) string { return fmt.Sprintf(format, args...) }
		writes := []struct{ method, path, body string }{
			{"POST", "/api/v1/residents/" + id("%d", f.resident) + "/reveal", `{"reason":"核实"}`},
			{"POST", "/api/v1/residents", id(`{"household_id":%d,"name":"新人","relation":"child"}`, f.mine.ID)},
			{"PATCH", id("/api/v1/residents/%d", f.resident), `{"name":"改名"}`},
			{"POST", id("/api/v1/residents/%d/status", f.resident), `{"status":"deceased","on":"2024-01-01"}`},
			{"POST", "/api/v1/households", id(`{"building_id":%d,"room":"102"}`, f.building)},
			{"POST", id("/api/v1/households/%d/move", f.mine.ID), id(`{"building_id":%d,"room":"103"}`, f.building)},
			{"POST", "/api/v1/party-members", id(`{"resident_id":%d,"party_org_id":%d}`, f.resident, f.partyOrg)},
			{"PATCH", id("/api/v1/party-members/%d", f.member), `{"employer":"x"}`},
			{"POST", id("/api/v1/party-members/%d/register", f.member), `{"on":"2024-01-01"}`},
			{"POST", id("/api/v1/party-members/%d/hours", f.member), id(`{"post_id":%d,"served_on":"2024-01-01","minutes":60}`, f.post)},
			{"POST", "/api/v1/service-posts", id(`{"community_id":%d,"category":"legal_aid","title":"x","slots":1}`, e.Community1.ID)},
			{"POST", id("/api/v1/service-posts/%d/claims", f.post), id(`{"party_member_id":%d}`, f.member)},
			{"POST", "/api/v1/grid-staff", id(`{"grid_id":%d,"role":"member","name":"x"}`, e.Grid1.ID)},
			{"PATCH", id("/api/v1/grid-staff/%d", f.staff), `{"name":"x"}`},
			{"DELETE", id("/api/v1/grid-staff/%d", f.staff), ""},
			{"POST", "/api/v1/workers", id(`{"unit_id":%d,"name":"x","gender":"male","position":"director","education":"college"}`, e.Community1.ID)},
			{"PATCH", id("/api/v1/workers/%d", f.worker), `{"name":"x"}`},
			{"POST", "/api/v1/units", id(`{"parent_id":%d,"type":"grid","code":"360403001001099","name":"x"}`, e.Community1.ID)},
			{"PATCH", id("/api/v1/units/%d", e.Grid1.ID), `{"name":"x"}`},
			{"PATCH", id("/api/v1/units/%d", e.Grid1.ID), id(`{"parent_id":%d}`, e.Community2.ID)},
			{"DELETE", id("/api/v1/units/%d", f.building), ""},
			{"POST", "/api/v1/party-orgs", id(`{"unit_id":%d,"type":"school","name":"x"}`, e.Community1.ID)},
			{"PATCH", id("/api/v1/party-orgs/%d", f.partyOrg), `{"name":"x"}`},
			{"DELETE", id("/api/v1/party-orgs/%d", f.partyOrg), ""},
			{"POST", "/api/v1/co-building-units", id(`{"community_id":%d,"name":"x","kind":"enterprise"}`, e.Community1.ID)},
			{"PATCH", id("/api/v1/co-building-units/%d", f.coBuilding), `{"name":"x"}`},
			{"DELETE", id("/api/v1/co-building-units/%d", f.coBuilding), ""},
			{"POST", id("/api/v1/co-building-units/%d/agreements", f.coBuilding), id(`{"community_id":%d,"signed_on":"2024-01-01"}`, e.Community1.ID)},
			{"DELETE", id("/api/v1/co-building-units/%d/agreements/%d", f.coBuilding, f.agreement), ""},
			{"POST", "/api/v1/part-time-members", id(`{"street_id":%d,"name":"x","position":"x"}`, e.Street1.ID)},
			{"PATCH", id("/api/v1/part-time-members/%d", f.partTime), `{"name":"x"}`},
			{"DELETE", id("/api/v1/part-time-members/%d", f.partTime), ""},
		}
		for _, w := range writes {
			scenarios = append(scenarios, apptest.Scenario{Name: w.method + " " + w.path, User: "auditor", Method: w.method, Path: w.path, Body: w.body,
				Status: http.StatusForbidden, ExpectedAudit: []string{}})
		}
		forms := []struct {
			path string
			form url.Values
		}{
			{id("/residents/%d/reveal", f.resident), url.Values{"reason": {"核实"}}},
			{"/residents", url.Values{"household_id": {id("%d", f.mine.ID)}, "name": {"新人"}}},
			{id("/residents/%d", f.resident), url.Values{"name": {"改名"}}},
			{id("/residents/%d/status", f.resident), url.Values{"status": {"deceased"}, "on": {"2024-01-01"}}},
			{"/households", url.Values{"building_id": {id("%d", f.building)}, "room": {"102"}}},
			{id("/households/%d/move", f.mine.ID), url.Values{"building_id": {id("%d", f.building)}, "room": {"103"}}},
			{"/party-members", url.Values{"resident_id": {id("%d", f.resident)}, "party_org_id": {id("%d", f.partyOrg)}}},
			{id("/party-members/%d", f.member), url.Values{"employer": {"x"}}},
			{id("/party-members/%d/register", f.member), url.Values{"on": {"2024-01-01"}}},
			{id("/party-members/%d/hours", f.member), url.Values{"post_id": {id("%d", f.post)}, "served_on": {"2024-01-01"}, "minutes": {"60"}}},
			{"/service-posts", url.Values{"community_id": {id("%d", e.Community1.ID)}, "category": {"legal_aid"}, "title": {"x"}, "slots": {"1"}}},
			{id("/service-posts/%d/claims", f.post), url.Values{"party_member_id": {id("%d", f.member)}}},
			{"/workers", url.Values{"unit_id": {id("%d", e.Community1.ID)}, "name": {"x"}}},
			{id("/workers/%d", f.worker), url.Values{"name": {"x"}}},
			{"/grid-staff", url.Values{"grid_id": {id("%d", e.Grid1.ID)}, "name": {"x"}}},
			{id("/grid-staff/%d", f.staff), url.Values{"name": {"x"}}},
			{id("/grid-staff/%d/delete", f.staff), nil},
			{"/imports", url.Values{"kind": {"residents"}}},
			{"/units", url.Values{"parent_id": {id("%d", e.Community1.ID)}, "type": {"grid"}, "code": {"360403001001099"}, "name": {"x"}}},
			{id("/units/%d", e.Grid1.ID), url.Values{"name": {"x"}}},
			{id("/units/%d/move", e.Grid1.ID), url.Values{"parent_id": {id("%d", e.Community2.ID)}}},
			{id("/units/%d/delete", f.building), nil},
			{"/party-orgs", url.Values{"unit_id": {id("%d", e.Community1.ID)}, "type": {"school"}, "name": {"x"}}},
			{id("/party-orgs/%d", f.partyOrg), url.Values{"name": {"x"}}},
			{id("/party-orgs/%d/delete", f.partyOrg), nil},
			{"/co-building", url.Values{"community_id": {id("%d", e.Community1.ID)}, "name": {"x"}, "kind": {"enterprise"}}},
			{id("/co-building/%d", f.coBuilding), url.Values{"name": {"x"}}},
			{id("/co-building/%d/delete", f.coBuilding), nil},
			{id("/co-building/%d/agreements", f.coBuilding), url.Values{"community_id": {id("%d", e.Community1.ID)}, "signed_on": {"2024-01-01"}}},
			{id("/co-building/%d/agreements/%d/delete", f.coBuilding, f.agreement), nil},
			{"/part-time-members", url.Values{"street_id": {id("%d", e.Street1.ID)}, "name": {"x"}}},
			{id("/part-time-members/%d", f.partTime), url.Values{"name": {"x"}}},
			{id("/part-time-members/%d/delete", f.partTime), nil},
		}
		for _, w := range forms {
			form := w.form
			if form == nil {
				form = url.Values{}
			}
			scenarios = append(scenarios, apptest.Scenario{Name: "form " + w.path, User: "auditor", Method: "POST", Path: w.path, Form: form,
				Status: http.StatusForbidden, ExpectedAudit: []string{}})
		}
		e.Run(t, scenarios...)
		var n int
		if err := e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE actor = 'auditor' AND action <> 'login'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the auditor changed something: %d entries (%v)", n, err)
		}
	})
}
