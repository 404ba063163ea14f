// Package demo builds the demo district: a district shaped like Xunyang
// (浔阳区, Jiujiang, GB/T 2260 code 360403) with its streets, communities,
// areas, grids and buildings, departments, party organisations, co-building
// units and part-time committee members, and demo users to sign in with.
//
// The generator draws everything from a seeded random source following the
// plan in plan.go, so one seed always gives the same district. The figures
// of DOMAIN.md §3 are not written anywhere: they come out of counting the
// rows built. The whole tree is written in one transaction with one audit
// entry; the users are created after it through the account store.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

func init() {
	i18n.Register(i18n.Catalog{
		"demo.not_empty": {
			Zh: "数据库中已有单位，演示数据只能载入空数据库",
			En: "the database already holds units; the demo district loads only into an empty database",
		},
	})
}

// Options tune the demo load.
type Options struct {
	Seed     int64  // default 1; the same seed gives the same district
	Password string // password for every demo user; default "grassroots-demo"
}

// DefaultPassword is the demo users' password when Options leave it empty.
const DefaultPassword = "grassroots-demo"

// Result says what was loaded, for printing.
type Result struct {
	Users                                              []UserInfo // username, role, unit name, for printing how to log in
	Units, PartyOrgs, CoBuildingUnits, PartTimeMembers int
}

// UserInfo names a demo user, the role they hold and where.
type UserInfo struct{ Username, Role, UnitName string }

// system is the actor of the load.
var system = auth.SystemActor("demo")

// Load builds the demo district into an empty database. It refuses (returns
// an error) if any unit exists already. The counts in the result are read
// back from the database; PartyOrgs counts the grassroots organisations of
// the eight checklist types.
func Load(ctx context.Context, d *db.DB, orgs *org.Store, accounts *auth.Store, opt Options) (*Result, error) {
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	if opt.Password == "" {
		opt.Password = DefaultPassword
	}
	if err := auth.ValidatePassword(opt.Password); err != nil {
		return nil, err
	}
	if _, n, err := orgs.ListUnits(ctx, system, org.UnitFilter{Limit: 1}); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, apperr.New(apperr.Conflict, "demo.not_empty")
	}
	var users []UserInfo
	err := d.InTx(ctx, func(tx *db.Tx) error {
		b := newBuilder(opt.Seed, orgs.Loader(tx))
		if err := b.build(ctx); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, system.Entry("demo.load", "district", fmt.Sprint(b.district.ID), b.tally.detail(opt.Seed))); err != nil {
			return err
		}
		var err error
		users, err = b.createUsers(ctx, tx, accounts, opt.Password)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demo: load the district: %w", err)
	}
	if err := d.Analyze(ctx); err != nil {
		return nil, fmt.Errorf("demo: analyze: %w", err)
	}
	return result(ctx, orgs, users)
}

// result counts what the database now holds.
func result(ctx context.Context, orgs *org.Store, users []UserInfo) (*Result, error) {
	ov, err := orgs.Overview(ctx, system)
	if err != nil {
		return nil, err
	}
	r := &Result{Users: users, PartyOrgs: ov.PartyOrgs, CoBuildingUnits: ov.CoBuildingUnits, PartTimeMembers: ov.PartTimeMembers}
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
}

// street is a street as built, with its communities.
type street struct {
	unit        *org.Unit
	box         box
	communities []*community
}

// community is a community as built: its base name (without 社区), areas
// and grids.
type community struct {
	unit   *org.Unit
	street *street
	base   string
	box    box
	areas  []*org.Unit
	grids  []*org.Unit
}

func newBuilder(seed int64, l *org.Loader) *builder {
	s := uint64(seed)
	return &builder{
		rng:         rand.New(rand.NewPCG(s, s)),
		l:           l,
		tally:       newTally(),
		departments: map[string]*org.Unit{},
		partyAt:     map[int64]int64{},
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
}

func newTally() tally {
	return tally{units: map[org.UnitType]int{}, partyOrgs: map[org.PartyOrgType]int{}}
}

// detail is the audit entry's detail: the seed and the rows written.
func (t tally) detail(seed int64) map[string]any {
	return map[string]any{
		"seed":              seed,
		"units":             t.units,
		"party_orgs":        t.partyOrgs,
		"co_building_units": t.coBuilding,
		"agreements":        t.agreements,
		"part_time_members": t.partTime,
	}
}
