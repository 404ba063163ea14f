package auth

import (
	"context"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
)

// AuditLog returns the entries matching f, newest first, and how many
// match in all, for an actor who may read the log.
func (s *Store) AuditLog(ctx context.Context, actor *Actor, f audit.Filter) ([]audit.Row, int, error) {
	if err := actor.Require(PermAuditRead); err != nil {
		return nil, 0, err
	}
	total, err := audit.Count(ctx, s.db, f)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	rows, err := audit.List(ctx, s.db, f)
	if err != nil {
		return nil, 0, apperr.Wrap(err)
	}
	return rows, total, nil
}

// Users returns the users with the given ids, by id; ids with no user
// are left out.
func (s *Store) Users(ctx context.Context, ids []int64) (map[int64]*User, error) {
	out := make(map[int64]*User, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done || id == 0 {
			continue
		}
		u, err := s.UserByID(ctx, s.db, id)
		if apperr.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = u
	}
	return out, nil
}

// RecordAuditExport audits that the actor exported rows entries of the
// log, with the filter they chose.
func (s *Store) RecordAuditExport(ctx context.Context, actor *Actor, rows int, filter any) error {
	if err := actor.Require(PermAuditRead); err != nil {
		return err
	}
	return apperr.Wrap(s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, actor.Entry("export.audit_log", "audit_log", "", map[string]any{"rows": rows, "filter": filter}))
	}))
}

// AddAuditNames tells the audit log's reader how to name accounts and API
// tokens.
func (s *Store) AddAuditNames(names *audit.Names) {
	names.Add("user", audit.NamesFrom(s.db, `SELECT id, display_name FROM users WHERE id IN (%s)`))
	names.Add("api_token", audit.NamesFrom(s.db, `SELECT id, name FROM api_tokens WHERE id IN (%s)`))
}
