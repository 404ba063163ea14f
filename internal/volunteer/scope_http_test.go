package volunteer_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/volunteer"
)

// addUser creates an account holding role at unit and returns its id.
func addUser(t *testing.T, e *apptest.Env, name string, role auth.Role, unit *org.Unit) int64 {
	t.Helper()
	u, err := e.Accounts.CreateUser(context.Background(), auth.SystemActor("test"), auth.NewUser{Username: name, Password: apptest.Password,
		Grants: []auth.GrantSpec{{Role: role, UnitID: unit.ID}}})
	if err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u.ID
}

// fieldError reads an API error and reports whether it is a 400 naming
// field.
func fieldError(t *testing.T, status int, body, field string) (apptest.APIError, bool) {
	t.Helper()
	var ae apptest.APIError
	if status != 400 {
		return ae, false
	}
	apptest.Decode(t, body, &ae)
	_, ok := ae.Error.Fields[field]
	return ae, ok
}

// auditCount counts the audit entries of an action on a volunteer.
func auditCount(t *testing.T, e *apptest.Env, action string, volunteerID int64) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity_id = ?`, action, fmt.Sprint(volunteerID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestVolunteerLinkNeedsAVolunteerHere links volunteer records to
// accounts through the API and the record's page: only an account with
// the volunteer role at the record's community (or above or within it),
// and linked to no other record, may be linked; the refusals name the
// field in the user's language; every link and unlink is audited.
func TestVolunteerLinkNeedsAVolunteerHere(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		sys := auth.SystemActor("test")
		street := e.Token(t, "street1")
		v, err := e.Volunteer.CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: e.Community1.ID, Name: "张志愿", IDNumber: "360403199001010010"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.Volunteer.CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: e.Community1.ID, Name: "李志愿", IDNumber: "360403199001010029"})
		if err != nil {
			t.Fatal(err)
		}
		inStreet2 := addUser(t, e, "volunteer2", volunteer.RoleVolunteer, e.Community2)
		inGrid := addUser(t, e, "volgrid", volunteer.RoleVolunteer, e.Grid1)
		atStreet := addUser(t, e, "volstreet", volunteer.RoleVolunteer, e.Street1)
		path := fmt.Sprintf("/api/v1/volunteer/volunteers/%d", v.ID)
		patch := func(uid int64, lang string) (int, string) {
			return e.Do(t, street, "PATCH", path+lang, fmt.Sprintf(`{"user_id":%d}`, uid))
		}
		link := func(name string, uid int64, lang string, says ...string) apptest.Scenario {
			return apptest.Refused(apptest.Scenario{Name: name, User: "street1", Method: "PATCH", Path: path + lang,
				Body: fmt.Sprintf(`{"user_id":%d}`, uid), Status: 400, ExpectedContent: says}, "user_id")
		}
		e.Run(t,
			link("the district administrator", e.UserID(t, "admin"), ""),
			link("another street's staff", e.UserID(t, "street2"), ""),
			link("a volunteer of another street", inStreet2, ""),
			link("a merchant's cashier", e.UserID(t, "merchant1"), ""),
			link("no such account", 999999, ""),
			link("the refusal in English", e.UserID(t, "admin"), "?lang=en", "volunteer role"),
			link("the refusal in Chinese", e.UserID(t, "admin"), "", "志愿者"),
		)
		if rec, _ := e.Volunteer.Volunteer(ctx, sys, v.ID); rec.UserID != 0 {
			t.Fatalf("a refused link was kept: user %d", rec.UserID)
		}
		if n := auditCount(t, e, "volunteer.link", v.ID); n != 0 {
			t.Errorf("refused links audited as links: %d", n)
		}

		// Within the community (a grid) and above it (the street) may be
		// linked; each link and unlink is in the audit log.
		for _, uid := range []int64{inGrid, atStreet, e.UserID(t, "volunteer1")} {
			mustStatus(t, 200)(patch(uid, ""))
		}
		mustStatus(t, 200)(patch(0, ""))
		if n := auditCount(t, e, "volunteer.link", v.ID); n != 3 {
			t.Errorf("links audited: %d, want 3", n)
		}
		if n := auditCount(t, e, "volunteer.unlink", v.ID); n != 3 {
			t.Errorf("unlinks audited: %d, want 3 (two replaced, one removed)", n)
		}
		// An account linked to another record is refused.
		otherPath := fmt.Sprintf("/api/v1/volunteer/volunteers/%d", other.ID)
		mustStatus(t, 200)(e.Do(t, street, "PATCH", otherPath, fmt.Sprintf(`{"user_id":%d}`, inGrid)))
		e.Run(t,
			link("an account linked to another record", inGrid, ""),
			// A new record takes the same checks.
			apptest.Refused(apptest.Scenario{Name: "a new record linked to the administrator", User: "street1", Method: "POST", Path: "/api/v1/volunteer/volunteers",
				Body: fmt.Sprintf(`{"unit_id":%d,"name":"王志愿","id_number":"360403199001010037","user_id":%d}`, e.Community1.ID, e.UserID(t, "admin")), Status: 400}, "user_id"),
			// The record's page says the same beside the user name.
			apptest.Scenario{Name: "the page linking the administrator", User: "street1", Method: "POST", Path: fmt.Sprintf("/volunteer/volunteers/%d", v.ID),
				Form: url.Values{"username": {"admin"}}, Status: 400, ExpectedContent: []string{"志愿者”角色"}},
		)
		if rec, _ := e.Volunteer.Volunteer(ctx, sys, v.ID); rec.UserID != 0 {
			t.Errorf("the page linked the administrator: user %d", rec.UserID)
		}
	})
}

// TestSignupOfAnotherStreetsVolunteer: an organiser enrols only the
// volunteers in their scope, and one outside it is answered as one that
// does not exist, without the name; a volunteer signing up serves
// anywhere in the district.
func TestSignupOfAnotherStreetsVolunteer(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		sys := auth.SystemActor("test")
		vs := e.Volunteer
		street := e.Token(t, "street1")
		mine, err := vs.CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: e.Community1.ID, Name: "张志愿", IDNumber: "360403199001010010"})
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := vs.CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: e.Community2.ID, Name: "赵邻街", IDNumber: "360403199001010029",
			UserID: addUser(t, e, "volunteer2", volunteer.RoleVolunteer, e.Community2)})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(time.Hour).Truncate(time.Minute)
		act, err := vs.CreateActivity(ctx, sys, volunteer.ActivityInput{UnitID: e.Community1.ID, Title: "江边净滩", Category: "environment",
			Shifts: []volunteer.ShiftInput{{StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 5}}})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/volunteer/shifts/%d/signups", act.Shifts[0].ID)
		outStatus, outBody := e.Do(t, street, "POST", path, fmt.Sprintf(`{"volunteer_id":%d}`, theirs.ID))
		noneStatus, noneBody := e.Do(t, street, "POST", path, `{"volunteer_id":999999}`)
		if !hasField(t, outStatus, outBody, "volunteer_id") || strings.Contains(outBody, "赵") {
			t.Errorf("enrolling another street's volunteer: %d %s", outStatus, outBody)
		}
		if outStatus != noneStatus || outBody != noneBody {
			t.Errorf("out of scope (%d %s) is told from nonexistent (%d %s)", outStatus, outBody, noneStatus, noneBody)
		}
		mustStatus(t, 201)(e.Do(t, street, "POST", path, fmt.Sprintf(`{"volunteer_id":%d}`, mine.ID)))
		mustStatus(t, 201)(e.Do(t, e.Token(t, "volunteer2"), "POST", path, ""))
	})
}

// TestTeamFormOutOfScope posts the team edit form out of scope, as the
// auditor, with an error and right: 404, 403 or 404, the form again with
// its error, and the team's page.
func TestTeamFormOutOfScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		team, err := e.Volunteer.CreateTeam(context.Background(), auth.SystemActor("test"), volunteer.TeamInput{UnitID: e.Community1.ID, Type: "youth", Name: "青年队"})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/volunteer/teams/%d", team.ID)
		good := url.Values{"type": {"youth"}, "name": {"白水湖青年队"}}
		// The auditor may be told no (403) or that there is no such team (404).
		resp, err := e.Browser(t, "auditor").PostForm(e.Server.URL+path, good)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 && resp.StatusCode != 404 {
			t.Errorf("the auditor: %d", resp.StatusCode)
		}
		e.Run(t,
			apptest.Scenario{Name: "another street", User: "street2", Method: "POST", Path: path, Form: good, Status: 404},
			apptest.Scenario{Name: "a professional team without its field", User: "street1", Method: "POST", Path: path,
				Form: url.Values{"type": {"professional"}, "name": {"医疗队"}}, Status: 400, ExpectedContent: []string{"专业队须选择专业领域", "医疗队"}},
			apptest.Scenario{Name: "a good edit", User: "street1", Method: "POST", Path: path, Form: good, Status: 303},
		)
		if got, _ := e.Volunteer.Team(context.Background(), auth.SystemActor("test"), team.ID); got.Name != "白水湖青年队" {
			t.Errorf("after the edit: %+v", got)
		}
	})
}

// TestTeamPatchRefusesUnit: a team's unit is set when it is made, so a
// PATCH naming unit_id is refused and the team stays where it was.
func TestTeamPatchRefusesUnit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		team, err := e.Volunteer.CreateTeam(context.Background(), auth.SystemActor("test"), volunteer.TeamInput{UnitID: e.Community1.ID, Type: "youth", Name: "青年队"})
		if err != nil {
			t.Fatal(err)
		}
		status, body := e.Do(t, e.Token(t, "admin"), "PATCH", fmt.Sprintf("/api/v1/volunteer/teams/%d", team.ID), fmt.Sprintf(`{"unit_id":%d,"name":"新名"}`, e.Community2.ID))
		if !hasField(t, status, body, "unit_id") {
			t.Errorf("a PATCH moving the team: %d %s", status, body)
		}
		if got, _ := e.Volunteer.Team(context.Background(), auth.SystemActor("test"), team.ID); got.UnitID != e.Community1.ID || got.Name != "青年队" {
			t.Errorf("after the refused PATCH: %+v", got)
		}
	})
}

// mustStatus fails the test unless a response has the status, and returns
// its body.
func mustStatus(t *testing.T, want int) func(int, string) string {
	return func(status int, body string) string {
		t.Helper()
		if status != want {
			t.Fatalf("status %d, want %d: %s", status, want, body)
		}
		return body
	}
}

// hasField reports whether a response is a 400 naming field.
func hasField(t *testing.T, status int, body, field string) bool {
	t.Helper()
	_, ok := fieldError(t, status, body, field)
	return ok
}
