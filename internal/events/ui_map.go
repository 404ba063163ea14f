package events

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// MapPage shows events as points over the grid polygons.
type MapPage struct {
	web.Page
	Form       *web.Form
	States     []web.Option
	Categories []web.Option
	MapJSON    template.JS
	Unit       *auth.UnitRef
	Rows       []Row
	Shown      int
}

const mapLimit = 2000

func (u *UI) mapPage(w http.ResponseWriter, r *http.Request) error {
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
	if f.State == "" && r.URL.Query().Get("open") == "" {
		f.Open = true
	}
	p := &MapPage{Form: web.NewForm(r.URL.Query()), States: stateOptions(lang)}
	p.Title = i18n.T(lang, "nav.events_map")
	p.Section = "/events/map"
	if p.Categories, err = u.categoryOptions(ctx, lang, true, false); err != nil {
		return err
	}
	var under string
	if f.UnitID != 0 {
		if p.Unit, err = u.Store.visibleUnit(ctx, actor, f.UnitID); err != nil {
			return err
		}
		p.Title = p.Unit.Name + " · " + p.Title
		under = p.Unit.Path
	}
	_, grids, err := u.gridsOf(ctx, actor, PermRead, under)
	if err != nil {
		return err
	}
	list, _, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
		UnitID: f.UnitID, Query: f.Query, From: f.From, To: f.To, Limit: -mapLimit})
	if err != nil {
		return err
	}
	now := u.Store.now()
	var fc struct {
		Type     string           `json:"type"`
		Features []map[string]any `json:"features"`
	}
	_ = json.Unmarshal([]byte(grids), &fc)
	for i := range list {
		e := &list[i]
		if !e.HasLocation {
			continue
		}
		fc.Features = append(fc.Features, map[string]any{"type": "Feature",
			"geometry":   map[string]any{"type": "Point", "coordinates": []float64{e.Lon, e.Lat}},
			"properties": map[string]any{"name": fmt.Sprintf("#%d %s · %s", e.ID, e.CategoryName, e.State.Label().In(lang)), "color": lightColor(e.Light(now)), "href": fmt.Sprintf("/events/%d", e.ID)}})
	}
	p.MapJSON = featureCollection(fc.Features)
	p.Shown = len(list)
	if p.Unit != nil {
		p.Rows = rows(list, now)
	}
	u.R.Render(w, r, http.StatusOK, "events/map", p)
	return nil
}
