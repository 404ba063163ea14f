package demo

import (
	"context"
	"fmt"

	"grassroots/internal/org"
	"grassroots/internal/platform/geo"
)

// buildTree writes the units: the district, its departments, streets,
// communities, areas, grids and buildings.
func (b *builder) buildTree(ctx context.Context) error {
	d, err := b.unit(ctx, nil, org.District, districtCode, districtName, &districtBox)
	if err != nil {
		return err
	}
	b.district = d
	if err := b.buildDepartments(ctx); err != nil {
		return err
	}
	weights := make([]int, len(streetPlan))
	for i, sp := range streetPlan {
		weights[i] = sp.communities
	}
	total := sum(weights)
	if len(communityBases) < total {
		return fmt.Errorf("%d community names for %d communities", len(communityBases), total)
	}
	bases := shuffled(b.rng, communityBases)
	grids, err := b.dealGrids(total)
	if err != nil {
		return err
	}
	areas := b.chooseAreas(grids)
	next := 0
	for i, stBox := range districtBox.splitLon(weights) {
		code := fmt.Sprintf("%s%03d", districtCode, i+1)
		su, err := b.unit(ctx, d, org.Street, code, streetPlan[i].name, &stBox)
		if err != nil {
			return err
		}
		st := &street{unit: su, box: stBox}
		b.streets = append(b.streets, st)
		for j, cBox := range stBox.tiles(streetPlan[i].communities) {
			c := &community{street: st, base: bases[next], box: cBox}
			if err := b.buildCommunity(ctx, c, j+1, grids[next], areas[next]); err != nil {
				return err
			}
			st.communities = append(st.communities, c)
			next++
		}
	}
	return nil
}

// unit writes one unit with its box as boundary (none if bx is nil).
func (b *builder) unit(ctx context.Context, parent *org.Unit, t org.UnitType, code, name string, bx *box) (*org.Unit, error) {
	var bd *geo.Boundary
	if bx != nil {
		bd = bx.boundary()
	}
	u, err := b.l.Unit(ctx, parent, org.UnitInput{Type: t, Code: code, Name: name}, bd)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", t, code, name, err)
	}
	b.tally.units[t]++
	return u, nil
}

// buildDepartments writes the district's functional departments.
func (b *builder) buildDepartments(ctx context.Context) error {
	for _, dp := range departments {
		u, err := b.unit(ctx, b.district, org.Department, districtCode+"-"+dp.code, dp.name, nil)
		if err != nil {
			return err
		}
		b.departments[dp.code] = u
	}
	return nil
}

// dealGrids deals gridTotal grids over n communities, one at a time to a
// random community that has room, so that each ends with gridsMin to
// gridsMax grids.
func (b *builder) dealGrids(n int) ([]int, error) {
	left := gridTotal - n*gridsMin
	if left < 0 || left > n*(gridsMax-gridsMin) {
		return nil, fmt.Errorf("%d grids do not fit %d communities of %d to %d", gridTotal, n, gridsMin, gridsMax)
	}
	counts := make([]int, n)
	for i := range counts {
		counts[i] = gridsMin
	}
	for left > 0 {
		if i := b.rng.IntN(n); counts[i] < gridsMax {
			counts[i]++
			left--
		}
	}
	return counts, nil
}

// chooseAreas picks the communities that are divided into areas and says
// how many areas each has (zero for the others).
func (b *builder) chooseAreas(grids []int) []int {
	var fit []int
	for i, g := range grids {
		if g >= areaMinGrids {
			fit = append(fit, i)
		}
	}
	areas := make([]int, len(grids))
	for _, i := range shuffled(b.rng, fit)[:min(areaCommunities, len(fit))] {
		most := min(2, (grids[i]-1)/gridsPerArea)
		areas[i] = 1 + b.rng.IntN(most)
	}
	return areas
}

// buildCommunity writes community c, the seq-th of its street, with its
// areas, grids and buildings. Areas take strips at the west of the
// community, gridsPerArea grids each; the other grids sit directly under
// the community.
func (b *builder) buildCommunity(ctx context.Context, c *community, seq, grids, areas int) error {
	code := fmt.Sprintf("%s%03d", c.street.unit.Code, seq)
	u, err := b.unit(ctx, c.street.unit, org.Community, code, c.base+"社区", &c.box)
	if err != nil {
		return err
	}
	c.unit = u
	weights := make([]int, 0, areas+1)
	for range areas {
		weights = append(weights, gridsPerArea)
	}
	weights = append(weights, grids-areas*gridsPerArea)
	names := b.gridNames(grids)
	parts := c.box.splitLon(weights)
	for k, part := range parts {
		parent := u
		if k < areas {
			areaCode := fmt.Sprintf("%sP%02d", code, k+1)
			if parent, err = b.unit(ctx, u, org.Area, areaCode, gridOrdinals[k]+"片区", &part); err != nil {
				return err
			}
			c.areas = append(c.areas, parent)
		}
		for _, gBox := range part.tiles(weights[k]) {
			if err := b.buildGrid(ctx, c, parent, names[len(c.grids)], gBox); err != nil {
				return err
			}
		}
	}
	return nil
}

// gridNames names n grids: by ordinal (第一网格) in most communities, after
// roads in some.
func (b *builder) gridNames(n int) []string {
	names := make([]string, n)
	roadsFor := shuffled(b.rng, roads)
	byRoad := b.rng.IntN(10) < 3
	for i := range names {
		if byRoad {
			names[i] = roadsFor[i] + "网格"
		} else {
			names[i] = gridOrdinals[i] + "网格"
		}
	}
	return names
}

// buildGrid writes a grid of community c under parent (the community or
// one of its areas) and the grid's buildings. A grid's code follows its
// community's code even under an area.
func (b *builder) buildGrid(ctx context.Context, c *community, parent *org.Unit, name string, bx box) error {
	code := fmt.Sprintf("%s%03d", c.unit.Code, len(c.grids)+1)
	g, err := b.unit(ctx, parent, org.Grid, code, name, &bx)
	if err != nil {
		return err
	}
	c.grids = append(c.grids, g)
	n := between(b.rng, buildingsMin, buildingsMax)
	names := b.buildingNames(n)
	buildings := make([]*org.Unit, 0, n)
	for k, tile := range bx.tiles(n) {
		var outline *box
		if b.rng.IntN(5) > 0 {
			s := tile.shrink(0.6)
			outline = &s
		}
		u, err := b.unit(ctx, g, org.Building, fmt.Sprintf("%s%03d", code, k+1), names[k], outline)
		if err != nil {
			return err
		}
		buildings = append(buildings, u)
	}
	c.buildings = append(c.buildings, buildings)
	return nil
}

// buildingNames names the n buildings of a grid, which hold one or two
// compounds: a residential compound (锦绣花园3栋) or an old work-unit
// dormitory (化纤厂宿舍2号楼).
func (b *builder) buildingNames(n int) []string {
	type compound struct{ name, suffix string }
	var compounds []compound
	for want := 1 + b.rng.IntN(2); len(compounds) < want; {
		c := compound{pick(b.rng, compoundHeads) + pick(b.rng, compoundTails), "栋"}
		if b.rng.IntN(4) == 0 {
			c = compound{pick(b.rng, dormitories), "号楼"}
		}
		if len(compounds) == 0 || compounds[0].name != c.name {
			compounds = append(compounds, c)
		}
	}
	names := make([]string, 0, n)
	for i, c := range compounds {
		count := n / len(compounds)
		if i == 0 {
			count += n % len(compounds)
		}
		for k := range count {
			names = append(names, fmt.Sprintf("%s%d%s", c.name, k+1, c.suffix))
		}
	}
	return names
}

// sum adds up ints.
func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
