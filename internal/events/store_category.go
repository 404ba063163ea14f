package events

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/workcal"
)

const categoryCols = `c.id, COALESCE(c.parent_id, 0), c.code, c.name, c.name_en, c.kind, COALESCE(c.handling_unit_id, 0), COALESCE(u.name, ''),
	c.accept_minutes, c.dispatch_minutes, c.sign_minutes, c.handle_minutes, c.handle_days, c.verify_minutes, c.warn_percent, c.public, c.active`

const categoryFrom = ` FROM event_categories c LEFT JOIN units u ON u.id = c.handling_unit_id`

func scanCategory(sc interface{ Scan(...any) error }) (*Category, error) {
	c := &Category{}
	var kind string
	var acc, dis, sig, hm, hd, ver int
	err := sc.Scan(&c.ID, &c.ParentID, &c.Code, &c.Name, &c.NameEn, &kind, &c.HandlingUnitID, &c.HandlingName,
		&acc, &dis, &sig, &hm, &hd, &ver, &c.Limits.WarnPercent, &c.Public, &c.Active)
	if err != nil {
		return nil, err
	}
	c.Kind = Kind(kind)
	c.Limits.Accept = workcal.Limit{Minutes: acc}
	c.Limits.Dispatch = workcal.Limit{Minutes: dis}
	c.Limits.Sign = workcal.Limit{Minutes: sig}
	c.Limits.Handle = workcal.Limit{Minutes: hm, Days: hd}
	c.Limits.Verify = workcal.Limit{Minutes: ver}
	return c, nil
}

func (s *Store) categoryIn(ctx context.Context, q db.Querier, id int64) (*Category, error) {
	c, err := scanCategory(q.QueryRow(ctx, `SELECT `+categoryCols+categoryFrom+` WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("分类")
	}
	return c, apperr.Wrap(err)
}

func (s *Store) hasChildren(ctx context.Context, q db.Querier, id int64) bool {
	var n int
	_ = q.QueryRow(ctx, `SELECT COUNT(*) FROM event_categories WHERE parent_id = ?`, id).Scan(&n)
	return n > 0
}

// Category returns one category. Categories are read by everyone signed in.
func (s *Store) Category(ctx context.Context, id int64) (*Category, error) {
	return s.categoryIn(ctx, s.db, id)
}

// CategoryByCode returns the category with a code.
func (s *Store) CategoryByCode(ctx context.Context, code string) (*Category, error) {
	c, err := scanCategory(s.db.QueryRow(ctx, `SELECT `+categoryCols+categoryFrom+` WHERE c.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("分类")
	}
	return c, apperr.Wrap(err)
}

// Categories lists every category, by code (top classes before their subclasses).
func (s *Store) Categories(ctx context.Context) (_ []Category, err error) {
	defer apperr.Trace(&err, "events.Store.Categories")
	return db.All(ctx, s.db, func(sc db.Scanner) (Category, error) {
		c, err := scanCategory(sc)
		if err != nil {
			return Category{}, err
		}
		return *c, nil
	}, `SELECT `+categoryCols+categoryFrom+` ORDER BY c.code`)
}

// Leaves are the categories an event can be filed under: active subclasses,
// and active top classes that have none.
func Leaves(all []Category) []Category {
	parents := map[int64]bool{}
	for _, c := range all {
		if c.ParentID != 0 {
			parents[c.ParentID] = true
		}
	}
	var out []Category
	for _, c := range all {
		if c.Active && !parents[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

func limitCols(l Limits) []any {
	return []any{l.Accept.Minutes, l.Dispatch.Minutes, l.Sign.Minutes, l.Handle.Minutes, l.Handle.Days, l.Verify.Minutes, l.WarnPercent}
}

// SaveCategory creates (id 0) or changes a category; only the district may.
func (s *Store) SaveCategory(ctx context.Context, actor *auth.Actor, id int64, in CategoryInput) (*Category, error) {
	if !actor.Has(PermAdmin) {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	var out *Category
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var parent *Category
		if in.ParentID != 0 {
			p, err := s.categoryIn(ctx, tx, in.ParentID)
			if err != nil || p.ParentID != 0 {
				return apperr.Reword(err, apperr.FieldInvalid("parent_id", "events.category_not_found"))
			}
			parent = p
		}
		l, err := in.Validate(parent)
		if err != nil {
			return err
		}
		var handling any
		if in.HandlingUnitID != 0 {
			u, err := s.unitByID(ctx, tx, in.HandlingUnitID)
			if err != nil {
				return err
			}
			if u == nil || !handlerType(u.Type) {
				return apperr.FieldInvalid("handling_unit_id", "events.handler_not_found")
			}
			handling = in.HandlingUnitID
		}
		var parentID any
		if parent != nil {
			parentID = parent.ID
		}
		now := s.now()
		args := append([]any{parentID, in.Code, in.Name, in.NameEn, string(in.Kind), handling}, limitCols(l)...)
		args = append(args, in.Public, in.Active, now)
		action := "category.update"
		if id == 0 {
			action = "category.create"
			err = tx.QueryRow(ctx, `INSERT INTO event_categories (parent_id, code, name, name_en, kind, handling_unit_id, accept_minutes,
				dispatch_minutes, sign_minutes, handle_minutes, handle_days, verify_minutes, warn_percent, public, active, updated_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, append(args, now)...).Scan(&id)
		} else {
			if _, err := s.categoryIn(ctx, tx, id); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE event_categories SET parent_id = ?, code = ?, name = ?, name_en = ?, kind = ?, handling_unit_id = ?,
				accept_minutes = ?, dispatch_minutes = ?, sign_minutes = ?, handle_minutes = ?, handle_days = ?, verify_minutes = ?,
				warn_percent = ?, public = ?, active = ?, updated_at = ? WHERE id = ?`, append(args, id)...)
		}
		if db.IsUniqueViolation(err) {
			return apperr.FieldInvalid("code", "events.category_code_taken")
		}
		if err != nil {
			return apperr.Wrap(err)
		}
		if out, err = s.categoryIn(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry(action, "event_category", strconv.FormatInt(id, 10),
			map[string]any{"code": in.Code, "name": in.Name, "handle": l.Handle.String(), "handling_unit_id": in.HandlingUnitID}))
	})
	return out, err
}

// EnsureDefaultCategories stores the shipped categories if there are none,
// linked to the departments whose codes end in the default short codes.
func (s *Store) EnsureDefaultCategories(ctx context.Context) error {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM event_categories`).Scan(&n); err != nil {
		return apperr.Wrap(err)
	}
	if n > 0 {
		return nil
	}
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		if err := s.insertDefaults(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, auth.SystemActor("events").Entry("category.defaults", "event_category", "", map[string]any{"categories": len(DefaultCategories)}))
	})
	if db.IsUniqueViolation(err) {
		return nil // another instance stored them first
	}
	return err
}

func (s *Store) insertDefaults(ctx context.Context, tx *db.Tx) error {
	ids := map[string]int64{}
	now := s.now()
	for _, d := range DefaultCategories {
		in := d.input()
		var parent *Category
		var parentID any
		if len(d.Code) == 4 {
			parent = &Category{ID: ids[d.Code[:2]], Code: d.Code[:2]}
			parentID = parent.ID
		}
		l, err := in.Validate(parent)
		if err != nil {
			return err
		}
		args := append([]any{parentID, in.Code, in.Name, in.NameEn, string(in.Kind)}, limitCols(l)...)
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO event_categories (parent_id, code, name, name_en, kind, accept_minutes,
			dispatch_minutes, sign_minutes, handle_minutes, handle_days, verify_minutes, warn_percent, public, active, updated_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, TRUE, ?, ?) RETURNING id`, append(args, in.Public, now, now)...).Scan(&id); err != nil {
			return err
		}
		ids[d.Code] = id
	}
	return s.AssignDefaultHandlers(ctx, tx)
}

// AssignDefaultHandlers links the shipped categories that have no handling
// unit to the department whose code ends in their default short code
// (360403-CGJ for CGJ), once such departments exist: the demo load calls it
// after building the district.
func (s *Store) AssignDefaultHandlers(ctx context.Context, tx *db.Tx) error {
	for _, d := range DefaultCategories {
		if d.Handler == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE event_categories SET handling_unit_id =
			(SELECT MIN(id) FROM units WHERE type = 'department' AND code LIKE ?)
			WHERE code = ? AND handling_unit_id IS NULL`, "%-"+d.Handler, d.Code); err != nil {
			return apperr.Wrap(err)
		}
	}
	return nil
}
