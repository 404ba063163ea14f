// Package auth holds accounts and what they may do: users, their roles at
// units of the tree, passwords, sessions, API tokens, and the Actor and Scope
// that every store call takes.
//
// A user's scope for a permission is the set of materialised paths of the
// units where they hold a role granting it; store code turns a Scope into an
// index range condition on a path column, so an unscoped read or write cannot
// be written by accident.
package auth

import (
	"embed"
	"slices"
	"sort"
	"strings"
	"sync"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/db"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations creates the account tables.
var Migrations = db.Migrations{Module: "auth", FS: db.Sub(migrationFiles, "migrations")}

// Role is a named set of permissions, held at a unit.
type Role string

// The roles every district has. Modules add permissions to them.
const (
	DistrictAdmin   Role = "district-admin"
	StreetStaff     Role = "street-staff"
	CommunityStaff  Role = "community-staff"
	GridMember      Role = "grid-member"
	DepartmentStaff Role = "department-staff"
	Instructor      Role = "instructor"
	Auditor         Role = "auditor"
)

// Perm is one thing a role lets its holder do within the unit's subtree.
type Perm string

// Permissions of the platform itself; modules declare their own.
const (
	PermUsersManage Perm = "users.manage"
	PermAuditRead   Perm = "audit.read"
)

var (
	rolesMu   sync.RWMutex
	roleOrder []Role
	rolePerms = map[Role]map[Perm]bool{}
	readOnly  = map[Role]bool{}
	readPerms = map[Perm]bool{}
	ownPerms  = map[Perm]bool{}
)

// DefineRole declares a role (once) and grants it perms; calling it again for
// a known role only adds permissions. Modules call it at start to say which
// roles may use what they offer. A read-only role takes no grants this way
// (it panics): it holds the permissions declared with DefineReadPerm.
func DefineRole(r Role, perms ...Perm) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	if readOnly[r] && len(perms) > 0 {
		panic("auth: read-only role " + string(r) + " is granted only read permissions, through DefineReadPerm")
	}
	set := defineRole(r)
	for _, p := range perms {
		set[p] = true
	}
}

func defineRole(r Role) map[Perm]bool {
	set, ok := rolePerms[r]
	if !ok {
		set = map[Perm]bool{}
		rolePerms[r] = set
		roleOrder = append(roleOrder, r)
	}
	return set
}

// DefineReadOnlyRole declares a role that reads everything in its units'
// subtrees and changes nothing: it holds exactly the permissions declared
// with DefineReadPerm, by every module, and no other.
func DefineReadOnlyRole(r Role) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	if len(defineRole(r)) > 0 {
		panic("auth: role " + string(r) + " already holds permissions and cannot become read-only")
	}
	readOnly[r] = true
}

// DefineReadPerm declares permissions that only read: they let their holder
// see, list and look up, never change anything or reveal what lists show
// masked. Every read-only role holds them; other roles still need
// DefineRole.
func DefineReadPerm(perms ...Perm) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	for _, p := range perms {
		readPerms[p] = true
	}
}

// DefineOwnPerm declares permissions over their holder's own records only
// (a volunteer's own page, the till of the merchant one works at): the
// unit a role holds them at bounds where they apply, but does not open
// the other records of that unit's subtree.
func DefineOwnPerm(perms ...Perm) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	for _, p := range perms {
		ownPerms[p] = true
	}
}

// IsOwnPerm reports whether p reaches only its holder's own records.
func IsOwnPerm(p Perm) bool {
	rolesMu.RLock()
	defer rolesMu.RUnlock()
	return ownPerms[p]
}

// Roles lists the known roles in the order they were defined.
func Roles() []Role {
	rolesMu.RLock()
	defer rolesMu.RUnlock()
	return slices.Clone(roleOrder)
}

// KnownRole reports whether r has been defined.
func KnownRole(r Role) bool {
	rolesMu.RLock()
	defer rolesMu.RUnlock()
	_, ok := rolePerms[r]
	return ok
}

// RoleHas reports whether role r grants p.
func RoleHas(r Role, p Perm) bool {
	rolesMu.RLock()
	defer rolesMu.RUnlock()
	if readOnly[r] {
		return readPerms[p]
	}
	return rolePerms[r][p]
}

func init() {
	DefineReadPerm(PermAuditRead)
	DefineRole(DistrictAdmin, PermUsersManage, PermAuditRead)
	DefineRole(StreetStaff)
	DefineRole(CommunityStaff)
	DefineRole(GridMember)
	DefineRole(DepartmentStaff)
	DefineRole(Instructor)
	DefineReadOnlyRole(Auditor)
}

// Grant is a role held at a unit, with the unit's place in the tree.
type Grant struct {
	Role     Role
	UnitID   int64
	UnitPath string
	UnitName string
	UnitType string
}

// Actor is who is acting: a signed-in user, an API token's user, or the
// system itself (commands run by the operator on the server).
type Actor struct {
	UserID      int64
	Username    string
	DisplayName string
	Grants      []Grant
	IP          string
	System      bool
}

// SystemActor is the operator at the server's console: it may do everything.
func SystemActor(what string) *Actor {
	return &Actor{Username: "system:" + what, DisplayName: "system", System: true, IP: "local"}
}

// Has reports whether the actor holds p anywhere.
func (a *Actor) Has(p Perm) bool {
	if a == nil {
		return false
	}
	if a.System {
		return true
	}
	for _, g := range a.Grants {
		if RoleHas(g.Role, p) {
			return true
		}
	}
	return false
}

// Require returns a Forbidden error unless the actor holds p somewhere. Every
// write starts with it, before reading its input, so that a role that may not
// change a kind of record (the read-only auditor, an instructor) is told so,
// rather than that the record does not exist or that its input is wrong.
func (a *Actor) Require(p Perm) error {
	if !a.Has(p) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	return nil
}

// HasRole reports whether the actor holds role r anywhere.
func (a *Actor) HasRole(r Role) bool {
	for _, g := range a.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// Scope returns the subtrees in which the actor holds p.
func (a *Actor) Scope(p Perm) Scope {
	if a == nil {
		return Scope{}
	}
	if a.System {
		return Scope{All: true}
	}
	var paths []string
	for _, g := range a.Grants {
		if g.UnitPath != "" && RoleHas(g.Role, p) {
			paths = append(paths, g.UnitPath)
		}
	}
	return NewScope(paths...)
}

// Entry starts an audit entry for something the actor did.
func (a *Actor) Entry(action, entity, entityID string, detail any) audit.Entry {
	e := audit.Entry{Action: action, Entity: entity, EntityID: entityID, Detail: detail}
	if a != nil {
		e.ActorID, e.Actor, e.IP = a.UserID, a.Username, a.IP
	}
	return e
}

// Scope is a set of subtrees of the unit tree, each named by its root's
// materialised path (delimited at both ends: /1/7/).
type Scope struct {
	All   bool
	Paths []string // no path inside another
}

// NewScope makes a scope of the given subtrees, dropping any that lie inside another.
func NewScope(paths ...string) Scope {
	sort.Strings(paths)
	var out []string
	for _, p := range paths {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return Scope{Paths: out}
}

// Empty reports whether the scope covers nothing.
func (s Scope) Empty() bool { return !s.All && len(s.Paths) == 0 }

// Contains reports whether the unit at path lies in the scope.
func (s Scope) Contains(path string) bool {
	if s.All {
		return true
	}
	for _, p := range s.Paths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// ContainsBelow reports whether the unit at path lies strictly inside one of
// the scope's subtrees, below its root.
func (s Scope) ContainsBelow(path string) bool {
	if s.All {
		return true
	}
	for _, p := range s.Paths {
		if strings.HasPrefix(path, p) && len(path) > len(p) {
			return true
		}
	}
	return false
}

// Where returns an SQL condition on the path column col that holds for rows
// in the scope, and its arguments. Each subtree becomes a range condition
// that both engines answer with an index range scan.
func (s Scope) Where(col string) (string, []any) {
	if s.All {
		return "1=1", nil
	}
	if len(s.Paths) == 0 {
		return "1=0", nil
	}
	parts := make([]string, 0, len(s.Paths))
	args := make([]any, 0, 2*len(s.Paths))
	for _, p := range s.Paths {
		lo, hi := db.PrefixRange(p)
		parts = append(parts, "("+col+" >= ? AND "+col+" < ?)")
		args = append(args, lo, hi)
	}
	if len(parts) == 1 {
		return parts[0], args
	}
	return "(" + strings.Join(parts, " OR ") + ")", args
}
