package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/pipeline"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// TestSinkOutageBackpressure takes the posts table away while the pipeline runs: inserts fail and are
// retried, nothing is acknowledged or committed, and fetching stops once the bounded queues are full, so the
// records in memory stay under a fixed bound however much is waiting in Kafka. When the table is back,
// everything flows and ClickHouse holds exactly the distinct posts.
func TestSinkOutageBackpressure(t *testing.T) {
	e := newKfakeEnv(t, 3)
	conn, name := e.conn, e.namespace
	const n = 40000
	gen := sim.New(sim.Config{Seed: 5})
	e.produce(t, gen, n)

	ctx := context.Background()
	if err := conn.Exec(ctx, "RENAME TABLE posts TO posts_away"); err != nil {
		t.Fatal(err)
	}

	const (
		batchSize  = 500
		queueDepth = 2
		batchRows  = 1000
		maxPoll    = 2000
		inFlight   = 2 // inserts
	)
	consumer, err := ingest.NewConsumer(ingest.Config{
		Brokers:        e.brokers,
		Group:          e.group,
		TopicPattern:   "^" + name + `\.social\.raw\.`,
		DLQTopic:       e.dlqTopic(),
		BatchSize:      batchSize,
		MaxPollRecords: maxPoll,
		CommitInterval: 100 * time.Millisecond,
	}, ingest.Normalizers(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	writer := clickhouse.NewWriter(conn, clickhouse.WriterConfig{
		BatchRows: batchRows, FlushInterval: 100 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		InsertsInFlight: inFlight,
	}, nil, nil)
	p := &pipeline.Pipeline{
		Consumer: consumer,
		Runner:   processors.NewRunner([]processors.Stage{features.Stage{}}, queueDepth, nil, nil),
		Writer:   writer,
	}
	// What may be in memory: one poll being decoded, full queues (fetched, processed), one batch in the
	// stage, and what the writer holds: inFlight failing inserts plus the next one, which it stops reading
	// at batchRows, each at most batchRows+batchSize-1 rows.
	bound := int64(maxPoll + 2*queueDepth*batchSize + batchSize + (inFlight+1)*(batchRows+batchSize))

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()

	// Wait until fetching has stopped: the count of records read holds still for two seconds.
	var read int64
	for stable, deadline := 0, time.Now().Add(60*time.Second); stable < 4 && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		if now := consumer.Stats().Records; now == read && now > 0 {
			stable++
		} else {
			read, stable = now, 0
		}
	}
	if read == 0 {
		t.Fatal("the pipeline read nothing while the sink was down; want it to read until the queues are full")
	}
	if read > bound {
		t.Errorf("read %d records while the sink was down; want at most %d (backpressure must stop fetching)", read, bound)
	}
	if rows := writer.RowsWritten(); rows != 0 {
		t.Errorf("writer acknowledged %d rows with the table gone; want 0", rows)
	}
	t.Logf("sink down: %d records read of %d, bound %d, %d in flight", read, n, bound, consumer.InFlight())

	if err := conn.Exec(ctx, "RENAME TABLE posts_away TO posts"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Minute)
	for consumer.Stats().Records < n || consumer.InFlight() > 0 {
		select {
		case err := <-done:
			t.Fatalf("pipeline stopped: %v", err)
		case <-deadline:
			t.Fatalf("after the sink came back: read %d of %d, %d in flight", consumer.Stats().Records, n, consumer.InFlight())
		case <-time.After(50 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	final, distinct := countPosts(t, conn)
	if st := gen.Stats(); final != uint64(st.Visible) || distinct != uint64(st.Unique) {
		t.Errorf("after the outage ClickHouse sees %d posts (FINAL), %d distinct; want %d visible (not deleted) of %d distinct",
			final, distinct, st.Visible, st.Unique)
	}
	checkCommitted(t, e)
}
