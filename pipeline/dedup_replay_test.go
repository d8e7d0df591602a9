package pipeline_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/pipeline"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/dedup"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestDedupReplayChangesNoCount runs a stream rich in redeliveries, reposts and spam campaigns through the
// pipeline with the dedup stage, then lets a new process re-consume every offset from the start (what a
// crash before any commit amounts to): the new stage warms up from ClickHouse, so the duplicate counts
// queries see (posts per level, clusters, spam) are unchanged and nothing but delete notices and the posts
// they delete is written again.
func TestDedupReplayChangesNoCount(t *testing.T) {
	e := newKfakeEnv(t, 3)
	const n = 6000
	cfg := sim.Config{Seed: 11, CampaignRate: 0.08, DuplicateRate: 0.05, EventRate: 5}
	e.produce(t, sim.New(cfg), n)
	// The same stream again, to count what a restarted process may write: delete notices (redeliveries
	// included; they always pass) and each version of the posts they delete (deleted posts are not loaded
	// back, and their tombstone outranks any version written again).
	deletes := 0
	type version struct {
		network post.Network
		id      string
		at      time.Time
	}
	versions := map[version]bool{}
	deleted := map[string]bool{}
	for g, i := sim.New(cfg), 0; i < n; i++ {
		rec := g.Next()
		switch {
		case rec.Malformed:
		case rec.Action == post.ActionDelete:
			deletes++
			deleted[string(rec.Network)+"/"+rec.PostID] = true
		default:
			versions[version{rec.Network, rec.PostID, rec.EventTime}] = true
		}
	}
	for v := range versions {
		if deleted[string(v.network)+"/"+v.id] {
			deletes++
		}
	}

	first, _ := e.newDedupPipeline(t, e.group)
	runUntil(t, first, n, 2*time.Minute)
	before := dupCounts(t, e.conn)
	if before.levels[post.DupRepost] == 0 || before.levels[post.DupNearText] == 0 || before.clusters == 0 || before.spam == 0 {
		t.Fatalf("first run stored %+v; the test needs reposts, near-duplicates, clusters and spam", before)
	}
	t.Logf("first run: %+v", before)

	replay, w := e.newDedupPipeline(t, e.group+"_restart")
	runUntil(t, replay, n, 2*time.Minute)
	after := dupCounts(t, e.conn)
	if after != before {
		t.Errorf("after re-consuming every offset: %+v; want the counts unchanged: %+v", after, before)
	}
	if got, want := w.RowsWritten(), int64(deletes); got != want {
		t.Errorf("the restarted process wrote %d rows; want %d: only delete notices and versions of the deleted posts (every other post recognised as a redelivery)", got, want)
	}
}

// dedupCounts are the duplicate figures queries see.
type dedupCounts struct {
	levels   [5]uint64 // posts per dup_level
	clusters uint64    // distinct near-duplicate clusters
	spam     uint64    // posts flagged spam
}

func dupCounts(t *testing.T, conn driver.Conn) dedupCounts {
	t.Helper()
	ctx := context.Background()
	var c dedupCounts
	rows, err := conn.Query(ctx, "SELECT dup_level, count() FROM posts FINAL WHERE deleted = 0 GROUP BY dup_level")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var level uint8
		var n uint64
		if err := rows.Scan(&level, &n); err != nil {
			t.Fatal(err)
		}
		if int(level) >= len(c.levels) {
			t.Fatalf("stored dup_level %d", level)
		}
		c.levels[level] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT uniqExact(dup_cluster), countIf(spam = 1) FROM posts FINAL WHERE deleted = 0 AND dup_cluster != 0").
		Scan(&c.clusters, &c.spam); err != nil {
		t.Fatal(err)
	}
	return c
}

// newDedupPipeline builds a pipeline with the text features and the dedup stage warmed up from the env's
// ClickHouse, as cmd/rapport wires it, and returns its writer.
func (e *env) newDedupPipeline(tb testing.TB, group string) (*pipeline.Pipeline, *clickhouse.Writer) {
	tb.Helper()
	consumer, err := ingest.NewConsumer(ingest.Config{
		Brokers:        e.brokers,
		Group:          group,
		TopicPattern:   "^" + regexp.QuoteMeta(e.namespace+".social.raw."),
		DLQTopic:       e.dlqTopic(),
		CommitInterval: 200 * time.Millisecond,
	}, ingest.Normalizers(), nil, nil)
	if err != nil {
		tb.Fatalf("creating consumer: %v", err)
	}
	stage, err := dedup.New(dedup.Config{}, func(ctx context.Context, topic string, partition int32, since time.Time) ([]*post.Post, error) {
		return clickhouse.RecentPosts(ctx, e.conn, topic, partition, since, 1_000_000)
	}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	w := clickhouse.NewWriter(e.conn, clickhouse.WriterConfig{FlushInterval: 200 * time.Millisecond}, nil, nil)
	return &pipeline.Pipeline{
		Consumer: consumer,
		Runner:   processors.NewRunner([]processors.Stage{features.Stage{}, stage}, 4, nil, nil),
		Writer:   w,
	}, w
}
