package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
)

//go:embed templates/*.html
var baseTemplates embed.FS

// Shanghai is the time zone pages show times in.
var Shanghai = date.Shanghai

// NavItem is an entry of the main navigation, shown to actors holding Perm.
type NavItem struct {
	Key   string // message key of its label
	Href  string
	Perm  auth.Perm // empty: everyone signed in
	Order int
	Group string // message key of the heading it sits under; empty at the top
}

// Page is what every page shows besides its own content. Page structs embed it.
type Page struct {
	Lang    i18n.Lang
	Title   string
	Actor   *auth.Actor
	Nav     []NavLink
	Path    string // the request URI, for the language switch
	Flash   string
	Section string  // Href of the active navigation entry
	Basemap Basemap // the maps' background, if a tile server is configured
	Badges  []Badge
}

// Badge is a counter in the top bar: what it counts, where to see them.
type Badge struct {
	Label string
	Href  string
	Count int
	Icon  string // a class naming the icon: "inbox", "bell"
}

// NavLink is a navigation entry as shown.
type NavLink struct {
	Label  string
	Href   string
	Active bool
	// Group is the heading shown before the entry when a new group starts.
	Group string
}

// T translates a message key into the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.T(p.Lang, key, args...) }

// Msg puts a message into the page's language.
func (p *Page) Msg(m i18n.Msg) string { return m.In(p.Lang) }

// LangURL returns the current page's address in another language.
func (p *Page) LangURL(lang string) string {
	u, err := url.Parse(p.Path)
	if err != nil {
		return "/?lang=" + lang
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.String()
}

func (p *Page) base() *Page { return p }

// Basemap is the maps' background: tile URL templates ({z}/{x}/{y}, and
// {s} for the a, b, c subdomains), drawn in order (a base layer, then
// perhaps its labels), and the attribution their terms ask to be shown on
// every map.
type Basemap struct {
	Tiles       []string
	Attribution string
}

// Layers is the tile URL templates separated by spaces, as the pages' body
// carries them (a URL holds no space).
func (b Basemap) Layers() string { return strings.Join(b.Tiles, " ") }

// PageData is a page's typed data: a struct embedding Page.
type PageData interface{ base() *Page }

// Renderer renders pages from templates parsed once at start.
type Renderer struct {
	// Basemap is the tile server pages give to Leaflet (none: maps show
	// boundaries on a plain background).
	Basemap Basemap
	// Badges gives the top bar's counters for a signed-in request (what
	// waits, what is unread); nil for none.
	Badges func(*http.Request) []Badge
	static *Static
	base   *template.Template
	pages  map[string]*template.Template
	nav    []NavItem
}

// NewRenderer parses the layout and shared partials.
func NewRenderer(static *Static) (*Renderer, error) {
	r := &Renderer{static: static, pages: map[string]*template.Template{}}
	base, err := template.New("").Funcs(r.funcs()).ParseFS(baseTemplates, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	r.base = base
	if err := r.AddPages("web", baseTemplates, "templates"); err != nil {
		return nil, err
	}
	return r, nil
}

// AddNav adds entries to the main navigation.
func (r *Renderer) AddNav(items ...NavItem) {
	r.nav = append(r.nav, items...)
	sort.SliceStable(r.nav, func(i, j int) bool { return r.nav[i].Order < r.nav[j].Order })
}

// AddPages parses a module's templates from dir in fsys. Files whose names
// start with "_" are partials shared by the module's pages; every other file
// is a page named "<module>/<file name without .html>" that defines
// "content" (and may define "title").
func (r *Renderer) AddPages(module string, fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	var partials, pages []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".html") {
			continue
		}
		if strings.HasPrefix(e.Name(), "_") {
			partials = append(partials, path.Join(dir, e.Name()))
		} else {
			pages = append(pages, path.Join(dir, e.Name()))
		}
	}
	for _, p := range pages {
		if module == "web" && (strings.HasSuffix(p, "/layout.html")) {
			continue
		}
		t, err := r.base.Clone()
		if err != nil {
			return err
		}
		if len(partials) > 0 && module != "web" {
			if t, err = t.ParseFS(fsys, partials...); err != nil {
				return fmt.Errorf("parse %s partials: %w", module, err)
			}
		}
		if t, err = t.ParseFS(fsys, p); err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		r.pages[module+"/"+strings.TrimSuffix(path.Base(p), ".html")] = t
	}
	return nil
}

// Check returns an error naming the first page that has no template, so that
// the server refuses to start without one.
func (r *Renderer) Check(pages ...string) error {
	for _, p := range pages {
		t, ok := r.pages[p]
		if !ok || t.Lookup("content") == nil {
			return fmt.Errorf("page template %s is missing", p)
		}
	}
	return nil
}

func (r *Renderer) fill(req *http.Request, data PageData) {
	p := data.base()
	p.Lang = Lang(req)
	p.Actor = Actor(req)
	p.Path = req.URL.RequestURI()
	p.Basemap = r.Basemap
	if p.Actor != nil && r.Badges != nil {
		p.Badges = r.Badges(req)
	}
	if p.Actor != nil {
		p.Nav = p.Nav[:0]
		group := ""
		for _, n := range r.nav {
			if n.Perm != "" && !p.Actor.Has(n.Perm) {
				continue
			}
			active := n.Href == p.Section || (p.Section == "" && n.Href != "/" && strings.HasPrefix(req.URL.Path, n.Href))
			link := NavLink{Label: i18n.T(p.Lang, n.Key), Href: n.Href, Active: active || (n.Href == "/" && req.URL.Path == "/")}
			if n.Group != group {
				group = n.Group
				if group != "" {
					link.Group = i18n.T(p.Lang, group)
				}
			}
			p.Nav = append(p.Nav, link)
		}
	}
}

// Render writes a whole page.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, page string, data PageData) {
	r.execute(w, req, status, page, "layout", data)
}

// Fragment writes one named template of a page, for htmx to swap in.
func (r *Renderer) Fragment(w http.ResponseWriter, req *http.Request, page, name string, data PageData) {
	r.execute(w, req, http.StatusOK, page, name, data)
}

func (r *Renderer) execute(w http.ResponseWriter, req *http.Request, status int, page, name string, data PageData) {
	t, ok := r.pages[page]
	if !ok {
		slog.Error("missing page template", "page", page)
		http.Error(w, "missing page "+page, http.StatusInternalServerError)
		return
	}
	r.fill(req, data)
	if name == "layout" {
		data.base().Flash = takeFlash(w, req, data.base().Lang)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		slog.Error("render", "page", page, "template", name, "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	SetRetryAfter(w, status)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ErrorPage is the page shown for an error.
type ErrorPage struct {
	Page
	Status  int
	Message string
}

// RenderError shows err as a page with its status.
func (r *Renderer) RenderError(w http.ResponseWriter, req *http.Request, err error) {
	status, body := ErrorBody(req, err)
	if status == http.StatusUnauthorized && Actor(req) == nil {
		http.Redirect(w, req, "/login", http.StatusSeeOther)
		return
	}
	p := &ErrorPage{Status: status, Message: body.Error.Message}
	p.Title = i18n.T(Lang(req), "web.error_title")
	r.Render(w, req, status, "web/error", p)
}

// Handler adapts a page handler that may fail: its error is shown as an
// error page with the right status.
func (r *Renderer) Handler(fn func(w http.ResponseWriter, req *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if err := fn(w, req); err != nil {
			r.RenderError(w, req, err)
		}
	})
}

func (r *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) string { return r.static.URL(name) },
		"datetime": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(Shanghai).Format("2006-01-02 15:04")
			case *time.Time:
				if v == nil || v.IsZero() {
					return ""
				}
				return v.In(Shanghai).Format("2006-01-02 15:04")
			}
			return ""
		},
		"date": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				if v.IsZero() {
					return ""
				}
				return v.In(Shanghai).Format("2006-01-02")
			case *time.Time:
				if v == nil || v.IsZero() {
					return ""
				}
				return v.In(Shanghai).Format("2006-01-02")
			}
			return ""
		},
		"grouped": Grouped,
		"add":     func(a, b int) int { return a + b },
		"hours":   func(minutes int) float64 { return float64(minutes) / 60 },
		"percent": func(v float64) string { return fmt.Sprintf("%.1f%%", v*100) },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict keys are strings")
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// Fail is a convenience for handlers: it wraps a plain error as internal.
func Fail(err error) error { return apperr.Wrap(err) }

// Grouped prints a number with its integer digits in groups of three
// (29566 as "29,566", 384501.5 as "384,501.5"), so that the large figures
// on overview cards read at a glance. It takes any value that prints as a
// number; anything else is printed as it is.
func Grouped(v any) string {
	s := fmt.Sprint(v)
	start := 0
	if strings.HasPrefix(s, "-") {
		start = 1
	}
	end := start
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end-start <= 3 || (end < len(s) && s[end] != '.') {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:start])
	digits := s[start:end]
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteString(s[end:])
	return b.String()
}
