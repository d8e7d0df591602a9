// Package pipeline runs ingest, the processor stages and the ClickHouse writer together and owns their
// shutdown order: stop fetching → drain the stages → flush the sink → commit offsets → leave the group.
package pipeline

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// Pipeline is one running member of the consumer group.
type Pipeline struct {
	Consumer *ingest.Consumer
	Runner   *processors.Runner
	Writer   *clickhouse.Writer
	Log      *zap.Logger
	// ShutdownTimeout bounds the graceful drain after ctx is cancelled; past it, the pipeline aborts
	// without committing what is not durable (it is read again after a restart). Default 30s.
	ShutdownTimeout time.Duration
}

// Run runs until ctx is cancelled (then it drains and returns nil) or a stage or the sink fails (then it
// aborts and returns the error). In both cases offsets are committed only for durable records.
func (p *Pipeline) Run(ctx context.Context) error {
	log := p.Log
	if log == nil {
		log = zap.NewNop()
	}
	timeout := p.ShutdownTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	// Stages and sink are not stopped by ctx: they stop when their input closes (drain) or on abort.
	abortCtx, abort := context.WithCancel(context.Background())
	defer abort()

	depth := p.Runner.QueueDepth()
	fetched := make(chan *processors.Batch, depth)
	processed := make(chan *processors.Batch, depth)

	consumerDone := make(chan error, 1)
	runnerDone := make(chan error, 1)
	writerDone := make(chan error, 1)
	go func() { consumerDone <- p.Consumer.Run(fetchCtx, fetched) }()
	go func() { runnerDone <- p.Runner.Run(abortCtx, fetched, processed) }()
	go func() { writerDone <- p.Writer.Run(abortCtx, processed) }()

	var (
		firstErr             error
		consumerOK, runnerOK bool
		writerOK             bool
		stopping             <-chan time.Time
		stopStart            time.Time
	)
	aborted := false
	fail := func(err error) {
		// After an abort, components return because of it; only the error that caused it counts.
		if !aborted && err != nil {
			firstErr = err
			log.Error("pipeline failed; aborting", zap.Error(err))
		}
		aborted = true
		stopFetch()
		abort()
	}
	ctxDone := ctx.Done()
	for !(consumerOK && runnerOK && writerOK) {
		select {
		case <-ctxDone:
			ctxDone = nil
			stopStart = time.Now()
			log.Info("stopping: fetching stopped, draining stages and sink")
			stopping = time.After(timeout)
		case <-stopping:
			log.Warn("graceful drain timed out; aborting", zap.Duration("timeout", timeout))
			fail(fmt.Errorf("shutdown: drain did not finish within %s", timeout))
		case err := <-consumerDone:
			consumerOK = true
			if err != nil {
				fail(fmt.Errorf("ingest: %w", err))
			}
		case err := <-runnerDone:
			runnerOK = true
			if err != nil {
				fail(err)
			}
		case err := <-writerDone:
			writerOK = true
			if err != nil {
				fail(fmt.Errorf("clickhouse sink: %w", err))
			}
		}
	}
	notDurable := p.Consumer.InFlight()
	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p.Consumer.Close(closeCtx)
	if !stopStart.IsZero() {
		log.Info("stopped", zap.Duration("took", time.Since(stopStart)), zap.Int("records_not_durable", notDurable))
	}
	return firstErr
}
