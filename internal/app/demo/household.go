package demo

import (
	"time"

	"grassroots/internal/org"
)

// householdShape is who lives together in a household; householdPlan
// weighs them.
type householdShape int

const (
	youngSingle          householdShape = iota // a young adult alone
	youngCouple                                // a young couple without children
	nuclearOne                                 // a couple with one child
	nuclearTwo                                 // a couple with two children
	singleParent                               // a parent with a child
	middleCouple                               // a middle-aged couple whose children have left
	threeGenerations                           // a couple, a child and one or two of the husband's parents
	elderlyCouple                              // an elderly couple
	elderlyAlone                               // an elderly person alone
	grandparentsAndChild                       // grandparents with a grandchild whose parents work away
	elderWithChild                             // a very old parent with an adult child
)

// person is a resident as drawn and, once written, its id.
type person struct {
	id              int64
	surname, given  string
	male            bool
	age             int
	birth           time.Time
	relation        string
	residence, area string // area: where the identity number says they were registered
	idNumber, phone string
	ethnicity       string
	tags            []string
	status          string // living, deceased or moved_out
	statusOn        time.Time
	member          *partyMember
}

func (p *person) name() string { return p.surname + p.given }

func (p *person) living() bool { return p.status == "living" }

func (p *person) elderly() bool { return p.age >= elderlyAge }

// workingAge reports whether p is of the age of in-service party members.
func (p *person) workingAge() bool { return p.age >= workingAgeFrom && p.age < retirementAge }

// home is a household as drawn, in a building of one of its community's
// grids.
type home struct {
	id       int64
	building *org.Unit
	room     string
	members  []*person // the head first
}

// resident is a person and the building they live in.
type resident struct {
	building *org.Unit
	p        *person
}

// drawHousehold draws the members of a household of shape s, the head
// first, with their relations to the head and the care tags the shape
// gives; names, identities and the other tags come later.
func (b *builder) drawHousehold(s householdShape) []*person {
	var out []*person
	switch s {
	case youngSingle:
		out = []*person{b.newPerson(b.age(20, 34), b.chance(550))}
	case youngCouple:
		out = b.couple(23, 38)
	case nuclearOne:
		out = b.withChildren(b.couple(27, 58), 1, 28)
	case nuclearTwo:
		out = b.withChildren(b.couple(30, 54), 2, 25)
	case singleParent:
		out = b.withChildren([]*person{b.newPerson(b.age(30, 58), b.chance(250))}, 1, 28)
	case middleCouple:
		out = b.couple(48, 68)
	case threeGenerations:
		out = b.withParents(b.withChildren(b.husbandFirst(b.couple(28, 50)), 1, 22))
	case elderlyCouple:
		out = b.couple(62, 94)
	case elderlyAlone:
		out = []*person{b.newPerson(b.age(elderlyAge, 97), b.chance(350))}
	case grandparentsAndChild:
		out = b.husbandFirst(b.couple(55, 75))
		child := b.newPerson(b.age(3, 15), b.chance(520))
		child.relation = "grandchild"
		child.tags = append(child.tags, "left_behind_child")
		out = append(out, child)
	case elderWithChild:
		parent := b.newPerson(b.age(75, 97), b.chance(300))
		child := b.newPerson(b.age(40, min(parent.age-20, 65)), b.chance(500))
		child.relation = "child"
		out = []*person{parent, child}
	}
	out[0].relation = "head"
	b.shapeTags(out)
	return out
}

// newPerson is a person of an age and sex, living.
func (b *builder) newPerson(age int, male bool) *person {
	return &person{age: age, male: male, status: "living"}
}

// chance is true with a probability given per mille.
func (b *builder) chance(permille int) bool { return b.rng.IntN(1000) < permille }

// age draws an age in [lo, hi] weighted by the age pyramid.
func (b *builder) age(lo, hi int) int {
	top := 0.0
	for a := lo; a <= hi; a++ {
		top = max(top, pyramidWeight(a))
	}
	for {
		a := between(b.rng, lo, hi)
		if b.rng.Float64()*top < pyramidWeight(a) {
			return a
		}
	}
}

// pyramidWeight is the age pyramid's weight of an age.
func pyramidWeight(age int) float64 { return agePyramid[min(age/5, len(agePyramid)-1)] }

// couple draws a married couple, the husband aged lo to hi and his wife
// up to four years younger; the husband heads most households.
func (b *builder) couple(lo, hi int) []*person {
	husband := b.newPerson(b.age(lo, hi), true)
	wife := b.newPerson(max(husband.age-between(b.rng, 0, 4), 20), false)
	husband.relation, wife.relation = "spouse", "spouse"
	if b.chance(250) {
		return []*person{wife, husband}
	}
	return []*person{husband, wife}
}

// husbandFirst puts the husband of a couple first, as its head.
func (b *builder) husbandFirst(c []*person) []*person {
	if !c[0].male {
		c[0], c[1] = c[1], c[0]
	}
	return c
}

// withChildren adds n children, born when their mother (or the single
// parent) was 22 to 38, and at most oldest years old.
func (b *builder) withChildren(parents []*person, n, oldest int) []*person {
	mother := parents[0]
	for _, p := range parents {
		if !p.male {
			mother = p
		}
	}
	hi := max(0, min(mother.age-22, oldest))
	for range n {
		c := b.newPerson(b.age(clamp(mother.age-38, 0, hi), hi), b.chance(515))
		c.relation = "child"
		parents = append(parents, c)
	}
	return parents
}

// withParents adds one or both of the head's parents.
func (b *builder) withParents(family []*person) []*person {
	father := b.newPerson(min(family[0].age+between(b.rng, 22, 32), 97), true)
	mother := b.newPerson(max(father.age-between(b.rng, 0, 4), family[0].age+20), false)
	parents := []*person{mother}
	if b.chance(400) {
		parents = append(parents, father)
	}
	for _, p := range parents {
		p.relation = "parent"
	}
	return append(family, parents...)
}

// shapeTags gives the tags that follow from who lives together: an
// elderly person alone lives alone (独居); elderly people living only with
// each other are an empty nest (空巢).
func (b *builder) shapeTags(family []*person) {
	for _, p := range family {
		if !p.elderly() {
			return
		}
	}
	tag := "empty_nest"
	if len(family) == 1 {
		tag = "elderly_alone"
	}
	for _, p := range family {
		p.tags = append(p.tags, tag)
	}
}
