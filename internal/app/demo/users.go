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
	for _, u := range b.demoUsers() {
		_, err := accounts.CreateUserIn(ctx, tx, system, auth.NewUser{
			Username: u.username, DisplayName: personName(b.rng), Password: password,
			Grants: []auth.GrantSpec{{Role: u.role, UnitID: u.unit.ID}},
		})
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", u.username, err)
		}
		out = append(out, UserInfo{Username: u.username, Role: string(u.role), UnitName: u.unit.Name})
	}
	return out, nil
}
