package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"grassroots/internal/app/apptest"
	"grassroots/internal/events"
	"grassroots/internal/platform/auth"
)

func pngData(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 6))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type eventOut struct {
	ID         int64  `json:"id"`
	State      string `json:"state"`
	GridID     int64  `json:"grid_id"`
	Photos     int    `json:"photos"`
	Duplicates []struct {
		ID int64 `json:"id"`
	} `json:"duplicates"`
	Actions []string `json:"actions"`
	History []struct {
		Action string   `json:"action"`
		Photos []string `json:"photos"`
	} `json:"history"`
}

func TestEventsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		grid, street, street2, dept := e.Token(t, "grid1"), e.Token(t, "street1"), e.Token(t, "street2"), e.Token(t, "dept1")
		lon, lat := apptest.GridPoint(1)
		photo := base64.StdEncoding.EncodeToString(pngData(t))
		body := fmt.Sprintf(`{"category_code":"0101","description":"路口垃圾堆积","lon":%f,"lat":%f,"idempotency_key":"abc","photos":[%q]}`, lon, lat, photo)
		status, out := e.Do(t, grid, "POST", "/api/v1/events", body)
		if status != 201 {
			t.Fatalf("report: %d %s", status, out)
		}
		var ev eventOut
		decode(t, out, &ev)
		if ev.State != "reported" || ev.GridID != e.Grid1.ID || ev.Photos != 1 {
			t.Fatalf("reported: %s", out)
		}
		// The same key again: the same event, 200.
		status, out = e.Do(t, grid, "POST", "/api/v1/events", body)
		var again eventOut
		decode(t, out, &again)
		if status != 200 || again.ID != ev.ID {
			t.Errorf("double submit: %d %s", status, out)
		}
		// A second report 20 m away suggests the first as a duplicate.
		status, out = e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"垃圾","lon":%f,"lat":%f}`, lon+0.0002, lat))
		var dup eventOut
		decode(t, out, &dup)
		if status != 201 || len(dup.Duplicates) != 1 || dup.Duplicates[0].ID != ev.ID {
			t.Errorf("duplicates: %d %s", status, out)
		}
		long := strings.Repeat("字", 4001)
		notImage := base64.StdEncoding.EncodeToString([]byte("GIF89a but not really an image at all"))
		bad := []struct {
			name, token, method, path, body string
			status                          int
			field                           string
		}{
			{"outside the district", grid, "POST", "/api/v1/events", `{"category_code":"0101","description":"x","lon":120.1,"lat":30.2}`, 400, "lon"},
			{"coordinates not numbers", grid, "POST", "/api/v1/events", `{"category_code":"0101","description":"x","lon":"east","lat":29.7}`, 400, "lon"},
			{"unknown category", grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"9999","description":"x","lon":%f,"lat":%f}`, lon, lat), 400, "category_code"},
			{"photo not an image", grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"x","lon":%f,"lat":%f,"photos":[%q]}`, lon, lat, notImage), 400, "photos[0]"},
			{"text too long", grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":%q,"lon":%f,"lat":%f}`, long, lon, lat), 400, "description"},
			{"another street's event", street2, "GET", fmt.Sprintf("/api/v1/events/%d", ev.ID), "", 404, ""},
			{"another street acts", street2, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), `{"action":"accept"}`, 404, ""},
			{"department before dispatch", dept, "GET", fmt.Sprintf("/api/v1/events/%d", ev.ID), "", 404, ""},
			{"out of order", street, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), `{"action":"sign"}`, 409, ""},
			{"not the dispatcher", grid, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), `{"action":"accept"}`, 403, ""},
			{"unknown action", street, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), `{"action":"fly"}`, 400, "action"},
		}
		for _, c := range bad {
			status, out := e.Do(t, c.token, c.method, c.path, c.body)
			var ae apiError
			_ = json.Unmarshal([]byte(out), &ae)
			if status != c.status || ae.Error.Message == "" || (c.field != "" && ae.Error.Fields[c.field] == "") {
				t.Errorf("%s: %d %.300s", c.name, status, out)
			}
		}
		var n int
		if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM events`).Scan(&n); err != nil || n != 2 {
			t.Errorf("events after bad input: %d %v", n, err)
		}
		// The whole workflow, each step by its own user.
		act := func(token, body string, want string) {
			t.Helper()
			status, out := e.Do(t, token, "POST", fmt.Sprintf("/api/v1/events/%d/actions", ev.ID), body)
			var got eventOut
			_ = json.Unmarshal([]byte(out), &got)
			if status != 200 || got.State != want {
				t.Fatalf("%s: %d %s", body, status, out)
			}
		}
		act(street, `{"action":"accept"}`, "accepted")
		act(street, fmt.Sprintf(`{"action":"dispatch","handling_unit_id":%d,"whistle":"daily"}`, e.Dept.ID), "dispatched")
		status, out = e.Do(t, dept, "GET", "/api/v1/events", "")
		if status != 200 || !strings.Contains(out, fmt.Sprintf(`"id":%d`, ev.ID)) || !strings.Contains(out, `"total":1`) {
			t.Errorf("department's list: %d %s", status, out)
		}
		act(dept, `{"action":"sign"}`, "signed")
		act(dept, fmt.Sprintf(`{"action":"handle","note":"已清运","photos":[%q]}`, photo), "handled")
		act(grid, `{"action":"fail","note":"仍有残留"}`, "rework")
		act(dept, `{"action":"handle","note":"已彻底清理"}`, "handled")
		act(grid, `{"action":"pass"}`, "closed")
		act(grid, `{"action":"rate","rating":5}`, "closed")
		status, out = e.Do(t, street, "GET", fmt.Sprintf("/api/v1/events/%d", ev.ID), "")
		var full eventOut
		decode(t, out, &full)
		if status != 200 || len(full.History) != 9 || len(full.History[0].Photos) != 1 || full.History[4].Action != "handle" || len(full.History[4].Photos) != 1 {
			t.Errorf("history: %d %s", status, out)
		}
		status, out = e.Do(t, street, "GET", fmt.Sprintf("/api/v1/events/%d/photos/%s", ev.ID, strings.TrimPrefix(full.History[0].Photos[0], fmt.Sprintf("/api/v1/events/%d/photos/", ev.ID))), "")
		if status != 200 || !strings.HasPrefix(out, "\x89PNG") {
			t.Errorf("photo: %d", status)
		}
		status, out = e.Do(t, street, "GET", fmt.Sprintf("/api/v1/events/indicators?unit=%d", e.Street1.ID), "")
		var ind events.Indicators
		decode(t, out, &ind)
		if status != 200 || ind.Received != 2 || ind.Accepted != 1 {
			t.Errorf("indicators: %d %s", status, out)
		}
		status, out = e.Do(t, e.Token(t, "admin"), "GET", "/api/v1/overview", "")
		var o struct {
			Open    *int     `json:"events_open"`
			Overdue *int     `json:"events_overdue"`
			Closed  *int     `json:"events_closed_30d"`
			Rate    *float64 `json:"on_time_close_rate_30d"`
		}
		decode(t, out, &o)
		if status != 200 || o.Open == nil || *o.Open != 1 || o.Closed == nil || *o.Closed != 1 || o.Overdue == nil || o.Rate == nil {
			t.Errorf("overview: %s", out)
		}
		// The export has one row per event with the time of every stage.
		b := e.Browser(t, "street1")
		resp, err := b.Get(e.Server.URL + "/events?format=csv")
		if err != nil {
			t.Fatal(err)
		}
		csv, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
		if resp.StatusCode != 200 || len(lines) != 3 || !strings.Contains(lines[0], "立案时间") || !strings.Contains(lines[0], "结案时间") {
			t.Errorf("export: %d %q", resp.StatusCode, csv)
		}
		for _, path := range []string{"/events", "/events/new", fmt.Sprintf("/events/%d", ev.ID), "/events/map", fmt.Sprintf("/events/map?unit=%d", e.Grid1.ID),
			"/events/indicators", fmt.Sprintf("/events/indicators?unit=%d", e.Street1.ID), "/event-categories", "/event-calendar", "/notifications", "/events?format=xlsx"} {
			resp, err := b.Get(e.Server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", path, resp.StatusCode)
			}
		}
	})
}

func TestOpen311(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		base := e.Server.URL + "/open311/v2"
		get := func(path string) (int, string) {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		post := func(form url.Values, ext string) (int, string) {
			resp, err := http.PostForm(base+"/requests."+ext, form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if s, b := get("/discovery.json"); s != 200 || !strings.Contains(b, `"endpoints"`) {
			t.Errorf("discovery: %d %s", s, b)
		}
		if s, b := get("/services.json"); s != 200 || !strings.Contains(b, `"service_code":"0101"`) || strings.Contains(b, `"service_code":"0801"`) {
			t.Errorf("services: %d %.300s", s, b)
		}
		if s, b := get("/services.xml"); s != 200 || !strings.Contains(b, "<services><service><service_code>") {
			t.Errorf("services xml: %d %.300s", s, b)
		}
		if s, b := get("/services/0101.json"); s != 200 || !strings.Contains(b, `"attributes":[]`) {
			t.Errorf("service definition: %d %s", s, b)
		}
		// A list of ids too long for one query is a 400, not a database error.
		ids := strings.TrimSuffix(strings.Repeat("1,", 70000), ",")
		if s, b := get("/requests.json?service_request_id=" + ids); s != 400 || !strings.Contains(b, `"code":400`) {
			t.Errorf("70,000 ids: %d %.200s", s, b)
		}
		if s, b := get("/services/9999.xml"); s != 404 || !strings.Contains(b, "<errors><error><code>404</code>") {
			t.Errorf("unknown service: %d %s", s, b)
		}
		key := e.Token(t, "operator")
		lon, lat := apptest.GridPoint(2)
		// The spec's example request, with a place in the district.
		form := url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {fmt.Sprint(lat)}, "long": {fmt.Sprint(lon)},
			"address_string": {"1234 5th street"}, "email": {"smit222@sfgov.edu"}, "device_id": {"tt222111"}, "account_id": {"123456"},
			"first_name": {"john"}, "last_name": {"smith"}, "phone": {"111111111"}, "description": {"A large sinkhole is destroying the street"},
			"media_url": {"http://media.example.com/asdfasdf.jpg"}}
		s, b := post(form, "json")
		var created []struct {
			ID    string `json:"service_request_id"`
			Token string `json:"token"`
		}
		decode(t, b, &created)
		if s != 200 || len(created) != 1 || created[0].ID == "" || created[0].Token == "" {
			t.Fatalf("post: %d %s", s, b)
		}
		s, b = post(form, "xml")
		if s != 200 || !strings.Contains(b, "<service_requests><request><service_request_id>") {
			t.Errorf("post xml: %d %s", s, b)
		}
		noKey := url.Values{"service_code": {"0101"}, "lat": {"29.7"}, "long": {"116.0"}, "description": {"x"}}
		if s, b := post(noKey, "json"); s != 403 || !strings.Contains(b, `"code":403`) {
			t.Errorf("no key: %d %s", s, b)
		}
		badKey := url.Values{"api_key": {"grt_wrong"}, "service_code": {"0101"}, "lat": {"29.7"}, "long": {"116.0"}, "description": {"x"}}
		if s, _ := post(badKey, "json"); s != 403 {
			t.Errorf("bad key: %d", s)
		}
		for name, f := range map[string]url.Values{
			"no service": {"api_key": {key}, "lat": {"29.705"}, "long": {"116.015"}, "description": {"x"}},
			"no place":   {"api_key": {key}, "service_code": {"0101"}, "address_string": {"somewhere"}, "description": {"x"}},
			"bad lat":    {"api_key": {key}, "service_code": {"0101"}, "lat": {"north"}, "long": {"116.0"}, "description": {"x"}},
			"outside":    {"api_key": {key}, "service_code": {"0101"}, "lat": {"37.76524078"}, "long": {"-122.4212043"}, "description": {"x"}},
		} {
			if s, b := post(f, "json"); s != 400 || !strings.Contains(b, `"code":400`) {
				t.Errorf("%s: %d %s", name, s, b)
			}
		}
		// The spec makes description optional: service_code and a place are enough.
		if s, b := post(url.Values{"api_key": {key}, "service_code": {"0101"}, "lat": {"29.705"}, "long": {"116.015"}}, "json"); s != 200 || !strings.Contains(b, `"service_request_id"`) {
			t.Errorf("no description: %d %s", s, b)
		}
		if s, b := post(url.Values{"api_key": {key}, "service_code": {"7777"}, "lat": {"29.705"}, "long": {"116.015"}, "description": {"x"}}, "json"); s != 404 {
			t.Errorf("unknown service code: %d %s", s, b)
		}
		id := created[0].ID
		s, b = get("/requests/" + id + ".json")
		var reqs []struct {
			ID       string `json:"service_request_id"`
			Status   string `json:"status"`
			Expected string `json:"expected_datetime"`
			Agency   string `json:"agency_responsible"`
			Lat      float64
		}
		decode(t, b, &reqs)
		if s != 200 || len(reqs) != 1 || reqs[0].Status != "open" || reqs[0].Expected == "" || strings.Contains(b, "smith") {
			t.Errorf("request: %d %s", s, b)
		}
		if s, b := get("/requests/" + id + ".xml"); s != 200 || !strings.Contains(b, "<status>open</status>") {
			t.Errorf("request xml: %d %s", s, b)
		}
		if s, b := get("/requests.json?service_code=0101&status=open&start_date=2000-01-01T00:00:00Z"); s != 200 || !strings.Contains(b, `"service_request_id":"`+id+`"`) {
			t.Errorf("requests: %d %.300s", s, b)
		}
		if s, b := get("/requests.json?status=closed"); s != 200 || b != "[]\n" {
			t.Errorf("closed requests: %d %s", s, b)
		}
		if s, b := get("/requests.json?service_request_id=" + id + ",99999"); s != 200 || strings.Count(b, "service_request_id") != 1 {
			t.Errorf("requests by id: %d %s", s, b)
		}
		if s, _ := get("/requests.json?status=maybe"); s != 400 {
			t.Errorf("bad status filter: %d", s)
		}
		if s, _ := get("/requests/99999.json"); s != 404 {
			t.Errorf("unknown request: %d", s)
		}
		if s, b := get("/tokens/" + created[0].Token + ".json"); s != 200 || !strings.Contains(b, `"service_request_id":"`+id+`"`) {
			t.Errorf("token: %d %s", s, b)
		}
		if s, _ := get("/tokens/nothing.json"); s != 404 {
			t.Errorf("unknown token: %d", s)
		}
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
		if s, b := get("/requests/" + id + ".json"); s != 200 || !strings.Contains(b, `"status":"closed"`) || !strings.Contains(b, "浔阳区城市管理局") {
			t.Errorf("closed request: %d %s", s, b)
		}
		_ = time.Now
	})
}

// TestEventsAPILargePhoto reports with a phone photo of a few megabytes,
// sent as base64, well past the 2 MB of an ordinary JSON body.
func TestEventsAPILargePhoto(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		grid := e.Token(t, "grid1")
		noise := image.NewRGBA(image.Rect(0, 0, 900, 900))
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range noise.Pix {
			noise.Pix[i] = byte(rng.Uint32())
		}
		var big bytes.Buffer
		if err := png.Encode(&big, noise); err != nil {
			t.Fatal(err)
		}
		if big.Len() < 2<<20 {
			t.Fatalf("the large photo is only %d bytes", big.Len())
		}
		status, out := e.Do(t, grid, "POST", "/api/v1/events", fmt.Sprintf(`{"category_code":"0101","description":"大照片","grid_id":%d,"photos":[%q]}`,
			e.Grid1.ID, base64.StdEncoding.EncodeToString(big.Bytes())))
		if status != 201 {
			t.Errorf("a %d-byte photo: %d %.200s", big.Len(), status, out)
		}
	})
}

// TestOpen311SpeaksOneLanguage asks Open311 for what it cannot give, in
// Chinese and in English: each error is wholly in the request's language
// ("service request不存在" mixed the two), with the client's field names.
func TestOpen311SpeaksOneLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) { open311SpeaksOneLanguage(t, e) })
}

func open311SpeaksOneLanguage(t *testing.T, e *apptest.Env) {
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
}
