package events

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/pii"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
)

// TokenAuth finds the user behind an API token; the account store is one.
type TokenAuth interface {
	ActorForToken(ctx context.Context, token, ip string) (*auth.Actor, error)
}

// Open311 serves GeoReport v2 at /open311/v2/: discovery, services, service
// definitions, requests (POST with an api_key, which is an API token from
// `grassroots token create` of a user who may report; GET without one),
// one request, and tokens, each as .json or .xml. Internal states map to
// open and closed; expected_datetime is the handling deadline (or, before
// dispatch, the current stage's). GET shows public categories only (not
// disputes) and never the reporter.
type Open311 struct {
	Store      *Store
	Tokens     TokenAuth
	TrustProxy bool
}

// Register adds the Open311 routes, public: Open311 clients do not sign
// in (they send an API key).
func (o *Open311) Register(rt *web.Routes) {
	rt.Handle("GET /open311/v2/{file}", web.Public(), http.HandlerFunc(o.top))
	rt.Handle("POST /open311/v2/{file}", web.Public(), http.HandlerFunc(o.post))
	rt.Handle("GET /open311/v2/services/{file}", web.Public(), http.HandlerFunc(o.service))
	rt.Handle("GET /open311/v2/requests/{file}", web.Public(), http.HandlerFunc(o.request))
	rt.Handle("GET /open311/v2/tokens/{file}", web.Public(), http.HandlerFunc(o.token))
}

// o311Error is one error in the spec's list.
type o311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type o311Errors struct {
	XMLName xml.Name    `xml:"errors"`
	Errors  []o311Error `xml:"error"`
}

// splitFormat splits "requests.json" into "requests" and "json".
func splitFormat(file string) (string, string, bool) {
	name, ext, found := strings.Cut(file, ".")
	if !found {
		return name, "json", true
	}
	switch ext {
	case "json", "xml":
		return name, ext, true
	}
	return name, ext, false
}

func writeO311(w http.ResponseWriter, format string, status int, v any) {
	web.SetRetryAfter(w, status)
	if format == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		enc := xml.NewEncoder(w)
		_ = enc.Encode(v)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeO311List writes a list: bare in JSON, in its wrapping element
// (wrapped) in XML.
func writeO311List(w http.ResponseWriter, format string, status int, list, wrapped any) {
	if format == "xml" {
		writeO311(w, format, status, wrapped)
		return
	}
	writeO311(w, format, status, list)
}

// o311Fields names the fields of a report as a GeoReport v2 request calls
// them, so that an error from the store names the field the client sent.
var o311Fields = map[string]string{"category_id": "service_code", "lon": "long", "address": "address_string",
	"reporter_name": "first_name", "reporter_phone": "phone"}

// fail writes an Open311 error list: 400, 403 or 404 (or 500, or 503 with
// Retry-After when the database is out of reach for a moment).
func fail(w http.ResponseWriter, r *http.Request, format string, err error) {
	status, body := web.ErrorBody(r, err)
	switch status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusServiceUnavailable:
	case http.StatusUnauthorized:
		status = http.StatusForbidden
	case http.StatusRequestEntityTooLarge, http.StatusConflict:
		status = http.StatusBadRequest
	default:
		status = http.StatusInternalServerError
	}
	var list []o311Error
	if len(body.Error.Fields) == 0 {
		list = append(list, o311Error{Code: status, Description: body.Error.Message})
	}
	colon := i18n.T(web.Lang(r), "web.colon")
	for f, m := range body.Error.Fields {
		if name, ok := o311Fields[f]; ok {
			f = name
		}
		list = append(list, o311Error{Code: status, Description: f + colon + m})
	}
	writeO311List(w, format, status, list, o311Errors{Errors: list})
}

func (o *Open311) top(w http.ResponseWriter, r *http.Request) {
	name, format, ok := splitFormat(r.PathValue("file"))
	if !ok {
		fail(w, r, "json", apperr.New(apperr.NotFound, "open311.format"))
		return
	}
	switch name {
	case "discovery":
		o.discovery(w, r, format)
	case "services":
		o.services(w, r, format)
	case "requests":
		o.requests(w, r, format)
	default:
		fail(w, r, format, apperr.New(apperr.NotFound, "web.no_such_api"))
	}
}

type endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type discovery struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

const changeset = "2026-11-26T00:00:00+08:00"

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (o *Open311) discovery(w http.ResponseWriter, r *http.Request, format string) {
	writeO311(w, format, http.StatusOK, discovery{
		Changeset: changeset, Contact: i18n.T(web.Lang(r), "open311.contact"),
		KeyService: i18n.T(web.Lang(r), "open311.key_service"),
		Endpoints: []endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2", URL: baseURL(r) + "/open311/v2",
			Changeset: changeset, Type: "production", Formats: []string{"application/json", "text/xml"}}},
	})
}

type o311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type o311Services struct {
	XMLName  xml.Name      `xml:"services"`
	Services []o311Service `xml:"service"`
}

// publicServices are the categories Open311 offers: active, public leaves.
func (o *Open311) publicServices(ctx context.Context, lang i18n.Lang) ([]o311Service, map[string]Category, error) {
	all, err := o.Store.Categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := map[int64]string{}
	for _, c := range all {
		names[c.ID] = c.DisplayName(string(lang))
	}
	byCode := map[string]Category{}
	out := []o311Service{}
	for _, c := range Leaves(all) {
		if !c.Public {
			continue
		}
		byCode[c.Code] = c
		out = append(out, o311Service{ServiceCode: c.Code, ServiceName: c.DisplayName(string(lang)), Description: names[c.ParentID] + " / " + c.DisplayName(string(lang)),
			Type: "realtime", Keywords: string(c.Kind), Group: names[c.ParentID]})
	}
	return out, byCode, nil
}

func (o *Open311) services(w http.ResponseWriter, r *http.Request, format string) {
	list, _, err := o.publicServices(r.Context(), web.Lang(r))
	if err != nil {
		fail(w, r, format, err)
		return
	}
	writeO311List(w, format, http.StatusOK, list, o311Services{Services: list})
}

type o311Definition struct {
	XMLName     xml.Name `json:"-" xml:"service_definition"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	Attributes  []any    `json:"attributes" xml:"attributes"`
}

func (o *Open311) service(w http.ResponseWriter, r *http.Request) {
	code, format, ok := splitFormat(r.PathValue("file"))
	if !ok {
		fail(w, r, "json", apperr.New(apperr.NotFound, "open311.format"))
		return
	}
	_, byCode, err := o.publicServices(r.Context(), web.Lang(r))
	if err != nil {
		fail(w, r, format, err)
		return
	}
	if _, found := byCode[code]; !found {
		fail(w, r, format, apperr.New(apperr.NotFound, "open311.no_service", code))
		return
	}
	writeO311(w, format, http.StatusOK, o311Definition{ServiceCode: code, Attributes: []any{}})
}

// Open311Request is a POST to requests, decoded and checked.
type Open311Request struct {
	APIKey        string
	ServiceCode   string
	Lat, Long     *float64
	AddressString string
	Description   string
	Name          string // first_name and last_name
	Phone         string // kept sealed, shown masked, to call the reporter back
	MediaURL      string
}

// ParseOpen311Request decodes the form of a GeoReport v2 POST requests:
// service_code is required, lat and long come together as finite WGS-84
// numbers, a place is required (lat/long; an address alone cannot be
// placed in a grid), text fields are bounded; description is optional, as
// the spec makes it (the service says what is wrong). A phone is checked and kept
// sealed; other fields (email, device_id, attribute[...]) are accepted and
// ignored: e-mail addresses are personal data this module does not keep.
func ParseOpen311Request(form url.Values) (Open311Request, error) {
	var req Open311Request
	var f apperr.Fields
	one := func(name string) string {
		v := form[name]
		if len(v) == 0 {
			return ""
		}
		return strings.TrimSpace(v[0])
	}
	req.APIKey = one("api_key")
	req.ServiceCode = one("service_code")
	if req.ServiceCode == "" {
		f.Add("service_code", "field.required")
	} else if len(req.ServiceCode) > 20 {
		f.Add("service_code", "field.too_long", 20)
	}
	num := func(name string, lo, hi float64) *float64 {
		s := one(name)
		if s == "" {
			return nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
			f.Add(name, "events.bad_location")
			return nil
		}
		return &v
	}
	req.Lat = num("lat", -90, 90)
	req.Long = num("long", -180, 180)
	if (req.Lat == nil) != (req.Long == nil) && !f.Has("lat") && !f.Has("long") {
		f.Add("lat", "events.location_pair")
	}
	req.AddressString = one("address_string")
	if req.Lat == nil && req.Long == nil && !f.Has("lat") && !f.Has("long") {
		f.Add("lat", "open311.location_required")
	}
	req.Description = one("description")
	checkText(&f, "description", req.Description, false)
	if utf8.RuneCountInString(req.AddressString) > 200 || !utf8.ValidString(req.AddressString) {
		f.Add("address_string", "field.too_long", 200)
	}
	req.Name = strings.TrimSpace(one("last_name") + one("first_name"))
	if utf8.RuneCountInString(req.Name) > 50 || !utf8.ValidString(req.Name) {
		f.Add("first_name", "field.too_long", 50)
	}
	req.Phone = pii.NormalizePhone(one("phone"))
	if req.Phone != "" {
		if p := pii.PhoneProblem(req.Phone); p != "" {
			f.Add("phone", p)
		}
	}
	req.MediaURL = one("media_url")
	if len(req.MediaURL) > 500 {
		f.Add("media_url", "field.too_long", 500)
	}
	return req, f.Err()
}

type o311Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id,omitempty" xml:"service_request_id,omitempty"`
	Token            string   `json:"token,omitempty" xml:"token,omitempty"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id"`
}

type o311CreatedList struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []o311Created `xml:"request"`
}

func (o *Open311) post(w http.ResponseWriter, r *http.Request) {
	name, format, ok := splitFormat(r.PathValue("file"))
	if !ok || name != "requests" {
		fail(w, r, format, apperr.New(apperr.NotFound, "web.no_such_api"))
		return
	}
	form, err := web.ParseFormUpTo(w, r, 1<<20, apperr.New(apperr.Invalid, "web.form_unreadable"))
	if err != nil {
		fail(w, r, format, err)
		return
	}
	req, perr := ParseOpen311Request(form.Values)
	if req.APIKey == "" {
		fail(w, r, format, apperr.New(apperr.Forbidden, "open311.api_key"))
		return
	}
	actor, err := o.Tokens.ActorForToken(r.Context(), req.APIKey, web.ClientIP(r, o.TrustProxy))
	if apperr.IsFault(err) {
		fail(w, r, format, err)
		return
	}
	if err != nil || !actor.Has(PermReport) {
		fail(w, r, format, apperr.New(apperr.Forbidden, "open311.api_key"))
		return
	}
	if perr != nil {
		fail(w, r, format, perr)
		return
	}
	cat, err := o.Store.CategoryByCode(r.Context(), req.ServiceCode)
	if err != nil && !apperr.IsNotFound(err) {
		fail(w, r, format, err)
		return
	}
	if err != nil || !cat.Public {
		fail(w, r, format, apperr.New(apperr.NotFound, "open311.no_service", req.ServiceCode))
		return
	}
	token := randomHex(12)
	desc := req.Description
	if req.MediaURL != "" {
		desc += "\n" + req.MediaURL
	}
	c, err := o.Store.Create(r.Context(), actor, NewEvent{CategoryID: cat.ID, Description: desc, Address: req.AddressString,
		Lon: req.Long, Lat: req.Lat, Source: FromOpen311, ReporterName: req.Name, ReporterPhone: req.Phone, IdemKey: r.Header.Get("Idempotency-Key"), Open311Token: token})
	if err != nil {
		fail(w, r, format, err)
		return
	}
	out := o311Created{ServiceRequestID: strconv.FormatInt(c.Event.ID, 10), Token: c.Event.Open311Token,
		ServiceNotice: i18n.T(web.Lang(r), "open311.notice", c.Event.ID)}
	writeO311List(w, format, http.StatusOK, []o311Created{out}, o311CreatedList{Requests: []o311Created{out}})
}

// o311Request is a service request as Open311 shows it.
type o311Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
}

type o311Requests struct {
	XMLName  xml.Name      `xml:"service_requests"`
	Requests []o311Request `xml:"request"`
}

func w3c(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(workcal.Shanghai).Format(time.RFC3339)
}

func o311View(e *Event, lang i18n.Lang) o311Request {
	exp := e.DueAt
	if exp == nil {
		exp = e.StageDueAt
	}
	if !e.State.Open() {
		exp = e.DueAt
	}
	rep := e.ReportedAt
	upd := e.UpdatedAt
	v := o311Request{ServiceRequestID: strconv.FormatInt(e.ID, 10), Status: e.Open311Status(), StatusNotes: e.State.Label().In(lang),
		ServiceName: e.CategoryName, ServiceCode: e.CategoryCode, Description: e.Description, AgencyResponsible: e.HandlingName,
		RequestedDatetime: w3c(&rep), UpdatedDatetime: w3c(&upd), ExpectedDatetime: w3c(exp), Address: e.Address}
	if e.HasLocation {
		lat, lon := e.Lat, e.Long()
		v.Lat, v.Long = &lat, &lon
	}
	return v
}

// Long is the event's longitude (Open311's name for it).
func (e *Event) Long() float64 { return e.Lon }

// open311Query is the GET requests filter.
type open311Query struct {
	IDs      []int64
	Codes    []string
	From, To time.Time
	Statuses []string
}

// parseW3C reads a GeoReport date: W3C date-time with or without a zone
// (Shanghai time without), or a day.
func parseW3C(s string) (time.Time, bool) {
	// A "+08:00" sent unencoded in a query arrives as " 08:00".
	if i := strings.LastIndexByte(s, ' '); i > 0 && strings.Contains(s[:i], "T") {
		s = s[:i] + "+" + s[i+1:]
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, workcal.Shanghai); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// open311MaxList bounds the ids or service codes one request may list:
// each is a parameter of the query, and the engines take a few thousand
// at most.
const open311MaxList = 500

func (o *Open311) requests(w http.ResponseWriter, r *http.Request, format string) {
	q := r.URL.Query()
	var oq open311Query
	var f apperr.Fields
	if s := q.Get("service_request_id"); s != "" {
		parts := strings.Split(s, ",")
		if len(parts) > open311MaxList {
			f.Add("service_request_id", "events.open311_too_many", open311MaxList)
			parts = nil
		}
		for _, part := range parts {
			id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
			if err != nil || id <= 0 {
				f.Add("service_request_id", "field.bad_number")
				break
			}
			oq.IDs = append(oq.IDs, id)
		}
	}
	if s := q.Get("service_code"); s != "" {
		parts := strings.Split(s, ",")
		if len(parts) > open311MaxList {
			f.Add("service_code", "events.open311_too_many", open311MaxList)
			parts = nil
		}
		for _, part := range parts {
			oq.Codes = append(oq.Codes, strings.TrimSpace(part))
		}
	}
	for name, dst := range map[string]*time.Time{"start_date": &oq.From, "end_date": &oq.To} {
		if s := q.Get(name); s != "" {
			t, ok := parseW3C(s)
			if !ok {
				f.Add(name, "field.bad_date")
			}
			*dst = t
		}
	}
	if s := q.Get("status"); s != "" {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part != "open" && part != "closed" {
				f.Add("status", "field.bad_choice")
				break
			}
			oq.Statuses = append(oq.Statuses, part)
		}
	}
	if err := f.Err(); err != nil {
		fail(w, r, format, err)
		return
	}
	list, err := o.Store.open311List(r.Context(), oq)
	if err != nil {
		fail(w, r, format, err)
		return
	}
	o.writeRequests(w, format, list, web.Lang(r))
}

func (o *Open311) writeRequests(w http.ResponseWriter, format string, list []Event, lang i18n.Lang) {
	out := make([]o311Request, 0, len(list))
	for i := range list {
		out = append(out, o311View(&list[i], lang))
	}
	writeO311List(w, format, http.StatusOK, out, o311Requests{Requests: out})
}

func (o *Open311) request(w http.ResponseWriter, r *http.Request) {
	id, format, ok := splitFormat(r.PathValue("file"))
	if !ok {
		fail(w, r, "json", apperr.New(apperr.NotFound, "open311.format"))
		return
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		fail(w, r, format, apperr.NotFoundf("open311.service_request"))
		return
	}
	list, err := o.Store.open311List(r.Context(), open311Query{IDs: []int64{n}})
	if err != nil {
		fail(w, r, format, err)
		return
	}
	if len(list) == 0 {
		fail(w, r, format, apperr.NotFoundf("open311.service_request"))
		return
	}
	o.writeRequests(w, format, list, web.Lang(r))
}

type o311Token struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
}

type o311Tokens struct {
	XMLName  xml.Name    `xml:"service_requests"`
	Requests []o311Token `xml:"request"`
}

func (o *Open311) token(w http.ResponseWriter, r *http.Request) {
	tok, format, ok := splitFormat(r.PathValue("file"))
	if !ok {
		fail(w, r, "json", apperr.New(apperr.NotFound, "open311.format"))
		return
	}
	id, err := o.Store.eventByOpen311Token(r.Context(), tok)
	if err != nil {
		fail(w, r, format, err)
		return
	}
	out := o311Token{ServiceRequestID: strconv.FormatInt(id, 10), Token: tok}
	writeO311List(w, format, http.StatusOK, []o311Token{out}, o311Tokens{Requests: []o311Token{out}})
}

func init() {
	i18n.Register(i18n.Catalog{
		"open311.format":            {Zh: "仅支持 .json 和 .xml 格式。", En: "Only .json and .xml are served."},
		"open311.service_request":   {Zh: "服务请求", En: "The service request"},
		"open311.token":             {Zh: "令牌", En: "The token"},
		"open311.no_service":        {Zh: "没有代码为 %s 的服务。", En: "There is no service with code %s."},
		"open311.api_key":           {Zh: "api_key 缺失或无效，或该用户不能上报事件。", En: "The api_key is missing or not valid, or its user may not report."},
		"open311.location_required": {Zh: "请提供 lat 和 long：仅凭地址无法确定网格。", En: "Give lat and long: an address alone cannot be placed in a grid."},
		"open311.notice":            {Zh: "已受理，编号 %d；街道将在 1 个工作小时内立案。", En: "Received as number %d; the street accepts it within one working hour."},
		"open311.contact":           {Zh: "区城市运行管理中心", En: "The district's city operations centre"},
		"open311.key_service":       {Zh: "向区管理员申请 API 令牌（grassroots token create）。", En: "Ask the district administrator for an API token (grassroots token create)."},
	})
}
