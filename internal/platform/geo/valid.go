package geo

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"grassroots/internal/platform/apperr"
)

// Validate checks what ParseBoundary leaves to writers, the shape of the
// boundary: no ring crosses or touches itself; rings of one polygon and
// polygons of one multipolygon may meet but not cross; every hole lies
// inside its polygon's outer ring and outside the other holes, and the
// polygons of a multipolygon do not overlap. A refusal names the
// approximate point where the boundary goes wrong. field names the input.
//
// ParseBoundary alone stays lenient for boundaries already stored, so that
// a unit written before these checks is still found by point lookup.
func (b *Boundary) Validate(field string) error {
	polys := b.polygons()
	rings := make([][]orb.Point, 0, len(polys))
	for _, p := range polys {
		for _, r := range p {
			pts := distinct(r)
			if len(pts) < 3 {
				return apperr.FieldInvalid(field, "geo.ring_short")
			}
			rings = append(rings, pts)
		}
	}
	if at, bad := crossing(rings); bad {
		return apperr.FieldInvalid(field, "geo.self_intersection", lonLat(at[0]), lonLat(at[1]))
	}
	for _, p := range polys {
		shell := Boundary{Geometry: orb.Polygon{p[0]}, Bound: p[0].Bound()}
		for i, h := range p[1:] {
			hole := Boundary{Geometry: orb.Polygon{h}, Bound: h.Bound()}
			if hole.ShareOutside(&shell) > sliver {
				at := pointOutside(h, &shell)
				return apperr.FieldInvalid(field, "geo.hole_outside", lonLat(at[0]), lonLat(at[1]))
			}
			for _, other := range p[2+i:] {
				o := Boundary{Geometry: orb.Polygon{other}, Bound: other.Bound()}
				if OverlapShare(&hole, &o) > sliver {
					return apperr.FieldInvalid(field, "geo.holes_overlap", lonLat(h[0][0]), lonLat(h[0][1]))
				}
			}
		}
	}
	for i := range polys {
		a := Boundary{Geometry: polys[i], Bound: polys[i].Bound()}
		for _, q := range polys[i+1:] {
			o := Boundary{Geometry: q, Bound: q.Bound()}
			if OverlapShare(&a, &o) > sliver {
				return apperr.FieldInvalid(field, "geo.parts_overlap", lonLat(q[0][0][0]), lonLat(q[0][0][1]))
			}
		}
	}
	return nil
}

// sliver is the share of area below which two pieces of one boundary count
// as not overlapping: what rounding leaves when they only touch.
const sliver = 1e-9

// lonLat writes a coordinate for a message, to about a metre.
func lonLat(v float64) string { return strconv.FormatFloat(v, 'f', 5, 64) }

// polygons returns the boundary's polygons.
func (b *Boundary) polygons() []orb.Polygon {
	switch g := b.Geometry.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// distinct returns the ring's points without its closing point and without
// points repeated one after the other.
func distinct(r orb.Ring) []orb.Point {
	out := make([]orb.Point, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// flat reports whether the ring's points all lie on one line.
func flat(r orb.Ring) bool {
	for _, p := range r {
		if p != r[0] {
			for _, q := range r {
				if orient(r[0], p, q) != 0 {
					return false
				}
			}
			return true
		}
	}
	return true
}

// edge is one side of a ring: from a to b, the n-th of ring r's m sides.
type edge struct {
	a, b orb.Point
	r    int
	n, m int
}

func (e edge) minX() float64 { return min(e.a[0], e.b[0]) }
func (e edge) maxX() float64 { return max(e.a[0], e.b[0]) }

// adjacent reports whether e and f follow one another in the same ring.
func (e edge) adjacent(f edge) bool {
	if e.r != f.r {
		return false
	}
	d := e.n - f.n
	return d == 1 || d == -1 || d == e.m-1 || d == 1-e.m
}

// ringEdges returns the sides of the rings, each ring given without its
// closing point.
func ringEdges(rings [][]orb.Point) []edge {
	var out []edge
	for r, pts := range rings {
		for n := range pts {
			out = append(out, edge{pts[n], pts[(n+1)%len(pts)], r, n, len(pts)})
		}
	}
	return out
}

// span is anything with a range of longitude.
type span interface {
	minX() float64
	maxX() float64
}

// sweep calls fn for every pair of edges whose ranges of longitude overlap
// or meet, each pair once, and stops when fn returns false.
func sweep[E span](edges []E, fn func(e, f E) bool) {
	slices.SortStableFunc(edges, func(e, f E) int { return cmp.Compare(e.minX(), f.minX()) })
	var active []E
	for _, e := range edges {
		x := e.minX()
		active = slices.DeleteFunc(active, func(f E) bool { return f.maxX() < x })
		for _, f := range active {
			if !fn(f, e) {
				return
			}
		}
		active = append(active, e)
	}
}

// crossing finds where the rings go wrong: two sides of one ring that meet
// other than at the corner they share, a side that folds back on the one
// before it, or sides of two rings that cross. It returns the point where
// they meet.
func crossing(rings [][]orb.Point) (orb.Point, bool) {
	var at orb.Point
	bad := false
	sweep(ringEdges(rings), func(e, f edge) bool {
		kind, p := meet(e.a, e.b, f.a, f.b)
		switch {
		case kind == apart:
		case e.adjacent(f):
			// Neighbours share a corner; they may not run back along each other.
			bad = kind == along
		case e.r == f.r:
			bad = true
		default:
			// Rings may meet; whether they overlap is a matter of area.
			bad = kind == cross
		}
		if bad {
			at = p
		}
		return !bad
	})
	return at, bad
}

// How two segments meet.
const (
	apart = iota // not at all
	touch        // at one point that is an end of one of them
	cross        // at one point inside both
	along        // along a stretch of both
)

// orient is twice the signed area of the triangle p, q, r: positive when
// they turn anticlockwise.
func orient(p, q, r orb.Point) float64 {
	return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0])
}

// within reports whether r, on the line through p and q, lies between them.
func within(p, q, r orb.Point) bool {
	return min(p[0], q[0]) <= r[0] && r[0] <= max(p[0], q[0]) && min(p[1], q[1]) <= r[1] && r[1] <= max(p[1], q[1])
}

// meet says how segments ab and cd meet, and where.
func meet(a, b, c, d orb.Point) (int, orb.Point) {
	if max(a[1], b[1]) < min(c[1], d[1]) || max(c[1], d[1]) < min(a[1], b[1]) ||
		max(a[0], b[0]) < min(c[0], d[0]) || max(c[0], d[0]) < min(a[0], b[0]) {
		return apart, orb.Point{}
	}
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1 == 0 && o2 == 0 {
		// On one line: they share a stretch, one point, or nothing.
		var on []orb.Point
		for _, p := range []struct {
			p      orb.Point
			s1, s2 orb.Point
		}{{c, a, b}, {d, a, b}, {a, c, d}, {b, c, d}} {
			if within(p.s1, p.s2, p.p) && !slices.Contains(on, p.p) {
				on = append(on, p.p)
			}
		}
		switch len(on) {
		case 0:
			return apart, orb.Point{}
		case 1:
			return touch, on[0]
		}
		return along, on[0]
	}
	if (o1 > 0 && o2 > 0) || (o1 < 0 && o2 < 0) || (o3 > 0 && o4 > 0) || (o3 < 0 && o4 < 0) {
		return apart, orb.Point{}
	}
	switch {
	case o1 == 0:
		return touch, c
	case o2 == 0:
		return touch, d
	case o3 == 0:
		return touch, a
	case o4 == 0:
		return touch, b
	}
	t := o3 / (o3 - o4)
	return cross, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// pointOutside returns a corner of ring r that lies outside c, or the
// ring's first corner if none does.
func pointOutside(r orb.Ring, c *Boundary) orb.Point {
	for _, p := range r {
		if !c.Contains(p[0], p[1]) {
			return p
		}
	}
	return r[0]
}

// Area is the boundary's area in the plane of longitude and latitude
// (square degrees), holes left out.
func (b *Boundary) Area() float64 {
	base := b.Bound.Min
	total := 0.0
	for _, e := range b.weightedEdges(base) {
		total += e.w * (e.a[1] + e.b[1]) / 2 * (e.maxX() - e.minX())
	}
	return max(total, 0)
}

// IntersectionArea is the area (square degrees, as Area) that a and b share.
//
// It adds up, over each pair of sides of a and b, the area below both sides
// and above a common base line, counted up or down by the sides' directions:
// what lies below a side of each boundary's top and above its bottom is what
// both cover. Pairs whose sides share no longitude add nothing.
func IntersectionArea(a, b *Boundary) float64 {
	if !a.Bound.Intersects(b.Bound) {
		return 0
	}
	base := orb.Point{min(a.Bound.Min[0], b.Bound.Min[0]), min(a.Bound.Min[1], b.Bound.Min[1])}
	ea, eb := a.weightedEdges(base), b.weightedEdges(base)
	for i := range ea {
		ea[i].r = 0
	}
	for i := range eb {
		eb[i].r = 1
	}
	total := 0.0
	sweep(append(ea, eb...), func(e, f weighted) bool {
		if e.r != f.r {
			total += e.w * f.w * underBoth(e.edge, f.edge)
		}
		return true
	})
	return max(total, 0)
}

// weighted is a side with its weight: +1 where the boundary's inside lies
// below it, -1 where it lies above.
type weighted struct {
	edge
	w float64
}

// weightedEdges returns the boundary's sides, moved so that base is the
// origin, weighted so that outer rings count as anticlockwise and holes as
// clockwise whatever their winding; sides running north-south are left
// out, as they bound no area from above or below.
func (b *Boundary) weightedEdges(base orb.Point) []weighted {
	var out []weighted
	for _, p := range b.polygons() {
		for i, r := range p {
			sign := 1.0
			if ccw := ringArea(r) > 0; ccw == (i > 0) {
				sign = -1
			}
			for n := 0; n+1 < len(r); n++ {
				a := orb.Point{r[n][0] - base[0], r[n][1] - base[1]}
				c := orb.Point{r[n+1][0] - base[0], r[n+1][1] - base[1]}
				if a[0] == c[0] {
					continue
				}
				w := sign
				if c[0] > a[0] {
					w = -sign
				}
				out = append(out, weighted{edge{a: a, b: c}, w})
			}
		}
	}
	return out
}

// ringArea is the signed area of a ring: positive when anticlockwise.
func ringArea(r orb.Ring) float64 {
	s := 0.0
	o := r[0]
	for n := 1; n+1 < len(r); n++ {
		s += orient(o, r[n], r[n+1])
	}
	return s / 2
}

// underBoth is the area below both e and f and above latitude 0, over the
// longitudes they share.
func underBoth(e, f edge) float64 {
	lo, hi := max(e.minX(), f.minX()), min(e.maxX(), f.maxX())
	if !(hi > lo) {
		return 0
	}
	ye := func(x float64) float64 { return yAt(e, x) }
	yf := func(x float64) float64 { return yAt(f, x) }
	d0, d1 := ye(lo)-yf(lo), ye(hi)-yf(hi)
	m0, m1 := min(ye(lo), yf(lo)), min(ye(hi), yf(hi))
	if d0*d1 >= 0 {
		return (hi - lo) * (m0 + m1) / 2
	}
	xc := lo + (hi-lo)*d0/(d0-d1)
	yc := ye(xc)
	return (xc-lo)*(m0+yc)/2 + (hi-xc)*(yc+m1)/2
}

// yAt is the latitude of edge e at longitude x, inside its range.
func yAt(e edge, x float64) float64 {
	switch x {
	case e.a[0]:
		return e.a[1]
	case e.b[0]:
		return e.b[1]
	}
	return e.a[1] + (e.b[1]-e.a[1])*(x-e.a[0])/(e.b[0]-e.a[0])
}

// ShareOutside is the share (0 to 1) of b's area that lies outside c.
func (b *Boundary) ShareOutside(c *Boundary) float64 {
	area := b.Area()
	if !(area > 0) {
		return 0
	}
	return min(max(1-IntersectionArea(b, c)/area, 0), 1)
}

// OverlapShare is the area a and b share as a share (0 to 1) of the smaller
// of the two.
func OverlapShare(a, b *Boundary) float64 {
	if !a.Bound.Intersects(b.Bound) {
		return 0
	}
	small := min(a.Area(), b.Area())
	if !(small > 0) {
		return 0
	}
	return min(IntersectionArea(a, b)/small, 1)
}
