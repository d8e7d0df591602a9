// Package influence scores authors 0–100 from three components, each computed per network: audience
// (follower count, log-scaled against the network's large accounts), engagement received (interactions on
// the author's posts, recency-weighted with a half-life) and centrality (weighted PageRank in the graph of
// replies, mentions, reposts and quotes between authors). docs/INFLUENCE.md gives the formula and the
// reasoning behind it.
//
// The package computes from plain inputs (Author, Link), so that the same code scores authors whether the
// inputs were aggregated in ClickHouse (Load) or in memory from posts (Aggregate).
package influence

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Author is what one computation knows about one author of one network: the author's posts in the window,
// aggregated.
type Author struct {
	Network    string
	ID         string
	Handle     string
	Followers  int64   // follower count on the author's latest post in the window; negative when the network does not say
	Engagement float64 // recency-weighted interactions received on the author's posts (see InteractionWeights)
	Posts      int64   // posts in the window
}

// Link is the interaction of one author with another of the same network: Weight is the number of the From
// author's posts in the window that reply to, mention, repost or quote the To author (a post counts once
// per author it addresses).
type Link struct {
	Network  string
	From, To string
	Weight   float64
}

// Weights are the shares of the three components in the score. They need not sum to 1: the score divides by
// the sum of the weights of the components an author has (audience is missing where the network reports no
// follower counts).
type Weights struct {
	Audience   float64
	Engagement float64
	Centrality float64
}

// DefaultWeights are the weights of the score. docs/INFLUENCE.md explains the choice; they were fixed
// before the evaluation and checked on the tuning seed only (see `rapport eval influence`).
var DefaultWeights = Weights{Audience: 0.3, Engagement: 0.45, Centrality: 0.25}

// Interaction weights: how much one like, repost, reply and quote on an author's post counts towards the
// engagement component. Sharing or answering takes more than a tap, and carries the post further.
const (
	LikeWeight   = 1
	RepostWeight = 2
	ReplyWeight  = 2
	QuoteWeight  = 2
)

// RefQuantile is the quantile of a network's follower counts that maps to a full audience component
// (100): accounts at or above it are the network's large accounts. A quantile rather than the maximum keeps
// one celebrity from compressing everybody else's score.
const RefQuantile = 0.99

// minFollowersRef keeps the audience scale meaningful on a network where nearly everyone has no followers.
const minFollowersRef = 10

// Score is one author's influence and its components, each 0–100.
type Score struct {
	Network     string
	AuthorID    string
	Handle      string
	Score       float64
	Audience    float64 // 0 when unknown (HasAudience false)
	Engagement  float64
	Centrality  float64
	HasAudience bool
	Followers   int64
	PageRank    float64 // raw PageRank of the author in the whole graph
}

// NetworkRef is what a network's scores were normalised with; the pipeline stage needs it to give authors
// that were not scored yet the audience part of the score from their follower count.
type NetworkRef struct {
	Network      string
	FollowersRef float64 // follower count mapped to audience 100 (RefQuantile of the network's authors, at least 10)
	Authors      int     // authors scored
	Weights      Weights
}

// Options tune a computation. Zero values take the defaults.
type Options struct {
	Weights  Weights // default DefaultWeights
	PageRank PageRankOptions
}

// Result is a whole computation.
type Result struct {
	Scores   []Score      // one per author, ordered by network then author id
	Networks []NetworkRef // ordered by network
	PageRank PageRankResult
	Weights  Weights // the weights used
	Nodes    int     // graph nodes: scored authors plus authors only addressed by others
	Edges    int     // graph edges after aggregation
}

// AudienceScore is the audience component for a follower count on a network whose reference count is ref:
// 100 · log(1+followers) / log(1+ref), capped at 100. ok is false when the count is unknown (negative).
func AudienceScore(followers int64, ref float64) (score float64, ok bool) {
	if followers < 0 {
		return 0, false
	}
	ref = math.Max(ref, minFollowersRef)
	return math.Min(100, 100*math.Log1p(float64(followers))/math.Log1p(ref)), true
}

// NewAuthorScore is the score of an author with no engagement and no centrality yet: the audience part of
// the formula alone, so that new authors with an audience do not start at 0. It is 0 when the follower
// count is unknown.
func NewAuthorScore(followers int64, ref float64, w Weights) float64 {
	a, ok := AudienceScore(followers, ref)
	if !ok {
		return 0
	}
	total := w.Audience + w.Engagement + w.Centrality
	if total <= 0 {
		return 0
	}
	return w.Audience * a / total
}

// Validate reports weights that cannot make a score.
func (w Weights) Validate() error {
	for _, v := range []float64{w.Audience, w.Engagement, w.Centrality} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("influence weights must be finite and non-negative, got %+v", w)
		}
	}
	if w.Engagement+w.Centrality <= 0 {
		return fmt.Errorf("influence weights: engagement and centrality cannot both be 0 (every author needs a component), got %+v", w)
	}
	return nil
}

// Compute scores authors. links may name authors that are not in authors (they were addressed but did not
// post in the window): they take part in the graph but get no score. Authors repeated under the same
// (network, id) are an error.
func Compute(authors []Author, links []Link, opts Options) (*Result, error) {
	w := opts.Weights
	if w == (Weights{}) {
		w = DefaultWeights
	}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	sorted := slices.Clone(authors)
	slices.SortFunc(sorted, func(a, b Author) int {
		if c := strings.Compare(a.Network, b.Network); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Network == sorted[i-1].Network && sorted[i].ID == sorted[i-1].ID {
			return nil, fmt.Errorf("influence: author %s/%s given twice", sorted[i].Network, sorted[i].ID)
		}
	}
	// Nodes: every (network, author) named by an author row or a link. They are numbered first in order of
	// appearance, then renumbered in sorted order, so that the numbering, and with it the PageRank sums, do
	// not depend on input order.
	index := make(map[nodeKey]int32, len(authors))
	var keys []nodeKey
	id := func(k nodeKey) int32 {
		v, ok := index[k]
		if !ok {
			v = int32(len(keys))
			index[k] = v
			keys = append(keys, k)
		}
		return v
	}
	for _, a := range authors {
		id(nodeKey{a.Network, a.ID})
	}
	edges := make([]Edge, 0, len(links))
	for _, l := range links {
		from, to := id(nodeKey{l.Network, l.From}), id(nodeKey{l.Network, l.To})
		if l.Weight > 0 {
			edges = append(edges, Edge{From: from, To: to, Weight: float32(l.Weight)})
		}
	}
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := strings.Compare(keys[a].network, keys[b].network); c != 0 {
			return c
		}
		return strings.Compare(keys[a].id, keys[b].id)
	})
	renumber := make([]int32, len(keys))
	for i, old := range order {
		renumber[old] = int32(i)
		index[keys[old]] = int32(i)
	}
	for i := range edges {
		edges[i].From, edges[i].To = renumber[edges[i].From], renumber[edges[i].To]
	}
	g, err := NewGraph(len(keys), edges)
	if err != nil {
		return nil, err
	}
	pr := PageRank(g, opts.PageRank)

	res := &Result{PageRank: pr, Weights: w, Nodes: g.Nodes(), Edges: g.Edges(), Scores: make([]Score, len(sorted))}
	// Each network separately: follower reference, engagement and centrality percentiles.
	for lo := 0; lo < len(sorted); {
		hi := lo
		for hi < len(sorted) && sorted[hi].Network == sorted[lo].Network {
			hi++
		}
		group := sorted[lo:hi]
		var followers []float64
		eng := make([]float64, len(group))
		cen := make([]float64, len(group))
		for i, a := range group {
			if a.Followers >= 0 {
				followers = append(followers, float64(a.Followers))
			}
			eng[i] = math.Max(a.Engagement, 0)
			if v := index[nodeKey{a.Network, a.ID}]; g.InWeight(int(v)) > 0 {
				cen[i] = pr.Rank[v]
			}
		}
		ref := math.Max(quantile(followers, RefQuantile), minFollowersRef)
		engP := percentiles(eng)
		cenP := percentiles(cen)
		for i, a := range group {
			s := &res.Scores[lo+i]
			*s = Score{Network: a.Network, AuthorID: a.ID, Handle: a.Handle, Followers: a.Followers,
				Engagement: engP[i], Centrality: cenP[i], PageRank: pr.Rank[index[nodeKey{a.Network, a.ID}]]}
			s.Audience, s.HasAudience = AudienceScore(a.Followers, ref)
			s.Score = combine(w, s.Audience, s.HasAudience, s.Engagement, s.Centrality)
		}
		res.Networks = append(res.Networks, NetworkRef{Network: group[0].Network, FollowersRef: ref, Authors: len(group), Weights: w})
		lo = hi
	}
	return res, nil
}

// combine is the weighted mean of the components the author has.
func combine(w Weights, audience float64, hasAudience bool, engagement, centrality float64) float64 {
	num := w.Engagement*engagement + w.Centrality*centrality
	den := w.Engagement + w.Centrality
	if hasAudience {
		num += w.Audience * audience
		den += w.Audience
	}
	return num / den
}

type nodeKey struct{ network, id string }

// percentiles maps each value to the share of values at or below it, 0–100; a value of 0 maps to 0 (no
// engagement or no incoming edge is no influence, however many authors share it).
func percentiles(v []float64) []float64 {
	out := make([]float64, len(v))
	if len(v) == 0 {
		return out
	}
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	n := float64(len(v))
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && v[idx[j]] == v[idx[i]] {
			j++
		}
		p := 100 * float64(j) / n
		if v[idx[i]] <= 0 {
			p = 0
		}
		for _, k := range idx[i:j] {
			out[k] = p
		}
		i = j
	}
	return out
}

// quantile returns the q-quantile of v (nearest rank), 0 for no values. v is reordered.
func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	i := int(math.Ceil(q*float64(len(v)))) - 1
	return v[max(0, min(i, len(v)-1))]
}
