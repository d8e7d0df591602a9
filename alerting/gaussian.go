package alerting

import "math"

// RollingGaussian is the baseline detector NAB calls "windowedGaussian" (github.com/numenta/NAB,
// nab/detectors/gaussian/windowedGaussian_detector.py): the mean and standard deviation of the last
// Size values, and for each new value the Gaussian tail probability Q(|z|) of lying that far from the
// mean, computed before the value joins the window. A value is flagged when that probability is at
// most P. It knows no seasonality and no persistence: every flagged row is a detection.
type RollingGaussian struct {
	// Size is the window length in values (NAB uses 1000); P the tail probability at or under which a
	// value is flagged.
	Size int
	P    float64

	ring       []float64
	next, n    int
	sum, sumSq float64
}

// NewRollingGaussian returns a detector over the last size values flagging tail probabilities ≤ p.
func NewRollingGaussian(size int, p float64) *RollingGaussian {
	return &RollingGaussian{Size: size, P: p, ring: make([]float64, size)}
}

// Observe returns the tail probability of x under the window's Gaussian (1 while the window is empty)
// and whether it is flagged, then slides x into the window.
func (g *RollingGaussian) Observe(x float64) (tail float64, flagged bool) {
	tail = 1
	if g.n > 0 {
		mean := g.sum / float64(g.n)
		std := math.Sqrt(math.Max(0, g.sumSq/float64(g.n)-mean*mean))
		if std == 0 {
			std = 1e-6 // as NAB does for a flat window
		}
		tail = 0.5 * math.Erfc(math.Abs(x-mean)/std/math.Sqrt2)
	}
	if g.n == g.Size {
		old := g.ring[g.next]
		g.sum -= old
		g.sumSq -= old * old
	} else {
		g.n++
	}
	g.ring[g.next] = x
	g.next = (g.next + 1) % g.Size
	g.sum += x
	g.sumSq += x * x
	return tail, tail <= g.P
}
