package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/sim"
)

// TestFaultInjectedBrokerErrors runs the pipeline in process against an embedded broker whose request
// control drops connections on fetches and dead-letter produces and fails offset commits, at random, for the
// whole run. Nothing may be lost, nothing shown twice, every malformed record must reach the dead-letter
// topic, and the heap must stay bounded.
func TestFaultInjectedBrokerErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test; skipped with -short")
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(4, append(simTopics, "social.dlq")...))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()

	// The stream is produced in chunks while the pipeline runs, so fetches and commits keep happening.
	const total = 12000
	gen := sim.New(sim.Config{Seed: 31, DuplicateRate: -1, MalformedRate: 0.02})
	var values []*kgo.Record
	for range total {
		rec := gen.Next()
		values = append(values, &kgo.Record{Topic: rec.Topic, Key: rec.Key, Value: rec.Value})
	}
	st := gen.Stats()
	producer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(31, 31))
	chance := func(p float64) bool { mu.Lock(); defer mu.Unlock(); return rng.Float64() < p }
	var injected atomic.Int64
	errInjected := errors.New("injected: connection dropped")
	cluster.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if chance(0.3) {
			injected.Add(1)
			return nil, errInjected, true
		}
		return nil, nil, false
	})
	cluster.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if chance(0.3) {
			injected.Add(1)
			return nil, errInjected, true
		}
		return nil, nil, false
	})
	cluster.ControlKey(int16(kmsg.OffsetCommit), func(r kmsg.Request) (kmsg.Response, error, bool) {
		cluster.KeepControl()
		if !chance(0.5) {
			return nil, nil, false
		}
		injected.Add(1)
		req := r.(*kmsg.OffsetCommitRequest)
		resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewOffsetCommitResponseTopic()
			st.Topic = rt.Topic
			for _, rp := range rt.Partitions {
				sp := kmsg.NewOffsetCommitResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.RequestTimedOut.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})

	cfg := testConfig(t, cluster.ListenAddrs())
	cfg.Kafka.CommitInterval = 100 * time.Millisecond
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p, conn, err := buildPipeline(ctx, cfg, newRegistry(), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	for i := 0; i < len(values); i += 500 {
		if err := producer.ProduceSync(ctx, values[i:min(i+500, len(values))]...).FirstErr(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(150 * time.Millisecond)
	}

	var peakHeap uint64
	adm := kadm.NewClient(producer)
	for deadline := time.Now().Add(2 * time.Minute); ; {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peakHeap = max(peakHeap, ms.HeapInuse)
		var distinct uint64
		if err := conn.QueryRow(ctx, "SELECT uniqExact(network, post_id) FROM posts").Scan(&distinct); err != nil {
			t.Fatal(err)
		}
		caughtUp := false
		if lag, err := adm.Lag(ctx, cfg.Kafka.Group); err == nil {
			if l, ok := lag[cfg.Kafka.Group]; ok && l.Error() == nil && len(l.Lag) > 0 && l.Lag.Total() == 0 {
				caughtUp = true
			}
		}
		if caughtUp && int(distinct) == st.Unique {
			break
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("after 2 minutes: %d of %d posts stored, caught up %v", distinct, st.Unique, caughtUp)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cluster.DropControl()
	stop()
	if err := <-done; err != nil && ctx.Err() == nil {
		t.Fatalf("pipeline: %v", err)
	}

	var visible, distinct, visibleDup uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM posts FINAL WHERE deleted = 0").Scan(&visible); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT uniqExact(network, post_id) FROM posts").Scan(&distinct); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT count() FROM (SELECT network, post_id, count() AS c FROM posts FINAL
		WHERE deleted = 0 GROUP BY network, post_id HAVING c > 1)`).Scan(&visibleDup); err != nil {
		t.Fatal(err)
	}
	// Dead letters: every malformed record exactly once by source position (a retried produce may repeat one).
	dlq := map[string]bool{}
	consumer, err := kgo.NewClient(kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("social.dlq"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	for deadline := time.Now().Add(20 * time.Second); len(dlq) < st.Malformed && time.Now().Before(deadline); {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		consumer.PollFetches(pctx).EachRecord(func(r *kgo.Record) {
			var src string
			for _, h := range r.Headers {
				if h.Key == ingest.HeaderSourceTopic || h.Key == ingest.HeaderSourcePartition || h.Key == ingest.HeaderSourceOffset {
					src += string(h.Value) + "/"
				}
			}
			dlq[src] = true
		})
		pcancel()
	}
	line := fmt.Sprintf("fault %-28s records %6d  posts produced %6d  in ClickHouse %6d  visible %6d (want %6d)  visible duplicates %d  dead letters %d (want %d)  faults injected %d  peak heap %d MiB",
		"injected broker errors", total, st.Unique, distinct, visible, st.Visible, visibleDup, len(dlq), st.Malformed, injected.Load(), peakHeap>>20)
	t.Log(line)
	fmt.Fprintln(os.Stderr, line)
	if int(distinct) != st.Unique || int(visible) != st.Visible || visibleDup != 0 {
		t.Errorf("stored %d distinct / %d visible (%d twice); want %d / %d", distinct, visible, visibleDup, st.Unique, st.Visible)
	}
	if len(dlq) != st.Malformed {
		t.Errorf("dead letters from %d distinct source records; want the %d malformed", len(dlq), st.Malformed)
	}
	if injected.Load() < 10 {
		t.Errorf("only %d faults were injected; the test exercised little", injected.Load())
	}
	if peakHeap > faultMemoryLimit {
		t.Errorf("peak heap %d MiB; limit %d MiB", peakHeap>>20, faultMemoryLimit>>20)
	}
}
