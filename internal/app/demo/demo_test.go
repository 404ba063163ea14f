package demo

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"grassroots/internal/app"
	"grassroots/internal/org"
	"grassroots/internal/people"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/date"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/geo"
	"grassroots/internal/platform/pii"
)

// migrations are every module's, as the demo district fills them all.
var migrations = app.Migrations()

// testResidents is how many residents the test houses: fewer than the
// default scale, to keep the test quick; every other figure is the
// district's.
const testResidents = 12000

func TestLoad(t *testing.T) {
	dbtest.Each(t, migrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgs := org.NewStore(d)
		accounts := auth.NewStore(d, orgs)
		vault, err := pii.Open(ctx, d, t.TempDir(), "")
		if err != nil {
			t.Fatal(err)
		}
		ps := people.NewStore(d, orgs, vault)
		start := time.Now()
		res, err := Load(ctx, d, orgs, accounts, ps, Options{Residents: testResidents})
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		t.Logf("%s: loaded %d units and %d residents in %v", d.Engine(), res.Units, res.Residents, time.Since(start))

		checkFigures(t, orgs, res)
		checkGridsInCommunities(t, orgs)
		checkPeople(t, ps)
		checkNeedsLists(t, ps)
		checkUsersArePeople(t, ps, accounts)
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit log: %v", err)
		}
		if _, err := Load(ctx, d, orgs, accounts, ps, Options{}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("second load: got %v, want a conflict", err)
		}
		if _, actor, err := accounts.Login(ctx, "admin", DefaultPassword, "127.0.0.1", "test"); err != nil {
			t.Errorf("login as admin: %v", err)
		} else if !actor.HasRole(auth.DistrictAdmin) {
			t.Errorf("admin's grants: %+v", actor.Grants)
		}
	})
}

// checkPeople compares the people figures of the overview with docs/domain.md
// §3 and checks that every care tag occurs.
func checkPeople(t *testing.T, ps *people.Store) {
	t.Helper()
	ctx := context.Background()
	actor := auth.SystemActor("test")
	ov, err := ps.Overview(ctx, actor)
	if err != nil {
		t.Fatalf("people overview: %v", err)
	}
	t.Logf("people: %+v", *ov)
	checks := []struct {
		what      string
		got, want int
	}{
		{"grid members", ov.GridMembers, 2725},
		{"grid instructors", ov.GridInstructors, 295},
		{"grid leaders", ov.GridLeaders, 295},
		{"community party secretaries", ov.Secretaries, 72},
		{"secretaries' average age, rounded", int(math.Round(ov.SecretaryAvgAge)), 44},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	// 77% of 72 secretaries is 55.44: the nearest share whole secretaries
	// give is 55 of 72, 76.4%.
	if half := 50 / float64(ov.Secretaries); math.Abs(ov.SecretaryCollegePct-77) > half {
		t.Errorf("secretaries with a college degree: %.1f%%, want the nearest whole secretaries give to 77%%", ov.SecretaryCollegePct)
	}
	if ov.InServiceReported < 3100 {
		t.Errorf("in-service members reported: %d, want 3100 or more", ov.InServiceReported)
	}
	if ov.PartyMembers <= ov.InServiceReported {
		t.Errorf("party members: %d, no more than the %d reported", ov.PartyMembers, ov.InServiceReported)
	}
	if ov.Residents < testResidents*95/100 || ov.Residents > testResidents*105/100 {
		t.Errorf("residents: %d, want about %d", ov.Residents, testResidents)
	}
	for _, tag := range people.Tags.Values {
		if _, n, err := ps.ListResidents(ctx, actor, people.ResidentFilter{Tag: tag, Limit: 1}); err != nil || n == 0 {
			t.Errorf("residents tagged %s: %d, %v", tag, n, err)
		}
	}
}

// checkNeedsLists checks that every community's needs list has posts of
// the eight categories.
func checkNeedsLists(t *testing.T, ps *people.Store) {
	t.Helper()
	posts, err := ps.ListPosts(context.Background(), auth.SystemActor("test"), 0)
	if err != nil {
		t.Fatal(err)
	}
	categories := map[int64]map[string]bool{}
	claimed := 0
	for _, p := range posts {
		if categories[p.CommunityID] == nil {
			categories[p.CommunityID] = map[string]bool{}
		}
		categories[p.CommunityID][p.Category] = true
		claimed += p.Claimed
	}
	if len(categories) != 72 || claimed == 0 {
		t.Errorf("%d communities have needs lists, with %d claims", len(categories), claimed)
	}
	for id, cats := range categories {
		if len(cats) != len(people.PostKinds.Values) {
			t.Errorf("community %d: posts of %d categories", id, len(cats))
		}
	}
}

// checkUsersArePeople checks that the grid user is a grid member of their
// grid, linked to their account.
func checkUsersArePeople(t *testing.T, ps *people.Store, accounts *auth.Store) {
	t.Helper()
	ctx := context.Background()
	_, actor, err := accounts.Login(ctx, "grid", DefaultPassword, "127.0.0.1", "test")
	if err != nil {
		t.Fatalf("login as grid: %v", err)
	}
	staff, _, err := ps.ListGridStaff(ctx, actor, people.StaffFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range staff {
		if s.UserID == actor.UserID {
			found = s.Role == "member" && s.Kind == "full_time" && len(s.Buildings) > 0
		}
	}
	if !found {
		t.Errorf("the grid user is not the full-time member of their grid: %+v", staff)
	}
}

func TestSecretaryAges(t *testing.T) {
	today := date.Today(time.Now()).Time()
	for seed := int64(1); seed <= 20; seed++ {
		b := newBuilder(seed, nil)
		total := 0
		for _, age := range b.secretaryAges(72) {
			if got := date.Of(birthFor(b.rng, today, age)).YearsBetween(date.Of(today)); got != age {
				t.Fatalf("a birth date for age %d gives %d", age, got)
			}
			total += age
		}
		if mean := float64(total) / 72; math.Round(mean) != secretaryAgeTarget {
			t.Errorf("seed %d: mean age %.2f", seed, mean)
		}
	}
}

func TestIdentityNumbers(t *testing.T) {
	b := newBuilder(1, nil)
	birth := time.Date(1961, 2, 28, 0, 0, 0, 0, time.UTC)
	for i := range 200 {
		male := i%2 == 0
		id := b.ids.idNumber(b.rng, area(b.rng, "floating"), birth, male)
		if p := pii.IDNumberProblem(id, "2026-06-15"); p != "" {
			t.Fatalf("%s: %s", id, p)
		}
		if day, m := pii.IDBirthDate(id); day != "1961-02-28" || m != male {
			t.Errorf("%s: born %s, male %v", id, day, m)
		}
	}
	if id := b.ids.idNumber(b.rng, oldCounty, time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC), true); id[:6] != newCounty {
		t.Errorf("born in 2019 under the old county code: %s", id)
	}
}

// checkFigures compares the counted figures with docs/domain.md §3.
func checkFigures(t *testing.T, orgs *org.Store, res *Result) {
	t.Helper()
	ov, err := orgs.Overview(context.Background(), auth.SystemActor("test"))
	if err != nil {
		t.Fatalf("overview: %v", err)
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"districts", ov.Units[org.District], 1},
		{"streets", ov.Units[org.Street], 5},
		{"communities", ov.Units[org.Community], 72},
		{"grids", ov.Units[org.Grid], 295},
		{"grassroots party organisations", ov.PartyOrgs, 328},
		{"co-building units", ov.CoBuildingUnits, 120},
		{"part-time members", ov.PartTimeMembers, 30},
		{"result: party organisations", res.PartyOrgs, 328},
		{"result: users", len(res.Users), 10}, // 8 staff, the volunteer and the cashier
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
		}
	}
	if ov.Units[org.Area] == 0 || ov.Units[org.Building] == 0 || ov.Units[org.Department] == 0 {
		t.Errorf("units by type: %v", ov.Units)
	}
	for typ, n := range ov.PartyOrgsByType {
		if n == 0 {
			t.Errorf("no %s party organisations", typ)
		}
	}
}

// checkGridsInCommunities checks that every grid has a boundary whose
// centroid lies inside its community's boundary.
func checkGridsInCommunities(t *testing.T, orgs *org.Store) {
	t.Helper()
	units := map[int64]org.Unit{}
	for _, typ := range []org.UnitType{org.Community, org.Area, org.Grid} {
		list, _, err := orgs.ListUnits(context.Background(), auth.SystemActor("test"), org.UnitFilter{Type: typ, Limit: 1000})
		if err != nil {
			t.Fatalf("list %s: %v", typ, err)
		}
		for _, u := range list {
			units[u.ID] = u
		}
	}
	for _, g := range units {
		if g.Type != org.Grid {
			continue
		}
		c := units[g.ParentID]
		if c.Type == org.Area {
			c = units[c.ParentID]
		}
		gb, err1 := geo.ParseBoundary("grid", []byte(g.Boundary))
		cb, err2 := geo.ParseBoundary("community", []byte(c.Boundary))
		if err1 != nil || err2 != nil {
			t.Fatalf("grid %s or community %s has no boundary: %v, %v", g.Code, c.Code, err1, err2)
		}
		if lon, lat := gb.Centroid(); !cb.Contains(lon, lat) {
			t.Errorf("grid %s centred at %f,%f lies outside community %s", g.Code, lon, lat, c.Code)
		}
	}
}

func TestSameSeedSameDistrict(t *testing.T) {
	names := func(seed int64) []string {
		b := newBuilder(seed, nil)
		grids, err := b.dealGrids(72)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range grids {
			out = append(out, b.buildingNames(g)...)
		}
		return append(out, personName(b.rng), strings.Join(b.rooms(&org.Unit{Name: "1号楼"}, 20), ","))
	}
	if !slices.Equal(names(7), names(7)) {
		t.Errorf("seed 7 gave different draws")
	}
	if slices.Equal(names(7), names(8)) {
		t.Errorf("seeds 7 and 8 gave the same draws")
	}
}

func TestDealGrids(t *testing.T) {
	b := newBuilder(1, nil)
	grids, err := b.dealGrids(72)
	if err != nil {
		t.Fatal(err)
	}
	if sum(grids) != gridTotal {
		t.Errorf("dealt %d grids, want %d", sum(grids), gridTotal)
	}
	for i, g := range grids {
		if g < gridsMin || g > gridsMax {
			t.Errorf("community %d has %d grids", i, g)
		}
	}
}

func TestTilesCoverTheBox(t *testing.T) {
	for n := 1; n <= 16; n++ {
		tiles := districtBox.tiles(n)
		if len(tiles) != n {
			t.Fatalf("tiles(%d) gave %d", n, len(tiles))
		}
		area := 0.0
		for _, tl := range tiles {
			if tl.minLon >= tl.maxLon || tl.minLat >= tl.maxLat {
				t.Fatalf("tiles(%d): empty tile %+v", n, tl)
			}
			area += (tl.maxLon - tl.minLon) * (tl.maxLat - tl.minLat)
		}
		whole := (districtBox.maxLon - districtBox.minLon) * (districtBox.maxLat - districtBox.minLat)
		if d := area - whole; d > 1e-9 || d < -1e-9 {
			t.Errorf("tiles(%d) cover %g of %g", n, area, whole)
		}
	}
}

// TestPopulation checks the shape of the drawn population: households of
// one to five, an ageing age structure, and care tags on a small share.
func TestPopulation(t *testing.T) {
	b := newBuilder(1, nil)
	b.today = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	var n, children, elderly, tagged int
	for n < 20000 {
		h := &home{members: b.drawHousehold(draw(b.rng, householdPlan))}
		if len(h.members) < 1 || len(h.members) > 5 || h.members[0].relation != "head" {
			t.Fatalf("a household of %d, headed by a %s", len(h.members), h.members[0].relation)
		}
		b.dress(h)
		for _, p := range h.members {
			n++
			switch {
			case p.age < 15:
				children++
			case p.elderly():
				elderly++
			}
			if len(p.tags) > 0 {
				tagged++
			}
			if birth, male := pii.IDBirthDate(p.idNumber); birth != p.birth.Format(time.DateOnly) || male != p.male {
				t.Fatalf("%s born %s, male %v: identity number %s", p.name(), p.birth.Format(time.DateOnly), p.male, p.idNumber)
			}
		}
	}
	share := func(k int) float64 { return 100 * float64(k) / float64(n) }
	if c, e := share(children), share(elderly); c < 10 || c > 20 || e < 18 || e > 30 {
		t.Errorf("%.1f%% children under 15 and %.1f%% aged %d or more", c, e, elderlyAge)
	}
	if s := share(tagged); s < 10 || s > 35 {
		t.Errorf("%.1f%% of residents have care tags", s)
	}
}
