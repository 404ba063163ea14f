package demo

import (
	"context"
	"fmt"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
)

// buildGridStaff writes each grid's instructor (a street cadre), leader (a
// member of the community's committee) and members: gridMemberTotal in
// all, dealt over the grids by their buildings.
func (b *builder) buildGridStaff(ctx context.Context) error {
	var weights, limits []int
	for _, c := range b.communities() {
		for _, buildings := range c.buildings {
			weights = append(weights, len(buildings))
			limits = append(limits, gridMembersMax)
		}
	}
	members, err := apportion(gridMemberTotal, weights, gridMembersMin, limits)
	if err != nil {
		return fmt.Errorf("grid members: %w", err)
	}
	next := 0
	for i, st := range b.streets {
		if err := b.buildInstructors(ctx, st, i == 0); err != nil {
			return err
		}
		for _, c := range st.communities {
			leaders := shuffled(b.rng, append(append([]*worker(nil), c.workers["deputy"]...), c.workers["committee_member"]...))
			for g, grid := range c.grids {
				l := leaders[g%len(leaders)]
				if err := b.staff(ctx, grid, people.GridStaffInput{Role: "leader", Kind: "committee_member", Name: l.name, Phone: l.phone, WorkerID: l.id}); err != nil {
					return err
				}
				if err := b.buildGridMembers(ctx, c, g, members[next]); err != nil {
					return err
				}
				next++
			}
		}
	}
	return nil
}

// buildInstructors writes the instructors of a street's grids: street
// cadres, each instructing up to gridsPerInstructor grids in turn. The
// instructor user is the first cadre of the first street.
func (b *builder) buildInstructors(ctx context.Context, st *street, first bool) error {
	var grids []*org.Unit
	for _, c := range st.communities {
		grids = append(grids, c.grids...)
	}
	var in people.GridStaffInput
	for i, g := range grids {
		if i%gridsPerInstructor == 0 {
			male := b.chance(550)
			in = people.GridStaffInput{Role: "instructor", Kind: "cadre", Name: pick(b.rng, surnames) + givenName(b.rng, male, 0), Phone: b.ids.mobile(b.rng)}
			if u := b.accounts["instructor"]; first && i == 0 {
				in.Name, in.UserID = u.name, u.id
			}
		}
		if err := b.staff(ctx, g, in); err != nil {
			return err
		}
	}
	return nil
}

// staff writes one of a grid's staff, serving since a day from
// gridStaffFromYear.
func (b *builder) staff(ctx context.Context, grid *org.Unit, in people.GridStaffInput) error {
	from := time.Date(gridStaffFromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	in.Since = from.AddDate(0, 0, b.rng.IntN(int(b.today.Sub(from).Hours()/24)+1)).Format(time.DateOnly)
	if _, err := b.pl.GridStaff(ctx, grid, in); err != nil {
		return fmt.Errorf("%s %s of %s: %w", in.Role, in.Name, grid.Name, err)
	}
	b.tally.gridStaff[in.Role]++
	return nil
}

// buildGridMembers writes the m members of grid g of community c: its
// full-time grid worker, who looks after every building; retired party
// members and volunteers living in the grid; and a building head for as
// many buildings as remain, each from a household of the building. The
// buildings without a head are shared out among the retired members and
// volunteers.
func (b *builder) buildGridMembers(ctx context.Context, c *community, g, m int) error {
	grid, buildings := c.grids[g], c.buildings[g]
	full := c.workers["grid_worker"][g]
	in := people.GridStaffInput{Role: "member", Kind: "full_time", Name: full.name, Phone: full.phone, WorkerID: full.id, Buildings: ids(buildings)}
	if u := b.seated(c, "grid_worker", g); u != nil {
		in.UserID = u.id
	}
	if err := b.staff(ctx, grid, in); err != nil {
		return err
	}
	retired, heads, others := b.gridCandidates(c.homes[g])
	nRetired := min(len(retired), (m*retiredMemberPercent+50)/100)
	nHeads := min(m-1-nRetired-m*volunteerPercent/100, len(heads))
	helpers := b.helpers(retired[:nRetired], others, m-1-nRetired-nHeads)
	headed := map[int64]bool{}
	for _, h := range heads[:nHeads] {
		in := b.memberInput("building_head", h.p)
		in.Buildings = []int64{h.building.ID}
		headed[h.building.ID] = true
		if err := b.staff(ctx, grid, in); err != nil {
			return err
		}
	}
	k := 0
	for _, u := range buildings {
		if !headed[u.ID] && len(helpers) > 0 {
			helpers[k%len(helpers)].Buildings = append(helpers[k%len(helpers)].Buildings, u.ID)
			k++
		}
	}
	for _, in := range helpers {
		if err := b.staff(ctx, grid, in); err != nil {
			return err
		}
	}
	return nil
}

// helpers are a grid's retired party members and n volunteers: residents
// of the grid while there are any, then volunteers from elsewhere.
func (b *builder) helpers(retired, residents []*person, n int) []people.GridStaffInput {
	var out []people.GridStaffInput
	for _, p := range retired {
		out = append(out, b.memberInput("retired_party_member", p))
	}
	for k := range n {
		if k < len(residents) {
			out = append(out, b.memberInput("volunteer", residents[k]))
			continue
		}
		male := b.chance(500)
		out = append(out, people.GridStaffInput{Role: "member", Kind: "volunteer", Name: pick(b.rng, surnames) + givenName(b.rng, male, 0), Phone: b.ids.mobile(b.rng)})
	}
	return out
}

// gridCandidates sorts the living adults of a grid's households with a
// phone into retired party members (up to 80), one would-be building head
// per building (30 to 75), and others who may volunteer (18 to 70), each
// list shuffled.
func (b *builder) gridCandidates(homes []*home) (retired []*person, heads []resident, others []*person) {
	hasHead := map[int64]bool{}
	for _, h := range homes {
		for _, p := range h.members {
			switch {
			case !p.living() || p.phone == "" || p.age < 18 || p.age > 80:
			case p.member != nil && !p.member.inService && p.age >= retirementAge:
				retired = append(retired, p)
			case !hasHead[h.building.ID] && p.age >= 30 && p.age <= 75:
				hasHead[h.building.ID] = true
				heads = append(heads, resident{h.building, p})
			case p.age <= 70:
				others = append(others, p)
			}
		}
	}
	return shuffled(b.rng, retired), shuffled(b.rng, heads), shuffled(b.rng, others)
}

// memberInput is a grid member of a kind who is the resident p.
func (b *builder) memberInput(kind string, p *person) people.GridStaffInput {
	return people.GridStaffInput{Role: "member", Kind: kind, Name: p.name(), Phone: p.phone, ResidentID: p.id}
}

// ids lists the units' ids.
func ids(units []*org.Unit) []int64 {
	out := make([]int64, len(units))
	for i, u := range units {
		out[i] = u.ID
	}
	return out
}
