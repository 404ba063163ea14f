package volunteer

import (
	"errors"
	"testing"
	"time"

	"grassroots/internal/platform/apperr"
)

// refusal names what an error says: its code and message, or the field
// and the field's message; empty for nil.
func refusal(err error) string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return ""
	}
	for f, m := range e.Fields {
		return string(e.Code) + " " + f + ": " + m.Key
	}
	return string(e.Code) + " " + e.Msg.Key
}

// TestJudgeSignup walks the sign-up rules: who signs whom up, and what a
// shift, its activity and the volunteer's other sign-ups allow.
func TestJudgeSignup(t *testing.T) {
	now := time.Date(2025, 6, 10, 2, 0, 0, 0, time.UTC)
	start := now.Add(24 * time.Hour)
	end := start.Add(3 * time.Hour)
	// A volunteer of district 1 signs up for a shift of an activity in
	// district 1, one place taken out of two.
	base := func() SignupCase {
		return SignupCase{Self: true, VolunteerPath: "/1/2/", VolunteerStatus: "active", VolunteerSkills: []string{"first_aid"},
			Shift:    &Shift{ID: 5, StartsAt: start, EndsAt: end, Capacity: 2, Taken: 1, Skills: []string{"first_aid"}},
			Activity: &Activity{ID: 3, UnitPath: "/1/2/3/", Status: "published", TeamName: "蓝天队"}, Now: now}
	}
	cases := []struct {
		name   string
		change func(c *SignupCase)
		status string // the status it starts in
		why    string // or the refusal
	}{
		{name: "self, approved at once", status: SignupApproved},
		{name: "self, for an activity that approves sign-ups", change: func(c *SignupCase) { c.Activity.NeedsApproval = true }, status: SignupPending},
		{name: "an organiser's is approved at once",
			change: func(c *SignupCase) {
				c.Self, c.ManagesVolunteer, c.ManagesActivity, c.Activity.NeedsApproval = false, true, true, true
			},
			status: SignupApproved},
		{name: "an organiser signs up a volunteer they do not look after",
			change: func(c *SignupCase) { c.Self, c.ManagesActivity, c.Shift, c.Activity = false, true, nil, nil },
			why:    "invalid volunteer_id: vol.volunteer_not_found"},
		{name: "an organiser for an activity they do not run",
			change: func(c *SignupCase) { c.Self, c.ManagesVolunteer = false, true }, why: "not_found error.not_found"},
		{name: "an organiser, for a volunteer of another district",
			change: func(c *SignupCase) {
				c.Self, c.ManagesVolunteer, c.ManagesActivity, c.VolunteerPath = false, true, true, "/8/9/"
			},
			why: "invalid volunteer_id: vol.volunteer_not_found"},
		{name: "no such shift", change: func(c *SignupCase) { c.Shift, c.Activity = nil, nil }, why: "not_found error.not_found"},
		{name: "self, in another district", change: func(c *SignupCase) { c.VolunteerPath = "/8/9/" }, why: "not_found error.not_found"},
		{name: "a cancelled activity", change: func(c *SignupCase) { c.Activity.Status = "cancelled" }, why: "conflict vol.activity_cancelled"},
		{name: "a shift under way", change: func(c *SignupCase) { c.Now = start }, why: "conflict vol.shift_started"},
		{name: "an inactive volunteer", change: func(c *SignupCase) { c.VolunteerStatus = "suspended" }, why: "conflict vol.volunteer_inactive"},
		{name: "a team's own activity, outside the team", change: func(c *SignupCase) { c.Activity.TeamOnly = true }, why: "conflict vol.team_only"},
		{name: "a team's own activity, in the team", change: func(c *SignupCase) { c.Activity.TeamOnly, c.InTeam = true, true }, status: SignupApproved},
		{name: "a missing skill", change: func(c *SignupCase) { c.VolunteerSkills = []string{"driving"} }, why: "conflict vol.missing_skill"},
		{name: "signed up already", change: func(c *SignupCase) { c.Earlier = SignupPending }, why: "conflict vol.already_signed_up"},
		{name: "turned down before", change: func(c *SignupCase) { c.Earlier = SignupRejected }, why: "conflict vol.was_rejected"},
		{name: "withdrawn before, so back again", change: func(c *SignupCase) { c.Earlier = SignupCancelled }, status: SignupApproved},
		{name: "a full shift", change: func(c *SignupCase) { c.Shift.Taken = 2 }, why: "conflict vol.shift_full"},
		{name: "an overlapping sign-up",
			change: func(c *SignupCase) {
				c.Others = []Signup{{ShiftID: 6, StartsAt: end.Add(-time.Hour), EndsAt: end.Add(time.Hour), Status: SignupApproved}}
			},
			why: "conflict vol.overlap"},
		{name: "one that ends as this one starts",
			change: func(c *SignupCase) {
				c.Others = []Signup{{ShiftID: 6, StartsAt: start.Add(-time.Hour), EndsAt: start, Status: SignupApproved}}
			},
			status: SignupApproved},
		{name: "an overlapping sign-up withdrawn",
			change: func(c *SignupCase) {
				c.Others = []Signup{{ShiftID: 6, StartsAt: start, EndsAt: end, Status: SignupCancelled}}
			},
			status: SignupApproved},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := base()
			if c.change != nil {
				c.change(&sc)
			}
			status, err := JudgeSignup(sc)
			if got := refusal(err); got != c.why || status != c.status {
				t.Errorf("got %q, %q (%v), want %q, %q", status, got, err, c.status, c.why)
			}
		})
	}
}

// TestJudgeRedemption walks the rules of spending points at a merchant.
func TestJudgeRedemption(t *testing.T) {
	base := func() RedeemCase {
		return RedeemCase{Amount: 300, MerchantID: 4, MerchantPath: "/1/2/", VolunteerPath: "/1/3/", Balance: 1000}
	}
	item := &Item{ID: 7, MerchantID: 4, Price: 250, Active: true}
	cases := []struct {
		name   string
		change func(c *RedeemCase)
		cost   Points
		why    string
	}{
		{name: "an amount", cost: 300},
		{name: "the whole balance", change: func(c *RedeemCase) { c.Amount = 1000 }, cost: 1000},
		{name: "more than the balance", change: func(c *RedeemCase) { c.Amount = 1001 }, why: "conflict lb.insufficient"},
		{name: "items cost their price times the quantity",
			change: func(c *RedeemCase) { c.ItemID, c.Quantity, c.Item = 7, 4, item }, cost: 1000},
		{name: "too many items", change: func(c *RedeemCase) { c.ItemID, c.Quantity, c.Item = 7, 5, item }, why: "conflict lb.insufficient"},
		{name: "an item the merchant does not have", change: func(c *RedeemCase) { c.ItemID, c.Quantity = 7, 1 },
			why: "invalid item_id: lb.item_unknown"},
		{name: "another merchant's item",
			change: func(c *RedeemCase) {
				c.ItemID, c.Quantity, c.Item = 7, 1, &Item{ID: 7, MerchantID: 5, Price: 1, Active: true}
			},
			why: "invalid item_id: lb.item_unknown"},
		{name: "an item off the list",
			change: func(c *RedeemCase) { c.ItemID, c.Quantity, c.Item = 7, 1, &Item{ID: 7, MerchantID: 4, Price: 1} },
			why:    "invalid item_id: lb.item_unknown"},
		{name: "a merchant of another district", change: func(c *RedeemCase) { c.MerchantPath = "/8/9/" }, why: "invalid code: lb.other_district"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := base()
			if c.change != nil {
				c.change(&rc)
			}
			cost, err := JudgeRedemption(rc)
			if got := refusal(err); got != c.why || cost != c.cost {
				t.Errorf("got %v, %q (%v), want %v, %q", cost, got, err, c.cost, c.why)
			}
		})
	}
	for _, c := range []struct {
		found, used bool
		why         string
	}{{false, false, "invalid code: lb.pass_unknown"}, {true, true, "invalid code: lb.pass_used"}, {true, false, "invalid code: lb.pass_expired"}} {
		if got := refusal(passRefusal(c.found, c.used)); got != c.why {
			t.Errorf("pass found %v, used %v: %q, want %q", c.found, c.used, got, c.why)
		}
	}
}
