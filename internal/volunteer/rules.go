package volunteer

import (
	"slices"
	"time"

	"grassroots/internal/platform/apperr"
)

// The rules of signing up for a shift and of spending points, with no SQL:
// the stores load what a rule looks at, ask the rule, and write what it
// allows.

// SignupCase is what a sign-up is judged on: who signs whom up, the
// volunteer, the shift and its activity, and what the volunteer already
// has.
type SignupCase struct {
	Self             bool // the volunteer signs up themselves
	ManagesVolunteer bool // an organiser looks after the volunteer
	ManagesActivity  bool // an organiser runs the activity
	VolunteerPath    string
	VolunteerStatus  string
	VolunteerSkills  []string
	Shift            *Shift    // with Taken; nil if there is no such shift
	Activity         *Activity // the shift's
	InTeam           bool      // the volunteer is in the activity's team
	Earlier          string    // the status of an earlier sign-up for the shift, if any
	Others           []Signup  // the volunteer's other active sign-ups not over when the shift starts
	Now              time.Time
}

// JudgeSignup says whether a sign-up may be made, and in which status:
// approved, or pending when a volunteer signs up themselves for an
// activity that approves its sign-ups. A volunteer signs themselves up
// anywhere in their district; an organiser signs up only a volunteer they
// look after, for an activity they run. Refused: a volunteer the organiser
// does not look after (as if there were none, before anything about the
// shift), a shift out of reach, a cancelled activity, a shift that has
// started, an inactive volunteer, a team's own activity for someone not
// in the team, a missing skill, a second sign-up or one turned down
// before, a full shift, and one that overlaps another of the volunteer's.
func JudgeSignup(c SignupCase) (string, error) {
	if !c.Self && !c.ManagesVolunteer {
		return "", apperr.FieldInvalid("volunteer_id", "vol.volunteer_not_found")
	}
	sh, a := c.Shift, c.Activity
	if sh == nil || a == nil {
		return "", apperr.NotFoundf("班次")
	}
	status := SignupApproved
	sameDistrict := districtOf(a.UnitPath) == districtOf(c.VolunteerPath)
	switch {
	case c.Self && !sameDistrict, !c.Self && !c.ManagesActivity:
		return "", apperr.NotFoundf("班次")
	case !c.Self && !sameDistrict:
		return "", apperr.FieldInvalid("volunteer_id", "vol.volunteer_not_found")
	case c.Self && a.NeedsApproval:
		status = SignupPending
	}
	switch {
	case a.Status != "published":
		return "", apperr.New(apperr.Conflict, "vol.activity_cancelled")
	case !c.Now.Before(sh.StartsAt):
		return "", apperr.New(apperr.Conflict, "vol.shift_started")
	case c.VolunteerStatus != "active":
		return "", apperr.New(apperr.Conflict, "vol.volunteer_inactive")
	case a.TeamOnly && !c.InTeam:
		return "", apperr.New(apperr.Conflict, "vol.team_only", a.TeamName)
	}
	for _, sk := range sh.Skills {
		if !slices.Contains(c.VolunteerSkills, sk) {
			return "", apperr.New(apperr.Conflict, "vol.missing_skill", SkillMsg(sk))
		}
	}
	switch c.Earlier {
	case SignupPending, SignupApproved:
		return "", apperr.New(apperr.Conflict, "vol.already_signed_up")
	case SignupRejected:
		return "", apperr.New(apperr.Conflict, "vol.was_rejected")
	}
	if sh.Taken >= sh.Capacity {
		return "", apperr.New(apperr.Conflict, "vol.shift_full")
	}
	for _, o := range c.Others {
		if o.ShiftID != sh.ID && o.Active() && Overlaps(o.StartsAt, o.EndsAt, sh.StartsAt, sh.EndsAt) {
			return "", apperr.New(apperr.Conflict, "vol.overlap", o.ActivityTitle)
		}
	}
	return status, nil
}

// RedeemCase is what a redemption is judged on, once the volunteer's
// one-time code has been taken: what is bought, where, and what the
// volunteer has.
type RedeemCase struct {
	Amount        Points // asked, when no item is
	ItemID        int64  // asked, if any
	Quantity      int
	Item          *Item // the item asked for, if the merchant has it
	MerchantID    int64
	MerchantPath  string
	VolunteerPath string
	Balance       Points // the volunteer's
}

// JudgeRedemption says what a redemption costs: the amount asked, or the
// item's price times the quantity. Refused: an item the merchant does not
// have or has taken off its list, a merchant of another district (points
// are a district's: its bank issued them and settles them with its own
// shops), and more than the volunteer's balance.
func JudgeRedemption(c RedeemCase) (Points, error) {
	amount := c.Amount
	if c.ItemID != 0 {
		it := c.Item
		if it == nil || it.ID != c.ItemID || it.MerchantID != c.MerchantID || !it.Active {
			return 0, apperr.FieldInvalid("item_id", "lb.item_unknown")
		}
		amount = it.Price * Points(c.Quantity)
	}
	if districtOf(c.VolunteerPath) != districtOf(c.MerchantPath) {
		return 0, apperr.FieldInvalid("code", "lb.other_district")
	}
	if amount > c.Balance {
		return 0, apperr.New(apperr.Conflict, "lb.insufficient", c.Balance.String(), amount.String())
	}
	return amount, nil
}

// passRefusal says why a one-time code could not be taken: there is no
// such code, it has been used, or (neither) it has expired.
func passRefusal(found, used bool) error {
	switch {
	case !found:
		return apperr.FieldInvalid("code", "lb.pass_unknown")
	case used:
		return apperr.FieldInvalid("code", "lb.pass_used")
	}
	return apperr.FieldInvalid("code", "lb.pass_expired")
}
