package alerting

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
)

// Metrics are the alerting stage's and the dispatcher's domain metrics. Labels: brand (bounded by the
// catalogue), severity, event, destination and result; never an author or a customer.
type Metrics struct {
	Notices    *prometheus.CounterVec   // rapport_alerts_notices_total{brand,severity,event}
	Firing     *prometheus.GaugeVec     // rapport_alerts_firing{brand,severity}
	Series     prometheus.Gauge         // rapport_alerts_series
	Late       prometheus.Counter       // rapport_alerts_late_posts_total
	Skipped    *prometheus.CounterVec   // rapport_alerts_skipped_posts_total{reason}
	Deliveries *prometheus.CounterVec   // rapport_alerts_deliveries_total{destination,result}
	Dropped    *prometheus.CounterVec   // rapport_alerts_dropped_total{destination}
	Latency    *prometheus.HistogramVec // rapport_alerts_delivery_seconds{destination}
	Lag        prometheus.Gauge         // rapport_alerts_watermark_lag_seconds
	// The warm-up from stored posts after a start (Warmup).
	WarmPosts   prometheus.Counter // rapport_alerts_warmup_posts_total
	WarmSeconds prometheus.Gauge   // rapport_alerts_warmup_seconds
	WarmErrors  prometheus.Counter // rapport_alerts_warmup_errors_total
}

// NewMetrics registers the metrics on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Notices: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_alerts_notices_total",
			Help: "Alert notices by brand, severity and event (fired, escalated, resolved)."}, []string{"brand", "severity", "event"}),
		Firing: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rapport_alerts_firing",
			Help: "Series with an open negative-spike alert, by brand and severity."}, []string{"brand", "severity"}),
		Series: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_alerts_series",
			Help: "Series (brand, product, network scopes) the alerting stage watches."}),
		Late: prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_alerts_late_posts_total",
			Help: "Posts older than the open bucket, counted by no series."}),
		Skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_alerts_skipped_posts_total",
			Help: "Posts that are not opinions or cannot be placed: duplicate, spam, brand, bot, no_brand, bad_time."}, []string{"reason"}),
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_alerts_deliveries_total",
			Help: "Alert notices delivered (ok) or given up (failed) per destination."}, []string{"destination", "result"}),
		Dropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_alerts_dropped_total",
			Help: "Alert notices dropped because a destination's queue was full."}, []string{"destination"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rapport_alerts_delivery_seconds",
			Help: "Time from queueing a notice to its delivery, retries included.", Buckets: prometheus.ExponentialBuckets(0.005, 4, 9)}, []string{"destination"}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_alerts_watermark_lag_seconds",
			Help: "Wall-clock time minus the latest event time the alerting stage has seen."}),
		WarmPosts: prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_alerts_warmup_posts_total",
			Help: "Stored posts replayed, silently, to warm the detectors up after a start."}),
		WarmSeconds: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_alerts_warmup_seconds",
			Help: "How long the last warm-up from stored posts took."}),
		WarmErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_alerts_warmup_errors_total",
			Help: "Reads of stored posts or alerts for the warm-up that failed and were retried."}),
	}
	if reg != nil {
		reg.MustRegister(m.Notices, m.Firing, m.Series, m.Late, m.Skipped, m.Deliveries, m.Dropped, m.Latency, m.Lag,
			m.WarmPosts, m.WarmSeconds, m.WarmErrors)
	}
	return m
}

// Stage is the pipeline stage that watches scored posts for negative spikes. It passes every post on
// untouched and hands each notice to deliver, which must not block (Dispatcher.Offer).
type Stage struct {
	mon         *Monitor
	deliver     func(Notice)
	m           *Metrics
	now         func() time.Time
	competitors bool
	// MaxSkew: posts dated further than this in the future of the wall clock are skipped, so one bad
	// clock cannot close every bucket. Default 5m.
	MaxSkew time.Duration
	// Warm, when set, replays stored history before the first batch (see Warmup). Default nil: the
	// detectors start empty and wait for their warm-up in event time.
	Warm   *Warmup
	warmed bool
	obs    []Observation
}

// NewStage returns the stage. now is the wall clock (nil: time.Now).
func NewStage(mon *Monitor, deliver func(Notice), m *Metrics, now func() time.Time) *Stage {
	if now == nil {
		now = time.Now
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Stage{mon: mon, deliver: deliver, m: m, now: now, competitors: mon.Config().Competitors, MaxSkew: 5 * time.Minute}
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "alerts" }

// Process implements processors.Stage: it observes the batch and returns it unchanged. With Warm set,
// the first batch waits for the warm-up, which retries while the store is unavailable; Process fails only
// when ctx ends first.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if s.Warm != nil && !s.warmed {
		if err := s.warmUp(ctx, posts); err != nil {
			return nil, err
		}
		s.warmed = true
	}
	now := s.now()
	for _, p := range posts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		s.observe(p, now, false)
	}
	s.m.Series.Set(float64(s.mon.Series()))
	if !s.mon.maxSeen.IsZero() {
		s.m.Lag.Set(now.Sub(s.mon.maxSeen).Seconds())
	}
	return posts, nil
}

// observe feeds p to the monitor. Silent (a replay of stored posts): nothing is counted or delivered.
func (s *Stage) observe(p *post.Post, now time.Time, silent bool) {
	skip := func(reason string) {
		if !silent {
			s.m.Skipped.WithLabelValues(reason).Inc()
		}
	}
	if reason := skipReason(p); reason != "" {
		skip(reason)
		return
	}
	if p.CreatedAt.IsZero() || p.CreatedAt.After(now.Add(s.MaxSkew)) {
		skip("bad_time")
		return
	}
	s.obs = Observations(s.obs[:0], p, s.competitors)
	if len(s.obs) == 0 {
		skip("no_brand")
	}
	for _, o := range s.obs {
		notices, err := s.mon.Observe(o)
		if silent {
			continue
		}
		if errors.Is(err, ErrTooLate) {
			s.m.Late.Inc()
		}
		for _, n := range notices {
			s.emit(n)
		}
	}
}

func (s *Stage) emit(n Notice) {
	s.m.Notices.WithLabelValues(n.Brand, n.Severity, n.Event).Inc()
	switch n.Event {
	case "fired":
		s.m.Firing.WithLabelValues(n.Brand, n.Severity).Inc()
	case "escalated":
		s.m.Firing.WithLabelValues(n.Brand, SeverityWarning.String()).Dec()
		s.m.Firing.WithLabelValues(n.Brand, n.Severity).Inc()
	case "resolved":
		s.m.Firing.WithLabelValues(n.Brand, n.Severity).Dec()
	}
	if s.deliver != nil {
		s.deliver(n)
	}
}

// skipReason says why p is not an opinion to count, or "".
func skipReason(p *post.Post) string {
	switch {
	case p.Action == post.ActionDelete:
		return "delete"
	case p.Dup.Spam:
		return "spam"
	case p.Dup.Level > 0 || p.Refs.RepostOfID != "":
		return "duplicate"
	case p.Author.Brand:
		return "brand"
	case p.Author.Bot:
		return "bot"
	}
	return ""
}

// Observations appends to dst one observation per brand p mentions (competitors only when asked), with
// the first product of that brand it mentions. A brand's sentiment is the one aimed at it when the
// sentiment stage scored the entity, else the post's.
func Observations(dst []Observation, p *post.Post, competitors bool) []Observation {
	var phrases []string
	if p.Sentiment != nil {
		phrases = append(phrases, p.Sentiment.Drivers...)
	}
	for _, sg := range p.Signals {
		if sg.Kind == post.SignalComplaint || sg.Kind == post.SignalChurn {
			phrases = append(phrases, sg.Phrase)
		}
	}
	var ents []string
	for _, e := range p.Entities {
		ents = append(ents, e.ID)
	}
	for i, e := range p.Entities {
		if e.Kind != post.EntityBrand && e.Kind != post.EntityProduct {
			continue
		}
		if e.Competitor && !competitors {
			continue
		}
		seen := false
		for _, o := range dst {
			if o.Brand == e.Brand {
				seen = true
			}
		}
		if seen || e.Brand == "" {
			continue
		}
		o := Observation{Time: p.CreatedAt, Brand: e.Brand, Network: string(p.Network),
			UID: p.UID(), PostID: p.ID, URL: p.URL, Author: p.Author.Handle, Followers: p.Author.Followers,
			Influence: p.Influence, Text: p.Text, Phrases: phrases, Entities: ents}
		o.Reach = ReachWeight(o.Followers, o.Influence)
		var sent *post.Entity
		for j := i; j < len(p.Entities); j++ {
			f := &p.Entities[j]
			if f.Brand != e.Brand {
				continue
			}
			if f.Kind == post.EntityProduct && o.Product == "" {
				o.Product = f.ID
			}
			if f.Scored && sent == nil {
				sent = f
			}
		}
		switch {
		case sent != nil:
			o.Scored, o.Negative = true, sent.Label < 0
		case p.Sentiment != nil:
			o.Scored, o.Negative = true, p.Sentiment.Label < 0
		}
		dst = append(dst, o)
	}
	return dst
}
