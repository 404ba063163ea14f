package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/i18n"
)

// poly parses GeoJSON polygon coordinates for a test.
func poly(t testing.TB, coords string) *Boundary {
	t.Helper()
	typ := "Polygon"
	if strings.HasPrefix(coords, "[[[[") {
		typ = "MultiPolygon"
	}
	b, err := ParseBoundary("boundary", []byte(`{"type":"`+typ+`","coordinates":`+coords+`}`))
	if err != nil {
		t.Fatalf("parse %s: %v", coords, err)
	}
	return b
}

// TestValidate covers the shapes Validate refuses, with where it says they
// go wrong, and the ones it lets through.
func TestValidate(t *testing.T) {
	bad := []struct {
		name, coords, key, at string
	}{
		{"bow tie", `[[[116,29],[116.2,29.2],[116.2,29],[116,29.2],[116,29]]]`, "geo.self_intersection", "116.10000, 29.10000"},
		{"figure eight through a corner", `[[[0,0],[2,0],[1,1],[2,2],[0,2],[1,1],[0,0]]]`, "geo.self_intersection", "1.00000, 1.00000"},
		{"corner on a far side", `[[[0,0],[4,0],[4,4],[2,0.0],[0,4],[0,0]]]`, "geo.self_intersection", "2.00000, 0.00000"},
		{"spike", `[[[0,0],[2,0],[2,2],[2,3],[2,2],[0,2],[0,0]]]`, "geo.self_intersection", "2.00000, 2.00000"},
		{"side running back along another", `[[[0,0],[4,0],[4,1],[1,1],[1,0],[3,0],[3,-1],[0,-1],[0,0]]]`, "geo.self_intersection", ""},
		{"repeated points but only two", `[[[0,0],[1,0],[1,0],[0,0],[0,0]]]`, "", ""},
		{"hole crossing the outer ring", `[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[3,1],[5,1],[5,2],[3,2],[3,1]]]`, "geo.self_intersection", ""},
		{"hole outside", `[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[5,1],[6,1],[6,2],[5,2],[5,1]]]`, "geo.hole_outside", "5.00000, 1.00000"},
		{"hole around the outer ring", `[[[1,1],[2,1],[2,2],[1,2],[1,1]],[[0,0],[4,0],[4,4],[0,4],[0,0]]]`, "geo.hole_outside", "0.00000, 0.00000"},
		{"holes overlapping", `[[[0,0],[9,0],[9,9],[0,9],[0,0]],[[1,1],[4,1],[4,4],[1,4],[1,1]],[[2,2],[2,3],[3,3],[3,2],[2,2]]]`, "geo.holes_overlap", "1.00000, 1.00000"},
		{"parts overlapping", `[[[[0,0],[4,0],[4,4],[0,4],[0,0]]],[[[3,3],[5,3],[5,5],[3,5],[3,3]]]]`, "geo.self_intersection", ""},
		{"part inside a part", `[[[[0,0],[4,0],[4,4],[0,4],[0,0]]],[[[1,1],[2,1],[2,2],[1,2],[1,1]]]]`, "geo.parts_overlap", "1.00000, 1.00000"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			b, err := ParseBoundary("boundary", []byte(`{"type":"Polygon","coordinates":`+c.coords+`}`))
			if strings.HasPrefix(c.coords, "[[[[") {
				b, err = ParseBoundary("boundary", []byte(`{"type":"MultiPolygon","coordinates":`+c.coords+`}`))
			}
			if err == nil {
				err = b.Validate("boundary")
			}
			if c.key == "" {
				if err == nil {
					t.Fatal("accepted")
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if key := boundaryKey(t, err); key != c.key {
				t.Fatalf("key %s (%v), want %s", key, err, c.key)
			}
			msg := apperr.As(err).Fields["boundary"]
			if en := msg.In(i18n.En); c.at != "" && !strings.Contains(en, strings.Replace(c.at, ", ", ", latitude ", 1)) {
				t.Errorf("message %q does not say %s", en, c.at)
			}
			if zh := msg.In(i18n.Zh); !strings.Contains(zh, "经度") {
				t.Errorf("Chinese message %q does not say where", zh)
			}
		})
	}

	good := []struct{ name, coords string }{
		{"square", `[[[116,39],[116.1,39],[116.1,39.1],[116,39.1],[116,39]]]`},
		{"clockwise", `[[[0,0],[0,1],[1,1],[1,0],[0,0]]]`},
		{"triangle", `[[[0,0],[1,0],[0,1],[0,0]]]`},
		{"repeated points", `[[[0,0],[1,0],[1,0],[1,1],[0,1],[0,0],[0,0]]]`},
		{"concave", `[[[0,0],[4,0],[4,4],[2,1],[0,4],[0,0]]]`},
		{"corner on a straight side", `[[[0,0],[1,0],[2,0],[2,2],[0,2],[0,0]]]`},
		{"hole", withHoleCoords},
		{"hole touching the outer ring at a corner", `[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[0,0],[1,2],[2,1],[0,0]]]`},
		{"two holes touching", `[[[0,0],[9,0],[9,9],[0,9],[0,0]],[[1,1],[4,1],[4,4],[1,4],[1,1]],[[4,4],[5,4],[5,5],[4,5],[4,4]]]`},
		{"parts sharing a side", `[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[1,0],[2,0],[2,1],[1,1],[1,0]]]]`},
		{"part in a part's hole", `[[[[0,0],[9,0],[9,9],[0,9],[0,0]],[[1,1],[1,8],[8,8],[8,1],[1,1]]],[[[2,2],[3,2],[3,3],[2,3],[2,2]]]]`},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			if err := poly(t, c.coords).Validate("boundary"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

const withHoleCoords = `[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]`

// TestIntersectionArea checks areas and shared areas against shapes worked
// out by hand.
func TestIntersectionArea(t *testing.T) {
	near := func(t *testing.T, what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*max(1, math.Abs(want)) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	square := poly(t, `[[[0,0],[4,0],[4,4],[0,4],[0,0]]]`)
	cw := poly(t, `[[[1,1],[1,3],[3,3],[3,1],[1,1]]]`)
	shifted := poly(t, `[[[2,2],[6,2],[6,6],[2,6],[2,2]]]`)
	beside := poly(t, `[[[4,0],[8,0],[8,4],[4,4],[4,0]]]`)
	above := poly(t, `[[[0,4],[4,4],[4,8],[0,8],[0,4]]]`)
	far := poly(t, `[[[10,10],[11,10],[11,11],[10,11],[10,10]]]`)
	triangle := poly(t, `[[[0,0],[4,0],[0,4],[0,0]]]`)
	diamond := poly(t, `[[[2,-1],[5,2],[2,5],[-1,2],[2,-1]]]`)
	holed := poly(t, withHoleCoords)
	inHole := poly(t, `[[[2,2],[4,2],[4,4],[2,4],[2,2]]]`)
	acrossHole := poly(t, `[[[3,3],[6,3],[6,6],[3,6],[3,3]]]`)
	two := poly(t, `[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[3,0],[4,0],[4,1],[3,1],[3,0]]]]`)
	bar := poly(t, `[[[0,0.5],[4,0.5],[4,2],[0,2],[0,0.5]]]`)

	near(t, "area of the square", square.Area(), 16)
	near(t, "area of a clockwise square", cw.Area(), 4)
	near(t, "area with a hole", holed.Area(), 96)
	near(t, "area of two parts", two.Area(), 2)
	near(t, "area of the diamond", diamond.Area(), 18)
	for _, c := range []struct {
		name string
		a, b *Boundary
		want float64
	}{
		{"itself", square, square, 16},
		{"inside, wound the other way", square, cw, 4},
		{"overlapping corner", square, shifted, 4},
		{"sharing a side", square, beside, 0},
		{"sharing the top side", square, above, 0},
		{"far apart", square, far, 0},
		{"triangle in square", square, triangle, 8},
		{"diamond over square", square, diamond, 16 - 4*0.5},
		{"in the hole", holed, inHole, 0},
		{"across the hole", holed, acrossHole, 9 - 1},
		{"two parts and a bar", two, bar, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			near(t, "IntersectionArea(a, b)", IntersectionArea(c.a, c.b), c.want)
			near(t, "IntersectionArea(b, a)", IntersectionArea(c.b, c.a), c.want)
		})
	}
	near(t, "share of the shifted square outside", shifted.ShareOutside(square), 0.75)
	near(t, "share of the far square outside", far.ShareOutside(square), 1)
	near(t, "share of the inner square outside", cw.ShareOutside(square), 0)
	near(t, "overlap of the square and the inner one", OverlapShare(square, cw), 1)
	near(t, "overlap of neighbours", OverlapShare(square, beside), 0)
}

// convexClip is the intersection of two convex polygons (anticlockwise, not
// closed), by clipping one by each side of the other: the plain way, for
// checking IntersectionArea.
func convexClip(subject, clip []orb.Point) []orb.Point {
	out := subject
	for i := range clip {
		a, b := clip[i], clip[(i+1)%len(clip)]
		in := out
		out = nil
		for j := range in {
			p, q := in[j], in[(j+1)%len(in)]
			pin, qin := orient(a, b, p) >= 0, orient(a, b, q) >= 0
			if pin {
				out = append(out, p)
			}
			if pin != qin {
				t := orient(a, b, p) / (orient(a, b, p) - orient(a, b, q))
				out = append(out, orb.Point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])})
			}
		}
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

// triangleOf makes a boundary of three points, or nil if they have no area.
func triangleOf(pts []orb.Point) *Boundary {
	if orient(pts[0], pts[1], pts[2]) < 0 {
		pts[1], pts[2] = pts[2], pts[1]
	}
	if !(orient(pts[0], pts[1], pts[2]) > 1e-6) {
		return nil
	}
	r := orb.Ring{pts[0], pts[1], pts[2], pts[0]}
	p := orb.Polygon{r}
	return &Boundary{Geometry: p, Bound: p.Bound()}
}

// FuzzIntersectionArea checks IntersectionArea on pairs of triangles
// against clipping one by the other, both ways round and wound either way.
func FuzzIntersectionArea(f *testing.F) {
	f.Add(0.0, 0.0, 4.0, 0.0, 0.0, 4.0, 1.0, 1.0, 5.0, 1.0, 1.0, 5.0, false)
	f.Add(116.0, 29.0, 116.1, 29.0, 116.0, 29.1, 116.05, 29.05, 116.2, 29.05, 116.05, 29.2, true)
	f.Add(0.0, 0.0, 4.0, 0.0, 0.0, 4.0, 4.0, 0.0, 0.0, 4.0, 4.0, 4.0, false)
	f.Add(0.0, 0.0, 4.0, 0.0, 2.0, 4.0, 0.0, 4.0, 4.0, 4.0, 2.0, 0.0, true)
	f.Fuzz(func(t *testing.T, ax, ay, bx, by, cx, cy, dx, dy, ex, ey, fx, fy float64, flip bool) {
		for _, v := range []float64{ax, ay, bx, by, cx, cy, dx, dy, ex, ey, fx, fy} {
			if !(math.Abs(v) <= 180) {
				return
			}
		}
		p := []orb.Point{{ax, ay}, {bx, by}, {cx, cy}}
		q := []orb.Point{{dx, dy}, {ex, ey}, {fx, fy}}
		a, b := triangleOf(p), triangleOf(q)
		if a == nil || b == nil {
			return
		}
		want := 0.0
		if clipped := convexClip(p, q); len(clipped) >= 3 {
			want = planar.Area(orb.Polygon{append(orb.Ring(clipped), clipped[0])})
		}
		if flip {
			r := b.Geometry.(orb.Polygon)[0]
			r.Reverse()
		}
		scale := max(a.Area(), b.Area())
		for _, got := range []float64{IntersectionArea(a, b), IntersectionArea(b, a)} {
			if math.Abs(got-want) > 1e-7*scale {
				t.Fatalf("IntersectionArea of %v and %v = %v, clipping gives %v", p, q, got, want)
			}
		}
	})
}

// FuzzValidate checks that Validate never panics, refuses only with an
// invalid error about the field, and that on what it accepts the areas agree
// with orb's, each boundary shares all its area with itself, and a
// rectangle shares no more than either has.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		square, withHole, twoSquare,
		`{"type":"Polygon","coordinates":[[[116,29],[116.2,29.2],[116.2,29],[116,29.2],[116,29]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[2,3],[2,2],[0,2],[0,0]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[3,1],[5,1],[5,2],[3,2],[3,1]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[0,0],[1,2],[2,1],[0,0]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[4,4],[0,4],[0,0]]],[[[1,1],[2,1],[2,2],[1,2],[1,1]]]]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[1,0],[2,0],[2,1],[1,1],[1,0]]]]}`,
	} {
		f.Add([]byte(s))
	}
	probe := Rect(0.5, 0.5, 116.05, 39.05)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBoundary("boundary", data)
		if err != nil {
			return
		}
		if err := b.Validate("boundary"); err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
				t.Fatalf("error %v is not invalid", err)
			}
			if _, ok := ae.Fields["boundary"]; !ok {
				t.Fatalf("error %v does not name the field", err)
			}
			return
		}
		area := b.Area()
		if want := planar.Area(b.Geometry); math.Abs(area-want) > 1e-9*want {
			t.Fatalf("Area of %s = %v, orb says %v", data, area, want)
		}
		if self := IntersectionArea(b, b); math.Abs(self-area) > 1e-9*area {
			t.Fatalf("%s shares %v with itself, its area is %v", data, self, area)
		}
		if got := IntersectionArea(b, probe); got > min(area, probe.Area())*(1+1e-9) {
			t.Fatalf("%s shares %v with %s, more than either has", data, got, probe.GeoJSON())
		}
		again, err := ParseBoundary("boundary", []byte(b.GeoJSON()))
		if err != nil || again.Validate("boundary") != nil {
			t.Fatalf("%s was accepted, but not its GeoJSON %s", data, b.GeoJSON())
		}
	})
}
