package influence_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rapport-dev/rapport/influence"
)

func mustGraph(t *testing.T, n int, edges []influence.Edge) *influence.Graph {
	t.Helper()
	g, err := influence.NewGraph(n, edges)
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	return g
}

func checkRanks(t *testing.T, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d ranks; want %d", len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol {
			t.Errorf("rank[%d] = %.6f; want %.6f", i, got[i], want[i])
		}
	}
}

func TestPageRankHandComputed(t *testing.T) {
	// A→B, A→C, B→C, C→A with d = 0.85, solved by hand:
	//   rB = 0.05 + 0.425·rA;  rC = 0.05 + 0.85·(rA/2 + rB) = 0.0925 + 0.78625·rA
	//   rA = 0.05 + 0.85·rC  ⇒  rA = 0.128625 / 0.3316875
	rA := 0.128625 / 0.3316875
	want := []float64{rA, 0.05 + 0.425*rA, 0.0925 + 0.78625*rA}
	g := mustGraph(t, 3, []influence.Edge{{0, 1, 1}, {0, 2, 1}, {1, 2, 1}, {2, 0, 1}})
	res := influence.PageRank(g, influence.PageRankOptions{Tolerance: 1e-12, MaxIter: 500})
	if !res.Converged {
		t.Fatalf("did not converge in %d iterations (delta %g)", res.Iterations, res.Delta)
	}
	checkRanks(t, res.Rank, want, 1e-9)
}

func TestPageRankDangling(t *testing.T) {
	// A→B and B has no out-edge: B's rank is spread over both nodes.
	//   rA = 0.075 + 0.85·rB/2, rA + rB = 1  ⇒  rA = 0.5/1.425
	g := mustGraph(t, 2, []influence.Edge{{0, 1, 1}})
	res := influence.PageRank(g, influence.PageRankOptions{Tolerance: 1e-13, MaxIter: 500})
	checkRanks(t, res.Rank, []float64{0.5 / 1.425, 1 - 0.5/1.425}, 1e-9)
}

func TestPageRankWeighted(t *testing.T) {
	// A→B weight 3 and A→C weight 1 split A's rank 3:1; B→A and C→A return it.
	//   rB = 0.05 + 0.85·0.75·rA, rC = 0.05 + 0.85·0.25·rA, rA = 0.05 + 0.85·(rB + rC) = 0.135 + 0.7225·rA
	rA := 0.135 / 0.2775
	want := []float64{rA, 0.05 + 0.6375*rA, 0.05 + 0.2125*rA}
	g := mustGraph(t, 3, []influence.Edge{{0, 1, 3}, {0, 2, 1}, {1, 0, 1}, {2, 0, 1}})
	res := influence.PageRank(g, influence.PageRankOptions{Tolerance: 1e-13, MaxIter: 1000})
	checkRanks(t, res.Rank, want, 1e-9)
}

// denseRank solves the PageRank linear system directly (Gaussian elimination), as an independent check.
func denseRank(n int, edges []influence.Edge, d float64) []float64 {
	out := make([]float64, n)
	w := make([][]float64, n) // w[v][u]: weight u→v
	for i := range w {
		w[i] = make([]float64, n)
	}
	for _, e := range edges {
		if e.From != e.To {
			w[e.To][e.From] += float64(e.Weight)
			out[e.From] += float64(e.Weight)
		}
	}
	// r = (1-d)/n + d·(M r + (Σ_dangling r)/n), i.e. (I - d·M - d·D/n) r = (1-d)/n.
	a := make([][]float64, n)
	for v := 0; v < n; v++ {
		a[v] = make([]float64, n+1)
		for u := 0; u < n; u++ {
			m := 0.0
			if out[u] > 0 {
				m = w[v][u] / out[u]
			} else {
				m = 1 / float64(n)
			}
			a[v][u] = -d * m
		}
		a[v][v]++
		a[v][n] = (1 - d) / float64(n)
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < n; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k <= n; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	r := make([]float64, n)
	for i := range r {
		r[i] = a[i][n] / a[i][i]
	}
	return r
}

func randomEdges(rng *rand.Rand, n, m int) []influence.Edge {
	edges := make([]influence.Edge, m)
	for i := range edges {
		edges[i] = influence.Edge{From: int32(rng.IntN(n)), To: int32(rng.IntN(n)), Weight: float32(1 + rng.IntN(4))}
	}
	return edges
}

func TestPageRankMatchesDenseSolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, size := range [][2]int{{5, 8}, {30, 60}, {60, 400}} {
		edges := randomEdges(rng, size[0], size[1])
		g := mustGraph(t, size[0], edges)
		res := influence.PageRank(g, influence.PageRankOptions{Tolerance: 1e-14, MaxIter: 2000})
		checkRanks(t, res.Rank, denseRank(size[0], edges, 0.85), 1e-10)
	}
}

func TestPageRankDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	edges := randomEdges(rng, 2000, 12000)
	a := influence.PageRank(mustGraph(t, 2000, edges), influence.PageRankOptions{})
	shuffled := append([]influence.Edge(nil), edges...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	for run := 0; run < 2; run++ {
		b := influence.PageRank(mustGraph(t, 2000, shuffled), influence.PageRankOptions{})
		if a.Iterations != b.Iterations {
			t.Fatalf("iterations %d vs %d", a.Iterations, b.Iterations)
		}
		for i := range a.Rank {
			if a.Rank[i] != b.Rank[i] {
				t.Fatalf("rank[%d] differs between runs: %v vs %v", i, a.Rank[i], b.Rank[i])
			}
		}
	}
}

func TestPageRankEdgeCases(t *testing.T) {
	t.Run("no nodes", func(t *testing.T) {
		res := influence.PageRank(mustGraph(t, 0, nil), influence.PageRankOptions{})
		if len(res.Rank) != 0 || !res.Converged {
			t.Errorf("got %+v; want an empty, converged result", res)
		}
	})
	t.Run("no edges", func(t *testing.T) {
		res := influence.PageRank(mustGraph(t, 4, nil), influence.PageRankOptions{})
		checkRanks(t, res.Rank, []float64{0.25, 0.25, 0.25, 0.25}, 1e-15)
		if !res.Converged || res.Iterations != 1 {
			t.Errorf("no edges: %d iterations, converged %v; want 1, true", res.Iterations, res.Converged)
		}
	})
	t.Run("self loops only", func(t *testing.T) {
		g := mustGraph(t, 3, []influence.Edge{{0, 0, 5}, {1, 1, 1}})
		if g.Edges() != 0 {
			t.Errorf("self loops kept: %d edges", g.Edges())
		}
		checkRanks(t, influence.PageRank(g, influence.PageRankOptions{}).Rank, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}, 1e-15)
	})
	t.Run("self loop ignored next to real edges", func(t *testing.T) {
		with := influence.PageRank(mustGraph(t, 3, []influence.Edge{{0, 1, 1}, {1, 1, 9}, {1, 2, 1}}), influence.PageRankOptions{}).Rank
		without := influence.PageRank(mustGraph(t, 3, []influence.Edge{{0, 1, 1}, {1, 2, 1}}), influence.PageRankOptions{}).Rank
		checkRanks(t, with, without, 0)
	})
	t.Run("zero and negative weights ignored", func(t *testing.T) {
		g := mustGraph(t, 2, []influence.Edge{{0, 1, 0}, {1, 0, -2}})
		if g.Edges() != 0 {
			t.Errorf("got %d edges; want 0", g.Edges())
		}
	})
	t.Run("edge outside the graph", func(t *testing.T) {
		if _, err := influence.NewGraph(2, []influence.Edge{{0, 2, 1}}); err == nil {
			t.Error("edge to node 2 of 2 accepted")
		}
		if _, err := influence.NewGraph(2, []influence.Edge{{-1, 0, 1}}); err == nil {
			t.Error("edge from node -1 accepted")
		}
	})
	t.Run("sums to one and stops at the cap", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		res := influence.PageRank(mustGraph(t, 500, randomEdges(rng, 500, 1500)), influence.PageRankOptions{Tolerance: 1e-300, MaxIter: 7})
		if res.Iterations != 7 || res.Converged {
			t.Errorf("got %d iterations, converged %v; want 7, false", res.Iterations, res.Converged)
		}
		sum := 0.0
		for _, r := range res.Rank {
			sum += r
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("ranks sum to %v; want 1", sum)
		}
	})
}
