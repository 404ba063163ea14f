package app

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/module"
	"grassroots/internal/platform/web"
)

// inbox is what waits for the actor (待办), from every module, in the
// modules' order; counted again only when something was written since.
func (a *App) inbox(ctx context.Context, actor *auth.Actor) ([]module.Todo, error) {
	return a.inboxes.get(ctx, actor, func(ctx context.Context) ([]module.Todo, error) {
		parts := make([][]module.Todo, len(a.Modules))
		g, gctx := errgroup.WithContext(ctx)
		for i, m := range a.Modules {
			if l, ok := m.(module.TodoLister); ok {
				g.Go(func() (err error) { parts[i], err = l.Todos(gctx, actor); return })
			}
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		return slices.Concat(parts...), nil
	})
}

// waitingCount is how many things wait for the actor in all.
func waitingCount(todos []module.Todo) int {
	n := 0
	for _, t := range todos {
		n += t.Count
	}
	return n
}

// badges are the top bar's counters: what waits (待办) and the unread
// notifications. A page is still shown when they cannot be counted (the
// database is failing, say): the failure is logged and the counter left
// out.
func (a *App) badges(r *http.Request) []web.Badge {
	actor := web.Actor(r)
	if actor == nil {
		return nil
	}
	lang := web.Lang(r)
	var out []web.Badge
	// Volunteers' and merchants' homes are their own pages, without an
	// inbox.
	if !actor.Has(org.PermRead) {
	} else if todos, err := a.inbox(r.Context(), actor); err != nil {
		slog.Warn("inbox badge", "user", actor.Username, "err", err)
	} else {
		out = append(out, web.Badge{Label: i18n.T(lang, "inbox.title"), Href: "/#inbox", Count: waitingCount(todos), Icon: "inbox"})
	}
	if unread, err := a.Notify.Unread(r.Context(), actor.UserID); err != nil {
		slog.Warn("notifications badge", "user", actor.Username, "err", err)
	} else {
		out = append(out, web.Badge{Label: i18n.T(lang, "inbox.notifications"), Href: "/notifications", Count: unread, Icon: "bell"})
	}
	return out
}

// TodoJSON is one kind of waiting work in /api/v1/inbox.
type TodoJSON struct {
	Name    string     `json:"name"`
	Label   string     `json:"label"`
	Count   int        `json:"count"`
	Overdue int        `json:"overdue"`
	Due     *time.Time `json:"due,omitempty"`
	Href    string     `json:"href"`
}

// InboxJSON is /api/v1/inbox: what waits for the caller.
type InboxJSON struct {
	Total int        `json:"total"`
	Items []TodoJSON `json:"items"`
}

func (h *homeUI) inboxAPI(r *http.Request, actor *auth.Actor) (any, error) {
	todos, err := h.app.inbox(r.Context(), actor)
	if err != nil {
		return nil, err
	}
	lang := web.Lang(r)
	out := InboxJSON{Total: waitingCount(todos), Items: []TodoJSON{}}
	for _, t := range todos {
		out.Items = append(out.Items, TodoJSON{Name: t.Name, Label: i18n.T(lang, t.Label), Count: t.Count, Overdue: t.Overdue, Due: t.Due, Href: t.Href})
	}
	return out, nil
}

// InboxItem is one line of the home page's inbox.
type InboxItem struct {
	Label   string
	Count   int
	Overdue int
	Due     *time.Time
	Href    string
}

func init() {
	i18n.Register(i18n.Catalog{
		"inbox.title":         {Zh: "待办", En: "To do"},
		"inbox.notifications": {Zh: "消息", En: "Notifications"},
		"inbox.mine":          {Zh: "我的待办", En: "Waiting for me"},
		"inbox.empty":         {Zh: "暂无待办事项。", En: "Nothing waits for you."},
		"inbox.overdue":       {Zh: "%d 件已超时", En: "%d overdue"},
		"inbox.due":           {Zh: "最早 %s 到期", En: "first due %s"},
	})
}
