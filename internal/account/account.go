// Package account is the sign-in side of Grassroots as users see it: the
// login and logout pages, one's own account and password, the list of
// accounts for those who manage them, and the audit log for auditors.
package account

import (
	"embed"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
	"grassroots/internal/platform/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// UI serves the account pages.
type UI struct {
	Accounts      *auth.Store
	Orgs          *org.Store
	R             *web.Renderer
	SecureCookies bool
	TrustProxy    bool
	Names         *audit.Names // how each module names its records in the log
}

// Pages lists the page templates the UI needs.
var Pages = []string{"account/login", "account/me", "account/users", "account/user_form", "account/audit"}

// Register parses the templates and adds the routes.
func (u *UI) Register(rt *web.Routes) error {
	if err := u.R.AddPages("account", templateFiles, "templates"); err != nil {
		return err
	}
	if err := u.R.Check(Pages...); err != nil {
		return err
	}
	u.R.AddNav(
		web.NavItem{Key: "nav.users", Href: "/users", Perm: auth.PermUsersManage, Order: 90, Group: "navgroup.system"},
		web.NavItem{Key: "nav.audit", Href: "/audit", Perm: auth.PermAuditRead, Order: 91, Group: "navgroup.system"},
		web.NavItem{Key: "account.me", Href: "/account", Order: 99, Group: "navgroup.system"},
	)
	rt.Page("GET /login", web.Public(), u.loginForm)
	rt.Page("POST /login", web.Public(), u.login)
	rt.Page("POST /logout", web.Own(), u.logout)
	rt.Page("GET /account", web.Own(), u.me)
	rt.Page("POST /account/password", web.Own(), u.changePassword)
	rt.Page("POST /account/tokens", web.Own(), u.createToken)
	rt.Page("POST /account/tokens/{id}/revoke", web.Own(), u.revokeToken)
	rt.Page("GET /users", web.Read(auth.PermUsersManage), u.users)
	rt.Page("GET /users/new", web.Write(auth.PermUsersManage), u.newUser)
	rt.Page("POST /users", web.Write(auth.PermUsersManage), u.createUser)
	rt.Page("GET /audit", web.Read(auth.PermAuditRead), u.auditLog)
	rt.Page("GET /audit/export", web.Read(auth.PermAuditRead), u.auditExport)
	rt.API("GET /api/v1/audit", web.Read(auth.PermAuditRead), u.auditAPI)
	return nil
}

// LoginPage is the sign-in form.
type LoginPage struct {
	web.Page
	Form *web.Form
	Next string
}

func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) error {
	if web.Actor(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p := &LoginPage{Form: web.NewForm(nil), Next: safeNext(r.URL.Query().Get("next"))}
	p.Title = i18n.T(web.Lang(r), "account.login")
	u.R.Render(w, r, http.StatusOK, "account/login", p)
	return nil
}

func (u *UI) login(w http.ResponseWriter, r *http.Request) error {
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	next := safeNext(form.Get("next"))
	token, _, err := u.Accounts.Login(r.Context(), form.Get("username"), form.Get("password"), web.ClientIP(r, u.TrustProxy), r.UserAgent())
	if err != nil {
		form.Values.Del("password")
		p := &LoginPage{Form: form, Next: next}
		p.Title = i18n.T(web.Lang(r), "account.login")
		status := form.Fail(r, err)
		u.R.Render(w, r, status, "account/login", p)
		return nil
	}
	web.SetSessionCookie(w, token, u.SecureCookies)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if token := web.SessionToken(r); token != "" {
		if err := u.Accounts.Logout(r.Context(), token, actor); err != nil {
			return err
		}
	}
	web.ClearSessionCookie(w, u.SecureCookies)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// MePage shows one's own account: roles, password, API tokens.
type MePage struct {
	web.Page
	Form      *web.Form
	TokenForm *web.Form
	Tokens    []auth.Token
	// NewToken is a token just created, shown this once.
	NewToken string
}

func (u *UI) me(w http.ResponseWriter, r *http.Request) error {
	return u.renderMe(w, r, http.StatusOK, &MePage{})
}

// renderMe shows p, with an empty form for each that p leaves nil.
func (u *UI) renderMe(w http.ResponseWriter, r *http.Request, status int, p *MePage) error {
	if p.Form == nil {
		p.Form = web.NewForm(nil)
	}
	if p.TokenForm == nil {
		p.TokenForm = web.NewForm(nil)
	}
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if p.Tokens, err = u.Accounts.Tokens(r.Context(), actor, actor.Username); err != nil {
		return err
	}
	p.Title = i18n.T(web.Lang(r), "account.me")
	u.R.Render(w, r, status, "account/me", p)
	return nil
}

// signedInInBrowser returns the actor of a browser session: tokens are
// made and revoked there, never by a request that carries an API token
// (which could otherwise make its own successors).
func signedInInBrowser(r *http.Request) (*auth.Actor, error) {
	actor, err := web.SignedIn(r)
	if err != nil {
		return nil, err
	}
	if web.SessionToken(r) == "" {
		return nil, apperr.New(apperr.Forbidden, "account.browser_only")
	}
	return actor, nil
}

// createToken makes an API token for oneself, after the current password,
// and shows it once.
func (u *UI) createToken(w http.ResponseWriter, r *http.Request) error {
	actor, err := signedInInBrowser(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	p := &MePage{TokenForm: form}
	fail := func(err error) error {
		form.Values.Del("token_password")
		return u.renderMe(w, r, form.Fail(r, err), p)
	}
	name := form.Trim("name")
	if name == "" {
		return fail(apperr.FieldInvalid("name", "account.token_name_needed"))
	}
	if ok, err := u.Accounts.CheckUserPassword(r.Context(), actor.UserID, form.Get("token_password")); err != nil || !ok {
		return fail(apperr.Reword(err, apperr.FieldInvalid("token_password", "account.wrong_password")))
	}
	if p.NewToken, err = u.Accounts.CreateToken(r.Context(), actor, actor.Username, name); err != nil {
		return fail(err)
	}
	p.TokenForm = web.NewForm(nil)
	// The page holds the token: no cache keeps it.
	w.Header().Set("Cache-Control", "no-store")
	return u.renderMe(w, r, http.StatusCreated, p)
}

// revokeToken revokes one of one's own API tokens.
func (u *UI) revokeToken(w http.ResponseWriter, r *http.Request) error {
	actor, err := signedInInBrowser(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.NotFoundf("auth.the_token")
	}
	if err := u.Accounts.RevokeOwnToken(r.Context(), actor, id); err != nil {
		return err
	}
	web.SetFlash(w, "account.token_revoked")
	http.Redirect(w, r, "/account#tokens", http.StatusSeeOther)
	return nil
}

func (u *UI) changePassword(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	fail := func(err error) error {
		form.Values = url.Values{}
		return u.renderMe(w, r, form.Fail(r, err), &MePage{Form: form})
	}
	if ok, err := u.Accounts.CheckUserPassword(r.Context(), actor.UserID, form.Get("current")); err != nil || !ok {
		return fail(apperr.Reword(err, apperr.FieldInvalid("current", "account.wrong_password")))
	}
	if form.Get("password") != form.Get("confirm") {
		return fail(apperr.FieldInvalid("confirm", "account.password_mismatch"))
	}
	if err := u.Accounts.SetPassword(r.Context(), actor, actor.Username, form.Get("password")); err != nil {
		return fail(err)
	}
	web.ClearSessionCookie(w, u.SecureCookies)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// UsersPage lists the accounts the actor manages.
type UsersPage struct {
	web.Page
	Users []auth.User
}

func (u *UI) users(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	users, err := u.Accounts.ListUsers(r.Context(), actor)
	if err != nil {
		return err
	}
	p := &UsersPage{Users: users}
	p.Title = i18n.T(web.Lang(r), "nav.users")
	u.R.Render(w, r, http.StatusOK, "account/users", p)
	return nil
}

// UserFormPage creates an account.
type UserFormPage struct {
	web.Page
	Form  *web.Form
	Roles []web.Option
	Units []org.Unit
}

func (u *UI) renderUserForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	lang := web.Lang(r)
	p := &UserFormPage{Form: form}
	p.Title = i18n.T(lang, "account.new_user")
	p.Section = "/users"
	for _, role := range auth.Roles() {
		p.Roles = append(p.Roles, web.Option{Value: string(role), Label: i18n.T(lang, "role."+string(role))})
	}
	for _, t := range []org.UnitType{org.District, org.Street, org.Community, org.Area, org.Department} {
		list, _, err := u.Orgs.ListUnits(r.Context(), actor, org.UnitFilter{Type: t, Limit: 1000})
		if err != nil {
			return err
		}
		p.Units = append(p.Units, list...)
	}
	u.R.Render(w, r, status, "account/user_form", p)
	return nil
}

func (u *UI) newUser(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	if !actor.Has(auth.PermUsersManage) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return u.renderUserForm(w, r, http.StatusOK, web.NewForm(nil))
}

func (u *UI) createUser(w http.ResponseWriter, r *http.Request) error {
	actor, err := web.SignedIn(r)
	if err != nil {
		return err
	}
	form, err := web.ParseForm(w, r)
	if err != nil {
		return err
	}
	unit, err := u.Orgs.UnitByCode(r.Context(), actor, form.Get("unit_code"))
	if err != nil {
		form.Values.Del("password")
		return u.renderUserForm(w, r, form.Fail(r, apperr.FieldInvalid("unit_code", "auth.unit_out_of_scope")), form)
	}
	_, err = u.Accounts.CreateUser(r.Context(), actor, auth.NewUser{Username: form.Get("username"), DisplayName: form.Get("display_name"),
		Password: form.Get("password"), Grants: []auth.GrantSpec{{Role: auth.Role(form.Get("role")), UnitID: unit.ID}}})
	if err != nil {
		form.Values.Del("password")
		status := form.Fail(r, err)
		if msg, ok := form.Errors["unit"]; ok {
			form.Errors["unit_code"] = msg
		}
		return u.renderUserForm(w, r, status, form)
	}
	web.SetFlash(w, "web.saved")
	http.Redirect(w, r, "/users", http.StatusSeeOther)
	return nil
}
