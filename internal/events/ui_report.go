package events

import (
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// ReportPage is the report form, made for a phone.
type ReportPage struct {
	web.Page
	Form       *web.Form
	Categories []web.Option
	Grids      []web.Option
	Sources    []web.Option
	MapJSON    template.JS
	Operator   bool // may report for a caller
}

func (u *UI) reportForm(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if !actor.Has(PermReport) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	form := web.NewForm(url.Values{"idempotency_key": {randomHex(16)}})
	return u.renderReport(w, r, http.StatusOK, actor, form)
}

func (u *UI) renderReport(w http.ResponseWriter, r *http.Request, status int, actor *auth.Actor, form *web.Form) error {
	lang := web.Lang(r)
	ctx := r.Context()
	p := &ReportPage{Form: form, Operator: actor.HasRole(Operator) || actor.Has(PermDispatch)}
	p.Title = i18n.T(lang, "nav.events_report")
	p.Section = "/events/new"
	var err error
	if p.Categories, err = u.categoryOptions(ctx, lang, false, true); err != nil {
		return err
	}
	p.Categories = append([]web.Option{{Value: "", Label: i18n.T(lang, "events.choose")}}, p.Categories...)
	grids, fc, err := u.gridsOf(ctx, actor, PermReport, "")
	if err != nil {
		return err
	}
	p.Grids = append([]web.Option{{Value: "", Label: i18n.T(lang, "events.grid_from_place")}}, grids...)
	p.MapJSON = fc
	if p.Operator {
		for _, s := range []Source{FromHotline, FromGrid, FromResident} {
			p.Sources = append(p.Sources, web.Option{Value: string(s), Label: i18n.T(lang, "events.source."+string(s))})
		}
	}
	u.R.Render(w, r, status, "events/report", p)
	return nil
}

// maxForm bounds a form with photos: six of 10 MB and the fields.
const maxForm = MaxPhotos*MaxPhotoBytes + 1<<20

// parseMultipart reads a form that may carry photos, checking each photo's
// bytes. A photo over 10 MB or not an image is a field error.
func parseMultipart(w http.ResponseWriter, r *http.Request) (*web.Form, []Photo, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		f, err := web.ParseForm(w, r)
		return f, nil, err
	}
	form, err := web.ParseFormUpTo(w, r, maxForm, apperr.New(apperr.TooLarge, "events.photo_too_large", MaxPhotoBytes>>20))
	if err != nil {
		return nil, nil, err
	}
	var photos []Photo
	files := r.MultipartForm.File["photo"]
	if len(files) > MaxPhotos {
		return form, nil, apperr.FieldInvalid("photo", "events.too_many_photos", MaxPhotos)
	}
	for _, fh := range files {
		if fh.Size == 0 {
			continue
		}
		data, err := readPart(fh)
		if err != nil {
			return form, nil, err
		}
		p, err := CheckPhoto("photo", data)
		if err != nil {
			return form, nil, err
		}
		photos = append(photos, p)
	}
	return form, photos, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > MaxPhotoBytes {
		return nil, apperr.FieldInvalid("photo", "events.photo_too_large", MaxPhotoBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxPhotoBytes+1))
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	return data, nil
}

// floatField reads an optional number; a present non-number is an error.
func floatField(form *web.Form, name string, f *apperr.Fields) *float64 {
	s := form.Trim(name)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.Add(name, "events.bad_location")
		return nil
	}
	return &v
}

func (u *UI) report(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, photos, err := parseMultipart(w, r)
	if form == nil {
		return err
	}
	if err == nil {
		var f apperr.Fields
		lon, lat := floatField(form, "lon", &f), floatField(form, "lat", &f)
		if err = f.Err(); err == nil {
			source := FromGrid
			if actor.HasRole(Resident) && !actor.Has(PermRead) {
				source = FromResident
			}
			if s := Source(form.Get("source")); s != "" {
				source = s
			}
			var c *Created
			c, err = u.Store.Create(r.Context(), actor, NewEvent{CategoryID: form.Int64("category_id"), Description: form.Get("description"),
				Address: form.Get("address"), Lon: lon, Lat: lat, GridID: form.Int64("grid_id"), Source: source,
				ReporterName: form.Get("reporter_name"), ReporterPhone: form.Get("reporter_phone"), IdemKey: form.Get("idempotency_key"), Photos: photos})
			if err == nil {
				web.SetFlash(w, "events.reported")
				http.Redirect(w, r, fmt.Sprintf("/events/%d", c.Event.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	if form.Get("idempotency_key") == "" {
		form.Values.Set("idempotency_key", randomHex(16))
	}
	return u.renderReport(w, r, form.Fail(r, err), actor, form)
}
