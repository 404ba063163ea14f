package volunteer_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/auth"
	"grassroots/internal/volunteer"
)

// TestVolunteerAPI runs the whole volunteer and love bank flow through the
// API as three users: the street's staff publish an activity, a volunteer
// signs up and checks in and out with the shift's codes, the staff verify
// the hours, and a merchant's cashier redeems the points, with a retry
// that charges nothing and the errors in between.
func TestVolunteerAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		clock := e.VolunteerClock()
		street, street2, admin := e.Token(t, "street1"), e.Token(t, "street2"), e.Token(t, "admin")
		vol, cashier := e.Token(t, "volunteer1"), e.Token(t, "merchant1")
		must := func(want int) func(int, string) string {
			return func(status int, body string) string {
				t.Helper()
				if status != want {
					t.Fatalf("status %d, want %d: %s", status, want, body)
				}
				return body
			}
		}
		var team volunteer.TeamJSON
		apptest.Decode(t, must(201)(e.Do(t, street, "POST", "/api/v1/volunteer/teams", fmt.Sprintf(`{"unit_id":%d,"type":"youth","name":"白水湖青年志愿服务队"}`, e.Community1.ID))), &team)
		if status, _ := e.Do(t, street2, "GET", fmt.Sprintf("/api/v1/volunteer/teams/%d", team.ID), ""); status != 404 {
			t.Errorf("another street's team: %d", status)
		}
		var v volunteer.VolunteerJSON
		apptest.Decode(t, must(201)(e.Do(t, street, "POST", "/api/v1/volunteer/volunteers", fmt.Sprintf(`{"unit_id":%d,"name":"张志愿","id_number":"360403199001010010","phone":"13800001111","user_id":%d}`,
			e.Community1.ID, e.UserID(t, "volunteer1")))), &v)
		if !strings.Contains(v.IDNumber, "*") || !strings.Contains(v.Phone, "*") {
			t.Errorf("volunteer not masked: %+v", v)
		}
		must(201)(e.Do(t, street, "POST", fmt.Sprintf("/api/v1/volunteer/teams/%d/members", team.ID), fmt.Sprintf(`{"volunteer_id":%d}`, v.ID)))

		start := time.Now().Add(10 * time.Minute).UTC().Truncate(time.Minute)
		var act volunteer.ActivityJSON
		apptest.Decode(t, must(201)(e.Do(t, street, "POST", "/api/v1/volunteer/activities", fmt.Sprintf(`{"team_id":%d,"title":"江边净滩","category":"environment","place":"滨江路",
			"lon":116.0,"lat":29.71,"shifts":[{"starts_at":%q,"ends_at":%q,"capacity":5}]}`, team.ID, start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339)))), &act)
		sh := act.Shifts[0]
		if sh.InCode == "" {
			t.Fatalf("the organiser sees no codes: %+v", sh)
		}
		// The volunteer sees the activity without its codes.
		var seen volunteer.ActivityJSON
		apptest.Decode(t, must(200)(e.Do(t, vol, "GET", fmt.Sprintf("/api/v1/volunteer/activities/%d", act.ID), "")), &seen)
		if seen.Shifts[0].InCode != "" {
			t.Errorf("a volunteer sees the check-in code")
		}
		var g volunteer.SignupJSON
		apptest.Decode(t, must(201)(e.Do(t, vol, "POST", fmt.Sprintf("/api/v1/volunteer/shifts/%d/signups", sh.ID), "")), &g)
		signups := fmt.Sprintf("/api/v1/volunteer/shifts/%d/signups", sh.ID)
		e.Run(t,
			apptest.Scenario{Name: "check-out before check-in", User: "volunteer1", Method: "POST", Path: "/api/v1/volunteer/scan", Body: fmt.Sprintf(`{"code":%q}`, sh.OutCode), Status: 409, ExpectedContent: []string{"签到"}},
			apptest.Scenario{Name: "a bad code", User: "volunteer1", Method: "POST", Path: "/api/v1/volunteer/scan", Body: `{"code":"ZZZZ-ZZZZ"}`, Status: 400, ExpectedContent: []string{"code"}},
			apptest.Scenario{Name: "sign up twice", User: "volunteer1", Method: "POST", Path: signups, Status: 409},
			apptest.Scenario{Name: "staff scanning", User: "street1", Method: "POST", Path: "/api/v1/volunteer/scan", Body: fmt.Sprintf(`{"code":%q}`, sh.InCode), Status: 403},
			apptest.Scenario{Name: "unknown field", User: "street1", Method: "POST", Path: "/api/v1/volunteer/teams", Body: `{"name":"x","colour":"red"}`, Status: 400, ExpectedContent: []string{"colour"}},
			apptest.Scenario{Name: "professional without field", User: "street1", Method: "POST", Path: "/api/v1/volunteer/teams", Body: fmt.Sprintf(`{"unit_id":%d,"type":"professional","name":"x"}`, e.Community1.ID), Status: 400, ExpectedContent: []string{"field"}},
			apptest.Scenario{Name: "other street verifies", User: "street2", Method: "POST", Path: fmt.Sprintf("/api/v1/volunteer/signups/%d/verify", g.ID), Status: 404},
			apptest.Scenario{Name: "bad period", User: "street1", Method: "GET", Path: "/api/v1/volunteer/rankings?period=202613", Status: 400, ExpectedContent: []string{"period"}},
		)
		var scan struct {
			Action string               `json:"action"`
			Signup volunteer.SignupJSON `json:"signup"`
		}
		apptest.Decode(t, must(200)(e.Do(t, vol, "POST", "/api/v1/volunteer/scan", fmt.Sprintf(`{"code":%q}`, volunteer.GroupCode(sh.InCode)))), &scan)
		if scan.Action != "in" {
			t.Errorf("scan in: %+v", scan)
		}
		clock.Advance(2 * time.Hour)
		apptest.Decode(t, must(200)(e.Do(t, vol, "POST", "/api/v1/volunteer/scan", fmt.Sprintf(`{"code":"https://x/volunteer/scan?code=%s"}`, sh.OutCode))), &scan)
		if scan.Action != "out" || scan.Signup.Minutes != 60 || scan.Signup.HoursStatus != "pending" {
			t.Errorf("scan out: %+v", scan)
		}
		if status, body := e.Do(t, street, "POST", fmt.Sprintf("/api/v1/volunteer/signups/%d/verify", g.ID), `{"minutes":61}`); status != 400 || !strings.Contains(body, "minutes") {
			t.Errorf("hours over the shift: %d %s", status, body)
		}
		apptest.Decode(t, must(200)(e.Do(t, street, "POST", fmt.Sprintf("/api/v1/volunteer/signups/%d/verify", g.ID), "")), &g)
		if g.Points != 1 || g.HoursStatus != "verified" {
			t.Errorf("verified: %+v", g)
		}

		// The love bank: a merchant, its cashier, a redemption, a retry.
		var m volunteer.MerchantJSON
		apptest.Decode(t, must(201)(e.Do(t, admin, "POST", "/api/v1/volunteer/merchants", fmt.Sprintf(`{"unit_id":%d,"name":"浔阳爱心超市"}`, e.Street1.ID))), &m)
		var towel struct{ ID int64 }
		apptest.Decode(t, must(201)(e.Do(t, admin, "POST", fmt.Sprintf("/api/v1/volunteer/merchants/%d/items", m.ID), `{"name":"毛巾","price":0.5}`)), &towel)
		must(204)(e.Do(t, admin, "POST", fmt.Sprintf("/api/v1/volunteer/merchants/%d/staff", m.ID), `{"username":"merchant1"}`))
		var pass struct{ Code string }
		apptest.Decode(t, must(201)(e.Do(t, vol, "POST", "/api/v1/volunteer/me/pass", "")), &pass)
		if status, body := e.Do(t, cashier, "POST", "/api/v1/volunteer/redemptions", fmt.Sprintf(`{"code":%q,"amount":"1.5","idempotency_key":"a1"}`, pass.Code)); status != 409 {
			t.Errorf("more than the balance: %d %s", status, body)
		}
		var r volunteer.RedemptionJSON
		apptest.Decode(t, must(201)(e.Do(t, cashier, "POST", "/api/v1/volunteer/redemptions", fmt.Sprintf(`{"code":%q,"amount":0.75,"idempotency_key":"a2"}`, pass.Code))), &r)
		if r.Amount != 0.75 || *r.Balance != 0.25 {
			t.Errorf("redemption: %+v", r)
		}
		var again volunteer.RedemptionJSON
		apptest.Decode(t, must(200)(e.Do(t, cashier, "POST", "/api/v1/volunteer/redemptions", fmt.Sprintf(`{"code":%q,"amount":0.75,"idempotency_key":"a2"}`, pass.Code))), &again)
		if again.ID != r.ID || !again.Replayed || *again.Balance != 0.25 {
			t.Errorf("retry: %+v", again)
		}
		if status, body := e.Do(t, cashier, "POST", "/api/v1/volunteer/redemptions", fmt.Sprintf(`{"code":%q,"amount":0.1,"idempotency_key":"a3"}`, pass.Code)); status != 400 || !strings.Contains(body, "已使用") {
			t.Errorf("a reused code: %d %s", status, body)
		}
		if status, _ := e.Do(t, vol, "POST", "/api/v1/volunteer/redemptions", fmt.Sprintf(`{"code":%q,"amount":0.1,"idempotency_key":"a4"}`, pass.Code)); status != 403 {
			t.Errorf("a volunteer redeeming: %d", status)
		}
		// On the till's page a mistyped quantity is the cashier's to
		// correct, not a quantity of one.
		apptest.Decode(t, must(201)(e.Do(t, vol, "POST", "/api/v1/volunteer/me/pass", "")), &pass)
		resp, err := e.Browser(t, "merchant1").PostForm(e.Server.URL+"/merchant/redeem", url.Values{"code": {pass.Code}, "item_id": {fmt.Sprint(towel.ID)}, "quantity": {"2x"}, "idempotency_key": {"a5"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("a mistyped quantity: %d", resp.StatusCode)
		}
		var rep struct {
			Points float64 `json:"points"`
			Yuan   float64 `json:"yuan"`
		}
		apptest.Decode(t, must(200)(e.Do(t, cashier, "GET", fmt.Sprintf("/api/v1/volunteer/merchants/%d/settlement", m.ID), "")), &rep)
		if rep.Points != 0.75 || rep.Yuan != 0.75 {
			t.Errorf("settlement report: %+v", rep)
		}
		must(201)(e.Do(t, admin, "POST", fmt.Sprintf("/api/v1/volunteer/merchants/%d/settlements", m.ID), ""))

		// The overview counts it all; the ledger verifies.
		var o struct {
			ByType   map[string]int `json:"teams_by_type"`
			Vols     int            `json:"volunteers"`
			Hours    float64        `json:"verified_hours"`
			Issued   float64        `json:"points_issued"`
			Redeemed float64        `json:"points_redeemed"`
			Police   int            `json:"volunteer_police_members"`
		}
		apptest.Decode(t, must(200)(e.Do(t, admin, "GET", "/api/v1/overview", "")), &o)
		if o.ByType["youth"] != 1 || o.Vols != 1 || o.Hours != 1 || o.Issued != 1 || o.Redeemed != 0.75 {
			t.Errorf("overview: %+v", o)
		}
		var ledger struct {
			OK        bool  `json:"ok"`
			Transfers int64 `json:"transfers"`
		}
		apptest.Decode(t, must(200)(e.Do(t, admin, "GET", "/api/v1/volunteer/ledger", "")), &ledger)
		if !ledger.OK || ledger.Transfers != 3 {
			t.Errorf("ledger: %+v", ledger)
		}
		var rank struct {
			Items []volunteer.RankRow `json:"items"`
		}
		apptest.Decode(t, must(200)(e.Do(t, street, "GET", fmt.Sprintf("/api/v1/volunteer/rankings?period=%d", time.Now().Year()), "")), &rank)
		if len(rank.Items) != 1 || rank.Items[0].ID != v.ID {
			t.Errorf("ranking: %+v", rank)
		}
		// The public certificate check needs no sign-in.
		c, err := e.Volunteer.IssueCertificate(context.Background(), auth.SystemActor("test"), v.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		status, body := e.Do(t, "", "GET", "/api/v1/volunteer/certificate-check?number="+c.Number, "")
		if status != 200 || !strings.Contains(body, `"name":"张*愿"`) {
			t.Errorf("certificate check: %d %s", status, body)
		}
		if status, _ := e.Do(t, "", "GET", "/api/v1/volunteer/teams", ""); status != 401 {
			t.Errorf("the API without a token: %d", status)
		}
	})
}

// TestVolunteerPages renders every volunteer and love bank page as the
// users who see them, exports, and forms sent back with their errors.
func TestVolunteerPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		sys := auth.SystemActor("test")
		vs := e.Volunteer
		clock := e.VolunteerClock()
		team, err := vs.CreateTeam(ctx, sys, volunteer.TeamInput{UnitID: e.Community1.ID, Type: "love_help", Name: "爱心帮帮团"})
		if err != nil {
			t.Fatal(err)
		}
		v, err := vs.CreateVolunteer(ctx, sys, volunteer.VolunteerInput{UnitID: e.Community1.ID, Name: "张志愿", IDNumber: "360403199001010010", UserID: e.UserID(t, "volunteer1")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vs.Join(ctx, sys, team.ID, v.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		start := time.Now().Add(time.Hour).Truncate(time.Minute)
		act, err := vs.CreateActivity(ctx, sys, volunteer.ActivityInput{TeamID: team.ID, Title: "陪伴老人", Category: "elderly", Lon: ptr(116.0), Lat: ptr(29.7),
			NeedsApproval: true, Shifts: []volunteer.ShiftInput{{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 3}}})
		if err != nil {
			t.Fatal(err)
		}
		g, err := vs.SignUp(ctx, sys, act.Shifts[0].ID, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(3 * time.Hour)
		in, out := start, start.Add(2*time.Hour)
		if _, err := vs.Mark(ctx, sys, g.ID, &in, &out); err != nil {
			t.Fatal(err)
		}
		if _, err := vs.VerifyHours(ctx, sys, g.ID, nil); err != nil {
			t.Fatal(err)
		}
		cert, err := vs.IssueCertificate(ctx, sys, v.ID, "", "")
		if err != nil {
			t.Fatal(err)
		}
		m, err := vs.CreateMerchant(ctx, sys, volunteer.MerchantInput{UnitID: e.Street1.ID, Name: "爱心超市"})
		if err != nil {
			t.Fatal(err)
		}
		if err := vs.AddStaff(ctx, sys, m.ID, "merchant1"); err != nil {
			t.Fatal(err)
		}
		year := time.Now().Year()
		page := func(user, path string, want int, text string) apptest.Scenario {
			s := apptest.Scenario{Name: user + " GET " + path, User: user, Method: "GET", Path: path, Status: want}
			if text != "" {
				s.ExpectedContent = []string{text}
			}
			return s
		}
		form := func(user, path string, f url.Values, want int, text string) apptest.Scenario {
			return apptest.Scenario{Name: user + " POST " + path, User: user, Method: "POST", Path: path, Form: f, Status: want, ExpectedContent: []string{text}}
		}
		var scenarios []apptest.Scenario
		for _, p := range []struct{ path, text string }{
			{"/volunteer", "爱心帮帮团"}, {"/volunteer/teams", "爱心帮帮团"}, {"/volunteer/teams?type=love_help&sort=members&order=desc", "爱心帮帮团"},
			{fmt.Sprintf("/volunteer/teams/%d", team.ID), "张志愿"}, {"/volunteer/teams/new", "name=\"name\""}, {fmt.Sprintf("/volunteer/teams/%d/edit", team.ID), "爱心帮帮团"},
			{"/volunteer/volunteers", "张志愿"}, {"/volunteer/volunteers?sort=hours&order=desc", "2.0"}, {"/volunteer/volunteers/new", "id_number"},
			{fmt.Sprintf("/volunteer/volunteers/%d", v.ID), cert.Number}, {"/volunteer/activities?when=all", "陪伴老人"},
			{"/volunteer/activities/new", "shift_date_0"}, {fmt.Sprintf("/volunteer/activities/new?team=%d", team.ID), "爱心帮帮团"},
			{fmt.Sprintf("/volunteer/activities/%d", act.ID), "已核验"}, {fmt.Sprintf("/volunteer/shifts/%d/qr?kind=out", act.Shifts[0].ID), "<svg"},
			{fmt.Sprintf("/volunteer/rankings?period=%d", year), "张志愿"}, {fmt.Sprintf("/volunteer/rankings?of=teams&period=%d", year), "爱心帮帮团"},
			{fmt.Sprintf("/volunteer/certificates/%d", cert.ID), "志愿服务证明"}, {"/lovebank", "爱心超市"},
			{"/volunteer/teams?format=xlsx", ""}, {"/volunteer/volunteers?format=csv", ""}, {fmt.Sprintf("/volunteer/rankings?period=%d&format=csv", year), ""},
			{fmt.Sprintf("/volunteer/shifts/%d/qr.png", act.Shifts[0].ID), ""},
		} {
			scenarios = append(scenarios, page("street1", p.path, 200, p.text))
		}
		for _, p := range []struct{ path, text string }{
			{"/lovebank", "爱心超市"}, {"/lovebank/merchants/new", "unit_id"}, {fmt.Sprintf("/lovebank/merchants/%d", m.ID), "merchant1"},
			{fmt.Sprintf("/lovebank/merchants/%d?format=xlsx", m.ID), ""}, {fmt.Sprintf("/lovebank/accounts/%d", v.AccountID), "2.00"},
		} {
			scenarios = append(scenarios, page("admin", p.path, 200, p.text))
		}
		e.Run(t, append(scenarios,
			// Out of scope answers 404; the bank is not for volunteers.
			page("street2", fmt.Sprintf("/volunteer/teams/%d", team.ID), 404, ""),
			page("street2", fmt.Sprintf("/volunteer/activities/%d", act.ID), 404, ""),
			page("volunteer1", "/", 303, ""),
			page("volunteer1", "/volunteer/me", 200, "陪伴老人"),
			page("volunteer1", "/volunteer/scan?code=ab2c-d3e4", 200, "AB2C-D3E4"),
			page("volunteer1", fmt.Sprintf("/lovebank/accounts/%d", v.AccountID), 200, "2.00"),
			page("volunteer1", "/lovebank", 403, ""),
			page("merchant1", "/merchant", 200, "爱心超市"),
			page("merchant1", "/volunteer/me", 403, ""),
			// The public check, signed in or not.
			page("", "/certificates/check?number="+cert.Number, 200, "张*愿"),
			page("", "/certificates/check?number=ZY2000-1111-2222-33", 404, ""),
			// A form sent back keeps what was typed and says what is wrong beside it.
			form("street1", "/volunteer/teams", url.Values{"unit_id": {fmt.Sprint(e.Community1.ID)}, "type": {"professional"}, "name": {"医疗队"}}, 400, "专业队须选择专业领域"),
			form("street1", "/volunteer/activities", url.Values{"unit_id": {fmt.Sprint(e.Community1.ID)}, "title": {"夜间巡逻"}, "category": {"patrol"},
				"shift_date_0": {"2020-01-01"}, "shift_start_0": {"09:00"}, "shift_end_0": {"10:00"}, "shift_cap_0": {"5"}}, 400, "夜间巡逻"),
			form("street1", "/volunteer/volunteers", url.Values{"unit_id": {fmt.Sprint(e.Community1.ID)}, "name": {"李"}, "id_number": {"360403199001010011"}}, 400, "校验位"),
			page("street1", "/volunteer?lang=en", 200, "Points issued"),
			form("merchant1", "/merchant/redeem", url.Values{"code": {"ZZZZ-ZZZZ-ZZ"}, "amount": {"1"}, "idempotency_key": {"k1"}}, 400, "兑换码无效"),
		)...)
	})
}

func ptr[T any](v T) *T { return &v }
