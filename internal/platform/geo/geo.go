// Package geo reads and checks the boundaries of units (GeoJSON polygons in
// WGS-84), finds which boundary holds a point, measures how much area two
// boundaries share, and measures distances.
package geo

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"grassroots/internal/platform/apperr"
)

// MaxBoundaryBytes bounds the size of one boundary's GeoJSON.
const MaxBoundaryBytes = 1 << 20

// MaxVertices bounds the number of points in one boundary.
const MaxVertices = 20000

// Boundary is a checked unit boundary: a polygon or multipolygon.
type Boundary struct {
	Geometry orb.Geometry // orb.Polygon or orb.MultiPolygon
	Bound    orb.Bound
}

// ParseBoundary reads a GeoJSON Polygon or MultiPolygon (bare, or as the
// geometry of a Feature) and checks it: WGS-84 coordinates, closed rings of
// at least four points, a bounded size. field names the input for errors.
func ParseBoundary(field string, data []byte) (*Boundary, error) {
	data = bytes.TrimSpace(data)
	if len(data) > MaxBoundaryBytes {
		return nil, apperr.FieldInvalid(field, "geo.too_large", MaxBoundaryBytes/1024)
	}
	var probe struct {
		Type     string          `json:"type"`
		Geometry json.RawMessage `json:"geometry"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, apperr.FieldInvalid(field, "geo.not_json")
	}
	if probe.Type == "Feature" {
		data = probe.Geometry
	}
	g, err := geojson.UnmarshalGeometry(data)
	if err != nil || g == nil || g.Coordinates == nil {
		return nil, apperr.FieldInvalid(field, "geo.not_geojson")
	}
	if !completePositions(data, g.Type) {
		return nil, apperr.FieldInvalid(field, "geo.bad_coordinate")
	}
	var polys []orb.Polygon
	switch v := g.Coordinates.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{v}
	case orb.MultiPolygon:
		polys = v
	default:
		return nil, apperr.FieldInvalid(field, "geo.not_polygon", g.Type)
	}
	if len(polys) == 0 {
		return nil, apperr.FieldInvalid(field, "geo.empty")
	}
	vertices := 0
	for _, p := range polys {
		if len(p) == 0 {
			return nil, apperr.FieldInvalid(field, "geo.empty")
		}
		for _, ring := range p {
			if len(ring) < 4 {
				return nil, apperr.FieldInvalid(field, "geo.ring_short")
			}
			if !ring.Closed() {
				return nil, apperr.FieldInvalid(field, "geo.ring_open")
			}
			for _, pt := range ring {
				if !ValidLonLat(pt[0], pt[1]) {
					return nil, apperr.FieldInvalid(field, "geo.bad_coordinate")
				}
			}
			vertices += len(ring)
		}
		if !(planar.Area(p) > 0) {
			// A ring that crosses itself can cancel out its own area: say so.
			if !flat(p[0]) {
				if err := (&Boundary{Geometry: p, Bound: p.Bound()}).Validate(field); err != nil {
					return nil, err
				}
			}
			return nil, apperr.FieldInvalid(field, "geo.empty")
		}
	}
	if vertices > MaxVertices {
		return nil, apperr.FieldInvalid(field, "geo.too_many_points", MaxVertices)
	}
	var geom orb.Geometry = polys[0]
	if g.Type == "MultiPolygon" {
		geom = orb.MultiPolygon(polys)
	}
	return &Boundary{Geometry: geom, Bound: geom.Bound()}, nil
}

// completePositions reports whether every position of a Polygon or
// MultiPolygon has two numbers: the GeoJSON decoder reads a short or null
// position as zeros, which would put it on the equator.
func completePositions(data []byte, typ string) bool {
	var positions [][]*float64
	switch typ {
	case "Polygon":
		var c struct{ Coordinates [][][]*float64 }
		if json.Unmarshal(data, &c) != nil {
			return false
		}
		for _, ring := range c.Coordinates {
			positions = append(positions, ring...)
		}
	case "MultiPolygon":
		var c struct{ Coordinates [][][][]*float64 }
		if json.Unmarshal(data, &c) != nil {
			return false
		}
		for _, poly := range c.Coordinates {
			for _, ring := range poly {
				positions = append(positions, ring...)
			}
		}
	default:
		return true
	}
	for _, pos := range positions {
		if len(pos) < 2 || pos[0] == nil || pos[1] == nil {
			return false
		}
	}
	return true
}

// ValidLonLat reports whether lon and lat are finite WGS-84 degrees.
func ValidLonLat(lon, lat float64) bool {
	return !math.IsNaN(lon) && !math.IsNaN(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// GeoJSON returns the boundary as GeoJSON geometry text.
func (b *Boundary) GeoJSON() string {
	out, _ := json.Marshal(geojson.NewGeometry(b.Geometry))
	return string(out)
}

// Contains reports whether the point lies in the boundary (edges count as in).
func (b *Boundary) Contains(lon, lat float64) bool {
	pt := orb.Point{lon, lat}
	if !b.Bound.Contains(pt) {
		return false
	}
	switch g := b.Geometry.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, pt)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, pt)
	}
	return false
}

// Centroid returns the boundary's centroid (lon, lat).
func (b *Boundary) Centroid() (float64, float64) {
	c, _ := planar.CentroidArea(b.Geometry)
	return c[0], c[1]
}

// DistanceMeters is the great-circle distance between two WGS-84 points.
func DistanceMeters(lon1, lat1, lon2, lat2 float64) float64 {
	return geo.Distance(orb.Point{lon1, lat1}, orb.Point{lon2, lat2})
}

// Rect returns a rectangle boundary, for generated data and tests.
func Rect(minLon, minLat, maxLon, maxLat float64) *Boundary {
	p := orb.Polygon{orb.Ring{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}
	return &Boundary{Geometry: p, Bound: p.Bound()}
}
