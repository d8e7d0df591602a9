package pipeline_test

import (
	"context"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/pipeline"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/processors/erasure"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// env is one isolated pipeline setup: its own topics (under a namespace), group and ClickHouse database.
type env struct {
	brokers   []string
	namespace string // topics are <namespace>.social.raw.<network>
	group     string
	ch        clickhouse.ConnConfig
	conn      driver.Conn
}

func (e *env) dlqTopic() string { return e.namespace + ".social.dlq" }

// topics returns the raw topic of every simulated network, then the dead-letter topic.
func (e *env) topics() []string {
	var out []string
	for _, n := range sim.Networks() {
		out = append(out, e.namespace+"."+sim.TopicFor(n))
	}
	return append(out, e.dlqTopic())
}

// newKfakeEnv returns an env on a fresh embedded broker (closed when the test ends) and a fresh ClickHouse
// database, with its topics created; extra names further topics after the namespace (e.g.
// "social.raw.mixed").
func newKfakeEnv(tb testing.TB, partitions int32, extra ...string) *env {
	tb.Helper()
	conn, chCfg := testenv.ClickHouse(tb)
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(c.Close)
	name := testenv.Name(tb)
	e := &env{brokers: c.ListenAddrs(), namespace: name, group: name, ch: chCfg, conn: conn}
	var names []string
	for _, x := range extra {
		names = append(names, name+"."+x)
	}
	e.createTopics(tb, partitions, names...)
	return e
}

// createTopics creates the env's topics and extra ones.
func (e *env) createTopics(tb testing.TB, partitions int32, extra ...string) {
	tb.Helper()
	cl := newClient(tb, e.brokers)
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := adm.CreateTopics(ctx, partitions, 1, nil, append(e.topics(), extra...)...)
	if err != nil {
		tb.Fatalf("creating topics: %v", err)
	}
	for _, r := range resp {
		if r.Err != nil {
			tb.Fatalf("creating topic %s: %v", r.Topic, r.Err)
		}
	}
}

func newClient(tb testing.TB, brokers []string, opts ...kgo.Opt) *kgo.Client {
	tb.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(brokers...), kgo.ProducerLinger(2 * time.Millisecond)}, opts...)...)
	if err != nil {
		tb.Fatalf("creating kafka client: %v", err)
	}
	return cl
}

// produce writes n records of gen into the env's topics and waits for the broker's acknowledgement.
func (e *env) produce(tb testing.TB, gen *sim.Generator, n int) {
	tb.Helper()
	cl := newClient(tb, e.brokers)
	defer cl.Close()
	var failed atomic.Value
	for i := 0; i < n; i++ {
		rec := gen.Next()
		cl.Produce(context.Background(), &kgo.Record{Topic: e.namespace + "." + rec.Topic, Key: rec.Key, Value: rec.Value},
			func(_ *kgo.Record, err error) {
				if err != nil {
					failed.Store(err)
				}
			})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := cl.Flush(ctx); err != nil {
		tb.Fatalf("flushing producer: %v", err)
	}
	if err := failed.Load(); err != nil {
		tb.Fatalf("producing: %v", err)
	}
}

// newPipeline builds a pipeline over the env, as cmd/rapport wires it.
func (e *env) newPipeline(tb testing.TB, group string) *pipeline.Pipeline {
	tb.Helper()
	return e.newPipelineWithNetworks(tb, group, nil)
}

// newPipelineWithNetworks is newPipeline with a topic → network configuration.
func (e *env) newPipelineWithNetworks(tb testing.TB, group string, networks map[string]string) *pipeline.Pipeline {
	tb.Helper()
	consumer, err := ingest.NewConsumer(ingest.Config{
		Brokers:        e.brokers,
		Group:          group,
		TopicPattern:   "^" + regexp.QuoteMeta(e.namespace+".social.raw."),
		DLQTopic:       e.dlqTopic(),
		Networks:       networks,
		CommitInterval: 200 * time.Millisecond,
	}, ingest.Normalizers(), nil, nil)
	if err != nil {
		tb.Fatalf("creating consumer: %v", err)
	}
	return &pipeline.Pipeline{
		Consumer: consumer,
		Runner: processors.NewRunner([]processors.Stage{
			erasure.New(func(ctx context.Context) (map[string]map[string]bool, error) {
				return clickhouse.ErasedAuthors(ctx, e.conn)
			}, time.Second, nil),
			features.Stage{},
		}, 4, nil, nil),
		Writer: clickhouse.NewWriter(e.conn, clickhouse.WriterConfig{FlushInterval: 200 * time.Millisecond}, nil, nil),
	}
}

// runUntil runs p until every one of want records was read and is durable, then stops it gracefully.
func runUntil(tb testing.TB, p *pipeline.Pipeline, want int64, timeout time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.After(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			cancel()
			tb.Fatalf("pipeline stopped early: %v", err)
		case <-deadline:
			cancel()
			<-done
			tb.Fatalf("after %s: read %d of %d records, %d in flight", timeout, p.Consumer.Stats().Records, want, p.Consumer.InFlight())
		case <-tick.C:
			if p.Consumer.Stats().Records >= want && p.Consumer.InFlight() == 0 {
				cancel()
				if err := <-done; err != nil {
					tb.Fatalf("pipeline: %v", err)
				}
				return
			}
		}
	}
}

// countPosts returns the rows queries see (FINAL) and the distinct identities stored.
func countPosts(tb testing.TB, conn driver.Conn) (final, distinct uint64) {
	tb.Helper()
	ctx := context.Background()
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE deleted = 0").Scan(&final); err != nil {
		tb.Fatalf("counting posts: %v", err)
	}
	if err := conn.QueryRow(ctx, "SELECT uniqExact(network, post_id) FROM posts").Scan(&distinct); err != nil {
		tb.Fatalf("counting posts: %v", err)
	}
	return final, distinct
}
