package pipeline_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/sim"
)

// TestEndToEnd runs the simulator's stream, with redeliveries and malformed payloads mixed in, through the
// pipeline into ClickHouse, on the embedded broker and on the real one, and checks the delivery contract:
// every distinct post is queryable exactly once, every malformed record is in the dead-letter topic with a
// reason, every offset is committed, and a full replay changes no count.
func TestEndToEnd(t *testing.T) {
	for _, broker := range []string{"kfake", "kafka"} {
		t.Run(broker, func(t *testing.T) {
			conn, chCfg := testenv.ClickHouse(t)
			var brokers []string
			if broker == "kfake" {
				c, err := kfake.NewCluster(kfake.NumBrokers(1))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(c.Close)
				brokers = c.ListenAddrs()
			} else {
				brokers = testenv.Kafka(t)
			}
			name := testenv.Name(t)
			e := &env{brokers: brokers, namespace: name, group: name, ch: chCfg, conn: conn}
			e.createTopics(t, 3)

			const n = 6000
			gen := sim.New(sim.Config{Seed: 7, DuplicateRate: 0.05, MalformedRate: 0.04})
			e.produce(t, gen, n)
			st := gen.Stats()
			if st.Malformed == 0 || st.Duplicates == 0 {
				t.Fatalf("simulator produced %d malformed and %d duplicate records; the test needs both", st.Malformed, st.Duplicates)
			}

			p := e.newPipeline(t, e.group)
			runUntil(t, p, n, 2*time.Minute)
			cs := p.Consumer.Stats()
			if cs.Rejected != int64(st.Malformed) || cs.DeadLetters != int64(st.Malformed) {
				t.Errorf("rejected %d, dead letters %d; want both %d (the malformed records)", cs.Rejected, cs.DeadLetters, st.Malformed)
			}
			final, distinct := countPosts(t, conn)
			if final != uint64(st.Visible) || distinct != uint64(st.Unique) {
				t.Errorf("ClickHouse sees %d posts (FINAL), %d distinct; want %d visible (not deleted) of the %d distinct posts produced",
					final, distinct, st.Visible, st.Unique)
			}

			checkDeadLetters(t, e, st.Malformed)
			checkCommitted(t, e)

			// A full replay by another group writes every row again; queries must not change.
			replay := e.newPipeline(t, e.group+"_replay")
			runUntil(t, replay, n, 2*time.Minute)
			if f2, d2 := countPosts(t, conn); f2 != final || d2 != distinct {
				t.Errorf("after a full replay ClickHouse sees %d posts (FINAL), %d distinct; want %d and %d as before", f2, d2, final, distinct)
			}
		})
	}
}

// checkDeadLetters reads the dead-letter topic and checks that it holds want records, each with a known
// reason, its source coordinates and its original bytes.
func checkDeadLetters(t *testing.T, e *env, want int) {
	t.Helper()
	cl := newClient(t, e.brokers, kgo.ConsumeTopics(e.dlqTopic()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	known := map[string]bool{}
	for _, r := range ingest.Reasons {
		known[string(r)] = true
	}
	got := 0
	reasons := map[string]int{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for got < want && ctx.Err() == nil {
		fetches := cl.PollFetches(ctx)
		fetches.EachRecord(func(r *kgo.Record) {
			got++
			h := map[string]string{}
			for _, kv := range r.Headers {
				h[kv.Key] = string(kv.Value)
			}
			reason := h[ingest.HeaderReason]
			reasons[reason]++
			if !known[reason] {
				t.Errorf("dead letter with reason %q; want one of %v", reason, ingest.Reasons)
			}
			if _, err := strconv.ParseInt(h[ingest.HeaderSourceOffset], 10, 64); err != nil || h[ingest.HeaderSourceTopic] == "" {
				t.Errorf("dead letter without source coordinates: headers %v", h)
			}
			if len(r.Value) == 0 && reason != string(ingest.ReasonMissingField) {
				t.Errorf("dead letter with reason %s has no original bytes", reason)
			}
		})
	}
	if got != want {
		t.Errorf("dead-letter topic holds %d records; want %d", got, want)
	}
	if len(reasons) < 3 {
		t.Errorf("dead-letter reasons %v; want the simulator's several kinds of malformed payload", reasons)
	}
	t.Logf("dead letters by reason: %v", reasons)
}

// checkCommitted checks that the group's committed offsets reached the end of every raw partition.
func checkCommitted(t *testing.T, e *env) {
	t.Helper()
	cl := newClient(t, e.brokers)
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw := e.topics()
	raw = raw[:len(raw)-1]
	ends, err := adm.ListEndOffsets(ctx, raw...)
	if err != nil {
		t.Fatalf("listing end offsets: %v", err)
	}
	committed, err := adm.FetchOffsets(ctx, e.group)
	if err != nil {
		t.Fatalf("fetching committed offsets: %v", err)
	}
	ends.Each(func(o kadm.ListedOffset) {
		c, ok := committed.Lookup(o.Topic, o.Partition)
		if o.Offset == 0 {
			return
		}
		if !ok || c.At != o.Offset {
			t.Errorf("%s[%d]: committed %d; want the end offset %d", o.Topic, o.Partition, c.At, o.Offset)
		}
	})
}
