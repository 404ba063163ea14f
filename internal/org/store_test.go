package org

import (
	"context"
	"fmt"
	"testing"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
)

// AllMigrations are the schema sets the org store needs.
var testMigrations = []db.Migrations{auth.Migrations, audit.Migrations, Migrations}

var system = auth.SystemActor("test")

// tree is a small district for tests: two streets, each with a community
// and grids.
type tree struct {
	district, s1, s2, c1, c2, g1, g2 *Unit
}

func mustUnit(t *testing.T, s *Store, parent *Unit, typ UnitType, code, name string) *Unit {
	t.Helper()
	in := UnitInput{Type: typ, Code: code, Name: name}
	if parent != nil {
		in.ParentID = parent.ID
	}
	u, err := s.CreateUnit(context.Background(), system, in)
	if err != nil {
		t.Fatalf("create %s %s: %v", typ, code, err)
	}
	return u
}

func buildTree(t *testing.T, s *Store) tree {
	var tr tree
	tr.district = mustUnit(t, s, nil, District, "360403", "浔阳区")
	tr.s1 = mustUnit(t, s, tr.district, Street, "360403001", "湓浦街道")
	tr.s2 = mustUnit(t, s, tr.district, Street, "360403002", "人民路街道")
	tr.c1 = mustUnit(t, s, tr.s1, Community, "360403001001", "白水湖社区")
	tr.c2 = mustUnit(t, s, tr.s2, Community, "360403002001", "大中路社区")
	tr.g1 = mustUnit(t, s, tr.c1, Grid, "360403001001001", "第一网格")
	tr.g2 = mustUnit(t, s, tr.c2, Grid, "360403002001001", "第一网格")
	return tr
}

// actorAt is a user holding role at unit u.
func actorAt(role auth.Role, u *Unit) *auth.Actor {
	return &auth.Actor{UserID: 99, Username: "u", Grants: []auth.Grant{{Role: role, UnitID: u.ID, UnitPath: u.Path, UnitType: string(u.Type)}}}
}

func fieldOf(err error) string {
	for f := range apperr.As(err).Fields {
		return f
	}
	return ""
}

func TestUnitTree(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		tr := buildTree(t, s)

		if tr.g1.Path != fmt.Sprintf("/%d/%d/%d/%d/", tr.district.ID, tr.s1.ID, tr.c1.ID, tr.g1.ID) {
			t.Errorf("grid path = %s", tr.g1.Path)
		}

		// Nesting and code rules.
		bad := []struct {
			name string
			in   UnitInput
			want string
		}{
			{"grid under street", UnitInput{ParentID: tr.s1.ID, Type: Grid, Code: "360403001002", Name: "x"}, "type"},
			{"code of another street", UnitInput{ParentID: tr.s1.ID, Type: Community, Code: "360403002009", Name: "x"}, "code"},
			{"code too short", UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "36040300100", Name: "x"}, "code"},
			{"zero local code", UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001000", Name: "x"}, "code"},
			{"duplicate code", UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001001", Name: "x"}, "code"},
			{"empty name", UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001005", Name: "  "}, "name"},
			{"overlong name", UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001005", Name: string(make([]rune, 61))}, "name"},
			{"bad boundary", UnitInput{ParentID: tr.c1.ID, Type: Grid, Code: "360403001001005", Name: "x", Boundary: `{"type":"Point","coordinates":[1,2]}`}, "boundary"},
			{"no parent", UnitInput{Type: Street, Code: "360403009", Name: "x"}, "parent_id"},
		}
		for _, b := range bad {
			_, err := s.CreateUnit(ctx, actorAt(auth.DistrictAdmin, tr.district), b.in)
			if apperr.CodeOf(err) != apperr.Invalid || fieldOf(err) != b.want {
				t.Errorf("%s: got %v, want invalid %s", b.name, err, b.want)
			}
		}

		// A grid may sit in an area; its code follows the community.
		area := mustUnit(t, s, tr.c1, Area, "360403001001P01", "东片区")
		ga := mustUnit(t, s, area, Grid, "360403001001002", "第二网格")
		if ga.Depth != 4 {
			t.Errorf("grid in area depth = %d", ga.Depth)
		}

		// Scope: a street user sees its street only; another street's
		// community reads as not found.
		street := actorAt(auth.StreetStaff, tr.s1)
		if _, err := s.Unit(ctx, street, tr.c2.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("other street's community: %v, want not found", err)
		}
		list, total, err := s.ListUnits(ctx, street, UnitFilter{Type: Community})
		if err != nil || total != 1 || list[0].ID != tr.c1.ID {
			t.Errorf("street's communities = %v %d %v", list, total, err)
		}
		// ... and cannot write there.
		if _, err := s.CreateUnit(ctx, street, UnitInput{ParentID: tr.c2.ID, Type: Grid, Code: "360403002001009", Name: "x"}); apperr.CodeOf(err) != apperr.Invalid || fieldOf(err) != "parent_id" {
			t.Errorf("create under other street: %v", err)
		}
		if err := s.DeleteUnit(ctx, street, tr.g2.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("delete in other street: %v", err)
		}
		if err := s.DeleteUnit(ctx, street, tr.s1.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("delete own street: %v", err)
		}

		// Moving a subtree keeps its paths right and recodes it.
		b := mustUnit(t, s, tr.g1, Building, "360403001001001001", "1号楼")
		if _, err := s.MoveUnit(ctx, system, tr.g1.ID, tr.c2.ID, ""); fieldOf(err) != "code" {
			t.Errorf("move needing a code: %v", err)
		}
		moved, err := s.MoveUnit(ctx, system, tr.g1.ID, tr.c2.ID, "360403002001002")
		if err != nil {
			t.Fatalf("move: %v", err)
		}
		if moved.Path != ChildPath(tr.c2.Path, tr.g1.ID) {
			t.Errorf("moved path = %s", moved.Path)
		}
		b2, err := s.Unit(ctx, system, b.ID)
		if err != nil || b2.Path != ChildPath(moved.Path, b.ID) || b2.Code != "360403002001002001" || b2.Depth != 4 {
			t.Errorf("building after move: %+v %v", b2, err)
		}
		// No cycles.
		if _, err := s.MoveUnit(ctx, system, tr.c2.ID, moved.ID, ""); fieldOf(err) != "parent_id" {
			t.Errorf("move into own subtree: %v", err)
		}
		// The street user no longer sees the grid that left.
		if _, err := s.Unit(ctx, street, tr.g1.ID); apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("street still sees the moved grid: %v", err)
		}

		// A unit with something left in it cannot be deleted.
		if err := s.DeleteUnit(ctx, system, moved.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("delete grid with building: %v", err)
		}
		if err := s.DeleteUnit(ctx, system, b.ID); err != nil {
			t.Errorf("delete building: %v", err)
		}

		// Renaming and recoding.
		name := "白水湖社区（新）"
		code := "360403001005"
		u, err := s.UpdateUnit(ctx, street, tr.c1.ID, UnitPatch{Name: &name, Code: &code})
		if err != nil || u.Name != name || u.Code != code {
			t.Fatalf("update: %+v %v", u, err)
		}
		g, _ := s.Unit(ctx, system, ga.ID)
		if g.Code != "360403001005002" {
			t.Errorf("grid code after community recode = %s", g.Code)
		}
		a, _ := s.Unit(ctx, system, area.ID)
		if a.Code != "360403001005P01" {
			t.Errorf("area code after community recode = %s", a.Code)
		}

		// Every write is audited and the chain holds.
		n, err := audit.Verify(ctx, d)
		if err != nil || n < 10 {
			t.Errorf("audit: %d %v", n, err)
		}
	})
}

func TestPartyOrgsAndOverview(t *testing.T) {
	dbtest.Each(t, testMigrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := NewStore(d)
		tr := buildTree(t, s)
		mk := func(unit *Unit, typ PartyOrgType, name string, parent int64) *PartyOrg {
			p, err := s.CreatePartyOrg(ctx, system, PartyOrgInput{UnitID: unit.ID, Type: typ, Name: name, ParentID: parent})
			if err != nil {
				t.Fatalf("party org %s: %v", name, err)
			}
			return p
		}
		dc := mk(tr.district, DistrictCommittee, "中共浔阳区委", 0)
		swc := mk(tr.s1, StreetWorkingCommittee, "湓浦街道党工委", dc.ID)
		co := mk(tr.c1, CommunityOrg, "白水湖社区党委", swc.ID)
		mk(tr.g1, GridGroup, "第一网格党小组", co.ID)
		mk(tr.c1, School, "浔阳小学党支部", co.ID)
		mk(tr.c2, NonPublicEnterprise, "某公司党支部", 0)

		// Wrong level, parent below, cycles.
		if _, err := s.CreatePartyOrg(ctx, system, PartyOrgInput{UnitID: tr.c1.ID, Type: GridGroup, Name: "x"}); fieldOf(err) != "type" {
			t.Errorf("grid group at community: %v", err)
		}
		if _, err := s.CreatePartyOrg(ctx, system, PartyOrgInput{UnitID: tr.s1.ID, Type: GovernmentOrgan, Name: "x", ParentID: co.ID}); fieldOf(err) != "parent_id" {
			t.Errorf("parent below: %v", err)
		}
		if _, err := s.UpdatePartyOrg(ctx, system, swc.ID, PartyOrgInput{UnitID: tr.s1.ID, Type: StreetWorkingCommittee, Name: "x", ParentID: co.ID}); fieldOf(err) != "parent_id" {
			t.Errorf("cycle: %v", err)
		}

		cb, err := s.CreateCoBuildingUnit(ctx, system, CoBuildingInput{CommunityID: tr.c1.ID, Name: "九江市税务局", Kind: CityBody})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddAgreement(ctx, system, cb.ID, AgreementInput{SignedOn: "2024-03-01", ExpiresOn: "2023-01-01", Content: "x"}); fieldOf(err) != "expires_on" {
			t.Errorf("expiry before signing: %v", err)
		}
		if _, err := s.AddAgreement(ctx, system, cb.ID, AgreementInput{SignedOn: "2024-03-01", Content: "结对共建"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePartTimeMember(ctx, system, PartTimeInput{StreetID: tr.s1.ID, CoBuildingUnitID: cb.ID, Name: "张三", Position: "党委副书记"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateCoBuildingUnit(ctx, system, CoBuildingInput{CommunityID: tr.s1.ID, Name: "x", Kind: CityBody}); fieldOf(err) != "community_id" {
			t.Errorf("co-building unit at a street: %v", err)
		}

		o, err := s.Overview(ctx, system)
		if err != nil {
			t.Fatal(err)
		}
		if o.Units[Street] != 2 || o.Units[Community] != 2 || o.Units[Grid] != 2 {
			t.Errorf("units = %v", o.Units)
		}
		// Counted: community org (street & community), school, non-public.
		if o.PartyOrgs != 3 || o.PartyOrgsByType[StreetCommunity] != 1 || o.PartyOrgsByType[School] != 1 || o.PartyOrgsByType[NonPublicEnterprise] != 1 {
			t.Errorf("party orgs = %d %v", o.PartyOrgs, o.PartyOrgsByType)
		}
		if o.PartyStructure[GridGroup] != 1 || o.PartyStructure[DistrictCommittee] != 1 {
			t.Errorf("structure = %v", o.PartyStructure)
		}
		if o.CoBuildingUnits != 1 || o.Agreements != 1 || o.PartTimeMembers != 1 {
			t.Errorf("co-building = %+v", o)
		}
		// The second street sees only its own.
		o2, err := s.Overview(ctx, actorAt(auth.StreetStaff, tr.s2))
		if err != nil || o2.PartyOrgs != 1 || o2.CoBuildingUnits != 0 || o2.Units[Street] != 1 {
			t.Errorf("street 2 overview = %+v %v", o2, err)
		}
		figs, err := s.StreetBreakdown(ctx, system)
		if err != nil || len(figs) != 2 || figs[0].Grids != 1 || figs[0].PartyOrgs != 2 {
			t.Errorf("breakdown = %+v %v", figs, err)
		}
		// An organisation with one below it stays.
		if err := s.DeletePartyOrg(ctx, system, co.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("delete party org with children: %v", err)
		}
		if err := s.DeleteCoBuildingUnit(ctx, system, cb.ID); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("delete co-building unit with a member: %v", err)
		}
	})
}
