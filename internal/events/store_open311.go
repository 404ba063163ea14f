package events

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/db"
)

// eventByOpen311Token returns the id of the event an Open311 client was
// given token for; NotFound if none was.
func (s *Store) eventByOpen311Token(ctx context.Context, token string) (int64, error) {
	if token == "" {
		return 0, apperr.NotFoundf("open311.token")
	}
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM events WHERE open311_token = ?`, token).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("open311.token")
	}
	return id, apperr.Wrap(err)
}

// open311List returns the events of public categories that match q: by
// default those reported in the last 90 days, at most 1,000, newest first.
func (s *Store) open311List(ctx context.Context, q open311Query) ([]Event, error) {
	where := "c.public"
	var args []any
	if len(q.IDs) > 0 {
		where += " AND e.id IN (" + db.Placeholders(len(q.IDs)) + ")"
		for _, id := range q.IDs {
			args = append(args, id)
		}
	} else {
		from, to := q.From, q.To
		if to.IsZero() {
			to = s.now().Add(time.Second)
		}
		if from.IsZero() {
			from = to.Add(-90 * 24 * time.Hour)
		}
		where += " AND e.reported_at >= ? AND e.reported_at < ?"
		args = append(args, from.UTC(), to.UTC())
	}
	if len(q.Codes) > 0 {
		where += " AND c.code IN (" + db.Placeholders(len(q.Codes)) + ")"
		for _, c := range q.Codes {
			args = append(args, c)
		}
	}
	if len(q.Statuses) == 1 {
		if q.Statuses[0] == "open" {
			where += " AND e.is_open"
		} else {
			where += " AND NOT e.is_open"
		}
	}
	return queryEvents(ctx, s.db, `SELECT `+eventCols+eventFrom+` WHERE `+where+` ORDER BY e.reported_at DESC, e.id DESC LIMIT 1000`, args...)
}
