package account

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

// auditPerPage is the entries on one page of the log.
const auditPerPage = 50

// AuditLine is one entry of the log in words, as an auditor reads it.
type AuditLine struct {
	Seq      int64
	At       time.Time
	Actor    string // the person's name, or the user name as typed
	Username string
	Roles    string // the actor's roles in words
	IP       string
	Action   string // in words
	Code     string // the action's code, for the filter link
	Entity   string // the kind of record in words
	Object   string // the record's name, or its number
	Changes  []audit.Change
}

// AuditPage shows the log, newest first, filtered by date, person, action
// and record.
type AuditPage struct {
	web.Page
	Form     *web.Form
	Lines    []AuditLine
	Pager    *web.Pager
	Actions  []web.Option
	Entities []web.Option
	Export   string
}

// auditFilter reads the log's filter from the query: from and to are
// dates in the district's day (to included), actor a user name, action and
// entity codes, entity_id a record's id.
func auditFilter(q url.Values) (audit.Filter, error) {
	var fields apperr.Fields
	f := audit.Filter{
		Actor:    strings.TrimSpace(q.Get("actor")),
		Action:   strings.TrimSpace(q.Get("action")),
		Entity:   strings.TrimSpace(q.Get("entity")),
		EntityID: strings.TrimSpace(q.Get("entity_id")),
	}
	day := func(name string) time.Time {
		d, err := date.Parse(q.Get(name))
		if err != nil {
			fields.Add(name, "field.bad_date")
			return time.Time{}
		}
		if d.IsZero() {
			return time.Time{}
		}
		t := d.Time()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, date.Shanghai)
	}
	f.From = day("from")
	if to := day("to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		fields.Add("to", "account.audit_to_before_from")
	}
	return f, fields.Err()
}

// lines puts rows in words: actors by name and role, actions and records
// named, details as changes.
func (u *UI) lines(ctx context.Context, lang i18n.Lang, rows []audit.Row) ([]AuditLine, error) {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ActorID)
	}
	users, err := u.Accounts.Users(ctx, ids)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	names, err := u.Names.Of(ctx, rows)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	out := make([]AuditLine, len(rows))
	for i, r := range rows {
		l := AuditLine{Seq: r.Seq, At: r.At, Actor: r.Actor, Username: r.Actor, IP: r.IP,
			Action: audit.ActionWords(lang, r.Action), Code: r.Action, Entity: audit.EntityWords(lang, r.Entity),
			Changes: audit.Changes(lang, r.Entity, r.Detail)}
		switch usr := users[r.ActorID]; {
		case usr != nil:
			l.Actor, l.Roles = usr.DisplayName, rolesInWords(lang, usr.Grants)
		case strings.HasPrefix(r.Actor, "system:"):
			l.Actor, l.Username = i18n.T(lang, "account.audit_system"), ""
		}
		if r.IP == "local" {
			l.IP = i18n.T(lang, "account.audit_local")
		}
		if r.EntityID != "" {
			l.Object = "#" + r.EntityID
			if n := names[r.Entity][r.EntityID]; n != "" {
				l.Object = n
			}
		}
		out[i] = l
	}
	return out, nil
}

// rolesInWords names the roles of grants, each once.
func rolesInWords(lang i18n.Lang, grants []auth.Grant) string {
	seen := map[auth.Role]bool{}
	var out []string
	for _, g := range grants {
		if !seen[g.Role] {
			seen[g.Role] = true
			out = append(out, i18n.T(lang, "role."+string(g.Role)))
		}
	}
	return strings.Join(out, "、")
}

// vocabulary lists the codes under a message prefix with their words,
// sorted by the words, for a filter's choices.
func vocabulary(lang i18n.Lang, prefix, all string) []web.Option {
	var opts []web.Option
	for _, k := range i18n.Keys(prefix) {
		code := strings.TrimPrefix(k, prefix)
		opts = append(opts, web.Option{Value: code, Label: i18n.T(lang, k)})
	}
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].Label < opts[j].Label })
	return append([]web.Option{{Value: "", Label: i18n.T(lang, all)}}, opts...)
}

func (u *UI) auditLog(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	q := r.URL.Query()
	p := &AuditPage{Form: web.NewForm(q),
		Actions:  vocabulary(lang, "audit.action.", "account.audit_all_actions"),
		Entities: vocabulary(lang, "audit.entity.", "account.audit_all_entities")}
	p.Title = i18n.T(lang, "nav.audit")
	f, err := auditFilter(q)
	if err != nil {
		p.Form.Fail(r, err)
		p.Pager = web.NewPager(r.URL, 0, auditPerPage, i18n.T(lang, "web.pager"))
		u.R.Render(w, r, http.StatusBadRequest, "account/audit", p)
		return nil
	}
	page := max(1, web.NewQuery(r).Int("page", 1, 1, 1_000_000))
	f.Limit, f.Offset = auditPerPage, (page-1)*auditPerPage
	rows, total, err := u.Accounts.AuditLog(r.Context(), actor, f)
	if err != nil {
		return err
	}
	p.Pager = web.NewPager(r.URL, total, auditPerPage, i18n.T(lang, "web.pager"))
	if p.Lines, err = u.lines(r.Context(), lang, rows); err != nil {
		return err
	}
	export := *r.URL
	export.Path = "/audit/export"
	eq := export.Query()
	eq.Del("page")
	export.RawQuery = eq.Encode()
	p.Export = export.RequestURI()
	u.R.Render(w, r, http.StatusOK, "account/audit", p)
	return nil
}

// auditExport sends the filtered log as a spreadsheet, in words, and
// audits the export.
func (u *UI) auditExport(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = audit.MaxLimit
	rows, total, err := u.Accounts.AuditLog(r.Context(), actor, f)
	if err != nil {
		return err
	}
	if total > audit.MaxLimit {
		return apperr.New(apperr.Invalid, "account.audit_too_many", total, audit.MaxLimit)
	}
	lines, err := u.lines(r.Context(), lang, rows)
	if err != nil {
		return err
	}
	t := func(k string) string { return i18n.T(lang, k) }
	sheet := web.Sheet{Name: t("nav.audit"), Header: []string{"#", t("account.audit_at"), t("account.audit_who"),
		t("account.username"), t("account.role"), t("account.audit_ip"), t("account.audit_action"),
		t("account.audit_entity_type"), t("account.audit_entity"), t("account.audit_detail")}}
	for _, l := range lines {
		sheet.Rows = append(sheet.Rows, []any{l.Seq, l.At, l.Actor, l.Username, l.Roles, l.IP, l.Action, l.Entity, l.Object, changesText(lang, l.Changes)})
	}
	if err := u.Accounts.RecordAuditExport(r.Context(), actor, len(lines), r.URL.Query()); err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "" {
		q := r.URL.Query()
		q.Set("format", "xlsx")
		r.URL.RawQuery = q.Encode()
	}
	_, err = web.Export(w, r, "audit-log", sheet)
	return err
}

// changesText writes changes on one line for a spreadsheet cell.
func changesText(lang i18n.Lang, cs []audit.Change) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		if c.Changed {
			parts[i] = i18n.T(lang, "account.audit_change", c.Field, c.From, c.To)
		} else {
			parts[i] = c.Field + ": " + c.To
		}
	}
	return strings.Join(parts, "; ")
}

// AuditEntryJSON is an entry of the log in the API, with its words.
type AuditEntryJSON struct {
	Seq        int64          `json:"seq"`
	At         time.Time      `json:"at"`
	ActorName  string         `json:"actor_name"`
	Username   string         `json:"username"`
	Roles      string         `json:"roles"`
	IP         string         `json:"ip"`
	Action     string         `json:"action"`
	ActionText string         `json:"action_text"`
	Entity     string         `json:"entity_text"`
	Object     string         `json:"object"`
	Changes    []audit.Change `json:"changes"`
}

// auditAPI lists the log as JSON: the page's filters, page and per_page.
func (u *UI) auditAPI(r *http.Request, actor *auth.Actor) (any, error) {
	q := web.NewQuery(r)
	p := q.Paging()
	if err := q.Err(); err != nil {
		return nil, err
	}
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		return nil, err
	}
	f.Limit, f.Offset = p.PerPage, p.Offset()
	rows, total, err := u.Accounts.AuditLog(r.Context(), actor, f)
	if err != nil {
		return nil, err
	}
	lines, err := u.lines(r.Context(), web.Lang(r), rows)
	if err != nil {
		return nil, err
	}
	items := make([]AuditEntryJSON, len(lines))
	for i, l := range lines {
		items[i] = AuditEntryJSON{Seq: l.Seq, At: l.At, ActorName: l.Actor, Username: l.Username, Roles: l.Roles, IP: l.IP,
			Action: l.Code, ActionText: l.Action, Entity: l.Entity, Object: l.Object, Changes: l.Changes}
	}
	return web.NewList(items, total, p), nil
}
