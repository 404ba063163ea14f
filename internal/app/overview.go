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

	"grassroots/internal/events"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
	"grassroots/internal/volunteer"
)

// Overview is the figures of the actor's scope across modules, as the API
// gives them: counted from rows on every request.
type Overview struct {
	Streets         int            `json:"streets"`
	Communities     int            `json:"communities"`
	Areas           int            `json:"areas"`
	Grids           int            `json:"grids"`
	Buildings       int            `json:"buildings"`
	Departments     int            `json:"departments"`
	PartyOrgs       int            `json:"party_orgs"`
	PartyOrgsByType map[string]int `json:"party_orgs_by_type"`
	PartyStructure  map[string]int `json:"party_structure"`
	CoBuildingUnits int            `json:"co_building_units"`
	Agreements      int            `json:"co_building_agreements"`
	PartTimeMembers int            `json:"part_time_members"`

	Residents           int     `json:"residents"`
	Households          int     `json:"households"`
	PartyMembers        int     `json:"party_members"`
	GridMembers         int     `json:"grid_members"`
	GridInstructors     int     `json:"grid_instructors"`
	GridLeaders         int     `json:"grid_leaders"`
	InServiceReported   int     `json:"in_service_reported"`
	SecretaryAvgAge     float64 `json:"secretary_avg_age"`
	SecretaryCollegePct float64 `json:"secretary_college_pct"`

	EventsOpen         int     `json:"events_open"`
	EventsOverdue      int     `json:"events_overdue"`
	EventsClosed30d    int     `json:"events_closed_30d"`
	OnTimeCloseRate30d float64 `json:"on_time_close_rate_30d"`

	TeamsByType            map[string]int `json:"teams_by_type"`
	Volunteers             int            `json:"volunteers"`
	VerifiedHours          float64        `json:"verified_hours"`
	PointsIssued           float64        `json:"points_issued"`
	PointsRedeemed         float64        `json:"points_redeemed"`
	VolunteerPoliceMembers int            `json:"volunteer_police_members"`
	VolunteerPoliceHours   float64        `json:"volunteer_police_hours"`
}

// overview is the actor's figures, counted again only when something was
// written since they were last counted (or they are 30 s old).
func (a *App) overview(ctx context.Context, actor *auth.Actor) (*Overview, error) {
	return a.overviews.get(ctx, actor, func(ctx context.Context) (*Overview, error) { return a.countOverview(ctx, actor) })
}

// countOverview counts the actor's figures from the rows.
func (a *App) countOverview(ctx context.Context, actor *auth.Actor) (*Overview, error) {
	// The modules count from their own tables; asking them at once makes
	// the answer as slow as the slowest rather than their sum.
	var (
		o  *org.Overview
		p  *people.Overview
		ev *events.Overview
		vo *volunteer.Overview
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { o, err = a.Orgs.Overview(gctx, actor); return })
	g.Go(func() (err error) { p, err = a.People.Overview(gctx, actor); return })
	g.Go(func() (err error) { ev, err = a.Events.Overview(gctx, actor); return })
	g.Go(func() (err error) { vo, err = a.Volunteer.Overview(gctx, actor); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := &Overview{
		Streets: o.Units[org.Street], Communities: o.Units[org.Community], Areas: o.Units[org.Area], Grids: o.Units[org.Grid],
		Buildings: o.Units[org.Building], Departments: o.Units[org.Department],
		PartyOrgs: o.PartyOrgs, PartyOrgsByType: map[string]int{}, PartyStructure: map[string]int{},
		CoBuildingUnits: o.CoBuildingUnits, Agreements: o.Agreements, PartTimeMembers: o.PartTimeMembers,
	}
	out.Residents, out.Households, out.PartyMembers = p.Residents, p.Households, p.PartyMembers
	out.GridMembers, out.GridInstructors, out.GridLeaders = p.GridMembers, p.GridInstructors, p.GridLeaders
	out.InServiceReported = p.InServiceReported
	out.SecretaryAvgAge = math.Round(p.SecretaryAvgAge*10) / 10
	out.SecretaryCollegePct = math.Round(p.SecretaryCollegePct*10) / 10
	out.EventsOpen, out.EventsOverdue, out.EventsClosed30d = ev.Open, ev.Overdue, ev.Closed30d
	out.OnTimeCloseRate30d = math.Round(ev.OnTimeCloseRate30*1000) / 1000
	out.TeamsByType, out.Volunteers, out.VolunteerPoliceMembers = vo.TeamsByType, vo.Volunteers, vo.PoliceMembers
	out.VerifiedHours, out.VolunteerPoliceHours = math.Round(float64(vo.VerifiedMinutes)/6)/10, math.Round(float64(vo.PoliceMinutes)/6)/10
	out.PointsIssued, out.PointsRedeemed = vo.PointsIssued.Float(), vo.PointsRedeemed.Float()
	for t, n := range o.PartyOrgsByType {
		out.PartyOrgsByType[string(t)] = n
	}
	for t, n := range o.PartyStructure {
		out.PartyStructure[string(t)] = n
	}
	return out, nil
}

// homeUI is the home page: the important figures first, then charts.
type homeUI struct {
	app *App
	R   *web.Renderer
}

func (h *homeUI) register(mux *http.ServeMux) error {
	if err := h.R.AddPages("app", templateFiles, "templates"); err != nil {
		return err
	}
	if err := h.R.Check("app/home"); err != nil {
		return err
	}
	mux.Handle("GET /{$}", h.R.Handler(h.home))
	return nil
}

// Figure is one headline number on the home page.
type Figure struct {
	Label string
	Value int
	Href  string
}

// HomePage is the home page.
type HomePage struct {
	web.Page
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
	// Counts of units at or above the actor's own level, and figures kept
	// by communities and streets, say nothing to a grid member: a figure is
	// shown to those whose widest unit sits at its level or above. Events
	// figures are everyone's: a department's staff count what was sent to
	// them.
	level := widestLevel(actor)
	for _, f := range []struct {
		upTo org.UnitType
		Figure
	}{
		{org.District, Figure{i18n.T(lang, "home.streets"), o.Streets, "/units/list?type=street"}},
		{org.Street, Figure{i18n.T(lang, "home.communities"), o.Communities, "/units/list?type=community"}},
		{org.Area, Figure{i18n.T(lang, "home.grids"), o.Grids, "/units/list?type=grid"}},
		{org.Community, Figure{i18n.T(lang, "home.party_orgs"), o.PartyOrgs, "/party-orgs"}},
		{org.Community, Figure{i18n.T(lang, "home.co_building"), o.CoBuildingUnits, "/co-building"}},
		{org.Street, Figure{i18n.T(lang, "home.part_time"), o.PartTimeMembers, "/part-time-members"}},
		{org.Building, Figure{i18n.T(lang, "home.residents"), o.Residents, "/residents"}},
		{org.Building, Figure{i18n.T(lang, "home.households"), o.Households, "/residents"}},
		{org.Building, Figure{i18n.T(lang, "home.grid_members"), o.GridMembers, "/grid-staff?role=member"}},
		{org.Community, Figure{i18n.T(lang, "home.in_service"), o.InServiceReported, "/in-service"}},
		{"", Figure{i18n.T(lang, "home.events_open"), o.EventsOpen, "/events?open=1"}},
		{"", Figure{i18n.T(lang, "home.events_overdue"), o.EventsOverdue, "/events?overdue=1"}},
		{"", Figure{i18n.T(lang, "home.on_time_rate"), int(math.Round(o.OnTimeCloseRate30d * 100)), "/events/indicators"}},
		{org.Community, Figure{i18n.T(lang, "home.volunteers"), o.Volunteers, "/volunteer/volunteers"}},
		{org.Community, Figure{i18n.T(lang, "home.verified_hours"), int(math.Round(o.VerifiedHours)), "/volunteer/rankings"}},
	} {
		if f.upTo == "" || level <= slices.Index(org.UnitTypes, f.upTo) {
			p.Figures = append(p.Figures, f.Figure)
		}
	}
	var names []string
	var values []int
	partyOrgs := 0
	for _, t := range org.ChecklistTypes {
		n := o.PartyOrgsByType[string(t)]
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
	streets, err := h.app.Orgs.StreetBreakdown(ctx, actor)
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
		"home.streets":      {Zh: "街道", En: "Streets"},
		"home.communities":  {Zh: "社区", En: "Communities"},
		"home.grids":        {Zh: "网格", En: "Grids"},
		"home.party_orgs":   {Zh: "基层党组织", En: "Grassroots party organisations"},
		"home.co_building":  {Zh: "共驻共建单位", En: "Co-building units"},
		"home.part_time":    {Zh: "兼职委员", En: "Part-time members"},
		"home.party_chart":  {Zh: "基层党组织（按八张清单类型）", En: "Grassroots party organisations by checklist type"},
		"home.street_chart": {Zh: "各街道社区、网格与党组织", En: "Communities, grids and party organisations per street"},
		"home.scope":        {Zh: "统计范围", En: "Figures for"},
		"home.residents":    {Zh: "实有人口", En: "Residents"},
		"home.households":   {Zh: "住户", En: "Households"},
		"home.grid_members": {Zh: "网格员", En: "Grid members"},
		"home.in_service":   {Zh: "在职党员到社区报到", En: "In-service members reported"},

		"home.events_open":    {Zh: "未办结事件", En: "Open events"},
		"home.events_overdue": {Zh: "超时事件", En: "Overdue events"},
		"home.on_time_rate":   {Zh: "近30天按期结案率（%）", En: "On-time closing, last 30 days (%)"},

		"home.volunteers":     {Zh: "注册志愿者", En: "Volunteers"},
		"home.verified_hours": {Zh: "志愿服务时长（小时）", En: "Verified volunteer hours"},
	})
}
