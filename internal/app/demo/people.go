package demo

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
)

// buildPeople writes the people of the district: households and residents,
// party members and their reports to their communities, community
// workers, grid staff, and the communities' needs lists with claims and
// service hours.
func (b *builder) buildPeople(ctx context.Context) error {
	steps := []func(context.Context) error{b.buildResidents, b.buildMembers, b.buildWorkers, b.buildGridStaff, b.buildServices}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// site is a building as households settle in it.
type site struct {
	unit   *org.Unit
	c      *community
	grid   int // index of the building's grid in its community
	weight int
	homes  []*home
}

// buildResidents draws households until b.residents people are housed,
// settles them in buildings in proportion to the buildings' weights, and
// writes them building by building.
func (b *builder) buildResidents(ctx context.Context) error {
	sites := b.sites()
	cum := make([]int, len(sites))
	total := 0
	for i, s := range sites {
		total += s.weight
		cum[i] = total
	}
	for housed := 0; housed < b.residents; {
		family := b.drawHousehold(draw(b.rng, householdPlan))
		s := sites[sort.SearchInts(cum, 1+b.rng.IntN(total))]
		s.homes = append(s.homes, &home{building: s.unit, members: family})
		housed += len(family)
	}
	var pending []*home
	for _, s := range sites {
		for i, room := range b.rooms(s.unit, len(s.homes)) {
			h := s.homes[i]
			h.room = room
			b.dress(h)
			if err := b.writeHousehold(ctx, h); err != nil {
				return err
			}
			pending = append(pending, h)
			s.c.homes[s.grid] = append(s.c.homes[s.grid], h)
		}
		if len(pending) >= homeBatch {
			if err := b.writeMembers(ctx, pending); err != nil {
				return err
			}
			pending = pending[:0]
		}
	}
	return b.writeMembers(ctx, pending)
}

// homeBatch is how many households' members are written together.
const homeBatch = 100

// sites lists every building with the weight it draws.
func (b *builder) sites() []*site {
	var out []*site
	for _, c := range b.communities() {
		c.homes = make([][]*home, len(c.grids))
		for g, buildings := range c.buildings {
			for _, u := range buildings {
				out = append(out, &site{unit: u, c: c, grid: g, weight: between(b.rng, buildingWeight[0], buildingWeight[1])})
			}
		}
	}
	return out
}

// rooms names n different rooms of a building by floor and door (502),
// with the entrance (2单元502) when it has more than one. Old dormitory
// blocks (号楼) are walk-ups of five to seven floors; the blocks of newer
// compounds have six to eighteen.
func (b *builder) rooms(building *org.Unit, n int) []string {
	floors := between(b.rng, 6, 18)
	if strings.HasSuffix(building.Name, "号楼") {
		floors = between(b.rng, 5, 7)
	}
	doors := between(b.rng, 2, 4)
	entrances := max(between(b.rng, 1, 3), (n+floors*doors-1)/(floors*doors))
	slots := b.rng.Perm(entrances * floors * doors)[:n]
	slices.Sort(slots)
	out := make([]string, n)
	for i, s := range slots {
		e, f, d := s/(floors*doors)+1, s/doors%floors+1, s%doors+1
		out[i] = fmt.Sprintf("%d%02d", f, d)
		if entrances > 1 {
			out[i] = fmt.Sprintf("%d单元%d%02d", e, f, d)
		}
	}
	return out
}

// dress draws what the household's shape leaves open: names, birth dates,
// registration and identity numbers, phones, ethnicity, the drawn care tags,
// and whether someone has died or moved out.
func (b *builder) dress(h *home) {
	family := pick(b.rng, surnames)
	residence := draw(b.rng, residencePlan)
	headArea := area(b.rng, residence)
	lowIncome := b.chance(lowIncomePermille)
	for _, p := range h.members {
		p.surname = b.surname(p, family)
		p.birth = birthFor(b.rng, b.today, p.age)
		p.given = givenName(b.rng, p.male, p.birth.Year())
		// Children were registered where the head was; spouses and parents
		// come from anywhere of the household's kind of registration.
		p.residence, p.area = residence, headArea
		if p.relation == "spouse" || p.relation == "parent" {
			p.area = area(b.rng, residence)
		}
		p.idNumber = b.ids.idNumber(b.rng, p.area, p.birth, p.male)
		if b.chance(phoneShare(p.age)) {
			p.phone = b.ids.mobile(b.rng)
		}
		p.ethnicity = "汉族"
		if !b.chance(hanPermille) {
			p.ethnicity = pick(b.rng, minorities)
		}
		b.careTags(p, lowIncome)
		b.drawStatus(p)
	}
}

// surname gives a member of a household its surname: men and children
// bear the family's (the husband's or father's), as most grandchildren do;
// wives and mothers keep their own.
func (b *builder) surname(p *person, family string) string {
	switch {
	case p.relation == "grandchild":
		if b.chance(700) {
			return family
		}
	case p.male || p.relation == "child":
		return family
	}
	return pick(b.rng, surnames)
}

// phoneShare is the share of people of an age with a mobile phone, per mille.
func phoneShare(age int) int {
	share := 0
	for _, step := range phonePermille {
		if age >= step[0] {
			share = step[1]
		}
	}
	return share
}

// careTags draws the care tags that do not follow from the household's
// shape.
func (b *builder) careTags(p *person, lowIncome bool) {
	for _, c := range careRates {
		rate := c.young
		if p.elderly() {
			rate = c.old
		}
		if b.chance(rate) {
			p.tags = append(p.tags, c.tag)
		}
	}
	veteran := veteranPermilleWomen
	if p.male {
		veteran = veteranPermilleMen
	}
	if p.age >= veteranAge && b.chance(veteran) {
		p.tags = append(p.tags, "veteran")
	}
	if lowIncome {
		p.tags = append(p.tags, "low_income")
	}
}

// drawStatus marks some of the elderly as deceased and some people as
// moved out, on a day of the last statusYears.
func (b *builder) drawStatus(p *person) {
	switch {
	case p.elderly() && b.chance(deceasedPermilleOld):
		p.status = "deceased"
	case b.chance(movedOutPermille):
		p.status = "moved_out"
	default:
		return
	}
	on := b.today.AddDate(0, 0, -b.rng.IntN(365*statusYears))
	if on.Before(p.birth) {
		on = p.birth
	}
	p.statusOn = on
}

// writeHousehold writes a household.
func (b *builder) writeHousehold(ctx context.Context, h *home) error {
	id, err := b.pl.Household(ctx, h.building, h.room)
	if err != nil {
		return fmt.Errorf("household %s %s: %w", h.building.Name, h.room, err)
	}
	h.id = id
	b.tally.households++
	return nil
}

// writeMembers writes the members of written households in one batch, then
// the deaths and moves among them.
func (b *builder) writeMembers(ctx context.Context, homes []*home) error {
	var rows []people.NewResident
	for _, h := range homes {
		for _, p := range h.members {
			rows = append(rows, people.NewResident{Path: h.building.Path, Input: people.ResidentInput{
				HouseholdID: h.id, Name: p.name(), Gender: gender(p.male), BirthDate: p.birth.Format(time.DateOnly),
				IDType: "id_card", IDNumber: p.idNumber, Phone: p.phone, Ethnicity: p.ethnicity,
				Residence: p.residence, Relation: p.relation, Tags: p.tags,
			}})
		}
	}
	ids, err := b.pl.Residents(ctx, rows)
	if err != nil {
		return fmt.Errorf("residents: %w", err)
	}
	i := 0
	for _, h := range homes {
		for _, p := range h.members {
			p.id = ids[i]
			i++
			b.tally.residents++
			if p.living() {
				continue
			}
			if err := b.pl.ResidentStatus(ctx, system, h.id, p.id, p.status, p.statusOn.Format(time.DateOnly)); err != nil {
				return fmt.Errorf("status of %s: %w", p.name(), err)
			}
		}
	}
	return nil
}
