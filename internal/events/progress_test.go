package events

import (
	"testing"
	"time"

	"grassroots/internal/platform/workcal"
)

func TestStagesToneAndWaits(t *testing.T) {
	now := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) // Monday 10:00 in Shanghai
	past, soon := now.Add(-time.Hour), now.Add(time.Hour)
	at := &past
	cases := []struct {
		name    string
		e       Event
		current string // the stage marked current, paused or stopped ("" if all done)
		status  string
		tone    string
		waits   []Action
	}{
		{"reported", Event{State: Reported, StageDueAt: &soon}, "accept", "current", "open", []Action{ActAccept}},
		{"overdue dispatch", Event{State: Accepted, StageDueAt: &past}, "dispatch", "current", "red", []Action{ActDispatch}},
		{"yellow sign", Event{State: Dispatched, StageDueAt: &soon, WarnAt: &past}, "sign", "current", "yellow", []Action{ActSign}},
		{"request waits first", Event{State: Signed, Pending: ActAskExtension, StageDueAt: &soon}, "handle", "current", "open", []Action{ActApprove, ActHandle}},
		{"rework", Event{State: Rework}, "handle", "current", "open", []Action{ActHandle}},
		{"handled", Event{State: Handled}, "verify", "current", "open", []Action{ActPass}},
		{"closed, to rate", Event{State: Closed}, "close", "current", "done", []Action{ActRate}},
		{"rated", Event{State: Closed, Rating: 4}, "", "", "done", nil},
		{"deferred", Event{State: Deferred, DeferredFrom: Signed}, "handle", "paused", "paused", []Action{ActResume}},
		{"rejected", Event{State: Rejected}, "accept", "stopped", "stopped", nil},
		{"void after acceptance", Event{State: Void, AcceptedAt: at}, "dispatch", "stopped", "stopped", nil},
	}
	for _, c := range cases {
		cur, status := "", ""
		for i, s := range c.e.Stages() {
			if s.Status != "done" && s.Status != "todo" {
				cur, status = s.Key, s.Status
			}
			if cur == "" && s.Status == "todo" {
				t.Errorf("%s: stage %d to come before the current one", c.name, i)
			}
		}
		if cur != c.current || status != c.status {
			t.Errorf("%s: stage %s %s, want %s %s", c.name, cur, status, c.current, c.status)
		}
		if got := c.e.Tone(now); got != c.tone {
			t.Errorf("%s: tone %s, want %s", c.name, got, c.tone)
		}
		got := c.e.Waits()
		if len(got) != len(c.waits) {
			t.Errorf("%s: waits %v, want %v", c.name, got, c.waits)
			continue
		}
		for i := range got {
			if got[i] != c.waits[i] {
				t.Errorf("%s: waits %v, want %v", c.name, got, c.waits)
			}
		}
	}
}

func TestTimeLeft(t *testing.T) {
	cal := workcal.New(nil, nil)
	mon10 := time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) // Monday 10:00 in Shanghai
	due := mon10.Add(3 * time.Hour)                      // 13:00: two working hours away (lunch 12-14)
	e := Event{State: Signed, StageDueAt: &due}
	if left, over, ok := e.TimeLeft(mon10, cal); !ok || over || left != (workcal.Limit{Minutes: 120}) {
		t.Errorf("left %v over %v ok %v, want 2 working hours", left, over, ok)
	}
	later := mon10.AddDate(0, 0, 3) // Thursday 10:00: past by two and a half working days
	if left, over, _ := e.TimeLeft(later, cal); !over || left != (workcal.Limit{Days: 2}) {
		t.Errorf("overdue %v by %v, want 2 working days", over, left)
	}
	e.Whistle = Emergency
	if left, _, _ := e.TimeLeft(mon10, cal); left != (workcal.Limit{Minutes: 180}) {
		t.Errorf("emergency: %v, want 3 hours by the clock", left)
	}
	e.State = Deferred
	if _, _, ok := e.TimeLeft(mon10, cal); ok {
		t.Error("a deferred event's clock stands")
	}
}
