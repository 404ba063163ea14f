package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
)

// partyMember is a resident's party membership as written.
type partyMember struct {
	id           int64
	inService    bool
	joined       time.Time
	registeredOn time.Time // zero unless the member reported to their community
}

// workplace is a grassroots party organisation whose members work there:
// an organ, an enterprise, a school, a hospital or a social organisation.
type workplace struct {
	orgID    int64
	employer string
}

// workplaceTypes are the checklist types whose organisations employ
// in-service members.
var workplaceTypes = []org.PartyOrgType{
	org.GovernmentOrgan, org.StateEnterprise, org.School, org.PublicHospital, org.NonPublicEnterprise, org.SocialOrganisation,
}

// isWorkplace reports whether an organisation of type t named base
// employs its members (a retired cadres' branch does not).
func isWorkplace(t org.PartyOrgType, base string) bool {
	for _, w := range workplaceTypes {
		if w == t {
			return !strings.Contains(base, "离退休")
		}
	}
	return false
}

// buildMembers writes the party members: first the in-service members,
// dealt over the communities with their reports, then retired and other
// members drawn among the rest.
func (b *builder) buildMembers(ctx context.Context) error {
	coBuilding := map[string]int64{}
	for _, u := range b.coBuilding {
		coBuilding[u.name] = u.id
	}
	communities := b.communities()
	weights := make([]int, len(communities))
	limits := make([]int, len(communities))
	for i, c := range communities {
		n := 0
		c.each(func(_ int, _ *home, p *person) {
			if p.living() && p.workingAge() {
				n++
			}
		})
		weights[i], limits[i] = n, n
	}
	reported, err := apportion(inServiceReported, weights, 0, limits)
	if err != nil {
		return fmt.Errorf("in-service members: %w", err)
	}
	for i, c := range communities {
		unreported := (reported[i]*inServiceUnreportedPermille + 500) / 1000
		if err := b.buildInService(ctx, c, reported[i], unreported, coBuilding); err != nil {
			return err
		}
	}
	for _, c := range communities {
		if err := b.buildResidentMembers(ctx, c); err != nil {
			return err
		}
	}
	return nil
}

// each calls fn for every person of the community, grid by grid.
func (c *community) each(fn func(grid int, h *home, p *person)) {
	for g, homes := range c.homes {
		for _, h := range homes {
			for _, p := range h.members {
				fn(g, h, p)
			}
		}
	}
}

// buildInService makes reported + unreported working-age residents of c
// in-service members of the district's workplaces; the first reported ones
// report to c.
func (b *builder) buildInService(ctx context.Context, c *community, reported, unreported int, coBuilding map[string]int64) error {
	var pool []resident
	c.each(func(_ int, h *home, p *person) {
		if p.living() && p.workingAge() {
			pool = append(pool, resident{h.building, p})
		}
	})
	pool = shuffled(b.rng, pool)[:min(len(pool), reported+unreported)]
	for i, r := range pool {
		w := draw(b.rng, b.workplaces)
		in := people.PartyMemberInput{PartyOrgID: w.orgID, InService: true, Employer: w.employer, CoBuildingUnitID: coBuilding[w.employer]}
		if err := b.writeMember(ctx, r.building, r.p, in); err != nil {
			return err
		}
		if i >= reported {
			continue
		}
		if err := b.report(ctx, c, r.p); err != nil {
			return err
		}
	}
	return nil
}

// report records that an in-service member reported to their community,
// on a day since reportedFromYear and after they joined.
func (b *builder) report(ctx context.Context, c *community, p *person) error {
	from := time.Date(reportedFromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	if p.member.joined.After(from) {
		from = p.member.joined
	}
	on := from.AddDate(0, 0, b.rng.IntN(int(b.today.Sub(from).Hours()/24)+1))
	if err := b.pl.Register(ctx, p.member.id, c.unit, on.Format(time.DateOnly)); err != nil {
		return fmt.Errorf("report of %s to %s: %w", p.name(), c.unit.Name, err)
	}
	p.member.registeredOn = on
	b.tally.reported++
	return nil
}

// buildResidentMembers draws the party members among c's residents who are
// not in service: most are retired, and belong to the party organisation
// of their community or area.
func (b *builder) buildResidentMembers(ctx context.Context, c *community) error {
	for g, homes := range c.homes {
		orgID := b.partyAt[c.grids[g].ParentID]
		for _, h := range homes {
			for _, p := range h.members {
				rate := otherMemberPermille
				if p.age >= retirementAge {
					rate = retiredMemberPermille
				}
				if !p.living() || p.member != nil || p.age < workingAgeFrom || !b.chance(rate) {
					continue
				}
				if err := b.writeMember(ctx, h.building, p, people.PartyMemberInput{PartyOrgID: orgID}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// writeMember records p, living in building, as a party member who
// joined at an age of joinAges (and not after today); members who joined
// within the last year are still probationary.
func (b *builder) writeMember(ctx context.Context, building *org.Unit, p *person, in people.PartyMemberInput) error {
	at := between(b.rng, joinAges[0], clamp(p.age, joinAges[0], joinAges[1]))
	joined := p.birth.AddDate(at, 0, b.rng.IntN(365))
	if joined.After(b.today) {
		joined = b.today
	}
	in.ResidentID, in.JoinedOn, in.Status = p.id, joined.Format(time.DateOnly), "full"
	if joined.After(b.today.AddDate(-1, 0, 0)) {
		in.Status = "probationary"
	}
	id, err := b.pl.PartyMember(ctx, building.Path, in)
	if err != nil {
		return fmt.Errorf("party member %s: %w", p.name(), err)
	}
	p.member = &partyMember{id: id, inService: in.InService, joined: joined}
	b.tally.partyMembers++
	return nil
}
