package app

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"

	"golang.org/x/sync/errgroup"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/web"
	"grassroots/internal/volunteer"
)

// overview is the actor's figures, counted again only when something was
// written since they were last counted (or they are 30 s old).
func (a *App) overview(ctx context.Context, actor *auth.Actor) (module.Overview, error) {
	return a.overviews.get(ctx, actor, func(ctx context.Context) (module.Overview, error) { return a.countOverview(ctx, actor) })
}

// countOverview asks every module for its figures in the actor's scope,
// at once (so the answer is as slow as the slowest module, not their sum),
// and lists them in the modules' order.
func (a *App) countOverview(ctx context.Context, actor *auth.Actor) (module.Overview, error) {
	parts := make([][]module.Figure, len(a.Modules))
	g, gctx := errgroup.WithContext(ctx)
	for i, m := range a.Modules {
		if c, ok := m.(module.Counter); ok {
			g.Go(func() (err error) { parts[i], err = c.Figures(gctx, actor); return })
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// homeUI is the home page: the important figures first, then charts.
type homeUI struct {
	app *App
	R   *web.Renderer
}

func (h *homeUI) register(rt *web.Routes) error {
	h.R = rt.R
	if err := h.R.AddPages("app", templateFiles, "templates"); err != nil {
		return err
	}
	if err := h.R.Check("app/home"); err != nil {
		return err
	}
	rt.Page("GET /{$}", web.Own(), h.home)
	rt.API("GET /api/v1/overview", web.Own(), func(r *http.Request, actor *auth.Actor) (any, error) {
		return h.app.overview(r.Context(), actor)
	})
	rt.API("GET /api/v1/inbox", web.Own(), h.inboxAPI)
	return nil
}

// Figure is one headline number on the home page.
type Figure struct {
	Label   string
	Value   int
	Percent bool
	Period  string // the time it covers, in words ("" for what stands now)
	Href    string
}

// HomePage is the home page: what the actor may start, what waits for
// them, then their figures.
type HomePage struct {
	web.Page
	Shortcuts   []module.Shortcut
	Inbox       []InboxItem
	Waiting     int
	Figures     []Figure
	PartyChart  template.JS
	StreetChart template.JS
}

func (h *homeUI) home(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	// Volunteers and merchants' staff see nothing of the district: their
	// own pages are their home.
	if !actor.Has(org.PermRead) {
		switch {
		case actor.Has(volunteer.PermSelf):
			http.Redirect(w, r, "/volunteer/me", http.StatusSeeOther)
			return nil
		case actor.Has(volunteer.PermRedeem):
			http.Redirect(w, r, "/merchant", http.StatusSeeOther)
			return nil
		}
	}
	lang := web.Lang(r)
	ctx := r.Context()
	o, err := h.app.overview(ctx, actor)
	if err != nil {
		return err
	}
	p := &HomePage{}
	p.Title = i18n.T(lang, "nav.home")
	for _, m := range h.app.Modules {
		if l, ok := m.(module.ShortcutLister); ok {
			p.Shortcuts = append(p.Shortcuts, l.Shortcuts(actor)...)
		}
	}
	todos, err := h.app.inbox(ctx, actor)
	if err != nil {
		return err
	}
	for _, t := range todos {
		p.Inbox = append(p.Inbox, InboxItem{Label: i18n.T(lang, t.Label), Count: t.Count, Overdue: t.Overdue, Due: t.Due, Href: t.Href})
	}
	p.Waiting = waitingCount(todos)
	// Counts of units at or above the actor's own level, and figures kept
	// by communities and streets, say nothing to a grid member: a figure is
	// shown to those whose widest unit sits at its level or above. Figures
	// without a level (events) are everyone's: a department's staff count
	// what was sent to them.
	level := widestLevel(actor)
	for _, f := range o {
		if f.Label == "" || (f.UpTo != "" && level > slices.Index(org.UnitTypes, org.UnitType(f.UpTo))) {
			continue
		}
		fig := Figure{Label: i18n.T(lang, f.Label), Value: homeValue(f), Percent: f.Percent, Href: f.Href}
		if f.Period != "" {
			fig.Period = i18n.T(lang, f.Period)
		}
		p.Figures = append(p.Figures, fig)
	}
	// The tree's charts speak to those who lead a part of the tree (a
	// department's staff see their queue, not the party organisations).
	if level > slices.Index(org.UnitTypes, org.Community) {
		h.R.Render(w, r, http.StatusOK, "app/home", p)
		return nil
	}
	var names []string
	var values []int
	partyOrgs := 0
	byType, _ := o.Get("party_orgs_by_type")
	counts, _ := byType.Value.(map[string]int)
	for _, t := range org.ChecklistTypes {
		n := counts[string(t)]
		names = append(names, i18n.T(lang, "party."+string(t)))
		values = append(values, n)
		partyOrgs += n
	}
	if partyOrgs > 0 {
		p.PartyChart = chartJSON(map[string]any{
			"title":   map[string]any{"text": i18n.T(lang, "home.party_chart"), "left": "center", "textStyle": map[string]any{"fontSize": 14}},
			"tooltip": map[string]any{"trigger": "axis"},
			"grid":    map[string]any{"left": 40, "right": 16, "bottom": 60, "top": 40},
			"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
			"yAxis":   map[string]any{"type": "value", "minInterval": 1},
			"series":  []any{map[string]any{"type": "bar", "data": values, "itemStyle": map[string]any{"color": "#b8232a"}, "label": map[string]any{"show": true, "position": "top"}}},
		})
	}
	streets, err := Get[*org.Store](h.app).StreetBreakdown(ctx, actor)
	if err != nil {
		return err
	}
	// Comparing streets needs more than one.
	if len(streets) > 1 {
		var sn []string
		var comm, grids, parties []int
		for _, s := range streets {
			sn = append(sn, s.Street.Name)
			comm = append(comm, s.Communities)
			grids = append(grids, s.Grids)
			parties = append(parties, s.PartyOrgs)
		}
		p.StreetChart = chartJSON(map[string]any{
			"title":   map[string]any{"text": i18n.T(lang, "home.street_chart"), "left": "center", "textStyle": map[string]any{"fontSize": 14}},
			"tooltip": map[string]any{"trigger": "axis"},
			"legend":  map[string]any{"bottom": 0},
			"grid":    map[string]any{"left": 40, "right": 16, "bottom": 60, "top": 40},
			"xAxis":   map[string]any{"type": "category", "data": sn, "axisLabel": map[string]any{"interval": 0}},
			"yAxis":   map[string]any{"type": "value", "minInterval": 1},
			"series": []any{
				map[string]any{"name": i18n.T(lang, "home.communities"), "type": "bar", "data": comm, "itemStyle": map[string]any{"color": "#d9822b"}},
				map[string]any{"name": i18n.T(lang, "home.grids"), "type": "bar", "data": grids, "itemStyle": map[string]any{"color": "#b8232a"}},
				map[string]any{"name": i18n.T(lang, "home.party_orgs"), "type": "bar", "data": parties, "itemStyle": map[string]any{"color": "#5470c6"}},
			},
		})
	}
	h.R.Render(w, r, http.StatusOK, "app/home", p)
	return nil
}

// homeValue is a figure as the home page shows it: a whole number, a
// share as a whole percentage.
func homeValue(f module.Figure) int {
	switch v := f.Value.(type) {
	case int:
		return v
	case float64:
		if f.Percent {
			v *= 100
		}
		return int(math.Round(v))
	}
	return 0
}

// widestLevel is the position in org.UnitTypes of the highest unit at
// which the actor may read the tree (0 for the district); an actor with no
// such unit is placed below every level.
func widestLevel(actor *auth.Actor) int {
	if actor.System {
		return 0
	}
	level := len(org.UnitTypes)
	for _, g := range actor.Grants {
		if !auth.RoleHas(g.Role, org.PermRead) {
			continue
		}
		if i := slices.Index(org.UnitTypes, org.UnitType(g.UnitType)); i >= 0 && i < level {
			level = i
		}
	}
	return level
}

// chartJSON is an ECharts option, for a <script type="application/json">.
func chartJSON(option map[string]any) template.JS {
	b, err := json.Marshal(option)
	if err != nil {
		panic(fmt.Sprintf("chart option: %v", err))
	}
	return template.JS(b)
}

func init() {
	i18n.Register(i18n.Catalog{
		"home.party_chart":  {Zh: "基层党组织（按八张清单类型）", En: "Grassroots party organisations by checklist type"},
		"home.street_chart": {Zh: "各街道社区、网格与党组织", En: "Communities, grids and party organisations per street"},
		"home.scope":        {Zh: "统计范围", En: "Figures for"},
	})
}
