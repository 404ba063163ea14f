package auth

import (
	"context"

	"grassroots/internal/platform/db"
)

// HoldersAt returns the ids of the users holding a role at the unit (not
// below it), in id order: those a module notifies when work arrives there.
func HoldersAt(ctx context.Context, q db.Querier, unitID int64) ([]int64, error) {
	return db.All(ctx, q, func(sc db.Scanner) (int64, error) {
		var id int64
		err := sc.Scan(&id)
		return id, err
	}, `SELECT DISTINCT user_id FROM user_roles WHERE unit_id = ? ORDER BY user_id`, unitID)
}
