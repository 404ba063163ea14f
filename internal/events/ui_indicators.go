package events

import (
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
	"grassroots/internal/platform/workcal"
)

// IndicatorsPage shows a unit's indicators for a period and the ranking of
// the units below it.
type IndicatorsPage struct {
	web.Page
	Form        *web.Form
	Ind         *Indicators
	Ranking     []Indicators
	Departments bool
	From, To    string
	Chart       template.JS
	Export      org.ExportLinks
}

func (u *UI) indicators(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	ctx := r.Context()
	fq, err := readFigures(r, actor, u.Store.now())
	if err != nil {
		return err
	}
	if fq.unit == 0 {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	p := &IndicatorsPage{Form: web.NewForm(r.URL.Query()), Departments: fq.departments,
		From: fq.from.In(workcal.Shanghai).Format("2006-01-02"), To: fq.to.Add(-time.Second).In(workcal.Shanghai).Format("2006-01-02")}
	p.Form.Values.Set("from", p.From)
	p.Form.Values.Set("to", p.To)
	p.Title = i18n.T(lang, "nav.events_indicators")
	p.Section = "/events/indicators"
	if p.Ind, err = u.Store.IndicatorsFor(ctx, actor, fq.unit, fq.from, fq.to); err != nil {
		return err
	}
	if p.Ranking, err = u.Store.Ranking(ctx, actor, fq.unit, fq.departments, fq.from, fq.to); err != nil {
		return err
	}
	if format := r.URL.Query().Get("format"); format != "" {
		_, err := web.Export(w, r, "ranking", rankingSheet(append([]Indicators{*p.Ind}, p.Ranking...), lang))
		return err
	}
	p.Export = org.NewExportLinks(r.URL)
	if len(p.Ranking) > 0 {
		var names []string
		var onTime, closeRate []float64
		for _, x := range p.Ranking {
			names = append(names, x.UnitName)
			onTime = append(onTime, float64(int(x.OnTimeRate*1000))/10)
			closeRate = append(closeRate, float64(int(x.CloseRate*1000))/10)
		}
		b, _ := json.Marshal(map[string]any{
			"tooltip": map[string]any{"trigger": "axis"},
			"legend":  map[string]any{"bottom": 0},
			"grid":    map[string]any{"left": 40, "right": 16, "bottom": 70, "top": 20},
			"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
			"yAxis":   map[string]any{"type": "value", "max": 100},
			"series": []any{
				map[string]any{"name": i18n.T(lang, "events.rate.on_time"), "type": "bar", "data": onTime, "itemStyle": map[string]any{"color": "#b8232a"}},
				map[string]any{"name": i18n.T(lang, "events.rate.close"), "type": "bar", "data": closeRate, "itemStyle": map[string]any{"color": "#5470c6"}},
			},
		})
		p.Chart = template.JS(b)
	}
	u.R.Render(w, r, http.StatusOK, "events/indicators", p)
	return nil
}

func rankingSheet(list []Indicators, lang i18n.Lang) web.Sheet {
	t := func(k string) string { return i18n.T(lang, k) }
	s := web.Sheet{Name: t("nav.events_indicators"), Header: []string{t("events.unit"), t("events.received"), t("events.rate.accept"),
		t("events.rate.dispatch"), t("events.due"), t("events.rate.close"), t("events.rate.on_time"), t("events.rate.rework"),
		t("events.rate.extension"), t("events.rate.response"), t("events.rate.resolve"), t("events.rate.satisfaction")}}
	pc := func(v float64) float64 { return float64(int(v*10000+0.5)) / 100 }
	for _, x := range list {
		s.Rows = append(s.Rows, []any{x.UnitName, x.Received, pc(x.AcceptRate), pc(x.DispatchRate), x.Due, pc(x.CloseRate), pc(x.OnTimeRate),
			pc(x.ReworkRate), pc(x.ExtensionRate), pc(x.ResponseRate), pc(x.ResolveRate), pc(x.SatisfactionRate)})
	}
	return s
}
