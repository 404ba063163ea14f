package volunteer

import (
	"context"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
)

// These read through the store's own connection what the pages ask of the
// volunteer tables, the tree and the accounts, so that no page holds the
// database.

// teamWithin reads one team inside scope.
func (s *Store) teamWithin(ctx context.Context, scope auth.Scope, id int64) (*Team, error) {
	return s.teamIn(ctx, s.db, scope, id)
}

// unitWithin reads one unit of the tree inside scope.
func (s *Store) unitWithin(ctx context.Context, scope auth.Scope, id int64) (*org.Unit, error) {
	return s.Orgs.UnitIn(ctx, s.db, scope, id)
}

// userNamed finds an account by user name.
func (s *Store) userNamed(ctx context.Context, name string) (*auth.User, error) {
	return s.Accounts.UserByName(ctx, s.db, name)
}

// userByID reads an account.
func (s *Store) userByID(ctx context.Context, id int64) (*auth.User, error) {
	return s.Accounts.UserByID(ctx, s.db, id)
}

// recentMovements lists the last n movements of a love-bank account.
func (s *Store) recentMovements(ctx context.Context, account int64, n int) ([]Movement, error) {
	m, _, err := s.Ledger.Statement(ctx, s.db, account, n, 0)
	return m, err
}

// checkLedger verifies the whole ledger.
func (s *Store) checkLedger(ctx context.Context) (*LedgerReport, error) {
	return s.Ledger.Verify(ctx, s.db)
}
