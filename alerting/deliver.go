package alerting

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Destination receives alert notices: a Kafka topic, the ClickHouse table, a webhook.
type Destination interface {
	// Name identifies the destination in metrics and logs.
	Name() string
	// Deliver sends one notice; an error wrapping ErrPermanent is not retried.
	Deliver(ctx context.Context, n Notice) error
}

// Limited is a Destination with its own attempts and per-attempt timeout (a webhook's settings); zero
// values keep the dispatcher's.
type Limited interface {
	Limits() (attempts int, timeout time.Duration)
}

// ErrPermanent marks a delivery error that a retry cannot fix (a receiver rejecting the payload).
var ErrPermanent = errors.New("permanent delivery error")

// DispatchConfig tunes a Dispatcher.
type DispatchConfig struct {
	// QueueSize is how many notices wait per destination; when full, new notices are dropped and
	// counted. Default 1000.
	QueueSize int
	// Attempts per notice and destination, and the per-attempt timeout. Default 5 and 10s.
	Attempts int
	Timeout  time.Duration
	// Backoff is the first delay between attempts, doubled each time up to MaxBackoff, with full
	// jitter. Default 500ms and 30s.
	Backoff, MaxBackoff time.Duration
}

func (c *DispatchConfig) defaults() {
	if c.QueueSize <= 0 {
		c.QueueSize = 1000
	}
	if c.Attempts <= 0 {
		c.Attempts = 5
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Backoff <= 0 {
		c.Backoff = 500 * time.Millisecond
	}
	if c.MaxBackoff < c.Backoff {
		c.MaxBackoff = max(30*time.Second, c.Backoff)
	}
}

// Dispatcher delivers notices to its destinations, each from its own goroutine and bounded queue, so a
// slow or dead receiver delays neither the pipeline nor the other destinations. Offer never blocks.
// Run owns the goroutines: it returns after Close once the queues are drained, or when its ctx ends.
type Dispatcher struct {
	cfg    DispatchConfig
	dests  []Destination
	queues []chan queued
	m      *Metrics
	log    *zap.Logger
	mu     sync.Mutex
	closed bool
}

type queued struct {
	n  Notice
	at time.Time
}

// NewDispatcher returns a dispatcher to dests; a Limited destination overrides the attempts and the
// timeout. m and log may be nil.
func NewDispatcher(cfg DispatchConfig, m *Metrics, log *zap.Logger, dests ...Destination) *Dispatcher {
	cfg.defaults()
	if m == nil {
		m = NewMetrics(nil)
	}
	if log == nil {
		log = zap.NewNop()
	}
	d := &Dispatcher{cfg: cfg, dests: dests, m: m, log: log}
	for range dests {
		d.queues = append(d.queues, make(chan queued, cfg.QueueSize))
	}
	return d
}

// Offer queues n for every destination without blocking; a full queue drops n for that destination.
func (d *Dispatcher) Offer(n Notice) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		for _, dst := range d.dests {
			d.m.Dropped.WithLabelValues(dst.Name()).Inc()
		}
		return
	}
	q := queued{n: n, at: time.Now()}
	for i, ch := range d.queues {
		select {
		case ch <- q:
		default:
			d.m.Dropped.WithLabelValues(d.dests[i].Name()).Inc()
			d.log.Warn("alert queue full, notice dropped", zap.String("destination", d.dests[i].Name()), zap.String("alert_id", n.ID))
		}
	}
}

// Close stops accepting notices; Run delivers what is queued and returns.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed {
		d.closed = true
		for _, ch := range d.queues {
			close(ch)
		}
	}
}

// Run delivers until Close was called and the queues are empty, or ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range d.dests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.worker(ctx, d.dests[i], d.queues[i])
		}()
	}
	wg.Wait()
}

func (d *Dispatcher) worker(ctx context.Context, dst Destination, ch <-chan queued) {
	for {
		select {
		case <-ctx.Done():
			return
		case q, ok := <-ch:
			if !ok {
				return
			}
			err := d.deliver(ctx, dst, q.n)
			if err != nil {
				d.m.Deliveries.WithLabelValues(dst.Name(), "failed").Inc()
				d.log.Error("alert not delivered", zap.String("destination", dst.Name()), zap.String("alert_id", q.n.ID), zap.Error(err))
				continue
			}
			d.m.Deliveries.WithLabelValues(dst.Name(), "ok").Inc()
			d.m.Latency.WithLabelValues(dst.Name()).Observe(time.Since(q.at).Seconds())
		}
	}
}

func (d *Dispatcher) deliver(ctx context.Context, dst Destination, n Notice) error {
	back := d.cfg.Backoff
	attempts, timeout := d.cfg.Attempts, d.cfg.Timeout
	if l, ok := dst.(Limited); ok {
		if a, t := l.Limits(); a > 0 || t > 0 {
			attempts, timeout = max(a, 1), cmpOr(t, timeout)
		}
	}
	var err error
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		err = dst.Deliver(actx, n)
		cancel()
		if err == nil || errors.Is(err, ErrPermanent) || attempt >= attempts {
			return err
		}
		wait := time.Duration(rand.Int64N(int64(back)) + 1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		back = min(2*back, d.cfg.MaxBackoff)
	}
}

func cmpOr(a, b time.Duration) time.Duration {
	if a > 0 {
		return a
	}
	return b
}
