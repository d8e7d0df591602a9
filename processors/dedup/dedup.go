// Package dedup is the stage that classifies every post by what it duplicates, at four levels:
//
//  1. A redelivery of the same network post (same uid, same or older version) is dropped from the batch:
//     at-least-once delivery, producer retries and replays after a crash must not count twice. Edits (a
//     higher version) and delete notices pass.
//  2. A structural repost (retweet, reblog, Reddit cross-post: Refs.RepostOfID) is marked post.DupRepost,
//     Of the reposted post: amplification of the original, not a new opinion.
//  3. Near-identical text by other authors (copy-paste, templates, campaigns) is marked post.DupNearText,
//     Of and Cluster the cluster's first post, and Spam when the cluster looks coordinated.
//  4. The same author posting the same text on another network is marked post.DupCrossNetwork, Of the
//     author's earlier post.
//
// # Matching text
//
// Texts are normalized (lower case; URLs, @mentions, emoji and punctuation dropped; hashtags kept as words)
// and compared by the Jaccard similarity of their words and word pairs, estimated with MinHash signatures
// and found through locality-sensitive hashing (minhash.go). Very short texts are written independently by
// many people, so texts under Config.MinWords words are never near-duplicates and texts under
// Config.ShortWords words must match word for word.
//
// Identical wording alone does not prove a copy: many people write "so done with X, my Y keeps
// disconnecting" on their own, and on a busy stream such sentences recur every few minutes. A match by
// another author puts the post in the cluster of the earlier text, but it is marked a near-duplicate only
// when the copying is corroborated: the cluster has Config.ClusterAuthors distinct authors within
// Config.ClusterWindow and either the text is long (Config.LongWords words; nobody writes that much
// identically by chance) or at least two, and most, of the cluster's accounts whose profile tells anything
// look disposable (younger than Config.NewAccount and with fewer than Config.FewFollowers followers, as far as
// the network reports). The first post of a cluster, and copies before the evidence shows, stay unmarked; a
// campaign's later copies point to its first post. Copy-paste by established accounts of a text under
// LongWords words (a share-button template, say) is therefore not marked: a deliberate trade of recall for
// precision. The spam flag needs Config.SpamAuthors authors within Config.SpamWindow and the same
// disposable-account majority.
//
// Authors are tied across networks by their normalized handle (authorKey): the same handle on two networks
// is taken to be one person. One person writes similar sentences on several networks often, so a
// cross-post needs the same author's text on another network within Config.CrossWindow, at least
// Config.CrossThreshold similar, and word for word under Config.CrossExactWords words; a corroborated
// near-duplicate whose author already posted it on another network (a campaign bot working two networks)
// is a cross-post whatever the delay. Brand accounts (post.Author.Brand) are never near- or cross-network
// duplicates: their templated answers are service, not opinion.
//
// # Order, replays and memory
//
// Which of two posts is the copy is decided by creation time (then uid), never by arrival order, and a post
// is never a duplicate of itself, so a replay reproduces the same classification. State is windowed by event
// time (Config.Horizon) and capped (Config.MaxRedeliveryEntries per partition, Config.MaxTextEntries in
// all). Redelivery state is kept per Kafka partition (records are keyed by post id, so a post's versions
// share a partition); when a partition is first seen, or seen again after ReloadIdle without batches (it
// may have been with another member meanwhile), the stage loads from the posts table what it holds for that
// partition within the horizon (Loader), so records re-read after a crash or a rebalance are recognised as
// redeliveries and leave every count unchanged.
//
// Limitations: text state is per process. Near-duplicates and cross-posts whose earlier copy was consumed
// by another member of the consumer group (another partition) are found only if that copy was already in
// ClickHouse when this member loaded the partition it came from. State of partitions this member no longer
// owns stays until the horizon or the caps push it out. A copy older than the horizon, or pushed out by the
// caps, is not recognised. Stored creation times have whole seconds, so after a restart two posts created
// within the same second may be told apart by uid instead of by milliseconds.
package dedup

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors"
)

// Loader returns the posts already stored for a Kafka partition (topic, partition) created at or after
// since: with their uid-defining network and id, version (CreatedAt, EditedAt), author, text, references and
// duplicate status. Deleted posts may be left out.
type Loader func(ctx context.Context, topic string, partition int32, since time.Time) ([]*post.Post, error)

type partKey struct {
	topic     string
	partition int32
}

// versions remembers the latest version of each post of one partition, oldest first out.
type versions struct {
	seenAt time.Time // wall-clock time of the partition's latest batch
	latest map[uint64]uint64
	order  []seen // ring
	head   int
	n      int
}

type seen struct {
	uid uint64
	at  int64
}

// Stage classifies duplicates. Build it with New.
type Stage struct {
	cfg      Config
	load     Loader
	parts    map[partKey]*versions
	idx      *index
	clusters map[uint64]*cluster
	maxAt    int64
	tokens   []uint64
	probe    probeState
	now      func() time.Time

	redeliveries prometheus.Counter
	marked       *prometheus.CounterVec
	byLevel      map[post.DupLevel]prometheus.Counter
	spam         prometheus.Counter
	warmed       prometheus.Counter
	evicted      prometheus.Counter
	entries      prometheus.Gauge
	loadErrors   prometheus.Counter
}

// New returns the stage. cfg's zero fields take their defaults; load may be nil (no warm start). reg may be
// nil.
func New(cfg Config, load Loader, reg prometheus.Registerer) (*Stage, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Stage{
		cfg: cfg, load: load, now: time.Now,
		parts:    map[partKey]*versions{},
		idx:      newIndex(cfg.MaxTextEntries),
		clusters: map[uint64]*cluster{},
		redeliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_dedup_redeliveries_dropped_total", Help: "Records dropped as redeliveries of a post version already seen.",
		}),
		marked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_dedup_duplicates_total", Help: "Posts marked as duplicates, by level (repost, near_text, cross_network).",
		}, []string{"level"}),
		spam: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_dedup_spam_posts_total", Help: "Posts of near-duplicate clusters flagged as likely spam.",
		}),
		warmed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_dedup_warm_start_posts_total", Help: "Stored posts loaded to warm the stage up when a partition was first seen.",
		}),
		evicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_dedup_text_evictions_total", Help: "Remembered texts forgotten because of the entry cap (not the horizon): raise dedup.max_text_entries when this grows.",
		}),
		entries: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_dedup_text_entries", Help: "Texts currently remembered for near-duplicate matching.",
		}),
		loadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_dedup_warm_start_errors_total", Help: "Warm-start reads of stored posts that failed and were retried.",
		}),
	}
	s.byLevel = map[post.DupLevel]prometheus.Counter{
		post.DupRepost:       s.marked.WithLabelValues("repost"),
		post.DupNearText:     s.marked.WithLabelValues("near_text"),
		post.DupCrossNetwork: s.marked.WithLabelValues("cross_network"),
	}
	if reg != nil {
		reg.MustRegister(s.redeliveries, s.marked, s.spam, s.warmed, s.evicted, s.entries, s.loadErrors)
	}
	return s, nil
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "dedup" }

// Process implements processors.Stage. It fails only when the warm start of a new partition cannot load.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if err := s.warm(ctx, posts); err != nil {
		return nil, err
	}
	out := posts[:0]
	for _, p := range posts {
		if s.classify(p) {
			out = append(out, p)
		}
	}
	s.entries.Set(float64(s.idx.len()))
	return out, nil
}

// warm loads the stored state of every partition of posts not seen before.
func (s *Stage) warm(ctx context.Context, posts []*post.Post) error {
	var since int64
	for _, p := range posts {
		if at := p.CreatedAt.UnixMilli(); at > since {
			since = at
		}
	}
	now := s.now()
	for _, p := range posts {
		k := partKey{p.Source.Topic, p.Source.Partition}
		v := s.parts[k]
		if v != nil && now.Sub(v.seenAt) < ReloadIdle {
			v.seenAt = now
			continue
		}
		if v == nil {
			v = &versions{latest: map[uint64]uint64{}}
			s.parts[k] = v
		}
		v.seenAt = now
		if s.load == nil {
			continue
		}
		// First seen, or idle for a while (the partition may have been with another group member, which
		// stored posts this process has not seen): load what the posts table holds for it. Posts already
		// known at their version are skipped, so loading again changes nothing.
		from := time.UnixMilli(since).Add(-s.cfg.Horizon)
		stored, err := s.loadRetrying(ctx, k, from)
		if err != nil {
			delete(s.parts, k)
			return fmt.Errorf("loading stored posts of %s/%d for deduplication: %w", k.topic, k.partition, err)
		}
		sortByTime(stored)
		for _, q := range stored {
			uid, ver := q.UID(), q.Version()
			if q.Action != post.ActionUpsert || v.latest[uid] >= ver {
				continue
			}
			s.rememberVersion(v, uid, ver, q.CreatedAt.UnixMilli())
			s.restore(q)
			s.warmed.Inc()
		}
	}
	return nil
}

// ReloadIdle is how long a partition must have gone without a batch before its next batch reloads its stored
// posts: the stage is not told about rebalances, and a partition that comes back may have been consumed by
// another member in between.
const ReloadIdle = time.Minute

// classify fills p.Dup and reports whether p continues.
func (s *Stage) classify(p *post.Post) bool {
	if p.Action != post.ActionUpsert {
		return true
	}
	at := p.CreatedAt.UnixMilli()
	s.advance(p, at)
	uid, ver := p.UID(), p.Version()
	v := s.parts[partKey{p.Source.Topic, p.Source.Partition}]
	if last, ok := v.latest[uid]; ok && ver <= last {
		s.redeliveries.Inc()
		return false
	}
	s.rememberVersion(v, uid, ver, at)
	p.Dup = post.Dup{}
	if p.Refs.RepostOfID != "" {
		p.Dup = post.Dup{Level: post.DupRepost, Of: post.UID(p.Network, p.Refs.RepostOfID)}
		s.byLevel[post.DupRepost].Inc()
		return true
	}
	s.matchText(p, uid, at, 0)
	if c := s.byLevel[p.Dup.Level]; c != nil {
		c.Inc()
	}
	if p.Dup.Spam {
		s.spam.Inc()
	}
	return true
}

// restore adds a stored post to the text state, keeping the duplicate status it was stored with.
func (s *Stage) restore(q *post.Post) {
	at := q.CreatedAt.UnixMilli()
	s.advance(q, at)
	if q.Refs.RepostOfID != "" {
		return
	}
	stored := q.Dup
	cluster := stored.Cluster
	if cluster == 0 {
		cluster = noCluster
	}
	s.matchText(q, q.UID(), at, cluster)
	q.Dup = stored
}

// advance moves the event clock and forgets what fell out of the horizon. The clock never runs more than an
// hour ahead of the wall-clock ingest time, so one post with a bogus future date cannot flush the state.
func (s *Stage) advance(p *post.Post, at int64) {
	if !p.IngestedAt.IsZero() {
		if lim := p.IngestedAt.Add(time.Hour).UnixMilli(); at > lim {
			at = lim
		}
	}
	if at <= s.maxAt {
		return
	}
	s.maxAt = at
	cutoff := at - s.cfg.Horizon.Milliseconds()
	s.idx.evictBefore(cutoff)
	if len(s.clusters) > 0 && len(s.clusters) >= s.idx.len()/4 {
		for id, c := range s.clusters {
			if c.lastAt < cutoff {
				delete(s.clusters, id)
			}
		}
	}
}

func (s *Stage) rememberVersion(v *versions, uid, ver uint64, at int64) {
	if _, ok := v.latest[uid]; !ok {
		limit := s.cfg.MaxRedeliveryEntries
		cutoff := s.maxAt - s.cfg.Horizon.Milliseconds()
		for v.n > 0 && (v.n >= limit || v.order[v.head].at < cutoff) {
			delete(v.latest, v.order[v.head].uid)
			v.order[v.head] = seen{}
			v.head = (v.head + 1) % len(v.order)
			v.n--
		}
		if v.n == len(v.order) {
			v.grow(limit)
		}
		v.order[(v.head+v.n)%len(v.order)] = seen{uid, at}
		v.n++
	}
	v.latest[uid] = ver
}

// grow enlarges the ring (doubling, up to limit), keeping the order.
func (v *versions) grow(limit int) {
	size := min(max(2*len(v.order), 1024), limit)
	order := make([]seen, size)
	for i := 0; i < v.n; i++ {
		order[i] = v.order[(v.head+i)%len(v.order)]
	}
	v.order, v.head = order, 0
}

// loadRetrying calls the loader until it succeeds (processors.Retry): while ClickHouse is down or refusing,
// the stage holds its batch and the process carries on by itself once ClickHouse is back. It fails only when
// ctx ends.
func (s *Stage) loadRetrying(ctx context.Context, k partKey, from time.Time) ([]*post.Post, error) {
	var stored []*post.Post
	err := processors.Retry(ctx, func(ctx context.Context) error {
		var err error
		stored, err = s.load(ctx, k.topic, k.partition, from)
		return err
	}, func(error) { s.loadErrors.Inc() })
	return stored, err
}
