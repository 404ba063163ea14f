package app_test

import (
	"context"
	"fmt"
	"io"
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
	u, err := e.App.Accounts.CreateUser(context.Background(), auth.SystemActor("test"), auth.NewUser{Username: name, Password: apptest.Password,
		Grants: []auth.GrantSpec{{Role: role, UnitID: unit.ID}}})
	if err != nil {
		t.Fatalf("user %s: %v", name, err)
	}
	return u.ID
}

// fieldError reads an API error and reports whether it is a 400 naming
// field.
func fieldError(t *testing.T, status int, body, field string) (apiError, bool) {
	t.Helper()
	var ae apiError
	if status != 400 {
		return ae, false
	}
	decode(t, body, &ae)
	_, ok := ae.Error.Fields[field]
	return ae, ok
}

// TestSignupOfAnotherStreetsVolunteer: an organiser enrols only the
// volunteers in their scope, and one outside it is answered as one that
// does not exist, without the name; a volunteer signing up serves
// anywhere in the district.
func TestSignupOfAnotherStreetsVolunteer(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		sys := auth.SystemActor("test")
		vs := e.App.Volunteer
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
		team, err := e.App.Volunteer.CreateTeam(context.Background(), auth.SystemActor("test"), volunteer.TeamInput{UnitID: e.Community1.ID, Type: "youth", Name: "青年队"})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("%s/volunteer/teams/%d", e.Server.URL, team.ID)
		post := func(user string, form url.Values) (int, string) {
			resp, err := e.Browser(t, user).PostForm(path, form)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(b)
		}
		good := url.Values{"type": {"youth"}, "name": {"白水湖青年队"}}
		if status, _ := post("street2", good); status != 404 {
			t.Errorf("another street: %d", status)
		}
		if status, _ := post("auditor", good); status != 403 && status != 404 {
			t.Errorf("the auditor: %d", status)
		}
		status, body := post("street1", url.Values{"type": {"professional"}, "name": {"医疗队"}})
		if status != 400 || !strings.Contains(body, "专业队须选择专业领域") || !strings.Contains(body, "医疗队") {
			t.Errorf("a professional team without its field: %d", status)
		}
		if status, _ := post("street1", good); status != 303 {
			t.Errorf("a good edit: %d", status)
		}
		if got, _ := e.App.Volunteer.Team(context.Background(), auth.SystemActor("test"), team.ID); got.Name != "白水湖青年队" {
			t.Errorf("after the edit: %+v", got)
		}
	})
}

// TestTeamPatchRefusesUnit: a team's unit is set when it is made, so a
// PATCH naming unit_id is refused and the team stays where it was.
func TestTeamPatchRefusesUnit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		team, err := e.App.Volunteer.CreateTeam(context.Background(), auth.SystemActor("test"), volunteer.TeamInput{UnitID: e.Community1.ID, Type: "youth", Name: "青年队"})
		if err != nil {
			t.Fatal(err)
		}
		status, body := e.Do(t, e.Token(t, "admin"), "PATCH", fmt.Sprintf("/api/v1/volunteer/teams/%d", team.ID), fmt.Sprintf(`{"unit_id":%d,"name":"新名"}`, e.Community2.ID))
		if !hasField(t, status, body, "unit_id") {
			t.Errorf("a PATCH moving the team: %d %s", status, body)
		}
		if got, _ := e.App.Volunteer.Team(context.Background(), auth.SystemActor("test"), team.ID); got.UnitID != e.Community1.ID || got.Name != "青年队" {
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
