package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/i18n"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "grassroots_session"

// Sessions is what the middleware needs of the account store.
type Sessions interface {
	ActorForSession(ctx context.Context, token, ip string) (*auth.Actor, error)
	ActorForToken(ctx context.Context, token, ip string) (*auth.Actor, error)
}

// Options tune the middleware.
type Options struct {
	// TrustProxy takes the client address from X-Forwarded-For (the first
	// address), for instances behind a load balancer.
	TrustProxy bool
	// SecureCookies marks cookies Secure (the server is reached over HTTPS).
	SecureCookies bool
	// ExtraImgSrc widens the Content-Security-Policy's img-src, for a map
	// tile server.
	ExtraImgSrc string
}

// Chain wraps the application's handler in the middleware every request
// passes: panic recovery, security headers, language, refusal of NUL
// characters and bytes that are not UTF-8, sign-in and cross-origin
// request protection.
func Chain(h http.Handler, sessions Sessions, opt Options) http.Handler {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsAPI(r) {
			WriteError(w, r, apperr.New(apperr.Forbidden, "web.cross_origin"))
			return
		}
		http.Error(w, i18n.T(Lang(r), "web.cross_origin"), http.StatusForbidden)
	}))
	h = csrf.Handler(h)
	h = authenticate(h, sessions, opt)
	h = refuseBadText(h)
	h = language(h)
	h = securityHeaders(h, opt)
	return recoverer(h)
}

func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				slog.Error("panic", "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler, opt Options) http.Handler {
	img := "'self' data: blob:"
	if opt.ExtraImgSrc != "" {
		img += " " + opt.ExtraImgSrc
	}
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if opt.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

func language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.FromRequest(r, IsAPI(r))
		if q := r.URL.Query().Get("lang"); q != "" && !IsAPI(r) {
			if l, ok := i18n.Parse(q); ok {
				http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey, lang)))
	})
}

// refuseBadText answers 400 to a request whose path or query holds a NUL
// character or bytes that are not UTF-8, before any handler passes them to
// the database.
func refuseBadText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if BadText(r.URL.Path) || HasBadText(r.URL.Query()) {
			if IsAPI(r) {
				WriteError(w, r, ErrBadText)
			} else {
				http.Error(w, i18n.T(Lang(r), "web.bad_text"), http.StatusBadRequest)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
}

// IsAPI reports whether the request is for one of the machine interfaces.
func IsAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/open311/")
}

// ClientIP returns the client's address.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			return strings.TrimSpace(strings.Split(xff, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func authenticate(next http.Handler, sessions Sessions, opt Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" {
			next.ServeHTTP(w, r)
			return
		}
		ip := ClientIP(r, opt.TrustProxy)
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				WriteError(w, r.WithContext(ctx), apperr.New(apperr.Unauthorized, "auth.bad_token"))
				return
			}
			a, err := sessions.ActorForToken(ctx, strings.TrimSpace(token), ip)
			if err != nil {
				WriteError(w, r, err)
				return
			}
			ctx = context.WithValue(ctx, actorKey, a)
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			a, err := sessions.ActorForSession(ctx, c.Value, ip)
			switch {
			case err == nil:
				ctx = context.WithValue(ctx, actorKey, a)
				ctx = context.WithValue(ctx, sessionKey, c.Value)
			case apperr.CodeOf(err) == apperr.Unauthorized:
				ClearSessionCookie(w, opt.SecureCookies)
			default:
				WriteError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// SetSessionCookie gives the browser its session.
func SetSessionCookie(w http.ResponseWriter, token string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(auth.SessionLifetime / time.Second)})
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// RequireLogin sends anyone not signed in to the login page (pages) or
// answers 401 (API).
func RequireLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Actor(r) != nil {
			next.ServeHTTP(w, r)
			return
		}
		if IsAPI(r) {
			WriteError(w, r, apperr.New(apperr.Unauthorized, "error.unauthorized"))
			return
		}
		target := "/login"
		if r.Method == http.MethodGet && r.URL.Path != "/" {
			target += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		if r.Header.Get("HX-Request") != "" {
			w.Header().Set("HX-Redirect", target)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, target, http.StatusSeeOther)
	})
}

// SessionToken returns the token of the request's session, for logging out.
func SessionToken(r *http.Request) string { return sessionToken(r) }
