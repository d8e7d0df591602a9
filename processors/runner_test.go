package processors_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// waitLimit bounds every wait of these tests; hitting it means the runner hangs, not that it is slow.
const waitLimit = 5 * time.Second

type stageFunc struct {
	name string
	fn   func(ctx context.Context, posts []*post.Post) ([]*post.Post, error)
}

func (s stageFunc) Name() string { return s.name }

func (s stageFunc) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	return s.fn(ctx, posts)
}

// appendStage appends tag to every post's text.
func appendStage(name, tag string) processors.Stage {
	return stageFunc{name, func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		for _, p := range posts {
			p.Text += tag
		}
		return posts, nil
	}}
}

func passStage(name string) processors.Stage {
	return stageFunc{name, func(_ context.Context, posts []*post.Post) ([]*post.Post, error) { return posts, nil }}
}

// makeBatch returns a batch of n posts with ids "<batch>-<i>" and empty text.
func makeBatch(batch, n int) *processors.Batch {
	b := &processors.Batch{Topic: "social.raw.x", Partition: int32(batch % 3)}
	for i := range n {
		b.Posts = append(b.Posts, &post.Post{ID: strconv.Itoa(batch) + "-" + strconv.Itoa(i)})
	}
	return b
}

type runResult struct {
	err error
	out []*processors.Batch
}

// run runs r over batches (sending them and closing in) with a reader that collects out until it closes.
func run(t *testing.T, ctx context.Context, r *processors.Runner, batches []*processors.Batch) runResult {
	t.Helper()
	in := make(chan *processors.Batch)
	out := make(chan *processors.Batch)
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, in, out) }()
	go func() {
		defer close(in)
		for _, b := range batches {
			select {
			case in <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	var res runResult
	timeout := time.After(waitLimit)
	for {
		select {
		case b, ok := <-out:
			if !ok {
				select {
				case res.err = <-errc:
				case <-timeout:
					t.Fatalf("out closed but Run did not return within %v", waitLimit)
				}
				return res
			}
			res.out = append(res.out, b)
		case <-timeout:
			t.Fatalf("out not closed within %v (got %d batches)", waitLimit, len(res.out))
		}
	}
}

func TestRunnerAppliesStagesInOrder(t *testing.T) {
	r := processors.NewRunner([]processors.Stage{
		appendStage("a", "a"), appendStage("b", "b"), appendStage("c", "c"),
	}, 2, nil, nil)
	var batches []*processors.Batch
	for i := range 50 {
		batches = append(batches, makeBatch(i, 1+i%7))
	}
	res := run(t, context.Background(), r, batches)
	if res.err != nil {
		t.Fatalf("Run: got %v; want nil", res.err)
	}
	if len(res.out) != len(batches) {
		t.Fatalf("got %d batches out; want %d", len(res.out), len(batches))
	}
	for i, b := range res.out {
		if b != batches[i] {
			t.Fatalf("batch %d out of order: got the batch sent as %d", i, indexOf(batches, b))
		}
		if b.Topic != "social.raw.x" || b.Partition != int32(i%3) {
			t.Errorf("batch %d: got topic %q partition %d; want social.raw.x %d", i, b.Topic, b.Partition, i%3)
		}
		if len(b.Posts) != 1+i%7 {
			t.Errorf("batch %d: got %d posts; want %d", i, len(b.Posts), 1+i%7)
		}
		for j, p := range b.Posts {
			if want := strconv.Itoa(i) + "-" + strconv.Itoa(j); p.ID != want {
				t.Errorf("batch %d post %d: got id %q; want %q", i, j, p.ID, want)
			}
			if p.Text != "abc" {
				t.Errorf("batch %d post %d: got text %q; want %q (every stage once, in order)", i, j, p.Text, "abc")
			}
		}
	}
}

func indexOf(bs []*processors.Batch, b *processors.Batch) int {
	for i, have := range bs {
		if have == b {
			return i
		}
	}
	return -1
}

func TestRunnerFilteringStage(t *testing.T) {
	// Keep posts whose index is even; a stage may return a subset, in order, or nothing.
	keepEven := stageFunc{"dedupe", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		kept := posts[:0]
		for _, p := range posts {
			i, _ := strconv.Atoi(p.ID[strings.IndexByte(p.ID, '-')+1:])
			if i%2 == 0 {
				kept = append(kept, p)
			}
		}
		return kept, nil
	}}
	dropAll := stageFunc{"drop-all-of-batch-1", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		if len(posts) > 0 && strings.HasPrefix(posts[0].ID, "1-") {
			return nil, nil
		}
		return posts, nil
	}}
	r := processors.NewRunner([]processors.Stage{keepEven, appendStage("mark", "!"), dropAll}, 0, nil, nil)
	res := run(t, context.Background(), r, []*processors.Batch{makeBatch(0, 5), makeBatch(1, 4), makeBatch(2, 1)})
	if res.err != nil {
		t.Fatalf("Run: got %v; want nil", res.err)
	}
	// Every batch reaches out, even one with no posts left: its offsets still have to be acknowledged.
	if len(res.out) != 3 {
		t.Fatalf("got %d batches out; want 3", len(res.out))
	}
	f := func(b *processors.Batch, want ...string) {
		t.Helper()
		var got []string
		for _, p := range b.Posts {
			got = append(got, p.ID+p.Text)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("posts: got %q; want %q", got, want)
		}
	}
	f(res.out[0], "0-0!", "0-2!", "0-4!")
	f(res.out[1])
	f(res.out[2], "2-0!")
}

func TestRunnerNoStages(t *testing.T) {
	r := processors.NewRunner(nil, 1, nil, nil)
	batches := []*processors.Batch{makeBatch(0, 2), makeBatch(1, 0), makeBatch(2, 3)}
	res := run(t, context.Background(), r, batches)
	if res.err != nil {
		t.Fatalf("Run: got %v; want nil", res.err)
	}
	if len(res.out) != len(batches) {
		t.Fatalf("got %d batches out; want %d", len(res.out), len(batches))
	}
	for i := range batches {
		if res.out[i] != batches[i] || len(res.out[i].Posts) != len(batches[i].Posts) {
			t.Errorf("batch %d: got %p with %d posts; want %p with %d", i, res.out[i], len(res.out[i].Posts), batches[i], len(batches[i].Posts))
		}
	}
}

func TestRunnerQueueDepthDefault(t *testing.T) {
	f := func(depth, want int) {
		t.Helper()
		if got := processors.NewRunner(nil, depth, nil, nil).QueueDepth(); got != want {
			t.Errorf("NewRunner(depth %d).QueueDepth(): got %d; want %d", depth, got, want)
		}
	}
	f(0, processors.DefaultQueueDepth)
	f(-3, processors.DefaultQueueDepth)
	f(1, 1)
	f(16, 16)
}

func TestRunnerOneProcessAtATimePerStage(t *testing.T) {
	var active, maxActive atomic.Int32
	s := stageFunc{"serial", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		n := active.Add(1)
		for {
			m := maxActive.Load()
			if n <= m || maxActive.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(50 * time.Microsecond)
		active.Add(-1)
		return posts, nil
	}}
	r := processors.NewRunner([]processors.Stage{passStage("first"), s, passStage("last")}, 8, nil, nil)
	var batches []*processors.Batch
	for i := range 200 {
		batches = append(batches, makeBatch(i, 1))
	}
	if res := run(t, context.Background(), r, batches); res.err != nil || len(res.out) != 200 {
		t.Fatalf("Run: got %v with %d batches; want nil with 200", res.err, len(res.out))
	}
	if got := maxActive.Load(); got != 1 {
		t.Errorf("concurrent Process calls of one stage: got %d; want 1", got)
	}
}

var errDown = errors.New("enrichment service down")

func TestRunnerStageError(t *testing.T) {
	reg := prometheus.NewRegistry()
	var calls atomic.Int32
	failing := stageFunc{"enrich", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		if calls.Add(1) == 3 {
			return nil, errDown
		}
		return posts, nil
	}}
	var after atomic.Int32
	last := stageFunc{"last", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		after.Add(1)
		return posts, nil
	}}
	r := processors.NewRunner([]processors.Stage{passStage("first"), failing, last}, 2, processors.NewMetrics(reg), nil)

	ctx := context.Background()
	in := make(chan *processors.Batch)
	out := make(chan *processors.Batch)
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, in, out) }()
	// A producer that keeps sending until told to stop: Run must return although in is never closed.
	stop := make(chan struct{})
	producerDone := make(chan struct{})
	go func() {
		defer close(producerDone)
		for i := 0; ; i++ {
			select {
			case in <- makeBatch(i, 1):
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-producerDone }()

	got := 0
	timeout := time.After(waitLimit)
	for open := true; open; {
		select {
		case _, open = <-out:
			if open {
				got++
			}
		case <-timeout:
			t.Fatalf("out not closed within %v after a stage failed", waitLimit)
		}
	}
	var err error
	select {
	case err = <-errc:
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return within %v after a stage failed", waitLimit)
	}
	if !errors.Is(err, errDown) {
		t.Fatalf("Run: got %v; want an error wrapping %v", err, errDown)
	}
	if !strings.Contains(err.Error(), "enrich") {
		t.Errorf("Run error %q does not name the failing stage %q", err, "enrich")
	}
	if got > 2 {
		t.Errorf("got %d batches out; want at most the 2 processed before the failure", got)
	}
	if n := after.Load(); n > 2 {
		t.Errorf("stage after the failing one processed %d batches; want at most 2", n)
	}
	if v := counterValue(t, reg, "rapport_stage_errors_total", "enrich"); v != 1 {
		t.Errorf("rapport_stage_errors_total{stage=enrich}: got %v; want 1", v)
	}
}

// TestRunnerStageErrorWrappingContextCanceled: a stage error is the pipeline's failure even when it wraps
// context.Canceled from the stage's own machinery (a client's internal context, say) while the run's
// context is live. Run must return that error, naming the stage, not a bare context.Canceled that reads
// like a requested shutdown.
func TestRunnerStageErrorWrappingContextCanceled(t *testing.T) {
	failing := stageFunc{"geo", func(context.Context, []*post.Post) ([]*post.Post, error) {
		return nil, fmt.Errorf("geocoder request: %w", context.Canceled)
	}}
	r := processors.NewRunner([]processors.Stage{failing}, 1, nil, nil)
	res := run(t, context.Background(), r, []*processors.Batch{makeBatch(0, 1)})
	if res.err == nil {
		t.Fatalf("Run: got nil; want the stage's error")
	}
	if !strings.Contains(res.err.Error(), "geo") || !strings.Contains(res.err.Error(), "geocoder request") {
		t.Errorf("Run: got %q; want the stage's error, naming stage geo (e.g. %q)", res.err, "stage geo: geocoder request: context canceled")
	}
}

func TestRunnerGracefulDrain(t *testing.T) {
	slow := stageFunc{"slow", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		time.Sleep(200 * time.Microsecond)
		return posts, nil
	}}
	r := processors.NewRunner([]processors.Stage{passStage("a"), slow, appendStage("c", "c")}, 3, nil, nil)
	in := make(chan *processors.Batch, 10)
	out := make(chan *processors.Batch, 100)
	const n = 40
	for i := range 10 {
		in <- makeBatch(i, 2)
	}
	errc := make(chan error, 1)
	go func() { errc <- r.Run(context.Background(), in, out) }()
	for i := 10; i < n; i++ {
		in <- makeBatch(i, 2)
	}
	close(in) // graceful stop: everything already sent must still come out

	var err error
	select {
	case err = <-errc:
	case <-time.After(waitLimit):
		t.Fatalf("Run did not return within %v after in was closed", waitLimit)
	}
	if err != nil {
		t.Fatalf("Run: got %v; want nil", err)
	}
	got := 0
	for b := range out { // Run closed out, or this loop would not end
		if b.Posts[0].Text != "c" {
			t.Errorf("batch %d: got text %q; want %q", got, b.Posts[0].Text, "c")
		}
		got++
	}
	if got != n {
		t.Errorf("got %d batches out after the drain; want %d", got, n)
	}
}

func TestRunnerCancel(t *testing.T) {
	f := func(name string, stages []processors.Stage) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		r := processors.NewRunner(stages, 2, nil, nil)
		in := make(chan *processors.Batch, 8)
		out := make(chan *processors.Batch) // nobody reads it
		for i := range 8 {
			in <- makeBatch(i, 1)
		}
		errc := make(chan error, 1)
		go func() { errc <- r.Run(ctx, in, out) }()
		time.Sleep(10 * time.Millisecond) // let the pipeline fill up and block
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: Run: got %v; want context.Canceled", name, err)
			}
		case <-time.After(waitLimit):
			t.Fatalf("%s: Run did not return within %v after cancel", name, waitLimit)
		}
		if _, ok := <-out; ok {
			t.Errorf("%s: out not closed after Run returned", name)
		}
	}
	blocking := stageFunc{"blocking", func(ctx context.Context, _ []*post.Post) ([]*post.Post, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	f("blocked in Process", []processors.Stage{passStage("a"), blocking})
	f("blocked on a full out", []processors.Stage{passStage("a"), passStage("b")})
	f("no stages", nil)
}

func TestRunnerCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := processors.NewRunner([]processors.Stage{passStage("a")}, 1, nil, nil)
	in := make(chan *processors.Batch)
	out := make(chan *processors.Batch, 1)
	if err := r.Run(ctx, in, out); !errors.Is(err, context.Canceled) {
		t.Errorf("Run: got %v; want context.Canceled", err)
	}
	if _, ok := <-out; ok {
		t.Errorf("out not closed")
	}
}

// TestRunnerBackpressure: with nobody reading out, a producer can only get a bounded number of batches
// into in before its send blocks: the queues between stages, in and out, plus the batch each stage holds.
func TestRunnerBackpressure(t *testing.T) {
	for _, tc := range []struct{ stages, depth int }{{1, 1}, {3, 2}, {5, 4}} {
		var stages []processors.Stage
		for i := range tc.stages {
			stages = append(stages, passStage("s"+strconv.Itoa(i)))
		}
		r := processors.NewRunner(stages, tc.depth, nil, nil)
		ctx, cancel := context.WithCancel(context.Background())
		in := make(chan *processors.Batch, r.QueueDepth())
		out := make(chan *processors.Batch, r.QueueDepth()) // never read
		errc := make(chan error, 1)
		go func() { errc <- r.Run(ctx, in, out) }()

		var accepted atomic.Int64
		stop := make(chan struct{})
		producerDone := make(chan struct{})
		const attempts = 10000
		go func() {
			defer close(producerDone)
			for i := range attempts {
				select {
				case in <- makeBatch(i, 1):
					accepted.Add(1)
				case <-stop:
					return
				}
			}
		}()

		// Wait until the pipeline is full end to end, then give any batch still moving time to settle.
		deadline := time.Now().Add(waitLimit)
		for len(out) < cap(out) || len(in) < cap(in) {
			if time.Now().After(deadline) {
				t.Fatalf("stages=%d depth=%d: pipeline never filled: in %d/%d, out %d/%d, accepted %d",
					tc.stages, tc.depth, len(in), cap(in), len(out), cap(out), accepted.Load())
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)

		const slack = 1
		bound := int64((tc.stages+1)*tc.depth + tc.stages + slack)
		got := accepted.Load()
		t.Logf("stages=%d depth=%d: %d batches accepted before the producer blocked (bound %d)", tc.stages, tc.depth, got, bound)
		if got > bound {
			t.Errorf("stages=%d depth=%d: producer got %d batches in with out unread; want at most %d",
				tc.stages, tc.depth, got, bound)
		}
		select {
		case <-producerDone:
			t.Errorf("stages=%d depth=%d: producer sent all %d batches; want it blocked", tc.stages, tc.depth, attempts)
		default:
		}

		close(stop)
		<-producerDone
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("stages=%d depth=%d: Run: got %v; want context.Canceled", tc.stages, tc.depth, err)
			}
		case <-time.After(waitLimit):
			t.Fatalf("stages=%d depth=%d: Run did not return after cancel", tc.stages, tc.depth)
		}
	}
}

// counterValue returns the value of counter name with label stage, from reg.
func counterValue(t *testing.T, reg *prometheus.Registry, name, stage string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	for _, mf := range families {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "stage" && l.GetValue() == stage {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{stage=%q} in the registry", name, stage)
	return 0
}

func TestRunnerMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	halve := stageFunc{"halve", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
		return posts[:len(posts)/2], nil
	}}
	r := processors.NewRunner([]processors.Stage{passStage("first"), halve, passStage("last")}, 2, processors.NewMetrics(reg), nil)
	// 10 + 7 + 0 + 4 = 21 posts in; halve keeps 5 + 3 + 0 + 2 = 10.
	batches := []*processors.Batch{makeBatch(0, 10), makeBatch(1, 7), makeBatch(2, 0), makeBatch(3, 4)}
	if res := run(t, context.Background(), r, batches); res.err != nil {
		t.Fatalf("Run: %v", res.err)
	}
	f := func(name, stage string, want float64) {
		t.Helper()
		if got := counterValue(t, reg, name, stage); got != want {
			t.Errorf("%s{stage=%q}: got %v; want %v", name, stage, got, want)
		}
	}
	f("rapport_stage_posts_in_total", "first", 21)
	f("rapport_stage_posts_out_total", "first", 21)
	f("rapport_stage_posts_in_total", "halve", 21)
	f("rapport_stage_posts_out_total", "halve", 10)
	f("rapport_stage_posts_in_total", "last", 10)
	f("rapport_stage_posts_out_total", "last", 10)
	f("rapport_stage_errors_total", "halve", 0)
}

func TestNewMetricsRegistersOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	processors.NewMetrics(reg)
	defer func() {
		if recover() == nil {
			t.Errorf("second NewMetrics on the same registry: got no panic; want a duplicate registration panic")
		}
	}()
	processors.NewMetrics(reg)
}

func BenchmarkRunner(b *testing.B) {
	const batchSize = 1000
	stages := []processors.Stage{
		stageFunc{"count", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
			for _, p := range posts {
				p.Engagement.Likes++
			}
			return posts, nil
		}},
		stageFunc{"lang", func(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
			for _, p := range posts {
				if p.Lang == "" {
					p.Lang = "und"
				}
			}
			return posts, nil
		}},
		passStage("pass"),
	}
	// A small pool of batches is recycled, as the stages do not keep them.
	pool := make([]*processors.Batch, 64)
	for i := range pool {
		pool[i] = makeBatch(i, batchSize)
	}
	r := processors.NewRunner(stages, 0, processors.NewMetrics(nil), nil)
	in := make(chan *processors.Batch, r.QueueDepth())
	out := make(chan *processors.Batch, r.QueueDepth())
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); errc <- r.Run(context.Background(), in, out) }()

	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for i := 0; i < b.N; i++ {
			in <- pool[i%len(pool)]
		}
		close(in)
	}()
	n := 0
	for range out {
		n++
	}
	b.StopTimer()
	wg.Wait()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("got %d batches out; want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)*batchSize/b.Elapsed().Seconds(), "posts/s")
}
