// Package demo builds the demo district: a district shaped like Xunyang
// (浔阳区, Jiujiang, GB/T 2260 code 360403) with its streets, communities,
// areas, grids and buildings, departments, party organisations, co-building
// units and part-time committee members, demo users to sign in with, and
// its people: households and residents, party members reporting to their
// communities, community workers, grid staff and the needs lists.
//
// The generator draws everything from a seeded random source following the
// plan in plan.go, so one seed always gives the same district (ages are
// counted to the day of the load, so birth dates follow it). The figures
// of docs/domain.md §3 are not written anywhere: they come out of counting the
// rows built. Everything is written in one transaction with one audit
// entry, through the modules' bulk loaders and the account store.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/volunteer"
)

func init() {
	i18n.Register(i18n.Catalog{
		"demo.not_empty": {
			Zh: "数据库中已有单位，演示数据只能载入空数据库",
			En: "the database already holds units; the demo district loads only into an empty database",
		},
		"demo.bad_scale": {
			Zh: "演示数据规模只能是 default 或 district",
			En: "the demo scale is default or district",
		},
		"audit.action.demo.load":      {Zh: "载入演示辖区", En: "Loaded the demo district"},
		"audit.action.demo.events":    {Zh: "载入演示事件", En: "Loaded the demo events"},
		"audit.action.demo.volunteer": {Zh: "载入演示志愿服务数据", En: "Loaded the demo volunteering"},
		// What a demo load wrote, as its audit entry counts it.
		"audit.field.co_building_units":     {Zh: "共建单位数", En: "Co-building units"},
		"audit.field.grid_staff":            {Zh: "网格力量", En: "Grid staff"},
		"audit.field.part_time_members":     {Zh: "兼职委员数", En: "Part-time members"},
		"audit.field.party_members":         {Zh: "党员数", En: "Party members"},
		"audit.field.party_orgs":            {Zh: "党组织", En: "Party organisations"},
		"audit.field.residents":             {Zh: "居民数", En: "Residents"},
		"audit.field.service_claims":        {Zh: "岗位认领数", En: "Claims"},
		"audit.field.service_hours":         {Zh: "服务记录数", En: "Service records"},
		"audit.field.service_posts":         {Zh: "需求岗位数", En: "Service needs"},
		"audit.field.service_registrations": {Zh: "报到党员数", En: "Reported members"},
		"audit.field.units":                 {Zh: "单位", En: "Units"},
		"audit.field.workers":               {Zh: "社区工作者数", En: "Community workers"},
	})
	audit.ValueWords("district", "units", "unit.")
	audit.ValueWords("district", "party_orgs", "party.")
	audit.ValueWords("district", "grid_staff", "staffrole.")
}

// Options tune the demo load.
type Options struct {
	Seed     int64  // default 1; the same seed gives the same district
	Password string // password for every demo user; default "grassroots-demo"
	// Scale is how many residents live in the district: "" or "default"
	// for a sample of a few tens of thousands, "district" for a whole
	// district's population.
	Scale string
	// Residents, when above zero, houses about this many residents instead
	// of the scale's number (tests load fewer).
	Residents int
	// Now is the clock the district is drawn against, read once at the
	// start of the load: ages and birth dates count to its day in the
	// district (Shanghai), and the year of events, services and volunteer
	// work runs up to it; the rows' timestamps are its instant. Default
	// time.Now.
	Now func() time.Time
}

// The scales of the demo district.
const (
	ScaleDefault  = "default"
	ScaleDistrict = "district"
)

// residents is how many residents the options ask for.
func (o Options) residents() (int, error) {
	switch {
	case o.Residents > 0:
		return o.Residents, nil
	case o.Scale == "" || o.Scale == ScaleDefault:
		return defaultResidents, nil
	case o.Scale == ScaleDistrict:
		return districtResidents, nil
	}
	return 0, apperr.FieldInvalid("scale", "demo.bad_scale")
}

// DefaultPassword is the demo users' password when Options leave it empty.
const DefaultPassword = "grassroots-demo"

// Result says what was loaded, for printing.
type Result struct {
	Users                                              []UserInfo // username, role, unit name, for printing how to log in
	Units, PartyOrgs, CoBuildingUnits, PartTimeMembers int
	// People as the overview counts them: living residents, active
	// households, party members, those reported to their communities, and
	// grid members.
	Residents, Households, PartyMembers, InServiceReported, GridMembers int
	// Events reported over the year and those still open; volunteers,
	// their teams and verified hours.
	Events, OpenEvents, Volunteers, Teams int
	VerifiedHours                         int64
}

// UserInfo names a demo user, the role they hold and where.
type UserInfo struct{ Username, Role, UnitName string }

// system is the actor of the load.
var system = auth.SystemActor("demo")

// Load builds the demo district into an empty database. It refuses (returns
// an error) if any unit exists already. The counts in the result are read
// back from the database; PartyOrgs counts the grassroots organisations of
// the eight checklist types.
func Load(ctx context.Context, d *db.DB, orgs *org.Store, accounts *auth.Store, ps *people.Store, opt Options) (*Result, error) {
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Password == "" {
		opt.Password = DefaultPassword
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	now := opt.Now()
	orgs, accounts, ps = onClock(orgs, accounts, ps, now)
	if err := auth.ValidatePassword(opt.Password); err != nil {
		return nil, err
	}
	residents, err := opt.residents()
	if err != nil {
		return nil, err
	}
	if _, n, err := orgs.ListUnits(ctx, system, org.UnitFilter{Limit: 1}); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, apperr.New(apperr.Conflict, "demo.not_empty")
	}
	var users []UserInfo
	err = d.InTx(ctx, func(tx *db.Tx) error {
		b := newBuilder(opt.Seed, orgs.Loader(tx))
		if err := b.build(ctx); err != nil {
			return err
		}
		var err error
		if users, err = b.createUsers(ctx, tx, accounts, opt.Password); err != nil {
			return err
		}
		b.pl, b.today, b.residents = ps.Loader(tx), date.Today(now).Time(), residents
		if err := b.buildPeople(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, system.Entry("demo.load", "district", fmt.Sprint(b.district.ID), b.tally.detail(opt.Seed)))
	})
	if err != nil {
		return nil, fmt.Errorf("demo: load the district: %w", err)
	}
	if _, err := LoadEvents(ctx, d, accounts, opt.Seed, now); err != nil {
		return nil, err
	}
	vusers, err := LoadVolunteers(ctx, d, orgs, accounts, ps, opt.Seed, opt.Password, now, volunteerScale(opt))
	if err != nil {
		return nil, err
	}
	users = append(users, vusers...)
	if err := d.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("demo: analyze: %w", err)
	}
	r, err := result(ctx, orgs, ps, users)
	if err != nil {
		return nil, err
	}
	if err := d.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN is_open THEN 1 ELSE 0 END), 0) FROM events`).Scan(&r.Events, &r.OpenEvents); err != nil {
		return nil, err
	}
	vo, err := volunteer.NewStore(d, orgs, accounts, ps, ps.Vault).Overview(ctx, system)
	if err != nil {
		return nil, err
	}
	r.Volunteers, r.Teams, r.VerifiedHours = vo.Volunteers, vo.Teams, vo.VerifiedMinutes/60
	return r, nil
}

// onClock returns copies of the stores whose clock stands at now, so that
// what they check against today and the times they write follow the
// load's clock rather than the caller's.
func onClock(orgs *org.Store, accounts *auth.Store, ps *people.Store, now time.Time) (*org.Store, *auth.Store, *people.Store) {
	clock := func() time.Time { return now }
	o, a, p := *orgs, *accounts, *ps
	o.Now, a.Now, p.Now = clock, clock, clock
	return &o, &a, &p
}

// result counts what the database now holds.
func result(ctx context.Context, orgs *org.Store, ps *people.Store, users []UserInfo) (*Result, error) {
	ov, err := orgs.Overview(ctx, system)
	if err != nil {
		return nil, err
	}
	pv, err := ps.Overview(ctx, system)
	if err != nil {
		return nil, err
	}
	r := &Result{Users: users, PartyOrgs: ov.PartyOrgs, CoBuildingUnits: ov.CoBuildingUnits, PartTimeMembers: ov.PartTimeMembers,
		Residents: pv.Residents, Households: pv.Households, PartyMembers: pv.PartyMembers, InServiceReported: pv.InServiceReported,
		GridMembers: pv.GridMembers}
	for _, n := range ov.Units {
		r.Units += n
	}
	return r, nil
}

// builder holds the generator's state during one load.
type builder struct {
	rng   *rand.Rand
	l     *org.Loader
	tally tally

	district    *org.Unit
	departments map[string]*org.Unit // by short code
	streets     []*street
	// partyAt maps a unit to the structural party organisation that leads
	// the organisations sitting there.
	partyAt    map[int64]int64
	coBuilding []coBuildingUnit
	// workplaces are the organisations whose members are in service,
	// weighed by their members.
	workplaces []choice[workplace]
	accounts   map[string]*account // the demo users, by username

	// The people part: its loader, the day ages are counted to, how many
	// residents to house, and the identity and phone numbers issued.
	pl        *people.Loader
	today     time.Time
	residents int
	ids       *identities
	served    []people.ServiceHoursRow // service hours, written at the end
}

// street is a street as built, with its communities.
type street struct {
	unit        *org.Unit
	box         box
	communities []*community
}

// community is a community as built: its base name (without 社区), areas,
// grids with their buildings, and the people who live and work there.
type community struct {
	unit      *org.Unit
	street    *street
	base      string
	box       box
	areas     []*org.Unit
	grids     []*org.Unit
	buildings [][]*org.Unit // buildings[i] are those of grids[i]
	homes     [][]*home     // homes[i] are the households of grids[i]
	workers   map[string][]*worker
	posts     []*post
}

func newBuilder(seed int64, l *org.Loader) *builder {
	s := uint64(seed)
	return &builder{
		rng:         rand.New(rand.NewPCG(s, s)),
		l:           l,
		tally:       newTally(),
		departments: map[string]*org.Unit{},
		partyAt:     map[int64]int64{},
		ids:         newIdentities(),
	}
}

// build writes the whole district.
func (b *builder) build(ctx context.Context) error {
	steps := []func(context.Context) error{b.buildTree, b.buildParty, b.buildCoBuilding, b.buildPartTime}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// tally counts the rows written, for the audit entry.
type tally struct {
	units      map[org.UnitType]int
	partyOrgs  map[org.PartyOrgType]int
	coBuilding int
	agreements int
	partTime   int

	households, residents, partyMembers, reported int
	workers                                       int
	gridStaff                                     map[string]int // by role
	posts, claims, hours                          int
}

func newTally() tally {
	return tally{units: map[org.UnitType]int{}, partyOrgs: map[org.PartyOrgType]int{}, gridStaff: map[string]int{}}
}

// detail is the audit entry's detail: the seed and the rows written.
func (t tally) detail(seed int64) map[string]any {
	return map[string]any{
		"seed":                  seed,
		"units":                 t.units,
		"party_orgs":            t.partyOrgs,
		"co_building_units":     t.coBuilding,
		"agreements":            t.agreements,
		"part_time_members":     t.partTime,
		"households":            t.households,
		"residents":             t.residents,
		"party_members":         t.partyMembers,
		"service_registrations": t.reported,
		"workers":               t.workers,
		"grid_staff":            t.gridStaff,
		"service_posts":         t.posts,
		"service_claims":        t.claims,
		"service_hours":         t.hours,
	}
}
