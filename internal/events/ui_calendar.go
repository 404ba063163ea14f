package events

import (
	"net/http"
	"strconv"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
)

// CalendarPage shows and edits the working calendar, one year at a time.
type CalendarPage struct {
	web.Page
	Years   []workcal.Year
	Form    *web.Form
	CanEdit bool
}

// Hours writes a year's working hours.
func (p *CalendarPage) Hours(ps []workcal.Period) string { return workcal.FormatHours(ps) }

func (u *UI) calendar(w http.ResponseWriter, r *http.Request) error {
	return u.renderCalendar(w, r, http.StatusOK, nil)
}

func (u *UI) renderCalendar(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	years, err := u.Store.Cal.Years(r.Context())
	if err != nil {
		return err
	}
	if form == nil {
		form = web.NewForm(nil)
		if len(years) > 0 {
			y := years[len(years)-1]
			var hol, wd []string
			for _, d := range y.Days {
				line := d.Date + " " + d.Name
				if d.Kind == workcal.Holiday {
					hol = append(hol, line)
				} else {
					wd = append(wd, line)
				}
			}
			form.Values.Set("year", strconv.Itoa(y.Year))
			form.Values.Set("hours", workcal.FormatHours(y.Hours))
			form.Values.Set("holidays", strings.Join(hol, "\n"))
			form.Values.Set("workdays", strings.Join(wd, "\n"))
		}
	}
	p := &CalendarPage{Years: years, Form: form, CanEdit: actor.Has(workcal.PermManage)}
	p.Title = i18n.T(web.Lang(r), "events.calendar")
	p.Section = "/event-categories"
	u.R.Render(w, r, status, "events/calendar", p)
	return nil
}

func (u *UI) saveCalendar(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	year, _ := strconv.Atoi(form.Trim("year"))
	y, err := yearFromText(year, form.Get("hours"), form.Get("holidays"), form.Get("workdays"), form.Get("provisional") == "1")
	if err == nil {
		err = u.Store.Cal.SetYear(r.Context(), actor, y)
	}
	if err != nil {
		if apperr.CodeOf(err) == apperr.Forbidden {
			return err
		}
		return u.renderCalendar(w, r, form.Fail(r, err), form)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, "/event-calendar", http.StatusSeeOther)
	return nil
}
