package entities

import (
	"context"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// prefetch is one background look-up of parents, started by the prefetcher for one batch. Its fields other
// than done are guarded by threads.mu.
type prefetch struct {
	seq      uint64 // the prefetcher's batch number
	done     chan struct{}
	uids     []uint64
	networks []post.Network
	ids      []string
	failed   bool // some look-up failed; its parents were neither remembered nor marked missed
	waited   bool // scratch of lookupMissing
}

// prefetcherState is what the prefetcher keeps between its batches; only its goroutine touches it.
type prefetcherState struct {
	recent map[uint64]int // UIDs of the last recentBatches batches, on their way to the stage
	ring   [recentBatches][]uint64
	next   int
}

// Prefetcher returns the stage that starts, ahead of s, the store look-ups of the parents s is going to miss
// (see Prefetch in the package's thread notes). Place it before s in the same chain, so that it sees the
// same batches in the same order; every stage between the two then works while the look-ups run. Without
// thread inheritance or a Lookup it passes batches through untouched.
func (s *Stage) Prefetcher() processors.Stage { return prefetcher{t: s.threads} }

type prefetcher struct{ t *threads }

// Name implements processors.Stage.
func (prefetcher) Name() string { return "entities_prefetch" }

// Process implements processors.Stage. It never changes, drops or fails a post; the look-ups it starts stop
// when ctx is cancelled or after lookupTimeout, and the entities stage waits for each with the batch it was
// started for.
func (p prefetcher) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if p.t != nil && p.t.cfg.Lookup != nil {
		p.t.prefetch(ctx, posts)
	}
	return posts, nil
}

// prefetch starts the look-up of the batch's parents that nothing accounts for yet.
func (t *threads) prefetch(ctx context.Context, posts []*post.Post) {
	ps := &t.pre
	if ps.recent == nil {
		ps.recent = map[uint64]int{}
	}
	batch := ps.ring[ps.next]
	for _, uid := range batch {
		if ps.recent[uid]--; ps.recent[uid] <= 0 {
			delete(ps.recent, uid)
		}
	}
	batch = batch[:0]
	for _, p := range posts {
		if p.Action != post.ActionDelete {
			uid := p.UID()
			batch = append(batch, uid)
			ps.recent[uid]++
		}
	}
	ps.ring[ps.next] = batch
	ps.next = (ps.next + 1) % recentBatches

	t.mu.Lock()
	defer t.mu.Unlock()
	t.preSeq++
	if !t.warmed || t.inflight >= maxPrefetches {
		return // before the warm-up the cache does not yet say what is known; past the bound the stage asks
	}
	pf := &prefetch{seq: t.preSeq, done: make(chan struct{})}
	now := t.now()
	for _, p := range posts {
		if p.Action == post.ActionDelete {
			continue
		}
		for uid, id := range t.unknownParents(p) {
			if ps.recent[uid] > 0 {
				break // on its way to the stage, which will know it (and ask for the next ones if need be)
			}
			if _, ok := t.pending[uid]; ok {
				continue
			}
			if at, ok := t.missed[uid]; ok && now.Sub(at) < missRetry {
				continue
			}
			t.pending[uid] = pf
			pf.uids = append(pf.uids, uid)
			pf.networks = append(pf.networks, p.Network)
			pf.ids = append(pf.ids, id)
		}
	}
	if len(pf.uids) == 0 {
		return
	}
	t.inflight++
	t.prefetches = append(t.prefetches, pf)
	go t.runPrefetch(ctx, pf)
}

// runPrefetch looks pf's parents up, one query per network, and marks it done.
func (t *threads) runPrefetch(ctx context.Context, pf *prefetch) {
	byNetwork := map[post.Network][]string{}
	for i, network := range pf.networks {
		byNetwork[network] = append(byNetwork[network], pf.ids[i])
	}
	failed := false
	for network, ids := range byNetwork {
		if !t.lookup(ctx, network, ids) {
			failed = true
		}
	}
	t.mu.Lock()
	for _, uid := range pf.uids {
		if t.pending[uid] == pf {
			delete(t.pending, uid)
		}
	}
	t.inflight--
	pf.failed = failed
	t.mu.Unlock()
	close(pf.done)
}
