package org

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// loadCity loads one district with the given number of streets, communities
// per street and grids per community through the bulk loader, one
// transaction per street, and returns the streets. On PostgreSQL it then runs
// ANALYZE, so that the planner knows how large the table has grown.
func loadCity(tb testing.TB, s *Store, streets, communities, grids int) []*Unit {
	tb.Helper()
	ctx := context.Background()
	var district *Unit
	err := s.db.InTx(ctx, func(tx *db.Tx) (err error) {
		district, err = s.Loader(tx).Unit(ctx, nil, UnitInput{Type: District, Code: "360403", Name: "浔阳区"}, nil)
		return err
	})
	if err != nil {
		tb.Fatalf("load district: %v", err)
	}
	out := make([]*Unit, 0, streets)
	for si := 1; si <= streets; si++ {
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			l := s.Loader(tx)
			st, err := l.Unit(ctx, district, UnitInput{Type: Street, Code: fmt.Sprintf("%s%03d", district.Code, si), Name: fmt.Sprintf("第%d街道", si)}, nil)
			if err != nil {
				return err
			}
			for ci := 1; ci <= communities; ci++ {
				c, err := l.Unit(ctx, st, UnitInput{Type: Community, Code: fmt.Sprintf("%s%03d", st.Code, ci), Name: fmt.Sprintf("第%d社区", ci)}, nil)
				if err != nil {
					return err
				}
				for gi := 1; gi <= grids; gi++ {
					if _, err := l.Unit(ctx, c, UnitInput{Type: Grid, Code: fmt.Sprintf("%s%03d", c.Code, gi), Name: fmt.Sprintf("第%d网格", gi)}, nil); err != nil {
						return err
					}
				}
			}
			out = append(out, st)
			return nil
		})
		if err != nil {
			tb.Fatalf("load street %d: %v", si, err)
		}
	}
	if s.db.Engine() == db.Postgres {
		if _, err := s.db.Exec(ctx, `ANALYZE units`); err != nil {
			tb.Fatalf("analyze: %v", err)
		}
	}
	return out
}

// scopedGridQueries returns the two statements ListUnits runs for
// UnitFilter{Type: Grid, Limit: 1000} (the page and the count), built the way
// the store builds them, and their arguments. Keep it in step with ListUnits.
func scopedGridQueries(actor *auth.Actor) (list, count string, args []any) {
	where, args := actor.Scope(PermRead).Where("u.path")
	where += " AND u.type = ?"
	args = append(args, string(Grid))
	list = `SELECT ` + unitCols + `, (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id)
		FROM units u WHERE ` + where + ` ORDER BY u.code, u.id LIMIT 1000 OFFSET 0`
	count = `SELECT COUNT(*) FROM units u WHERE ` + where
	return list, count, args
}

// baselineGridQuery reads the grids of a street by their parents, with no
// scope at all: the same columns, order and limit as ListUnits. The type is
// compared as an expression (concatenated with an empty string) so that
// neither engine answers it from units_type_path: SQLite, which has no
// statistics unless ANALYZE runs, would otherwise walk the index entries of
// every grid in the city and keep the street's through a Bloom filter, a
// baseline slower than the best an unscoped query can do. This way both
// engines find the street's communities and their grids through units_parent.
const baselineGridQuery = `SELECT ` + unitCols + `, (SELECT COUNT(*) FROM units c WHERE c.parent_id = u.id)
	FROM units u WHERE u.type || '' = ? AND u.parent_id IN (SELECT id FROM units WHERE parent_id = ?)
	ORDER BY u.code, u.id LIMIT 1000`

// queryUnits runs a unit listing and scans it as ListUnits does.
func queryUnits(ctx context.Context, d *db.DB, query string, args ...any) ([]Unit, error) {
	rows, err := d.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Unit
	for rows.Next() {
		var children int
		u, err := scanUnit(rows, &children)
		if err != nil {
			return nil, err
		}
		u.Children = children
		out = append(out, *u)
	}
	return out, rows.Err()
}

func unitIDs(units []Unit) []int64 {
	ids := make([]int64, len(units))
	for i, u := range units {
		ids[i] = u.ID
	}
	return ids
}

// BenchmarkListStreetGrids lists one street's grids in a city-sized tree
// (100 streets × 20 communities × 48 grids, about 98,000 units) three ways:
// through the store with a street staff member's scope, with a raw query that
// finds the grids by their parents and knows no scope (the baseline), and
// with the raw range query that the scope produces (to tell the store's own
// cost from the query's). The scoped figure staying close to the baseline is
// what shows that a scope check is an index range scan, not a table scan.
func BenchmarkListStreetGrids(b *testing.B) {
	const streets, communities, grids = 100, 20, 48
	const want = communities * grids
	ctx := context.Background()
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			d := dbtest.Open(b, e, testMigrations)
			s := NewStore(d)
			street := loadCity(b, s, streets, communities, grids)[streets/2]
			actor := actorAt(auth.StreetStaff, street)
			rangeQuery, _, rangeArgs := scopedGridQueries(actor)

			// All three read the same rows.
			scoped, total, err := s.ListUnits(ctx, actor, UnitFilter{Type: Grid, Limit: 1000})
			if err != nil || len(scoped) != want || total != want {
				b.Fatalf("ListUnits: %d units, total %d, %v; want %d", len(scoped), total, err, want)
			}
			for name, q := range map[string]struct {
				sql  string
				args []any
			}{
				"baseline":  {baselineGridQuery, []any{string(Grid), street.ID}},
				"raw-range": {rangeQuery, rangeArgs},
			} {
				got, err := queryUnits(ctx, d, q.sql, q.args...)
				if err != nil {
					b.Fatalf("%s: %v", name, err)
				}
				if !slices.Equal(unitIDs(got), unitIDs(scoped)) {
					b.Fatalf("%s reads other rows than ListUnits", name)
				}
				b.Logf("%s plan:\n%s", name, strings.Join(explain(b, d, "", explainPrefix(e)+q.sql, q.args), "\n"))
			}

			b.Run("scoped", func(b *testing.B) {
				for b.Loop() {
					if units, _, err := s.ListUnits(ctx, actor, UnitFilter{Type: Grid, Limit: 1000}); err != nil || len(units) != want {
						b.Fatalf("ListUnits: %d units, %v", len(units), err)
					}
				}
			})
			b.Run("unscoped-baseline", func(b *testing.B) {
				for b.Loop() {
					if units, err := queryUnits(ctx, d, baselineGridQuery, string(Grid), street.ID); err != nil || len(units) != want {
						b.Fatalf("baseline: %d units, %v", len(units), err)
					}
				}
			})
			b.Run("raw-range", func(b *testing.B) {
				for b.Loop() {
					if units, err := queryUnits(ctx, d, rangeQuery, rangeArgs...); err != nil || len(units) != want {
						b.Fatalf("raw-range: %d units, %v", len(units), err)
					}
				}
			})
		})
	}
}

// TestScopeQueryUsesIndex checks, in a tree of a few thousand units, that the
// statements ListUnits runs for a street's grids answer the scope with an
// index range scan, bounded on the path (on SQLite, a search of
// units_type_path bounded on type and path), and never read the whole units
// table.
//
// On PostgreSQL the plan is asked for twice. First as the planner chooses
// after ANALYZE, with nothing disabled: one street is 2% of the tree, so an
// index plan is the planner's own choice. Then with sequential scans
// disabled, which alone would prove little (a disabled plan is only made
// expensive, and the planner then walks some index whole, units_code_key to
// save the sort, say, filtering every row); the check that makes it honest is
// that the path bounds appear in the scan's Index Cond, not in a Filter, so
// the index is read as a range and the condition is one it can answer.
func TestScopeQueryUsesIndex(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		streets := loadCity(t, s, 50, 4, 15)
		actor := actorAt(auth.StreetStaff, streets[len(streets)/2])
		list, count, args := scopedGridQueries(actor)

		// The copied statements still read what the store reads.
		units, total, err := s.ListUnits(ctx, actor, UnitFilter{Type: Grid, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		got, err := queryUnits(ctx, d, list, args...)
		if err != nil {
			t.Fatal(err)
		}
		if total != 4*15 || !slices.Equal(unitIDs(got), unitIDs(units)) {
			t.Fatalf("copied query reads %d units, ListUnits %d (total %d)", len(got), len(units), total)
		}

		for name, q := range map[string]string{"list": list, "count": count} {
			switch d.Engine() {
			case db.SQLite:
				checkSQLitePlan(t, name, explain(t, d, "", explainPrefix(db.SQLite)+q, args))
			case db.Postgres:
				checkPostgresPlan(t, name+" (planner's choice)", explain(t, d, "", explainPrefix(db.Postgres)+q, args))
				checkPostgresPlan(t, name+" (enable_seqscan off)", explain(t, d, "SET LOCAL enable_seqscan = off", explainPrefix(db.Postgres)+q, args))
			}
		}
	})
}

// explainPrefix turns a statement into the request for its plan on engine e.
func explainPrefix(e db.Engine) string {
	if e == db.Postgres {
		return "EXPLAIN "
	}
	return "EXPLAIN QUERY PLAN "
}

// explain returns the plan of a statement, one line per row, run in a
// transaction after setup (if any) so that a SET LOCAL applies to it alone.
func explain(tb testing.TB, d *db.DB, setup, query string, args []any) []string {
	tb.Helper()
	ctx := context.Background()
	var lines []string
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if setup != "" {
			if _, err := tx.Exec(ctx, setup); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			// The plan text is the last column on both engines (SQLite's
			// EXPLAIN QUERY PLAN has id, parent, notused, detail).
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		return rows.Err()
	})
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return lines
}

// checkSQLitePlan wants the outer units table (alias u) searched through
// units_type_path with both path bounds, and no line that scans it whole.
func checkSQLitePlan(t *testing.T, name string, plan []string) {
	t.Helper()
	text := strings.Join(plan, "\n")
	t.Logf("%s plan:\n%s", name, text)
	var search bool
	for _, line := range plan {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "SCAN u ") || line == "SCAN u" {
			t.Errorf("%s: full scan of units:\n%s", name, text)
		}
		if strings.HasPrefix(line, "SEARCH u USING INDEX units_type_path (type=? AND path>? AND path<?)") ||
			strings.HasPrefix(line, "SEARCH u USING COVERING INDEX units_type_path (type=? AND path>? AND path<?)") {
			search = true
		}
	}
	if !search {
		t.Errorf("%s: no range search of units_type_path:\n%s", name, text)
	}
}

// checkPostgresPlan wants no sequential scan of units, and an Index Scan,
// Index Only Scan or Bitmap Index Scan whose Index Cond bounds the path: on
// units_type_path, bounded on the type too, or on units_path_key, the unique
// index on path, which the planner may prefer in a large tree (it then reads
// the street's whole subtree, a range all the same, and filters the grids).
func checkPostgresPlan(t *testing.T, name string, plan []string) {
	t.Helper()
	text := strings.Join(plan, "\n")
	t.Logf("%s plan:\n%s", name, text)
	if strings.Contains(text, "Seq Scan on units") {
		t.Errorf("%s: sequential scan of units:\n%s", name, text)
	}
	for i := 0; i+1 < len(plan); i++ {
		line := plan[i]
		// A node's Index Cond, if it has one, is the line after it.
		cond := strings.TrimSpace(plan[i+1])
		ranged := strings.HasPrefix(cond, "Index Cond:") && strings.Contains(cond, "path >=") && strings.Contains(cond, "path <")
		switch {
		case !ranged:
		case strings.Contains(line, "Scan using units_type_path on units u"), strings.Contains(line, "Bitmap Index Scan on units_type_path"):
			if strings.Contains(cond, "type =") {
				return
			}
		case strings.Contains(line, "Scan using units_path_key on units u"), strings.Contains(line, "Bitmap Index Scan on units_path_key"):
			return
		}
	}
	t.Errorf("%s: no index range scan bounded on path:\n%s", name, text)
}
