package alerting

import (
	"context"
	"testing"
	"time"
)

// BenchmarkStage measures the alerting stage per post on a stream of 2 posts per second about one brand
// with product and network series on (three series per post).
func BenchmarkStage(b *testing.B) {
	from := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	posts := stream(1, from, from.Add(6*time.Hour), from, 2, 0.2, 0)
	c := testMonitorConfig()
	c.ByProduct, c.ByNetwork = true, true
	mon, _ := NewMonitor(c)
	s := NewStage(mon, func(Notice) {}, nil, func() time.Time { return from.Add(7 * time.Hour) })
	b.ReportAllocs()
	b.ResetTimer()
	done := 0
	for b.Loop() {
		if done == len(posts) { // start a new monitor once the stream is used up; time moves forward only
			b.StopTimer()
			mon, _ = NewMonitor(c)
			s = NewStage(mon, func(Notice) {}, nil, func() time.Time { return from.Add(7 * time.Hour) })
			done = 0
			b.StartTimer()
		}
		end := min(done+1000, len(posts))
		if _, err := s.Process(context.Background(), posts[done:end]); err != nil {
			b.Fatal(err)
		}
		done = end
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/post")
}
