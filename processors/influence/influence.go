// Package influence is the stage that fills each post's Influence with its author's latest influence score
// (0–100), from a cache of the author_influence table that it refreshes periodically.
package influence

import (
	"context"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/prometheus/client_golang/prometheus"

	score "github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/post"
)

// Loader returns the scores and network references stored with a version above after (0: all of them), and
// the highest version it saw. influence.LoadStored over a ClickHouse connection is the production loader.
type Loader func(ctx context.Context, after uint64) (*score.Snapshot, error)

// DefaultRefresh is how often the stage asks the loader for newer scores when New is given no interval.
const DefaultRefresh = time.Minute

// Stage sets post.Influence. An author with a stored score gets it; an author not scored yet (new, or
// outside the last computation's window) gets the audience-only part of the formula from the follower count
// on the post (influence.NewAuthorScore), so a new author with an audience does not start at 0; an author of
// a network that reports no follower counts, or of a network never scored, gets 0 (unknown).
//
// The cache is refreshed from within Process every refresh interval, incrementally (only rows newer than
// the last version seen), so the stage starts no goroutine. A failed load is counted and retried at the
// next interval; the stage keeps the scores it has and never stops the pipeline for it, since a missing
// score only degrades an enrichment.
type Stage struct {
	load     Loader
	refresh  time.Duration
	now      func() time.Time
	scores   map[uint64]float32
	refs     map[post.Network]score.NetworkRef
	version  uint64
	loadedAt time.Time
	tried    bool

	posts      *prometheus.CounterVec
	stored     prometheus.Counter
	audience   prometheus.Counter
	unknown    prometheus.Counter
	loadErrors prometheus.Counter
	authors    prometheus.Gauge
}

// New returns the stage. refresh ≤ 0 means DefaultRefresh. reg may be nil.
func New(load Loader, refresh time.Duration, reg prometheus.Registerer) *Stage {
	if refresh <= 0 {
		refresh = DefaultRefresh
	}
	s := &Stage{
		load: load, refresh: refresh, now: time.Now,
		scores: map[uint64]float32{}, refs: map[post.Network]score.NetworkRef{},
		posts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_influence_posts_total",
			Help: "Posts given an influence score, by where it came from: stored (the author's computed score), audience (not scored yet: the audience part from the follower count) or none (unknown, 0).",
		}, []string{"source"}),
		loadErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_influence_load_errors_total", Help: "Failed refreshes of the author influence cache.",
		}),
		authors: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rapport_influence_cached_authors", Help: "Authors whose influence score the stage holds.",
		}),
	}
	s.stored, s.audience, s.unknown = s.posts.WithLabelValues("stored"), s.posts.WithLabelValues("audience"), s.posts.WithLabelValues("none")
	if reg != nil {
		reg.MustRegister(s.posts, s.loadErrors, s.authors)
	}
	return s
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "influence" }

// Process implements processors.Stage. It never drops a post and fails only when ctx is cancelled.
func (s *Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	if now := s.now(); !s.tried || now.Sub(s.loadedAt) >= s.refresh {
		s.tried, s.loadedAt = true, now
		s.reload(ctx)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	for _, p := range posts {
		if p.Action != post.ActionUpsert {
			continue
		}
		p.Influence = s.Score(p.Network, p.Author.ID, p.Author.Followers)
	}
	return posts, nil
}

// Score returns the influence the stage gives an author with the follower count on a post.
func (s *Stage) Score(network post.Network, authorID string, followers int64) float32 {
	if v, ok := s.scores[authorKey(network, authorID)]; ok {
		s.stored.Inc()
		return v
	}
	if ref, ok := s.refs[network]; ok && followers >= 0 {
		s.audience.Inc()
		return float32(score.NewAuthorScore(followers, ref.FollowersRef, ref.Weights))
	}
	s.unknown.Inc()
	return 0
}

func (s *Stage) reload(ctx context.Context) {
	snap, err := s.load(ctx, s.version)
	if err != nil {
		s.loadErrors.Inc()
		return
	}
	for _, a := range snap.Authors {
		s.scores[authorKey(post.Network(a.Network), a.AuthorID)] = a.Score
	}
	for _, n := range snap.Networks {
		s.refs[post.Network(n.Network)] = n
	}
	s.version = max(s.version, snap.Version)
	s.authors.Set(float64(len(s.scores)))
}

// authorKey is a 64-bit hash of network and author id; a collision needs billions of authors to be likely.
func authorKey(network post.Network, id string) uint64 {
	var d xxhash.Digest
	d.Reset()
	_, _ = d.WriteString(string(network))
	_, _ = d.Write([]byte{0})
	_, _ = d.WriteString(id)
	return d.Sum64()
}
