package demo

import (
	"context"
	"fmt"
	"time"

	"grassroots/internal/people"
)

// post is a post of a community's needs list as written.
type post struct {
	id             int64
	slots, claimed int
}

// buildServices writes every community's needs list, then the posts its
// reported members claim and the service hours recorded for them.
func (b *builder) buildServices(ctx context.Context) error {
	for _, c := range b.communities() {
		if err := b.buildNeeds(ctx, c); err != nil {
			return err
		}
		if err := b.buildClaims(ctx, c); err != nil {
			return err
		}
	}
	if err := b.pl.ServiceHours(ctx, system, b.served); err != nil {
		return fmt.Errorf("service hours: %w", err)
	}
	return nil
}

// buildNeeds writes a community's needs list: one post of each category,
// then more of random categories, each title used once.
func (b *builder) buildNeeds(ctx context.Context, c *community) error {
	categories := people.PostKinds.Values
	titles := map[string][]string{}
	for cat, list := range postTitles {
		titles[cat] = shuffled(b.rng, list)
	}
	for k := range between(b.rng, postsMin, postsMax) {
		cat := categories[k%len(categories)]
		if k >= len(categories) {
			cat = pick(b.rng, categories)
		}
		if len(titles[cat]) == 0 {
			continue
		}
		in := people.PostInput{Category: cat, Title: titles[cat][0], Slots: between(b.rng, postSlots[0], postSlots[1]),
			Description: fmt.Sprintf("每月%d次，每次约%d小时，由社区统一安排时间。", between(b.rng, 1, 4), between(b.rng, 1, 3))}
		titles[cat] = titles[cat][1:]
		id, err := b.pl.Post(ctx, c.unit, in)
		if err != nil {
			return fmt.Errorf("post %s of %s: %w", in.Title, c.unit.Name, err)
		}
		c.posts = append(c.posts, &post{id: id, slots: in.Slots})
		b.tally.posts++
	}
	return nil
}

// buildClaims lets each member who reported to c claim posts that still
// have places, and records the services of most claims.
func (b *builder) buildClaims(ctx context.Context, c *community) error {
	var reported []*person
	c.each(func(_ int, _ *home, p *person) {
		if p.member != nil && !p.member.registeredOn.IsZero() {
			reported = append(reported, p)
		}
	})
	for _, p := range reported {
		want := between(b.rng, claimsMin, claimsMax)
		for _, ps := range shuffled(b.rng, c.posts) {
			if want == 0 {
				break
			}
			if ps.claimed >= ps.slots {
				continue
			}
			if err := b.pl.Claim(ctx, ps.id, p.member.id); err != nil {
				return fmt.Errorf("claim by %s: %w", p.name(), err)
			}
			ps.claimed++
			want--
			b.tally.claims++
			b.serve(p, ps)
		}
	}
	return nil
}

// serve records, for servedPermille of the claims, a few services at the
// post within the past year and since the member reported; buildServices
// writes them all at the end.
func (b *builder) serve(p *person, ps *post) {
	if !b.chance(servedPermille) {
		return
	}
	from := b.today.AddDate(-1, 0, 0)
	if p.member.registeredOn.After(from) {
		from = p.member.registeredOn
	}
	days := int(b.today.Sub(from).Hours()/24) + 1
	for range between(b.rng, sessionsMin, sessionsMax) {
		on := from.AddDate(0, 0, b.rng.IntN(days)).Format(time.DateOnly)
		minutes := 30 * between(b.rng, sessionMinutes[0]/30, sessionMinutes[1]/30)
		b.served = append(b.served, people.ServiceHoursRow{MemberID: p.member.id, PostID: ps.id, On: on, Minutes: minutes})
		b.tally.hours++
	}
}
