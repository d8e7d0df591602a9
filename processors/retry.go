package processors

import (
	"context"
	"time"
)

// Retry calls op until it succeeds or ctx ends, waiting 200ms after the first failure and twice as long after
// each following one, up to 10s. onErr, which may be nil, sees every failure (to count or log it). It returns
// nil once op succeeds, or op's last error when ctx ends first.
//
// Stages use it for reads a batch cannot do without (a warm start from ClickHouse, say): while the store is
// down or refusing, the stage holds its batch, the queues before it fill and fetching pauses, and the pipeline
// carries on by itself once the store is back, instead of stopping.
func Retry(ctx context.Context, op func(context.Context) error, onErr func(error)) error {
	backoff := 200 * time.Millisecond
	for {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if onErr != nil {
			onErr(err)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}
