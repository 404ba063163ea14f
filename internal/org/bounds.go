package org

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/i18n"
)

// The tree's boundaries nest: a unit's boundary lies inside the boundary of
// the nearest unit above it that has one (its container), and does not
// overlap the boundaries of the units that share that container (its
// neighbours: the container's children with a boundary and, through
// children without one, theirs). So a point lies in at most one grid, and in
// the grid's community. Boundaries drawn by hand along the same road rarely
// match to the metre: boundsTolerance of a unit's area may stick out of its
// container, and two neighbours may share that much of the smaller one.
const boundsTolerance = 0.01

// boundsLockClass is the first key of the advisory lock that writes of
// boundaries and moves take on PostgreSQL before they check the tree, so
// that two of them cannot both pass against the tree as it was before
// either. Such writes are rare, and a neighbour may sit under another
// parent, so the whole tree takes one lock.
const boundsLockClass int32 = 0x67720002

// lockBounds takes the boundaries' lock for the rest of tx.
func lockBounds(ctx context.Context, tx *db.Tx) error {
	return apperr.Wrap(tx.Lock(ctx, boundsLockClass, 0))
}

// boundsCheck is one unit as a write leaves it.
type boundsCheck struct {
	// unit is the unit; a unit not written yet has ID 0 and no path.
	unit *Unit
	// parentPath is the path of a new unit's parent ("/" for a root); a
	// written unit's comes from its own path.
	parentPath string
	// b is the unit's boundary, nil for none.
	b *geo.Boundary
	// reshaped says b is new: its shape and what lies below are checked.
	reshaped bool
	// field names the input that errors are about.
	field string
}

// shape is a unit's boundary with what names the unit in a message.
type shape struct {
	id         int64
	name, code string
	b          *geo.Boundary
}

// label names the unit in a message: its name and code (names repeat
// between communities).
func (s shape) label() i18n.Msg { return i18n.M("org.unit_label", s.name, s.code) }

// checkBounds checks, in tx and under the boundaries' lock, that c's unit
// fits the tree: a new boundary has a valid shape and holds what lies below
// it, and the unit (or, if it has no boundary, what lies below it) lies in
// its container and off its neighbours. It reads the tree as tx sees it,
// with the unit's own writes.
func (s *Store) checkBounds(ctx context.Context, tx *db.Tx, c boundsCheck) error {
	if err := lockBounds(ctx, tx); err != nil {
		return err
	}
	u := c.unit
	if c.reshaped {
		if err := c.b.Validate(c.field); err != nil {
			return err
		}
	}
	parentPath := c.parentPath
	if u.ID != 0 {
		parentPath = u.Path[:strings.LastIndexByte(strings.TrimSuffix(u.Path, "/"), '/')+1]
	}
	var below []shape
	if u.ID != 0 {
		var err error
		if below, err = boundedBelow(ctx, tx, u.ID, ""); err != nil {
			return err
		}
	}
	if c.reshaped {
		for _, ch := range below {
			if share := ch.b.ShareOutside(c.b); share > boundsTolerance {
				return apperr.FieldInvalid(c.field, "org.bounds_child_outside", ch.label(), percent(share), percent(boundsTolerance))
			}
		}
	}
	pieces, self := below, false
	if c.b != nil {
		pieces, self = []shape{{id: u.ID, name: u.Name, code: u.Code, b: c.b}}, true
	}
	if len(pieces) == 0 {
		return nil
	}
	container, err := containerOf(ctx, tx, parentPath)
	if err != nil {
		return err
	}
	var containerID int64
	if container != nil {
		containerID = container.id
	}
	neighbours, err := boundedBelow(ctx, tx, containerID, u.Path)
	if err != nil {
		return err
	}
	for _, p := range pieces {
		if container != nil {
			if share := p.b.ShareOutside(container.b); share > boundsTolerance {
				if self {
					return apperr.FieldInvalid(c.field, "org.bounds_outside", percent(share), container.label(), percent(boundsTolerance))
				}
				return apperr.FieldInvalid(c.field, "org.bounds_below_outside", p.label(), percent(share), container.label(), percent(boundsTolerance))
			}
		}
		for _, n := range neighbours {
			if share := geo.OverlapShare(p.b, n.b); share > boundsTolerance {
				if self {
					return apperr.FieldInvalid(c.field, "org.bounds_overlap", n.label(), percent(share), percent(boundsTolerance))
				}
				return apperr.FieldInvalid(c.field, "org.bounds_below_overlap", p.label(), n.label(), percent(share), percent(boundsTolerance))
			}
		}
	}
	return nil
}

// percent writes a share as a percentage for a message.
func percent(share float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(share*100, 'f', 1, 64), ".0") + "%"
}

// containerOf returns the nearest unit with a boundary on the way up from
// the unit at parentPath (itself included), or nil if there is none.
func containerOf(ctx context.Context, q db.Querier, parentPath string) (*shape, error) {
	ids := PathIDs(parentPath)
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	found, err := readShapes(ctx, q, `SELECT id, name, code, path, boundary FROM units WHERE boundary IS NOT NULL AND id IN (`+db.Placeholders(len(ids))+`)`, args, "")
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Backward(ids) {
		for _, f := range found {
			if f.id == id && f.b != nil {
				return &f, nil
			}
		}
	}
	return nil, nil
}

// boundedBelow returns the units with a boundary nearest below unit id (0:
// below no unit, from the roots): its children with a boundary and, through
// children without one, theirs, leaving out the subtree at skipPath.
func boundedBelow(ctx context.Context, q db.Querier, id int64, skipPath string) ([]shape, error) {
	var out []shape
	level := []int64{id}
	for len(level) > 0 {
		var next []int64
		for chunk := range slices.Chunk(level, 500) {
			query := `SELECT id, name, code, path, boundary FROM units WHERE parent_id IS NULL`
			var args []any
			if chunk[0] != 0 {
				query = `SELECT id, name, code, path, boundary FROM units WHERE parent_id IN (` + db.Placeholders(len(chunk)) + `)`
				for _, c := range chunk {
					args = append(args, c)
				}
			}
			found, err := readShapes(ctx, q, query, args, skipPath)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				if f.b != nil {
					out = append(out, f)
				} else {
					next = append(next, f.id)
				}
			}
		}
		level = next
	}
	return out, nil
}

// readShapes reads units (id, name, code, path, boundary) outside the
// subtree at skipPath, with their boundaries parsed; a unit without one, or
// with one stored before it could be checked that no longer reads, has none.
func readShapes(ctx context.Context, q db.Querier, query string, args []any, skipPath string) ([]shape, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var out []shape
	for rows.Next() {
		var sh shape
		var path string
		var text *string
		if err := rows.Scan(&sh.id, &sh.name, &sh.code, &path, &text); err != nil {
			return nil, apperr.Wrap(err)
		}
		if skipPath != "" && strings.HasPrefix(path, skipPath) {
			continue
		}
		if text != nil {
			sh.b, _ = parseBoundary(*text)
		}
		out = append(out, sh)
	}
	return out, apperr.Wrap(rows.Err())
}
