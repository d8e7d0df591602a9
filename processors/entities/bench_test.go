package entities

import (
	"context"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/features"
	"github.com/rapport-dev/rapport/sim"
)

// simPosts returns n simulated posts (upserts and deletes), normalized and with their text features, in
// stream order.
func simPosts(tb testing.TB, n int) []*post.Post {
	tb.Helper()
	gen := sim.New(sim.Config{Seed: 7, DuplicateRate: -1})
	norms := ingest.Normalizers()
	out := make([]*post.Post, 0, n)
	for len(out) < n {
		r := gen.Next()
		if r.Duplicate || r.Malformed {
			continue
		}
		p := new(post.Post)
		if err := norms[r.Network].Normalize(r.Value, p); err != nil {
			tb.Fatal(err)
		}
		f := features.Extract(p.Text)
		p.Hashtags, p.Mentions, p.Cashtags = f.Hashtags, f.Mentions, f.Cashtags
		out = append(out, p)
	}
	return out
}

// benchStage runs s over simulated posts in batches of 1000 and reports posts per second of wall time and
// per CPU second (the stage runs in one goroutine, so that is per core; it includes the garbage collector).
// An op is the 20,000 posts: allocs/op ÷ 20,000 is allocations per post.
func benchStage(b *testing.B, s *Stage) {
	posts := simPosts(b, 20000)
	const batch = 1000
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	n := 0
	for i := 0; i < b.N; i++ {
		for lo := 0; lo < len(posts); lo += batch {
			if _, err := s.Process(ctx, posts[lo:lo+batch]); err != nil {
				b.Fatal(err)
			}
		}
		n += len(posts)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "posts/s")
	if cpu := cpuSeconds() - cpu0; cpu0 > 0 && cpu > 0 {
		b.ReportMetric(float64(n)/cpu, "posts/cpu-s")
	}
}

// BenchmarkStage is recognition alone, the baseline of BenchmarkStageThreads.
func BenchmarkStage(b *testing.B) { benchStage(b, New(simRecognizer(b), nil)) }

// BenchmarkStageThreads adds thread inheritance with a cache smaller than the 20,000 posts, so it is full and
// evicts all the time (the horizon is long, so size is what evicts).
func BenchmarkStageThreads(b *testing.B) {
	benchStage(b, NewThreaded(simRecognizer(b), ThreadConfig{Horizon: 10 * 365 * 24 * time.Hour, MaxPosts: 5000}, nil))
}
