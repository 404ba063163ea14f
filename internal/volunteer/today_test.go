package volunteer

import (
	"testing"
	"time"

	"grassroots/internal/platform/date"
)

// TestDatesOnTheDistrictsDay checks the dates a volunteer's record takes
// against the district's day, with the clock at 00:30 in Shanghai (16:30
// UTC the day before) and at 23:30 UTC (07:30 the next day in Shanghai):
// today is allowed, tomorrow is not.
func TestDatesOnTheDistrictsDay(t *testing.T) {
	for _, clock := range []time.Time{
		time.Date(2026, 6, 14, 16, 30, 0, 0, time.UTC),
		time.Date(2026, 6, 14, 23, 30, 0, 0, time.UTC),
	} {
		const today, tomorrow = "2026-06-15", "2026-06-16"
		if date.Today(clock) != today {
			t.Fatalf("today at %v is %s", clock, date.Today(clock))
		}
		in := VolunteerInput{UnitID: 1, Name: "王芳", IDNumber: idNumber("36040320080615002"), RegisteredOn: today}
		if c, err := in.validate(clock); err != nil || c.registered != today {
			t.Errorf("at %v: registered today: %+v %v", clock, c, err)
		}
		if c, err := (VolunteerInput{ResidentID: 1}).validate(clock); err != nil || c.registered != today {
			t.Errorf("at %v: registered on the default day: %+v %v", clock, c, err)
		}
		in.RegisteredOn = tomorrow
		if _, err := in.validate(clock); keyOf(err) != "vol.date_future" {
			t.Errorf("at %v: registered tomorrow: %v", clock, err)
		}
		e := EntryInput{Kind: "training", On: today, Title: "急救培训", Minutes: 60}
		if on, err := e.validate(clock); err != nil || on != today {
			t.Errorf("at %v: a training today: %s %v", clock, on, err)
		}
		e.On = tomorrow
		if _, err := e.validate(clock); keyOf(err) != "vol.date_future" {
			t.Errorf("at %v: a training tomorrow: %v", clock, err)
		}
	}
}
