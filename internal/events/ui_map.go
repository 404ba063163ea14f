package events

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// MapPage shows events as markers by stage over the outlines of the units
// (the viewer's own unit framed), with a heat layer by category.
type MapPage struct {
	web.Page
	Form       *web.Form
	States     []web.Option
	Categories []web.Option
	// Stages are the legend: each stage's class and name, for the markers.
	Stages []web.Option
	// HeatCategories are the categories of the events shown, for the heat
	// layer's chooser.
	HeatCategories []web.Option
	MapJSON        template.JS
	Unit           *auth.UnitRef
	Rows           []Row
	Shown          int
}

const mapLimit = 2000

// mapStages are the stages the map tells apart, each drawn in a shape and
// colour of its own (events.css), in workflow order.
var mapStages = []string{"reported", "dispatch", "handling", "verify", "deferred", "closed", "ended"}

// mapStage is the stage of the map's legend a state belongs to.
func mapStage(s State) string {
	switch s {
	case Reported:
		return "reported"
	case Accepted, Dispatched:
		return "dispatch"
	case Signed, Rework:
		return "handling"
	case Handled:
		return "verify"
	case Deferred:
		return "deferred"
	case Closed:
		return "closed"
	}
	return "ended"
}

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
	for _, st := range mapStages {
		p.Stages = append(p.Stages, web.Option{Value: st, Label: i18n.T(lang, "events.map_stage."+st)})
	}
	// The frame: the unit asked for, or else the units the viewer's roles
	// are held at.
	var under string
	var frames []auth.UnitRef
	if f.UnitID != 0 {
		if p.Unit, err = u.Store.visibleUnit(ctx, actor, f.UnitID); err != nil {
			return err
		}
		p.Title = p.Unit.Name + " · " + p.Title
		under = p.Unit.Path
		frames = append(frames, *p.Unit)
	} else {
		for _, g := range actor.Grants {
			if auth.RoleHas(g.Role, PermRead) && !slices.ContainsFunc(frames, func(x auth.UnitRef) bool { return x.ID == g.UnitID }) {
				frames = append(frames, auth.UnitRef{ID: g.UnitID, Path: g.UnitPath, Name: g.UnitName, Type: g.UnitType})
			}
		}
	}
	var features []map[string]any
	for _, fr := range frames {
		b, err := u.Orgs.Boundary(ctx, fr.ID)
		if err != nil {
			return err
		}
		if b != "" {
			features = append(features, map[string]any{"type": "Feature", "geometry": json.RawMessage(b),
				"properties": map[string]any{"name": fr.Name, "level": fr.Type, "frame": true}})
		}
	}
	scope := actor.Scope(PermRead)
	for _, t := range []org.UnitType{org.Community, org.Grid} {
		units, err := u.Orgs.UnitsOfType(ctx, scope, t, under, 3000)
		if err != nil {
			return err
		}
		for _, g := range units {
			if g.Boundary == "" || slices.ContainsFunc(frames, func(x auth.UnitRef) bool { return x.ID == g.ID }) {
				continue
			}
			features = append(features, map[string]any{"type": "Feature", "geometry": json.RawMessage(g.Boundary),
				"properties": map[string]any{"name": g.Name, "level": string(t), "href": fmt.Sprintf("/events/map?unit=%d", g.ID)}})
		}
	}
	list, _, err := u.Store.List(ctx, actor, Filter{State: f.State, Open: f.Open, Overdue: f.Overdue, CategoryCode: f.CategoryCode,
		UnitID: f.UnitID, Query: f.Query, From: f.From, To: f.To, Limit: -mapLimit})
	if err != nil {
		return err
	}
	now := u.Store.now()
	heat := map[string]string{}
	for i := range list {
		e := &list[i]
		if !e.HasLocation {
			continue
		}
		heat[e.CategoryCode] = e.CategoryName
		features = append(features, map[string]any{"type": "Feature",
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{e.Lon, e.Lat}},
			"properties": map[string]any{"name": fmt.Sprintf("#%d %s · %s", e.ID, e.CategoryName, e.State.Label().In(lang)),
				"stage": mapStage(e.State), "light": e.Light(now), "category": e.CategoryCode, "href": fmt.Sprintf("/events/%d", e.ID)}})
	}
	for code, name := range heat {
		p.HeatCategories = append(p.HeatCategories, web.Option{Value: code, Label: name})
	}
	slices.SortFunc(p.HeatCategories, func(a, b web.Option) int { return strings.Compare(a.Value, b.Value) })
	p.MapJSON = featureCollection(features)
	p.Shown = len(list)
	if p.Unit != nil {
		p.Rows = rows(list, now)
	}
	u.R.Render(w, r, http.StatusOK, "events/map", p)
	return nil
}
