package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"grassroots/internal/platform/pii"
)

// identities issues identity numbers and mobile numbers, each once.
type identities struct {
	ids, phones map[string]bool
}

func newIdentities() *identities {
	return &identities{ids: map[string]bool{}, phones: map[string]bool{}}
}

// idNumber issues a GB 11643 identity number: the area code, the birth
// date, a two-digit sequence, a digit odd for men and even for women, and
// the check character.
func (ids *identities) idNumber(r *rand.Rand, area string, birth time.Time, male bool) string {
	if area == oldCounty && birth.Year() >= countyRenamed {
		area = newCounty
	}
	for {
		sex := 2 * r.IntN(5)
		if male {
			sex++
		}
		first := fmt.Sprintf("%s%s%02d%d", area, birth.Format("20060102"), r.IntN(100), sex)
		id := first + string(pii.IDCheckChar(first))
		if !ids.ids[id] {
			ids.ids[id] = true
			return id
		}
	}
}

// mobile issues a mobile number: 1[3-9]x and eight digits.
func (ids *identities) mobile(r *rand.Rand) string {
	for {
		p := fmt.Sprintf("%s%08d", pick(r, mobilePrefixes), r.IntN(100000000))
		if !ids.phones[p] {
			ids.phones[p] = true
			return p
		}
	}
}

// area draws the area code of a person registered as residence says:
// floating residents come from outside Jiujiang.
func area(r *rand.Rand, residence string) string {
	areas := jiujiangAreas
	if residence == "floating" {
		areas = outsideAreas
	}
	return draw(r, areas)
}

// birthFor draws a birth date that makes a person age whole years old on
// today.
func birthFor(r *rand.Rand, today time.Time, age int) time.Time {
	first := today.AddDate(-age-1, 0, 1)
	days := int(today.AddDate(-age, 0, 0).Sub(first).Hours() / 24)
	return first.AddDate(0, 0, r.IntN(days+1))
}

// gender names a sex as the people module does.
func gender(male bool) string {
	if male {
		return "male"
	}
	return "female"
}

// draw draws one of the choices by their weights.
func draw[T any](r *rand.Rand, choices []choice[T]) T {
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := r.IntN(total)
	for _, c := range choices {
		if n -= c.weight; n < 0 {
			return c.value
		}
	}
	return choices[len(choices)-1].value
}
