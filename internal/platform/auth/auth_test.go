package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

func TestPasswordHash(t *testing.T) {
	const pw = "correct horse battery"
	h1, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := auth.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %s is not argon2id with the OWASP parameters", h1)
	}
	if strings.Contains(h1, pw) {
		t.Errorf("hash shows the password")
	}
	if h1 == h2 {
		t.Errorf("two hashes of one password are equal (no salt)")
	}
	salt1, salt2 := strings.Split(h1, "$")[4], strings.Split(h2, "$")[4]
	if salt1 == salt2 {
		t.Errorf("two hashes share a salt")
	}
	for _, h := range []string{h1, h2} {
		if ok, err := auth.CheckPassword(h, pw); !ok || err != nil {
			t.Errorf("the right password is refused: %v, %v", ok, err)
		}
		for _, wrong := range []string{"", "correct horse batter", "correct horse battery ", "Correct horse battery", pw + pw} {
			if ok, err := auth.CheckPassword(h, wrong); ok || err != nil {
				t.Errorf("CheckPassword(%q) = %v, %v; want false", wrong, ok, err)
			}
		}
	}

	// A hash whose digest or salt was changed does not match.
	parts := strings.Split(h1, "$")
	for _, i := range []int{4, 5} {
		p := slices.Clone(parts)
		b := []byte(p[i])
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		p[i] = string(b)
		if ok, _ := auth.CheckPassword(strings.Join(p, "$"), pw); ok {
			t.Errorf("a hash with part %d changed still matches", i)
		}
	}
	// The recorded parameters are the ones used: changing them breaks the match.
	if ok, _ := auth.CheckPassword(strings.Replace(h1, "t=2", "t=3", 1), pw); ok {
		t.Errorf("the pass count in the hash is ignored")
	}

	for _, bad := range []string{
		"", "plain", "$2a$10$abcdefghijklmnopqrstuu", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=16$m=19456,t=2,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=x,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$a2V5", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$!!!",
		// Hand-written hashes that would match anything or stop argon2: no
		// digest, a short salt, no passes, no threads.
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=19456,t=2,p=0$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43),
	} {
		if ok, err := auth.CheckPassword(bad, pw); ok || err == nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"":                       false,
		"1234567":                false,
		"12345678":               true,
		"密码密码密码密":                false, // 7 characters, 21 bytes
		"密码密码密码密码":               true,
		strings.Repeat("a", 256): true,
		strings.Repeat("a", 257): false,
	} {
		if err := auth.ValidatePassword(pw); (err == nil) != ok {
			t.Errorf("ValidatePassword(%d runes) = %v", len([]rune(pw)), err)
		}
	}
}

func TestScope(t *testing.T) {
	s := auth.NewScope("/1/2/", "/1/2/5/", "/1/2/", "/7/", "/1/23/")
	if want := []string{"/1/2/", "/1/23/", "/7/"}; !slices.Equal(s.Paths, want) {
		t.Errorf("NewScope paths = %v, want %v", s.Paths, want)
	}
	for path, want := range map[string]bool{
		"/1/2/":      true,
		"/1/2/5/":    true,
		"/1/2/5/9/":  true,
		"/1/23/":     true,
		"/1/23/4/":   true,
		"/1/24/":     false,
		"/1/":        false,
		"/1/3/":      false,
		"/7/":        true,
		"/70/":       false,
		"/17/":       false,
		"":           false,
		"/1/2":       false,
		"/11/2/":     false,
		"/1/2/5/6/7": true,
	} {
		if got := s.Contains(path); got != want {
			t.Errorf("Contains(%q) = %v, want %v", path, got, want)
		}
	}

	one := auth.NewScope("/1/2/")
	for path, want := range map[string]bool{"/1/2/": true, "/1/2/3/": true, "/1/23/": false, "/1/23/3/": false, "/1/": false, "/1/20/": false} {
		if got := one.Contains(path); got != want {
			t.Errorf("scope /1/2/ Contains(%q) = %v, want %v", path, got, want)
		}
	}
	for path, want := range map[string]bool{"/1/2/": false, "/1/2/3/": true, "/1/23/": false, "/1/": false} {
		if got := one.ContainsBelow(path); got != want {
			t.Errorf("ContainsBelow(%q) = %v, want %v", path, got, want)
		}
	}

	var empty auth.Scope
	if !empty.Empty() || empty.Contains("/1/") || empty.ContainsBelow("/1/2/") {
		t.Errorf("the empty scope covers something")
	}
	if auth.NewScope().Contains("/1/") || !auth.NewScope().Empty() {
		t.Errorf("NewScope() covers something")
	}
	all := auth.Scope{All: true}
	if all.Empty() || !all.Contains("/9/9/") || !all.ContainsBelow("/9/") {
		t.Errorf("the whole scope misses something")
	}
}

func TestActorScope(t *testing.T) {
	const perm auth.Perm = "authtest.read"
	auth.DefineRole(auth.GridMember, perm)
	if !auth.RoleHas(auth.GridMember, perm) || auth.RoleHas(auth.Instructor, perm) {
		t.Fatal("DefineRole did not grant only the named role")
	}
	a := &auth.Actor{UserID: 5, Grants: []auth.Grant{
		{Role: auth.GridMember, UnitID: 2, UnitPath: "/1/2/"},
		{Role: auth.Instructor, UnitID: 23, UnitPath: "/1/23/"},
		{Role: auth.DistrictAdmin, UnitID: 7, UnitPath: "/7/"},
		{Role: auth.GridMember, UnitID: 99, UnitPath: ""}, // unit gone
	}}
	s := a.Scope(perm)
	if !slices.Equal(s.Paths, []string{"/1/2/"}) || s.All {
		t.Errorf("Scope(%s) = %+v, want only /1/2/", perm, s)
	}
	if a.Scope(auth.PermUsersManage).Contains("/1/2/") || !a.Scope(auth.PermUsersManage).Contains("/7/3/") {
		t.Errorf("users.manage scope = %+v", a.Scope(auth.PermUsersManage))
	}
	if !a.Has(perm) || !a.Has(auth.PermUsersManage) || a.Has("nobody.has") {
		t.Errorf("Has is wrong")
	}
	if !a.HasRole(auth.Instructor) || a.HasRole(auth.Auditor) {
		t.Errorf("HasRole is wrong")
	}
	var none *auth.Actor
	if none.Has(perm) || !none.Scope(perm).Empty() {
		t.Errorf("a nil actor may do something")
	}
	sys := auth.SystemActor("test")
	if !sys.Has("anything") || !sys.Scope("anything").All {
		t.Errorf("the system actor is limited")
	}
	if (&auth.Actor{}).Has(auth.PermAuditRead) || !(&auth.Actor{}).Scope(auth.PermAuditRead).Empty() {
		t.Errorf("an actor with no roles may do something")
	}
}

// A read-only role holds every permission declared as reading, granted
// anywhere in the program, and nothing else: no grant can give it a write.
func TestReadOnlyRole(t *testing.T) {
	const role auth.Role = "test-reader"
	const read, write auth.Perm = "test.read", "test.write"
	auth.DefineReadOnlyRole(role)
	auth.DefineReadPerm(read)
	auth.DefineRole(auth.DistrictAdmin, read, write)
	if !auth.KnownRole(role) || !slices.Contains(auth.Roles(), role) {
		t.Errorf("the read-only role is not known")
	}
	if !auth.RoleHas(role, read) || !auth.RoleHas(role, auth.PermAuditRead) || auth.RoleHas(role, write) || auth.RoleHas(role, auth.PermUsersManage) {
		t.Errorf("the read-only role's permissions are wrong")
	}
	if auth.RoleHas(auth.Auditor, auth.PermUsersManage) || !auth.RoleHas(auth.Auditor, read) {
		t.Errorf("the auditor is not read-only")
	}
	a := &auth.Actor{Grants: []auth.Grant{{Role: role, UnitID: 1, UnitPath: "/1/"}}}
	if err := a.Require(read); err != nil {
		t.Errorf("Require(read): %v", err)
	}
	if err := a.Require(write); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("Require(write) = %v, want forbidden", err)
	}
	for name, define := range map[string]func(){
		"a grant to a read-only role":       func() { auth.DefineRole(role, read) },
		"a role with grants made read-only": func() { auth.DefineReadOnlyRole(auth.DistrictAdmin) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s does not panic", name)
				}
			}()
			define()
		}()
	}
}

var pathMigrations = []db.Migrations{{Module: "authtest", FS: fstest.MapFS{
	"0001_places.sql": {Data: []byte(`CREATE TABLE places (id {{ID}}, path {{PATH}} NOT NULL UNIQUE);
CREATE INDEX places_path ON places (path);`)},
}}}

// TestScopeWhere checks the SQL form of a scope on both engines against
// Contains: the two must select the same rows.
func TestScopeWhere(t *testing.T) {
	paths := []string{"/1/", "/1/2/", "/1/2/5/", "/1/2/5/9/", "/1/20/", "/1/23/", "/1/23/4/", "/1/3/",
		"/12/", "/2/", "/7/", "/7/70/", "/70/", "/1/2/99/", "/1/2~/", "/1/2" + "\x7f" + "/"}
	scopes := []auth.Scope{
		auth.NewScope("/1/2/"),
		auth.NewScope("/1/23/"),
		auth.NewScope("/1/2/", "/7/"),
		auth.NewScope("/1/"),
		auth.NewScope("/1/2/5/", "/1/3/", "/70/"),
		{All: true},
		{},
	}
	dbtest.Each(t, pathMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, p := range paths {
			if _, err := d.Exec(ctx, `INSERT INTO places (path) VALUES (?)`, p); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range scopes {
			cond, args := s.Where("path")
			rows, err := d.Query(ctx, `SELECT path FROM places WHERE `+cond+` ORDER BY path`, args...)
			if err != nil {
				t.Fatalf("%s: %v", cond, err)
			}
			var got []string
			for rows.Next() {
				var p string
				if err := rows.Scan(&p); err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			}
			rows.Close()
			var want []string
			for _, p := range paths {
				if s.Contains(p) {
					want = append(want, p)
				}
			}
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("scope %+v: SQL selects %q, Contains %q", s, got, want)
			}
		}
		// The sibling with a longer id is not in /1/2/'s subtree.
		cond, args := auth.NewScope("/1/2/").Where("path")
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM places WHERE path = '/1/23/' AND `+cond, args...).Scan(&n); err != nil || n != 0 {
			t.Errorf("/1/23/ is inside /1/2/ in SQL (%d, %v)", n, err)
		}
	})
}

// units is the unit directory of the store tests: a district /1/ with
// streets /1/2/ and /1/23/, and a community /1/2/5/.
type units map[int64]auth.UnitRef

func (u units) UnitsByID(_ context.Context, _ db.Querier, ids []int64) (map[int64]auth.UnitRef, error) {
	out := map[int64]auth.UnitRef{}
	for _, id := range ids {
		if r, ok := u[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

var testUnits = units{
	1:  {ID: 1, Path: "/1/", Name: "district", Type: "district"},
	2:  {ID: 2, Path: "/1/2/", Name: "street 2", Type: "street"},
	23: {ID: 23, Path: "/1/23/", Name: "street 23", Type: "street"},
	5:  {ID: 5, Path: "/1/2/5/", Name: "community 5", Type: "community"},
}

var storeMigrations = []db.Migrations{audit.Migrations, auth.Migrations}

// clock is a settable time for the store.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newStore(d *db.DB) (*auth.Store, *clock) {
	c := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := auth.NewStore(d, testUnits)
	s.Now = c.now
	return s, c
}

var system = auth.SystemActor("test")

func mustUser(t *testing.T, s *auth.Store, name, pw string, grants ...auth.GrantSpec) *auth.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), system, auth.NewUser{Username: name, Password: pw, Grants: grants})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func g(r auth.Role, unit int64) auth.GrantSpec { return auth.GrantSpec{Role: r, UnitID: unit} }

func msgKey(err error) string {
	if err == nil {
		return ""
	}
	return apperr.As(err).Msg.Key
}

func auditActions(t *testing.T, d *db.DB, f audit.Filter) []string {
	t.Helper()
	rows, err := audit.List(context.Background(), d, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(rows) - 1; i >= 0; i-- {
		out = append(out, rows[i].Action)
	}
	return out
}

func TestCreateUser(t *testing.T) {
	dbtest.Each(t, storeMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(d)
		u := mustUser(t, s, "  Alice ", "password-1", auth.GrantSpec{Role: auth.DistrictAdmin, UnitID: 2})
		if u.Username != "alice" || u.DisplayName != "alice" {
			t.Errorf("user = %+v", u)
		}
		var hash string
		if err := d.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(hash, "password-1") || !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("stored password = %q", hash)
		}
		if ok, err := s.CheckUserPassword(ctx, u.ID, "password-1"); !ok || err != nil {
			t.Errorf("CheckUserPassword = %v, %v", ok, err)
		}
		if ok, _ := s.CheckUserPassword(ctx, u.ID, "password-2"); ok {
			t.Errorf("CheckUserPassword accepts a wrong password")
		}

		for _, c := range []struct {
			nu    auth.NewUser
			field string
		}{
			{auth.NewUser{Username: "ALICE", Password: "password-1", Grants: []auth.GrantSpec{g(auth.GridMember, 5)}}, "username"},
			{auth.NewUser{Username: "a", Password: "password-1", Grants: []auth.GrantSpec{g(auth.GridMember, 5)}}, "username"},
			{auth.NewUser{Username: "bob smith", Password: "password-1", Grants: []auth.GrantSpec{g(auth.GridMember, 5)}}, "username"},
			{auth.NewUser{Username: "bob", Password: "short", Grants: []auth.GrantSpec{g(auth.GridMember, 5)}}, "password"},
			{auth.NewUser{Username: "bob", Password: "password-1"}, "role"},
			{auth.NewUser{Username: "bob", Password: "password-1", Grants: []auth.GrantSpec{g("overlord", 5)}}, "role"},
			{auth.NewUser{Username: "bob", Password: "password-1", Grants: []auth.GrantSpec{g(auth.GridMember, 404)}}, "unit"},
		} {
			_, err := s.CreateUser(ctx, system, c.nu)
			if _, ok := apperr.As(err).Fields[c.field]; !ok {
				t.Errorf("CreateUser(%+v) = %v, want a problem with %s", c.nu, err, c.field)
			}
		}

		// A user manager at street 2 may give roles in street 2's subtree
		// only, not in street 23 although its path starts alike.
		admin2 := mustUser(t, s, "admin2", "password-2", auth.GrantSpec{Role: auth.DistrictAdmin, UnitID: 2})
		_, a2, err := s.Login(ctx, "admin2", "password-2", "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		if a2.UserID != admin2.ID || len(a2.Grants) != 1 || a2.Grants[0].UnitPath != "/1/2/" {
			t.Fatalf("actor = %+v", a2)
		}
		if _, err := s.CreateUser(ctx, a2, auth.NewUser{Username: "grid5", Password: "password-5", Grants: []auth.GrantSpec{g(auth.GridMember, 5)}}); err != nil {
			t.Errorf("street admin cannot create a user in its community: %v", err)
		}
		for _, unit := range []int64{23, 1} {
			_, err := s.CreateUser(ctx, a2, auth.NewUser{Username: fmt.Sprintf("x%d", unit), Password: "password-5", Grants: []auth.GrantSpec{g(auth.GridMember, unit)}})
			if msgKey(err) != "error.invalid" || apperr.As(err).Fields["unit"].Key != "auth.unit_out_of_scope" {
				t.Errorf("street 2 admin gave a role at unit %d: %v", unit, err)
			}
		}
		// A mixed request is refused whole.
		_, err = s.CreateUser(ctx, a2, auth.NewUser{Username: "mixed", Password: "password-5", Grants: []auth.GrantSpec{g(auth.GridMember, 5), g(auth.GridMember, 23)}})
		if err == nil {
			t.Errorf("a user with a role outside the actor's area was created")
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE username IN ('x23', 'x1', 'mixed')`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d refused users were stored (%v)", n, err)
		}
		// Someone without users.manage may create nobody.
		grid := &auth.Actor{UserID: 1000, Grants: []auth.Grant{{Role: auth.GridMember, UnitID: 5, UnitPath: "/1/2/5/"}}}
		if _, err := s.CreateUser(ctx, grid, auth.NewUser{Username: "yy", Password: "password-5", Grants: []auth.GrantSpec{g(auth.GridMember, 5)}}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a grid member created a user: %v", err)
		}

		// Listing: street 2's admin sees street 2's users, not street 23's.
		mustUser(t, s, "street23", "password-23", auth.GrantSpec{Role: auth.StreetStaff, UnitID: 23})
		list, err := s.ListUsers(ctx, a2)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, u := range list {
			names = append(names, u.Username)
		}
		if want := []string{"admin2", "alice", "grid5"}; !slices.Equal(names, want) {
			t.Errorf("street 2 admin lists %v, want %v", names, want)
		}
		if _, err := s.ListUsers(ctx, grid); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("a grid member listed users: %v", err)
		}
		all, err := s.ListUsers(ctx, system)
		if err != nil || len(all) != 4 {
			t.Errorf("system lists %d users (%v), want 4", len(all), err)
		}

		// Creating users is audited.
		if got := auditActions(t, d, audit.Filter{Action: "user.create"}); len(got) != 4 {
			t.Errorf("%d user.create entries, want 4", len(got))
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestSessions(t *testing.T) {
	dbtest.Each(t, storeMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newStore(d)
		u := mustUser(t, s, "alice", "password-1", auth.GrantSpec{Role: auth.GridMember, UnitID: 5})

		token, a, err := s.Login(ctx, " ALICE ", "password-1", "10.0.0.1", "browser")
		if err != nil {
			t.Fatal(err)
		}
		if a.UserID != u.ID || a.Username != "alice" || a.IP != "10.0.0.1" || len(a.Grants) != 1 || a.Grants[0].UnitPath != "/1/2/5/" {
			t.Errorf("actor = %+v", a)
		}
		if len(token) < 40 {
			t.Errorf("session token %q is short", token)
		}
		// Only the token's hash is stored.
		var stored []byte
		if err := d.QueryRow(ctx, `SELECT token_hash FROM sessions WHERE user_id = ?`, u.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(token))
		if !bytes.Equal(stored, sum[:]) {
			t.Errorf("stored session key is not the token's SHA-256")
		}

		got, err := s.ActorForSession(ctx, token, "10.0.0.2")
		if err != nil || got.UserID != u.ID || got.IP != "10.0.0.2" {
			t.Fatalf("ActorForSession = %+v, %v", got, err)
		}
		for _, bad := range []string{"", "x", token[:len(token)-1], token + "x", strings.ToUpper(token)} {
			if bad == token {
				continue
			}
			if _, err := s.ActorForSession(ctx, bad, ""); !errors.Is(err, auth.ErrSessionExpired) {
				t.Errorf("ActorForSession(%q) = %v", bad, err)
			}
		}
		// The hash itself is not a token.
		if _, err := s.ActorForSession(ctx, string(stored), ""); err == nil {
			t.Errorf("the stored hash works as a token")
		}

		// Activity keeps a session alive past the idle timeout...
		for i := 0; i < 3; i++ {
			clk.advance(auth.IdleTimeout - time.Minute)
			if _, err := s.ActorForSession(ctx, token, ""); err != nil {
				t.Fatalf("active session ended after %d idle periods: %v", i+1, err)
			}
		}
		// ...but idleness ends it, and removes it.
		clk.advance(auth.IdleTimeout + time.Second)
		if _, err := s.ActorForSession(ctx, token, ""); !errors.Is(err, auth.ErrSessionExpired) {
			t.Errorf("idle session still works: %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d sessions left after expiry (%v)", n, err)
		}

		// A session in constant use still ends after its lifetime.
		token, _, err = s.Login(ctx, "alice", "password-1", "10.0.0.1", "browser")
		if err != nil {
			t.Fatal(err)
		}
		start := clk.t
		for clk.t.Sub(start) < auth.SessionLifetime-20*time.Minute {
			clk.advance(20 * time.Minute)
			if _, err := s.ActorForSession(ctx, token, ""); err != nil {
				t.Fatalf("session ended after %v: %v", clk.t.Sub(start), err)
			}
		}
		clk.t = start.Add(auth.SessionLifetime + time.Second)
		if _, err := s.ActorForSession(ctx, token, ""); !errors.Is(err, auth.ErrSessionExpired) {
			t.Errorf("session outlived its lifetime: %v", err)
		}

		// Logout ends the session at once; another session of the user lives on.
		t1, _, err := s.Login(ctx, "alice", "password-1", "", "")
		if err != nil {
			t.Fatal(err)
		}
		t2, a2, err := s.Login(ctx, "alice", "password-1", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if t1 == t2 {
			t.Fatalf("two logins got one token")
		}
		if err := s.Logout(ctx, t2, a2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActorForSession(ctx, t2, ""); !errors.Is(err, auth.ErrSessionExpired) {
			t.Errorf("session works after logout: %v", err)
		}
		if _, err := s.ActorForSession(ctx, t1, ""); err != nil {
			t.Errorf("logout ended another session: %v", err)
		}

		// A password change ends every session, and the old password.
		if err := s.SetPassword(ctx, a2, "alice", "password-new"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActorForSession(ctx, t1, ""); !errors.Is(err, auth.ErrSessionExpired) {
			t.Errorf("session survived a password change: %v", err)
		}
		if _, _, err := s.Login(ctx, "alice", "password-1", "", ""); msgKey(err) != "auth.bad_credentials" {
			t.Errorf("old password after change: %v", err)
		}
		if _, _, err := s.Login(ctx, "alice", "password-new", "", ""); err != nil {
			t.Errorf("new password refused: %v", err)
		}

		// A disabled account's session stops working.
		t3, _, err := s.Login(ctx, "alice", "password-new", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = TRUE WHERE id = ?`, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActorForSession(ctx, t3, ""); err == nil {
			t.Errorf("a disabled user's session works")
		}
		if _, _, err := s.Login(ctx, "alice", "password-new", "", ""); err == nil {
			t.Errorf("a disabled user logged in")
		}

		if got := auditActions(t, d, audit.Filter{Entity: "user", EntityID: fmt.Sprint(u.ID), Action: "logout"}); len(got) != 1 {
			t.Errorf("logouts audited: %v", got)
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestSetPasswordPermission(t *testing.T) {
	dbtest.Each(t, storeMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(d)
		mustUser(t, s, "admin2", "password-2", auth.GrantSpec{Role: auth.DistrictAdmin, UnitID: 2})
		mustUser(t, s, "grid5", "password-5", auth.GrantSpec{Role: auth.GridMember, UnitID: 5})
		mustUser(t, s, "staff23", "password-23", auth.GrantSpec{Role: auth.StreetStaff, UnitID: 23})
		_, a2, err := s.Login(ctx, "admin2", "password-2", "", "")
		if err != nil {
			t.Fatal(err)
		}
		_, g5, err := s.Login(ctx, "grid5", "password-5", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetPassword(ctx, a2, "grid5", "changed-by-admin"); err != nil {
			t.Errorf("street admin cannot set its grid member's password: %v", err)
		}
		if err := s.SetPassword(ctx, a2, "staff23", "changed-by-admin"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("street 2 admin set street 23's password: %v", err)
		}
		if err := s.SetPassword(ctx, g5, "admin2", "changed-by-grid"); err == nil {
			t.Errorf("a grid member set an admin's password")
		}
		if err := s.SetPassword(ctx, g5, "grid5", "short"); msgKey(err) != "error.invalid" {
			t.Errorf("a short password was set: %v", err)
		}
		if _, _, err := s.Login(ctx, "staff23", "password-23", "", ""); err != nil {
			t.Errorf("refused change still changed the password: %v", err)
		}
		if _, _, err := s.Login(ctx, "admin2", "password-2", "", ""); err != nil {
			t.Errorf("refused change still changed the password: %v", err)
		}
	})
}

func TestLockout(t *testing.T) {
	dbtest.Each(t, storeMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newStore(d)
		u := mustUser(t, s, "alice", "password-1", auth.GrantSpec{Role: auth.GridMember, UnitID: 5})
		mustUser(t, s, "bob", "password-b", auth.GrantSpec{Role: auth.GridMember, UnitID: 5})

		// Failures below the limit, then a success, reset the count.
		for i := 0; i < auth.MaxFailedLogins-1; i++ {
			if _, _, err := s.Login(ctx, "alice", "wrong", "", ""); msgKey(err) != "auth.bad_credentials" {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if _, _, err := s.Login(ctx, "alice", "password-1", "", ""); err != nil {
			t.Fatalf("login after %d failures: %v", auth.MaxFailedLogins-1, err)
		}
		for i := 0; i < auth.MaxFailedLogins-1; i++ {
			if _, _, err := s.Login(ctx, "alice", "wrong", "", ""); msgKey(err) != "auth.bad_credentials" {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		if _, _, err := s.Login(ctx, "alice", "password-1", "", ""); err != nil {
			t.Fatalf("the count was not reset by a success: %v", err)
		}

		// MaxFailedLogins failures in a row lock the account, even against
		// the right password; other accounts are not affected.
		for i := 0; i < auth.MaxFailedLogins; i++ {
			_, _, err := s.Login(ctx, "alice", fmt.Sprintf("wrong-%d", i), "", "")
			if apperr.CodeOf(err) != apperr.Unauthorized || msgKey(err) != "auth.bad_credentials" {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		tok, _, err := s.Login(ctx, "alice", "password-1", "", "")
		if msgKey(err) != "auth.locked" || tok != "" {
			t.Fatalf("right password during lockout = %q, %v; want auth.locked", tok, err)
		}
		if args := apperr.As(err).Msg.Args; len(args) != 1 || args[0] != float64(10) {
			t.Errorf("lockout message args = %v, want 10 minutes", args)
		}
		if _, _, err := s.Login(ctx, "bob", "password-b", "", ""); err != nil {
			t.Errorf("another account is locked too: %v", err)
		}
		var locked time.Time
		if err := d.QueryRow(ctx, `SELECT locked_until FROM users WHERE id = ?`, u.ID).Scan(&locked); err != nil {
			t.Fatal(err)
		}
		if !locked.Equal(clk.t.Add(auth.LockoutDuration)) {
			t.Errorf("locked until %v, want %v", locked, clk.t.Add(auth.LockoutDuration))
		}

		// Still locked just before the end.
		clk.advance(auth.LockoutDuration - time.Second)
		if _, _, err := s.Login(ctx, "alice", "password-1", "", ""); msgKey(err) != "auth.locked" {
			t.Errorf("a second before the end: %v", err)
		}
		clk.advance(2 * time.Second)
		if _, _, err := s.Login(ctx, "alice", "password-1", "", ""); err != nil {
			t.Errorf("after the lockout: %v", err)
		}

		// An unknown user gets the same answer as a wrong password.
		_, _, err = s.Login(ctx, "nobody", "password-1", "", "")
		if msgKey(err) != "auth.bad_credentials" || apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("unknown user: %v", err)
		}

		// So does a name no account can have: a NUL byte (which PostgreSQL
		// refuses to compare) or bytes that are not UTF-8.
		for _, name := range []string{"a\x00b", "ali\xffce"} {
			_, _, err = s.Login(ctx, name, "password-1", "", "")
			if msgKey(err) != "auth.bad_credentials" || apperr.CodeOf(err) != apperr.Unauthorized {
				t.Errorf("user name %q: %v", name, err)
			}
		}

		// Every attempt is in the audit log.
		got := auditActions(t, d, audit.Filter{Action: "login.failed"})
		if len(got) != 3*(auth.MaxFailedLogins-1)+4 {
			t.Errorf("%d login.failed entries, want %d", len(got), 3*(auth.MaxFailedLogins-1)+4)
		}
		if got := auditActions(t, d, audit.Filter{Action: "login.locked"}); len(got) != 2 {
			t.Errorf("%d login.locked entries, want 2", len(got))
		}
		rows, err := audit.List(ctx, d, audit.Filter{Action: "login.failed", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var lockedEntries int
		for _, r := range rows {
			if strings.Contains(r.Detail, "locked") {
				lockedEntries++
			}
		}
		if lockedEntries != 1 {
			t.Errorf("%d failures say they locked the account, want 1", lockedEntries)
		}
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	dbtest.Each(t, storeMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, clk := newStore(d)
		alice := mustUser(t, s, "alice", "password-1", auth.GrantSpec{Role: auth.GridMember, UnitID: 5})
		mustUser(t, s, "staff23", "password-23", auth.GrantSpec{Role: auth.StreetStaff, UnitID: 23})
		mustUser(t, s, "admin2", "password-2", auth.GrantSpec{Role: auth.DistrictAdmin, UnitID: 2})
		_, aliceActor, err := s.Login(ctx, "alice", "password-1", "", "")
		if err != nil {
			t.Fatal(err)
		}

		token, err := s.CreateToken(ctx, aliceActor, "alice", "sync")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(token, auth.TokenPrefix) || len(token) < len(auth.TokenPrefix)+30 {
			t.Errorf("token %q", token)
		}
		token2, err := s.CreateToken(ctx, aliceActor, "alice", "")
		if err != nil {
			t.Fatal(err)
		}
		if token2 == token {
			t.Fatal("two tokens are equal")
		}

		// Only hashes are stored.
		rows, err := d.Query(ctx, `SELECT name, token_hash FROM api_tokens WHERE user_id = ? ORDER BY id`, alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		var hashes [][]byte
		for rows.Next() {
			var name string
			var h []byte
			if err := rows.Scan(&name, &h); err != nil {
				t.Fatal(err)
			}
			names, hashes = append(names, name), append(hashes, h)
		}
		rows.Close()
		if !slices.Equal(names, []string{"sync", "api"}) {
			t.Errorf("token names %v", names)
		}
		for i, tok := range []string{token, token2} {
			sum := sha256.Sum256([]byte(tok))
			if !bytes.Equal(hashes[i], sum[:]) || bytes.Contains(hashes[i], []byte(tok)) {
				t.Errorf("token %d is not stored as its SHA-256 only", i)
			}
		}

		a, err := s.ActorForToken(ctx, token, "10.1.1.1")
		if err != nil || a.UserID != alice.ID || a.IP != "10.1.1.1" || len(a.Grants) != 1 || a.Grants[0].UnitPath != "/1/2/5/" {
			t.Fatalf("ActorForToken = %+v, %v", a, err)
		}
		var lastUsed *time.Time
		if err := d.QueryRow(ctx, `SELECT last_used_at FROM api_tokens WHERE token_hash = ?`, hashes[0]).Scan(&lastUsed); err != nil || lastUsed == nil || !lastUsed.Equal(clk.t) {
			t.Errorf("last use = %v (%v), want %v", lastUsed, err, clk.t)
		}
		for _, bad := range []string{"", auth.TokenPrefix, token[:len(token)-1], token + "a", strings.ToUpper(token), "grt_" + strings.Repeat("a", 32)} {
			if _, err := s.ActorForToken(ctx, bad, ""); msgKey(err) != "auth.bad_token" {
				t.Errorf("ActorForToken(%q) = %v", bad, err)
			}
		}
		// A session token is not an API token and the other way round.
		if _, err := s.ActorForSession(ctx, token, ""); err == nil {
			t.Errorf("an API token works as a session")
		}

		// A label with control characters (printed by `token list`) is refused.
		if _, err := s.CreateToken(ctx, aliceActor, "alice", "sync\x1b[2J"); apperr.CodeOf(err) != apperr.Invalid || !strings.Contains(err.Error(), "control characters") {
			t.Errorf("a label with an escape sequence: %v", err)
		}

		// Listed for their owner, newest first, never as the token itself;
		// to another street's staff they are not there.
		listed, err := s.Tokens(ctx, aliceActor, "alice")
		if err != nil || len(listed) != 2 || listed[0].Name != "api" || listed[1].Name != "sync" || listed[1].LastUsed == nil || listed[0].RevokedAt != nil {
			t.Fatalf("Tokens = %+v, %v", listed, err)
		}
		_, staff23, err := s.Login(ctx, "staff23", "password-23", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Tokens(ctx, staff23, "alice"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("another street's staff listed alice's tokens: %v", err)
		}
		if err := s.RevokeToken(ctx, staff23, listed[1].ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("another street's staff revoked alice's token: %v", err)
		}

		// Revoked: refused; the other token still works; a second revocation
		// is a conflict.
		if err := s.RevokeToken(ctx, aliceActor, listed[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(ctx, aliceActor, listed[1].ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("revoking twice: %v", err)
		}
		if err := s.RevokeToken(ctx, aliceActor, 999999); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("revoking an unknown token: %v", err)
		}
		if _, err := s.ActorForToken(ctx, token, ""); msgKey(err) != "auth.bad_token" {
			t.Errorf("a revoked token works: %v", err)
		}
		if _, err := s.ActorForToken(ctx, token2, ""); err != nil {
			t.Errorf("revoking one token stopped another: %v", err)
		}
		// A disabled user's tokens are refused.
		if _, err := d.Exec(ctx, `UPDATE users SET disabled = TRUE WHERE id = ?`, alice.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActorForToken(ctx, token2, ""); err == nil {
			t.Errorf("a disabled user's token works")
		}

		// Who may make a token for whom.
		_, a2, err := s.Login(ctx, "admin2", "password-2", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateToken(ctx, a2, "alice", "by admin"); err != nil {
			t.Errorf("street 2 admin cannot make a token for its grid member: %v", err)
		}
		if _, err := s.CreateToken(ctx, a2, "staff23", "x"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("street 2 admin made a token for street 23's staff: %v", err)
		}
		if _, err := s.CreateToken(ctx, aliceActor, "admin2", "x"); err == nil {
			t.Errorf("a grid member made a token for an admin")
		}
		if _, err := s.CreateToken(ctx, system, "nobody", "x"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("token for an unknown user: %v", err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens`).Scan(&n); err != nil || n != 3 {
			t.Errorf("%d tokens stored, want 3 (%v)", n, err)
		}
		if got := auditActions(t, d, audit.Filter{Action: "token.create"}); len(got) != 3 {
			t.Errorf("%d token.create entries, want 3", len(got))
		}
	})
}

// TestUserLookup reads accounts as another module does before linking
// one to a record: by id or by name as typed, with each role's unit.
func TestUserLookup(t *testing.T) {
	dbtest.Each(t, storeMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newStore(d)
		made := mustUser(t, s, "wang", "password-1", g(auth.StreetStaff, 2), g(auth.Auditor, 1))
		byName, err := s.UserByName(ctx, d, " WANG ")
		if err != nil || byName.ID != made.ID {
			t.Fatalf("by name: %v %+v", err, byName)
		}
		u, err := s.UserByID(ctx, d, made.ID)
		if err != nil {
			t.Fatal(err)
		}
		paths := map[auth.Role]string{}
		for _, gr := range u.Grants {
			paths[gr.Role] = gr.UnitPath
		}
		if u.Username != "wang" || len(u.Grants) != 2 || paths[auth.StreetStaff] != "/1/2/" || paths[auth.Auditor] != "/1/" {
			t.Errorf("by id: %+v", u)
		}
		if _, err := s.UserByID(ctx, d, made.ID+100); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("no such id: %v", err)
		}
		if _, err := s.UserByName(ctx, d, "li"); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("no such name: %v", err)
		}
	})
}
