package influence_test

import (
	"math"
	"testing"
	"time"

	"github.com/rapport-dev/rapport/influence"
	"github.com/rapport-dev/rapport/post"
)

func TestAggregate(t *testing.T) {
	stored, _ := fixturePosts()
	var current []*post.Post
	for _, p := range stored {
		if p.ID == "11" || p.ID == "12" && p.EditedAt.IsZero() { // deleted; superseded by its edit
			continue
		}
		current = append(current, p)
	}
	win := influence.Window{From: t0, To: t0.Add(24 * time.Hour), HalfLife: 6 * time.Hour}
	authors, links := influence.Aggregate(current, win)
	want := map[string]influence.Author{
		"reddit/ra": {Network: "reddit", ID: "ra", Handle: "RedA", Followers: -1, Posts: 1},
		"reddit/rb": {Network: "reddit", ID: "rb", Handle: "redb", Followers: -1, Posts: 1},
		"x/A":       {Network: "x", ID: "A", Handle: "Alice", Followers: 1300, Posts: 3},
		"x/B":       {Network: "x", ID: "B", Handle: "bob", Followers: 55, Posts: 3},
		"x/C":       {Network: "x", ID: "C", Handle: "carol", Followers: 12, Posts: 2},
		"x/D":       {Network: "x", ID: "D", Handle: "dan", Followers: 0, Posts: 2},
	}
	if len(authors) != len(want) {
		t.Fatalf("got %d authors %+v; want %d (E's only post is before the window)", len(authors), authors, len(want))
	}
	for _, a := range authors {
		w, ok := want[a.Network+"/"+a.ID]
		if !ok || a.Handle != w.Handle || a.Followers != w.Followers || a.Posts != w.Posts {
			t.Errorf("author %+v; want %+v", a, w)
		}
	}
	// A: post 1 at 1h (30 likes, 10 reposts, 6 replies, 4 quotes), post 8 at 8h (10, 3, 2, 1), edited post
	// 12 at 11h (40 likes, no others: the edit changed only likes).
	decay := func(h float64) float64 { return math.Exp2(-(24 - h) / 6) }
	wantA := (30+2*(10+6+4))*decay(1) + (10+2*(3+2+1))*decay(8) + (40+2*(0+0+0))*decay(11)
	for _, a := range authors {
		if a.Network == "x" && a.ID == "A" && math.Abs(a.Engagement-wantA) > 1e-9 {
			t.Errorf("A's engagement %v; want %v", a.Engagement, wantA)
		}
	}
	wantLinks := []string{"reddit rb→ra 1", "x B→A 1", "x B→E 1", "x C→A 1", "x C→B 1", "x D→A 1", "x D→B 1", "x D→C 1"}
	if len(links) != len(wantLinks) {
		t.Fatalf("got links %+v; want %v", links, wantLinks)
	}
	for i, l := range links {
		if got := l.Network + " " + l.From + "→" + l.To + " " + formatWeight(l.Weight); got != wantLinks[i] {
			t.Errorf("link %d: got %s; want %s", i, got, wantLinks[i])
		}
	}
}

func formatWeight(w float64) string {
	if w == math.Trunc(w) && w < 10 {
		return string(rune('0' + int(w)))
	}
	return "?"
}

func TestWindowValidate(t *testing.T) {
	if err := (influence.Window{From: t0, To: t0, HalfLife: time.Hour}).Validate(); err == nil {
		t.Error("empty window accepted")
	}
	if err := (influence.Window{From: t0, To: t0.Add(time.Hour)}).Validate(); err == nil {
		t.Error("zero half-life accepted")
	}
}
