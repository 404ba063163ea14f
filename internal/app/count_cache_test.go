package app

import (
	"context"
	"testing"
	"time"

	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/module"
)

// TestOverviewCacheCountsAgainAfterWrites checks when the kept overview is
// counted again: after a write, after 30 seconds, and not after sign-ins.
func TestOverviewCacheCountsAgainAfterWrites(t *testing.T) {
	dbtest.Each(t, []db.Migrations{audit.Migrations}, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
		c := newCountCache[module.Overview](d)
		c.now = func() time.Time { return clock }
		counted := 0
		count := func(context.Context) (module.Overview, error) {
			counted++
			return module.Overview{{Name: "grids", Value: counted}}, nil
		}
		grids := func(o module.Overview) any { f, _ := o.Get("grids"); return f.Value }
		actor := &auth.Actor{UserID: 7, Grants: []auth.Grant{{Role: auth.StreetStaff, UnitPath: "/1/2/"}}}
		// get asks for the overview and expects the one of count want,
		// after counts counts in all.
		get := func(want, counts int, why string) {
			t.Helper()
			o, err := c.get(ctx, actor, count)
			if err != nil {
				t.Fatal(err)
			}
			if grids(o) != want || counted != counts {
				t.Errorf("%s: the overview of count %v after %d counts; want %d after %d", why, grids(o), counted, want, counts)
			}
		}
		record := func(action string) {
			t.Helper()
			if err := d.InTx(ctx, func(tx *db.Tx) error {
				return audit.Record(ctx, tx, audit.Entry{Actor: "someone", Action: action, Entity: "unit", EntityID: "1"})
			}); err != nil {
				t.Fatal(err)
			}
		}
		get(1, 1, "first")
		get(1, 1, "nothing written")
		record("login.failed")
		record("login")
		get(1, 1, "only sign-ins")
		record("unit.create")
		get(2, 2, "after a write")
		// Another user's overview is their own.
		other, err := c.get(ctx, &auth.Actor{UserID: 8, Grants: actor.Grants}, count)
		if err != nil || grids(other) != 3 {
			t.Errorf("another user: %+v %v", other, err)
		}
		clock = clock.Add(29 * time.Second)
		get(2, 3, "29 s later")
		clock = clock.Add(2 * time.Second)
		get(4, 4, "31 s later")
	})
}
