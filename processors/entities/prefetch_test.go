package entities

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/features"
)

// storeLookup is a Lookup over a fixed set of stored X posts that records what it was asked, and fails while
// fail is set.
type storeLookup struct {
	mu     sync.Mutex
	stored map[string][]ThreadEntity
	asked  []string
	calls  int
	fail   bool
}

func (l *storeLookup) lookup(_ context.Context, network post.Network, ids []string) ([]Remembered, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	l.asked = append(l.asked, ids...)
	if l.fail {
		return nil, errors.New("store down")
	}
	var out []Remembered
	for _, id := range ids {
		if ents, ok := l.stored[id]; ok {
			out = append(out, Remembered{UID: post.UID(network, id), Time: t0.UnixMilli(), Entities: ents})
		}
	}
	return out, nil
}

func (l *storeLookup) take() (asked []string, calls int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	asked, calls = l.asked, l.calls
	l.asked, l.calls = nil, 0
	sort.Strings(asked)
	return asked, calls
}

// prefetchBatches is a stream whose children reply to stored parents, unknown ones, parents earlier in the
// stream and parents in their own batch.
func prefetchBatches() [][]*post.Post {
	return [][]*post.Post{
		{
			mk("a", 1, "yes", post.Refs{ReplyToID: "s1"}),    // stored parent with entities
			mk("b", 2, "Acme", post.Refs{ReplyToID: "s2"}),   // own entity: needs no parent
			mk("c", 3, "same", post.Refs{ReplyToID: "gone"}), // never stored
			mk("d", 4, "this!", post.Refs{ReplyToID: "a"}),   // parent in the batch
			mk("e", 5, "ok", post.Refs{ReplyToID: "s3"}),     // stored parent without entities
			mk("f", 6, "Zentro", post.Refs{ReplyToID: "s1"}), // own entity
			mk("g", 7, "hmm", post.Refs{QuoteOfID: "s2"}),    // stored, asked for b's sake
		},
		{
			mk("h", 8, "lol", post.Refs{ReplyToID: "d"}),     // parent in the previous batch
			mk("i", 9, "same", post.Refs{ReplyToID: "gone"}), // missed a moment ago
			mk("j", 10, "yes", post.Refs{RepostOfID: "s4"}),  // stored
			mk("k", 11, "no", post.Refs{ReplyToID: "s3", ConversationID: "s5"}),
		},
	}
}

func prefetchLookup() *storeLookup {
	acme := []ThreadEntity{{ID: "acme", Brand: "acme", Kind: post.EntityBrand}}
	zentro := []ThreadEntity{{ID: "zentro", Brand: "zentro", Kind: post.EntityBrand}}
	return &storeLookup{stored: map[string][]ThreadEntity{"s1": acme, "s2": zentro, "s3": nil, "s4": zentro, "s5": acme}}
}

// TestPrefetchSameAnswers checks that with the prefetcher running ahead (it sees every batch before the stage
// sees the first) the children inherit exactly what they inherit without it, and that the stage then asks
// the store nothing itself.
func TestPrefetchSameAnswers(t *testing.T) {
	tc := ThreadConfig{Horizon: time.Hour, MaxPosts: 100}

	plainStore := prefetchLookup()
	tc.Lookup = plainStore.lookup
	want := run(t, NewThreaded(simRecognizer(t), tc, nil), prefetchBatches()...)
	check(t, want, map[string]string{"a": "acme*", "b": "acme", "c": "-", "d": "acme*", "e": "-", "g": "zentro*",
		"h": "acme*", "i": "-", "j": "zentro*", "k": "acme*"})

	store := prefetchLookup()
	tc.Lookup = store.lookup
	s := NewThreaded(simRecognizer(t), tc, nil)
	pre := s.Prefetcher()
	batches := prefetchBatches()
	ctx := context.Background()
	for i, b := range batches {
		batches[i], _ = features.Stage{}.Process(ctx, b)
		if _, err := pre.Process(ctx, batches[i]); err != nil {
			t.Fatal(err)
		}
	}
	s.threads.mu.Lock()
	started := append([]*prefetch(nil), s.threads.prefetches...)
	s.threads.mu.Unlock()
	for _, pf := range started {
		<-pf.done
	}
	prefetched, _ := store.take()
	got := map[string]string{}
	for _, b := range batches {
		out, err := s.Process(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range out {
			got[p.ID] = describe(t, p.Entities)
		}
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("post %s with prefetch: got %q; want %q as without", id, got[id], w)
		}
	}
	if asked, calls := store.take(); calls != 0 {
		t.Errorf("the stage asked the store %d times for %v after the prefetch; want 0", calls, asked)
	}
	// The prefetcher asks for parents of posts with entities of their own too (s1 for f, s2 for b), but once.
	if strings.Join(prefetched, ",") != "gone,s1,s2,s3,s4,s5" {
		t.Errorf("prefetched %v; want [gone s1 s2 s3 s4 s5]", prefetched)
	}
	if n := len(s.threads.pending) + s.threads.inflight + len(s.threads.prefetches); n != 0 {
		t.Errorf("%d prefetches left over after their batches", n)
	}
}

// TestPrefetchFailureFallsBack checks that when a prefetch fails, the stage asks the store itself.
func TestPrefetchFailureFallsBack(t *testing.T) {
	store := prefetchLookup()
	s := NewThreaded(simRecognizer(t), ThreadConfig{Horizon: time.Hour, MaxPosts: 100, Lookup: store.lookup}, nil)
	ctx := context.Background()
	b, _ := features.Stage{}.Process(ctx, []*post.Post{mk("a", 1, "yes", post.Refs{ReplyToID: "s1"})})
	store.fail = true
	if _, err := s.Prefetcher().Process(ctx, b); err != nil {
		t.Fatal(err)
	}
	<-s.threads.prefetches[0].done
	store.mu.Lock()
	store.fail = false
	store.mu.Unlock()
	store.take()
	out, err := s.Process(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(t, out[0].Entities); got != "acme*" {
		t.Errorf("after a failed prefetch: got %q; want acme*", got)
	}
	if asked, calls := store.take(); calls != 1 || strings.Join(asked, ",") != "s1" {
		t.Errorf("stage look-ups after a failed prefetch: %d asking %v; want 1 asking [s1]", calls, asked)
	}
}
