package pipeline_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/sim"
)

// BenchmarkEndToEnd measures records/s through the real broker into ClickHouse, next to two ceilings measured
// in the same run on the same records: consume-only (fetch, no work) and consume+decode (fetch and
// normalize, no sink). Two pipelines are measured: light-stages (erasure and features only: the cost of
// ingest and the sink) and all-stages (every stage, built by internal/wiring as `rapport run` builds it,
// into a fresh database), the latter also reported as CPU seconds of this process per 100k records and
// with the time each stage spent on batches. Each iteration reads all records once with a new group. Run
// with `make bench` (-benchtime 1x); RAPPORT_BENCH_RECORDS sets the stream size (default 200000).
func BenchmarkEndToEnd(b *testing.B) {
	brokers := testenv.Kafka(b)
	conn, chCfg := testenv.ClickHouse(b)
	n := 200000
	if v := os.Getenv("RAPPORT_BENCH_RECORDS"); v != "" {
		fmt.Sscan(v, &n)
	}
	name := testenv.Name(b)
	e := &env{brokers: brokers, namespace: name, group: name, ch: chCfg, conn: conn}
	e.createTopics(b, 6)
	e.produce(b, sim.New(sim.Config{Seed: 3}), n)

	rates := map[string]float64{}
	b.Run("consume-only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rates["consume-only"] = consume(b, e, fmt.Sprintf("%s_c%d", name, i), n, false)
		}
		b.ReportMetric(rates["consume-only"], "records/s")
	})
	b.Run("consume+decode", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rates["consume+decode"] = consume(b, e, fmt.Sprintf("%s_d%d", name, i), n, true)
		}
		b.ReportMetric(rates["consume+decode"], "records/s")
	})
	b.Run("light-stages", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			p := e.newPipeline(b, fmt.Sprintf("%s_e%d", name, i))
			start := time.Now()
			runUntil(b, p, int64(n), 10*time.Minute)
			rates["light-stages"] = float64(n) / time.Since(start).Seconds()
		}
		b.ReportMetric(rates["light-stages"], "records/s")
	})
	var cpuPer100k float64
	var times strings.Builder
	b.Run("all-stages", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			reg := prometheus.NewRegistry()
			p, _ := e.newFullPipeline(b, fmt.Sprintf("%s_a%d", name, i), reg)
			cpu0, start := cpuSeconds(), time.Now()
			runUntil(b, p, int64(n), 10*time.Minute)
			rates["all-stages"] = float64(n) / time.Since(start).Seconds()
			cpuPer100k = (cpuSeconds() - cpu0) * 100000 / float64(n)
			times.Reset()
			printStageTimes(&times, reg, b)
		}
		b.ReportMetric(rates["all-stages"], "records/s")
		b.ReportMetric(cpuPer100k, "cpu-s/100k-records")
	})
	if c := rates["consume-only"]; c > 0 {
		fmt.Printf("%d records; consume-only ceiling %.0f records/s, consume+decode %.0f records/s (%.2f ×)\n",
			n, c, rates["consume+decode"], rates["consume+decode"]/c)
		fmt.Printf("light-stages %.0f records/s = %.2f × consume-only\n", rates["light-stages"], rates["light-stages"]/c)
		fmt.Printf("all-stages   %.0f records/s = %.2f × consume-only; %.2f CPU s (this process) per 100k records\n%s",
			rates["all-stages"], rates["all-stages"]/c, cpuPer100k, times.String())
	}
}

// consume reads n records of the env's raw topics with a new group, optionally normalizing each, and
// returns records/s.
func consume(b *testing.B, e *env, group string, n int, decode bool) float64 {
	b.Helper()
	cl := newClient(b, e.brokers, kgo.ConsumerGroup(group), kgo.ConsumeTopics("^"+regexp.QuoteMeta(e.namespace+".social.raw.")),
		kgo.ConsumeRegex(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	defer cl.Close()
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	got := 0
	start := time.Now()
	for got < n && ctx.Err() == nil {
		cl.PollRecords(ctx, 5000).EachRecord(func(r *kgo.Record) {
			got++
			if decode {
				var p post.Post
				network := r.Topic[len(e.namespace+".social.raw."):]
				_ = dec.Decode(norms[post.Network(network)], r.Value, &p)
			}
		})
	}
	if got < n {
		b.Fatalf("consumed %d of %d records", got, n)
	}
	return float64(n) / time.Since(start).Seconds()
}
