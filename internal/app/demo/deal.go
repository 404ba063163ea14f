package demo

import "fmt"

// apportion deals total over shares in proportion to weights, each share
// at least lo and at most its limit: shares start from their quotas rounded
// down and within bounds, then the largest remainders gain one (or the
// smallest lose one) until the total is met.
func apportion(total int, weights []int, lo int, limits []int) ([]int, error) {
	room, weight := 0, 0
	for i, w := range weights {
		room += limits[i]
		weight += w
	}
	if total < lo*len(weights) || total > room || weight == 0 {
		return nil, fmt.Errorf("%d do not fit %d shares of %d to their limits (%d in all)", total, len(weights), lo, room)
	}
	quota := make([]float64, len(weights))
	shares := make([]int, len(weights))
	dealt := 0
	for i, w := range weights {
		quota[i] = float64(total) * float64(w) / float64(weight)
		shares[i] = min(max(int(quota[i]), lo), limits[i])
		dealt += shares[i]
	}
	for ; dealt < total; dealt++ {
		best := -1
		for i := range shares {
			if shares[i] < limits[i] && (best < 0 || quota[i]-float64(shares[i]) > quota[best]-float64(shares[best])) {
				best = i
			}
		}
		shares[best]++
	}
	for ; dealt > total; dealt-- {
		best := -1
		for i := range shares {
			if shares[i] > lo && (best < 0 || quota[i]-float64(shares[i]) < quota[best]-float64(shares[best])) {
				best = i
			}
		}
		shares[best]--
	}
	return shares, nil
}
