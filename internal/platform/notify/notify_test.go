package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/i18n"
)

func init() {
	i18n.Register(i18n.Catalog{"notify.test_dispatched": {Zh: "事件 %d 已派遣", En: "Event %d was dispatched"}})
	Link("test_event", func(id int64) string { return fmt.Sprintf("/test-events/%d", id) })
}

// addUsers writes users straight into auth's table and returns their ids.
func addUsers(t *testing.T, d *db.DB, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, n := range names {
		var id int64
		if err := d.InTx(context.Background(), func(tx *db.Tx) error {
			return tx.QueryRow(context.Background(), `INSERT INTO users (username, display_name, password_hash, created_at, password_changed_at)
				VALUES (?, ?, '', ?, ?) RETURNING id`, n, n, time.Now().UTC(), time.Now().UTC()).Scan(&id)
		}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestSendListUnreadMarkRead(t *testing.T) {
	dbtest.Each(t, []db.Migrations{auth.Migrations, Migrations}, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		clock := time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC)
		s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
		u := addUsers(t, d, "wang", "li")
		send := func(to []int64, id int64) {
			t.Helper()
			if err := d.InTx(ctx, func(tx *db.Tx) error {
				return s.Send(ctx, tx, to, Message{Subject: Subject{"test_event", id}, Kind: "dispatched", Key: "notify.test_dispatched", Args: []any{id}})
			}); err != nil {
				t.Fatal(err)
			}
		}
		send([]int64{u[0], u[1], u[0], 0, u[1] + 100}, 1) // a repeated recipient, no one and a missing user get nothing more
		send([]int64{u[0]}, 2)
		send(nil, 3)

		list, total, err := s.List(ctx, u[0], 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if total != 2 || len(list) != 2 {
			t.Fatalf("wang has %d notifications (%d listed), want 2", total, len(list))
		}
		n := list[0] // newest first
		if n.Subject != (Subject{"test_event", 2}) || n.Kind != "dispatched" || n.UserID != u[0] || n.ReadAt != nil {
			t.Errorf("newest = %+v", n)
		}
		if got := n.Text(i18n.Zh); got != "事件 2 已派遣" {
			t.Errorf("text = %q", got)
		}
		if got := n.Text(i18n.En); got != "Event 2 was dispatched" {
			t.Errorf("text = %q", got)
		}
		if got := n.Href(); got != "/test-events/2" {
			t.Errorf("href = %q", got)
		}
		if !n.CreatedAt.After(list[1].CreatedAt) {
			t.Errorf("created %v, not after the older one's %v", n.CreatedAt, list[1].CreatedAt)
		}
		page, total, err := s.List(ctx, u[0], 1, 10)
		if err != nil || total != 2 || len(page) != 1 || page[0].Subject.ID != 1 {
			t.Errorf("second page = %+v, total %d, %v; want the first notification", page, total, err)
		}

		if n, err := s.Unread(ctx, u[0]); err != nil || n != 2 {
			t.Errorf("wang's unread = %d, %v; want 2", n, err)
		}
		if err := s.MarkRead(ctx, u[0]); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Unread(ctx, u[0]); err != nil || n != 0 {
			t.Errorf("wang's unread after reading = %d, %v; want 0", n, err)
		}
		if n, err := s.Unread(ctx, u[1]); err != nil || n != 1 {
			t.Errorf("li's unread = %d, %v; want 1: marking is per user", n, err)
		}
		list, _, _ = s.List(ctx, u[0], 0, 10)
		for _, n := range list {
			if n.ReadAt == nil {
				t.Errorf("notification %d still unread", n.ID)
			}
		}
	})
}

func TestHrefUnlinked(t *testing.T) {
	if got := (Notification{Subject: Subject{"nothing", 1}}).Href(); got != "" {
		t.Errorf("href of an unlinked type = %q", got)
	}
}
