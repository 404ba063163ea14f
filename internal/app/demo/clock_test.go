package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/pii"
)

// TestLoadAtAnyHour loads the demo district, at the default scale, with
// seeds 1 to 5 and the clock at the two hours of the day the test runs
// when the day in UTC is not the district's: 23:30 UTC (07:30 the next
// morning in Shanghai) and 00:30 in Shanghai (16:30 UTC). Babies are drawn
// up to the district's today and must be accepted; none is born after it.
// A failure names the clock, which Options.Now sets again.
func TestLoadAtAnyHour(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo district ten times (about a minute on SQLite)")
	}
	y, m, day := time.Now().UTC().Date()
	clocks := []time.Time{
		time.Date(y, m, day, 23, 30, 0, 0, time.UTC),
		time.Date(y, m, day, 16, 30, 0, 0, time.UTC),
	}
	bornToday := 0
	for _, clock := range clocks {
		today := date.Today(clock)
		for seed := int64(1); seed <= 5; seed++ {
			t.Run(fmt.Sprintf("seed %d at %s", seed, clock.UTC().Format(time.RFC3339)), func(t *testing.T) {
				ctx := context.Background()
				d := dbtest.Open(t, db.SQLite, migrations)
				orgs := org.NewStore(d)
				vault, err := pii.Open(ctx, d, t.TempDir(), "")
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				_, err = Load(ctx, d, orgs, auth.NewStore(d, orgs), people.NewStore(d, orgs, vault),
					Options{Seed: seed, Now: func() time.Time { return clock }})
				if err != nil {
					t.Fatalf("load on %s in Shanghai: %v", today, err)
				}
				t.Logf("loaded in %v", time.Since(start))
				var born, later int
				if err := d.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN birth_date = ? THEN 1 ELSE 0 END), 0),
					COALESCE(SUM(CASE WHEN birth_date > ? THEN 1 ELSE 0 END), 0) FROM residents`, today, today).Scan(&born, &later); err != nil {
					t.Fatal(err)
				}
				if later > 0 {
					t.Errorf("%d residents born after %s", later, today)
				}
				bornToday += born
			})
		}
	}
	t.Logf("%d residents born on the day of their load", bornToday)
}
