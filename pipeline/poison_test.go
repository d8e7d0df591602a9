package pipeline_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/sim"
)

// TestPoisonCorpus interleaves more than 10,000 bad records of many kinds with good ones: every bad record
// must reach the dead-letter topic with a reason, the pipeline must keep running, and every good post must
// be queryable.
func TestPoisonCorpus(t *testing.T) {
	e := newKfakeEnv(t, 3, "social.raw.myspace")
	conn, name := e.conn, e.namespace
	ns := name + "."

	// Half the simulator's records malformed (seven kinds), plus bad records made here: random bytes,
	// valid payloads cut short, and payloads on a topic of a network nothing reads.
	gen := sim.New(sim.Config{Seed: 21, MalformedRate: 0.5, DuplicateRate: -1})
	rng := rand.New(rand.NewPCG(21, 21))
	var (
		recs []*kgo.Record
		bad  int
	)
	for i := 0; i < 16000; i++ {
		r := gen.Next()
		recs = append(recs, &kgo.Record{Topic: ns + r.Topic, Key: r.Key, Value: r.Value})
		if r.Malformed {
			bad++
		}
		switch i % 8 {
		case 0:
			junk := make([]byte, 1+rng.IntN(300))
			for j := range junk {
				junk[j] = byte(rng.UintN(256))
			}
			recs = append(recs, &kgo.Record{Topic: ns + r.Topic, Value: junk})
			bad++
		case 1:
			if !r.Malformed && len(r.Value) > 2 {
				recs = append(recs, &kgo.Record{Topic: ns + r.Topic, Value: r.Value[:rng.IntN(len(r.Value)-1)]})
				bad++
			}
		case 2:
			recs = append(recs, &kgo.Record{Topic: ns + "social.raw.myspace", Value: []byte(`{"id":"1"}`)})
			bad++
		}
	}
	if bad < 10000 {
		t.Fatalf("corpus has %d bad records; want at least 10,000", bad)
	}
	cl := newClient(t, e.brokers)
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.Close()

	p := e.newPipeline(t, e.group)
	runUntil(t, p, int64(len(recs)), 3*time.Minute)
	st := p.Consumer.Stats()
	if st.Rejected != int64(bad) || st.DeadLetters != int64(bad) {
		t.Errorf("rejected %d, dead-lettered %d; want both %d", st.Rejected, st.DeadLetters, bad)
	}
	final, _ := countPosts(t, conn)
	if want := uint64(gen.Stats().Visible); final != want {
		t.Errorf("ClickHouse holds %d posts; want all %d good ones", final, want)
	}

	reasons := map[ingest.Reason]int{}
	n := 0
	err := ingest.ReadDeadLetters(context.Background(), e.brokers, e.dlqTopic(), func(d ingest.DeadLetter) error {
		n++
		reasons[d.Reason]++
		if d.Reason == "" || d.SourceTopic == "" {
			t.Errorf("dead letter %d without reason or source: %+v", d.Offset, d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != bad {
		t.Errorf("dead-letter topic holds %d records; want %d", n, bad)
	}
	t.Logf("%d bad records among %d: dead letters by reason %v", bad, len(recs), reasons)
}
