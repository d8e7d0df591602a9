package identity

import (
	"errors"
	"math"
	"slices"
	"strings"
)

// A Model is a Fellegi–Sunter model: for every field and agreement level, m is the probability of that
// level among matching pairs and u among non-matching pairs; Lambda is the share of matches among the
// candidate pairs. Fields are assumed conditionally independent given the match status, and a Missing
// level contributes no evidence.
//
// Source: I. P. Fellegi and A. B. Sunter, "A theory for record linkage", JASA 64(328), 1969.
type Model struct {
	Fields     []string
	Levels     [][]string
	Lambda     float64
	M, U       [][]float64
	Iterations int
	Converged  bool
}

// Weight returns the evidence of field f at level l in bits: log2(m/u), positive for agreement that is more
// likely among matches. A Missing level weighs 0.
func (m *Model) Weight(f, l int) float64 {
	if l == Missing {
		return 0
	}
	return math.Log2(m.M[f][l] / m.U[f][l])
}

// Score returns the total weight of a comparison vector (one level per field) and the posterior match
// probability, λ·2^W / (λ·2^W + 1 − λ).
func (m *Model) Score(levels []int8) (weight, probability float64) {
	for f, l := range levels {
		weight += m.Weight(f, int(l))
	}
	return weight, Probability(m.Lambda, weight)
}

// Scorer returns a function equivalent to Score that looks the weights up in a table built once, for
// scoring many pairs with a model that no longer changes.
func (m *Model) Scorer() func(levels []int8) (weight, probability float64) {
	table := make([][]float64, len(m.M))
	for f := range m.M {
		table[f] = make([]float64, len(m.M[f]))
		for l := range table[f] {
			table[f][l] = m.Weight(f, l)
		}
	}
	lambda := m.Lambda
	return func(levels []int8) (weight, probability float64) {
		for f, l := range levels {
			if l != Missing {
				weight += table[f][l]
			}
		}
		return weight, Probability(lambda, weight)
	}
}

// Probability turns a prior match share and a total weight in bits into a match probability.
func Probability(lambda, weight float64) float64 {
	odds := lambda / (1 - lambda) * math.Exp2(weight)
	if math.IsInf(odds, 1) {
		return 1
	}
	return odds / (1 + odds)
}

// EMOptions bound the expectation–maximisation fit.
type EMOptions struct {
	// MaxIterations stops the fit; default 500.
	MaxIterations int
	// Tolerance is the largest change of any parameter between iterations at which the fit has converged;
	// default 1e-7.
	Tolerance float64
	// RandomShares, when set, are the level shares (per field and level, as in Model.U) among pairs drawn
	// at random from the input. u is then fixed at them rather than fitted on the candidate pairs, and EM
	// fits only m and Lambda. Random pairs are non-matches but for a few, so their shares estimate u
	// directly; on small inputs this keeps EM from explaining every agreement by a match.
	RandomShares [][]float64
}

// pseudoCount is added to every level's expected count, so no probability becomes 0 and no weight infinite.
const pseudoCount = 0.01

// priorPairs is the strength of the prior, in pairs, that EM adds to its expected counts (a Dirichlet prior,
// so the fit is a maximum a posteriori estimate): for m, that matches mostly agree exactly (75% on the top
// level, 5% on disagreement, the rest spread over the levels in between); for u, the level shares among
// all candidate pairs. On thousands of pairs it changes nothing visible; on a few hundred it keeps EM from
// declaring a handful of look-alike non-matches a class of their own.
const priorPairs = 10

// priorM returns the prior shares of the levels of a field among matches.
func priorM(levels int) []float64 {
	p := make([]float64, levels)
	if levels == 2 {
		p[0], p[1] = 0.05, 0.95
		return p
	}
	p[0], p[levels-1] = 0.05, 0.75
	for l := 1; l < levels-1; l++ {
		p[l] = 0.2 / float64(levels-2)
	}
	return p
}

// FitEM estimates a Model from comparison vectors without labels, by expectation–maximisation on the
// two-class mixture of the Fellegi–Sunter model. vectors holds len(fields) levels per pair, pair after
// pair.
//
// Start: Lambda 0.1; m at its prior (see priorPairs); u is the share of each level among all candidate pairs
// (which are mostly non-matches), or fixed at opts.RandomShares. Identical vectors are counted once
// with a multiplicity, so an iteration costs the number of distinct vectors, not of pairs.
//
// Source: W. E. Winkler, "Using the EM algorithm for weight computation in the Fellegi–Sunter model of
// record linkage", Proceedings of the Section on Survey Research Methods, ASA, 1988; A. P. Dempster,
// N. M. Laird and D. B. Rubin, "Maximum likelihood from incomplete data via the EM algorithm", 1977.
func FitEM(fields []Field, vectors []int8, opts EMOptions) (*Model, error) {
	nf := len(fields)
	if nf == 0 {
		return nil, errors.New("fitting model: no fields")
	}
	if len(vectors) == 0 || len(vectors)%nf != 0 {
		return nil, errors.New("fitting model: no comparison vectors")
	}
	if opts.MaxIterations <= 0 {
		opts.MaxIterations = 500
	}
	if opts.Tolerance <= 0 {
		opts.Tolerance = 1e-7
	}
	patterns, counts := distinctVectors(vectors, nf)

	m := &Model{Lambda: 0.1}
	for _, f := range fields {
		levels := f.Comparator.Levels()
		m.Fields = append(m.Fields, f.Name())
		m.Levels = append(m.Levels, levels)
		m.M = append(m.M, priorM(len(levels)))
		m.U = append(m.U, make([]float64, len(levels)))
	}
	// u from the level shares among all pairs.
	for p := range counts {
		for f := 0; f < nf; f++ {
			if l := patterns[p*nf+f]; l != Missing {
				m.U[f][l] += counts[p]
			}
		}
	}
	for f := range m.U {
		normalize(m.U[f], pseudoCount)
	}
	if opts.RandomShares != nil {
		if len(opts.RandomShares) != nf {
			return nil, errors.New("fitting model: random-pair shares do not fit the fields")
		}
		for f := range m.U {
			if len(opts.RandomShares[f]) != len(m.U[f]) {
				return nil, errors.New("fitting model: random-pair shares do not fit the fields")
			}
			copy(m.U[f], opts.RandomShares[f])
		}
	}
	prior := make([][2][]float64, nf) // per field: m and u prior counts
	for f := range prior {
		pm, pu := priorM(len(m.M[f])), slices.Clone(m.U[f])
		for l := range pm {
			pm[l] *= priorPairs
			pu[l] *= priorPairs
		}
		prior[f] = [2][]float64{pm, pu}
	}

	post := make([]float64, len(counts))
	sumM := make([][]float64, nf)
	sumU := make([][]float64, nf)
	for f := range sumM {
		sumM[f] = make([]float64, len(m.M[f]))
		sumU[f] = make([]float64, len(m.U[f]))
	}
	var total float64
	for _, c := range counts {
		total += c
	}
	for it := 1; it <= opts.MaxIterations; it++ {
		// E: posterior match probability of every distinct vector.
		for p := range counts {
			pm, pu := m.Lambda, 1-m.Lambda
			for f := 0; f < nf; f++ {
				if l := patterns[p*nf+f]; l != Missing {
					pm *= m.M[f][l]
					pu *= m.U[f][l]
				}
			}
			if pm+pu == 0 {
				post[p] = 0
				continue
			}
			post[p] = pm / (pm + pu)
		}
		// M: expected counts.
		for f := range sumM {
			copy(sumM[f], prior[f][0])
			copy(sumU[f], prior[f][1])
		}
		var matches float64
		for p, c := range counts {
			w := post[p] * c
			matches += w
			for f := 0; f < nf; f++ {
				if l := patterns[p*nf+f]; l != Missing {
					sumM[f][l] += w
					sumU[f][l] += c - w
				}
			}
		}
		change := math.Abs(matches/total - m.Lambda)
		m.Lambda = clamp(matches/total, 1e-9, 1-1e-9)
		for f := range sumM {
			normalize(sumM[f], pseudoCount)
			for l := range sumM[f] {
				change = max(change, math.Abs(sumM[f][l]-m.M[f][l]))
			}
			copy(m.M[f], sumM[f])
			if opts.RandomShares != nil {
				continue // u stays fixed
			}
			normalize(sumU[f], pseudoCount)
			for l := range sumU[f] {
				change = max(change, math.Abs(sumU[f][l]-m.U[f][l]))
			}
			copy(m.U[f], sumU[f])
		}
		m.Iterations = it
		if change < opts.Tolerance {
			m.Converged = true
			break
		}
	}
	// The two classes are interchangeable in the likelihood; the match class is the one where exact
	// agreement is likelier. Swap if EM settled the other way round.
	var agree float64
	for f := range m.M {
		top := len(m.M[f]) - 1
		agree += math.Log(m.M[f][top] / m.U[f][top])
	}
	if agree < 0 {
		m.M, m.U = m.U, m.M
		m.Lambda = 1 - m.Lambda
	}
	return m, nil
}

// distinctVectors returns the distinct comparison vectors in a fixed (sorted) order with their counts,
// so that sums are taken in the same order on every run.
func distinctVectors(vectors []int8, nf int) (patterns []int8, counts []float64) {
	index := make(map[string]int)
	var keys []string
	var n []int
	for off := 0; off < len(vectors); off += nf {
		k := string(int8sAsBytes(vectors[off : off+nf]))
		i, ok := index[k]
		if !ok {
			i = len(keys)
			index[k] = i
			keys = append(keys, k)
			n = append(n, 0)
		}
		n[i]++
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(keys[a], keys[b]) })
	patterns = make([]int8, 0, len(keys)*nf)
	counts = make([]float64, 0, len(keys))
	for _, i := range order {
		for j := 0; j < nf; j++ {
			patterns = append(patterns, int8(keys[i][j]))
		}
		counts = append(counts, float64(n[i]))
	}
	return patterns, counts
}

func int8sAsBytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// normalize turns counts into probabilities after adding alpha to each.
func normalize(v []float64, alpha float64) {
	var s float64
	for i := range v {
		v[i] += alpha
		s += v[i]
	}
	for i := range v {
		v[i] /= s
	}
}

func clamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }
