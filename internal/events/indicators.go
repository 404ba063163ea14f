package events

import (
	"context"
	"sort"
	"strings"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// Indicators are the counts behind the rates of docs/domain.md §2 for one unit
// and period. Two populations are counted:
//
//   - received: events reported in the period; of them, accepted (立案) and
//     dispatched (派遣);
//   - due: events whose handling deadline fell in the period (应结案); of
//     them, closed (结案), closed on time (handling reported by the
//     deadline and then verified), reworked at least once (返工), extended
//     (延期), responded (signed for within the signing limit, 响应), resolved
//     at the first handling (closed without rework, 解决), rated, and rated
//     satisfied (4 or 5 of 5).
type Indicators struct {
	Received, Accepted, Dispatched                               int
	Due, Closed, OnTime, Reworked, Extended, Responded, Resolved int
	Rated, Satisfied                                             int
	AcceptRate, DispatchRate, CloseRate, OnTimeRate, ReworkRate  float64
	ExtensionRate, ResponseRate, ResolveRate, SatisfactionRate   float64
	UnitID                                                       int64
	UnitName                                                     string
	UnitType                                                     string
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (i *Indicators) rates() {
	i.AcceptRate = ratio(i.Accepted, i.Received)
	i.DispatchRate = ratio(i.Dispatched, i.Accepted)
	i.CloseRate = ratio(i.Closed, i.Due)
	i.OnTimeRate = ratio(i.OnTime, i.Due)
	i.ReworkRate = ratio(i.Reworked, i.Due)
	i.ExtensionRate = ratio(i.Extended, i.Due)
	i.ResponseRate = ratio(i.Responded, i.Due)
	i.ResolveRate = ratio(i.Resolved, i.Due)
	i.SatisfactionRate = ratio(i.Satisfied, i.Rated)
}

// indicatorSQL counts both populations for the events that match %[1]s
// (a condition on the grid or handling unit's path): one statement, two
// scans of covering indexes.
const indicatorSQL = `SELECT r.n, r.accepted, r.dispatched,
 d.n, d.closed, d.on_time, d.reworked, d.extended, d.responded, d.resolved, d.rated, d.satisfied
FROM (SELECT COUNT(*) AS n, COUNT(e.accepted_at) AS accepted, COUNT(e.dispatched_at) AS dispatched
  FROM events e WHERE %[1]s AND e.reported_at >= ? AND e.reported_at < ?) r,
 (SELECT COUNT(*) AS n,
   COUNT(e.closed_at) AS closed,
   COALESCE(SUM(CASE WHEN e.closed_on_time THEN 1 ELSE 0 END), 0) AS on_time,
   COALESCE(SUM(CASE WHEN e.reworks > 0 THEN 1 ELSE 0 END), 0) AS reworked,
   COALESCE(SUM(CASE WHEN e.extensions > 0 THEN 1 ELSE 0 END), 0) AS extended,
   COALESCE(SUM(CASE WHEN e.signed_on_time THEN 1 ELSE 0 END), 0) AS responded,
   COALESCE(SUM(CASE WHEN e.closed_at IS NOT NULL AND e.reworks = 0 THEN 1 ELSE 0 END), 0) AS resolved,
   COUNT(e.rating) AS rated,
   COALESCE(SUM(CASE WHEN e.rating >= 4 THEN 1 ELSE 0 END), 0) AS satisfied
  FROM events e WHERE %[1]s AND e.due_at >= ? AND e.due_at < ?) d`

// maxGridList is how many grids a unit may have for its events to be
// counted grid by grid: an event's unit_path is always its grid's path, so
// "the grids' paths" is the same set as "the subtree's range", and each
// grid is one seek to the period in the (path, time) index instead of a
// scan of the whole subtree's year. A larger unit scans its range.
const maxGridList = 2000

// pathCond is the condition for the events counted under a unit: by their
// grid for a part of the tree, by their handling unit for a department.
func (s *Store) pathCond(ctx context.Context, col, path string) (string, []any, error) {
	if col == "handling_path" {
		return "e.handling_path = ?", []any{path}, nil
	}
	lo, hi := db.PrefixRange(path)
	grids, err := s.Orgs.UnitsOfType(ctx, auth.Scope{All: true}, org.Grid, path, maxGridList+1)
	if err != nil {
		return "", nil, err
	}
	paths := make([]any, len(grids))
	for i, g := range grids {
		paths[i] = g.Path
	}
	switch {
	case len(paths) == 0:
		return "1=0", nil, nil
	case len(paths) > maxGridList:
		return "e.unit_path >= ? AND e.unit_path < ?", []any{lo, hi}, nil
	}
	return "e.unit_path IN (" + db.Placeholders(len(paths)) + ")", paths, nil
}

func (s *Store) count(ctx context.Context, col, path string, from, to time.Time) (Indicators, error) {
	cond, condArgs, err := s.pathCond(ctx, col, path)
	if err != nil {
		return Indicators{}, err
	}
	// SQLite compares times as text: every time argument is UTC.
	from, to = from.UTC(), to.UTC()
	query := strings.ReplaceAll(indicatorSQL, "%[1]s", cond)
	var args []any
	args = append(append(args, condArgs...), from, to)
	args = append(append(args, condArgs...), from, to)
	var i Indicators
	err = s.db.QueryRow(ctx, query, args...).Scan(&i.Received, &i.Accepted, &i.Dispatched,
		&i.Due, &i.Closed, &i.OnTime, &i.Reworked, &i.Extended, &i.Responded, &i.Resolved, &i.Rated, &i.Satisfied)
	if err != nil {
		return i, apperr.Wrap(err)
	}
	i.rates()
	return i, nil
}

// visibleUnit returns a unit the actor may see figures of: in their read
// scope (by its place in the tree) or their handling scope (their own
// department).
func (s *Store) visibleUnit(ctx context.Context, actor *auth.Actor, id int64) (*auth.UnitRef, error) {
	u, err := s.unitByID(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	if u == nil || !(actor.Scope(PermRead).Contains(u.Path) || actor.Scope(PermHandle).Contains(u.Path)) {
		return nil, apperr.NotFoundf("单位")
	}
	return u, nil
}

// IndicatorsFor counts the indicators of one unit for reports in [from,
// to): a department's as the handling unit, any other unit's over the grids
// below it.
func (s *Store) IndicatorsFor(ctx context.Context, actor *auth.Actor, unitID int64, from, to time.Time) (*Indicators, error) {
	u, err := s.visibleUnit(ctx, actor, unitID)
	if err != nil {
		return nil, err
	}
	col := "unit_path"
	if u.Type == string(org.Department) {
		col = "handling_path"
	}
	i, err := s.count(ctx, col, u.Path, from, to)
	if err != nil {
		return nil, err
	}
	i.UnitID, i.UnitName, i.UnitType = u.ID, u.Name, u.Type
	return &i, nil
}

// Ranking counts the indicators of each unit one level below parent (the
// streets of a district, the communities of a street, the grids of a
// community, the areas' grids too) or, with departments set, of the
// district's departments as handling units; best on-time closing first.
func (s *Store) Ranking(ctx context.Context, actor *auth.Actor, parentID int64, departments bool, from, to time.Time) ([]Indicators, error) {
	parent, err := s.visibleUnit(ctx, actor, parentID)
	if err != nil {
		return nil, err
	}
	col, want := "unit_path", map[string]string{"district": "street", "street": "community", "community": "grid", "area": "grid"}[parent.Type]
	if departments {
		col, want = "handling_path", "department"
	}
	if want == "" {
		return nil, nil
	}
	children, err := s.Orgs.UnitsOfType(ctx, auth.Scope{All: true}, org.UnitType(want), parent.Path, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Indicators, 0, len(children))
	for _, c := range children {
		i, err := s.count(ctx, col, c.Path, from, to)
		if err != nil {
			return nil, err
		}
		i.UnitID, i.UnitName, i.UnitType = c.ID, c.Name, string(c.Type)
		out = append(out, i)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].OnTimeRate != out[b].OnTimeRate {
			return out[a].OnTimeRate > out[b].OnTimeRate
		}
		return out[a].CloseRate > out[b].CloseRate
	})
	return out, nil
}

// Overview is the events figures of an actor's scope.
type Overview struct {
	Open              int
	Overdue           int
	Closed30d         int
	Due30d            int
	OnTime30d         int
	OnTimeCloseRate30 float64
}

// Overview counts open and overdue events now, events closed in the last
// 30 days, and the on-time closing rate of those due in the last 30 days.
func (s *Store) Overview(ctx context.Context, actor *auth.Actor) (*Overview, error) {
	now := s.now()
	since := now.Add(-30 * 24 * time.Hour)
	where, args := readWhere(actor)
	open, openArgs := readWhereAnd(actor, "e.is_open", nil)
	o := &Overview{}
	err := s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN e.stage_due_at < ? THEN 1 ELSE 0 END), 0)
		FROM events e WHERE e.is_open AND `+open, append([]any{now}, openArgs...)...).Scan(&o.Open, &o.Overdue)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*) FROM events e WHERE e.closed_at >= ? AND e.state = 'closed' AND `+where,
		append([]any{since}, args...)...).Scan(&o.Closed30d); err != nil {
		return nil, apperr.Wrap(err)
	}
	if err := s.db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN e.closed_on_time THEN 1 ELSE 0 END), 0)
		FROM events e WHERE e.due_at >= ? AND e.due_at < ? AND `+where, append([]any{since, now}, args...)...).Scan(&o.Due30d, &o.OnTime30d); err != nil {
		return nil, apperr.Wrap(err)
	}
	o.OnTimeCloseRate30 = ratio(o.OnTime30d, o.Due30d)
	return o, nil
}
