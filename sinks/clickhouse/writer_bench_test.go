package clickhouse_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/ingest"
	"github.com/rapport-dev/rapport/internal/testenv"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
	"github.com/rapport-dev/rapport/sim"
	"github.com/rapport-dev/rapport/sinks/clickhouse"
)

// BenchmarkWriter measures rows/s of the writer alone into the real ClickHouse, per
// clickhouse.inserts_in_flight, on simulated posts (decoded by the normalizers, unenriched) in pipeline
// batches of 1,000 and inserts of 20,000 rows (the defaults). The input never waits, so this is the
// writer's ceiling, not the pipeline's. RAPPORT_BENCH_WRITER_ROWS sets the rows per iteration (default
// 200000). Run: go test -run '^$' -bench Writer -benchtime 3x ./sinks/clickhouse/
func BenchmarkWriter(b *testing.B) {
	conn, _ := testenv.ClickHouse(b)
	n := 200000
	if v := os.Getenv("RAPPORT_BENCH_WRITER_ROWS"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil {
			b.Fatalf("RAPPORT_BENCH_WRITER_ROWS: %v", err)
		}
	}
	posts := simPosts(b, n)
	for _, inFlight := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("in_flight=%d", inFlight), func(b *testing.B) {
			w := clickhouse.NewWriter(conn, clickhouse.WriterConfig{InsertsInFlight: inFlight}, nil, nil)
			var elapsed time.Duration
			for range b.N {
				in := make(chan *processors.Batch, len(posts)/1000+1)
				for lo := 0; lo < len(posts); lo += 1000 {
					in <- &processors.Batch{Posts: posts[lo:min(lo+1000, len(posts))]}
				}
				close(in)
				start := time.Now()
				if err := w.Run(context.Background(), in); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}

// simPosts returns n posts decoded from the simulator's stream (malformed records skipped).
func simPosts(b *testing.B, n int) []*post.Post {
	b.Helper()
	gen := sim.New(sim.Config{Seed: 9})
	norms := ingest.Normalizers()
	var dec ingest.Decoder
	posts := make([]*post.Post, 0, n)
	for len(posts) < n {
		r := gen.Next()
		p := &post.Post{Source: post.Source{Topic: r.Topic, Offset: int64(len(posts))}}
		if err := dec.Decode(norms[r.Network], r.Value, p); err != nil {
			continue
		}
		posts = append(posts, p)
	}
	return posts
}
