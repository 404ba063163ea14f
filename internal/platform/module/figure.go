package module

import (
	"bytes"
	"encoding/json"
	"time"

	"grassroots/internal/platform/i18n"
)

// Figure is one number of the overview, counted from a module's rows in
// the actor's scope.
type Figure struct {
	// Name is the figure's field in /api/v1/overview.
	Name string
	// Value is an int, a float64 or a map[string]int.
	Value any
	// Label is the message key of the figure's name on the home page;
	// a figure without one is in the API only.
	Label string
	// Href is the list behind the figure.
	Href string
	// UpTo is the lowest unit type whose staff the figure speaks to on
	// the home page ("community": shown to those whose widest unit is a
	// community or above); empty, it speaks to everyone.
	UpTo string
	// Period is the message key of the time the figure covers ("" for
	// what stands now).
	Period string
	// Percent says Value is a share (0..1), shown on the home page as
	// a whole percentage.
	Percent bool
}

// Overview is the figures of every module, in the modules' order; as
// JSON it is one object keyed by Figure.Name in that order.
type Overview []Figure

// MarshalJSON writes the figures as one object in their order.
func (o Overview) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Get returns the figure named name.
func (o Overview) Get(name string) (Figure, bool) {
	for _, f := range o {
		if f.Name == name {
			return f, true
		}
	}
	return Figure{}, false
}

// Todo is one kind of work waiting for an actor: events to accept, hours
// to verify.
type Todo struct {
	// Name names the kind of work ("events.accept"), unique across modules.
	Name string
	// Label is the message key of what waits ("待受理事件").
	Label string
	// Count is how many wait in the actor's scope.
	Count int
	// Due is the most urgent deadline among them, if they have deadlines.
	Due *time.Time
	// Overdue counts those past their deadline.
	Overdue int
	// Href is the list of exactly these items.
	Href string
}

// Shortcut is a thing to start from the home page ("上报事件"), for an
// actor who may do it.
type Shortcut struct {
	// Label is the message key of the button's words.
	Label string
	// Href is the form that starts it.
	Href string
	// Primary marks the role's main task, shown first and larger.
	Primary bool
}

func init() {
	i18n.Register(i18n.Catalog{
		"period.last_30_days": {Zh: "近30天", En: "last 30 days"},
	})
}
