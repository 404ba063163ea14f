package events

import (
	"net/http"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// Row is an event as a list shows it.
type Row struct {
	Event
	Light string
	Tone  string // the state tag's colour (see Event.Tone)
}

func rows(list []Event, now time.Time) []Row {
	out := make([]Row, len(list))
	for i := range list {
		out[i] = Row{Event: list[i], Light: list[i].Light(now), Tone: list[i].Tone(now)}
	}
	return out
}

// ListPage lists events.
type ListPage struct {
	web.Page
	Form       *web.Form
	States     []web.Option
	Categories []web.Option
	Rows       []Row
	Pager      *web.Pager
	Export     org.ExportLinks
	CanReport  bool
}

func stateOptions(lang i18n.Lang) []web.Option {
	out := []web.Option{{Value: "", Label: i18n.T(lang, "events.all_states")}}
	for _, s := range States {
		out = append(out, web.Option{Value: string(s), Label: s.Label().In(lang)})
	}
	return out
}

const exportLimit = 100000

func (u *UI) list(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	ctx := r.Context()
	q := web.NewQuery(r)
	f, err := filterFromQuery(q)
	if err != nil {
		return err
	}
	if err := q.Err(); err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" {
		list, _, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
			UnitID: f.UnitID, Mine: f.Mine, Todo: f.Todo, Query: f.Query, From: f.From, To: f.To, Limit: -exportLimit})
		if err != nil {
			return err
		}
		_, err = web.Export(w, r, "events", exportSheet(list, lang))
		return err
	}
	p := &ListPage{Form: web.NewForm(r.URL.Query()), States: stateOptions(lang), CanReport: actor.Has(PermReport)}
	p.Title = i18n.T(lang, "nav.events")
	p.Section = "/events"
	if p.Categories, err = u.categoryOptions(ctx, lang, true, false); err != nil {
		return err
	}
	p.Export = org.NewExportLinks(r.URL)
	_, total, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
		UnitID: f.UnitID, Mine: f.Mine, Todo: f.Todo, Query: f.Query, From: f.From, To: f.To, Limit: 1})
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, 30, i18n.T(lang, "web.pager"))
	// The count is known: the page is read without counting again.
	f.Limit, f.Offset = -30, p.Pager.Offset()
	list, _, err := u.Store.List(ctx, actor, f)
	if err != nil {
		return err
	}
	p.Rows = rows(list, u.Store.now())
	u.R.Render(w, r, http.StatusOK, "events/list", p)
	return nil
}

// exportSheet is one row per event with the times of each stage, as
// FixMyStreet's reporting export has them.
func exportSheet(list []Event, lang i18n.Lang) web.Sheet {
	t := func(k string) string { return i18n.T(lang, k) }
	s := web.Sheet{Name: t("nav.events"), Header: []string{t("events.id"), t("events.category_col"), t("events.category"), t("events.state"),
		t("events.community"), t("events.grid"), t("events.handling_unit"), t("events.whistle"), t("events.source"), t("events.description"), t("events.address"),
		t("events.lon"), t("events.lat"), t("events.reported_at"), t("events.accepted_at"), t("events.dispatched_at"), t("events.signed_at"),
		t("events.handled_at"), t("events.closed_at"), t("events.due_at"), t("events.closed_on_time"), t("events.reworks"),
		t("events.extensions"), t("events.escalations"), t("events.rating")}}
	opt := func(x *time.Time) any {
		if x == nil {
			return nil
		}
		return *x
	}
	for _, e := range list {
		var lon, lat, onTime, rating any
		if e.HasLocation {
			lon, lat = e.Lon, e.Lat
		}
		if e.ClosedOnTime != nil {
			onTime = t(map[bool]string{true: "events.yes", false: "events.no"}[*e.ClosedOnTime])
		}
		if e.Rating != 0 {
			rating = e.Rating
		}
		whistle := ""
		if e.Whistle != "" {
			whistle = t("events.whistle." + string(e.Whistle))
		}
		s.Rows = append(s.Rows, []any{e.ID, e.CategoryCode, e.CategoryName, e.State.Label().In(lang), e.CommunityName, e.GridName, e.HandlingName,
			whistle, t("events.source." + string(e.Source)), e.Description, e.Address, lon, lat, e.ReportedAt, opt(e.AcceptedAt),
			opt(e.DispatchedAt), opt(e.SignedAt), opt(e.HandledAt), opt(e.ClosedAt), opt(e.DueAt), onTime, e.Reworks, e.Extensions,
			e.Escalations, rating})
	}
	return s
}
