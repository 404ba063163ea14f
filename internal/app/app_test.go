package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"grassroots/internal/app"
	"grassroots/internal/app/apptest"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
)

func TestOverviewAndScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Token(t, "admin")
		status, body := e.Do(t, admin, "GET", "/api/v1/overview", "")
		if status != 200 {
			t.Fatalf("overview: %d %s", status, body)
		}
		var o struct {
			Streets, Communities, Grids, PartyOrgs int
			ByType                                 map[string]int `json:"party_orgs_by_type"`
		}
		apptest.Decode(t, body, &o)
		if o.Streets != 2 || o.Communities != 2 || o.Grids != 2 || len(o.ByType) != 8 {
			t.Errorf("overview = %s", body)
		}

		// A street user sees its own street's communities only ...
		street := e.Token(t, "street1")
		status, body = e.Do(t, street, "GET", "/api/v1/units?type=community", "")
		var list struct {
			Items []struct {
				ID       int64  `json:"id"`
				Code     string `json:"code"`
				Path     string `json:"path"`
				ParentID *int64 `json:"parent_id"`
			} `json:"items"`
			Total int `json:"total"`
		}
		apptest.Decode(t, body, &list)
		if status != 200 || list.Total != 1 || list.Items[0].ID != e.Community1.ID || *list.Items[0].ParentID != e.Street1.ID {
			t.Errorf("street1 communities: %d %s", status, body)
		}
		// ... and another street's community is not there, in the API and in the UI.
		if status, _ := e.Do(t, street, "GET", fmt.Sprintf("/api/v1/units/%d", e.Community2.ID), ""); status != 404 {
			t.Errorf("other street's community via API: %d, want 404", status)
		}
		browser := e.Browser(t, "street1")
		resp, err := browser.Get(fmt.Sprintf("%s/units/%d", e.Server.URL, e.Community2.ID))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("other street's community page: %d, want 404", resp.StatusCode)
		}
		resp, _ = browser.Get(fmt.Sprintf("%s/units/%d", e.Server.URL, e.Community1.ID))
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "白水湖社区") {
			t.Errorf("own community page: %d", resp.StatusCode)
		}
		// Listing children of an out-of-scope parent is a 404 too.
		if status, _ := e.Do(t, street, "GET", fmt.Sprintf("/api/v1/units?parent=%d", e.Street2.ID), ""); status != 404 {
			t.Errorf("children of another street: %d", status)
		}
		// The street's overview counts its own part only.
		_, body = e.Do(t, street, "GET", "/api/v1/overview", "")
		apptest.Decode(t, body, &o)
		if o.Streets != 1 || o.Communities != 1 {
			t.Errorf("street overview = %s", body)
		}
	})
}

func TestSignInSecurity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		login := func(pw string) (int, string) {
			resp, err := c.PostForm(e.Server.URL+"/login", url.Values{"username": {"street2"}, "password": {pw}})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(b)
		}
		status, body := login("wrong")
		if status != 401 || !strings.Contains(body, "用户名或密码错误") {
			t.Errorf("bad password: %d", status)
		}
		for i := 0; i < 4; i++ {
			login("wrong")
		}
		// Locked now, even with the right password.
		if status, body = login(apptest.Password); status != 401 || !strings.Contains(body, "锁定") {
			t.Errorf("locked account: %d", status)
		}
		// Pages need a session; pages send to the login page.
		resp, _ := c.Get(e.Server.URL + "/units")
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous page: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// Security headers.
		resp, _ = c.Get(e.Server.URL + "/login")
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers: %v", resp.Header)
		}
		// A form posted from another site is refused.
		browser := e.Browser(t, "admin")
		req, _ := http.NewRequest("POST", e.Server.URL+"/units", strings.NewReader("parent_id=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site post: %d", resp.StatusCode)
		}
		// The audit log has the failed logins and the lock.
		auditor := e.Token(t, "auditor")
		_, _ = e.Do(t, auditor, "GET", "/api/v1/overview", "")
		rows, err := e.App.DB.Query(t.Context(), `SELECT action FROM audit_log WHERE actor = 'street2' ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for rows.Next() {
			var a string
			rows.Scan(&a)
			actions = append(actions, a)
		}
		rows.Close()
		if len(actions) != 6 || actions[0] != "login.failed" || actions[5] != "login.locked" {
			t.Errorf("audited logins: %v", actions)
		}
	})
}

func TestPagesAndExports(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(t, "admin")
		for _, path := range []string{"/", "/units", "/units/list?q=网格", fmt.Sprintf("/units/%d", e.Community1.ID),
			fmt.Sprintf("/units/new?parent=%d", e.Community1.ID), fmt.Sprintf("/units/%d/edit", e.Grid1.ID), fmt.Sprintf("/units/%d/move", e.Grid1.ID),
			"/party-orgs", "/party-orgs/new", "/co-building", "/co-building/new", "/part-time-members", "/part-time-members/new",
			"/users", "/users/new", "/audit", "/account", "/?lang=en"} {
			resp, err := b.Get(e.Server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "</html>") {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		}
		// A form with a mistake comes back with the message beside the field
		// and what was typed.
		resp, err := b.PostForm(e.Server.URL+"/units", url.Values{"parent_id": {fmt.Sprint(e.Community1.ID)}, "type": {"grid"}, "code": {"12345"}, "name": {"新网格"}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), `class="error"`) || !strings.Contains(string(body), `value="新网格"`) {
			t.Errorf("bad form: %d", resp.StatusCode)
		}
		// The grid member may look, not change.
		g := e.Browser(t, "grid1")
		resp, _ = g.PostForm(e.Server.URL+"/units", url.Values{"parent_id": {fmt.Sprint(e.Grid1.ID)}, "type": {"building"}, "code": {"360403001001001001"}, "name": {"1号楼"}})
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("grid member creating a building: %d", resp.StatusCode)
		}
		// Exports carry what the list shows, with formulas neutralised.
		formula := `=HYPERLINK("x")`
		if _, err := e.Orgs.UpdateUnit(t.Context(), auth.SystemActor("test"), e.Grid1.ID, org.UnitPatch{Name: &formula}); err != nil {
			t.Fatal(err)
		}
		resp, _ = b.Get(e.Server.URL + "/units/list?type=grid&format=csv")
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		csv := string(body)
		if !strings.HasPrefix(csv, "\ufeff") || !strings.Contains(csv, `'=HYPERLINK`) || !strings.Contains(csv, "360403002001001") {
			t.Errorf("csv export: %q", csv)
		}
		resp, _ = b.Get(e.Server.URL + "/party-orgs?format=xlsx")
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "PK") {
			t.Errorf("xlsx export: %d", resp.StatusCode)
		}
	})
}

// TestHomeFiguresFitTheLevel checks that the home page shows each user the
// figures of their level: the district's administrator counts streets, a
// grid member counts the people of their grid and never a row of zeros for
// levels above them.
func TestHomeFiguresFitTheLevel(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		home := func(user string) string {
			resp, err := e.Browser(t, user).Get(e.Server.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("home of %s: %d", user, resp.StatusCode)
			}
			return string(body)
		}
		figure := func(label string) string { return `<div class="label">` + label + `</div>` }
		admin, grid := home("admin"), home("grid1")
		for _, label := range []string{"街道", "社区", "网格", "实有人口", "未办结事件"} {
			if !strings.Contains(admin, figure(label)) {
				t.Errorf("the administrator's home has no %s figure", label)
			}
		}
		for _, label := range []string{"实有人口", "住户", "网格员", "未办结事件"} {
			if !strings.Contains(grid, figure(label)) {
				t.Errorf("the grid member's home has no %s figure", label)
			}
		}
		for _, label := range []string{"街道", "社区", "网格", "兼职委员"} {
			if strings.Contains(grid, figure(label)) {
				t.Errorf("the grid member's home counts %s", label)
			}
		}
	})
}

// TestBadTextIsRefused sends NUL characters and bytes that are not UTF-8
// where people type: in a search, a JSON body, a form and the sign-in name.
// Each is a 400 with a message (PostgreSQL can store neither, and a 500
// would be the server's fault), and nothing is written.
func TestBadTextIsRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		token := e.Token(t, "admin")
		for _, path := range []string{"/api/v1/units?q=a%00b", "/api/v1/residents?q=a%00b", "/api/v1/events?q=a%00b", "/api/v1/volunteer/volunteers?q=a%00b",
			"/api/v1/units?q=a%FFb", "/api/v1/events?q=a%FFb", "/api/v1/volunteer/volunteers?q=a%C0b"} {
			status, body := e.Do(t, token, "GET", path, "")
			if status != 400 || !strings.Contains(body, "空字符") {
				t.Errorf("GET %s: %d %s", path, status, body)
			}
		}
		var before, after int
		if err := e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM units`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		status, body := e.Do(t, token, "POST", "/api/v1/units",
			fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001099","name":"新\u0000网格"}`, e.Community1.ID))
		if status != 400 || !strings.Contains(body, "空字符") {
			t.Errorf("POST a unit named with a NUL: %d %s", status, body)
		}
		// encoding/json would store either as U+FFFD.
		for _, name := range []string{"新\xff网格", `新\ud800网格`, `新\udc00\ud800网格`} {
			status, body := e.Do(t, token, "POST", "/api/v1/units",
				fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001099","name":"%s"}`, e.Community1.ID, name))
			if status != 400 || !strings.Contains(body, "空字符") {
				t.Errorf("POST a unit named %q: %d %s", name, status, body)
			}
		}
		lon, lat := apptest.GridPoint(1)
		var events int
		if err := e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM events`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{"垃圾\xfe堆积", `垃圾\ud83d堆积`} {
			status, body := e.Do(t, token, "POST", "/api/v1/events",
				fmt.Sprintf(`{"category_code":"0101","description":"%s","lon":%f,"lat":%f}`, text, lon, lat))
			if status != 400 || !strings.Contains(body, "空字符") {
				t.Errorf("POST an event described as %q: %d %s", text, status, body)
			}
		}
		if err := e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM events`).Scan(&after); err != nil || after != events {
			t.Errorf("%d events written (%v)", after-events, err)
		}
		b := e.Browser(t, "admin")
		for _, name := range []string{"新\x00网格", "新\xff网格"} {
			resp, err := b.PostForm(e.Server.URL+"/units", url.Values{"parent_id": {fmt.Sprint(e.Community1.ID)}, "type": {"grid"}, "code": {"360403001001099"}, "name": {name}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Errorf("the unit form with %q: %d", name, resp.StatusCode)
			}
		}
		if err := e.App.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM units`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Errorf("%d units written", after-before)
		}
		resp, err := http.PostForm(e.Server.URL+"/login", url.Values{"username": {"ad\x00min"}, "password": {apptest.Password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("sign-in with a NUL in the name: %d", resp.StatusCode)
		}
	})
}

// TestOverviewFollowsWritesOnEveryInstance reads the overview on two
// instances sharing one database, writes through the first, and expects
// both to count the write at once, though each keeps its last overview.
func TestOverviewFollowsWritesOnEveryInstance(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		second, err := app.Open(ctx, e.App.Config)
		if err != nil {
			t.Fatal(err)
		}
		defer second.Close()
		h, err := second.Handler()
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		token := e.Token(t, "admin")
		grids := func(base string) int {
			t.Helper()
			req, _ := http.NewRequest("GET", base+"/api/v1/overview", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var o struct{ Grids int }
			if err := json.NewDecoder(resp.Body).Decode(&o); err != nil || resp.StatusCode != 200 {
				t.Fatalf("overview: %d %v", resp.StatusCode, err)
			}
			return o.Grids
		}
		before := grids(e.Server.URL)
		if n := grids(srv.URL); n != before {
			t.Fatalf("the instances count %d and %d grids", before, n)
		}
		if _, err := e.Orgs.CreateUnit(ctx, auth.SystemActor("test"), org.UnitInput{ParentID: e.Community1.ID, Type: org.Grid, Code: "360403001001002", Name: "第二网格"}); err != nil {
			t.Fatal(err)
		}
		if got := grids(srv.URL); got != before+1 {
			t.Errorf("the other instance counts %d grids after one was added to %d", got, before)
		}
		if got := grids(e.Server.URL); got != before+1 {
			t.Errorf("the writing instance counts %d grids after one was added to %d", got, before)
		}
	})
}
