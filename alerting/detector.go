package alerting

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"time"
)

// State is where a Detector stands after a bucket.
type State uint8

const (
	// StateOK: no hot bucket in the persistence window.
	StateOK State = iota
	// StatePending: hot buckets seen, not (yet) enough to fire, or held back by the cooldown.
	StatePending
	// StateFiring: an alert is open.
	StateFiring
)

func (s State) String() string {
	switch s {
	case StateOK:
		return "ok"
	case StatePending:
		return "pending"
	case StateFiring:
		return "firing"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Severity grades an alert by how far it stands above the baseline.
type Severity uint8

const (
	// SeverityNone is the zero Severity: no alert.
	SeverityNone Severity = iota
	// SeverityWarning: the peak robust z reached WarnZ.
	SeverityWarning
	// SeverityCritical: the peak robust z reached CritZ.
	SeverityCritical
)

func (s Severity) String() string {
	switch s {
	case SeverityNone:
		return "none"
	case SeverityWarning:
		return "warning"
	case SeverityCritical:
		return "critical"
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// Event is what changed at a bucket.
type Event uint8

const (
	// EventNone: nothing to report.
	EventNone Event = iota
	// EventFired: a new alert opened; Step.Alert describes it.
	EventFired
	// EventEscalated: the open alert became critical.
	EventEscalated
	// EventResolved: the open alert closed; Step.Alert has ResolvedAt set.
	EventResolved
)

func (e Event) String() string {
	switch e {
	case EventNone:
		return "none"
	case EventFired:
		return "fired"
	case EventEscalated:
		return "escalated"
	case EventResolved:
		return "resolved"
	}
	return fmt.Sprintf("Event(%d)", uint8(e))
}

// Alert is one detected spike.
type Alert struct {
	// Start is the first hot bucket of the run that fired.
	Start time.Time
	// FiredAt is the bucket at which persistence (or the immediate tier) was reached.
	FiredAt time.Time
	// ResolvedAt is the bucket that resolved the alert; zero while it is open.
	ResolvedAt time.Time
	Severity   Severity
	// Score is the robust z of the bucket that fired; Peak the highest robust z seen so far.
	Score, Peak float64
	// Value and Baseline are the bucket's value and what the baseline expected when it fired.
	Value, Baseline float64
	// Immediate says the alert fired on the immediate tier (ImmediateZ), before persistence.
	Immediate bool
	// Sequential says the alert fired on the sequential tier (the CUSUM reached its threshold) before
	// either of the others.
	Sequential bool
}

// Tier names the tier that fired the alert: immediate, sustained or sequential.
func (a Alert) Tier() string {
	switch {
	case a.Immediate:
		return "immediate"
	case a.Sequential:
		return "sequential"
	}
	return "sustained"
}

// Step is the Detector's verdict on one bucket.
type Step struct {
	Time     time.Time
	Value    float64
	Baseline float64
	// Score is the robust z: (Value - Baseline) / robust standard deviation, the largest over the
	// bucket and the sums of the last buckets (MaxScale). EarlyScore is the same over the bucket and
	// the sums of the last 2 and 4 buckets only: the immediate tier's score.
	Score, EarlyScore float64
	// Share, ShareBaseline and ShareScore are set by ObserveShare when the total was at least
	// MinShareTotal; otherwise they are NaN.
	Share, ShareBaseline, ShareScore float64
	// Cusum is the sequential tier's statistic after the bucket, in log-likelihood-ratio units (it fires
	// at CusumThreshold); 0 while it is off, warming up, firing or cooling down.
	Cusum float64
	// Hot says the bucket counted towards persistence.
	Hot   bool
	State State
	Event Event
	// Alert is the open (or just resolved) alert when State is StateFiring or Event is not EventNone.
	Alert Alert
}

// ErrOutOfOrder is returned for a bucket older than the previous one.
var ErrOutOfOrder = errors.New("bucket older than the previous one")

// Detector is a streaming spike detector over one series. It is not safe for concurrent use; run one
// per series. Its memory is fixed at construction (a few kilobytes with hour-of-week slots) and
// Observe does not allocate.
type Detector struct {
	cfg       Config
	count     *baseline
	share     *baseline // share mode only, built on first ObserveShare
	tail      tailQuantile
	earlyTail tailQuantile // of the immediate tier's score
	cusumTail tailQuantile // of the sequential tier's statistic
	slotSec   int64
	perDay    int
	winMask   uint64
	first     time.Time
	last      time.Time
	started   bool
	hot       uint64 // bit i: bucket i steps ago was hot
	state     State
	runStart  time.Time // first hot bucket since the window was last empty
	runPeak   float64
	calm      int
	alert     Alert
	coolUntil time.Time
	// coolPeak is the peak score of the alert whose cooldown runs: an immediate score above it (and
	// critical) pages through the cooldown
	coolPeak float64
	// recent buckets for MaxScale: value, baseline and variance, ring of 64
	ring  [64][3]float64
	rpos  int
	rfill int
	// scales[k] learns how many times its independent noise the residual of the k-th sum (2, 4, 16, 64
	// buckets, MaxScale) varies
	scales     [5]sumScale
	scaleAlpha float64
	// lens[k] is the number of buckets of the k-th sum (nLens of them): 2, 4, 16 and 64, and MaxScale
	lens  [5]int
	nLens int
	// the sequential tier: the CUSUM, where its current run started (it left 0), the run's excess
	// over the baseline, and the constants of its increment
	cusum, cusumExcess  float64
	cusumStart          time.Time
	cusumH, cusumLogRho float64
}

// sumScale tracks how many times the independent-noise variance of one sum of buckets its residual
// against the sum of its baselines has actually shown: the mean absolute residual in units of the
// independent-noise standard deviation, exponentially decayed and winsorized; n counts updates so the
// first ones are a plain mean. It is learnt as a ratio, not as an absolute spread, because the noise of a
// count grows with its level: an absolute spread pooled over the day would be too wide at night and too
// narrow at the evening peak.
type sumScale struct {
	dev float64
	n   uint32
}

// inflation is the variance the residuals have shown over the independent-noise variance (0 before any).
func (s *sumScale) inflation() float64 {
	sd := madToSigma * s.dev
	return sd * sd
}

// learn adds residual r of a sum whose independent-noise variance is sv, winsorized at clip standard
// deviations of the spread believed so far.
func (s *sumScale) learn(r, sv, alpha, clip float64) {
	a := math.Max(alpha, 1/float64(s.n+1))
	u := math.Abs(r) / math.Sqrt(sv)
	s.dev += a * (math.Min(u, clip*math.Sqrt(math.Max(1, s.inflation()))) - s.dev)
	if s.n < math.MaxUint32 {
		s.n++
	}
}

// New returns a Detector, or the configuration error.
func New(c Config) (*Detector, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d := &Detector{
		cfg:       c,
		count:     newBaseline(c, countFloor),
		slotSec:   int64(c.SlotWidth / time.Second),
		perDay:    int(24 * time.Hour / c.SlotWidth),
		tail:      newTailQuantile(1 - math.Exp2(-float64(c.Bucket)/float64(c.SeasonHalfLife))),
		earlyTail: newTailQuantile(1 - math.Exp2(-float64(c.Bucket)/float64(c.SeasonHalfLife))),
		cusumTail: newTailQuantile(1 - math.Exp2(-float64(c.Bucket)/float64(c.SeasonHalfLife))),
	}
	d.scaleAlpha = 1 - math.Exp2(-float64(c.Bucket)/float64(c.SeasonHalfLife))
	if c.CusumShift > 0 {
		d.cusumH = CusumThreshold(c)
		d.cusumLogRho = math.Log1p(c.CusumShift)
	}
	d.winMask = uint64(1)<<uint(c.Window) - 1
	if c.Window == 64 {
		d.winMask = math.MaxUint64
	}
	longest := c.MaxScale
	if c.CusumShift > 0 {
		longest = len(d.ring)
	}
	for m, next := 1, 2; m <= longest; m++ {
		if m == next || m == c.MaxScale {
			d.lens[d.nLens] = m
			d.nLens++
			next = nextScale(m)
		}
	}
	return d, nil
}

// Config returns the detector's configuration.
func (d *Detector) Config() Config { return d.cfg }

// State returns where the detector stands.
func (d *Detector) State() State { return d.state }

// slots returns where the bucket starting at t falls among the seasonal slots.
func (d *Detector) slots(t time.Time) slotPos {
	lt := t.In(d.cfg.Location)
	h, m, s := lt.Clock()
	sec := int64(h*3600 + m*60 + s)
	day := int(sec / d.slotSec)
	mid := float64(sec%d.slotSec) + d.cfg.Bucket.Seconds()/2
	return slotPos{
		week: ((int(lt.Weekday())+6)%7)*d.perDay + day, // Monday first
		day:  day,
		frac: math.Min(1, mid/float64(d.slotSec)),
	}
}

// Observe scores the bucket starting at t holding value (e.g. negative posts) and advances the
// detector. Buckets must come in time order, one per bucket, zeros included.
func (d *Detector) Observe(t time.Time, value float64) (Step, error) {
	return d.observe(t, value, math.NaN())
}

// ObserveShare is Observe in share mode: negative is the bucket's negative count and total all its
// posts. A bucket is hot only when the negative count stands out (WarnZ over its baseline, at least
// MinVolume) and the negative share stands out too (ShareZ over the share's own seasonal baseline,
// with at least MinShareTotal posts). Use one mode per Detector.
func (d *Detector) ObserveShare(t time.Time, negative, total float64) (Step, error) {
	if !(total >= negative) || math.IsInf(total, 0) {
		return Step{}, fmt.Errorf("total %v: must be finite and at least the negative count %v", total, negative)
	}
	if d.share == nil {
		d.share = newBaseline(d.cfg, shareFloor)
	}
	return d.observe(t, negative, total)
}

func (d *Detector) observe(t time.Time, value, total float64) (Step, error) {
	if math.IsNaN(value) || math.IsInf(value, 0) || value < 0 {
		return Step{}, fmt.Errorf("value %v: must be a finite non-negative number", value)
	}
	if d.started && t.Before(d.last) {
		return Step{}, fmt.Errorf("%v after %v: %w", t, d.last, ErrOutOfOrder)
	}
	if !d.started {
		d.first, d.started = t, true
	}
	d.last = t
	c := &d.cfg
	pos := d.slots(t)

	// The spreads of the sums and the series' own score quantiles learn from the end of the warm-up
	// on: before it the baseline is still forming and its errors say little about the series.
	warm := t.Sub(d.first) >= c.Warmup
	base, sigma := d.count.expect(pos, 0)
	st := Step{Time: t, Value: value, Baseline: base, Score: d.z(value, base, sigma*sigma),
		Share: math.NaN(), ShareBaseline: math.NaN(), ShareScore: math.NaN()}
	// early is the largest score over the last bucket and the sums of the last 2 and 4 buckets, for
	// the immediate tier; st.Score the largest over every scale, for the sustained tier.
	early, passing := d.early(value, base, sigma, st.Score)
	hot := st.Score >= c.WarnZ && value >= c.MinVolume && value >= c.MinRatio*base
	// inflation[k] is how many times the independent-noise variance the k-th sum's residuals have
	// actually shown (at least 1): the sequential tier adds buckets up too, and needs the same
	// correction at the length of its current run. The sums above MaxScale are learnt for it, not
	// scored.
	var inflation [len(d.scales)]float64
	var scaleLen [len(d.scales)]int
	nScales := 0
	if c.MaxScale > 1 || c.CusumShift > 0 {
		// A bucket adds at most ClipZ robust standard deviations to a sum, so one burst cannot carry
		// the sums of the buckets after it.
		d.ring[d.rpos] = [3]float64{math.Min(value, base+c.ClipZ*sigma), base, sigma * sigma}
		d.rpos = (d.rpos + 1) % len(d.ring)
		d.rfill = min(d.rfill+1, len(d.ring))
		var sx, sb, sv float64
		k := 0
		for m := 1; k < d.nLens && m <= d.rfill; m++ {
			r := d.ring[(d.rpos-m+len(d.ring))%len(d.ring)]
			sx, sb, sv = sx+r[0], sb+r[1], sv+r[2]
			if m != d.lens[k] {
				continue
			}
			// The sum is scored against the buckets' summed variances (independent noise) times how
			// much more its residual has actually varied: neighbouring buckets of social volume move
			// together (replies, threads) and a baseline error adds up over the sum.
			sc := &d.scales[k]
			inflation[k] = math.Max(1, sc.inflation())
			v := sv * inflation[k]
			if k > 0 {
				inflation[k] = math.Max(inflation[k], inflation[k-1])
			}
			scaleLen[k], nScales = m, k+1
			z := d.z(sx, sb, v)
			if warm {
				sc.learn(sx-sb, sv, d.scaleAlpha, c.ClipZ)
			}
			k++
			if m > c.MaxScale {
				continue
			}
			ok := value >= c.MinVolume && sx >= c.MinRatio*sb && value > base
			if z > st.Score {
				st.Score = z
				hot = z >= c.WarnZ && ok
			}
		}
	}
	if c.TailQuantile > 0 {
		hot = hot && st.Score >= d.tail.quantile(c.TailQuantile)
		if warm {
			d.tail.add(st.Score)
		}
	}
	st.EarlyScore = early
	immediate := false
	if c.ImmediateZ > 0 {
		immediate = passing >= c.ImmediateZ
		if c.ImmediateEvery > 0 {
			immediate = immediate && passing >= d.earlyTail.above(1-float64(c.Bucket)/float64(c.ImmediateEvery))
		}
		if warm {
			d.earlyTail.add(early)
		}
	}
	// mu is what the sequential tier expects: the count's baseline or, in share mode, at least the
	// share's baseline times the bucket's total, so that a launch that brings more posts of every kind
	// raises the expectation with it.
	mu := base
	if d.share != nil {
		shareHot := false
		if total >= c.MinShareTotal {
			sh := value / total
			sb, ss := d.share.expect(pos, total)
			mu = math.Max(mu, sb*total)
			st.Share, st.ShareBaseline, st.ShareScore = sh, sb, (sh-sb)/ss
			shareHot = st.ShareScore >= c.ShareZ
			d.share.learn(sh, pos, total)
		}
		hot = hot && shareHot
		immediate = immediate && shareHot
	}
	d.count.learn(value, pos, 0)
	if !warm {
		hot, immediate = false, false
	}
	hot = hot || immediate
	st.Hot = hot
	sequential := false
	if c.CusumShift > 0 {
		if warm && d.state != StateFiring && !t.Before(d.coolUntil) {
			// A bucket adds at most ClipZ robust standard deviations, like to the sums: the CUSUM is
			// for a rise that persists, a single burst is the immediate tier's to judge.
			if d.cusum == 0 {
				d.cusumStart, d.cusumExcess = t, 0
			}
			// the inflation of the shortest learnt sum at least as long as the run so far
			run := int(t.Sub(d.cusumStart)/c.Bucket) + 1
			infl := 1.0
			for k := range nScales {
				infl = inflation[k]
				if scaleLen[k] >= run {
					break
				}
			}
			inc := cusumIncrement(math.Min(value, mu+c.ClipZ*sigma), mu, infl*sigma*sigma, d.cusumLogRho, c.CusumShift)
			d.cusum = math.Max(0, d.cusum+inc)
			d.cusumExcess += value - mu
			sequential = d.cusum >= d.cusumH && d.cusumExcess >= c.MinVolume && value >= c.MinVolume && value > mu
			sequential = sequential && d.cusum >= d.cusumTail.above(1-float64(c.Bucket)/float64(c.CusumRunLength))
			d.cusumTail.add(d.cusum)
		} else {
			d.cusum = 0
		}
		st.Cusum = d.cusum
	}
	d.hot = (d.hot << 1) & d.winMask
	if hot {
		d.hot |= 1
	}

	switch d.state {
	case StateOK, StatePending:
		if d.hot == 0 {
			d.state = StateOK
		} else {
			if d.state == StateOK {
				d.state, d.runStart, d.runPeak = StatePending, t, st.Score
			}
			if hot {
				d.runPeak = math.Max(d.runPeak, st.Score)
			}
		}
		sustained := bits.OnesCount64(d.hot) >= c.Persist
		byZ := hot && (sustained || immediate)
		if (byZ || sequential) && !d.cooling(t, immediate, passing) {
			start, peak := d.runStart, d.runPeak
			if d.hot == 0 || (sequential && d.cusumStart.Before(start)) {
				start = d.cusumStart
			}
			if d.hot == 0 {
				peak = st.Score
			}
			d.state, d.calm, d.cusum = StateFiring, 0, 0
			d.alert = Alert{Start: start, FiredAt: t, Severity: d.severity(peak),
				Score: st.Score, Peak: peak, Value: value, Baseline: base,
				Immediate: byZ && !sustained, Sequential: !byZ}
			st.Event = EventFired
		}
	case StateFiring:
		if st.Score > d.alert.Peak {
			d.alert.Peak = st.Score
			if d.alert.Severity == SeverityWarning && d.severity(st.Score) == SeverityCritical {
				d.alert.Severity = SeverityCritical
				st.Event = EventEscalated
			}
		}
		if st.Score < c.ResolveZ {
			d.calm++
		} else {
			d.calm = 0
		}
		if d.calm >= c.ResolveAfter {
			d.alert.ResolvedAt = t
			st.Event = EventResolved
			d.state, d.hot = StateOK, 0
			d.coolDown(t.Add(c.Cooldown), d.alert.Peak)
		}
	}
	st.State = d.state
	if d.state == StateFiring || st.Event != EventNone {
		st.Alert = d.alert
	}
	return st, nil
}

// early returns the immediate tier's scores of a bucket holding value, with baseline base, robust
// standard deviation sigma and score z: over the bucket and the sums of the last 2 and 4 buckets ending
// with it, the largest score, and the largest among those that pass their volume checks (-Inf if none).
// Each score and each check grows with value, so the second does too: the immediate tier's test on it is
// monotone in the count, which Peek relies on. It reads the buckets before this one from the ring (so it
// runs before the bucket is added) and changes nothing.
func (d *Detector) early(value, base, sigma, z float64) (largest, passing float64) {
	c := &d.cfg
	largest, passing = z, math.Inf(-1)
	if value >= c.MinVolume && value >= c.MinRatio*base {
		passing = z
	}
	if c.MaxScale <= 1 && c.CusumShift <= 0 {
		return largest, passing
	}
	sx, sb, sv := math.Min(value, base+c.ClipZ*sigma), base, sigma*sigma
	n := 1 // buckets in the sum
	for k := 0; k < d.nLens; k++ {
		m := d.lens[k]
		if m > 4 || m > c.MaxScale || m-1 > d.rfill {
			break
		}
		for ; n < m; n++ {
			r := d.ring[(d.rpos-n+len(d.ring))%len(d.ring)]
			sx, sb, sv = sx+r[0], sb+r[1], sv+r[2]
		}
		s := d.z(sx, sb, sv*math.Max(1, d.scales[k].inflation()))
		largest = math.Max(largest, s)
		if s > passing && value >= c.MinVolume && sx >= c.MinRatio*sb && value > base {
			passing = s
		}
	}
	return largest, passing
}

// Peek says whether the bucket starting at t — the next one Observe will see, still open and holding
// value so far — already makes the immediate tier fire, and the alert it would open. A bucket's count
// only grows while it is open and every part of the immediate tier's test grows with it, so when Peek
// says yes, Observe fires when the bucket closes (with a value at least this one and a score at least
// this one); a caller can page now instead of when the bucket closes. It changes nothing. It is always
// no in share mode (a share can fall as the bucket fills), before the warm-up ends, while an alert is
// open and during the cooldown.
func (d *Detector) Peek(t time.Time, value float64) (Alert, bool) {
	c := &d.cfg
	if c.ImmediateZ <= 0 || d.share != nil || !d.started || !t.After(d.last) || t.Sub(d.first) < c.Warmup ||
		d.state == StateFiring || !(value >= 0) || math.IsInf(value, 0) {
		return Alert{}, false
	}
	base, sigma := d.count.expect(d.slots(t), 0)
	early, passing := d.early(value, base, sigma, d.z(value, base, sigma*sigma))
	if passing < c.ImmediateZ {
		return Alert{}, false
	}
	if c.ImmediateEvery > 0 && passing < d.earlyTail.above(1-float64(c.Bucket)/float64(c.ImmediateEvery)) {
		return Alert{}, false
	}
	if d.cooling(t, true, passing) {
		return Alert{}, false
	}
	// as Observe will open it: the run's start and peak carry on from a pending run
	start, peak := t, early
	if d.state == StatePending {
		start, peak = d.runStart, math.Max(d.runPeak, early)
	}
	return Alert{Start: start, FiredAt: t, Severity: d.severity(peak), Score: early, Peak: peak, Value: value,
		Baseline: base, Immediate: true}, true
}

// coolDown holds the detector quiet until until for an alert that peaked at peak, unless a cooldown
// already holds it longer. Where the new cooldown overlaps one still running (past the last bucket seen),
// the larger of the two peaks is the one to beat; an expired cooldown's peak is forgotten.
func (d *Detector) coolDown(until time.Time, peak float64) bool {
	if !until.After(d.coolUntil) {
		return false
	}
	if d.coolUntil.After(d.last) {
		peak = math.Max(peak, d.coolPeak)
	}
	d.coolUntil, d.coolPeak = until, peak
	return true
}

// cooling says whether the cooldown holds the bucket at t quiet. A cooldown keeps an incident that flares
// up again from paging twice; an immediate-tier score (passing) that is critical and above the peak of the
// alert whose cooldown runs is a bigger and sudden rise, news to the on-call person, and pages through it.
func (d *Detector) cooling(t time.Time, immediate bool, passing float64) bool {
	if !t.Before(d.coolUntil) {
		return false
	}
	return !immediate || passing < math.Max(d.cfg.CritZ, d.coolPeak)
}

// CusumThreshold is the sequential tier's threshold h = ln(CusumRunLength/Bucket), in
// log-likelihood-ratio units: a CUSUM of log-likelihood ratios crosses h on in-control data at most
// once in e^h buckets on average (Lorden 1971), here once in CusumRunLength.
func CusumThreshold(c Config) float64 {
	return math.Log(float64(c.CusumRunLength) / float64(c.Bucket))
}

// cusumIncrement is the sequential tier's step for count x against baseline mu with variance v: the
// quasi-Poisson log-likelihood ratio of the rate mu·(1+shift) against mu,
// (x·ln(1+shift) − mu·shift)/φ, with dispersion φ = v/mu at least 1 (mu taken as at least 1 there,
// and at least half a post per bucket in the ratio, as in poissonZ). It is positive when x exceeds
// mu·shift/ln(1+shift), the reference value k (1.23·mu for +50 %).
func cusumIncrement(x, mu, v, logRho, shift float64) float64 {
	mu = math.Max(mu, 0.5)
	phi := math.Max(1, v/math.Max(mu, 1))
	return (x*logRho - mu*shift) / phi
}

// z scores value against base with variance v, as Config.Scoring says.
func (d *Detector) z(value, base, v float64) float64 {
	switch d.cfg.Scoring {
	case ScoringSqrt:
		return 2 * (math.Sqrt(value) - math.Sqrt(base)) * math.Sqrt(math.Max(base, 1)/v)
	case ScoringPoisson:
		return poissonZ(value, base, v)
	}
	return (value - base) / math.Sqrt(v)
}

// poissonZ is the signed square root of the quasi-Poisson deviance of count x against mean mu with
// variance v: sign(x-mu)·√(2(x·ln(x/mu) - (x-mu))/φ), φ = v/mu at least 1 (mu taken as at least 1
// there, since the variance of a small count is floored at 1). It is the z whose normal
// tail is close to the Poisson tail probability of x (the likelihood-ratio statistic), so a count
// that triples by chance on a small mean (4 → 12, z ≈ 3.3) does not score like one that triples on a
// large mean (40 → 120, z ≈ 10.7), and a sudden jump is not shrunk as on the square-root scale.
// The mean is taken as at least half a post per bucket.
func poissonZ(x, mu, v float64) float64 {
	mu = math.Max(mu, 0.5)
	phi := math.Max(1, v/math.Max(mu, 1))
	dev := 2 * (mu - x)
	if x > 0 {
		dev = 2 * (x*math.Log(x/mu) - (x - mu))
	}
	z := math.Sqrt(math.Max(0, dev) / phi)
	if x < mu {
		return -z
	}
	return z
}

func (d *Detector) severity(z float64) Severity {
	if z >= d.cfg.CritZ {
		return SeverityCritical
	}
	return SeverityWarning
}

// nextScale returns the sum length scored after m: 2, 4, 16, 64.
func nextScale(m int) int {
	if m < 2 {
		return 2
	}
	if m < 4 {
		return 4
	}
	return m * 4
}
