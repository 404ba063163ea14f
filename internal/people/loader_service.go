package people

import (
	"context"
	"strings"
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
	detail := jsonText(map[string]any{"from": "living", "to": status, "on": day, "note": ""})
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

// ServiceHoursRow is minutes a member served on a day, at a post (0 for
// none).
type ServiceHoursRow struct {
	MemberID, PostID int64
	On               string
	Minutes          int
	Note             string
}

// serviceHoursBatch is how many rows one statement writes.
const serviceHoursBatch = 500

// ServiceHours records many rows of service hours, as recorded by actor,
// each checked as a single record is, written in multi-row statements. The
// first invalid row stops the load with a *RowError naming it.
func (l *Loader) ServiceHours(ctx context.Context, actor *auth.Actor, rows []ServiceHoursRow) error {
	const cols = 7
	now := l.s.now()
	for start := 0; start < len(rows); start += serviceHoursBatch {
		batch := rows[start:min(start+serviceHoursBatch, len(rows))]
		values := make([]string, len(batch))
		args := make([]any, 0, cols*len(batch))
		for i, r := range batch {
			day, err := date.Parse(r.On)
			var f apperr.Fields
			if err != nil || day == "" {
				f.Add("served_on", "field.bad_date")
			}
			if r.Minutes <= 0 || r.Minutes > 24*60 {
				f.Add("minutes", "web.out_of_range", 1, 24*60)
			}
			if utf8.RuneCountInString(r.Note) > 500 {
				f.Add("note", "field.too_long", 500)
			}
			if err := f.Err(); err != nil {
				return &RowError{Index: start + i, Err: err}
			}
			values[i] = "(" + db.Placeholders(cols) + ")"
			args = append(args, r.MemberID, nullID(r.PostID), day, r.Minutes, r.Note, actor.Username, now)
		}
		if _, err := l.tx.Exec(ctx, `INSERT INTO service_hours (party_member_id, post_id, served_on, minutes, note, recorded_by, created_at) VALUES `+
			strings.Join(values, ", "), args...); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}
