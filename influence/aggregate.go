package influence

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/rapport-dev/rapport/post"
)

// Window is the period a computation looks at: posts created in [From, To). Engagement on a post created at
// t is weighted 2^-((To-t)/HalfLife).
type Window struct {
	From, To time.Time
	HalfLife time.Duration
}

// Validate reports a window that cannot be computed.
func (w Window) Validate() error {
	if !w.To.After(w.From) {
		return fmt.Errorf("influence window: end %s is not after start %s", w.To.Format(time.RFC3339), w.From.Format(time.RFC3339))
	}
	if w.HalfLife <= 0 {
		return fmt.Errorf("influence window: half-life must be positive, got %s", w.HalfLife)
	}
	return nil
}

// Decay is the recency weight of a post created at t: 1 at the end of the window, ½ one half-life earlier.
// Times count in whole seconds, as the posts table stores them.
func (w Window) Decay(t time.Time) float64 {
	age := float64(w.To.Unix() - t.Unix())
	return math.Exp2(-age / w.HalfLife.Seconds())
}

// Contains reports whether a post created at t is in the window, in whole seconds as the posts table
// stores times.
func (w Window) Contains(t time.Time) bool {
	s := t.Unix()
	return s >= w.From.Unix() && s < w.To.Unix()
}

// Interactions is the weighted interaction count of one post's engagement counters.
func Interactions(e post.Engagement) float64 {
	return float64(LikeWeight*e.Likes + RepostWeight*e.Reposts + ReplyWeight*e.Replies + QuoteWeight*e.Quotes)
}

// Aggregate computes the inputs of Compute from posts held in memory, with the same meaning as Load computes
// them in ClickHouse: posts is the current state of the stored posts (one version per post, without
// deleted ones); authors and links come from the posts created in the window, while the posts they refer to
// and the handles they mention are looked up among all of posts.
func Aggregate(posts []*post.Post, w Window) ([]Author, []Link) {
	type netID struct{ network, id string }
	byPost := make(map[netID]string, len(posts)) // (network, post id) → author id
	type holder struct {
		id string
		at time.Time
	}
	byHandle := map[netID]holder{} // (network, lower-case handle) → latest author id
	for _, p := range posts {
		if p.Action != post.ActionUpsert || p.Author.ID == "" {
			continue
		}
		n := string(p.Network)
		byPost[netID{n, p.ID}] = p.Author.ID
		if p.Author.Handle != "" {
			k := netID{n, strings.ToLower(p.Author.Handle)}
			if h, ok := byHandle[k]; !ok || p.CreatedAt.After(h.at) || p.CreatedAt.Equal(h.at) && p.Author.ID > h.id {
				byHandle[k] = holder{p.Author.ID, p.CreatedAt}
			}
		}
	}
	type acc struct {
		Author
		latest time.Time
	}
	authors := map[netID]*acc{}
	links := map[[3]string]float64{}
	var targets []string
	for _, p := range posts {
		if p.Action != post.ActionUpsert || p.Author.ID == "" || !w.Contains(p.CreatedAt) {
			continue
		}
		n := string(p.Network)
		k := netID{n, p.Author.ID}
		a := authors[k]
		if a == nil {
			a = &acc{Author: Author{Network: n, ID: p.Author.ID, Handle: p.Author.Handle, Followers: p.Author.Followers}, latest: p.CreatedAt}
			authors[k] = a
		}
		if p.CreatedAt.After(a.latest) {
			a.latest, a.Handle, a.Followers = p.CreatedAt, p.Author.Handle, p.Author.Followers
		}
		a.Posts++
		a.Engagement += Interactions(p.Engagement) * w.Decay(p.CreatedAt)

		targets = targets[:0]
		switch {
		case p.Refs.ReplyToAuthorID != "":
			targets = append(targets, p.Refs.ReplyToAuthorID)
		case p.Refs.ReplyToID != "":
			targets = append(targets, byPost[netID{n, p.Refs.ReplyToID}])
		}
		for _, ref := range []string{p.Refs.QuoteOfID, p.Refs.RepostOfID} {
			if ref != "" {
				targets = append(targets, byPost[netID{n, ref}])
			}
		}
		for _, m := range p.Mentions {
			targets = append(targets, byHandle[netID{n, m}].id)
		}
		slices.Sort(targets)
		targets = slices.Compact(targets)
		for _, t := range targets {
			if t != "" && t != p.Author.ID {
				links[[3]string{n, p.Author.ID, t}]++
			}
		}
	}
	outA := make([]Author, 0, len(authors))
	for _, a := range authors {
		outA = append(outA, a.Author)
	}
	slices.SortFunc(outA, func(a, b Author) int {
		if c := strings.Compare(a.Network, b.Network); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	outL := make([]Link, 0, len(links))
	for k, v := range links {
		outL = append(outL, Link{Network: k[0], From: k[1], To: k[2], Weight: v})
	}
	slices.SortFunc(outL, func(a, b Link) int {
		return strings.Compare(a.Network+"\x00"+a.From+"\x00"+a.To, b.Network+"\x00"+b.From+"\x00"+b.To)
	})
	return outA, outL
}
