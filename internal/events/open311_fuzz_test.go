package events

import (
	"errors"
	"math"
	"net/url"
	"testing"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
)

// FuzzOpen311Form decodes arbitrary POST bodies as Open311 forms: it never
// panics, fails only with invalid errors, and what it accepts has a service
// code, a finite WGS-84 place and bounded, valid text.
func FuzzOpen311Form(f *testing.F) {
	for _, s := range []string{
		"api_key=xyz&service_code=001&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit222%40sfgov.edu&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fmedia.example.com%2Fasdfasdf.jpg",
		"api_key=k&service_code=0101&lat=29.705&long=116.005&description=%E5%9E%83%E5%9C%BE",
		"service_code=0101&lat=NaN&long=116&description=x", "service_code=0101&lat=1e400&long=1&description=x",
		"service_code=0101&lat=29&description=x", "service_code=&description=", "lat=-91&long=181", "%zz", "a=%ff%fe",
		"service_code=0101&lat=29.7&long=116.0&description=%00", "service_code=0101&lat=+29.7&long=0x10&description=y",
		"attribute[WHISPAWN]=123&service_code=1&lat=0&long=0&description=d",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		req, err := ParseOpen311Request(form)
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
				t.Fatalf("error %v is not an invalid error naming fields", err)
			}
			return
		}
		if req.ServiceCode == "" || len(req.ServiceCode) > 20 {
			t.Fatalf("service code %q accepted", req.ServiceCode)
		}
		if req.Lat == nil || req.Long == nil || math.IsNaN(*req.Lat) || math.IsInf(*req.Lat, 0) || *req.Lat < -90 || *req.Lat > 90 ||
			math.IsNaN(*req.Long) || *req.Long < -180 || *req.Long > 180 {
			t.Fatalf("place %v %v accepted", req.Lat, req.Long)
		}
		if utf8.RuneCountInString(req.Description) > MaxText || !utf8.ValidString(req.Description) {
			t.Fatalf("description %q accepted", req.Description)
		}
	})
}
