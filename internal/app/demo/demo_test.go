package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"grassroots/internal/org"
	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/audit"
	"grassroots/internal/platform/auth"
	"grassroots/internal/platform/db"
	"grassroots/internal/platform/db/dbtest"
	"grassroots/internal/platform/geo"
)

var migrations = []db.Migrations{auth.Migrations, audit.Migrations, org.Migrations}

func TestLoad(t *testing.T) {
	dbtest.Each(t, migrations, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		orgs := org.NewStore(d)
		accounts := auth.NewStore(d, orgs)
		start := time.Now()
		res, err := Load(ctx, d, orgs, accounts, Options{})
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		t.Logf("%s: loaded %d units in %v", d.Engine(), res.Units, time.Since(start))

		checkFigures(t, orgs, res)
		checkGridsInCommunities(t, orgs)
		if _, err := audit.Verify(ctx, d); err != nil {
			t.Errorf("audit log: %v", err)
		}
		if _, err := Load(ctx, d, orgs, accounts, Options{}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("second load: got %v, want a conflict", err)
		}
		if _, actor, err := accounts.Login(ctx, "admin", DefaultPassword, "127.0.0.1", "test"); err != nil {
			t.Errorf("login as admin: %v", err)
		} else if !actor.HasRole(auth.DistrictAdmin) {
			t.Errorf("admin's grants: %+v", actor.Grants)
		}
	})
}

// checkFigures compares the counted figures with DOMAIN.md §3.
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
		{"result: users", len(res.Users), 8},
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
		return append(out, personName(b.rng))
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
