package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"grassroots/internal/events"
	"grassroots/internal/org"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/workcal"
)

// EventsPerDay is how many events the demo district receives on an average
// day (more on working days), over the year before the load.
const EventsPerDay = 30

// eventShares are the shares of the year's events that go each way: the
// figures come out of the rows, these only steer the dice.
var eventShares = struct {
	reject, void, merge, lateAccept, lateSign, lateHandle, extend, rework, rated, supervise float64
}{reject: 0.03, void: 0.01, merge: 0.02, lateAccept: 0.06, lateSign: 0.08, lateHandle: 0.14, extend: 0.07, rework: 0.09, rated: 0.65, supervise: 0.3}

// categoryWeights says how often each subclass is reported (others: 1).
var categoryWeights = map[string]int{"0101": 14, "0102": 8, "0104": 7, "0203": 6, "0601": 8, "0301": 5, "0201": 4, "0402": 2,
	"0602": 4, "0801": 3, "0802": 3, "0501": 2, "0701": 1, "0702": 1}

// eventTexts are what reporters write, by top class.
var eventTexts = map[string][]string{
	"01": {"小区门口生活垃圾堆放，无人清运", "路边有建筑垃圾和生活垃圾混堆", "垃圾桶满溢，周边有异味", "墙面有小广告乱贴", "人行道上有油污和杂物"},
	"02": {"人行道地砖松动破损，老人容易绊倒", "井盖破损下沉，车辆经过有响声", "共享单车堆放占用盲道", "路面坑洼积水"},
	"03": {"路灯连续多晚不亮", "健身器材松动，有安全隐患", "小区消防栓漏水", "公交站台座椅损坏"},
	"04": {"绿化带杂草丛生，需要修剪", "大风后树木倾倒压住围栏", "绿地被圈占种菜"},
	"05": {"楼顶私自搭建彩钢棚", "老旧楼房外墙瓷砖脱落", "一楼住户私自开门破墙"},
	"06": {"早市摊贩占道经营，影响通行", "夜间烧烤噪声扰民", "餐馆油烟直排居民楼"},
	"07": {"楼道堆放杂物有火灾隐患", "闻到燃气味，疑似泄漏", "暴雨后路面积水较深"},
	"08": {"楼上漏水引发邻里矛盾", "业主与物业因停车收费发生纠纷", "邻居占用公共楼道"},
	"09": {"独居老人需要上门帮助", "小卖部售卖过期食品"},
}

var callerNames = []string{"王先生", "李女士", "张阿姨", "刘师傅", "陈先生", "杨女士", "赵大爷", "黄女士", "周先生", "吴阿姨"}

// demoGrid is a grid as the event generator needs it.
type demoGrid struct {
	id        int64
	name      string
	path      string
	community int64
	bound     *geo.Boundary
}

// LoadEvents writes a year of events, up to now, over the grids and
// categories of the district in d: reported from grid members' phones, the
// hotline, residents and the API; most accepted, dispatched and closed in
// time, a share handled late, reworked after a failed verification,
// extended, rejected, voided or merged as duplicates; the last days' still
// open at every stage, with their warnings. Deadlines run on the working
// calendar, as the live workflow's do. It returns how many events it wrote.
func LoadEvents(ctx context.Context, d *db.DB, accounts *auth.Store, seed int64, now time.Time) (int, error) {
	calStore := workcal.NewStore(d)
	if err := calStore.EnsureDefaults(ctx, now); err != nil {
		return 0, err
	}
	cal, err := calStore.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	store := events.NewStore(d, org.NewStore(d), calStore)
	store.Now = func() time.Time { return now }
	if err := store.EnsureDefaultCategories(ctx); err != nil {
		return 0, err
	}
	if err := d.InTx(ctx, func(tx *db.Tx) error { return store.AssignDefaultHandlers(ctx, tx) }); err != nil {
		return 0, err
	}
	all, err := store.Categories(ctx)
	if err != nil {
		return 0, err
	}
	cats := events.Leaves(all)
	var weighted []events.Category
	for _, c := range cats {
		w := categoryWeights[c.Code]
		if w == 0 {
			w = 1
		}
		for range w {
			weighted = append(weighted, c)
		}
	}
	grids, units, err := demoTargets(ctx, d)
	if err != nil || len(grids) == 0 {
		return 0, err
	}
	gridUser, err := gridMembers(ctx, accounts)
	if err != nil {
		return 0, err
	}
	s := uint64(seed)
	rng := rand.New(rand.NewPCG(s^0x5eed, s+7))
	y, m, dd := now.AddDate(-1, 0, 0).In(workcal.Shanghai).Date()
	start := time.Date(y, m, dd, 0, 0, 0, 0, workcal.Shanghai)
	n := 0
	err = d.InTx(ctx, func(tx *db.Tx) error {
		l, err := store.Loader(ctx, tx)
		if err != nil {
			return err
		}
		lastOpen := map[string]*events.Event{} // grid and category -> latest event, for duplicates
		for day := start; day.Before(now); day = day.AddDate(0, 0, 1) {
			count := EventsPerDay * 4 / 5
			if cal.IsWorkday(day) {
				count = EventsPerDay * 11 / 10
			}
			count += rng.IntN(7) - 3
			for range count {
				at := day.Add(reportTime(rng)).UTC()
				if !at.Before(now) {
					continue
				}
				g := grids[rng.IntN(len(grids))]
				cat := weighted[rng.IntN(len(weighted))]
				sim := &eventSim{rng: rng, cal: cal, now: now, cat: cat, units: units}
				e, steps, err := sim.run(g, at, gridUser[g.id], lastOpen)
				if err != nil {
					return err
				}
				if err := l.Add(ctx, e, steps); err != nil {
					return err
				}
				lastOpen[fmt.Sprint(g.id, "/", cat.ID)] = e
				n++
			}
		}
		if err := l.Close(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, system.Entry("demo.events", "event", "", map[string]any{"seed": seed, "events": n}))
	})
	if err != nil {
		return 0, fmt.Errorf("demo: events: %w", err)
	}
	return n, nil
}

// demoTargets reads the grids with their boundaries, and the units events
// are reported in or dispatched to, by id.
func demoTargets(ctx context.Context, d *db.DB) ([]demoGrid, map[int64]auth.UnitRef, error) {
	units := map[int64]auth.UnitRef{}
	rows, err := d.Query(ctx, `SELECT id, name, path, type, COALESCE(boundary, '') FROM units WHERE type IN ('district', 'street', 'community', 'area', 'grid', 'department')`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var grids []demoGrid
	for rows.Next() {
		var u auth.UnitRef
		var boundary string
		if err := rows.Scan(&u.ID, &u.Name, &u.Path, &u.Type, &boundary); err != nil {
			return nil, nil, err
		}
		units[u.ID] = u
		if u.Type == string(org.Grid) && boundary != "" {
			b, err := geo.ParseBoundary("boundary", []byte(boundary))
			if err != nil {
				continue
			}
			ids := org.PathIDs(u.Path)
			grids = append(grids, demoGrid{id: u.ID, name: u.Name, path: u.Path, community: ids[2], bound: b})
		}
	}
	return grids, units, rows.Err()
}

// gridMembers finds, from the accounts, the grid member who reports in
// each grid, by the grid's id.
func gridMembers(ctx context.Context, accounts *auth.Store) (map[int64]demoUserRef, error) {
	all, err := accounts.ListUsers(ctx, system)
	if err != nil {
		return nil, err
	}
	users := map[int64]demoUserRef{}
	for _, u := range all {
		for _, g := range u.Grants {
			if g.Role == auth.GridMember {
				users[g.UnitID] = demoUserRef{id: u.ID, name: u.DisplayName}
			}
		}
	}
	return users, nil
}

type demoUserRef struct {
	id   int64
	name string
}

// reportTime is when in a day, from midnight in Shanghai, a problem is
// reported: mostly between 07:00 and 21:00.
func reportTime(rng *rand.Rand) time.Duration {
	hour := 7 + rng.Float64()*14
	if rng.IntN(10) == 0 {
		hour = rng.Float64() * 24
	}
	return time.Duration(hour * float64(time.Hour))
}

// everyone is every part in an event's workflow: the simulation plays them all.
const everyone = events.AsDispatcher | events.AsHandler | events.AsVerifier | events.AsReporter

// eventSim plays one event through the workflow.
type eventSim struct {
	rng   *rand.Rand
	cal   *workcal.Calendar
	now   time.Time
	cat   events.Category
	units map[int64]auth.UnitRef
	e     *events.Event
	steps []events.Step
}

func (s *eventSim) chance(p float64) bool { return s.rng.Float64() < p }

// step records a step at t by actor that the workflow's rules do not
// take: the report, and the deadline sweep's warnings.
func (s *eventSim) step(a events.Action, from events.State, actor string, at time.Time, note string, detail map[string]any) {
	s.steps = append(s.steps, events.Step{Action: a, From: from, To: s.e.State, ActorName: actor, At: at, Note: note, Detail: detail})
}

// act takes step in as actor, at env.At (and for a merge into env.Target),
// by the workflow's own rules as the store does: the event moves and the
// step is recorded.
func (s *eventSim) act(actor string, env events.StepEnv, in events.StepInput) error {
	env.Cal, env.Limits, env.Who = s.cal, s.cat.Limits, everyone
	if u, ok := s.units[in.HandlingUnitID]; ok {
		env.Handler = &u
	}
	out, err := events.Apply(*s.e, in, env)
	if err != nil {
		return fmt.Errorf("event in grid %d, %s: %w", s.e.GridID, in.Action, err)
	}
	*s.e = out.Event
	st := out.Step
	st.ActorName = actor
	s.steps = append(s.steps, st)
	return nil
}

// finish picks when the current stage's work is done: in time mostly, late
// with probability late. It returns false if that is after now: the event
// stays in the stage, with the warnings it has had so far.
func (s *eventSim) finish(late float64, owner, up int64) (time.Time, bool) {
	e := s.e
	startT, due := *e.StageStartedAt, *e.StageDueAt
	frac := 0.1 + s.rng.Float64()*0.75
	if s.chance(late) {
		frac = 1.05 + s.rng.Float64()*0.9
	}
	var end time.Time
	if e.Whistle == events.Emergency {
		end = startT.Add(time.Duration(float64(due.Sub(startT)) * frac))
	} else {
		total := s.cal.WorkMinutesBetween(startT, due)
		end = s.cal.AddWorkMinutes(startT, int(float64(total)*frac)+1)
	}
	// The sweep's warnings on the way.
	limit := end
	if !s.now.After(end) {
		limit = s.now
	}
	if e.WarnAt != nil && !limit.Before(*e.WarnAt) {
		e.WarnLevel = 1
		s.step(events.ActWarn, e.State, "system", *e.WarnAt, "", map[string]any{"owner": owner})
		e.NextCheckAt = e.StageDueAt
	}
	if !limit.Before(due) {
		e.WarnLevel = 2
		e.Escalations++
		e.EscalatedUnitID = up
		e.NextCheckAt = nil
		s.step(events.ActEscalate, e.State, "system", due, "", map[string]any{"owner": owner, "to_unit_id": up, "to_unit": s.units[up].Name})
	}
	if !end.Before(s.now) {
		return end, false
	}
	return end, true
}

func parent(path string) int64 {
	ids := org.PathIDs(path)
	if len(ids) < 2 {
		return 0
	}
	return ids[len(ids)-2]
}

func (s *eventSim) run(g demoGrid, at time.Time, reporter demoUserRef, recent map[string]*events.Event) (*events.Event, []events.Step, error) {
	rng, cal, cat := s.rng, s.cal, s.cat
	lon := g.bound.Bound.Min[0] + rng.Float64()*(g.bound.Bound.Max[0]-g.bound.Bound.Min[0])
	lat := g.bound.Bound.Min[1] + rng.Float64()*(g.bound.Bound.Max[1]-g.bound.Bound.Min[1])
	lon, lat = float64(int64(lon*1e6))/1e6, float64(int64(lat*1e6))/1e6
	ids := org.PathIDs(g.path)
	district, street := ids[0], ids[1]
	texts := eventTexts[cat.Code[:2]]
	e := &events.Event{CategoryID: cat.ID, GridID: g.id, UnitPath: g.path, Description: texts[rng.IntN(len(texts))],
		Address: s.units[street].Name + g.name, Lon: lon, Lat: lat, HasLocation: true, ReportedAt: at}
	s.e = e
	switch r := rng.IntN(20); {
	case r < 13:
		e.Source = events.FromGrid
		e.ReporterID, e.ReporterName = reporter.id, reporter.name
		if e.ReporterName == "" {
			e.ReporterName = g.name + "网格员"
		}
	case r < 16:
		e.Source, e.ReporterName = events.FromHotline, callerNames[rng.IntN(len(callerNames))]
	case r < 19:
		e.Source, e.ReporterName = events.FromResident, callerNames[rng.IntN(len(callerNames))]
	default:
		e.Source, e.ReporterName = events.FromAPI, "12345"
	}
	e.EnterStage(events.Reported, at, cal, cat.Limits)
	s.step(events.ActReport, "", e.ReporterName, at, "", map[string]any{"source": e.Source})
	streetName := s.units[street].Name
	done := func(err error) (*events.Event, []events.Step, error) {
		e.UpdatedAt = s.steps[len(s.steps)-1].At
		return e, s.steps, err
	}
	// Acceptance by the street.
	t, ok := s.finish(eventShares.lateAccept, street, district)
	if !ok {
		return done(nil)
	}
	switch r := rng.Float64(); {
	case r < eventShares.reject:
		return done(s.act(streetName, events.StepEnv{At: t}, events.StepInput{Action: events.ActReject, Note: "不属于受理范围，已告知来电人"}))
	case r < eventShares.reject+eventShares.void:
		return done(s.act(streetName, events.StepEnv{At: t}, events.StepInput{Action: events.ActVoid, Note: "重复来电，已作废"}))
	case r < eventShares.reject+eventShares.void+eventShares.merge:
		if prev := recent[fmt.Sprint(g.id, "/", cat.ID)]; prev != nil && prev.State.Open() {
			return done(s.act(streetName, events.StepEnv{At: t, Target: prev}, events.StepInput{Action: events.ActMerge, TargetID: prev.ID}))
		}
	}
	if err := s.act(streetName, events.StepEnv{At: t}, events.StepInput{Action: events.ActAccept}); err != nil {
		return done(err)
	}
	// Dispatch.
	if t, ok = s.finish(eventShares.lateAccept/2, street, district); !ok {
		return done(nil)
	}
	handler := cat.HandlingUnitID
	if handler == 0 {
		handler = g.community
	}
	whistle := events.Daily
	switch {
	case strings.HasPrefix(cat.Code, "07"):
		whistle = events.Emergency
	case cat.Code == "0501" && s.chance(0.4), cat.Code == "0802" && s.chance(0.3):
		whistle = events.Tough
	}
	if err := s.act(streetName, events.StepEnv{At: t}, events.StepInput{Action: events.ActDispatch, HandlingUnitID: handler, Whistle: whistle}); err != nil {
		return done(err)
	}
	hName, up := e.HandlingName, parent(e.HandlingPath)
	// Signing for.
	if t, ok = s.finish(eventShares.lateSign, handler, up); !ok {
		return done(nil)
	}
	if err := s.act(hName, events.StepEnv{At: t}, events.StepInput{Action: events.ActSign}); err != nil {
		return done(err)
	}
	if e.Whistle != events.Emergency && s.chance(eventShares.extend) {
		days := 2 + rng.IntN(4)
		ask := cal.AddWorkMinutes(t, 30+rng.IntN(120))
		if ask.After(s.now) {
			return done(nil)
		}
		if err := s.act(hName, events.StepEnv{At: ask}, events.StepInput{Action: events.ActAskExtension, Note: "需协调多个部门，申请延期", Days: days}); err != nil {
			return done(err)
		}
		ok := cal.AddWorkMinutes(ask, 20+rng.IntN(90))
		if ok.After(s.now) {
			return done(nil)
		}
		if err := s.act(streetName, events.StepEnv{At: ok}, events.StepInput{Action: events.ActApprove}); err != nil {
			return done(err)
		}
	}
	// Handling, rework after a failed verification, verification.
	for round := 0; ; round++ {
		late := eventShares.lateHandle
		if round > 0 {
			late /= 2
		}
		if t, ok = s.finish(late, handler, up); !ok {
			if e.WarnLevel == 2 && s.chance(eventShares.supervise) {
				return done(s.act(streetName, events.StepEnv{At: s.steps[len(s.steps)-1].At.Add(time.Hour)},
					events.StepInput{Action: events.ActSupervise, Note: "超时未办结，请加快处置"}))
			}
			return done(nil)
		}
		if err := s.act(hName, events.StepEnv{At: t}, events.StepInput{Action: events.ActHandle, Note: "已到现场处置完毕"}); err != nil {
			return done(err)
		}
		if t, ok = s.finish(0.05, g.id, g.community); !ok {
			return done(nil)
		}
		if round == 0 && s.chance(eventShares.rework) {
			if err := s.act(g.name, events.StepEnv{At: t}, events.StepInput{Action: events.ActFail, Note: "现场仍未处理到位"}); err != nil {
				return done(err)
			}
			continue
		}
		if err := s.act(g.name, events.StepEnv{At: t}, events.StepInput{Action: events.ActPass}); err != nil {
			return done(err)
		}
		break
	}
	if s.chance(eventShares.rated) {
		r := 5
		switch x := rng.Float64(); {
		case x < 0.04:
			r = 1 + rng.IntN(2)
		case x < 0.10:
			r = 3
		case x < 0.25:
			r = 4
		}
		if rt := e.ClosedAt.Add(time.Duration(1+rng.IntN(48)) * time.Hour); rt.Before(s.now) {
			return done(s.act(e.ReporterName, events.StepEnv{At: rt}, events.StepInput{Action: events.ActRate, Rating: r}))
		}
	}
	return done(nil)
}
