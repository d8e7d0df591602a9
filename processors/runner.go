package processors

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// Metrics are the framework's per-stage measurements. Stages add only domain metrics of their own.
type Metrics struct {
	postsIn  *prometheus.CounterVec
	postsOut *prometheus.CounterVec
	errors   *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	queue    *prometheus.GaugeVec
}

// NewMetrics registers the runner's metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		postsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_stage_posts_in_total", Help: "Posts handed to a stage.",
		}, []string{"stage"}),
		postsOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_stage_posts_out_total", Help: "Posts a stage passed on.",
		}, []string{"stage"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_stage_errors_total", Help: "Batches a stage failed to process.",
		}, []string{"stage"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rapport_stage_batch_duration_seconds",
			Help:    "Time a stage spent on one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"stage"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rapport_stage_queue_batches",
			Help: "Batches waiting in front of a stage; a queue at its capacity means the stage (or one after it) is the bottleneck.",
		}, []string{"stage"}),
	}
	if reg != nil {
		reg.MustRegister(m.postsIn, m.postsOut, m.errors, m.latency, m.queue)
	}
	return m
}

// Runner chains stages: ingest → stage 1 → … → stage n → out. Each stage runs in its own goroutine with a
// bounded queue in front of it, so stages work on different batches at the same time, and a slow consumer
// of out fills the queues and so blocks the producer of in: memory stays bounded by
// (len(stages)+1) × QueueDepth batches plus what each goroutine holds.
type Runner struct {
	stages     []Stage
	queueDepth int
	metrics    *Metrics
	log        *zap.Logger
}

// DefaultQueueDepth is the default number of batches queued in front of each stage.
const DefaultQueueDepth = 4

// NewRunner returns a runner of stages in order. queueDepth ≤ 0 means DefaultQueueDepth. metrics may be nil.
func NewRunner(stages []Stage, queueDepth int, metrics *Metrics, log *zap.Logger) *Runner {
	if queueDepth <= 0 {
		queueDepth = DefaultQueueDepth
	}
	if metrics == nil {
		metrics = NewMetrics(nil)
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Runner{stages: stages, queueDepth: queueDepth, metrics: metrics, log: log}
}

// QueueDepth returns the capacity of each inter-stage queue, for callers that size their own channels alike.
func (r *Runner) QueueDepth() int { return r.queueDepth }

// Run moves batches from in through the stages to out until in is closed and everything is drained (then it
// closes out and returns nil), a stage fails (it returns that error), or ctx is cancelled (it returns
// ctx.Err()). Run owns out and closes it in every case; it never closes in. Draining on close is how a
// graceful shutdown flushes: the caller stops fetching and closes in, and Run returns once the last batch
// reached out.
func (r *Runner) Run(parent context.Context, in <-chan *Batch, out chan<- *Batch) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}

	src := in
	for i, s := range r.stages {
		var (
			dst  = out
			next chan *Batch
		)
		if i < len(r.stages)-1 {
			next = make(chan *Batch, r.queueDepth)
			dst = next
		}
		wg.Add(1)
		go func(s Stage, src <-chan *Batch, dst chan<- *Batch) {
			defer wg.Done()
			defer close(dst)
			if err := r.runStage(ctx, s, src, dst); err != nil {
				fail(err)
			}
		}(s, src, dst)
		src = next
	}
	if len(r.stages) == 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(out)
			if err := forward(ctx, in, out); err != nil {
				fail(err)
			}
		}()
	}
	wg.Wait()
	// A cancelled parent is a requested stop; anything else that ended the run is a stage's failure, even
	// an error that wraps context.Canceled from the stage's own machinery.
	if err := parent.Err(); err != nil {
		return err
	}
	return firstErr
}

func (r *Runner) runStage(ctx context.Context, s Stage, src <-chan *Batch, dst chan<- *Batch) error {
	name := s.Name()
	var (
		in   = r.metrics.postsIn.WithLabelValues(name)
		out  = r.metrics.postsOut.WithLabelValues(name)
		errs = r.metrics.errors.WithLabelValues(name)
		lat  = r.metrics.latency.WithLabelValues(name)
		q    = r.metrics.queue.WithLabelValues(name)
	)
	for {
		q.Set(float64(len(src)))
		var b *Batch
		select {
		case <-ctx.Done():
			return ctx.Err()
		case next, ok := <-src:
			if !ok {
				return nil
			}
			b = next
		}
		in.Add(float64(len(b.Posts)))
		start := time.Now()
		posts, err := s.Process(ctx, b.Posts)
		lat.Observe(time.Since(start).Seconds())
		if err != nil {
			errs.Inc()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r.log.Error("stage failed; stopping the pipeline", zap.String("stage", name), zap.Error(err))
			return fmt.Errorf("stage %s: %w", name, err)
		}
		b.Posts = posts
		out.Add(float64(len(posts)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case dst <- b:
		}
	}
}

func forward(ctx context.Context, in <-chan *Batch, out chan<- *Batch) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b, ok := <-in:
			if !ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case out <- b:
			}
		}
	}
}
