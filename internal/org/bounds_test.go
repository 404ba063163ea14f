package org

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/i18n"
)

// rect is a rectangle's GeoJSON.
func rect(minLon, minLat, maxLon, maxLat float64) string {
	return geo.Rect(minLon, minLat, maxLon, maxLat).GeoJSON()
}

// boundsError checks that err refuses field with message key, and returns
// the message in English and Chinese.
func boundsError(t *testing.T, err error, field, key string) (en, zh string) {
	t.Helper()
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("got %v, want invalid", err)
	}
	m, ok := apperr.As(err).Fields[field]
	if !ok || m.Key != key {
		t.Fatalf("got %v, want %s on %s", err, key, field)
	}
	return m.In(i18n.En), m.In(i18n.Zh)
}

// boundedTree is the test tree with boundaries: community 1 is
// 116.0-116.1 by 29.7-29.8, its grid 1 the west half; community 2 sits east
// of it with its grid 2 inside. The district and streets have none.
func boundedTree(t *testing.T, s *Store) tree {
	t.Helper()
	ctx := context.Background()
	tr := buildTree(t, s)
	for _, b := range []struct {
		u    *Unit
		text string
	}{
		{tr.c1, rect(116.0, 29.7, 116.1, 29.8)},
		{tr.c2, rect(116.1, 29.7, 116.2, 29.8)},
		{tr.g1, rect(116.0, 29.7, 116.05, 29.8)},
		{tr.g2, rect(116.1, 29.7, 116.15, 29.8)},
	} {
		if _, err := s.UpdateUnit(ctx, system, b.u.ID, UnitPatch{Boundary: &b.text}); err != nil {
			t.Fatalf("boundary of %s: %v", b.u.Name, err)
		}
	}
	return tr
}

// TestBoundsOnWrite checks that every write of a unit keeps the tree's
// boundaries nested and apart: a boundary that crosses itself, lies outside
// its community or overlaps its neighbour is refused, and says where; so is
// a reshape that leaves a grid outside, and a move that does not fit, unless
// the same edit brings the boundary that does.
func TestBoundsOnWrite(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		tr := boundedTree(t, s)
		patch := func(u *Unit, text string) error {
			_, err := s.UpdateUnit(ctx, system, u.ID, UnitPatch{Boundary: &text})
			return err
		}

		bowTie := `{"type":"Polygon","coordinates":[[[116.0,29.7],[116.04,29.74],[116.04,29.7],[116.0,29.76],[116.0,29.7]]]}`
		en, zh := boundsError(t, patch(tr.g1, bowTie), "boundary", "geo.self_intersection")
		if !strings.Contains(en, "longitude 116.02400, latitude 29.72400") || !strings.Contains(zh, "经度 116.02400、纬度 29.72400") {
			t.Errorf("self-intersection message does not say where: %q / %q", en, zh)
		}

		en, zh = boundsError(t, patch(tr.g1, rect(116.3, 29.7, 116.35, 29.8)), "boundary", "org.bounds_outside")
		if !strings.Contains(en, "100% of the boundary lies outside the boundary of 白水湖社区 (360403001001)") || !strings.Contains(zh, "100%") || !strings.Contains(zh, "「白水湖社区」") {
			t.Errorf("outside message: %q / %q", en, zh)
		}
		en, _ = boundsError(t, patch(tr.g1, rect(116.0, 29.7, 116.05, 29.9)), "boundary", "org.bounds_outside")
		if !strings.HasPrefix(en, "50% of the boundary") {
			t.Errorf("half outside: %q", en)
		}

		g3 := mustUnit(t, s, tr.c1, Grid, "360403001001002", "第二网格")
		en, zh = boundsError(t, patch(g3, rect(116.04, 29.7, 116.1, 29.8)), "boundary", "org.bounds_overlap")
		if !strings.Contains(en, "第一网格 (360403001001001) by 20%") || !strings.Contains(zh, "「第一网格」（360403001001001）") {
			t.Errorf("overlap message: %q / %q", en, zh)
		}
		if _, err := s.CreateUnit(ctx, system, UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001003", Name: "第三网格", Boundary: rect(116.0, 29.75, 116.02, 29.76)}); err == nil {
			t.Error("a new grid inside grid 1 was accepted")
		} else {
			boundsError(t, err, "boundary", "org.bounds_overlap")
		}

		// What fits is written: beside grid 1, or over it by a sliver.
		if err := patch(g3, rect(116.05, 29.7, 116.1, 29.8)); err != nil {
			t.Fatalf("grid beside grid 1: %v", err)
		}
		if err := patch(g3, rect(116.0496, 29.7, 116.1, 29.8)); err != nil {
			t.Fatalf("grid over grid 1 by less than the tolerance: %v", err)
		}
		if err := patch(tr.g1, rect(116.0, 29.7, 116.0496, 29.8005)); err != nil {
			t.Fatalf("grid 1 sticking out by less than the tolerance: %v", err)
		}
		name := "第一网格（新）"
		if _, err := s.UpdateUnit(ctx, system, tr.g1.ID, UnitPatch{Name: &name}); err != nil {
			t.Fatalf("rename: %v", err)
		}

		// A community may not shrink away from its grids.
		en, _ = boundsError(t, patch(tr.c1, rect(116.0, 29.7, 116.07, 29.8)), "boundary", "org.bounds_child_outside")
		if !strings.Contains(en, "第二网格 (360403001001002) below would have 59.5% of its area outside") {
			t.Errorf("child outside message: %q", en)
		}
		if err := patch(tr.c1, rect(116.0, 29.69, 116.1, 29.81)); err != nil {
			t.Fatalf("community grown: %v", err)
		}

		// A grid moved to community 2 must fit it; with a boundary there in
		// the same edit, it does.
		if _, err := s.MoveUnit(ctx, system, g3.ID, tr.c2.ID, "360403002001002"); err == nil {
			t.Fatal("grid moved out of its community's boundary")
		} else {
			boundsError(t, err, "parent_id", "org.bounds_outside")
		}
		code, there := "360403002001002", rect(116.15, 29.7, 116.2, 29.8)
		moved, err := s.EditUnit(ctx, system, g3.ID, &tr.c2.ID, UnitPatch{Code: &code, Boundary: &there})
		if err != nil {
			t.Fatalf("move with a new boundary: %v", err)
		}
		if moved.ParentID != tr.c2.ID || moved.Code != code || moved.Boundary != there {
			t.Errorf("moved grid = %+v", moved)
		}
		over := rect(116.12, 29.7, 116.2, 29.8)
		if _, err := s.EditUnit(ctx, system, g3.ID, nil, UnitPatch{Boundary: &over}); err == nil {
			t.Error("grid overlapping grid 2 accepted")
		}

		// A unit without a boundary takes what lies below it along: an area
		// of community 1 whose grid would overlap grid 2 cannot move there.
		area := mustUnit(t, s, tr.c1, Area, "360403001001P01", "第一片区")
		g4 := mustUnit(t, s, area, Grid, "360403001001004", "第四网格")
		if err := patch(g4, rect(116.06, 29.7, 116.1, 29.8)); err != nil {
			t.Fatalf("grid in an area: %v", err)
		}
		if _, err := s.MoveUnit(ctx, system, area.ID, tr.c2.ID, "360403002001P01"); err == nil {
			t.Fatal("area moved with a grid outside its new community")
		} else {
			boundsError(t, err, "parent_id", "org.bounds_below_outside")
		}
		if err := patch(g4, rect(116.06, 29.7, 116.09, 29.8)); err != nil {
			t.Fatalf("grid in an area, narrower: %v", err)
		}

		// Removing a boundary is always allowed.
		if err := patch(g4, ""); err != nil {
			t.Fatalf("boundary removed: %v", err)
		}
	})
}

// TestBoundsConcurrent checks that two writes that would each fit alone but
// overlap one another do not both pass: the second waits for the first and
// then sees its grid.
func TestBoundsConcurrent(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		tr := boundedTree(t, s)
		written, release := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		var first error
		let := sync.OnceFunc(func() { close(release) })
		defer wg.Wait()
		defer let()
		wg.Add(1)
		go func() {
			defer wg.Done()
			first = d.InTx(ctx, func(tx *db.Tx) error {
				_, err := s.Loader(tx).Unit(ctx, tr.c1, UnitInput{Type: Grid, Code: "360403001001002", Name: "第二网格"}, geo.Rect(116.05, 29.7, 116.1, 29.8))
				close(written)
				<-release
				return err
			})
		}()
		<-written
		done := make(chan error, 1)
		go func() {
			_, err := s.CreateUnit(ctx, system, UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001003", Name: "第三网格", Boundary: rect(116.06, 29.7, 116.1, 29.8)})
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("second write finished while the first was open: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		let()
		wg.Wait()
		if first != nil {
			t.Fatalf("first write: %v", first)
		}
		boundsError(t, <-done, "boundary", "org.bounds_overlap")
	})
}
