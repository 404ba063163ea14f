// Package notify keeps the in-app notifications of every module: a message
// for one user about one record (its subject: a type and an id, as "event",
// 42), written in the transaction of the change it tells of, listed on the
// user's notifications page, counted while unread, and passed on beyond the
// app (SMS, a messaging app) by a delivery job once the change commits.
//
// A message is stored as its catalog key and arguments, not as text, so
// that each reader sees it in their own language. A module names where a
// subject of its own is shown with Link.
package notify

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the notifications table (after auth's users).
var Migrations = db.Migrations{Module: "notify", FS: db.Sub(migrationFiles, "migrations")}

// Subject is the record a notification is about.
type Subject struct {
	Type string // "event"
	ID   int64
}

// Message is what Send leaves for each recipient.
type Message struct {
	Subject Subject
	Kind    string // what happened, for filters and delivery ("dispatched")
	Key     string // the catalog key of the text
	Args    []any  // the text's arguments
}

// Notification is a message as one user received it.
type Notification struct {
	ID        int64
	UserID    int64
	Subject   Subject
	Kind      string
	Key       string
	Args      []any
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Text puts the notification into words in lang.
func (n Notification) Text(lang i18n.Lang) string { return i18n.T(lang, n.Key, n.Args...) }

// Href is the page of the notification's subject, as its module links it,
// or "" when no module did.
func (n Notification) Href() string {
	links.RLock()
	href := links.m[n.Subject.Type]
	links.RUnlock()
	if href == nil {
		return ""
	}
	return href(n.Subject.ID)
}

var links = struct {
	sync.RWMutex
	m map[string]func(id int64) string
}{m: map[string]func(int64) string{}}

// Link names the page of a subject type ("event": /events/42), for the
// notifications page; a module calls it from init for its own types.
func Link(subjectType string, href func(id int64) string) {
	links.Lock()
	defer links.Unlock()
	if _, dup := links.m[subjectType]; dup {
		panic(fmt.Sprintf("notify: subject type %q linked twice", subjectType))
	}
	links.m[subjectType] = href
}

// encode is the stored form of a message's text.
func encode(m Message) (string, error) {
	b, err := json.Marshal(map[string]any{"key": m.Key, "args": m.Args})
	return string(b), err
}

// decode reads the stored form back; whole numbers come back as int64, as
// the catalogs' %d verbs need.
func (n *Notification) decode(msg string) {
	var m struct {
		Key  string `json:"key"`
		Args []any  `json:"args"`
	}
	_ = json.Unmarshal([]byte(msg), &m)
	n.Key, n.Args = m.Key, m.Args
	for i, a := range n.Args {
		if f, ok := a.(float64); ok && f == float64(int64(f)) {
			n.Args[i] = int64(f)
		}
	}
}

func init() {
	i18n.Register(i18n.Catalog{
		"notify.notification": {Zh: "消息", En: "notification"},
	})
}
