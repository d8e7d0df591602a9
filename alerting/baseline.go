package alerting

import (
	"math"
	"time"
)

// madToSigma turns a mean absolute deviation into a standard deviation for normal noise
// (E|X-μ| = σ·√(2/π), so σ = 1.2533·E|X-μ|).
const madToSigma = 1.2533141373155

// stat is one robust running estimate: a location and a mean absolute deviation, both updated with
// winsorized residuals and exponential decay. n counts updates (saturating), so the first updates can
// use a plain running mean instead of a decayed one that would remember its zero start.
type stat struct {
	loc, dev float64
	n        uint32
}

// Tiers of a baseline, most specific first.
const (
	tierWeek = iota
	tierDay
	tierGlobal
)

func (s *stat) sigma(floor float64) float64 {
	return math.Max(madToSigma*s.dev, floor)
}

// update moves s towards x by at most clip robust standard deviations.
func (s *stat) update(x, alpha, clipZ, floor float64) {
	if s.n == 0 {
		s.loc, s.dev, s.n = x, 0, 1
		return
	}
	a := alpha
	if r := 1 / float64(s.n+1); r > a {
		a = r
	}
	lim := clipZ * s.sigma(floor)
	r := math.Max(-lim, math.Min(lim, x-s.loc))
	s.loc += a * r
	s.dev += a * (math.Abs(r) - s.dev)
	if s.n < math.MaxUint32 {
		s.n++
	}
}

// noiseFloor is the smallest standard deviation believed for a value around base: counts are at
// least as noisy as Poisson counts (σ = √λ), shares at least as noisy as a binomial proportion.
type noiseFloor func(base, total float64) float64

func countFloor(base, _ float64) float64 { return math.Sqrt(math.Max(base, 1)) }

func shareFloor(base, total float64) float64 {
	p := math.Max(0.001, math.Min(0.999, base))
	return math.Sqrt(p * (1 - p) / math.Max(total, 1))
}

// baseline is a seasonal robust baseline with a short-term level. Its state is fixed at construction:
// one stat per slot of the week and of the day plus a global one, and the level.
type baseline struct {
	week, day []stat
	global    stat
	// level[tier] is the short-term offset of the series from that tier's location; one per tier so
	// that moving to a more specific tier as it warms up does not carry a foreign offset along.
	level [3]float64

	alphaWeek, alphaDay, alphaGlobal, beta float64
	// A week (day) slot is trusted once it has seen a full week (day) of its buckets.
	minWeek, minDay uint32
	clipZ           float64
	floor           noiseFloor
}

func newBaseline(c Config, floor noiseFloor) *baseline {
	perSlot := float64(c.SlotWidth) / float64(c.Bucket) // observations per slot per period
	decay := func(halfLifeObs float64) float64 {
		return 1 - math.Exp2(-1/math.Max(halfLifeObs, 1))
	}
	hl := float64(c.SeasonHalfLife)
	b := &baseline{
		alphaWeek:   decay(hl / float64(7*24*time.Hour) * perSlot),
		alphaDay:    decay(hl / float64(24*time.Hour) * perSlot),
		alphaGlobal: decay(hl / float64(c.Bucket)),
		beta:        decay(float64(c.LevelHalfLife) / float64(c.Bucket)),
		minWeek:     uint32(math.Max(1, math.Floor(perSlot))),
		minDay:      uint32(math.Max(1, math.Floor(perSlot))),
		clipZ:       c.ClipZ,
		floor:       floor,
	}
	slotsPerDay := int(24 * time.Hour / c.SlotWidth)
	switch c.Seasonality {
	case SeasonWeek:
		b.week = make([]stat, 7*slotsPerDay)
		b.day = make([]stat, slotsPerDay)
	case SeasonDay:
		b.day = make([]stat, slotsPerDay)
	}
	return b
}

// slotPos is where a bucket falls among the seasonal slots: its week and day slots and how far into its
// slot the bucket's middle lies, from 0 to 1.
type slotPos struct {
	week, day int
	frac      float64
}

// tier returns the most specific stat that has seen enough data, and which tier it is.
func (b *baseline) tier(p slotPos) (*stat, int) {
	if b.week != nil && b.week[p.week].n >= b.minWeek {
		return &b.week[p.week], tierWeek
	}
	if b.day != nil && b.day[p.day].n >= b.minDay {
		return &b.day[p.day], tierDay
	}
	return &b.global, tierGlobal
}

// at returns tier k's location and mean absolute deviation at p. A slot learns the mean over its width,
// which a smooth daily curve takes near the slot's middle; holding that value over the whole slot
// would leave residuals of one sign through each half of every slot wherever the curve climbs or falls
// (the morning rise, the evening fall), and sums of buckets would add them up. So between the middles of
// two neighbouring slots that have both seen enough data the values are interpolated linearly.
func (b *baseline) at(s *stat, k int, p slotPos) (loc, dev float64) {
	var slots []stat
	var i int
	var min uint32
	switch k {
	case tierWeek:
		slots, i, min = b.week, p.week, b.minWeek
	case tierDay:
		slots, i, min = b.day, p.day, b.minDay
	default:
		return s.loc, s.dev
	}
	j, w := (i+1)%len(slots), p.frac-0.5
	if p.frac < 0.5 {
		j, w = (i+len(slots)-1)%len(slots), 0.5-p.frac
	}
	o := &slots[j]
	if o.n < min || j == i {
		return s.loc, s.dev
	}
	return (1-w)*s.loc + w*o.loc, (1-w)*s.dev + w*o.dev
}

// expect returns the baseline and the robust standard deviation at p.
func (b *baseline) expect(p slotPos, total float64) (base, sigma float64) {
	s, k := b.tier(p)
	loc, dev := b.at(s, k, p)
	base = math.Max(0, loc+b.level[k])
	return base, math.Max(madToSigma*dev, b.floor(base, total))
}

// learn adds x to every tier and to the levels; a tier's level follows x minus that tier's
// (interpolated) location, winsorized like the rest, while the tier's slot is warm.
func (b *baseline) learn(x float64, p slotPos, total float64) {
	lvl := func(s *stat, k int, min uint32) {
		if s.n < min {
			return
		}
		loc, dev := b.at(s, k, p)
		base := math.Max(0, loc+b.level[k])
		lim := b.clipZ * math.Max(madToSigma*dev, b.floor(base, total))
		d := x - loc - b.level[k]
		b.level[k] += b.beta * math.Max(-lim, math.Min(lim, d))
	}
	if b.week != nil {
		lvl(&b.week[p.week], tierWeek, b.minWeek)
	}
	if b.day != nil {
		lvl(&b.day[p.day], tierDay, b.minDay)
	}
	lvl(&b.global, tierGlobal, 1)
	if b.week != nil {
		w := &b.week[p.week]
		w.update(x, b.alphaWeek, b.clipZ, b.floor(w.loc, total))
	}
	if b.day != nil {
		d := &b.day[p.day]
		d.update(x, b.alphaDay, b.clipZ, b.floor(d.loc, total))
	}
	b.global.update(x, b.alphaGlobal, b.clipZ, b.floor(b.global.loc, total))
}
