package events_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"grassroots/internal/app/apptest"
	"grassroots/internal/events"
	"grassroots/internal/platform/auth"
)

// TestOpen311 reads the services, posts the spec's example request and
// refused ones, reads the request back in both formats and by token, and
// sees it closed once its event is.
func TestOpen311(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		const base = "/open311/v2"
		get := func(name, path string, status int, has ...string) apptest.Scenario {
			return apptest.Scenario{Name: name, Method: "GET", Path: base + path, Status: status, ExpectedContent: has}
		}
		post := func(name, ext string, form url.Values, status int, has ...string) apptest.Scenario {
			return apptest.Scenario{Name: name, Method: "POST", Path: base + "/requests." + ext, Form: form, Status: status, ExpectedContent: has}
		}
		key := e.Token(t, "operator")
		services := get("services", "/services.json", 200, `"service_code":"0101"`)
		services.NotExpectedContent = []string{`"service_code":"0801"`}
		e.Run(t,
			get("discovery", "/discovery.json", 200, `"endpoints"`),
			services,
			get("services xml", "/services.xml", 200, "<services><service><service_code>"),
			get("service definition", "/services/0101.json", 200, `"attributes":[]`),
			// A list of ids too long for one query is a 400, not a database error.
			get("70,000 ids", "/requests.json?service_request_id="+strings.TrimSuffix(strings.Repeat("1,", 70000), ","), 400, `"code":400`),
			get("unknown service", "/services/9999.xml", 404, "<errors><error><code>404</code>"),
			post("no key", "json", url.Values{"service_code": {"0101"}, "lat": {"29.7"}, "long": {"116.0"}, "description": {"x"}}, 403, `"code":403`),
			post("bad key", "json", url.Values{"api_key": {"grt_wrong"}, "service_code": {"0101"}, "lat": {"29.7"}, "long": {"116.0"}, "description": {"x"}}, 403),
			post("no service", "json", url.Values{"api_key": {key}, "lat": {"29.705"}, "long": {"116.015"}, "description": {"x"}}, 400, `"code":400`),
			post("no place", "json", url.Values{"api_key": {key}, "service_code": {"0101"}, "address_string": {"somewhere"}, "description": {"x"}}, 400, `"code":400`),
			post("bad lat", "json", url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {"north"}, "long": {"116.0"}, "description": {"x"}}, 400, `"code":400`),
			post("outside", "json", url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {"37.76524078"}, "long": {"-122.4212043"}, "description": {"x"}}, 400, `"code":400`),
			// The spec makes description optional: service_code and a place are enough.
			post("no description", "json", url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {"29.705"}, "long": {"116.015"}}, 200, `"service_request_id"`),
			post("unknown service code", "json", url.Values{"api_key": {key}, "service_code": {"7777"}, "lat": {"29.705"}, "long": {"116.015"}, "description": {"x"}}, 404),
		)
		lon, lat := apptest.GridPoint(2)
		// The spec's example request, with a place in the district.
		form := url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {fmt.Sprint(lat)}, "long": {fmt.Sprint(lon)},
			"address_string": {"1234 5th street"}, "email": {"smit222@sfgov.edu"}, "device_id": {"tt222111"}, "account_id": {"123456"},
			"first_name": {"john"}, "last_name": {"smith"}, "phone": {"111111111"}, "description": {"A large sinkhole is destroying the street"},
			"media_url": {"http://media.example.com/asdfasdf.jpg"}}
		resp, err := http.PostForm(e.Server.URL+base+"/requests.json", form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var created []struct {
			ID    string `json:"service_request_id"`
			Token string `json:"token"`
		}
		apptest.Decode(t, string(b), &created)
		if resp.StatusCode != 200 || len(created) != 1 || created[0].ID == "" || created[0].Token == "" {
			t.Fatalf("post: %d %s", resp.StatusCode, b)
		}
		id := created[0].ID
		status, body := e.Do(t, "", "GET", base+"/requests/"+id+".json", "")
		var reqs []struct {
			ID       string `json:"service_request_id"`
			Status   string `json:"status"`
			Expected string `json:"expected_datetime"`
			Agency   string `json:"agency_responsible"`
			Lat      float64
		}
		apptest.Decode(t, body, &reqs)
		if status != 200 || len(reqs) != 1 || reqs[0].Status != "open" || reqs[0].Expected == "" || strings.Contains(body, "smith") {
			t.Errorf("request: %d %s", status, body)
		}
		if status, body := e.Do(t, "", "GET", base+"/requests.json?status=closed", ""); status != 200 || body != "[]\n" {
			t.Errorf("closed requests: %d %s", status, body)
		}
		if status, body := e.Do(t, "", "GET", base+"/requests.json?service_request_id="+id+",99999", ""); status != 200 || strings.Count(body, "service_request_id") != 1 {
			t.Errorf("requests by id: %d %s", status, body)
		}
		e.Run(t,
			post("post xml", "xml", form, 200, "<service_requests><request><service_request_id>"),
			get("request xml", "/requests/"+id+".xml", 200, "<status>open</status>"),
			get("requests", "/requests.json?service_code=0101&status=open&start_date=2000-01-01T00:00:00Z", 200, `"service_request_id":"`+id+`"`),
			get("bad status filter", "/requests.json?status=maybe", 400),
			get("unknown request", "/requests/99999.json", 404),
			get("token", "/tokens/"+created[0].Token+".json", 200, `"service_request_id":"`+id+`"`),
			get("unknown token", "/tokens/nothing.json", 404),
		)
		// Closing the event closes the request.
		sys := auth.SystemActor("test")
		var eid int64
		fmt.Sscan(id, &eid)
		for _, in := range []events.StepInput{{Action: events.ActAccept}, {Action: events.ActDispatch, HandlingUnitID: e.Dept.ID},
			{Action: events.ActSign}, {Action: events.ActHandle, Note: "ok"}, {Action: events.ActPass}} {
			if _, err := e.Events.Act(context.Background(), sys, eid, in); err != nil {
				t.Fatal(err)
			}
		}
		e.Run(t, get("closed request", "/requests/"+id+".json", 200, `"status":"closed"`, "浔阳区城市管理局"))
	})
}

// TestOpen311SpeaksOneLanguage asks Open311 for what it cannot give, in
// Chinese and in English: each error is wholly in the request's language
// ("service request不存在" mixed the two), with the client's field names.
func TestOpen311SpeaksOneLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		key := e.Token(t, "operator")
		han := regexp.MustCompile(`\p{Han}`)
		english := regexp.MustCompile(`\b(does|not|exist|outside|service request|token|area|Only|There|is|no)\b`)
		lon, lat := apptest.GridPoint(1)
		for _, c := range []struct {
			method, path string
			form         url.Values
			zh, en       string // a part of each answer
		}{
			{"GET", "/requests/99999.json", nil, "服务请求不存在", "The service request does not exist"},
			{"GET", "/requests/abc.xml", nil, "服务请求不存在", "The service request does not exist"},
			{"GET", "/tokens/nothing.json", nil, "令牌不存在", "The token does not exist"},
			{"GET", "/services/9999.json", nil, "没有代码为 9999 的服务", "There is no service with code 9999"},
			{"GET", "/requests.json?status=maybe", nil, "status：不是可选的值", "status: Not one of the allowed values"},
			{"GET", "/requests.txt", nil, "仅支持", "Only .json and .xml"},
			{"POST", "/requests.json", url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {"north"}, "long": {"116"}}, "lat：", "lat: "},
			{"POST", "/requests.json", url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {fmt.Sprint(lat)}, "long": {fmt.Sprint(lon)}, "phone": {"12"}}, "phone：", "phone: "},
		} {
			for _, lang := range []string{"zh", "en"} {
				req, _ := http.NewRequest(c.method, e.Server.URL+"/open311/v2"+c.path, strings.NewReader(c.form.Encode()))
				if c.form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Accept-Language", lang)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body := string(b)
				want, mixed := c.zh, english.MatchString(body)
				if lang == "en" {
					want, mixed = c.en, han.MatchString(body)
				}
				if resp.StatusCode < 400 || !strings.Contains(body, want) || mixed {
					t.Errorf("%s %s in %s: %d %s", c.method, c.path, lang, resp.StatusCode, body)
				}
			}
		}
	})
}
