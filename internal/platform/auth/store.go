package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
)

// Security settings (docs/domain.md §5).
const (
	IdleTimeout     = 30 * time.Minute
	SessionLifetime = 12 * time.Hour
	MaxFailedLogins = 5
	LockoutDuration = 10 * time.Minute
	// touchEvery limits how often a busy session's last-seen time is written.
	touchEvery = time.Minute
)

// UnitRef is what accounts need to know of a unit of the tree.
type UnitRef struct {
	ID   int64
	Path string
	Name string
	Type string
}

// UnitDirectory looks units up for the account store; the org module
// provides it, since the platform knows no module.
type UnitDirectory interface {
	UnitsByID(ctx context.Context, q db.Querier, ids []int64) (map[int64]UnitRef, error)
}

// Store keeps accounts, sessions and tokens.
type Store struct {
	db    *db.DB
	Units UnitDirectory
	Now   func() time.Time
}

// NewStore returns an account store on d that looks units up in units.
func NewStore(d *db.DB, units UnitDirectory) *Store {
	return &Store{db: d, Units: units, Now: time.Now}
}

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// User is an account.
type User struct {
	ID          int64
	Username    string
	DisplayName string
	Disabled    bool
	LockedUntil *time.Time
	CreatedAt   time.Time
	Grants      []Grant
}

// GrantSpec names a role to hold at a unit.
type GrantSpec struct {
	Role   Role
	UnitID int64
}

// NewUser is what it takes to create an account.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Grants      []GrantSpec
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{1,31}$`)

// ValidatePassword checks a new password against the policy.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < 8 {
		return apperr.FieldInvalid("password", "auth.password_short", 8)
	}
	if len(pw) > 256 {
		return apperr.FieldInvalid("password", "field.too_long", 256)
	}
	return nil
}

// CreateUser creates an account with its roles. The actor must manage users
// at every unit the new account gets a role at.
func (s *Store) CreateUser(ctx context.Context, actor *Actor, nu NewUser) (*User, error) {
	var u *User
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		var err error
		u, err = s.CreateUserIn(ctx, tx, actor, nu)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CreateUserIn creates an account inside the caller's transaction, for loads
// that must write everything or nothing.
func (s *Store) CreateUserIn(ctx context.Context, tx *db.Tx, actor *Actor, nu NewUser) (*User, error) {
	nu.Username = strings.ToLower(strings.TrimSpace(nu.Username))
	nu.DisplayName = strings.TrimSpace(nu.DisplayName)
	if nu.DisplayName == "" {
		nu.DisplayName = nu.Username
	}
	var f apperr.Fields
	if !usernameRE.MatchString(nu.Username) {
		f.Add("username", "auth.username_format")
	}
	if utf8.RuneCountInString(nu.DisplayName) > 50 {
		f.Add("display_name", "field.too_long", 50)
	}
	if err := ValidatePassword(nu.Password); err != nil {
		f.Add("password", "auth.password_short", 8)
	}
	if len(nu.Grants) == 0 {
		f.Add("role", "auth.role_required")
	}
	for _, g := range nu.Grants {
		if !KnownRole(g.Role) {
			f.Add("role", "auth.role_unknown", string(g.Role))
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	hash, err := HashPassword(nu.Password)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	if err := s.checkGrantable(ctx, tx, actor, nu.Grants); err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, created_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, nu.Username, nu.DisplayName, hash, now, now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return nil, apperr.FieldInvalid("username", "auth.username_taken")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	for _, g := range nu.Grants {
		if _, err := tx.Exec(ctx, `INSERT INTO user_roles (user_id, role, unit_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, id, string(g.Role), g.UnitID); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	if err := audit.Record(ctx, tx, actor.Entry("user.create", "user", fmt.Sprint(id),
		map[string]any{"username": nu.Username, "grants": nu.Grants})); err != nil {
		return nil, err
	}
	return &User{ID: id, Username: nu.Username, DisplayName: nu.DisplayName, CreatedAt: now}, nil
}

func (s *Store) checkGrantable(ctx context.Context, q db.Querier, actor *Actor, grants []GrantSpec) error {
	if !actor.Has(PermUsersManage) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	ids := make([]int64, 0, len(grants))
	for _, g := range grants {
		ids = append(ids, g.UnitID)
	}
	units, err := s.Units.UnitsByID(ctx, q, ids)
	if err != nil {
		return err
	}
	scope := actor.Scope(PermUsersManage)
	for _, g := range grants {
		u, ok := units[g.UnitID]
		if !ok || !scope.Contains(u.Path) {
			return apperr.FieldInvalid("unit", "auth.unit_out_of_scope")
		}
	}
	return nil
}

// ListUsers returns the accounts that hold a role inside the actor's scope
// for managing users.
func (s *Store) ListUsers(ctx context.Context, actor *Actor) ([]User, error) {
	scope := actor.Scope(PermUsersManage)
	if scope.Empty() {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	rows, err := s.db.Query(ctx, `SELECT u.id, u.username, u.display_name, u.disabled, u.locked_until, u.created_at, r.role, r.unit_id
		FROM users u LEFT JOIN user_roles r ON r.user_id = u.id ORDER BY u.username, r.role`)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	defer rows.Close()
	var users []User
	var unitIDs []int64
	type roleRow struct {
		idx  int
		role Role
		unit int64
	}
	var roles []roleRow
	for rows.Next() {
		var u User
		var locked sql.NullTime
		var role sql.NullString
		var unit sql.NullInt64
		if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &locked, &u.CreatedAt, &role, &unit); err != nil {
			return nil, apperr.Wrap(err)
		}
		if len(users) == 0 || users[len(users)-1].ID != u.ID {
			if locked.Valid {
				t := locked.Time
				u.LockedUntil = &t
			}
			users = append(users, u)
		}
		if role.Valid {
			roles = append(roles, roleRow{len(users) - 1, Role(role.String), unit.Int64})
			unitIDs = append(unitIDs, unit.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, apperr.Wrap(err)
	}
	units, err := s.Units.UnitsByID(ctx, s.db, unitIDs)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	for _, r := range roles {
		u := units[r.unit]
		users[r.idx].Grants = append(users[r.idx].Grants, Grant{Role: r.role, UnitID: r.unit, UnitPath: u.Path, UnitName: u.Name, UnitType: u.Type})
	}
	out := users[:0]
	for _, u := range users {
		for _, g := range u.Grants {
			if g.UnitPath != "" && scope.Contains(g.UnitPath) {
				out = append(out, u)
				break
			}
		}
	}
	return out, nil
}

// SetPassword changes a user's password and ends their sessions. A user may
// change their own; changing another's needs the right to manage them.
func (s *Store) SetPassword(ctx context.Context, actor *Actor, username, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return apperr.Wrap(err)
	}
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := s.managedUserID(ctx, tx, actor, username)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`,
			hash, s.now(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("user.password", "user", fmt.Sprint(id), nil))
	})
}

// managedUserID returns the id of the named user, answering not-found
// unless the user is the actor or one the actor manages.
func (s *Store) managedUserID(ctx context.Context, q db.Querier, actor *Actor, username string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM users WHERE username = ?`, strings.ToLower(username)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("auth.the_user")
	}
	if err != nil {
		return 0, err
	}
	if id != actor.UserID {
		if err := s.checkManages(ctx, q, actor, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// checkManages answers not-found unless every role of user id lies inside the
// actor's scope for managing users.
func (s *Store) checkManages(ctx context.Context, q db.Querier, actor *Actor, id int64) error {
	if actor.System {
		return nil
	}
	specs, err := db.All(ctx, q, func(sc db.Scanner) (GrantSpec, error) {
		var g GrantSpec
		err := sc.Scan(&g.Role, &g.UnitID)
		return g, err
	}, `SELECT role, unit_id FROM user_roles WHERE user_id = ?`, id)
	if err != nil {
		return err
	}
	if len(specs) == 0 {
		return apperr.NotFoundf("auth.the_user")
	}
	if err := s.checkGrantable(ctx, q, actor, specs); err != nil {
		return apperr.Reword(err, apperr.NotFoundf("auth.the_user"))
	}
	return nil
}

// SessionActions are the audit actions that Login and Logout record.
// Signing in and out changes no record (and anyone can cause a failed
// sign-in), so what is kept until the next write may pass over them.
var SessionActions = []string{"login", "login.failed", "login.locked", "logout"}

// Login checks a username and password and, if they match, starts a session
// and returns its token. Every attempt is audited; five failures in a row
// lock the account for ten minutes.
func (s *Store) Login(ctx context.Context, username, password, ip, userAgent string) (string, *Actor, error) {
	// ToLower turns bytes that are not UTF-8 into U+FFFD; a NUL, which
	// PostgreSQL would refuse even to compare, becomes one too. No account
	// has such a name: it is answered and audited, printable, as an
	// unknown user.
	username = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(username)), "\x00", "\uFFFD")
	now := s.now()
	var (
		id          int64
		hash        string
		disabled    bool
		lockedUntil sql.NullTime
	)
	err := s.db.QueryRow(ctx, `SELECT id, password_hash, disabled, locked_until FROM users WHERE username = ?`, username).
		Scan(&id, &hash, &disabled, &lockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = CheckPassword(dummyHash, password)
		s.auditLogin(ctx, 0, username, ip, "login.failed", "unknown user")
		return "", nil, apperr.New(apperr.Unauthorized, "auth.bad_credentials")
	}
	if err != nil {
		return "", nil, apperr.Wrap(err)
	}
	if lockedUntil.Valid && lockedUntil.Time.After(now) {
		s.auditLogin(ctx, id, username, ip, "login.locked", "account locked")
		return "", nil, apperr.New(apperr.Unauthorized, "auth.locked", math.Ceil(lockedUntil.Time.Sub(now).Minutes()))
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return "", nil, apperr.Wrap(err)
	}
	if !ok || disabled {
		reason := "bad password"
		if disabled {
			reason = "account disabled"
		}
		err := s.db.InTx(ctx, func(tx *db.Tx) error {
			var failed int
			if err := tx.QueryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins`, id).Scan(&failed); err != nil {
				return err
			}
			if failed >= MaxFailedLogins {
				if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?`, now.Add(LockoutDuration), id); err != nil {
					return err
				}
				reason += "; locked"
			}
			return audit.Record(ctx, tx, audit.Entry{ActorID: id, Actor: username, IP: ip, Action: "login.failed", Entity: "user", EntityID: fmt.Sprint(id), Detail: map[string]any{"reason": reason}})
		})
		if err != nil {
			return "", nil, apperr.Wrap(err)
		}
		return "", nil, apperr.New(apperr.Unauthorized, "auth.bad_credentials")
	}
	token := newSecret()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, hashSecret(token), id, now, now, now.Add(SessionLifetime), ip, truncate(userAgent, 300)); err != nil {
			return err
		}
		// Clear out this user's expired sessions while we are here.
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND (expires_at < ? OR last_seen_at < ?)`, id, now, now.Add(-IdleTimeout)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: id, Actor: username, IP: ip, Action: "login", Entity: "user", EntityID: fmt.Sprint(id)})
	})
	if err != nil {
		return "", nil, apperr.Wrap(err)
	}
	actor, err := s.loadActor(ctx, id, ip)
	if err != nil {
		return "", nil, err
	}
	return token, actor, nil
}

func (s *Store) auditLogin(ctx context.Context, id int64, username, ip, action, reason string) {
	_ = s.db.InTx(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, audit.Entry{ActorID: id, Actor: truncate(username, 64), IP: ip, Action: action, Entity: "user", EntityID: fmt.Sprint(id), Detail: map[string]any{"reason": reason}})
	})
}

// ErrSessionExpired is returned for a session that timed out.
var ErrSessionExpired = apperr.New(apperr.Unauthorized, "auth.session_expired")

// ActorForSession returns the actor behind a session token, keeping the
// session alive. An idle or expired session is removed.
func (s *Store) ActorForSession(ctx context.Context, token, ip string) (*Actor, error) {
	h := hashSecret(token)
	var userID int64
	var lastSeen, expires time.Time
	err := s.db.QueryRow(ctx, `SELECT user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = ?`, h).Scan(&userID, &lastSeen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrSessionExpired
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	now := s.now()
	if now.After(expires) || now.Sub(lastSeen) > IdleTimeout {
		_, _ = s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, h)
		return nil, ErrSessionExpired
	}
	if now.Sub(lastSeen) > touchEvery {
		if _, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, now, h); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	return s.loadActor(ctx, userID, ip)
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, token string, actor *Actor) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashSecret(token)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("logout", "user", fmt.Sprint(actor.UserID), nil))
	})
}

// TokenPrefix starts every API token, so that a leaked one is easy to spot.
const TokenPrefix = "grt_"

// CreateToken makes a new API token for the named user and returns it; only
// its hash is kept.
func (s *Store) CreateToken(ctx context.Context, actor *Actor, username, name string) (string, error) {
	token := TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randomBytes(20)))
	name = strings.TrimSpace(name)
	if name == "" {
		name = "api"
	}
	// The label is printed by `token list` in an operator's terminal.
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "", apperr.FieldInvalid("name", "auth.token_name_control")
	}
	name = truncate(name, 100)
	err := s.db.InTx(ctx, func(tx *db.Tx) error {
		id, err := s.managedUserID(ctx, tx, actor, username)
		if err != nil {
			return err
		}
		var tokenID int64
		if err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			id, name, hashSecret(token), s.now()).Scan(&tokenID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("token.create", "api_token", fmt.Sprint(tokenID), map[string]any{"user": username, "name": name}))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// Token is an API token as its owner and administrators see it: never the
// token itself, which only its holder has.
type Token struct {
	ID        int64      `json:"id"`
	Username  string     `json:"username"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Tokens lists a user's API tokens, newest first, for the user themselves
// or an actor who manages them.
func (s *Store) Tokens(ctx context.Context, actor *Actor, username string) (_ []Token, err error) {
	defer apperr.Trace(&err, "auth.Store.Tokens(%q)", username)
	id, err := s.managedUserID(ctx, s.db, actor, username)
	if err != nil {
		return nil, err
	}
	return db.All(ctx, s.db, func(sc db.Scanner) (Token, error) {
		t := Token{Username: strings.ToLower(username)}
		var last, revoked sql.NullTime
		if err := sc.Scan(&t.ID, &t.Name, &t.CreatedAt, &last, &revoked); err != nil {
			return t, err
		}
		if last.Valid {
			t.LastUsed = &last.Time
		}
		if revoked.Valid {
			t.RevokedAt = &revoked.Time
		}
		return t, nil
	}, `SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, id)
}

// RevokeToken stops an API token from working, for good. Its owner or an
// actor who manages the owner may revoke it; revoking twice is refused.
func (s *Store) RevokeToken(ctx context.Context, actor *Actor, tokenID int64) error {
	return s.revokeToken(ctx, actor, tokenID, false)
}

// RevokeOwnToken is RevokeToken for one of the actor's own tokens: another
// user's answers not found, whoever the actor manages.
func (s *Store) RevokeOwnToken(ctx context.Context, actor *Actor, tokenID int64) error {
	return s.revokeToken(ctx, actor, tokenID, true)
}

func (s *Store) revokeToken(ctx context.Context, actor *Actor, tokenID int64, ownOnly bool) error {
	return s.db.InTx(ctx, func(tx *db.Tx) error {
		var userID int64
		var revoked sql.NullTime
		err := tx.QueryRow(ctx, `SELECT user_id, revoked_at FROM api_tokens WHERE id = ?`, tokenID).Scan(&userID, &revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundf("auth.the_token")
		}
		if err != nil {
			return err
		}
		if userID != actor.UserID {
			if ownOnly {
				return apperr.NotFoundf("auth.the_token")
			}
			if err := s.checkManages(ctx, tx, actor, userID); err != nil {
				return err
			}
		}
		if revoked.Valid {
			return apperr.New(apperr.Conflict, "auth.token_revoked")
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, s.now(), tokenID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Entry("token.revoke", "api_token", fmt.Sprint(tokenID), nil))
	})
}

// ActorForToken returns the actor behind an API token.
func (s *Store) ActorForToken(ctx context.Context, token, ip string) (*Actor, error) {
	var userID int64
	var lastUsed sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT t.user_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND NOT u.disabled`, hashSecret(token)).Scan(&userID, &lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Unauthorized, "auth.bad_token")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	now := s.now()
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > touchEvery {
		if _, err := s.db.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`, now, hashSecret(token)); err != nil {
			return nil, apperr.Wrap(err)
		}
	}
	return s.loadActor(ctx, userID, ip)
}

// loadActor returns the actor for a user id, with their roles.
func (s *Store) loadActor(ctx context.Context, userID int64, ip string) (*Actor, error) {
	a := &Actor{UserID: userID, IP: ip}
	var disabled bool
	if err := s.db.QueryRow(ctx, `SELECT username, display_name, disabled FROM users WHERE id = ?`, userID).
		Scan(&a.Username, &a.DisplayName, &disabled); err != nil {
		return nil, apperr.Wrap(err)
	}
	if disabled {
		return nil, apperr.New(apperr.Unauthorized, "auth.bad_credentials")
	}
	grants, err := s.grants(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	a.Grants = grants
	return a, nil
}

// grants returns a user's roles with their units' places in the tree.
func (s *Store) grants(ctx context.Context, q db.Querier, userID int64) ([]Grant, error) {
	var ids []int64
	out, err := db.All(ctx, q, func(sc db.Scanner) (Grant, error) {
		var g Grant
		err := sc.Scan(&g.Role, &g.UnitID)
		ids = append(ids, g.UnitID)
		return g, err
	}, `SELECT role, unit_id FROM user_roles WHERE user_id = ? ORDER BY unit_id, role`, userID)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	units, err := s.Units.UnitsByID(ctx, q, ids)
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	for i, g := range out {
		u := units[g.UnitID]
		out[i].UnitPath, out[i].UnitName, out[i].UnitType = u.Path, u.Name, u.Type
	}
	return out, nil
}

// UserByID returns an account with its roles and their units, read
// through q (a transaction of the caller's, or the database), for modules
// that link an account to a record of theirs and must check what the
// account may be; NotFound if there is no such account.
func (s *Store) UserByID(ctx context.Context, q db.Querier, id int64) (*User, error) {
	return s.user(ctx, q, `id = ?`, id)
}

// UserByName is UserByID by user name (as typed: case and surrounding
// spaces do not matter).
func (s *Store) UserByName(ctx context.Context, q db.Querier, username string) (*User, error) {
	return s.user(ctx, q, `username = ?`, strings.ToLower(strings.TrimSpace(username)))
}

func (s *Store) user(ctx context.Context, q db.Querier, where string, arg any) (*User, error) {
	u := &User{}
	var locked sql.NullTime
	err := q.QueryRow(ctx, `SELECT id, username, display_name, disabled, locked_until, created_at FROM users WHERE `+where, arg).
		Scan(&u.ID, &u.Username, &u.DisplayName, &u.Disabled, &locked, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("user")
	}
	if err != nil {
		return nil, apperr.Wrap(err)
	}
	if locked.Valid {
		t := locked.Time
		u.LockedUntil = &t
	}
	if u.Grants, err = s.grants(ctx, q, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// UserIDsAtUnit counts the accounts holding a role at a unit, so that the
// unit tree can refuse to delete a unit still in use.
func (s *Store) UserIDsAtUnit(ctx context.Context, q db.Querier, unitID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM user_roles WHERE unit_id = ?`, unitID).Scan(&n)
	return n, err
}

func newSecret() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

func hashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CheckUserPassword reports whether password is the user's current one.
func (s *Store) CheckUserPassword(ctx context.Context, userID int64, password string) (bool, error) {
	var hash string
	if err := s.db.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		return false, apperr.Wrap(err)
	}
	return CheckPassword(hash, password)
}
