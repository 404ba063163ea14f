package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"grassroots/internal/app/apptest"
	"grassroots/internal/platform/db/dbtest"
)

// BenchmarkIntake measures sustained intake of reports (no photos) through
// the JSON API by a hotline operator's client, four requests at once, each request signed in with a token,
// checked, placed in its grid by point in polygon, given its deadlines,
// written with its first history step and audited, against raw INSERTs of
// the same rows into the events table (one statement per row, no checks,
// no history, no audit) in the same run.
//
//	GRASSROOTS_TEST_POSTGRES=... go test ./internal/app/ -run '^$' -bench Intake -benchtime 2000x
func BenchmarkIntake(b *testing.B) {
	for _, engine := range dbtest.Engines() {
		b.Run(string(engine), func(b *testing.B) {
			e := apptest.Start(b, engine)
			token := e.Token(b, "operator")
			cat, err := e.Events.CategoryByCode(context.Background(), "0101")
			if err != nil {
				b.Fatal(err)
			}
			lon, lat := apptest.GridPoint(1)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			var seq atomic.Int64
			b.Run("api", func(b *testing.B) {
				b.SetParallelism(2) // 2 × GOMAXPROCS clients
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						n := seq.Add(1)
						// Spread over both grids (two square kilometres).
						x, y := float64(n*7919%1000)/1000, float64(n*104729%1000)/1000
						body := fmt.Sprintf(`{"category_id":%d,"description":"路边垃圾 %d","lon":%f,"lat":%f}`, cat.ID, n, 116.0001+x*0.0198, 29.7001+y*0.0098)
						req, _ := http.NewRequest("POST", e.Server.URL+"/api/v1/events", strings.NewReader(body))
						req.Header.Set("Authorization", "Bearer "+token)
						req.Header.Set("Content-Type", "application/json")
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						if resp.StatusCode != 201 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
			})
			d := e.App.DB
			path := e.Grid1.Path
			b.Run("raw", func(b *testing.B) {
				b.SetParallelism(2)
				b.RunParallel(func(pb *testing.PB) {
					ctx := context.Background()
					for pb.Next() {
						n := seq.Add(1)
						now := time.Now().UTC()
						if _, err := d.Exec(ctx, `INSERT INTO events (category_id, grid_id, unit_path, state, is_open, source, description, address,
							lon, lat, reporter_name, reported_at, stage_started_at, stage_due_at, warn_at, next_check_at, stage_seq, updated_at)
							VALUES (?, ?, ?, 'reported', TRUE, 'api', ?, '', ?, ?, '', ?, ?, ?, ?, ?, 1, ?)`,
							cat.ID, e.Grid1.ID, path, fmt.Sprintf("路边垃圾 %d", n), lon, lat, now, now, now.Add(time.Hour), now.Add(48*time.Minute),
							now.Add(48*time.Minute), now); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
