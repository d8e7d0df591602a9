package sim

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Incident is a window of event time during which one brand gets a burst of negative posts: an outage, a
// botched release, a viral complaint. The extra posts are complaints (some churn threats and questions)
// about the brand, written on every network in the usual mix, and spread with reposts and replies; each
// carries the incident's ID in its Truth.
type Incident struct {
	ID       string        // names the incident in ground truth; default "incident-<n>" (n from 1)
	Brand    string        // brand name as in Brands(); an incident naming no known brand is ignored
	Product  string        // the product at fault (full name); empty: any of the brand's products
	Start    time.Time     // start of the window
	Duration time.Duration // length of the window (default 3h)
	// Factor multiplies the brand's normal rate of negative posts at the incident's peak (default 5). The
	// burst ramps up over the first tenth of the window and fades towards its end.
	Factor float64
	// Ramp is how long the burst takes to reach its peak (default a tenth of Duration): a short ramp is
	// an outage that hits everyone at once, a long one a complaint that spreads.
	Ramp time.Duration
}

// DefaultIncidents returns two incidents in the first days after start: an Acme Home Hub outage on the
// first evening and Flux Metal card payments declined on the third day.
func DefaultIncidents(start time.Time) []Incident {
	return []Incident{
		{ID: "acme-home-hub-outage", Brand: "Acme", Product: "Acme Home Hub", Start: start.Add(18 * time.Hour),
			Duration: 4 * time.Hour, Factor: 5},
		{ID: "fluxbank-card-declines", Brand: "Fluxbank", Product: "Flux Metal card", Start: start.Add(2*24*time.Hour + 11*time.Hour),
			Duration: 6 * time.Hour, Factor: 5},
	}
}

// negShare is about the share of all posts that are negative about a brand of weight 1: it turns an
// incident's Factor into extra posting rate.
const negShare = 0.25

// incState is an incident in the generator's terms.
type incState struct {
	Incident
	brand, product int     // product -1: any
	from, to       float64 // window in seconds of event time since Start
	ramp           float64 // seconds to the peak
	boost          float64 // extra rate at the peak, relative to the stream's rate
}

// incidents resolves the configured incidents; unknown brands are dropped.
func resolveIncidents(list []Incident, start time.Time) []incState {
	total := 0.0
	for _, w := range brandWeights {
		total += w
	}
	var out []incState
	for i, in := range list {
		b := slices.IndexFunc(brands, func(b Brand) bool { return b.Name == in.Brand })
		if b < 0 {
			continue
		}
		if in.ID == "" {
			in.ID = "incident-" + strconv.Itoa(i+1)
		}
		if in.Duration <= 0 {
			in.Duration = 3 * time.Hour
		}
		if in.Factor <= 0 || math.IsNaN(in.Factor) || math.IsInf(in.Factor, 0) {
			in.Factor = 5
		}
		in.Start = in.Start.UTC()
		p := slices.IndexFunc(brands[b].Products, func(p Product) bool { return p.Name == in.Product })
		if p < 0 {
			in.Product = ""
		}
		from := in.Start.Sub(start).Seconds()
		ramp := in.Ramp.Seconds()
		if ramp <= 0 || ramp > in.Duration.Seconds() {
			ramp = in.Duration.Seconds() / 10
		}
		in.Ramp = time.Duration(ramp * float64(time.Second))
		out = append(out, incState{
			Incident: in, brand: b, product: p, from: from, to: from + in.Duration.Seconds(), ramp: ramp,
			boost: (in.Factor - 1) * brandWeights[b] / total * negShare,
		})
	}
	return out
}

// shape is the incident's intensity at clock, from 0 to 1: a quick ramp, then a slow fade.
func (s *incState) shape(clock float64) float64 {
	if clock < s.from || clock >= s.to {
		return 0
	}
	f := (clock - s.from) / (s.to - s.from)
	return math.Min(1, (clock-s.from)/s.ramp) * (1 - 0.7*f)
}

// Intensity is the incident's strength at t relative to its peak, from 0 to 1, for an effective incident
// (one returned by Generator.Incidents): a linear ramp from its start over Ramp, then a slow fade to 0.3 of
// the peak at its end. The extra negative posts it brings in a stretch of time are proportional to the
// integral of Intensity over it.
func (in Incident) Intensity(t time.Time) float64 {
	s := incState{from: 0, to: in.Duration.Seconds(), ramp: in.Ramp.Seconds()}
	if s.ramp <= 0 {
		s.ramp = s.to / 10
	}
	return s.shape(t.Sub(in.Start).Seconds())
}

// incidentBoost returns the extra relative rate of all incidents at clock.
func (g *Generator) incidentBoost(clock float64) float64 {
	b := 0.0
	for i := range g.incs {
		b += g.incs[i].boost * g.incs[i].shape(clock)
	}
	return b
}

// pickIncident chooses which incident a post at clock belongs to, by their current boosts; total is
// incidentBoost(clock). It returns the index plus one.
func (g *Generator) pickIncident(clock, total float64) int {
	u := g.rng.float() * total
	for i := range g.incs {
		b := g.incs[i].boost * g.incs[i].shape(clock)
		if u < b {
			return i + 1
		}
		u -= b
	}
	return len(g.incs)
}

// Incidents returns the effective incidents (defaults applied, unknown brands dropped).
func (g *Generator) Incidents() []Incident {
	out := make([]Incident, len(g.incs))
	for i := range g.incs {
		out[i] = g.incs[i].Incident
	}
	return out
}

// composeIncident fills a draft for a post of incident g.incs[d.inc-1]: a person complaining about it.
func (g *Generator) composeIncident(d *draft) {
	s := &g.incs[d.inc-1]
	d.pe, d.author = g.personAccount(d.ni)
	d.brand = s.brand
	d.product = s.product
	if d.product < 0 {
		d.product = g.pickProduct(d.brand)
	}
	switch u := g.rng.float(); {
	case u < 0.75:
		d.in = iComplaint
	case u < 0.9:
		d.in = iChurn
	default:
		d.in = iQuestion
	}
	d.lang = d.pe.postLang(g.rng.float())
	d.vir = g.rng.lognormal(1.2, 1.2) // angry posts travel
	c := g.ctx(d)
	sent := int8(-1)
	if d.in == iQuestion {
		sent = 2
	}
	g.write(d, g.pickTmpl(&compiledText, d.lang, d.in, d.brand, sent), c)
	switch d.ni {
	case nX:
		if g.rng.chance(0.5) {
			g.trailingTags(d, " ")
		}
	case nMastodon:
		if g.rng.chance(0.4) {
			g.trailingTags(d, "\n\n")
		}
	case nReddit:
		g.composeSubmission(d, c)
	case nReview:
		d.rating = g.stars(-1)
		d.sub = reviewSites[brands[d.brand].Category][0].name
	case nFacebook, nInstagram:
		d.anon = g.rng.chance(0.2)
	}
	g.style(d)
}
