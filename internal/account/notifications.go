package account

import (
	"net/http"
	"time"

	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/notify"
	"grassroots/internal/platform/web"
)

// Inbox serves a user's own notifications, from every module: the page,
// marking them read, and the API.
type Inbox struct {
	Notify *notify.Store
	R      *web.Renderer
}

// notificationsPerPage is how many notifications a page or an API answer holds.
const notificationsPerPage = 50

// Register adds the inbox's routes; its template is parsed with the
// account pages.
func (u *Inbox) Register(rt *web.Routes) error {
	if err := u.R.Check("account/notifications"); err != nil {
		return err
	}
	rt.Page("GET /notifications", web.Own(), u.page)
	rt.Page("POST /notifications/read", web.Own(), u.markRead)
	rt.Page("GET /notifications/{id}", web.Own(), u.open)
	rt.API("GET /api/v1/notifications", web.Own(), u.api)
	return nil
}

// NotificationsPage lists the reader's notifications, newest first.
type NotificationsPage struct {
	web.Page
	Items  []notify.Notification
	Unread int
	Pager  *web.Pager
}

// read reads the ?page= of the actor's notifications and how many are unread.
func (u *Inbox) read(r *http.Request, actor *auth.Actor) (list []notify.Notification, unread int, p *web.Pager, err error) {
	p, err = web.ReadPage(r, notificationsPerPage, func(limit, offset int) (total int, err error) {
		list, total, err = u.Notify.List(r.Context(), actor.UserID, offset, limit)
		return total, err
	})
	if err != nil {
		return nil, 0, nil, err
	}
	unread, err = u.Notify.Unread(r.Context(), actor.UserID)
	return list, unread, p, err
}

func (u *Inbox) page(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	p := &NotificationsPage{}
	if p.Items, p.Unread, p.Pager, err = u.read(r, actor); err != nil {
		return err
	}
	p.Title = i18n.T(web.Lang(r), "account.notifications")
	p.Section = "/account"
	u.R.Render(w, r, http.StatusOK, "account/notifications", p)
	return nil
}

// open marks a notification read and goes to its subject.
func (u *Inbox) open(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := u.Notify.Open(r.Context(), actor.UserID, id)
	if err != nil {
		return err
	}
	href := n.Href()
	if href == "" {
		href = "/notifications"
	}
	http.Redirect(w, r, href, http.StatusSeeOther)
	return nil
}

func (u *Inbox) markRead(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if err := u.Notify.MarkRead(r.Context(), actor.UserID); err != nil {
		return err
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	return nil
}

// notificationJSON is a notification in the API. event_id is kept for
// the notifications about events, as clients read it before subjects had
// types.
type notificationJSON struct {
	ID          int64     `json:"id"`
	SubjectType string    `json:"subject_type"`
	SubjectID   int64     `json:"subject_id"`
	EventID     int64     `json:"event_id,omitempty"`
	Kind        string    `json:"kind"`
	Text        string    `json:"text"`
	Href        string    `json:"href,omitempty"`
	At          time.Time `json:"at"`
	Read        bool      `json:"read"`
}

func (u *Inbox) api(r *http.Request, actor *auth.Actor) (any, error) {
	list, unread, p, err := u.read(r, actor)
	if err != nil {
		return nil, err
	}
	items := []notificationJSON{}
	for _, n := range list {
		j := notificationJSON{ID: n.ID, SubjectType: n.Subject.Type, SubjectID: n.Subject.ID, Kind: n.Kind,
			Text: n.Text(web.Lang(r)), Href: n.Href(), At: n.CreatedAt, Read: n.ReadAt != nil}
		if n.Subject.Type == "event" {
			j.EventID = n.Subject.ID
		}
		items = append(items, j)
	}
	return map[string]any{"items": items, "unread": unread, "total": p.Total, "page": p.Page}, nil
}
