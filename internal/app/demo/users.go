package demo

import (
	"context"
	"fmt"

	"grassroots/internal/org"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
)

// demoUser is a demo account: one role at one unit.
type demoUser struct {
	username string
	role     auth.Role
	unit     *org.Unit
}

// account is a demo user as created: the people of the district they are
// take their name.
type account struct {
	id   int64
	name string
	male bool
}

// demoUsers lists one account per role: district roles at the district,
// the others at the first street, its first community and that community's
// first grid, and staff at a second street to show that streets do not see
// each other's data.
func (b *builder) demoUsers() []demoUser {
	first := b.streets[0]
	c := first.communities[0]
	return []demoUser{
		{"admin", auth.DistrictAdmin, b.district},
		{"street", auth.StreetStaff, first.unit},
		{"street2", auth.StreetStaff, b.streets[1].unit},
		{"community", auth.CommunityStaff, c.unit},
		{"grid", auth.GridMember, c.grids[0]},
		{"dept", auth.DepartmentStaff, b.departments[departments[0].code]},
		{"instructor", auth.Instructor, first.unit},
		{"auditor", auth.Auditor, b.district},
	}
}

// createUsers creates the demo accounts in the load's transaction, each
// under a Chinese name, all with the same password.
func (b *builder) createUsers(ctx context.Context, tx *db.Tx, accounts *auth.Store, password string) ([]UserInfo, error) {
	var out []UserInfo
	b.accounts = map[string]*account{}
	for _, u := range b.demoUsers() {
		male := b.rng.IntN(2) == 0
		name := pick(b.rng, surnames) + givenName(b.rng, male, 0)
		created, err := accounts.CreateUserIn(ctx, tx, system, auth.NewUser{
			Username: u.username, DisplayName: name, Password: password,
			Grants: []auth.GrantSpec{{Role: u.role, UnitID: u.unit.ID}},
		})
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", u.username, err)
		}
		b.accounts[u.username] = &account{id: created.ID, name: name, male: male}
		out = append(out, UserInfo{Username: u.username, Role: string(u.role), UnitName: u.unit.Name})
	}
	return out, nil
}

// seated returns the demo user who holds the k-th post of a position in
// community c, if any: the community user is the first community's
// director, the grid user the full-time worker of its first grid.
func (b *builder) seated(c *community, position string, k int) *account {
	if c != b.streets[0].communities[0] || k != 0 {
		return nil
	}
	switch position {
	case "director":
		return b.accounts["community"]
	case "grid_worker":
		return b.accounts["grid"]
	}
	return nil
}
