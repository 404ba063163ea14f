package auth

import (
	"context"

	"grassroots/internal/platform/db"
)

// HoldersAt returns the ids of the users holding a role at the unit (not
// below it), in id order: those a module notifies when work arrives there.
func HoldersAt(ctx context.Context, q db.Querier, unitID int64) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT user_id FROM user_roles WHERE unit_id = ? ORDER BY user_id`, unitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
