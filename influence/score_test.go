package influence_test

import (
	"math"
	"testing"

	"github.com/rapport-dev/rapport/influence"
)

func TestSpearman(t *testing.T) {
	f := func(x, y []float64, want float64) {
		t.Helper()
		got := influence.Spearman(x, y)
		if math.IsNaN(want) != math.IsNaN(got) || !math.IsNaN(want) && math.Abs(got-want) > 1e-12 {
			t.Errorf("Spearman(%v, %v) = %v; want %v", x, y, got, want)
		}
	}
	f([]float64{1, 2, 3, 4}, []float64{10, 20, 30, 1000}, 1)            // monotone, not linear
	f([]float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1)                 //
	f([]float64{1, 2, 3, 4, 5}, []float64{2, 1, 4, 3, 5}, 0.8)          // 1 - 6·4/(5·24)
	f([]float64{1, 1, 2, 3}, []float64{1, 2, 3, 4}, 0.9486832980505138) // ties: ranks 1.5,1.5,3,4
	f([]float64{1, 1, 1}, []float64{1, 2, 3}, math.NaN())               // constant
	f([]float64{1}, []float64{1}, math.NaN())
	f([]float64{1, 2}, []float64{1}, math.NaN())
}

func TestComputeComponents(t *testing.T) {
	authors := []influence.Author{
		{Network: "x", ID: "big", Followers: 1_000_000, Engagement: 500},
		{Network: "x", ID: "mid", Followers: 1000, Engagement: 50},
		{Network: "x", ID: "small", Followers: 10, Engagement: 0},
		{Network: "x", ID: "zero", Followers: 0, Engagement: 5},
		{Network: "reddit", ID: "r1", Followers: -1, Engagement: 9},
		{Network: "reddit", ID: "r2", Followers: -1, Engagement: 1},
	}
	links := []influence.Link{
		{Network: "x", From: "small", To: "big", Weight: 2},
		{Network: "x", From: "mid", To: "big", Weight: 1},
		{Network: "x", From: "zero", To: "mid", Weight: 1},
		{Network: "x", From: "outsider", To: "mid", Weight: 3}, // addressed-only and addressing-only nodes take part
		{Network: "reddit", From: "r2", To: "r1", Weight: 1},
	}
	res, err := influence.Compute(authors, links, influence.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Scores) != 6 || res.Nodes != 7 || res.Edges != 5 {
		t.Fatalf("got %d scores, %d nodes, %d edges; want 6, 7, 5", len(res.Scores), res.Nodes, res.Edges)
	}
	by := map[string]influence.Score{}
	for _, s := range res.Scores {
		by[s.Network+"/"+s.AuthorID] = s
	}
	w := influence.DefaultWeights
	// x: follower reference is the 0.99 quantile of {0, 10, 1000, 1e6} by nearest rank = 1e6.
	if got := res.Networks[1]; got.Network != "x" || got.FollowersRef != 1_000_000 || got.Authors != 4 {
		t.Errorf("x reference: %+v", got)
	}
	big := by["x/big"]
	if big.Audience != 100 || big.Engagement != 100 || big.Centrality != 100 || math.Abs(big.Score-100) > 1e-9 {
		t.Errorf("big: %+v; want every component 100", big)
	}
	mid := by["x/mid"]
	wantAud := 100 * math.Log1p(1000) / math.Log1p(1_000_000)
	// engagement values {500, 50, 0, 5}: 50 is at or above 3 of 4 → 75; centrality: mid and big have
	// in-edges, mid ranks below big → 75.
	if math.Abs(mid.Audience-wantAud) > 1e-9 || mid.Engagement != 75 || mid.Centrality != 75 {
		t.Errorf("mid: %+v; want audience %.4f, engagement 75, centrality 75", mid, wantAud)
	}
	if want := (w.Audience*wantAud + w.Engagement*75 + w.Centrality*75) / (w.Audience + w.Engagement + w.Centrality); math.Abs(mid.Score-want) > 1e-9 {
		t.Errorf("mid score %v; want %v", mid.Score, want)
	}
	// No engagement and no in-edges: exactly the score a new author with the same followers gets.
	small := by["x/small"]
	if small.Engagement != 0 || small.Centrality != 0 || math.Abs(small.Score-influence.NewAuthorScore(10, 1_000_000, w)) > 1e-9 {
		t.Errorf("small: %+v; want engagement 0, centrality 0, score NewAuthorScore(10) = %v", small, influence.NewAuthorScore(10, 1_000_000, w))
	}
	// Reddit reports no followers: the score is the weighted mean of engagement and centrality only.
	r1 := by["reddit/r1"]
	if r1.HasAudience || r1.Engagement != 100 || r1.Centrality != 100 || math.Abs(r1.Score-100) > 1e-9 {
		t.Errorf("r1: %+v; want no audience and 100", r1)
	}
	r2 := by["reddit/r2"]
	if want := w.Engagement * 50 / (w.Engagement + w.Centrality); r2.Centrality != 0 || math.Abs(r2.Score-want) > 1e-9 {
		t.Errorf("r2: %+v; want centrality 0 and score %v", r2, want)
	}
	for _, s := range res.Scores {
		if s.Score < 0 || s.Score > 100 {
			t.Errorf("%s/%s: score %v outside 0–100", s.Network, s.AuthorID, s.Score)
		}
	}
}

func TestComputeEdgeCases(t *testing.T) {
	res, err := influence.Compute(nil, nil, influence.Options{})
	if err != nil || len(res.Scores) != 0 || res.Nodes != 0 {
		t.Errorf("empty: %+v, %v", res, err)
	}
	// Only self interactions: no edge, no centrality.
	res, err = influence.Compute([]influence.Author{{Network: "x", ID: "a", Followers: 5, Engagement: 1}},
		[]influence.Link{{Network: "x", From: "a", To: "a", Weight: 4}}, influence.Options{})
	if err != nil || res.Edges != 0 || res.Scores[0].Centrality != 0 {
		t.Errorf("self loop: %+v, %v", res, err)
	}
	if _, err := influence.Compute([]influence.Author{{Network: "x", ID: "a"}, {Network: "x", ID: "a"}}, nil, influence.Options{}); err == nil {
		t.Error("duplicate author accepted")
	}
	if _, err := influence.Compute(nil, nil, influence.Options{Weights: influence.Weights{Audience: 1}}); err == nil {
		t.Error("weights without engagement or centrality accepted")
	}
	if _, err := influence.Compute(nil, nil, influence.Options{Weights: influence.Weights{Audience: -1, Engagement: 1}}); err == nil {
		t.Error("negative weight accepted")
	}
	if _, ok := influence.AudienceScore(-1, 100); ok {
		t.Error("unknown followers gave an audience")
	}
	if a, _ := influence.AudienceScore(5_000_000, 1000); a != 100 {
		t.Errorf("audience above the reference: %v; want capped at 100", a)
	}
}

func TestComputeDeterministic(t *testing.T) {
	authors := []influence.Author{{Network: "x", ID: "b", Followers: 3, Engagement: 2}, {Network: "x", ID: "a", Followers: 9, Engagement: 1}}
	links := []influence.Link{{Network: "x", From: "a", To: "b", Weight: 1}, {Network: "x", From: "b", To: "a", Weight: 2}}
	r1, _ := influence.Compute(authors, links, influence.Options{})
	r2, _ := influence.Compute([]influence.Author{authors[1], authors[0]}, []influence.Link{links[1], links[0]}, influence.Options{})
	for i := range r1.Scores {
		if r1.Scores[i] != r2.Scores[i] {
			t.Errorf("order changed the result: %+v vs %+v", r1.Scores[i], r2.Scores[i])
		}
	}
}
