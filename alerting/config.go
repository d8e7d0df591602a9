// Package alerting detects spikes in bucketed counts — typically negative posts per minute for one
// brand — quickly and with little noise.
//
// A Detector is fed one value per bucket, in time order, zeros included. It keeps a robust seasonal
// baseline (location and scale per slot of the week or day, exponentially decayed and winsorized so
// that spikes barely move it) plus a short-term level, scores each bucket as a robust z, and fires an
// Alert only when the excess persists (k of the last n buckets), is large for this series (above its
// own recent upper quantile of z: bursty brands burst every day), the volume is worth looking at, and
// no earlier alert is cooling down. In share mode the negative count must also stand out as a share of
// all posts, so a launch that brings more posts of every kind does not page anyone.
//
// The package also scores detectors with the Numenta Anomaly Benchmark rules (nab.go) and carries the
// rolling-Gaussian baseline detector it is compared with (gaussian.go).
package alerting

import (
	"fmt"
	"time"
)

// Seasonality says which recurring pattern the baseline learns.
type Seasonality string

const (
	// SeasonWeek learns one slot per SlotWidth of the week (hour-of-week by default), falling back to
	// the day's slots and then to a global baseline while a slot has not seen a full week.
	SeasonWeek Seasonality = "week"
	// SeasonDay learns one slot per SlotWidth of the day, falling back to a global baseline.
	SeasonDay Seasonality = "day"
	// SeasonNone keeps a single global baseline.
	SeasonNone Seasonality = "none"
)

// Scoring says how a Detector turns a count, its baseline and its robust variance into a z.
type Scoring string

const (
	// ScoringNormal is the plain robust z: (value − baseline)/σ.
	ScoringNormal Scoring = "normal"
	// ScoringSqrt scores on the square-root scale, where Poisson noise has the same spread at every
	// level: z = 2(√value − √baseline)·√baseline/σ. A small count that triples by chance (4 → 12)
	// scores about 3 instead of 4, but a large sudden jump scores less than its tail probability says.
	ScoringSqrt Scoring = "sqrt"
	// ScoringPoisson scores with the signed root of the quasi-Poisson deviance, dispersion σ²/baseline:
	// a z whose normal tail matches the count's Poisson tail probability, at small and large counts
	// alike.
	ScoringPoisson Scoring = "poisson"
)

// Config tunes a Detector. Start from DefaultConfig and change what you need; Validate names the first
// field that is out of range. Durations are wall-clock time; counts of buckets are integers.
type Config struct {
	// Bucket is the width of one bucket. Default 1m.
	Bucket time.Duration
	// Seasonality is the recurring pattern learnt by the baseline. Default SeasonWeek.
	Seasonality Seasonality
	// SlotWidth is the width of one seasonal slot; it must divide a day. Default 1h (hour-of-week).
	SlotWidth time.Duration
	// Location is the time zone whose clock defines the slots (a brand's home market). Default UTC.
	Location *time.Location
	// SeasonHalfLife is how long a seasonal observation keeps half its weight. Default 336h (two weeks).
	SeasonHalfLife time.Duration
	// LevelHalfLife is the half-life of the short-term level, which follows a day that runs hotter
	// or colder than its season. Default 2h.
	LevelHalfLife time.Duration
	// Warmup is how much data is observed before anything may fire. Default 24h.
	Warmup time.Duration
	// MinVolume is the smallest bucket value that may count towards an alert. Default 5.
	MinVolume float64
	// MinRatio is how many times its baseline a bucket must reach to count towards an alert, so a
	// statistically clear but small rise on a very steady series does not page anyone. Default 1.5.
	MinRatio float64
	// WarnZ is the robust z (excess over the baseline in robust standard deviations) at which a bucket
	// counts as hot. Default 4.
	WarnZ float64
	// TailQuantile holds a hot bucket also to this quantile of the series' own recent robust z
	// (decayed with SeasonHalfLife), so that a bursty series, whose ordinary bursts reach a high z
	// every day, pages no more often than a calm one; 0 disables it. Default 0.995, chosen on the NAB
	// file Twitter_volume_AAPL only (the design file; a plateau for k from 2 to 4), the other NAB
	// files being held out (see `rapport alerts eval`).
	TailQuantile float64
	// CritZ is the robust z from which an alert is critical instead of warning. Default 8.
	CritZ float64
	// ImmediateZ is the immediate tier: a bucket whose score over the last bucket or the sums of the
	// last 2 and 4 buckets reaches this robust z fires at once, without waiting for persistence, if it
	// is also the series' rarest in ImmediateEvery; 0 disables it. Default 8 (CritZ).
	ImmediateZ float64
	// ImmediateEvery holds the immediate tier to the quantile of the series' own immediate scores that
	// ordinary data exceeds once in this long (1 - Bucket/ImmediateEvery), so a series whose bursts
	// reach a high z every day does not page every day; 0 disables the check. Default 168h (a week).
	ImmediateEvery time.Duration
	// CusumShift is the sequential tier: a one-sided Poisson CUSUM of the count against its seasonal
	// baseline, tuned to a rise of the count by this fraction of its baseline (0.5: +50 %), the
	// smallest rise worth paging on; 0 disables it. It catches a rise that builds up over minutes long
	// before any bucket or sum stands out alone. Default 0 (off) here, 0.5 in StreamingConfig: on the
	// NAB files (5-minute buckets) it adds false positives (see docs/ALERTING.md).
	CusumShift float64
	// CusumRunLength is the CUSUM's target in-control run length: its threshold is
	// h = ln(CusumRunLength/Bucket) in log-likelihood-ratio units, so that on Poisson data at the
	// baseline it raises a false alarm at most once in this long (Lorden's bound). The statistic must
	// also exceed the series' own quantile that ordinary data exceeds once in this long, so a series
	// whose level wanders more than its measured spread says does not page more often. Default 720h
	// (30 days).
	CusumRunLength time.Duration
	// Persist is k in "k of the last n buckets must be hot to fire". Default 3.
	Persist int
	// Window is n in "k of the last n buckets", at most 64. Default 5.
	Window int
	// ResolveZ is the robust z under which a bucket counts as calm. Default 2.
	ResolveZ float64
	// ResolveAfter is how many consecutive calm buckets resolve a firing alert. Default 5.
	ResolveAfter int
	// Cooldown is how long after an alert resolves no new alert may fire. Default 1h.
	Cooldown time.Duration
	// ClipZ winsorizes baseline updates at this many robust standard deviations, so a spike moves the
	// baseline by a bounded amount. Default 3.
	ClipZ float64
	// ShareZ is, in share mode, the robust z of the negative share over its own baseline that a hot
	// bucket must also reach. Default 3.
	ShareZ float64
	// MaxScale also scores the sums of the last 4, 16, … buckets up to MaxScale buckets (at most 64)
	// against the sums of their baselines, and takes the largest robust z: a burst that ramps up over
	// minutes stands out in the sum long before any single bucket does. 1 scores single buckets only.
	// Each bucket adds at most ClipZ robust standard deviations to a sum, so a single burst does not
	// carry the sums after it. Default 16.
	MaxScale int
	// Scoring is how a count (or a sum of counts) is scored against its baseline and robust variance.
	// Default ScoringNormal.
	Scoring Scoring
	// MinShareTotal is, in share mode, the smallest total below which a bucket's share is too noisy
	// to learn from or to alert on. Default 20.
	MinShareTotal float64
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		Bucket:         time.Minute,
		Seasonality:    SeasonWeek,
		SlotWidth:      time.Hour,
		Location:       time.UTC,
		SeasonHalfLife: 14 * 24 * time.Hour,
		LevelHalfLife:  2 * time.Hour,
		Warmup:         24 * time.Hour,
		MinVolume:      5,
		MinRatio:       1.5,
		WarnZ:          4,
		TailQuantile:   0.995,
		CritZ:          8,
		ImmediateZ:     8,
		ImmediateEvery: 7 * 24 * time.Hour,
		CusumShift:     0,
		CusumRunLength: 30 * 24 * time.Hour,
		Persist:        3,
		Window:         5,
		ResolveZ:       2,
		ResolveAfter:   5,
		Cooldown:       time.Hour,
		ClipZ:          3,
		ShareZ:         3,
		MinShareTotal:  20,
		MaxScale:       16,
		Scoring:        ScoringNormal,
	}
}

// Validate returns an error naming the first field out of range.
func (c Config) Validate() error {
	day := 24 * time.Hour
	switch {
	case c.Bucket <= 0:
		return fmt.Errorf("alerting.bucket: must be positive, got %v", c.Bucket)
	case c.Seasonality != SeasonWeek && c.Seasonality != SeasonDay && c.Seasonality != SeasonNone:
		return fmt.Errorf("alerting.seasonality: must be week, day or none, got %q", c.Seasonality)
	case c.SlotWidth < c.Bucket || c.SlotWidth > day || day%c.SlotWidth != 0:
		return fmt.Errorf("alerting.slot_width: must divide 24h and be at least the bucket (%v), got %v", c.Bucket, c.SlotWidth)
	case c.SlotWidth%time.Second != 0:
		return fmt.Errorf("alerting.slot_width: must be whole seconds, got %v", c.SlotWidth)
	case c.Location == nil:
		return fmt.Errorf("alerting.location: must be set (time.UTC for UTC)")
	case c.SeasonHalfLife < c.Bucket:
		return fmt.Errorf("alerting.season_half_life: must be at least the bucket (%v), got %v", c.Bucket, c.SeasonHalfLife)
	case c.LevelHalfLife < c.Bucket:
		return fmt.Errorf("alerting.level_half_life: must be at least the bucket (%v), got %v", c.Bucket, c.LevelHalfLife)
	case c.Warmup < 0:
		return fmt.Errorf("alerting.warmup: must not be negative, got %v", c.Warmup)
	case !(c.MinVolume >= 0):
		return fmt.Errorf("alerting.min_volume: must not be negative, got %v", c.MinVolume)
	case !(c.MinRatio >= 1):
		return fmt.Errorf("alerting.min_ratio: must be at least 1, got %v", c.MinRatio)
	case !(c.WarnZ > 0):
		return fmt.Errorf("alerting.warn_z: must be positive, got %v", c.WarnZ)
	case c.TailQuantile != 0 && !(c.TailQuantile >= 0.5 && c.TailQuantile < 1):
		return fmt.Errorf("alerting.tail_quantile: must be 0 (off) or in [0.5, 1), got %v", c.TailQuantile)
	case !(c.CritZ >= c.WarnZ):
		return fmt.Errorf("alerting.crit_z: must be at least warn_z (%v), got %v", c.WarnZ, c.CritZ)
	case c.ImmediateZ != 0 && !(c.ImmediateZ >= c.WarnZ):
		return fmt.Errorf("alerting.immediate_z: must be 0 (off) or at least warn_z (%v), got %v", c.WarnZ, c.ImmediateZ)
	case c.ImmediateEvery != 0 && c.ImmediateEvery < c.Bucket:
		return fmt.Errorf("alerting.immediate_every: must be 0 (off) or at least the bucket (%v), got %v", c.Bucket, c.ImmediateEvery)
	case !(c.CusumShift >= 0 && c.CusumShift <= 10):
		return fmt.Errorf("alerting.cusum_shift: must be 0 (off) or a relative rise up to 10, got %v", c.CusumShift)
	case c.CusumShift > 0 && c.CusumRunLength < 2*c.Bucket:
		return fmt.Errorf("alerting.cusum_run_length: must be at least two buckets (%v), got %v", 2*c.Bucket, c.CusumRunLength)
	case c.Window < 1 || c.Window > 64:
		return fmt.Errorf("alerting.window: must be between 1 and 64 buckets, got %d", c.Window)
	case c.Persist < 1 || c.Persist > c.Window:
		return fmt.Errorf("alerting.persist: must be between 1 and window (%d), got %d", c.Window, c.Persist)
	case !(c.ResolveZ >= 0 && c.ResolveZ <= c.WarnZ):
		return fmt.Errorf("alerting.resolve_z: must be between 0 and warn_z (%v), got %v", c.WarnZ, c.ResolveZ)
	case c.ResolveAfter < 1:
		return fmt.Errorf("alerting.resolve_after: must be at least 1 bucket, got %d", c.ResolveAfter)
	case c.Cooldown < 0:
		return fmt.Errorf("alerting.cooldown: must not be negative, got %v", c.Cooldown)
	case !(c.ClipZ >= 1):
		return fmt.Errorf("alerting.clip_z: must be at least 1, got %v", c.ClipZ)
	case !(c.ShareZ > 0):
		return fmt.Errorf("alerting.share_z: must be positive, got %v", c.ShareZ)
	case c.Scoring != ScoringNormal && c.Scoring != ScoringSqrt && c.Scoring != ScoringPoisson:
		return fmt.Errorf("alerting.scoring: must be normal, sqrt or poisson, got %q", c.Scoring)
	case c.MaxScale < 1 || c.MaxScale > 64:
		return fmt.Errorf("alerting.max_scale: must be between 1 and 64 buckets, got %d", c.MaxScale)
	case !(c.MinShareTotal >= 1):
		return fmt.Errorf("alerting.min_share_total: must be at least 1, got %v", c.MinShareTotal)
	}
	return nil
}
