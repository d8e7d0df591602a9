// Package processors defines the contract every processing stage implements and the runner that chains
// stages concurrently with bounded queues.
//
// # The stage contract
//
// A Stage receives a batch of canonical posts and returns the posts that continue down the pipeline:
//
//   - Process may modify the posts it is given and must return them, or a subset of them, in order. Posts it
//     leaves out are filtered intentionally (a duplicate, say): they are still part of the batch, so their
//     Kafka offsets are committed once the batch is acknowledged. Returning zero posts is valid.
//   - An error means the stage could not process the batch at all (a dependency is down and will not come
//     back within the stage's own retry budget). The runner stops the pipeline; the batch is never
//     acknowledged, so its records are read again after a restart. Problems with one post are not errors:
//     the stage drops or marks that post and goes on.
//   - Delete notices (post.ActionDelete) carry only an identity; a stage passes them on untouched unless it
//     owns state about that post.
//   - Process returns promptly when ctx is cancelled.
//   - A stage never closes a channel and never starts a goroutine that outlives Process. State a stage keeps
//     across batches belongs to the stage; batches arrive per Kafka partition (Batch.Partition), so keyed
//     state can follow the partition.
//
// The runner calls Process of one stage from one goroutine at a time, so a stage needs no locking of its own
// state unless it shares it elsewhere.
package processors

import (
	"context"

	"github.com/rapport-dev/rapport/post"
)

// Stage is one processing step of the pipeline. See the package documentation for the contract.
type Stage interface {
	// Name is the stage's stable identifier, used as a metric label and log field.
	Name() string
	// Process handles one batch and returns the posts that continue.
	Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error)
}

// Batch is the unit that flows from ingest through the stages to the sinks. All its posts come from one
// Kafka partition, in offset order.
type Batch struct {
	Topic     string
	Partition int32
	Posts     []*post.Post

	// Ack is called exactly once by the last sink, after every row of the batch is durable. The ClickHouse
	// writer calls it in the order batches reached it, even when a later insert finishes first. It may be
	// nil in tests. Ack must not block.
	Ack func()
}
