package people

import (
	"context"
	"fmt"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
)

// ResidentStatus records, in a bulk load, that a resident died or moved
// out on a day; the household's history keeps it, as SetResidentStatus does.
func (l *Loader) ResidentStatus(ctx context.Context, actor *auth.Actor, householdID, residentID int64, status, on string) error {
	day, err := date.Parse(on)
	if !Statuses.Has(status) || err != nil || (day == "" && status != "living") {
		return apperr.FieldInvalid("status", "field.bad_choice")
	}
	if _, err := l.tx.Exec(ctx, `UPDATE residents SET status = ?, status_on = ?, updated_at = ? WHERE id = ?`, status, day, l.s.now(), residentID); err != nil {
		return apperr.Wrap(err)
	}
	detail := fmt.Sprintf(`{"from":"living","to":%q,"on":%q,"note":""}`, status, day)
	return apperr.Wrap(l.s.history(ctx, l.tx, actor, householdID, residentID, "status", detail))
}

// Claim records that a member claimed a post of their community's needs list.
func (l *Loader) Claim(ctx context.Context, postID, memberID int64) error {
	_, err := l.tx.Exec(ctx, `INSERT INTO service_claims (post_id, party_member_id, claimed_at) VALUES (?, ?, ?)`, postID, memberID, l.s.now())
	if db.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "people.already_claimed")
	}
	return apperr.Wrap(err)
}

// Hours records minutes a member served on a day, at a post (0 for none),
// as recorded by actor.
func (l *Loader) Hours(ctx context.Context, actor *auth.Actor, memberID, postID int64, on string, minutes int, note string) error {
	day, err := date.Parse(on)
	var f apperr.Fields
	if err != nil || day == "" {
		f.Add("served_on", "field.bad_date")
	}
	if minutes <= 0 || minutes > 24*60 {
		f.Add("minutes", "web.out_of_range", 1, 24*60)
	}
	if utf8.RuneCountInString(note) > 500 {
		f.Add("note", "field.too_long", 500)
	}
	if err := f.Err(); err != nil {
		return err
	}
	_, err = l.tx.Exec(ctx, `INSERT INTO service_hours (party_member_id, post_id, served_on, minutes, note, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		memberID, nullID(postID), day, minutes, note, actor.Username, l.s.now())
	return apperr.Wrap(err)
}
