package influence_test

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/rapport-dev/rapport/influence"
)

// socialEdges returns m edges over n nodes whose targets follow a heavy-tailed popularity (a few authors
// receive most replies and mentions, as on a social network) and whose sources are uniform.
func socialEdges(n, m int, seed uint64) []influence.Edge {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	zipf := rand.NewZipf(rng, 1.3, 8, uint64(n-1))
	perm := rng.Perm(n)
	edges := make([]influence.Edge, m)
	for i := range edges {
		edges[i] = influence.Edge{From: int32(rng.IntN(n)), To: int32(perm[zipf.Uint64()]), Weight: float32(1 + rng.IntN(3))}
	}
	return edges
}

const benchNodes, benchEdges = 1_000_000, 5_000_000

// BenchmarkPageRank1M runs the whole power iteration (default damping and tolerance) on a 1M-node, 5M-edge
// graph and reports the time per iteration and the graph's memory (B/op is the three rank vectors).
func BenchmarkPageRank1M(b *testing.B) {
	edges := socialEdges(benchNodes, benchEdges, 1)
	g, err := influence.NewGraph(benchNodes, edges)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	iters := 0
	for i := 0; i < b.N; i++ {
		res := influence.PageRank(g, influence.PageRankOptions{})
		iters += res.Iterations
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters)/1e6, "ms/iteration")
	b.ReportMetric(float64(iters)/float64(b.N), "iterations")
	b.ReportMetric(float64(g.Bytes())/(1<<20), "graph-MiB")
}

// BenchmarkNewGraph1M builds the 1M-node, 5M-edge graph from its edge list.
func BenchmarkNewGraph1M(b *testing.B) {
	edges := socialEdges(benchNodes, benchEdges, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := influence.NewGraph(benchNodes, edges); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompute1M scores 1M authors of one network from 5M links given by author id, as Load returns
// them: node numbering, graph build, PageRank and the per-network percentiles.
func BenchmarkCompute1M(b *testing.B) {
	edges := socialEdges(benchNodes, benchEdges, 2)
	ids := make([]string, benchNodes)
	authors := make([]influence.Author, benchNodes)
	for i := range ids {
		ids[i] = "u" + strconv.Itoa(i)
		authors[i] = influence.Author{Network: "x", ID: ids[i], Followers: int64(i % 5000), Engagement: float64(i % 97)}
	}
	links := make([]influence.Link, len(edges))
	for i, e := range edges {
		links[i] = influence.Link{Network: "x", From: ids[e.From], To: ids[e.To], Weight: float64(e.Weight)}
	}
	edges = nil
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := influence.Compute(authors, links, influence.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Scores) != benchNodes {
			b.Fatalf("%d scores", len(res.Scores))
		}
	}
}
