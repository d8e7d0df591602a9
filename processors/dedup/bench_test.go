package dedup_test

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/dedup"
	"github.com/rapport-dev/rapport/sim"
)

const benchBatch = 1000

// runBench feeds b.N posts made by mk through the stage in batches and reports posts per second of wall
// time and of CPU time (making each post is included in both).
func runBench(b *testing.B, s *dedup.Stage, mk func(i int, p *post.Post)) {
	b.Helper()
	ctx := context.Background()
	batch := make([]*post.Post, benchBatch)
	store := make([]post.Post, benchBatch)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i += benchBatch {
		n := min(benchBatch, b.N-i)
		for j := 0; j < n; j++ {
			mk(i+j, &store[j])
			batch[j] = &store[j]
		}
		if _, err := s.Process(ctx, batch[:n]); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuSeconds() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	if cpu > 0 {
		// Posts per second of CPU time: the rate per core, whatever else the machine is doing.
		b.ReportMetric(float64(b.N)/cpu, "posts/cpu-s")
	}
}

// BenchmarkExact measures level 1 alone: posts whose text is too short for text matching, one in four a
// redelivery of an earlier one, spread over 12 partitions.
func BenchmarkExact(b *testing.B) {
	s, err := dedup.New(dedup.Config{}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = strconv.Itoa(1_000_000 + i)
	}
	runBench(b, s, func(i int, p *post.Post) {
		k := i
		if i%4 == 3 {
			k = i - 2 // a redelivery
		}
		*p = post.Post{Network: post.NetworkX, ID: ids[k%len(ids)], Text: "great",
			CreatedAt: base.Add(time.Duration(k) * 20 * time.Millisecond)}
		p.Source = post.Source{Topic: "social.raw.x", Partition: int32(k % 12)}
	})
}

// BenchmarkNearDuplicate measures the full stage on the simulator's texts (originals, replies, campaign
// copies; reposts excluded, since they skip text matching), each post new.
func BenchmarkNearDuplicate(b *testing.B) {
	texts := simPosts(b, 20000)
	s, err := dedup.New(dedup.Config{}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, s, func(i int, p *post.Post) {
		src := texts[i%len(texts)]
		*p = *src
		p.ID = src.ID + "-" + strconv.Itoa(i/len(texts))
		p.CreatedAt = src.CreatedAt.Add(time.Duration(i/len(texts)) * 2 * time.Hour)
	})
}

// gauge reads a gauge from reg.
func gauge(tb testing.TB, reg *prometheus.Registry, name string) float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return 0
}

// simPosts returns n normalized simulator posts that carry text to match.
func simPosts(tb testing.TB, n int) []*post.Post {
	tb.Helper()
	g := sim.New(sim.Config{Seed: 3})
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	var out []*post.Post
	for len(out) < n {
		rec := g.Next()
		if rec.Malformed || rec.Duplicate || rec.Action != post.ActionUpsert {
			continue
		}
		p := &post.Post{}
		if err := dec.Decode(norms[rec.Network], rec.Value, p); err != nil || p.Refs.RepostOfID != "" {
			continue
		}
		p.Source = post.Source{Topic: rec.Topic}
		out = append(out, p)
	}
	return out
}

// BenchmarkMemory fills a stage with 200,000 distinct posts with text (the default max_text_entries) on one
// partition and reports the live heap it holds per post: redelivery state, text index, buckets, clusters.
func BenchmarkMemory(b *testing.B) {
	texts := simPosts(b, 20000)
	const n = 200_000
	for range b.N {
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		reg := prometheus.NewRegistry()
		s, err := dedup.New(dedup.Config{}, nil, reg)
		if err != nil {
			b.Fatal(err)
		}
		batch := make([]*post.Post, 0, benchBatch)
		for i := 0; i < n; i++ {
			src := texts[i%len(texts)]
			p := *src
			p.ID = src.ID + "-" + strconv.Itoa(i/len(texts))
			p.CreatedAt = src.CreatedAt.Add(time.Duration(i/len(texts)) * time.Minute)
			p.Source = post.Source{Topic: "social.raw.x"}
			batch = append(batch, &p)
			if len(batch) == benchBatch {
				if _, err := s.Process(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap := float64(m1.HeapAlloc - m0.HeapAlloc)
		b.ReportMetric(heap/n, "heap-B/post")
		if texts := gauge(b, reg, "rapport_dedup_text_entries"); texts > 0 {
			b.ReportMetric(texts, "texts")
		}
		runtime.KeepAlive(s)
	}
}
