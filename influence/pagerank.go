package influence

import (
	"fmt"
	"math"
	"slices"
)

// Edge is one weighted directed edge of the interaction graph between node indices: From replied to,
// mentioned, reposted or quoted To, Weight times.
type Edge struct {
	From, To int32
	Weight   float32
}

// Graph is a weighted directed graph in compressed sparse row form over its incoming edges, which is what a
// pull-style power iteration reads: for node v, the sources of its in-edges are src[off[v]:off[v+1]].
// Memory is about 8 bytes per edge and 20 bytes per node.
type Graph struct {
	n      int
	off    []int32   // n+1 offsets into src and w
	src    []int32   // source node of each in-edge, grouped by target
	w      []float32 // weight of each in-edge
	invOut []float64 // 1 / total out-weight per node; 0 for a dangling node (no out-edges)
	inW    []float64 // total in-weight per node
}

// NewGraph builds the graph of n nodes from edges. Self loops and edges of non-positive weight are ignored
// (talking to oneself is not influence); parallel edges add up. The result does not depend on the order of
// edges beyond floating-point summation order, which is fixed by sorting.
func NewGraph(n int, edges []Edge) (*Graph, error) {
	if n < 0 || n > math.MaxInt32-1 {
		return nil, fmt.Errorf("influence graph: %d nodes is out of range", n)
	}
	g := &Graph{n: n, off: make([]int32, n+1), invOut: make([]float64, n), inW: make([]float64, n)}
	m := 0
	for _, e := range edges {
		if e.From < 0 || int(e.From) >= n || e.To < 0 || int(e.To) >= n {
			return nil, fmt.Errorf("influence graph: edge %d→%d outside %d nodes", e.From, e.To, n)
		}
		if e.From == e.To || !(e.Weight > 0) || math.IsInf(float64(e.Weight), 0) {
			continue
		}
		g.off[e.To+1]++
		m++
	}
	if m > math.MaxInt32 {
		return nil, fmt.Errorf("influence graph: %d edges is more than this build handles", m)
	}
	for v := 0; v < n; v++ {
		g.off[v+1] += g.off[v]
	}
	src := make([]int32, m)
	w := make([]float32, m)
	next := slices.Clone(g.off[:n])
	for _, e := range edges {
		if e.From == e.To || !(e.Weight > 0) || math.IsInf(float64(e.Weight), 0) {
			continue
		}
		i := next[e.To]
		next[e.To]++
		src[i], w[i] = e.From, e.Weight
	}
	// Sort each node's in-edges by source and merge parallel edges, so that every sum below is taken in one
	// order whatever order the edges came in.
	g.src, g.w = src[:0], w[:0]
	out := make([]float64, n)
	lo := int32(0)
	for v := 0; v < n; v++ {
		hi := g.off[v+1]
		sortRun(src[lo:hi], w[lo:hi])
		start := int32(len(g.src))
		for i := lo; i < hi; i++ {
			if k := len(g.src); k > int(start) && g.src[k-1] == src[i] {
				g.w[k-1] += w[i]
				continue
			}
			g.src, g.w = append(g.src, src[i]), append(g.w, w[i])
		}
		for i := start; i < int32(len(g.src)); i++ {
			out[g.src[i]] += float64(g.w[i])
			g.inW[v] += float64(g.w[i])
		}
		g.off[v], lo = start, hi
	}
	g.off[n] = int32(len(g.src))
	for u, o := range out {
		if o > 0 {
			g.invOut[u] = 1 / o
		}
	}
	return g, nil
}

// sortRun sorts parallel slices by source, then weight.
func sortRun(src []int32, w []float32) {
	if len(src) < 2 {
		return
	}
	sorted := true
	for i := 1; i < len(src) && sorted; i++ {
		sorted = src[i-1] < src[i] || src[i-1] == src[i] && w[i-1] <= w[i]
	}
	if sorted {
		return
	}
	idx := make([]int, len(src))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if src[a] != src[b] {
			return int(src[a]) - int(src[b])
		}
		switch {
		case w[a] < w[b]:
			return -1
		case w[a] > w[b]:
			return 1
		}
		return 0
	})
	s2 := make([]int32, len(src))
	w2 := make([]float32, len(w))
	for i, j := range idx {
		s2[i], w2[i] = src[j], w[j]
	}
	copy(src, s2)
	copy(w, w2)
}

// Nodes returns the number of nodes.
func (g *Graph) Nodes() int { return g.n }

// Edges returns the number of stored edges (after dropping self loops).
func (g *Graph) Edges() int { return len(g.src) }

// Bytes is the memory the graph holds, in bytes.
func (g *Graph) Bytes() int {
	return 4*len(g.off) + 8*len(g.src) + 16*g.n
}

// InWeight returns the total weight of v's incoming edges.
func (g *Graph) InWeight(v int) float64 { return g.inW[v] }

// PageRankOptions tune the power iteration. Zero values take the defaults.
type PageRankOptions struct {
	Damping   float64 // probability of following an edge rather than jumping; default 0.85
	Tolerance float64 // stop when the L1 change of the rank vector falls below this; default 1e-9 × nodes
	MaxIter   int     // iteration cap; default 100
}

func (o *PageRankOptions) defaults(n int) {
	if !(o.Damping > 0 && o.Damping < 1) {
		o.Damping = 0.85
	}
	if !(o.Tolerance > 0) {
		o.Tolerance = 1e-9 * float64(max(n, 1))
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 100
	}
}

// PageRankResult is the stationary distribution found and how the iteration ended.
type PageRankResult struct {
	Rank       []float64 // per node, summing to 1
	Iterations int
	Delta      float64 // L1 change of the last iteration
	Converged  bool
}

// PageRank runs a weighted PageRank power iteration on g:
//
//	r'(v) = (1-d)/n + d · ( Σ_{u→v} r(u) · w(u,v) / out(u)  +  D/n )
//
// where D is the rank held by dangling nodes (no out-edges), spread evenly over all nodes so that no rank
// leaks out and the vector keeps summing to 1. The iteration starts from the uniform vector and stops when
// the L1 change is below the tolerance or after MaxIter iterations. It is deterministic: the same graph
// always gives the same bits.
func PageRank(g *Graph, opts PageRankOptions) PageRankResult {
	n := g.n
	if n == 0 {
		return PageRankResult{Converged: true}
	}
	opts.defaults(n)
	d := opts.Damping
	x := make([]float64, n)
	next := make([]float64, n)
	contrib := make([]float64, n)
	inv := 1 / float64(n)
	for i := range x {
		x[i] = inv
	}
	res := PageRankResult{}
	for it := 1; it <= opts.MaxIter; it++ {
		res.Delta = g.step(x, next, contrib, d)
		res.Iterations = it
		x, next = next, x
		if res.Delta < opts.Tolerance {
			res.Converged = true
			break
		}
	}
	res.Rank = x
	return res
}

// step computes one iteration from x into next and returns the L1 change. contrib is scratch of n elements.
func (g *Graph) step(x, next, contrib []float64, d float64) float64 {
	n := g.n
	dangling := 0.0
	for u, xu := range x {
		if iv := g.invOut[u]; iv > 0 {
			contrib[u] = xu * iv
		} else {
			contrib[u] = 0
			dangling += xu
		}
	}
	base := (1-d)/float64(n) + d*dangling/float64(n)
	delta := 0.0
	for v := 0; v < n; v++ {
		s := 0.0
		lo, hi := g.off[v], g.off[v+1]
		src, w := g.src[lo:hi], g.w[lo:hi]
		for i, u := range src {
			s += contrib[u] * float64(w[i])
		}
		nv := base + d*s
		next[v] = nv
		delta += math.Abs(nv - x[v])
	}
	// Renormalise against rounding drift, so that long runs keep summing to 1.
	total := 0.0
	for _, v := range next {
		total += v
	}
	if total > 0 {
		for i := range next {
			next[i] /= total
		}
	}
	return delta
}
