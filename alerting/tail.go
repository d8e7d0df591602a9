package alerting

import "math"

// tailBins is the size of tailQuantile's histogram: bins of 1/8 octave of 1+z cover z up to about 1000.
const tailBins = 80

// tailQuantile tracks a high quantile of a series' own robust z, exponentially decayed, in a fixed
// log-spaced histogram. Social volume is heavy-tailed and brands differ in how bursty they are: a
// robust z measures a bucket against the calm body of the series, and a bursty brand reaches z = 20
// every day. Holding a hot bucket to the series' own upper quantile as well keeps the alert rate of
// every series bounded, whatever its tails. State: one fixed array; no allocation.
type tailQuantile struct {
	bins  [tailBins]float64
	w     float64 // weight of the next observation; grows instead of decaying every bin
	grow  float64
	total float64
}

func newTailQuantile(alpha float64) tailQuantile {
	return tailQuantile{w: 1, grow: 1 / (1 - alpha)}
}

func tailBin(z float64) int {
	if !(z > 0) {
		return 0
	}
	b := int(math.Log2(1+z) * 8)
	return min(b, tailBins-1)
}

// edge is the lower edge of bin b in z.
func tailEdge(b int) float64 { return math.Exp2(float64(b)/8) - 1 }

func (q *tailQuantile) add(z float64) {
	q.bins[tailBin(z)] += q.w
	q.total += q.w
	q.w *= q.grow
	if q.w > 1e100 { // rescale long before float64 overflows
		for i := range q.bins {
			q.bins[i] /= q.w
		}
		q.total /= q.w
		q.w = 1
	}
}

// quantile returns the lower edge of the bin holding the p-quantile, or 0 with no data.
func (q *tailQuantile) quantile(p float64) float64 {
	b := q.bin(p)
	if b < 0 {
		return 0
	}
	return tailEdge(b)
}

// above returns the upper edge of the bin holding the p-quantile, or 0 with no data: a score at or
// over it is above the quantile for certain, not merely in its bin.
func (q *tailQuantile) above(p float64) float64 {
	b := q.bin(p)
	if b < 0 {
		return 0
	}
	return tailEdge(b + 1)
}

// bin returns the bin holding the p-quantile, or -1 with no data.
func (q *tailQuantile) bin(p float64) int {
	if q.total == 0 {
		return -1
	}
	above := (1 - p) * q.total
	acc := 0.0
	for b := tailBins - 1; b > 0; b-- {
		acc += q.bins[b]
		if acc > above {
			return b
		}
	}
	return 0
}
