package influence

import (
	"context"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	score "github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/post"
)

// fakeStore serves snapshots the way LoadStored does: rows above the version asked for.
type fakeStore struct {
	authors  []score.Stored
	networks []score.NetworkRef
	netVer   uint64
	calls    []uint64
	err      error
}

func (f *fakeStore) load(_ context.Context, after uint64) (*score.Snapshot, error) {
	f.calls = append(f.calls, after)
	if f.err != nil {
		return nil, f.err
	}
	snap := &score.Snapshot{Version: after}
	for _, a := range f.authors {
		if a.Version > after {
			snap.Authors = append(snap.Authors, a)
			snap.Version = max(snap.Version, a.Version)
		}
	}
	if f.netVer > after {
		snap.Networks = f.networks
		snap.Version = max(snap.Version, f.netVer)
	}
	return snap, nil
}

func upsert(network post.Network, author string, followers int64) *post.Post {
	return &post.Post{Network: network, ID: "p-" + author, Author: post.Author{ID: author, Followers: followers}}
}

func TestStageFillsInfluence(t *testing.T) {
	w := score.DefaultWeights
	store := &fakeStore{
		authors:  []score.Stored{{Network: "x", AuthorID: "a", Score: 71.5, Version: 10}, {Network: "reddit", AuthorID: "r", Score: 12, Version: 10}},
		networks: []score.NetworkRef{{Network: "x", FollowersRef: 100000, Weights: w}},
		netVer:   10,
	}
	s := New(store.load, time.Minute, nil)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }

	del := &post.Post{Action: post.ActionDelete, Network: "x", ID: "gone", Author: post.Author{ID: "a"}}
	posts := []*post.Post{
		upsert("x", "a", 5),          // scored: the stored score, whatever the followers
		upsert("x", "new", 1000),     // not scored: the audience part from 1000 followers
		upsert("x", "nofollow", -1),  // not scored, unknown followers: 0
		upsert("reddit", "r", -1),    // scored on a network without follower counts
		upsert("reddit", "r2", -1),   // not scored, network never normalised: 0
		upsert("youtube", "y", 5000), // network never scored: 0
		del,
	}
	out, err := s.Process(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(posts) {
		t.Fatalf("got %d posts back; want %d", len(out), len(posts))
	}
	wantNew := float32(w.Audience / (w.Audience + w.Engagement + w.Centrality) * 100 * math.Log1p(1000) / math.Log1p(100000))
	want := []float32{71.5, wantNew, 0, 12, 0, 0, 0}
	for i, p := range out {
		if math.Abs(float64(p.Influence-want[i])) > 1e-4 {
			t.Errorf("post %d (%s/%s): influence %v; want %v", i, p.Network, p.Author.ID, p.Influence, want[i])
		}
	}

	// A later computation: within the refresh interval nothing is reloaded.
	store.authors = append(store.authors, score.Stored{Network: "x", AuthorID: "new", Score: 40, Version: 20})
	clock = clock.Add(30 * time.Second)
	out, _ = s.Process(context.Background(), []*post.Post{upsert("x", "new", 1000)})
	if math.Abs(float64(out[0].Influence-wantNew)) > 1e-4 {
		t.Errorf("before the refresh: got %v; want the audience part %v", out[0].Influence, wantNew)
	}
	clock = clock.Add(31 * time.Second)
	out, _ = s.Process(context.Background(), []*post.Post{upsert("x", "new", 1000), upsert("x", "a", 5)})
	if out[0].Influence != 40 || out[1].Influence != 71.5 {
		t.Errorf("after the refresh: got %v, %v; want 40, 71.5", out[0].Influence, out[1].Influence)
	}
	if len(store.calls) != 2 || store.calls[0] != 0 || store.calls[1] != 10 {
		t.Errorf("loader called with %v; want [0 10] (incremental)", store.calls)
	}
}

func TestStageSurvivesLoadErrors(t *testing.T) {
	store := &fakeStore{err: errors.New("clickhouse is down")}
	s := New(store.load, time.Second, nil)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	out, err := s.Process(context.Background(), []*post.Post{upsert("x", "a", 10)})
	if err != nil || len(out) != 1 || out[0].Influence != 0 {
		t.Fatalf("with the store down: %v, %d posts, influence %v; want no error, 1 post, 0", err, len(out), out[0].Influence)
	}
	// Not retried before the interval; retried after it, and the scores then arrive.
	_, _ = s.Process(context.Background(), []*post.Post{upsert("x", "a", 10)})
	if len(store.calls) != 1 {
		t.Errorf("loader called %d times within the interval; want 1", len(store.calls))
	}
	store.err = nil
	store.authors = []score.Stored{{Network: "x", AuthorID: "a", Score: 9, Version: 3}}
	clock = clock.Add(2 * time.Second)
	out, _ = s.Process(context.Background(), []*post.Post{upsert("x", "a", 10)})
	if out[0].Influence != 9 {
		t.Errorf("after recovery: influence %v; want 9", out[0].Influence)
	}
}

func TestStageCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := New(func(ctx context.Context, _ uint64) (*score.Snapshot, error) { return nil, ctx.Err() }, 0, nil)
	if _, err := s.Process(ctx, []*post.Post{upsert("x", "a", 1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v; want context.Canceled", err)
	}
}

// BenchmarkStageLookup measures Process on batches of 1000 posts against a cache of 1M scored authors, three
// quarters of the posts by scored authors and the rest by authors scored from their followers.
func BenchmarkStageLookup(b *testing.B) {
	const cached = 1_000_000
	store := &fakeStore{networks: []score.NetworkRef{{Network: "x", FollowersRef: 50000, Weights: score.DefaultWeights}}, netVer: 1}
	store.authors = make([]score.Stored, cached)
	for i := range store.authors {
		store.authors[i] = score.Stored{Network: "x", AuthorID: strconv.Itoa(i), Score: float32(i % 100), Version: 1}
	}
	s := New(store.load, time.Hour, nil)
	batch := make([]*post.Post, 1000)
	for i := range batch {
		id := strconv.Itoa(i * 997 % cached)
		if i%4 == 3 {
			id = "new-" + id
		}
		batch[i] = upsert("x", id, int64(i))
	}
	if _, err := s.Process(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Process(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "lookups/s")
}
