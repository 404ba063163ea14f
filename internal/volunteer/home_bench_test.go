package volunteer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// BenchmarkVolunteerHome is what a street's staff waits for on /volunteer:
// the figures, the coming activities, the hours waiting and the year's top
// volunteers (the store calls the page makes), over 100,000 services of
// which a fifth are in the street, against a bare count of the street's
// services in the same run, on each engine:
//
//	go test ./internal/volunteer -run '^$' -bench VolunteerHome -benchtime 20x
func BenchmarkVolunteerHome(b *testing.B) {
	benchEngines(b, func(b *testing.B, d *db.DB) {
		ctx := context.Background()
		f := setup(b, d)
		f.clock.Set(time.Date(2026, 12, 20, 2, 0, 0, 0, time.UTC))
		staff := f.user(b, "street", auth.StreetStaff, f.street)
		for i := range 50 {
			f.volunteer(b, fmt.Sprintf("志愿者%d", i), i+1, 0)
		}
		start := f.clock.Now().Add(24 * time.Hour)
		if _, err := f.s.CreateActivity(ctx, system, ActivityInput{UnitID: f.community.ID, Title: "清扫", Category: "other",
			Shifts: []ShiftInput{{StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 10}}}); err != nil {
			b.Fatal(err)
		}
		if err := bulkServices(ctx, d, f.community, f.other, 2000); err != nil {
			b.Fatal(err)
		}
		lo, hi := db.PrefixRange(f.street.Path)
		b.Run("bare-count", func(b *testing.B) {
			for range b.N {
				var n int
				if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM vol_signups WHERE unit_path >= ? AND unit_path < ?`, lo, hi).Scan(&n); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("home", func(b *testing.B) {
			for range b.N {
				if _, err := f.s.Overview(ctx, staff); err != nil {
					b.Fatal(err)
				}
				if _, _, err := f.s.ListActivities(ctx, staff, ActivityFilter{When: "upcoming", Limit: 8}); err != nil {
					b.Fatal(err)
				}
				if _, _, err := f.s.PendingHours(ctx, staff, 10); err != nil {
					b.Fatal(err)
				}
				if _, err := f.s.Ranking(ctx, staff, "volunteers", 2026, 10); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// bulkServices writes past activities of one shift each and a service of
// every volunteer on each (activities × volunteers rows) with raw INSERT
// ... SELECT statements: one in five at unit here, the rest at unit there,
// spread over the months of 2026, one in fifty waiting for verification,
// the rest verified; then it analyses the tables, as a loaded database is.
func bulkServices(ctx context.Context, d *db.DB, here, there *org.Unit, activities int) error {
	series := fmt.Sprintf(`WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %d) `, activities)
	if d.Engine() == db.Postgres {
		series = fmt.Sprintf(`WITH g(n) AS (SELECT generate_series(1, %d)) `, activities)
	}
	at := time.Date(2026, 6, 1, 1, 0, 0, 0, time.UTC)
	err := d.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, series+`INSERT INTO vol_activities (unit_id, unit_path, title, category, starts_at, ends_at, created_at, updated_at)
			SELECT CASE WHEN n % 5 = 0 THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END, CASE WHEN n % 5 = 0 THEN CAST(? AS TEXT) ELSE CAST(? AS TEXT) END, 'bench', 'other', ?, ?, ?, ? FROM g`,
			here.ID, there.ID, here.Path, there.Path, at, at.Add(time.Hour), at, at); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO vol_shifts (activity_id, unit_path, starts_at, ends_at, capacity, in_code, out_code, created_at)
			SELECT id, unit_path, starts_at, ends_at, 100, 'bench-in-' || id, 'bench-out-' || id, created_at FROM vol_activities WHERE title = 'bench'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO vol_signups (shift_id, activity_id, volunteer_id, unit_path, starts_at, ends_at, period, status,
			minutes, hours_status, points, created_at, updated_at)
			SELECT s.id, s.activity_id, v.id, s.unit_path, s.starts_at, s.ends_at, 202601 + s.id % 12, 'approved', 60 + v.id % 7,
				CASE WHEN (s.id + v.id) % 50 = 0 THEN 'pending' ELSE 'verified' END, 100, s.created_at, s.created_at
			FROM vol_shifts s CROSS JOIN vol_volunteers v WHERE s.in_code LIKE 'bench-in-%'`)
		return err
	})
	if err != nil {
		return err
	}
	return d.Analyze(ctx)
}
