package alerting

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday

// daily returns a count series of n one-minute buckets with a daily cycle between lo and hi and
// Poisson-like noise, from a fixed seed.
func daily(n int, lo, hi float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float64, n)
	for i := range out {
		phase := 2 * math.Pi * float64(i%1440) / 1440
		mean := lo + (hi-lo)*(1-math.Cos(phase))/2
		out[i] = math.Max(0, math.Round(mean+r.NormFloat64()*math.Sqrt(mean)))
	}
	return out
}

type run struct {
	steps  []Step
	events []Step
}

func feed(t *testing.T, c Config, values []float64) run {
	t.Helper()
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	var r run
	for i, v := range values {
		st, err := d.Observe(t0.Add(time.Duration(i)*c.Bucket), v)
		if err != nil {
			t.Fatal(err)
		}
		r.steps = append(r.steps, st)
		if st.Event != EventNone {
			r.events = append(r.events, st)
		}
	}
	return r
}

func (r run) fired() []Alert {
	var out []Alert
	for _, e := range r.events {
		if e.Event == EventFired {
			out = append(out, e.Alert)
		}
	}
	return out
}

const day = 1440 // one-minute buckets per day

func TestCalmSeasonalSeriesNeverFires(t *testing.T) {
	c := DefaultConfig()
	for seed := uint64(1); seed <= 3; seed++ {
		r := feed(t, c, daily(21*day, 5, 60, seed))
		if got := r.fired(); len(got) != 0 {
			t.Errorf("seed %d: got %d alert(s) on a calm series, first %+v; want none", seed, len(got), got[0])
		}
	}
}

func TestSpikeFiresOnceWithinPersistence(t *testing.T) {
	c := DefaultConfig()
	v := daily(15*day, 5, 60, 7)
	spike := 14*day + 600 // 10:00 on day 15, level about 40
	for i := spike; i < spike+30; i++ {
		v[i] *= 3
	}
	r := feed(t, c, v)
	got := r.fired()
	if len(got) != 1 {
		t.Fatalf("got %d alerts %+v; want exactly one", len(got), got)
	}
	a := got[0]
	start := t0.Add(time.Duration(spike) * time.Minute)
	if !a.Start.Equal(start) {
		t.Errorf("alert start %v; want the spike's first bucket %v", a.Start, start)
	}
	if delay := a.FiredAt.Sub(start); delay < 0 || delay > time.Duration(c.Persist-1)*c.Bucket {
		t.Errorf("fired %v after the spike began; want within the persistence delay %v", delay, time.Duration(c.Persist-1)*c.Bucket)
	}
	if a.Severity != SeverityCritical || a.Peak < c.CritZ {
		t.Errorf("severity %v with peak z %.1f; want critical for a tripled count", a.Severity, a.Peak)
	}
	if a.Value <= a.Baseline || a.Score < c.WarnZ {
		t.Errorf("alert value %.0f baseline %.1f score %.1f; want value above baseline and score at least %v", a.Value, a.Baseline, a.Score, c.WarnZ)
	}
	var resolved bool
	for _, e := range r.events {
		if e.Event == EventResolved {
			resolved = true
			if e.Alert.ResolvedAt.Before(start.Add(30 * time.Minute)) {
				t.Errorf("resolved at %v, before the spike ended", e.Alert.ResolvedAt)
			}
		}
	}
	if !resolved {
		t.Error("the alert never resolved after the spike ended")
	}
}

func TestSingleBucketBurstDoesNotFireWithoutImmediateTier(t *testing.T) {
	c := DefaultConfig()
	c.ImmediateZ = 0
	v := daily(10*day, 5, 60, 3)
	v[9*day+600] *= 20
	if got := feed(t, c, v).fired(); len(got) != 0 {
		t.Errorf("got %+v; want no alert for one hot bucket with persistence %d of %d", got, c.Persist, c.Window)
	}
	c.ImmediateZ = 10
	if got := feed(t, c, v).fired(); len(got) != 1 {
		t.Errorf("with immediate_z %v: got %d alerts; want one", c.ImmediateZ, len(got))
	}
}

func TestCooldown(t *testing.T) {
	f := func(gap int, cooldown time.Duration, want int) {
		t.Helper()
		c := DefaultConfig()
		c.Cooldown = cooldown
		v := daily(10*day, 40, 40, 11)
		first := 9*day + 300
		for _, s := range []int{first, first + 20 + gap} {
			for i := s; i < s+20; i++ {
				v[i] *= 4
			}
		}
		if got := feed(t, c, v).fired(); len(got) != want {
			t.Errorf("gap %d min, cooldown %v: got %d alerts; want %d", gap, cooldown, len(got), want)
		}
	}
	f(30, time.Hour, 1)      // the second spike comes back inside the cooldown
	f(120, time.Hour, 2)     // and after it
	f(30, 10*time.Minute, 2) // a short cooldown lets it through
}

func TestMinVolume(t *testing.T) {
	f := func(minVolume float64, want int) {
		t.Helper()
		c := DefaultConfig()
		c.MinVolume = minVolume
		v := make([]float64, 3*day) // a quiet series: one post every 10 minutes
		for i := range v {
			if i%10 == 0 {
				v[i] = 1
			}
		}
		for i := 2*day + 600; i < 2*day+620; i++ {
			v[i] = 6
		}
		if got := feed(t, c, v).fired(); len(got) != want {
			t.Errorf("min volume %v: got %d alerts; want %d", minVolume, len(got), want)
		}
	}
	f(7, 0)
	f(5, 1)
}

func TestShareMode(t *testing.T) {
	// total posts follow a daily cycle; 10% of them are negative.
	f := func(name string, volumeX, shareX float64, wantShare, wantCount int) {
		t.Helper()
		c := DefaultConfig()
		total := daily(10*day, 100, 600, 5)
		share, count := mustNew(t, c), mustNew(t, c)
		var firedShare, firedCount int
		for i, tot := range total {
			neg := math.Round(tot * 0.1)
			if i >= 9*day+600 && i < 9*day+660 {
				tot *= volumeX
				neg = math.Round(neg * volumeX * shareX)
			}
			ts := t0.Add(time.Duration(i) * time.Minute)
			s, err := share.ObserveShare(ts, neg, tot)
			if err != nil {
				t.Fatal(err)
			}
			n, err := count.Observe(ts, neg)
			if err != nil {
				t.Fatal(err)
			}
			if s.Event == EventFired {
				firedShare++
			}
			if n.Event == EventFired {
				firedCount++
			}
		}
		if firedShare != wantShare || firedCount != wantCount {
			t.Errorf("%s: share mode fired %d, count mode %d; want %d and %d", name, firedShare, firedCount, wantShare, wantCount)
		}
	}
	f("everyone talks more, same mood", 3, 1, 0, 1)
	f("same volume, twice as negative", 1, 2, 1, 1)
}

func mustNew(t *testing.T, c Config) *Detector {
	t.Helper()
	d, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestObserveRejectsBadInput(t *testing.T) {
	d := mustNew(t, DefaultConfig())
	if _, err := d.Observe(t0, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Observe(t0.Add(-time.Minute), 3); !errors.Is(err, ErrOutOfOrder) {
		t.Errorf("older bucket: got %v; want ErrOutOfOrder", err)
	}
	if _, err := d.ObserveShare(t0.Add(time.Minute), 5, 4); err == nil {
		t.Error("total under the negative count: got no error")
	}
	for _, v := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := d.Observe(t0.Add(time.Minute), v); err == nil {
			t.Errorf("value %v: got no error", v)
		}
	}
}

func TestDeterministic(t *testing.T) {
	v := daily(4*day, 5, 60, 9)
	for i := 3*day + 100; i < 3*day+140; i++ {
		v[i] *= 3
	}
	a, b := feed(t, DefaultConfig(), v), feed(t, DefaultConfig(), v)
	if len(a.fired()) != 1 {
		t.Fatalf("got %d alerts; want one to compare", len(a.fired()))
	}
	for i := range a.steps {
		x, y := a.steps[i], b.steps[i]
		if x.Score != y.Score || x.Baseline != y.Baseline || x.State != y.State || x.Event != y.Event || x.Alert != y.Alert {
			t.Fatalf("bucket %d: %+v then %+v; want the same", i, x, y)
		}
	}
}

func TestObserveDoesNotAllocate(t *testing.T) {
	d := mustNew(t, DefaultConfig())
	v := daily(day, 5, 60, 2)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		_, _ = d.Observe(t0.Add(time.Duration(i)*time.Minute), v[i%len(v)])
		i++
	})
	if allocs != 0 {
		t.Errorf("Observe allocates %.1f times per bucket; want 0", allocs)
	}
}

func TestConfigValidateNamesTheField(t *testing.T) {
	f := func(mod func(*Config), want string) {
		t.Helper()
		c := DefaultConfig()
		mod(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("got %v; want an error containing %q", err, want)
		}
		if _, err := New(c); err == nil {
			t.Errorf("New accepted a config with %s", want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	f(func(c *Config) { c.Bucket = 0 }, "alerting.bucket: must be positive, got 0s")
	f(func(c *Config) { c.Seasonality = "month" }, `alerting.seasonality: must be week, day or none, got "month"`)
	f(func(c *Config) { c.SlotWidth = 7 * time.Hour }, "alerting.slot_width: must divide 24h")
	f(func(c *Config) { c.Location = nil }, "alerting.location")
	f(func(c *Config) { c.SeasonHalfLife = time.Second }, "alerting.season_half_life")
	f(func(c *Config) { c.LevelHalfLife = 0 }, "alerting.level_half_life")
	f(func(c *Config) { c.Warmup = -time.Second }, "alerting.warmup")
	f(func(c *Config) { c.MinVolume = -1 }, "alerting.min_volume: must not be negative, got -1")
	f(func(c *Config) { c.MinRatio = 0.5 }, "alerting.min_ratio")
	f(func(c *Config) { c.WarnZ = math.NaN() }, "alerting.warn_z")
	f(func(c *Config) { c.TailQuantile = 1 }, "alerting.tail_quantile")
	f(func(c *Config) { c.CritZ = 3 }, "alerting.crit_z: must be at least warn_z (4), got 3")
	f(func(c *Config) { c.ImmediateZ = 2 }, "alerting.immediate_z")
	f(func(c *Config) { c.Window = 65 }, "alerting.window: must be between 1 and 64 buckets, got 65")
	f(func(c *Config) { c.Persist = 6 }, "alerting.persist: must be between 1 and window (5), got 6")
	f(func(c *Config) { c.ResolveZ = 5 }, "alerting.resolve_z")
	f(func(c *Config) { c.ResolveAfter = 0 }, "alerting.resolve_after")
	f(func(c *Config) { c.Cooldown = -time.Minute }, "alerting.cooldown")
	f(func(c *Config) { c.ClipZ = 0.5 }, "alerting.clip_z")
	f(func(c *Config) { c.ShareZ = 0 }, "alerting.share_z")
	f(func(c *Config) { c.MinShareTotal = 0 }, "alerting.min_share_total")
	f(func(c *Config) { c.CusumShift = -0.5 }, "alerting.cusum_shift: must be 0 (off) or a relative rise up to 10, got -0.5")
	f(func(c *Config) { c.CusumShift, c.CusumRunLength = 0.5, c.Bucket }, "alerting.cusum_run_length: must be at least two buckets")
}

func TestSeasonalSlotsFollowTheLocation(t *testing.T) {
	c := DefaultConfig()
	c.Location = time.FixedZone("UTC+2", 2*3600)
	d := mustNew(t, c)
	p := d.slots(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)) // Monday 01:30 at UTC+2
	if p.week != 1 || p.day != 1 {
		t.Errorf("Sunday 23:30 UTC seen from UTC+2: got week slot %d, day slot %d; want 1 and 1", p.week, p.day)
	}
	// the bucket of a minute from 01:30 has its middle 30.5 minutes into its hour
	if want := 30.5 / 60; math.Abs(p.frac-want) > 1e-9 {
		t.Errorf("position in the slot: got %v, want %v", p.frac, want)
	}
}

func BenchmarkDetectorObserve(b *testing.B) {
	d, err := New(DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	v := daily(7*day, 5, 60, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := d.Observe(t0.Add(time.Duration(i)*time.Minute), v[i%len(v)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "buckets/s")
}

func TestPoissonZ(t *testing.T) {
	f := func(x, mu, v, lo, hi float64) {
		t.Helper()
		if z := poissonZ(x, mu, v); !(z >= lo && z <= hi) {
			t.Errorf("poissonZ(%v, %v, %v) = %.3f; want in [%v, %v]", x, mu, v, z, lo, hi)
		}
	}
	f(10, 10, 10, 0, 0)        // at the mean
	f(12, 4, 4, 3.0, 3.6)      // a small count tripling: the Poisson tail of 12 on 4 is about 5e-4
	f(120, 40, 40, 10.0, 10.4) // the same ratio on a larger mean is far rarer
	f(120, 40, 160, 5.0, 5.2)  // dispersion 4 halves the z
	f(0, 9, 9, -4.3, -4.2)     // a silent bucket scores below the mean: -√(2·9)
	f(3, 0, 1, 2.3, 2.5)       // the mean is taken as at least half a post, the count floor is no dispersion
	f(5, 20, 10, -4.5, -3.3)   // under dispersion is not believed: φ at least 1
	if z := poissonZ(41, 10.5, 10.5); !(z > 6 && z < (41-10.5)/math.Sqrt(10.5)) {
		t.Errorf("poissonZ(41, 10.5) = %.2f; want between 6 and the plain z", z)
	}
}

func TestImmediateTierFiresAtOnceAndOnlyOnTheWeeksHighest(t *testing.T) {
	c := DefaultConfig()
	c.Bucket = time.Minute
	v := daily(15*day, 20, 60, 11)
	// From day 3 on, every day at 03:00 one bucket jumps to 4 times its level: the series' ordinary
	// burst. On day 14 at 15:00 a jump to 10 times.
	for d := 3; d < 15; d++ {
		v[d*day+180] *= 4
	}
	spike := 14*day + 900
	v[spike] *= 10
	r := feed(t, c, v)
	var imm []Alert
	for _, a := range r.fired() {
		if a.Immediate {
			imm = append(imm, a)
		}
	}
	if len(imm) == 0 || !imm[len(imm)-1].FiredAt.Equal(t0.Add(time.Duration(spike)*time.Minute)) {
		t.Fatalf("immediate alerts %+v; want the last at the jump on day 14 (%v)", imm, t0.Add(time.Duration(spike)*time.Minute))
	}
	// ordinary counts the immediate alerts on the daily bursts of days 7 to 13
	ordinary := func(as []Alert) int {
		n := 0
		for _, a := range as {
			if d := a.FiredAt.Sub(t0); a.Immediate && d >= 7*24*time.Hour && d < 14*24*time.Hour {
				n++
			}
		}
		return n
	}
	// Once a week of bursts has been seen, one is the week's highest about once a week.
	if n := ordinary(imm); n > 2 {
		t.Errorf("%d immediate alerts on the ordinary daily bursts of one week; want at most 2", n)
	}
	c.ImmediateEvery = 0
	if n := ordinary(feed(t, c, v).fired()); n < 4 {
		t.Errorf("without immediate_every: %d immediate alerts on a week of daily bursts; want nearly every day", n)
	}
}

// TestSumsLearnTheirSpread feeds counts that move together over several buckets (a slow random walk
// around a steady mean): the sums of buckets would score as spikes against the summed per-bucket
// variance alone, and must not once their observed spread is used.
func TestSumsLearnTheirSpread(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	v := make([]float64, 20*day)
	level := 0.0
	for i := range v {
		level = 0.97*level + r.NormFloat64()*2
		v[i] = math.Max(0, math.Round(40+level+r.NormFloat64()*math.Sqrt(40)))
	}
	c := DefaultConfig()
	c.Bucket = time.Minute
	c.ImmediateZ = 0
	if got := feed(t, c, v).fired(); len(got) != 0 {
		t.Errorf("got %d alert(s) on a calm autocorrelated series, first %+v; want none", len(got), got[0])
	}
}

// poissonSeries returns n counts drawn from a Poisson distribution of mean mu, from a fixed seed.
func poissonSeries(n int, mu float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 3))
	out := make([]float64, n)
	l := math.Exp(-mu)
	for i := range out {
		k, p := 0, r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		out[i] = float64(k)
	}
	return out
}

// sequentialOnly is a configuration in which only the sequential tier can fire.
func sequentialOnly() Config {
	c := DefaultConfig()
	c.CusumShift = 0.5
	c.Seasonality = SeasonNone
	c.ImmediateZ = 0
	c.WarnZ, c.CritZ = 1000, 1000
	c.ResolveAfter = 1
	c.Cooldown = 0
	c.Warmup = 6 * time.Hour
	return c
}

// TestCusumFalseAlarmRate checks the threshold's promise on in-control Poisson counts: with
// h = ln(run length/bucket), false alarms come at most once per run length on average.
func TestCusumFalseAlarmRate(t *testing.T) {
	c := sequentialOnly()
	c.CusumRunLength = 500 * c.Bucket // h = ln 500, small enough to see false alarms in a test
	for _, mu := range []float64{2, 10, 40} {
		n := 200_000
		got := len(feed(t, c, poissonSeries(n, mu, uint64(mu))).fired())
		t.Logf("mean %v: %d false alarms in %d buckets (bound %d)", mu, got, n, n/500)
		// the bound says at most n/500 = 800; the sums' spread and the baseline's error make the real
		// rate lower still, but it must not be zero either (the tier is live)
		if got > n/500 || got == 0 {
			t.Errorf("mean %v: %d false alarms in %d buckets; want between 1 and %d (one per run length at most)", mu, got, n, n/500)
		}
	}
}

// TestCusumCatchesARampEarly feeds a slow ramp, like a complaint that spreads: the count rises
// linearly to five times its level over two hours. The sequential tier must fire well before the
// bucket and sum scores alone do, and fire once.
func TestCusumCatchesARampEarly(t *testing.T) {
	base := poissonSeries(4*day, 20, 7)
	v := append([]float64(nil), base...)
	start := 3*day + 600
	ramp := poissonSeries(4*day, 1, 8) // noise of the extra posts, scaled below
	for i := start; i < len(v); i++ {
		f := math.Min(1, float64(i-start)/120) * 4 * 20
		v[i] += math.Round(f + (ramp[i]-1)*math.Sqrt(f))
		v[i] = math.Max(0, v[i])
	}
	delay := func(c Config) (time.Duration, []Alert) {
		fired := feed(t, c, v).fired()
		if len(fired) == 0 {
			return -1, nil
		}
		return fired[0].FiredAt.Sub(t0.Add(time.Duration(start) * c.Bucket)), fired
	}
	c := DefaultConfig()
	c.CusumShift = 0.5
	seq, fired := delay(c)
	c.CusumShift = 0
	off, _ := delay(c)
	if seq < 0 || len(fired) != 1 || !fired[0].Sequential {
		t.Fatalf("with the sequential tier: alerts %+v; want one, fired by the sequential tier", fired)
	}
	if off >= 0 && seq > off*2/3 {
		t.Errorf("sequential tier fired after %v, the others alone after %v; want at most two thirds of it", seq, off)
	}
	t.Logf("ramp detected after %v with the sequential tier, %v without", seq, off)
}

// TestCusumResetsOnAlertAndInCooldown checks that the statistic starts from zero after an alert and
// stays there while the alert is open and cooling down (the bucket that fires shows the crossing).
func TestCusumResetsOnAlertAndInCooldown(t *testing.T) {
	c := sequentialOnly()
	c.Cooldown = time.Hour
	c.ResolveAfter = 5
	v := poissonSeries(day, 10, 4)
	for i := 12 * 60; i < 13*60; i++ {
		v[i] += 8 // +80 % for an hour
	}
	r := feed(t, c, v)
	fired := r.fired()
	if len(fired) != 1 {
		t.Fatalf("got %d alerts; want one (the second hour of the rise falls in the cooldown)", len(fired))
	}
	var resolved time.Time
	for _, e := range r.events {
		if e.Event == EventResolved {
			resolved = e.Time
		}
	}
	if resolved.IsZero() {
		t.Fatalf("the alert never resolved")
	}
	for _, st := range r.steps {
		inCooldown := !st.Time.Before(resolved) && st.Time.Before(resolved.Add(c.Cooldown))
		if st.Event != EventFired && (st.State == StateFiring || inCooldown) && st.Cusum != 0 {
			t.Fatalf("%v: cusum %v while firing or cooling down; want 0", st.Time, st.Cusum)
		}
	}
}

// TestSumsSpreadIsRelativeToTheLevel: the sums' learnt spread is a ratio to their independent noise, so
// the wide spread of the busy hours does not mute the quiet ones. A series that swings daily between 2
// and 60 posts a minute gets, at night, 4 extra posts a minute for 16 minutes: 64 posts over about 35
// expected, some 10 Poisson standard deviations on the 16-bucket sum. Learnt as one absolute spread over
// the day, the sum would be judged against the noise of the busy hours and score about 3.
func TestSumsSpreadIsRelativeToTheLevel(t *testing.T) {
	v := daily(3*day, 2, 60, 9)
	rise := 2*day + 10
	for i := rise; i < rise+16; i++ {
		v[i] += 4
	}
	c := DefaultConfig()
	c.ImmediateZ = 0
	r := feed(t, c, v)
	if got := r.steps[rise+15].Score; got < 7 {
		t.Errorf("score of 16 night buckets with 64 extra posts: got %.2f, want at least 7", got)
	}
	if got := feed(t, c, daily(3*day, 2, 60, 9)).fired(); len(got) != 0 {
		t.Errorf("the same series without the rise: got %d alert(s), first %+v; want none", len(got), got[0])
	}
}

// TestBaselineInterpolatesBetweenSlots: on a count that climbs steadily through the day, the baseline
// follows the climb inside each hour-of-day slot instead of holding the slot's mean for the whole hour
// (which is half an hour's climb off at the slot's edges, the same sign for half an hour, and adds up
// over the sums).
func TestBaselineInterpolatesBetweenSlots(t *testing.T) {
	climb := func(i int) float64 { return 10 + 48*float64(i%day)/day } // +2 posts per hour
	v := make([]float64, 3*day)
	for i := range v {
		v[i] = climb(i)
	}
	r := feed(t, DefaultConfig(), v)
	for _, m := range []int{2*day + 9*60 + 2, 2*day + 12*60 + 30, 2*day + 15*60 + 57} {
		if got, want := r.steps[m].Baseline, climb(m); math.Abs(got-want) > 0.2 {
			t.Errorf("%s on day 3: baseline %.2f, want %.2f ± 0.2 (the slot's mean is %.2f)",
				r.steps[m].Time.Format("15:04"), got, want, climb(m-m%60+30))
		}
	}
}

// TestPeekPromisesTheClose: whenever Peek says a partly filled bucket fires, observing the full bucket
// fires; whenever the full bucket fires by the immediate tier alone, Peek on the full bucket said so with
// the same start; and peeking changes nothing.
func TestPeekPromisesTheClose(t *testing.T) {
	for k, mk := range []func() Config{StreamingConfig, DefaultConfig, func() Config { c := StreamingConfig(); c.MaxScale = 3; return c }} {
		c := mk()
		c.Warmup = 6 * time.Hour
		c.Cooldown = 20 * c.Bucket
		c.ResolveAfter = 5
		if k != 1 {
			c.ImmediateEvery = 0 // many more alerts to compare; the weekly gate is checked with the defaults
		}
		v := poissonSeries(3*day, 4, 17)
		r := rand.New(rand.NewPCG(17, 17))
		for i := 2 * 6 * 60; i < len(v); i++ { // spikes of every size, some building over a few buckets
			if r.IntN(150) == 0 {
				for j := range 1 + r.IntN(4) {
					if i+j < len(v) {
						v[i+j] += float64(r.IntN(60))
					}
				}
			}
		}
		d, twin := mustNew(t, c), mustNew(t, c)
		peeks, immediate := 0, 0
		for i, x := range v {
			at := t0.Add(time.Duration(i) * c.Bucket)
			var promised []Alert
			for _, f := range []float64{0.25, 0.5, 0.75, 1} {
				if a, ok := d.Peek(at, math.Floor(x*f)); ok {
					promised = append(promised, a)
				}
			}
			st, err := d.Observe(at, x)
			if err != nil {
				t.Fatal(err)
			}
			tw, _ := twin.Observe(at, x)
			if st.Score != tw.Score || st.Event != tw.Event || st.Cusum != tw.Cusum {
				t.Fatalf("bucket %d: a detector that peeked stepped %+v, one that did not %+v", i, st, tw)
			}
			if len(promised) > 0 {
				peeks++
				if st.Event != EventFired {
					t.Fatalf("bucket %d (value %v): Peek promised %+v, the closing bucket gave %v", i, x, promised[0], st.Event)
				}
			}
			if st.Event == EventFired && st.Alert.Immediate {
				immediate++
				if len(promised) == 0 || promised[len(promised)-1].Start != st.Alert.Start {
					t.Fatalf("bucket %d: fired by the immediate tier (start %v) but Peek on the full bucket said %+v", i, st.Alert.Start, promised)
				}
			}
		}
		t.Logf("bucket %v: %d buckets fired on peek, %d by the immediate tier", c.Bucket, peeks, immediate)
		if immediate == 0 {
			t.Errorf("bucket %v: no bucket fired by the immediate tier; the test sees nothing", c.Bucket)
		}
	}
}

// TestImmediateTestGrowsWithTheCount: the immediate tier passes when any of its scores (the bucket, the
// sums of 2 and 4) reaches immediate_z and passes its own volume checks, not when the largest score does
// and happens to pass: a sum's score stops growing at the bucket's clip while the bucket's own keeps
// growing, so the largest can move to a score whose checks fail (here the bucket under 1.5 times its
// baseline) as the count grows, and a bucket that fired half full would not fire full.
func TestImmediateTestGrowsWithTheCount(t *testing.T) {
	c := StreamingConfig()
	d := mustNew(t, c)
	// three earlier buckets with uneven baselines and spreads (as at a change of slot tier)
	d.rfill, d.rpos = 3, 3
	d.ring[2] = [3]float64{1084, 679, 20556}
	d.ring[1] = [3]float64{880, 478, 18000}
	d.ring[0] = [3]float64{696, 350, 13315}
	d.scales[0] = sumScale{dev: 1.9, n: 10}
	base, sigma := 784.38, 58.89
	prev := math.Inf(-1)
	for v := 780.0; v <= 1300; v += 2 {
		largest, passing := d.early(v, base, sigma, d.z(v, base, sigma*sigma))
		if passing < prev || passing > largest {
			t.Fatalf("value %v: passing score %.3f after %.3f (largest %.3f); want it growing with the count and at most the largest", v, passing, prev, largest)
		}
		prev = passing
	}
	if prev < c.ImmediateZ {
		t.Errorf("the passing score stays under immediate_z (%.2f); the test sees nothing", prev)
	}
}

// TestCooldownYieldsToABiggerSuddenRise: during the cooldown after an alert, the incident flaring up
// again does not page, but a sudden rise that is critical and above the resolved alert's peak does, at
// once, and Peek says so on the open bucket too.
func TestCooldownYieldsToABiggerSuddenRise(t *testing.T) {
	c := DefaultConfig()
	c.Seasonality = SeasonNone
	c.Warmup = 6 * time.Hour
	c.Cooldown = 2 * time.Hour
	c.ImmediateEvery = 0
	v := poissonSeries(day, 10, 41)
	first := 8 * 60
	for i := first; i < first+10; i++ {
		v[i] += 40 // an incident of about z 12
	}
	flare, big := first+40, first+90
	for i := flare; i < flare+3; i++ {
		v[i] += 32 // the same incident again, within the cooldown: critical (about z 10), but not bigger
	}
	v[big] += 120 // something else, much bigger, still within the cooldown
	d := mustNew(t, c)
	var fired []Step
	for i, x := range v {
		at := t0.Add(time.Duration(i) * c.Bucket)
		if i == big {
			if _, ok := d.Peek(at, x); !ok {
				t.Errorf("Peek on the big rise's bucket: no; want it to page through the cooldown")
			}
		}
		st, err := d.Observe(at, x)
		if err != nil {
			t.Fatal(err)
		}
		if st.Event == EventFired {
			fired = append(fired, st)
		}
	}
	minute := func(s Step) int { return int(s.Time.Sub(t0) / c.Bucket) }
	if len(fired) != 2 || minute(fired[0]) < first || minute(fired[0]) > first+3 || minute(fired[1]) != big {
		var at []string
		for _, f := range fired {
			at = append(at, fmt.Sprintf("minute %d (z %.1f)", minute(f), f.Alert.Peak))
		}
		t.Fatalf("fired at %v; want the first incident (minute %d) and the big rise (minute %d), not the flare-up (minute %d)", at, first, big, flare)
	}
	if fired[1].Alert.Severity != SeverityCritical || !fired[1].Alert.Immediate {
		t.Errorf("the big rise fired %+v; want a critical immediate alert", fired[1].Alert)
	}
}

// TestCooldownPeakOfTheRunningCooldown: when a new cooldown begins, the peak to beat is its alert's, or
// the larger with a cooldown still running; the peak of a cooldown that has ended is forgotten.
func TestCooldownPeakOfTheRunningCooldown(t *testing.T) {
	d := mustNew(t, DefaultConfig())
	d.last = t0.Add(time.Hour)
	d.coolUntil, d.coolPeak = t0, 30 // ended before the last bucket
	if !d.coolDown(t0.Add(3*time.Hour), 9) || d.coolPeak != 9 {
		t.Errorf("after an ended cooldown of peak 30, a cooldown of peak 9: peak %v; want 9", d.coolPeak)
	}
	if !d.coolDown(t0.Add(4*time.Hour), 6) || d.coolPeak != 9 || d.coolUntil != t0.Add(4*time.Hour) {
		t.Errorf("over a running cooldown of peak 9, one of peak 6 until later: peak %v until %v; want 9 and the later end", d.coolPeak, d.coolUntil)
	}
	if d.coolDown(t0.Add(2*time.Hour), 50) || d.coolPeak != 9 {
		t.Errorf("a shorter cooldown changed the running one: peak %v; want it left alone", d.coolPeak)
	}
}
