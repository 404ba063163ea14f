package demo

import (
	"context"
	"fmt"
	"math"
	"time"

	"grassroots/internal/people"
)

// worker is a community worker as written.
type worker struct {
	id    int64
	name  string
	phone string
}

// buildWorkers writes every community's workers: its party secretary, the
// positions of workerPlan, and a full-time grid worker for each grid.
func (b *builder) buildWorkers(ctx context.Context) error {
	communities := b.communities()
	ages := b.secretaryAges(len(communities))
	degrees := b.secretaryDegrees(len(communities))
	for i, c := range communities {
		c.workers = map[string][]*worker{}
		if err := b.writeWorker(ctx, c, "party_secretary", ages[i], degrees[i], secretaryPayBase); err != nil {
			return err
		}
		for _, wp := range workerPlan {
			for range between(b.rng, wp.min, wp.max) {
				if err := b.writeWorker(ctx, c, wp.position, b.age(wp.ageLo, wp.ageHi), draw(b.rng, educationPlan), wp.payBase); err != nil {
					return err
				}
			}
		}
		for range c.grids {
			age := b.age(gridWorkerAges[0], gridWorkerAges[1])
			if err := b.writeWorker(ctx, c, "grid_worker", age, draw(b.rng, educationPlan), gridWorkerPayBase); err != nil {
				return err
			}
		}
	}
	return nil
}

// secretaryAges draws n ages from a normal distribution around
// secretaryAgeTarget, within bounds, then moves the last draws by at most
// secretaryAgeSD each until the ages' mean is the target (to the nearest
// whole sum), and shuffles them so that the moved ones fall anywhere.
func (b *builder) secretaryAges(n int) []int {
	ages := make([]int, n)
	for i := range ages {
		ages[i] = clamp(int(math.Round(secretaryAgeTarget+secretaryAgeSD*b.rng.NormFloat64())), secretaryAgeMin, secretaryAgeMax)
	}
	want := int(math.Round(secretaryAgeTarget * float64(n)))
	for i := n - 1; i >= 0 && sum(ages) != want; i-- {
		move := clamp(want-sum(ages), -secretaryAgeSD, secretaryAgeSD)
		ages[i] = clamp(ages[i]+move, secretaryAgeMin, secretaryAgeMax)
	}
	return shuffled(b.rng, ages)
}

// secretaryDegrees deals degrees (college or above) to the share
// secretaryCollegeTarget of n secretaries, rounded to whole secretaries;
// the others finished high school.
func (b *builder) secretaryDegrees(n int) []string {
	out := make([]string, n)
	degrees := int(math.Round(secretaryCollegeTarget * float64(n)))
	for k, i := range b.rng.Perm(n) {
		out[i] = "high_school"
		if k < degrees {
			out[i] = draw(b.rng, degreePlan)
		}
	}
	return out
}

// clamp bounds x to [lo, hi].
func clamp(x, lo, hi int) int { return min(max(x, lo), hi) }

// writeWorker writes a community worker of a position, age and education,
// hired between 22 and 40 and paid a step above payBase for every
// payStepYears of service. A demo user seated in the position lends the
// worker their name.
func (b *builder) writeWorker(ctx context.Context, c *community, position string, age int, education string, payBase int) error {
	male := b.chance(400)
	birth := birthFor(b.rng, b.today, age)
	name := pick(b.rng, surnames) + givenName(b.rng, male, birth.Year())
	if u := b.seated(c, position, len(c.workers[position])); u != nil {
		name, male = u.name, u.male
	}
	hired := birth.AddDate(between(b.rng, 22, clamp(age, 22, 40)), 0, b.rng.IntN(365))
	if hired.After(b.today) {
		hired = b.today
	}
	years := int(b.today.Sub(hired).Hours() / 24 / 365)
	w := &worker{name: name, phone: b.ids.mobile(b.rng)}
	id, err := b.pl.Worker(ctx, c.unit, people.WorkerInput{
		Name: name, Gender: gender(male), BirthDate: birth.Format(time.DateOnly),
		IDNumber: b.ids.idNumber(b.rng, area(b.rng, "registered"), birth, male), Phone: w.phone,
		Position: position, Education: education, PayStep: min(people.MaxPayStep, payBase+years/payStepYears),
		HiredOn: hired.Format(time.DateOnly),
	})
	if err != nil {
		return fmt.Errorf("%s of %s: %w", position, c.unit.Name, err)
	}
	w.id = id
	c.workers[position] = append(c.workers[position], w)
	b.tally.workers++
	return nil
}
