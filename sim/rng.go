package sim

import (
	"math"
	"math/rand/v2"
)

// mix64 is the splitmix64 finaliser: a fast, well-distributed 64-bit hash used to derive per-entity
// attributes (authors, subreddits, ids) from the seed without keeping them in memory.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashStream is a small deterministic generator seeded from a hash; it gives an entity its own sequence of
// draws so the entity looks the same whenever and however often it is rebuilt.
type hashStream struct{ s uint64 }

func newHashStream(parts ...uint64) hashStream {
	h := uint64(0x2545f4914f6cdd1d)
	for _, p := range parts {
		h = mix64(h ^ p)
	}
	return hashStream{s: h}
}

func (h *hashStream) u64() uint64 {
	h.s += 0x9e3779b97f4a7c15
	return mix64(h.s)
}

// float returns a uniform value in [0, 1).
func (h *hashStream) float() float64 { return float64(h.u64()>>11) / (1 << 53) }

// intn returns a uniform value in [0, n); n must be > 0.
func (h *hashStream) intn(n int) int { return int(h.u64() % uint64(n)) }

func (h *hashStream) chance(p float64) bool { return h.float() < p }

// normal returns a standard normal deviate (Box-Muller).
func (h *hashStream) normal() float64 {
	u1 := h.float()
	if u1 < 1e-300 {
		u1 = 1e-300
	}
	u2 := h.float()
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// lognormal returns exp(mu + sigma*N(0,1)).
func (h *hashStream) lognormal(mu, sigma float64) float64 { return math.Exp(mu + sigma*h.normal()) }

// pick returns a uniformly chosen element of s.
func pickH[T any](h *hashStream, s []T) T { return s[h.intn(len(s))] }

// rng wraps the generator's main random source with the distributions the stream needs.
type rng struct{ r *rand.Rand }

func newRNG(seed int64) rng {
	s := uint64(seed)
	return rng{r: rand.New(rand.NewPCG(mix64(s), mix64(s^0x5851f42d4c957f2d)))}
}

func (g rng) float() float64        { return g.r.Float64() }
func (g rng) intn(n int) int        { return g.r.IntN(n) }
func (g rng) chance(p float64) bool { return g.r.Float64() < p }
func (g rng) u64() uint64           { return g.r.Uint64() }

// between returns a uniform int in [lo, hi].
func (g rng) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g rng) lognormal(mu, sigma float64) float64 { return math.Exp(mu + sigma*g.r.NormFloat64()) }

// geometric returns a count >= 0 with the given mean.
func (g rng) geometric(mean float64) int {
	if mean <= 0 {
		return 0
	}
	p := 1 / (mean + 1)
	u := g.r.Float64()
	if u < 1e-300 {
		u = 1e-300
	}
	return int(math.Log(u) / math.Log(1-p))
}

func pick[T any](g rng, s []T) T { return s[g.r.IntN(len(s))] }

// weighted picks an index of w with probability proportional to its weight.
func (g rng) weighted(w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := g.r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

func (g rng) exp() float64 { return g.r.ExpFloat64() }
