package events_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"grassroots/internal/app"
	"grassroots/internal/events"
	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/jobs"
)

// TestDeadlineJobsTwoInstances runs two server instances on one
// PostgreSQL database, each with its own job runner and connection pool,
// moves their clock past the deadlines of a batch of events and lets the
// deadline sweep jobs (the periodic one and extra ones enqueued through
// both runners) run on both: every event turns red and is escalated
// exactly once. On SQLite (one writer, one instance) it runs the same with
// one instance.
func TestDeadlineJobsTwoInstances(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			ctx := context.Background()
			url, dir := dbtest.URL(t, engine), t.TempDir()
			var clockMu sync.Mutex
			clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday, 17:00 in Shanghai
			now := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
			open := func() *app.App {
				a, err := app.Open(ctx, app.Config{DBURL: url, DataDir: dir, Jobs: jobs.Config{PollInterval: 50 * time.Millisecond}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				app.Get[*events.Store](a).Now = now
				return a
			}
			apps := []*app.App{open()}
			if engine == db.Postgres {
				apps = append(apps, open())
			}
			a := apps[0]
			sys := auth.SystemActor("test")
			mk := func(parent *org.Unit, typ org.UnitType, code, name, boundary string) *org.Unit {
				in := org.UnitInput{Type: typ, Code: code, Name: name, Boundary: boundary}
				if parent != nil {
					in.ParentID = parent.ID
				}
				u, err := app.Get[*org.Store](a).CreateUnit(ctx, sys, in)
				if err != nil {
					t.Fatal(err)
				}
				return u
			}
			box := geo.Rect(116.0, 29.7, 116.01, 29.71).GeoJSON()
			district := mk(nil, org.District, "360403", "浔阳区", "")
			dept := mk(district, org.Department, "360403-CGJ", "城管局", "")
			street := mk(district, org.Street, "360403001", "湓浦街道", "")
			community := mk(street, org.Community, "360403001001", "白水湖社区", "")
			mk(community, org.Grid, "360403001001001", "第一网格", box)
			if _, err := app.Get[*auth.Store](a).CreateUser(ctx, sys, auth.NewUser{Username: "boss", Password: "a-long-password",
				Grants: []auth.GrantSpec{{Role: auth.DistrictAdmin, UnitID: district.ID}}}); err != nil {
				t.Fatal(err)
			}
			cat, err := app.Get[*events.Store](a).CategoryByCode(ctx, "0101")
			if err != nil {
				t.Fatal(err)
			}
			const n = 12
			ids := make([]int64, n)
			for i := range ids {
				lon, lat := 116.001+float64(i)*0.0005, 29.705
				c, err := app.Get[*events.Store](a).Create(ctx, sys, events.NewEvent{CategoryID: cat.ID, Description: "垃圾", Lon: &lon, Lat: &lat, Source: events.FromAPI})
				if err != nil {
					t.Fatal(err)
				}
				ids[i] = c.Event.ID
				for _, in := range []events.StepInput{{Action: events.ActAccept}, {Action: events.ActDispatch, HandlingUnitID: dept.ID}, {Action: events.ActSign}} {
					if _, err := app.Get[*events.Store](a).Act(ctx, sys, c.Event.ID, in); err != nil {
						t.Fatal(err)
					}
				}
			}
			// The handling deadline of exposed rubbish is 4 working hours:
			// from Monday 17:00, Tuesday 11:30. Move the clock to Wednesday.
			clockMu.Lock()
			clock = clock.Add(48 * time.Hour)
			clockMu.Unlock()
			for _, x := range apps {
				if err := x.Start(ctx); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for _, x := range apps {
				for range 3 {
					if err := x.Jobs.Insert(ctx, events.SweepArgs{}, nil); err != nil {
						t.Fatal(err)
					}
				}
				// And a sweep run directly on each instance, at the same time.
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := app.Get[*events.Store](x).Sweep(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			deadline := time.Now().Add(30 * time.Second)
			for {
				var red, pending int
				if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE warn_level = 2`).Scan(&red); err != nil {
					t.Fatal(err)
				}
				if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = ? AND state NOT IN ('completed', 'discarded', 'cancelled')`,
					events.SweepArgs{}.Kind()).Scan(&pending); err != nil {
					t.Fatal(err)
				}
				if red == n && pending == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after 30 s: %d of %d events red, %d sweep jobs pending", red, n, pending)
				}
				time.Sleep(100 * time.Millisecond)
			}
			var completed int
			if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = ? AND state = 'completed'`, events.SweepArgs{}.Kind()).Scan(&completed); err != nil {
				t.Fatal(err)
			}
			if completed < 3*len(apps) {
				t.Errorf("%d sweep jobs completed, want at least %d", completed, 3*len(apps))
			}
			for _, id := range ids {
				e, err := app.Get[*events.Store](a).Event(ctx, sys, id)
				if err != nil {
					t.Fatal(err)
				}
				if e.WarnLevel != 2 || e.Escalations != 1 || e.EscalatedUnitID != district.ID || !e.Overdue(now()) {
					t.Errorf("event %d: level %d, %d escalations, escalated to %d", id, e.WarnLevel, e.Escalations, e.EscalatedUnitID)
				}
				var steps, notes int
				if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM event_steps WHERE event_id = ? AND action = 'escalate'`, id).Scan(&steps); err != nil {
					t.Fatal(err)
				}
				if err := a.DB.QueryRow(ctx, `SELECT COUNT(*) FROM notify_messages WHERE subject_type = 'event' AND subject_id = ? AND kind = 'escalated'`, id).Scan(&notes); err != nil {
					t.Fatal(err)
				}
				if steps != 1 || notes != 1 {
					t.Errorf("event %d: %d escalation steps and %d notifications to the district, want 1 each", id, steps, notes)
				}
			}
		})
	}
}
