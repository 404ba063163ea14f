package app_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
)

// TestLostDatabaseIsUnavailable loses the events module's database
// connection (sign-in still works) and sends a valid report and other
// requests: each answers 503 with Retry-After, in the caller's language,
// never a 4xx that blames the input (the report used to be refused with
// "category_code not found", and a client dropped it).
func TestLostDatabaseIsUnavailable(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			e := apptest.Start(t, engine)
			token := e.Token(t, "grid1")
			b := e.Browser(t, "grid1")
			e.Events.SetDB(dbtest.Lost(t, engine))
			lon, lat := apptest.GridPoint(1)
			send := func(c *http.Client, method, path, contentType, body, lang string) {
				t.Helper()
				req, err := http.NewRequest(method, e.Server.URL+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if contentType != "" {
					req.Header.Set("Content-Type", contentType)
				}
				if c == nil {
					c = http.DefaultClient
					req.Header.Set("Authorization", "Bearer "+token)
				}
				req.Header.Set("Accept-Language", lang)
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				out, _ := io.ReadAll(resp.Body)
				want := map[string]string{"en": "briefly out of reach", "zh": "暂时无法访问"}[lang]
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(out), want) {
					t.Errorf("%s %s: %d, Retry-After %q: %.300s", method, path, resp.StatusCode, resp.Header.Get("Retry-After"), out)
				}
			}
			report := fmt.Sprintf(`{"category_code":"0101","description":"路口垃圾堆积","lon":%f,"lat":%f}`, lon, lat)
			send(nil, "POST", "/api/v1/events", "application/json", report, "en")
			send(nil, "POST", "/api/v1/events", "application/json", report, "zh")
			send(nil, "GET", "/api/v1/events", "", "", "en")
			send(nil, "GET", "/api/v1/events/1", "", "", "en")
			form := url.Values{"api_key": {token}, "service_code": {"0101"}, "lat": {fmt.Sprint(lat)}, "long": {fmt.Sprint(lon)}, "description": {"垃圾"}}
			send(http.DefaultClient, "POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", form.Encode(), "en")
			send(http.DefaultClient, "GET", "/open311/v2/requests/1.json", "", "", "zh")
			send(http.DefaultClient, "GET", "/open311/v2/tokens/abc.json", "", "", "en")
			send(b, "GET", "/events", "", "", "zh")
		})
	}
}

// TestLostDatabaseIsUnavailableEverywhere loses the database of every
// module but sign-in and sends requests that name records (a parent unit,
// a household): a 503 with Retry-After each, not a 400 that calls the
// named record missing, nor a 500.
func TestLostDatabaseIsUnavailableEverywhere(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			e := apptest.Start(t, engine)
			token := e.Token(t, "admin")
			b := e.Browser(t, "admin")
			lost := dbtest.Lost(t, engine)
			for _, s := range []interface{ SetDB(*db.DB) }{e.Orgs, e.People, e.Volunteer, e.Events} {
				s.SetDB(lost)
			}
			e.Calendar.DB = lost
			for _, c := range []struct{ method, path, body string }{
				{"POST", "/api/v1/units", fmt.Sprintf(`{"parent_id":%d,"type":"grid","code":"360403001001099","name":"新网格"}`, e.Community1.ID)},
				{"GET", "/api/v1/units", ""},
				{"POST", "/api/v1/households", fmt.Sprintf(`{"building_id":%d,"room":"101"}`, e.Grid1.ID)},
				{"POST", "/api/v1/residents", `{"name":"赵敏","gender":"female","birth_date":"1980-08-08","id_number":"36040319800808122` + string(pii.IDCheckChar("36040319800808122")) + `","household_id":1}`},
				{"GET", "/api/v1/party-members", ""},
				{"GET", "/api/v1/volunteer/volunteers", ""},
				{"GET", "/api/v1/calendar", ""},
			} {
				req, _ := http.NewRequest(c.method, e.Server.URL+c.path, strings.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer "+token)
				if c.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(out), `"unavailable"`) {
					t.Errorf("%s %s: %d, Retry-After %q: %.300s", c.method, c.path, resp.StatusCode, resp.Header.Get("Retry-After"), out)
				}
			}
			resp, err := b.Get(e.Server.URL + "/units")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
				t.Errorf("the units page: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		})
	}
}
