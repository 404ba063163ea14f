package geo

import (
	"errors"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"grassroots/internal/platform/apperr"
)

const (
	square    = `{"type":"Polygon","coordinates":[[[116,39],[116.1,39],[116.1,39.1],[116,39.1],[116,39]]]}`
	withHole  = `{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[2,2],[2,4],[4,4],[4,2],[2,2]]]}`
	twoSquare = `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}`
	feature   = `{"type":"Feature","properties":{"name":"第一网格"},"geometry":` + square + `}`
)

// boundaryKey returns the message key ParseBoundary gave the field, checking
// that the error is an Invalid *apperr.Error about that field.
func boundaryKey(t *testing.T, err error) string {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Code != apperr.Invalid {
		t.Fatalf("error %v (%T) is not an invalid *apperr.Error", err, err)
	}
	m, ok := ae.Fields["boundary"]
	if !ok {
		t.Fatalf("error %v does not name the field", err)
	}
	return m.Key
}

// FuzzParseBoundary checks that ParseBoundary never panics, that it rejects
// input only with an invalid error about the field, that every polygon it
// accepts has area left once its holes are cut out, and that what it accepts
// it writes out as GeoJSON that it accepts again, with the same bound and the
// same text.
func FuzzParseBoundary(f *testing.F) {
	for _, s := range []string{
		square, withHole, twoSquare, feature,
		`{"type":"Feature","geometry":` + twoSquare + `}`,
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`,                 // open
		`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`,                       // short
		`{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,1],[0,0]]]}`,         // off the globe
		`{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}`,                 // no area
		`{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,1,5],[0,0,5]]]}`, // with altitude
		`{"type":"Polygon","coordinates":[[[0],[1,0],[1,1],[0,1],[0]]]}`,               // short points
		`{"type":"MultiPolygon","coordinates":[]}`,                                     // empty
		`{"type":"MultiPolygon","coordinates":[[]]}`,                                   // empty polygon
		`{"type":"Point","coordinates":[1,2]}`,                                         // not a polygon
		`{"type":"GeometryCollection","geometries":[` + square + `]}`,                  // not a polygon
		`{"type":"Feature","geometry":null}`,                                           // no geometry
		`{"type":"Feature","geometry":{"type":"Feature","geometry":` + square + `}}`,   // nested feature
		`{"type":"Polygon","coordinates":[[[1e400,0],[1,0],[1,1],[0,1],[1e400,0]]]}`,   // out of range
		`{"type":"Polygon","coordinates":"x"}`, `{"type":"Polygon"}`, `{"type":1}`,
		``, `null`, `[]`, `"Polygon"`, `{`, `not json`, " \n\t" + square + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBoundary("boundary", data)
		if err != nil {
			boundaryKey(t, err)
			if b != nil {
				t.Fatalf("error %v with a boundary", err)
			}
			return
		}
		switch b.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			t.Fatalf("accepted a %T", b.Geometry)
		}
		if !ValidLonLat(b.Bound.Min[0], b.Bound.Min[1]) || !ValidLonLat(b.Bound.Max[0], b.Bound.Max[1]) {
			t.Fatalf("bound %v lies off the globe", b.Bound)
		}
		polys, _ := b.Geometry.(orb.MultiPolygon)
		if p, ok := b.Geometry.(orb.Polygon); ok {
			polys = orb.MultiPolygon{p}
		}
		for _, p := range polys {
			if area := planar.Area(p); !(area > 0) {
				t.Fatalf("accepted %s, a polygon with area %v left inside its outer ring", data, area)
			}
		}
		text := b.GeoJSON()
		again, err := ParseBoundary("boundary", []byte(text))
		if err != nil {
			t.Fatalf("%s was accepted, but its GeoJSON %s is not: %v", data, text, err)
		}
		if again.Bound != b.Bound {
			t.Fatalf("bound %v became %v through %s", b.Bound, again.Bound, text)
		}
		if again.GeoJSON() != text {
			t.Fatalf("GeoJSON %s became %s", text, again.GeoJSON())
		}
	})
}

// TestParseBoundary covers the plain cases of ParseBoundary and Contains.
func TestParseBoundary(t *testing.T) {
	bad := []struct {
		name, in, key string
	}{
		{"open ring", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "geo.ring_open"},
		{"three points", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "geo.ring_short"},
		{"short hole", `{"type":"Polygon","coordinates":[[[0,0],[9,0],[9,9],[0,9],[0,0]],[[1,1],[2,1],[1,1]]]}`, "geo.ring_short"},
		{"longitude 200", `{"type":"Polygon","coordinates":[[[0,0],[200,0],[1,1],[0,1],[0,0]]]}`, "geo.bad_coordinate"},
		{"latitude -91", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,-91],[0,1],[0,0]]]}`, "geo.bad_coordinate"},
		{"no area", `{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]]]}`, "geo.empty"},
		{"no area but a hole", `{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,2],[0,0]],[[0,0],[1,0],[1,1],[0,1],[0,0]]]}`, "geo.empty"},
		{"position without latitude", `{"type":"Polygon","coordinates":[[[116,39],[116.1],[116.1,39.1],[116,39.1],[116,39]]]}`, "geo.bad_coordinate"},
		{"null position", `{"type":"Polygon","coordinates":[[[116,39],null,[116.1,39.1],[116,39.1],[116,39]]]}`, "geo.bad_coordinate"},
		{"empty polygon", `{"type":"Polygon","coordinates":[]}`, "geo.empty"},
		{"empty multipolygon", `{"type":"MultiPolygon","coordinates":[]}`, "geo.empty"},
		{"point", `{"type":"Point","coordinates":[116.4,39.9]}`, "geo.not_polygon"},
		{"line", `{"type":"LineString","coordinates":[[0,0],[1,1]]}`, "geo.not_polygon"},
		{"empty", ``, "geo.not_json"},
		{"blank", " \n ", "geo.not_json"},
		{"not JSON", `POLYGON((0 0, 1 0, 1 1, 0 0))`, "geo.not_json"},
		{"array", `[[0,0],[1,1]]`, "geo.not_json"},
		{"unknown type", `{"type":"Square","coordinates":[0,0,1,1]}`, "geo.not_geojson"},
		{"feature without geometry", `{"type":"Feature","properties":{}}`, "geo.not_geojson"},
		{"too large", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]],"pad":"` + strings.Repeat("x", MaxBoundaryBytes) + `"}`, "geo.too_large"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			b, err := ParseBoundary("boundary", []byte(c.in))
			if err == nil {
				t.Fatalf("accepted: %s", b.GeoJSON())
			}
			if key := boundaryKey(t, err); key != c.key {
				t.Errorf("key %s, want %s", key, c.key)
			}
		})
	}

	t.Run("feature", func(t *testing.T) {
		b, err := ParseBoundary("boundary", []byte(feature))
		if err != nil {
			t.Fatal(err)
		}
		if b.GeoJSON() != square {
			t.Errorf("GeoJSON %s, want the bare geometry %s", b.GeoJSON(), square)
		}
		if want := (orb.Bound{Min: orb.Point{116.0, 39.0}, Max: orb.Point{116.1, 39.1}}); b.Bound != want {
			t.Errorf("bound %v, want %v", b.Bound, want)
		}
	})

	t.Run("multipolygon", func(t *testing.T) {
		b, err := ParseBoundary("boundary", []byte(twoSquare))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := b.Geometry.(orb.MultiPolygon); !ok {
			t.Fatalf("geometry is %T", b.Geometry)
		}
		for _, p := range []struct {
			lon, lat float64
			in       bool
		}{{0.5, 0.5, true}, {5.5, 5.5, true}, {3, 3, false}} {
			if got := b.Contains(p.lon, p.lat); got != p.in {
				t.Errorf("Contains(%v, %v) = %v", p.lon, p.lat, got)
			}
		}
	})

	t.Run("contains", func(t *testing.T) {
		b, err := ParseBoundary("boundary", []byte(withHole))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name     string
			lon, lat float64
			in       bool
		}{
			{"inside", 5, 5, true},
			{"corner", 0, 0, true},
			{"edge", 10, 5, true},
			{"in the hole", 3, 3, false},
			{"outside, inside the bound's row", 11, 5, false},
			{"outside", -1, -1, false},
		} {
			if got := b.Contains(p.lon, p.lat); got != p.in {
				t.Errorf("%s: Contains(%v, %v) = %v", p.name, p.lon, p.lat, got)
			}
		}
	})
}
