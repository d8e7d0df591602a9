package entities

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/catalog"
	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// Thread inheritance
//
// Replies, quotes and reposts are about the brand of the post they answer even when they do not name it ("lol
// same here", "this!"). With threads enabled the stage remembers, for a bounded window of event time, the
// entities of every post it saw (own or inherited), and a post that names no entity of its own but repeats,
// quotes or replies to a remembered post that has some takes that post's entities, marked as inherited
// (Start = End = -1, Matched = ""). The parent is looked for in this order: the reposted post, the quoted one,
// the one replied to, and last the conversation root. A post's own mentions always win; a parent older than
// the horizon before the child, or deleted, passes nothing on.
//
// State. The cache belongs to the stage, so to the process, and covers every partition this member
// consumes; it is lost on restart. Before the first batch the stage warms it up (Warm: the posts stored
// within the horizon before that batch), so that records replayed after a restart or a rebalance get the
// answer they got the first time. The posts of one thread need not share a partition (that depends on how
// the producer keys its records), so a parent consumed by another member is known here only once it is
// stored: Lookup, when set, asks the store for the parents a batch misses, in one query per batch. A child
// that arrives before its parent is stored (or, within a batch, before its parent), or whose lookup fails,
// inherits nothing; failed lookups are counted. Stored times have whole seconds, so a warmed-up parent may
// look up to a second older than it did in memory.
//
// Prefetch. A look-up is a round trip to the store that the batch waits for, and most of its cost is latency,
// not work. The Prefetcher stage, placed earlier in the chain, starts the look-up of a batch's unknown
// parents in the background when the batch passes it, so that the query runs while the stages in between
// work; when the batch reaches this stage the answer is usually there already. It asks for the parents of
// every post with references (it does not know yet which posts name an entity of their own), skips those
// that the cache, the batches it passed recently (on their way here) or the negative cache account for, and
// keeps at most maxPrefetches look-ups in flight. What it found is remembered like any looked-up post, and
// what it did not find enters the negative cache. This stage waits for a prefetch that covers a parent it
// misses and asks the store itself only for parents no prefetch covered (or whose prefetch failed), so the
// answer a child gets is what it would get without prefetching, except that a parent stored in the short
// time between the prefetch and the batch reaching this stage is treated as not yet stored.

// ThreadConfig configures thread inheritance. The zero value disables it.
type ThreadConfig struct {
	// Horizon is how far back in event time a parent may be created before its child; ≤ 0 disables threads.
	Horizon time.Duration
	// MaxPosts bounds the posts remembered (the oldest go first); ≤ 0 disables threads.
	MaxPosts int
	// NoConversation disables the last resort: inheriting from the conversation root.
	NoConversation bool
	// Warm, when set, returns the posts created at or after since (at most limit, newest first) with their
	// stored entities. It is called once, before the first batch; its error stops the stage (as the store is
	// down, nothing could be written either).
	Warm func(ctx context.Context, since time.Time, limit int) ([]Remembered, error)
	// Lookup, when set, returns the stored posts among ids (all of one network), for parents the cache
	// misses. Posts it does not return are unknown. An error is counted and the children inherit nothing.
	Lookup func(ctx context.Context, network post.Network, ids []string) ([]Remembered, error)
}

// lookupTimeout bounds one look-up of missed parents, so that a slow store delays a batch by little: the
// children then inherit nothing, and the failure is counted.
const lookupTimeout = 2 * time.Second

// Parents the store did not have are not asked for again for missRetry (of processing time): replies to posts
// that were never ingested are common, and asking for them with every batch would cost a query each time. A
// parent stored later than that (in flight on another member) is found on the next ask. At most maxMissed
// are remembered; past that the list starts afresh.
const (
	missRetry = time.Minute
	maxMissed = 100_000
)

// maxPrefetches bounds the prefetch look-ups in flight; past it, batches pass the prefetcher unprefetched and
// this stage asks for their parents itself. recentBatches is how many batches the prefetcher remembers as
// being on their way to this stage (more than the queues between the two can hold).
const (
	maxPrefetches = 4
	recentBatches = 64
)

// threads is the thread state of a stage.
type threads struct {
	cfg ThreadConfig

	// mu guards what the stage shares with its prefetcher: cache, warmed, missed, pending, inflight.
	mu         sync.Mutex
	cache      *threadCache
	warmed     bool
	pending    map[uint64]*prefetch // parents a prefetch is looking up
	inflight   int                  // prefetches running
	prefetches []*prefetch          // started and not yet waited for by the stage, oldest first
	preSeq     uint64               // batches the prefetcher saw
	seq        uint64               // batches the stage saw

	pre prefetcherState // the prefetcher's own

	// Per-batch scratch, reused.
	uids    []uint64
	inBatch map[uint64]struct{}
	missing map[post.Network][]string
	asked   map[uint64]struct{}
	waiting map[uint64]struct{}  // parents of the batch a running prefetch covers
	missed  map[uint64]time.Time // parents the store did not have, and when it was asked
	now     func() time.Time

	inherited  prometheus.Counter
	lookups    *prometheus.CounterVec
	lookupTime prometheus.Histogram
	lookedUp   *prometheus.CounterVec
	cachedSize prometheus.Gauge
}

// NewThreaded returns the stage recognising with rec (see New) that also passes entities down threads as tc
// says. reg may be nil. With an empty catalogue there is nothing to inherit, and it is New.
func NewThreaded(rec *catalog.Recognizer, tc ThreadConfig, reg prometheus.Registerer) *Stage {
	s := New(rec, reg)
	if tc.Horizon <= 0 || tc.MaxPosts <= 0 || s.rec.Len() == 0 {
		return s // nothing to inherit
	}
	t := &threads{
		cfg:     tc,
		cache:   newThreadCache(tc.Horizon.Milliseconds(), tc.MaxPosts),
		inBatch: map[uint64]struct{}{},
		missing: map[post.Network][]string{},
		asked:   map[uint64]struct{}{},
		waiting: map[uint64]struct{}{},
		missed:  map[uint64]time.Time{},
		pending: map[uint64]*prefetch{},
		warmed:  tc.Warm == nil, // nothing to warm up from
		now:     time.Now,
		inherited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_entities_inherited_posts_total",
			Help: "Posts that name no catalogue entity but took the entities of the post they reply to, quote or repost.",
		}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_entities_thread_lookups_total",
			Help: "Store look-ups of parents the thread cache missed, by result (ok, error); warm-ups count as lookups too.",
		}, []string{"result"}),
		lookupTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "rapport_entities_thread_lookup_duration_seconds",
			Help:    "Time the entities stage waited on store look-ups of missed parents (its own or prefetched), per batch that missed some.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8),
		}),
		lookedUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_entities_thread_lookup_posts_total",
			Help: "Parents asked of the store, by whether it had them (found, unknown).",
		}, []string{"result"}),
		cachedSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_entities_thread_cached_posts",
			Help: "Posts the thread cache remembers.",
		}),
	}
	if reg != nil {
		reg.MustRegister(t.inherited, t.lookups, t.lookupTime, t.lookedUp, t.cachedSize)
	}
	s.threads = t
	return s
}

// CachedPosts returns how many posts the thread cache remembers (0 without threads).
func (s *Stage) CachedPosts() int {
	if s.threads == nil {
		return 0
	}
	s.threads.mu.Lock()
	defer s.threads.mu.Unlock()
	return s.threads.cache.Len()
}

// processThreads is Process with thread inheritance. It returns the numbers of brand and product mentions
// and of posts with entities, for the stage's counters.
func (s *Stage) processThreads(ctx context.Context, posts []*post.Post) (brands, products, with int, err error) {
	t := s.threads
	t.mu.Lock()
	t.seq++
	warmed := t.warmed
	t.mu.Unlock()
	if !warmed {
		if err := t.warm(ctx, posts); err != nil {
			return 0, 0, 0, err
		}
	}

	// Pass 1: own entities; the UIDs of the batch.
	t.uids = t.uids[:0]
	clear(t.inBatch)
	for _, p := range posts {
		uid := p.UID()
		t.uids = append(t.uids, uid)
		if p.Action == post.ActionDelete {
			continue
		}
		t.inBatch[uid] = struct{}{}
		p.Entities = s.rec.Find(p)
	}
	if t.cfg.Lookup != nil {
		t.lookupMissing(ctx, posts)
	}

	// Pass 2, in order: deletes, inheritance, remembering.
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, p := range posts {
		uid := t.uids[i]
		if p.Action == post.ActionDelete {
			t.cache.remove(uid)
			continue
		}
		ms := p.CreatedAt.UnixMilli()
		if len(p.Entities) == 0 {
			if parent := t.parent(p, ms); parent != nil {
				p.Entities = inherit(parent.ents)
				t.inherited.Inc()
			}
		}
		c := t.cache.put(uid, ms)
		for _, e := range p.Entities {
			c.ents = append(c.ents, ThreadEntity{ID: e.ID, Brand: e.Brand, Kind: e.Kind, Competitor: e.Competitor})
		}
		if len(p.Entities) > 0 {
			with++
		}
		for _, e := range p.Entities {
			if e.Kind == post.EntityProduct {
				products++
			} else {
				brands++
			}
		}
	}
	t.cachedSize.Set(float64(t.cache.Len()))
	return brands, products, with, nil
}

// parent returns the remembered post p inherits from (created at ms), or nil.
func (t *threads) parent(p *post.Post, ms int64) *slot {
	refs := t.refs(p)
	for _, id := range refs.ids[:refs.n] {
		if id == "" || id == p.ID {
			continue
		}
		s := t.cache.get(post.UID(p.Network, id))
		if s == nil || len(s.ents) == 0 || s.t < ms-t.cache.horizon {
			continue
		}
		return s
	}
	return nil
}

// inherit copies a parent's entities as inherited ones.
func inherit(ents []ThreadEntity) []post.Entity {
	out := make([]post.Entity, len(ents))
	for i, e := range ents {
		out[i] = post.Entity{ID: e.ID, Brand: e.Brand, Kind: e.Kind, Competitor: e.Competitor, Start: -1, End: -1}
	}
	return out
}

// lookupMissing asks the store for the parents of the batch's entity-less posts that neither the cache nor
// the batch holds, waiting for the prefetches that cover some of them, and remembers what it finds.
func (t *threads) lookupMissing(ctx context.Context, posts []*post.Post) {
	for k, v := range t.missing {
		t.missing[k] = v[:0]
	}
	clear(t.asked)
	clear(t.waiting)
	var waits []*prefetch
	t.mu.Lock()
	// The prefetches started for this batch or earlier ones are waited for here, whether or not the batch
	// needs their answers, so that none outlives the batch it was started for.
	for len(t.prefetches) > 0 && t.prefetches[0].seq <= t.seq {
		pf := t.prefetches[0]
		t.prefetches = t.prefetches[1:]
		pf.waited = true
		waits = append(waits, pf)
	}
	now := t.now()
	need := false
	for _, p := range posts {
		if p.Action == post.ActionDelete || len(p.Entities) > 0 {
			continue
		}
		for uid, id := range t.unknownParents(p) {
			if _, ok := t.inBatch[uid]; ok {
				continue
			}
			if _, ok := t.asked[uid]; ok {
				continue
			}
			t.asked[uid] = struct{}{}
			if pf, ok := t.pending[uid]; ok {
				t.waiting[uid] = struct{}{}
				if !pf.waited {
					pf.waited = true
					waits = append(waits, pf)
				}
				continue
			}
			if at, ok := t.missed[uid]; ok && now.Sub(at) < missRetry {
				continue
			}
			t.missing[p.Network] = append(t.missing[p.Network], id)
			need = true
		}
	}
	for _, pf := range waits {
		pf.waited = false
	}
	t.mu.Unlock()
	if !need && len(waits) == 0 {
		return
	}
	start := time.Now()
	for _, pf := range waits {
		select {
		case <-pf.done:
		case <-ctx.Done():
			return
		}
	}
	// A parent whose prefetch failed is asked for here, once more.
	t.mu.Lock()
	for _, pf := range waits {
		if !pf.failed {
			continue
		}
		for i, uid := range pf.uids {
			if _, ok := t.waiting[uid]; ok && t.cache.get(uid) == nil {
				t.missing[pf.networks[i]] = append(t.missing[pf.networks[i]], pf.ids[i])
				need = true
			}
		}
	}
	t.mu.Unlock()
	if need {
		for network, ids := range t.missing {
			if len(ids) > 0 {
				t.lookup(ctx, network, ids)
			}
		}
	}
	t.lookupTime.Observe(time.Since(start).Seconds())
}

// lookup asks the store for ids of network and remembers what it returns, and what it does not return as
// missed. It reports whether the look-up succeeded.
func (t *threads) lookup(ctx context.Context, network post.Network, ids []string) bool {
	lctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	found, err := t.cfg.Lookup(lctx, network, ids)
	cancel()
	if err != nil {
		t.lookups.WithLabelValues("error").Inc()
		return false
	}
	t.lookups.WithLabelValues("ok").Inc()
	t.lookedUp.WithLabelValues("found").Add(float64(len(found)))
	t.lookedUp.WithLabelValues("unknown").Add(float64(len(ids) - len(found)))
	t.mu.Lock()
	defer t.mu.Unlock()
	t.remember(found)
	if len(t.missed)+len(ids) > maxMissed {
		clear(t.missed)
	}
	now := t.now()
	for _, id := range ids {
		if uid := post.UID(network, id); t.cache.get(uid) == nil {
			t.missed[uid] = now
		} else {
			delete(t.missed, uid)
		}
	}
	return true
}

// parentRefs are the ids a post may inherit from, in order of preference.
type parentRefs struct {
	ids [4]string
	n   int
}

func (t *threads) refs(p *post.Post) parentRefs {
	r := parentRefs{ids: [4]string{p.Refs.RepostOfID, p.Refs.QuoteOfID, p.Refs.ReplyToID, p.Refs.ConversationID}, n: 4}
	if t.cfg.NoConversation {
		r.n = 3
	}
	return r
}

// unknownParents yields, in order of preference, the uid and id of p's parents the cache does not hold, up
// to the first cached parent with entities: that one decides what p inherits, so nothing after it needs
// asking for. Cached parents without entities are passed over. The caller holds t.mu.
func (t *threads) unknownParents(p *post.Post) iter.Seq2[uint64, string] {
	return func(yield func(uint64, string) bool) {
		refs := t.refs(p)
		for _, id := range refs.ids[:refs.n] {
			if id == "" || id == p.ID {
				continue
			}
			uid := post.UID(p.Network, id)
			if c := t.cache.get(uid); c != nil {
				if len(c.ents) > 0 {
					return
				}
				continue
			}
			if !yield(uid, id) {
				return
			}
		}
	}
}

// warm fills the cache from the store before the first batch: the posts created within the horizon before
// the batch's oldest post.
func (t *threads) warm(ctx context.Context, posts []*post.Post) error {
	var oldest time.Time
	for _, p := range posts {
		if p.Action == post.ActionUpsert && !p.CreatedAt.IsZero() && (oldest.IsZero() || p.CreatedAt.Before(oldest)) {
			oldest = p.CreatedAt
		}
	}
	if oldest.IsZero() {
		return nil // nothing to place in time yet; warm up with the next batch
	}
	// A store that is down or refusing is waited for (processors.Retry): the batch is held, not failed.
	var found []Remembered
	err := processors.Retry(ctx, func(ctx context.Context) error {
		var err error
		found, err = t.cfg.Warm(ctx, oldest.Add(-t.cfg.Horizon), t.cfg.MaxPosts)
		return err
	}, func(error) { t.lookups.WithLabelValues("error").Inc() })
	if err != nil {
		return fmt.Errorf("warming up the thread cache: %w", err)
	}
	t.lookups.WithLabelValues("ok").Inc()
	t.mu.Lock()
	defer t.mu.Unlock()
	// Oldest first, so that the oldest go first when the cache is full.
	for i := len(found) - 1; i >= 0; i-- {
		t.remember(found[i : i+1])
	}
	t.warmed = true
	return nil
}

// remember puts rs in the cache; t.mu must be held.
func (t *threads) remember(rs []Remembered) {
	for _, r := range rs {
		if t.cache.get(r.UID) != nil {
			continue // what this process saw is at least as new as what was stored
		}
		c := t.cache.put(r.UID, r.Time)
		c.ents = append(c.ents, r.Entities...)
	}
}

// Inherited tells an entity the post took from its thread (Start = End = -1, Matched "") from one it
// mentions itself (Matched is then never empty).
func Inherited(e post.Entity) bool { return e.Matched == "" && e.Start == -1 && e.End == -1 }
