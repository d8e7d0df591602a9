package alerting

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// DefaultHistory is how much stored history a restarted stage replays by default: one week, so that every
// hour-of-week slot of the seasonal baseline has seen a full slot of buckets again (baseline.go trusts a
// week slot after SlotWidth/Bucket observations) and the immediate tier's weekly quantile has a week of
// scores.
const DefaultHistory = 7 * 24 * time.Hour

// Warmup makes a (re)started Stage alert as the stage it replaces did: before its first batch, the stage
// replays the stored posts of the last History through its monitor in silent mode (the detectors learn,
// no notice is delivered), then makes its open alerts agree with the alerts delivered before the restart
// (Monitor.Reconcile).
type Warmup struct {
	// History is how much event time before the first batch is replayed; 0 disables the replay (Prior
	// is still reconciled). Default in the pipeline DefaultHistory, at least the detector's Warmup.
	History time.Duration
	// Chunk is the event time read per Load call, so that the store never sorts more than this at once.
	// Default 1h.
	Chunk time.Duration
	// Load streams the stored posts with from <= CreatedAt < to to fn, ordered by CreatedAt and then
	// UID, and returns fn's first error. A failed call is retried (processors.Retry) from the same from:
	// posts already fed are skipped by their (CreatedAt, UID).
	Load func(ctx context.Context, from, to time.Time, fn func(*post.Post) error) error
	// Hours, when set, returns how many posts each hour of [from, to) holds (hours that hold none may be
	// left out; counts may be approximate). The replay then skips empty hours and reads consecutive hours
	// together, up to ChunkPosts posts per Load call, so a week of history costs a few reads, not one per
	// hour.
	Hours func(ctx context.Context, from, to time.Time) ([]HourCount, error)
	// ChunkPosts bounds the posts of one Load call when Hours is set. Default 200000.
	ChunkPosts int
	// Prior returns the alerts delivered before the restart that may still matter: those still open and
	// those resolved at or after resolvedSince. Nil: none are known, the replay's own states are kept.
	Prior func(ctx context.Context, resolvedSince time.Time) ([]PriorAlert, error)
	// Log receives one line per warm-up and one per retried read. Default: none.
	Log *zap.Logger
}

// HourCount is the number of stored posts created in the hour starting at Hour.
type HourCount struct {
	Hour  time.Time
	Posts uint64
}

// chunks returns the [from, to) ranges to read: one per chunk of event time without hour counts, else
// consecutive hours with posts grouped up to maxPosts, clamped to [from, to).
func chunks(from, to time.Time, chunk time.Duration, hours []HourCount, counted bool, maxPosts int) [][2]time.Time {
	var out [][2]time.Time
	if !counted {
		for c := from; c.Before(to); c = c.Add(chunk) {
			out = append(out, [2]time.Time{c, minTime(c.Add(chunk), to)})
		}
		return out
	}
	var cur [2]time.Time
	var n uint64
	open := false
	for _, h := range hours {
		start, end := maxTime(h.Hour, from), minTime(h.Hour.Add(time.Hour), to)
		if !start.Before(end) || h.Posts == 0 {
			continue
		}
		if open && n+h.Posts > uint64(maxPosts) {
			out = append(out, cur)
			open = false
		}
		if !open {
			cur, n, open = [2]time.Time{start, end}, 0, true
		}
		cur[1] = end
		n += h.Posts
	}
	if open {
		out = append(out, cur)
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// PriorAlert is an alert delivered before a restart, as the alerts table holds it (its latest notice).
type PriorAlert struct {
	ID    string
	Scope Scope
	// Severity is the latest severity; Peak the highest score.
	Severity Severity
	Peak     float64
	// StartedAt and FiredAt as in the notice; ResolvedAt is zero while the alert is open.
	StartedAt, FiredAt, ResolvedAt time.Time
	// Negative and Total count the posts of the alert's run so far.
	Negative, Total int
}

// ParseSeverity is the inverse of Severity.String (unknown names: SeverityWarning).
func ParseSeverity(s string) Severity {
	if s == SeverityCritical.String() {
		return SeverityCritical
	}
	return SeverityWarning
}

// Reconciled says what Monitor.Reconcile changed.
type Reconciled struct {
	// Resumed counts open prior alerts the monitor now carries on (firing, with the prior id), Dropped the
	// replay's open alerts that were never delivered or already resolved (the series waits to fire
	// again, or cools down), Cooling the series held quiet until a prior alert's cooldown ends.
	Resumed, Dropped, Cooling int
}

// Reconcile makes the monitor's open alerts those delivered before a restart, so that an incident that
// was already alerted does not page again and its resolution carries the id it was delivered with:
//
//   - a scope with an open prior alert is firing with that alert (its id, start, severity and peak),
//     whatever the replay decided;
//   - a scope the replay left firing without an open prior alert is set back to calm: if the prior alert
//     with the same id was resolved, the cooldown from its resolution applies, otherwise the alert was
//     never delivered and the series fires again, with a notice, if the incident goes on;
//   - a scope whose prior alert resolved less than Cooldown ago stays quiet until the cooldown ends.
//
// Prior alerts of scopes the configuration does not watch (by_product, by_network off) are ignored.
// Series folded into another alert of their brand (Group) are left as they are.
func (m *Monitor) Reconcile(prior []PriorAlert) Reconciled {
	var r Reconciled
	open := map[Scope]PriorAlert{}
	resolved := map[string]time.Time{}
	for _, p := range prior {
		if !m.watches(p.Scope) {
			continue
		}
		if p.ResolvedAt.IsZero() {
			if q, ok := open[p.Scope]; !ok || p.FiredAt.After(q.FiredAt) {
				open[p.Scope] = p
			}
			continue
		}
		resolved[p.ID] = p.ResolvedAt
	}
	cool := m.cfg.Detector.Cooldown
	for _, s := range m.order {
		if _, ok := open[s.scope]; ok || !s.firing || s.folded {
			continue
		}
		until := time.Time{}
		if at, ok := resolved[AlertID(s.scope, s.alert().Start)]; ok {
			until = at.Add(cool)
		}
		s.det.calmDown(until)
		s.firing, s.early = false, Alert{}
		m.open[s.scope.Brand]--
		r.Dropped++
	}
	for _, p := range prior {
		if !m.watches(p.Scope) || p.ResolvedAt.IsZero() {
			continue
		}
		if s := m.series[p.Scope]; s != nil && !s.firing && s.det.coolDown(p.ResolvedAt.Add(cool), p.Peak) {
			r.Cooling++
		}
		if m.cfg.Group {
			m.coolFamily(p.Scope.Brand, p.ResolvedAt.Add(cool))
		}
	}
	for _, sc := range sortedScopes(open) {
		p := open[sc]
		s := m.ensure(sc)
		if s == nil {
			continue
		}
		if s.firing && !s.folded && AlertID(sc, s.alert().Start) == p.ID {
			continue
		}
		s.det.resume(Alert{Start: p.StartedAt, FiredAt: p.FiredAt, Severity: p.Severity, Score: p.Peak, Peak: p.Peak})
		s.early = Alert{} // the prior alert wins over the one the replay's open bucket fired
		if !s.firing || s.folded {
			m.open[sc.Brand]++
		}
		s.firing, s.folded = true, false
		s.runNeg, s.runTot = p.Negative, p.Total
		r.Resumed++
	}
	return r
}

// OpenAlert is an alert a monitor has open and delivered (not folded).
type OpenAlert struct {
	ID       string
	Scope    Scope
	Severity Severity
}

// Open returns the monitor's open, not folded, alerts in series order.
func (m *Monitor) Open() []OpenAlert {
	var out []OpenAlert
	for _, s := range m.order {
		if s.firing && !s.folded {
			a := s.alert()
			out = append(out, OpenAlert{ID: AlertID(s.scope, a.Start), Scope: s.scope, Severity: a.Severity})
		}
	}
	return out
}

// watches says whether the configuration keeps a series for sc.
func (m *Monitor) watches(sc Scope) bool {
	return sc.Brand != "" && (sc.Product == "" || m.cfg.ByProduct) && (sc.Network == "" || m.cfg.ByNetwork) &&
		(sc.Product == "" || sc.Network == "")
}

// ensure returns sc's series, created if missing; nil when MaxSeries is reached.
func (m *Monitor) ensure(sc Scope) *series {
	if s := m.series[sc]; s != nil {
		return s
	}
	if len(m.order) >= m.cfg.MaxSeries {
		m.Unwatched++
		return nil
	}
	cfg := m.cfg.Detector
	if sc.Product != "" || sc.Network != "" {
		cfg = m.narrow
	}
	d, _ := New(cfg) // validated in NewMonitor
	s := &series{scope: sc, det: d, recent: make([]Observation, 0, min(m.cfg.Keep, 64))}
	m.series[sc] = s
	m.order = append(m.order, s)
	return s
}

func sortedScopes(m map[Scope]PriorAlert) []Scope {
	out := make([]Scope, 0, len(m))
	for sc := range m {
		out = append(out, sc)
	}
	for i := 1; i < len(out); i++ { // insertion sort: a handful of open alerts
		for j := i; j > 0 && out[j].Key() < out[j-1].Key(); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// resume puts the detector into the firing state with alert a, as if it had fired it.
func (d *Detector) resume(a Alert) {
	d.state, d.alert, d.calm, d.cusum, d.hot = StateFiring, a, 0, 0, 0
}

// calmDown ends the detector's open alert without a notice and keeps it quiet until until (zero: no
// cooldown): the next hot buckets start a new run.
func (d *Detector) calmDown(until time.Time) {
	d.state, d.calm, d.cusum, d.hot = StateOK, 0, 0, 0
	d.coolDown(until, d.alert.Peak)
	d.alert = Alert{}
}

// warmUp replays the stored history before the first batch, posts, and reconciles the open alerts.
func (s *Stage) warmUp(ctx context.Context, posts []*post.Post) error {
	w := s.Warm
	log := w.Log
	if log == nil {
		log = zap.NewNop()
	}
	now := s.now()
	// The replay ends where the stream starts: at the earliest post of the first batch, or, without one,
	// at the wall clock less the lateness. A post the store holds from then on comes again in the stream.
	var to time.Time
	for _, p := range posts {
		if !p.CreatedAt.IsZero() && !p.CreatedAt.After(now.Add(s.MaxSkew)) && (to.IsZero() || p.CreatedAt.Before(to)) {
			to = p.CreatedAt
		}
	}
	if to.IsZero() {
		to = now.Add(-s.mon.cfg.Lateness)
	}
	from := to.Add(-w.History)
	chunk := w.Chunk
	if chunk <= 0 {
		chunk = time.Hour
	}
	began := time.Now()
	var n int
	var lastAt time.Time
	var lastUID uint64
	fed := false
	feed := func(p *post.Post) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		uid := p.UID()
		if fed && (p.CreatedAt.Before(lastAt) || p.CreatedAt.Equal(lastAt) && uid <= lastUID) {
			return nil // fed before a failed read was retried
		}
		fed, lastAt, lastUID = true, p.CreatedAt, uid
		n++
		s.observe(p, now, true)
		return nil
	}
	if w.History > 0 && w.Load != nil {
		var hours []HourCount
		if w.Hours != nil {
			err := processors.Retry(ctx, func(ctx context.Context) error {
				var err error
				hours, err = w.Hours(ctx, from, to)
				return err
			}, func(err error) {
				s.m.WarmErrors.Inc()
				log.Warn("counting stored posts to warm up; retrying", zap.Error(err))
			})
			if err != nil {
				return fmt.Errorf("counting stored posts of %s to %s: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
			}
		}
		maxPosts := w.ChunkPosts
		if maxPosts <= 0 {
			maxPosts = 200000
		}
		for _, r := range chunks(from, to, chunk, hours, w.Hours != nil, maxPosts) {
			c, end := r[0], r[1]
			err := processors.Retry(ctx, func(ctx context.Context) error { return w.Load(ctx, c, end, feed) }, func(err error) {
				s.m.WarmErrors.Inc()
				log.Warn("reading stored posts to warm up; retrying", zap.Time("from", c), zap.Time("to", end), zap.Error(err))
			})
			if err != nil {
				return fmt.Errorf("warming up from stored posts of %s to %s: %w", c.Format(time.RFC3339), end.Format(time.RFC3339), err)
			}
		}
	}
	var rec Reconciled
	if w.Prior != nil {
		var prior []PriorAlert
		err := processors.Retry(ctx, func(ctx context.Context) error {
			var err error
			prior, err = w.Prior(ctx, to.Add(-s.mon.cfg.Detector.Cooldown))
			return err
		}, func(err error) {
			s.m.WarmErrors.Inc()
			log.Warn("reading the alerts delivered before the restart; retrying", zap.Error(err))
		})
		if err != nil {
			return fmt.Errorf("reading the alerts delivered before the restart: %w", err)
		}
		rec = s.mon.Reconcile(prior)
	}
	open := s.mon.Open()
	for _, a := range open {
		s.m.Firing.WithLabelValues(a.Scope.Brand, a.Severity.String()).Inc()
	}
	took := time.Since(began)
	s.m.WarmPosts.Add(float64(n))
	s.m.WarmSeconds.Set(took.Seconds())
	log.Info("alert detector warmed up from stored posts", zap.Int("posts", n), zap.Time("from", from), zap.Time("to", to),
		zap.Int("series", s.mon.Series()), zap.Int("open_alerts", len(open)), zap.Int("resumed", rec.Resumed),
		zap.Int("dropped", rec.Dropped), zap.Int("cooling", rec.Cooling), zap.Duration("took", took))
	return nil
}
