package events

import (
	"context"
	"io/fs"
	"strconv"
	"testing"
	"testing/fstest"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/notify"
)

// TestNotificationsMoveToNotify upgrades a database whose events schema
// still kept its own notifications table: the rows move to the platform's,
// about their event, with their text and read times.
func TestNotificationsMoveToNotify(t *testing.T) {
	first, err := fs.ReadFile(Migrations.FS, "0001_events.sql")
	if err != nil {
		t.Fatal(err)
	}
	old := append(testMigrations[:len(testMigrations)-1:len(testMigrations)-1],
		db.Migrations{Module: Migrations.Module, FS: fstest.MapFS{"0001_events.sql": {Data: first}}})
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			d := dbtest.Open(t, e, old)
			w := newWorld(t, d)
			lon, lat := pt(116.005, 29.705)
			c, err := w.s.Create(ctx, at(auth.GridMember, w.g1, 0), NewEvent{CategoryID: w.cat.ID, Description: "路边垃圾堆积", Lon: lon, Lat: lat, Source: FromGrid})
			if err != nil {
				t.Fatal(err)
			}
			read := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
			var user int64
			if err := d.InTx(ctx, func(tx *db.Tx) error {
				if err := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, created_at, password_changed_at)
					VALUES ('wang', 'wang', '', ?, ?) RETURNING id`, read, read).Scan(&user); err != nil {
					return err
				}
				for _, r := range []*time.Time{&read, nil} {
					if _, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, event_id, kind, message, created_at, read_at) VALUES (?, ?, 'dispatched', ?, ?, ?)`,
						user, c.Event.ID, `{"key":"events.n_dispatched","args":[`+strconv.FormatInt(c.Event.ID, 10)+`]}`, read.Add(-time.Hour), r); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Migrate(ctx, testMigrations...); err != nil {
				t.Fatal(err)
			}
			list, total, err := notify.NewStore(d).List(ctx, user, 0, 10)
			if err != nil || total != 2 {
				t.Fatalf("moved %d notifications (%v), want 2", total, err)
			}
			if list[1].ReadAt == nil || !list[1].ReadAt.Equal(read) || list[0].ReadAt != nil {
				t.Errorf("read times %v, %v; want the older read at %v, the newer unread", list[1].ReadAt, list[0].ReadAt, read)
			}
			for _, n := range list {
				if n.Subject != (notify.Subject{Type: SubjectEvent, ID: c.Event.ID}) || n.Kind != "dispatched" || n.Text(i18n.Zh) != i18n.T(i18n.Zh, "events.n_dispatched", c.Event.ID) {
					t.Errorf("moved %+v (%q)", n, n.Text(i18n.Zh))
				}
			}
			if _, err := d.Exec(ctx, `SELECT COUNT(*) FROM notifications`); err == nil {
				t.Error("the old notifications table is still there")
			}
		})
	}
}
