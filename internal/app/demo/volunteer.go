package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/pii"
	"grassroots/internal/volunteer"
)

// The volunteer service plan: the generator's inputs. The figures the
// platform shows (teams by type, volunteers, verified hours, the volunteer
// police's members and hours, points issued and redeemed) are counted
// from the rows this writes, never read from here.

// teamPlan is how many teams of each type the district keeps, where they
// sit, how many members each draws and how many activities it holds in a
// year.
var teamPlan = []struct {
	typ        string
	n          int
	at         org.UnitType
	members    [2]int
	activities [2]int
	hours      [2]int // a shift's length
	category   []string
	titles     []string
}{
	{"party_service", 135, org.Community, [2]int{8, 18}, [2]int{10, 14}, [2]int{2, 3}, []string{"community", "elderly", "environment", "legal"},
		[]string{"党员先锋岗志愿服务", "楼道环境清洁", "关爱独居老人上门走访", "政策宣讲进小区", "文明交通劝导"}},
	{"youth", 114, org.Community, [2]int{10, 22}, [2]int{6, 10}, [2]int{2, 4}, []string{"education", "culture", "environment"},
		[]string{"四点半课堂辅导", "长江岸线净滩行动", "垃圾分类宣传", "社区文化节志愿服务", "图书角整理"}},
	{"love_help", 413, org.Community, [2]int{5, 11}, [2]int{4, 8}, [2]int{2, 3}, []string{"elderly", "community", "health"},
		[]string{"爱心帮帮团上门帮扶", "为困难家庭送温暖", "陪伴空巢老人", "爱心理发", "代买代办服务"}},
	{"professional", 10, org.District, [2]int{15, 35}, [2]int{8, 12}, [2]int{3, 4}, nil, nil},
	{"other", 15, org.Street, [2]int{8, 16}, [2]int{4, 8}, [2]int{2, 3}, []string{"culture", "community", "emergency"},
		[]string{"街道志愿服务日", "防汛值守", "文明城市创建"}},
}

// professionalTeams are the volunteer federation's teams, one per field,
// with what they do and the skill their members bring.
var professionalTeams = map[string]struct{ name, title, category, skill string }{
	"medical":      {"医疗卫生志愿服务队", "健康义诊进社区", "health", "medical"},
	"teaching":     {"教育助学志愿服务队", "周末公益课堂", "education", "teaching"},
	"legal":        {"法律服务志愿服务队", "法律咨询进社区", "legal", "legal"},
	"psychology":   {"心理疏导志愿服务队", "心理健康讲座", "health", "psychology"},
	"culture":      {"文化文艺志愿服务队", "文艺演出进社区", "culture", "arts"},
	"sports":       {"体育健身志愿服务队", "全民健身指导", "culture", ""},
	"science":      {"科技科普志愿服务队", "科普知识宣传", "education", "computer"},
	"rescue":       {"应急救援志愿服务队", "应急救护培训", "emergency", "first_aid"},
	"environment":  {"生态环保志愿服务队", "长江大保护巡护", "environment", ""},
	"elderly_care": {"扶老助残志愿服务队", "助老助残上门服务", "elderly", "sign_language"},
}

// The volunteer police association (义警协会): members it draws, how many
// patrols each serves in a year, and the patrol every street holds each
// evening.
const (
	policeMembers   = 9000
	policeServesMin = 3
	policeServesMax = 9
	patrolFrom      = 17 // o'clock, Shanghai
	patrolHours     = 6  // at most; some evenings' duties are shorter
)

// Shares steering what becomes of services: a share of services whose
// check-out was refused by the organiser, left early; a sign-up not shown
// up; how long verification waits (services of the last days are still
// waiting). The counts come out of the rows.
const (
	rejectedPermille  = 15
	leftEarlyPermille = 80
	pendingDays       = 3
	inServicePermille = 700 // of the in-service members reported to a community, who also join its party-member service team
)

// The love bank plan: the supermarket chain's shops (one per street), what
// they offer, how many volunteers spend points and how often.
var (
	shopItems = []struct {
		name  string
		price string
	}{{"大米 5 公斤", "25"}, {"食用油 1.8 升", "18"}, {"洗衣液", "9"}, {"鸡蛋 30 枚", "12"}, {"牙膏牙刷套装", "5"}, {"毛巾", "4"}, {"酱油", "3.5"}}
	spendersPermille = 300
	spendsMax        = 3
)

// The demo's love bank went online ledgerDays before the load: points
// for services verified before then are each volunteer's opening balance
// (one opening transfer each, naming how many services it pays), and from
// then on every verified service is paid by its own earn transfer, as
// live, with the redemptions and the shops' settlements (every
// settleDays) among them. Paying a year of services one transfer each
// would write some 110,000 transfers and 220,000 movements and make the
// load several times slower, for a history nobody reads transfer by
// transfer; the sign-ups keep every service and point at the transfer
// that paid it either way.
const (
	ledgerDays = 30
	settleDays = 14
)

// demoVolunteer is a volunteer as generated.
type demoVolunteer struct {
	id, account int64
	community   *org.Unit
	busy        map[int]bool // days (since the start) taken
	balance     volunteer.Points
	firstEarn   time.Time
}

// vgen holds the volunteer generator's state.
type vgen struct {
	rng        *rand.Rand
	l          *volunteer.Loader
	vs         *volunteer.Store
	now, start time.Time
	district   *org.Unit
	streets    []*org.Unit
	comms      map[int64][]*org.Unit // communities by street
	all        []*org.Unit           // communities
	ids        map[string]bool       // identity numbers issued
	services   []volunteer.ServiceRow
	vols       map[int64]*demoVolunteer
	scale      float64
}

// scaled is n of the plan at the load's scale (at least 1).
func (g *vgen) scaled(n int) int { return max(1, int(float64(n)*g.scale+0.5)) }

// volunteerScale is the share of the volunteer plan a load writes: all of
// it, or a twentieth when a test asks for a small district.
func volunteerScale(o Options) float64 {
	if o.Residents > 0 {
		return 0.05
	}
	return 1
}

// LoadVolunteers writes the district's volunteer service and love bank
// over the year up to now: the teams of docs/domain.md §2 with their members,
// the volunteer police association, activities with shifts and the
// services done in them (checked in and out, verified or rejected, the
// last days' still waiting), the points they earned, the supermarket
// chain's shops with their items, the volunteers' redemptions and the
// shops' quarterly settlements, a few activities to come, and two demo
// users: a volunteer and a shop's cashier. In-service party members who
// reported to their communities serve in their community's party-member
// service team, so their hours reach their employers' feedback sheets.
//
// The ledger went online ledgerDays before now: services verified before
// then are paid by one opening transfer per volunteer, later ones by an
// earn transfer each, posted in time order with the redemptions and
// settlements through the ledger's batch, which checks, numbers, balances
// and chains each exactly as a live transfer: the ledger verifies like any
// other. It returns the users made.
//
// scale shrinks the plan for tests (1: the whole district).
func LoadVolunteers(ctx context.Context, d *db.DB, orgs *org.Store, accounts *auth.Store, ps *people.Store, seed int64, password string, now time.Time, scale float64) ([]UserInfo, error) {
	vs := volunteer.NewStore(d, orgs, accounts, ps, ps.Vault)
	vs.Now = func() time.Time { return now }
	s := uint64(seed)
	g := &vgen{rng: rand.New(rand.NewPCG(s^0x7010, s+0x5a)), vs: vs, now: now.UTC(), comms: map[int64][]*org.Unit{}, ids: map[string]bool{},
		vols: map[int64]*demoVolunteer{}, scale: scale}
	y, m, dd := now.AddDate(-1, 0, 0).In(date.Shanghai).Date()
	g.start = time.Date(y, m, dd, 0, 0, 0, 0, date.Shanghai).UTC()
	var users []UserInfo
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if err := g.units(ctx, orgs); err != nil {
			return err
		}
		l, err := vs.Loader(ctx, tx, system)
		if err != nil {
			return err
		}
		g.l = l
		teams, err := g.teams(ctx, tx)
		if err != nil {
			return err
		}
		if err := g.police(ctx); err != nil {
			return err
		}
		for _, t := range teams {
			if err := g.teamActivities(t); err != nil {
				return err
			}
		}
		shops, err := g.shops(ctx, tx)
		if err != nil {
			return err
		}
		if err := g.post(ctx, tx, shops); err != nil {
			return err
		}
		demoVol, err := g.upcoming(ctx, teams)
		if err != nil {
			return err
		}
		if err := l.Flush(ctx); err != nil {
			return err
		}
		if users, err = g.users(ctx, tx, accounts, password, demoVol, shops[0]); err != nil {
			return err
		}
		return audit.Record(ctx, tx, system.Entry("demo.volunteer", "district", fmt.Sprint(g.district.ID), map[string]any{
			"seed": seed, "teams": l.Teams, "volunteers": l.Volunteers, "memberships": l.Members, "activities": l.Activities,
			"shifts": l.Shifts, "services": l.Services, "verified": l.Verified, "merchants": len(shops)}))
	})
	if err != nil {
		return nil, fmt.Errorf("demo: volunteers: %w", err)
	}
	return users, nil
}

// units reads the district, its streets and communities.
func (g *vgen) units(ctx context.Context, orgs *org.Store) error {
	ds, _, err := orgs.ListUnits(ctx, system, org.UnitFilter{Type: org.District, Limit: 1})
	if err != nil || len(ds) == 0 {
		return fmt.Errorf("no district: %v", err)
	}
	g.district = &ds[0]
	streets, _, err := orgs.ListUnits(ctx, system, org.UnitFilter{Type: org.Street, Limit: 1000})
	if err != nil {
		return err
	}
	for i := range streets {
		g.streets = append(g.streets, &streets[i])
	}
	comms, _, err := orgs.ListUnits(ctx, system, org.UnitFilter{Type: org.Community, Limit: 10000})
	if err != nil {
		return err
	}
	for i := range comms {
		c := &comms[i]
		g.all = append(g.all, c)
		g.comms[c.ParentID] = append(g.comms[c.ParentID], c)
	}
	return nil
}

// counties are the codes identity numbers of the demo's volunteers start
// with: Jiujiang's districts and counties.
var counties = []string{"360402", "360403", "360404", "360421", "360423", "360424", "360425", "360426", "360428", "360429", "360430", "360481", "360482", "360483"}

// person registers a new volunteer (not a resident) at community c.
func (g *vgen) person(c *org.Unit, minAge, maxAge int, skills ...string) (*demoVolunteer, error) {
	var id string
	for {
		born := g.now.AddDate(-between(g.rng, minAge, maxAge), 0, -g.rng.IntN(365)).In(date.Shanghai)
		first := fmt.Sprintf("%s%s%03d", pick(g.rng, counties), born.Format("20060102"), g.rng.IntN(1000))
		id = first + string(pii.IDCheckChar(first))
		if !g.ids[id] {
			g.ids[id] = true
			break
		}
	}
	if len(skills) == 0 && g.rng.IntN(3) == 0 {
		skills = []string{pick(g.rng, volunteer.Skills.Values)}
	}
	reg := g.start.AddDate(0, 0, -g.rng.IntN(1500))
	vid, acct, err := g.l.Volunteer(c, volunteer.VolunteerInput{Name: personName(g.rng), IDNumber: id, Phone: fmt.Sprintf("1%d%09d", 3+g.rng.IntN(7), g.rng.IntN(1e9)),
		Skills: skills, RegisteredOn: string(date.Today(reg))})
	if err != nil {
		return nil, err
	}
	v := &demoVolunteer{id: vid, account: acct, community: c, busy: map[int]bool{}}
	g.vols[vid] = v
	return v, nil
}

// demoTeam is a team as generated, with its members.
type demoTeam struct {
	id         int64
	unit       *org.Unit
	typ, field string
	name       string
	members    []*demoVolunteer
	plan       int // index in teamPlan
}

// inService lists the in-service party members reported to each
// community, with what the volunteer record takes from their resident
// record.
type reportedMember struct {
	residentID int64
	name       string
	gender     string
	birth      date.Date
}

func (g *vgen) reported(ctx context.Context, q db.Querier) (map[int64][]reportedMember, error) {
	rows, err := q.Query(ctx, `SELECT sr.community_id, r.id, r.name, r.gender, r.birth_date FROM service_registrations sr
		JOIN party_members m ON m.id = sr.party_member_id JOIN residents r ON r.id = m.resident_id
		WHERE sr.ended_on IS NULL AND r.status = 'living' ORDER BY sr.community_id, r.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]reportedMember{}
	for rows.Next() {
		var c int64
		var p reportedMember
		if err := rows.Scan(&c, &p.residentID, &p.name, &p.gender, &p.birth); err != nil {
			return nil, err
		}
		out[c] = append(out[c], p)
	}
	return out, rows.Err()
}

// teams writes the teams of teamPlan with their members. Party-member
// service teams take the in-service members reported to their community
// first.
func (g *vgen) teams(ctx context.Context, tx *db.Tx) ([]*demoTeam, error) {
	reported, err := g.reported(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []*demoTeam
	for pi, p := range teamPlan {
		var places []*org.Unit
		switch p.at {
		case org.Community:
			places = g.all
		case org.Street:
			places = g.streets
		default:
			places = []*org.Unit{g.district}
		}
		fields := slices.Clone(volunteer.Fields.Values)
		for i := range g.scaled(p.n) {
			u := places[i%len(places)]
			t := &demoTeam{unit: u, typ: p.typ, plan: pi}
			switch p.typ {
			case "professional":
				t.field = fields[i%len(fields)]
				t.name = "浔阳区志愿者联合会" + professionalTeams[t.field].name
			case "party_service":
				t.name = fmt.Sprintf("%s党员志愿服务%s队", u.Name, ordinal(i/len(places)))
			case "youth":
				t.name = fmt.Sprintf("%s青年志愿服务%s队", u.Name, ordinal(i/len(places)))
			case "love_help":
				t.name = fmt.Sprintf("%s爱心帮帮团第%d组", u.Name, i/len(places)+1)
			default:
				t.name = fmt.Sprintf("%s志愿服务%s队", u.Name, ordinal(i/len(places)))
			}
			founded := date.Today(g.start.AddDate(-between(g.rng, 1, 8), 0, -g.rng.IntN(300)))
			id, err := g.l.Team(u, volunteer.TeamInput{Type: t.typ, Field: t.field, Name: t.name, FoundedOn: string(founded)})
			if err != nil {
				return nil, fmt.Errorf("team %s: %w", t.name, err)
			}
			t.id = id
			n := between(g.rng, p.members[0], p.members[1])
			if p.typ == "party_service" {
				for len(t.members) < n && len(reported[u.ID]) > 0 {
					rm := reported[u.ID][0]
					reported[u.ID] = reported[u.ID][1:]
					if g.rng.IntN(1000) >= inServicePermille {
						continue
					}
					vid, acct, err := g.l.ResidentVolunteer(u, rm.residentID, rm.name, rm.gender, rm.birth, nil, date.Today(g.start))
					if err != nil {
						return nil, err
					}
					v := &demoVolunteer{id: vid, account: acct, community: u, busy: map[int]bool{}}
					g.vols[vid] = v
					t.members = append(t.members, v)
				}
			}
			for len(t.members) < n {
				c := u
				if p.at != org.Community {
					c = g.communityIn(u)
				}
				var skills []string
				if p.typ == "professional" && professionalTeams[t.field].skill != "" {
					skills = []string{professionalTeams[t.field].skill}
				}
				v, err := g.person(c, 18, 70, skills...)
				if err != nil {
					return nil, err
				}
				t.members = append(t.members, v)
			}
			for k, v := range t.members {
				role := "member"
				if k == 0 {
					role = "leader"
				}
				g.l.Member(t.id, u.Path, v.id, role, date.Today(g.start.AddDate(0, 0, -g.rng.IntN(400))))
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// communityIn picks a community in or under u.
func (g *vgen) communityIn(u *org.Unit) *org.Unit {
	if u.Type == org.Street && len(g.comms[u.ID]) > 0 {
		return pick(g.rng, g.comms[u.ID])
	}
	return pick(g.rng, g.all)
}

func ordinal(i int) string {
	names := []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprint(i + 1)
}

// day is the index of a day since the start of the year loaded.
func (g *vgen) day(t time.Time) int { return int(t.Sub(g.start) / (24 * time.Hour)) }

// police writes the volunteer police association, its members (drawn from
// every community), each street's nightly patrols, and the patrols each
// member served.
func (g *vgen) police(ctx context.Context) error {
	id, err := g.l.Team(g.district, volunteer.TeamInput{Type: "police", Name: "浔阳区义警协会", FoundedOn: string(date.Today(g.start.AddDate(-6, 0, 0)))})
	if err != nil {
		return err
	}
	byStreet := map[int64][]*demoVolunteer{}
	for range g.scaled(policeMembers) {
		c := pick(g.rng, g.all)
		v, err := g.person(c, 20, 62)
		if err != nil {
			return err
		}
		g.l.Member(id, g.district.Path, v.id, "member", date.Today(g.start.AddDate(0, 0, -g.rng.IntN(700))))
		byStreet[c.ParentID] = append(byStreet[c.ParentID], v)
	}
	days := g.day(g.now)
	for _, st := range g.streets {
		// Who serves which evening, then one patrol a day for those who do.
		nights := make([][]*demoVolunteer, days+1)
		for _, v := range byStreet[st.ID] {
			for range between(g.rng, policeServesMin, policeServesMax) {
				d := g.rng.IntN(days + 1)
				if !v.busy[d] {
					v.busy[d] = true
					nights[d] = append(nights[d], v)
				}
			}
		}
		for d, crew := range nights {
			startLocal := g.start.In(date.Shanghai).AddDate(0, 0, d)
			from := time.Date(startLocal.Year(), startLocal.Month(), startLocal.Day(), patrolFrom, 0, 0, 0, date.Shanghai).UTC()
			to := from.Add(time.Duration(between(g.rng, patrolHours-1, patrolHours)) * time.Hour)
			if len(crew) == 0 || !to.Before(g.now) {
				continue
			}
			title := st.Name + "义警巡防执勤"
			act, shifts, err := g.l.Activity(st, volunteer.ActivityInput{TeamID: id, Title: title, Category: "patrol", Place: st.Name + "辖区",
				TeamOnly: true, Shifts: []volunteer.ShiftInput{{StartsAt: from, EndsAt: to, Capacity: roundUp(len(crew), 10)}}})
			if err != nil {
				return err
			}
			for _, v := range crew {
				g.serve(volunteer.ServiceRow{ShiftID: shifts[0], ActivityID: act, TeamID: id, UnitPath: st.Path, Title: title, StartsAt: from, EndsAt: to,
					VolunteerID: v.id, AccountID: v.account})
			}
		}
	}
	return nil
}

func roundUp(n, to int) int { return (n + to) / to * to }

// teamActivities writes a team's activities over the year, with the
// members who served in each.
func (g *vgen) teamActivities(t *demoTeam) error {
	p := teamPlan[t.plan]
	days := g.day(g.now)
	for range between(g.rng, p.activities[0], p.activities[1]) {
		d := g.rng.IntN(days)
		local := g.start.In(date.Shanghai).AddDate(0, 0, d)
		hour := pick(g.rng, []int{8, 9, 14, 15})
		from := time.Date(local.Year(), local.Month(), local.Day(), hour, pick(g.rng, []int{0, 30}), 0, 0, date.Shanghai).UTC()
		to := from.Add(time.Duration(between(g.rng, p.hours[0], p.hours[1])) * time.Hour)
		if !to.Before(g.now) {
			continue
		}
		title, category := "", ""
		if t.typ == "professional" {
			title, category = professionalTeams[t.field].title, professionalTeams[t.field].category
		} else {
			title, category = pick(g.rng, p.titles), pick(g.rng, p.category)
		}
		var crew []*demoVolunteer
		for _, v := range t.members {
			if g.rng.IntN(100) < 70 && !v.busy[d] {
				v.busy[d] = true
				crew = append(crew, v)
			}
		}
		if len(crew) == 0 {
			continue
		}
		place := t.unit.Name
		if t.typ == "professional" {
			place = pick(g.rng, g.all).Name + "党群服务中心"
		}
		act, shifts, err := g.l.Activity(t.unit, volunteer.ActivityInput{TeamID: t.id, Title: title, Category: category, Place: place,
			Shifts: []volunteer.ShiftInput{{StartsAt: from, EndsAt: to, Capacity: roundUp(len(crew), 5)}}})
		if err != nil {
			return err
		}
		for _, v := range crew {
			g.serve(volunteer.ServiceRow{ShiftID: shifts[0], ActivityID: act, TeamID: t.id, UnitPath: t.unit.Path, Title: title, StartsAt: from, EndsAt: to,
				VolunteerID: v.id, AccountID: v.account})
		}
	}
	return nil
}

// serve draws how a service went and keeps it to post in time order.
func (g *vgen) serve(sv volunteer.ServiceRow) {
	in := sv.StartsAt.Add(-time.Duration(g.rng.IntN(20)) * time.Minute)
	out := sv.EndsAt.Add(time.Duration(g.rng.IntN(30)-10) * time.Minute)
	if g.rng.IntN(1000) < leftEarlyPermille {
		out = sv.EndsAt.Add(-time.Duration(30+g.rng.IntN(60)) * time.Minute)
	}
	sv.In, sv.Out = &in, &out
	switch {
	case g.now.Sub(sv.EndsAt) < pendingDays*24*time.Hour:
		sv.Hours = volunteer.HoursPending
	case g.rng.IntN(1000) < rejectedPermille:
		sv.Hours, sv.Reason = volunteer.HoursRejected, pick(g.rng, []string{"未按时到岗", "签到后提前离开", "未在岗"})
	default:
		sv.Hours = volunteer.HoursVerified
	}
	g.services = append(g.services, sv)
}

// shop is a merchant of the chain.
type shop struct {
	id, account int64
	path        string
	items       []volunteer.Item
}

// shops writes the supermarket chain: a shop in every street, with items.
func (g *vgen) shops(ctx context.Context, tx *db.Tx) ([]*shop, error) {
	var out []*shop
	for _, st := range g.streets {
		id, acct, err := g.l.Merchant(ctx, st, volunteer.MerchantInput{Name: "浔阳爱心超市（" + st.Name + "店）", Address: st.Name + pick(g.rng, roads) + fmt.Sprintf("%d号", between(g.rng, 1, 300)),
			Contact: personName(g.rng)})
		if err != nil {
			return nil, err
		}
		sh := &shop{id: id, account: acct, path: st.Path}
		for _, it := range shopItems {
			item, err := g.vs.LoadItem(ctx, tx, id, volunteer.ItemInput{Name: it.name, Price: it.price})
			if err != nil {
				return nil, err
			}
			sh.items = append(sh.items, *item)
		}
		out = append(out, sh)
	}
	return out, nil
}

// post writes the year's services and, in time order with their earn
// transfers, the volunteers' redemptions at the shops and the shops'
// quarterly settlements.
func (g *vgen) post(ctx context.Context, tx *db.Tx, shops []*shop) error {
	type event struct {
		at   time.Time
		kind int // 0 service, 1 redemption, 2 settlement, 3 the ledger opens
		n    int // the order events were drawn in, for ties
		i    int
		v    *demoVolunteer
		sh   *shop
	}
	var evs []event
	for i, sv := range g.services {
		at := sv.Out.Add(24 * time.Hour)
		if sv.Hours != volunteer.HoursVerified || at.After(g.now) {
			at = *sv.Out
		}
		evs = append(evs, event{at: at, kind: 0, i: i})
	}
	opens := g.now.Add(-ledgerDays * 24 * time.Hour)
	g.l.OpensAt = opens
	evs = append(evs, event{at: opens, kind: 3})
	// Redemptions: a share of the volunteers spend points now and then.
	for _, id := range sortedIDs(g.vols) {
		if g.rng.IntN(1000) >= spendersPermille {
			continue
		}
		v := g.vols[id]
		home := shops[0]
		for _, sh := range shops {
			if len(v.community.Path) > len(sh.path) && v.community.Path[:len(sh.path)] == sh.path {
				home = sh
			}
		}
		for range between(g.rng, 1, spendsMax) {
			at := opens.Add(time.Duration(g.rng.Int64N(int64(g.now.Sub(opens)))))
			evs = append(evs, event{at: at, kind: 1, v: v, sh: home})
		}
	}
	// Settlements every settleDays since the ledger opened.
	for q := opens.Add(settleDays * 24 * time.Hour); q.Before(g.now); q = q.Add(settleDays * 24 * time.Hour) {
		for _, sh := range shops {
			evs = append(evs, event{at: q, kind: 2, sh: sh})
		}
	}
	for i := range evs {
		evs[i].n = i
	}
	slices.SortFunc(evs, func(a, b event) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.n - b.n
	})
	for _, e := range evs {
		switch e.kind {
		case 0:
			sv := g.services[e.i]
			if err := g.l.Serve(ctx, sv); err != nil {
				return err
			}
		case 1:
			it := pick(g.rng, e.sh.items)
			if _, err := g.l.Redeem(ctx, e.sh.id, e.sh.account, e.sh.path, e.v.id, e.v.account, it, 1, e.at); err != nil {
				return err
			}
		case 2:
			if err := g.l.Settle(ctx, e.sh.id, e.sh.account, e.sh.path, e.at); err != nil {
				return err
			}
		case 3:
			if err := g.l.Open(ctx, e.at); err != nil {
				return err
			}
		}
	}
	return nil
}

// upcoming writes activities of the coming two weeks in the first street's
// communities, open to sign up, and one about to start in the first
// community with the demo volunteer on it; it returns the demo volunteer.
func (g *vgen) upcoming(ctx context.Context, teams []*demoTeam) (*demoVolunteer, error) {
	first := g.streets[0]
	var home *demoTeam
	for _, t := range teams {
		if t.typ == "party_service" && t.unit.ParentID == first.ID && (home == nil || t.unit.Code < home.unit.Code) {
			home = t
		}
	}
	if home == nil {
		return nil, fmt.Errorf("no party-member service team in %s", first.Name)
	}
	me := home.members[len(home.members)-1]
	near := map[int64][]*demoVolunteer{}
	for _, id := range sortedIDs(g.vols) {
		v := g.vols[id]
		if len(near[v.community.ID]) < 12 && v != me {
			near[v.community.ID] = append(near[v.community.ID], v)
		}
	}
	titles := []string{"周末环境整治", "敬老院陪伴", "社区义诊协助", "垃圾分类督导", "文明劝导", "防诈骗宣传"}
	cats := []string{"environment", "elderly", "health", "environment", "community", "legal"}
	for i, c := range g.comms[first.ID] {
		for k := range 2 {
			local := g.now.In(date.Shanghai).AddDate(0, 0, 1+(i*3+k*5)%13)
			from := time.Date(local.Year(), local.Month(), local.Day(), 9+k*5, 0, 0, 0, date.Shanghai).UTC()
			j := (i + k) % len(titles)
			in := volunteer.ActivityInput{Title: c.Name + titles[j], Category: cats[j], Place: c.Name + "党群服务中心", NeedsApproval: k == 1,
				Shifts: []volunteer.ShiftInput{{StartsAt: from, EndsAt: from.Add(2 * time.Hour), Capacity: between(g.rng, 8, 20)},
					{StartsAt: from.Add(2 * time.Hour), EndsAt: from.Add(4 * time.Hour), Capacity: between(g.rng, 6, 12)}}}
			act, shifts, err := g.l.Activity(c, in)
			if err != nil {
				return nil, err
			}
			// A few of the community's volunteers have signed up already;
			// where the organiser approves sign-ups, some wait for it.
			day := g.day(from)
			for _, v := range shuffled(g.rng, near[c.ID]) {
				if g.rng.IntN(4) != 0 || v.busy[day] {
					continue
				}
				v.busy[day] = true
				k := g.rng.IntN(len(shifts))
				status := volunteer.SignupApproved
				if in.NeedsApproval && g.rng.IntN(2) == 0 {
					status = volunteer.SignupPending
				}
				sh := in.Shifts[k]
				if err := g.l.Serve(ctx, volunteer.ServiceRow{ShiftID: shifts[k], ActivityID: act, UnitPath: c.Path, Title: in.Title,
					StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, VolunteerID: v.id, AccountID: v.account, Status: status}); err != nil {
					return nil, err
				}
			}
		}
	}
	// The one about to start: the demo volunteer can check in now.
	from := g.now.Add(20 * time.Minute).Truncate(time.Minute)
	to := from.Add(3 * time.Hour)
	title := home.unit.Name + "党员志愿服务日"
	act, shifts, err := g.l.Activity(home.unit, volunteer.ActivityInput{TeamID: home.id, Title: title, Category: "community", Place: home.unit.Name + "党群服务中心",
		Shifts: []volunteer.ShiftInput{{StartsAt: from, EndsAt: to, Capacity: 20}}})
	if err != nil {
		return nil, err
	}
	for _, v := range home.members {
		if err := g.l.Serve(ctx, volunteer.ServiceRow{ShiftID: shifts[0], ActivityID: act, TeamID: home.id, UnitPath: home.unit.Path, Title: title,
			StartsAt: from, EndsAt: to, VolunteerID: v.id, AccountID: v.account}); err != nil {
			return nil, err
		}
	}
	return me, nil
}

// users creates the demo volunteer's account (linked to their record) and
// the first shop's cashier.
func (g *vgen) users(ctx context.Context, tx *db.Tx, accounts *auth.Store, password string, me *demoVolunteer, sh *shop) ([]UserInfo, error) {
	vu, err := accounts.CreateUserIn(ctx, tx, system, auth.NewUser{Username: "volunteer", DisplayName: g.vs.NameOf(ctx, tx, me.id), Password: password,
		Grants: []auth.GrantSpec{{Role: volunteer.RoleVolunteer, UnitID: me.community.ID}}})
	if err != nil {
		return nil, fmt.Errorf("user volunteer: %w", err)
	}
	if err := g.vs.LinkUser(ctx, tx, me.id, vu.ID); err != nil {
		return nil, err
	}
	mu, err := accounts.CreateUserIn(ctx, tx, system, auth.NewUser{Username: "merchant", DisplayName: personName(g.rng), Password: password,
		Grants: []auth.GrantSpec{{Role: volunteer.RoleMerchantStaff, UnitID: g.streets[0].ID}}})
	if err != nil {
		return nil, fmt.Errorf("user merchant: %w", err)
	}
	if err := g.vs.LinkStaff(ctx, tx, sh.id, mu.ID); err != nil {
		return nil, err
	}
	return []UserInfo{
		{Username: "volunteer", Role: string(volunteer.RoleVolunteer), UnitName: me.community.Name},
		{Username: "merchant", Role: string(volunteer.RoleMerchantStaff), UnitName: g.streets[0].Name},
	}, nil
}

// sortedIDs lists the volunteers' ids in order, so that one seed always
// draws the same.
func sortedIDs(vols map[int64]*demoVolunteer) []int64 {
	ids := make([]int64, 0, len(vols))
	for id := range vols {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
