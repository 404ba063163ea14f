package demo

import (
	"math"

	"grassroots/internal/platform/geo"
)

// box is a rectangle in WGS-84 degrees. Every unit of the demo district is
// a box cut from its parent's box, so children never overlap and a point
// falls in exactly one grid.
type box struct{ minLon, minLat, maxLon, maxLat float64 }

// boundary returns the box as a unit boundary.
func (b box) boundary() *geo.Boundary { return geo.Rect(b.minLon, b.minLat, b.maxLon, b.maxLat) }

// widthKm and heightKm measure the box on the ground, near enough for
// choosing how to cut it.
func (b box) widthKm() float64 {
	midLat := (b.minLat + b.maxLat) / 2
	return (b.maxLon - b.minLon) * 111.32 * math.Cos(midLat*math.Pi/180)
}

func (b box) heightKm() float64 { return (b.maxLat - b.minLat) * 110.57 }

// cuts returns the edges that divide [lo, hi] into parts proportional to
// weights, rounded to a micro-degree so that GeoJSON stays short; the outer
// edges are lo and hi themselves, so the parts tile the whole.
func cuts(lo, hi float64, weights []int) []float64 {
	total := 0
	for _, w := range weights {
		total += w
	}
	edges := make([]float64, len(weights)+1)
	edges[0], edges[len(weights)] = lo, hi
	sum := 0
	for i, w := range weights[:len(weights)-1] {
		sum += w
		edges[i+1] = math.Round((lo+(hi-lo)*float64(sum)/float64(total))*1e6) / 1e6
	}
	return edges
}

// splitLon cuts the box west to east into strips proportional to weights.
func (b box) splitLon(weights []int) []box {
	edges := cuts(b.minLon, b.maxLon, weights)
	out := make([]box, len(weights))
	for i := range out {
		out[i] = box{edges[i], b.minLat, edges[i+1], b.maxLat}
	}
	return out
}

// splitLat cuts the box north to south into bands proportional to weights.
func (b box) splitLat(weights []int) []box {
	edges := cuts(b.maxLat, b.minLat, weights)
	out := make([]box, len(weights))
	for i := range out {
		out[i] = box{b.minLon, edges[i+1], b.maxLon, edges[i]}
	}
	return out
}

// tiles cuts the box into n tiles of equal area, in rows from north to
// south and west to east within a row, as close to square as the box
// allows.
func (b box) tiles(n int) []box {
	rows := int(math.Round(math.Sqrt(float64(n) * b.heightKm() / b.widthKm())))
	rows = min(max(rows, 1), n)
	perRow := make([]int, rows)
	for i := range perRow {
		perRow[i] = n / rows
		if i < n%rows {
			perRow[i]++
		}
	}
	out := make([]box, 0, n)
	for i, band := range b.splitLat(perRow) {
		out = append(out, band.splitLon(ones(perRow[i]))...)
	}
	return out
}

// shrink returns the box scaled by f about its centre.
func (b box) shrink(f float64) box {
	cLon, cLat := (b.minLon+b.maxLon)/2, (b.minLat+b.maxLat)/2
	hw, hh := (b.maxLon-b.minLon)*f/2, (b.maxLat-b.minLat)*f/2
	r := func(x float64) float64 { return math.Round(x*1e6) / 1e6 }
	return box{r(cLon - hw), r(cLat - hh), r(cLon + hw), r(cLat + hh)}
}

// ones returns n equal weights.
func ones(n int) []int {
	w := make([]int, n)
	for i := range w {
		w[i] = 1
	}
	return w
}
