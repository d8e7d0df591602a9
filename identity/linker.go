package identity

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Default decision thresholds on the match probability. They are properties of the model, not of a data
// set: a pair is linked when the model gives it at least 90% probability of being the same person, sent to
// review between 50% and 90%, and dropped below.
const (
	DefaultLinkThreshold   = 0.9
	DefaultReviewThreshold = 0.5
)

// Options configure Match. The zero value uses every default.
type Options struct {
	// Passes are the blocking passes; default DefaultPasses.
	Passes []Pass
	// Window is the sorted-neighbourhood window; default DefaultWindow.
	Window int
	// LinkThreshold and ReviewThreshold are probabilities; defaults DefaultLinkThreshold and
	// DefaultReviewThreshold.
	LinkThreshold, ReviewThreshold float64
	// Workers compare pairs in parallel; default runtime.GOMAXPROCS(0).
	Workers int
	// EM bounds the model fit.
	EM EMOptions
}

func (o *Options) defaults() error {
	if o.Passes == nil {
		o.Passes = DefaultPasses
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.LinkThreshold == 0 {
		o.LinkThreshold = DefaultLinkThreshold
	}
	if o.ReviewThreshold == 0 {
		o.ReviewThreshold = DefaultReviewThreshold
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Window < 2 {
		return fmt.Errorf("window: must be at least 2, got %d", o.Window)
	}
	if !(o.ReviewThreshold > 0 && o.ReviewThreshold <= o.LinkThreshold && o.LinkThreshold <= 1) {
		return fmt.Errorf("thresholds: need 0 < review (%g) <= link (%g) <= 1", o.ReviewThreshold, o.LinkThreshold)
	}
	return nil
}

// A Decision is what happens to a scored pair.
type Decision string

// Decisions, by falling probability.
const (
	DecisionLink    Decision = "link"
	DecisionReview  Decision = "review"
	DecisionNonLink Decision = "non-link"
)

// A Pair is a scored candidate pair: indices into Dataset.Records (A < B), its total weight in bits, its
// match probability and the decision taken on it.
type Pair struct {
	A, B        int32
	Weight      float64
	Probability float64
	Decision    Decision
}

// Evidence is what one field contributed to a pair's score.
type Evidence struct {
	Field  string  `json:"field"`
	Level  string  `json:"level"`
	Weight float64 `json:"weight"`
	Left   string  `json:"left"`
	Right  string  `json:"right"`
	// Swapped says the level was reached by comparing this field of one record with its partner field of
	// the other (given name with surname, address line 1 with line 2), because the values were entered
	// in each other's place.
	Swapped bool `json:"swapped,omitempty"`
}

// A Result holds the fitted model and every candidate pair, scored, in candidate order.
type Result struct {
	Model *Model
	Pairs []Pair
	// Options are the options used, with defaults filled in.
	Options Options

	nf     int
	levels []int8
}

// Levels returns the comparison vector of pair i: one level per field.
func (r *Result) Levels(i int) []int8 { return r.levels[i*r.nf : (i+1)*r.nf] }

// Evidence explains pair i of r: per field, the level reached, its weight and the two raw values.
func (r *Result) Evidence(d *Dataset, i int) []Evidence {
	p := r.Pairs[i]
	a, b := d.Records[p.A], d.Records[p.B]
	ev := make([]Evidence, r.nf)
	for f, l := range r.Levels(i) {
		ev[f] = Evidence{
			Field:  d.Fields[f].Name(),
			Level:  LevelName(d.Fields[f].Comparator, int(l)),
			Weight: r.Model.Weight(f, int(l)),
			Left:   a.Raw[f],
			Right:  b.Raw[f],
		}
	}
	for _, s := range d.swapPairs() {
		if swapped(d.Fields, s, a.Values, b.Values) {
			ev[s[0]].Swapped, ev[s[1]].Swapped = true, true
		}
	}
	return ev
}

// Match finds the candidate pairs of d by blocking, compares them field by field, fits a Fellegi–Sunter
// model to the comparison vectors by EM and scores every pair with it.
func Match(ctx context.Context, d *Dataset, opts Options) (*Result, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	if len(d.Fields) == 0 {
		return nil, errors.New("matching: no fields to compare")
	}
	cand := Candidates(d, opts.Passes, opts.Window)
	if len(cand) == 0 {
		return &Result{Model: nil, Options: opts, nf: len(d.Fields)}, nil
	}
	levels, err := CompareAll(ctx, d, cand, opts.Workers)
	if err != nil {
		return nil, err
	}
	if opts.EM.RandomShares == nil {
		shares, err := RandomPairShares(ctx, d, randomPairs, opts.Workers)
		if err != nil {
			return nil, err
		}
		opts.EM.RandomShares = shares
	}
	model, err := FitEM(d.Fields, levels, opts.EM)
	if err != nil {
		return nil, err
	}
	res := &Result{Model: model, Options: opts, nf: len(d.Fields), levels: levels, Pairs: make([]Pair, len(cand))}
	score := model.Scorer()
	for i, c := range cand {
		w, p := score(res.Levels(i))
		dec := DecisionNonLink
		switch {
		case p >= opts.LinkThreshold:
			dec = DecisionLink
		case p >= opts.ReviewThreshold:
			dec = DecisionReview
		}
		res.Pairs[i] = Pair{A: c[0], B: c[1], Weight: w, Probability: p, Decision: dec}
	}
	return res, nil
}

// CompareAll compares every pair field by field and returns the levels, len(d.Fields) per pair in pair
// order. The work is split over workers goroutines; the result does not depend on their number.
func CompareAll(ctx context.Context, d *Dataset, pairs [][2]int32, workers int) ([]int8, error) {
	nf := len(d.Fields)
	out := make([]int8, len(pairs)*nf)
	swaps := d.swapPairs()
	workers = max(1, min(workers, len(pairs)/1024+1))
	chunk := (len(pairs) + workers - 1) / workers
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(pairs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if i%4096 == 0 {
					if err := ctx.Err(); err != nil {
						errs[w] = err
						return
					}
				}
				d.compare(swaps, d.Records[pairs[i][0]].Values, d.Records[pairs[i][1]].Values, out[i*nf:(i+1)*nf])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("comparing pairs: %w", err)
	}
	return out, nil
}

// swapPartners are fields whose values are often entered in each other's place.
var swapPartners = [][2]Role{{GivenName, Surname}, {Address, Address2}}

// swapPairs returns the field indices of the swap partners present in d.
func (d *Dataset) swapPairs() [][2]int {
	var s [][2]int
	for _, p := range swapPartners {
		if x, y := d.fieldIndex(p[0]), d.fieldIndex(p[1]); x >= 0 && y >= 0 {
			s = append(s, [2]int{x, y})
		}
	}
	return s
}

// compare writes the level of every field of a and b into out. For swap partners, the crossed comparison
// (a's first with b's second and the reverse) replaces the direct one when it agrees on both fields and
// reaches more in total.
func (d *Dataset) compare(swaps [][2]int, a, b []string, out []int8) {
	for f, fld := range d.Fields {
		out[f] = int8(fld.Comparator.Compare(a[f], b[f]))
	}
	for _, s := range swaps {
		x, y := s[0], s[1]
		if out[x] == 0 || out[y] == 0 || out[x] == Missing || out[y] == Missing {
			// Only then can crossing win: it needs both crossed levels above 0 and a larger sum.
			cx := d.Fields[x].Comparator.Compare(a[x], b[y])
			if cx <= 0 {
				continue
			}
			cy := d.Fields[y].Comparator.Compare(a[y], b[x])
			if crossBetter(int(out[x]), int(out[y]), cx, cy) {
				out[x], out[y] = int8(cx), int8(cy)
			}
		}
	}
}

// swapped reports whether compare used the crossed comparison for swap partners s.
func swapped(fields []Field, s [2]int, a, b []string) bool {
	x, y := s[0], s[1]
	return crossBetter(
		fields[x].Comparator.Compare(a[x], b[x]), fields[y].Comparator.Compare(a[y], b[y]),
		fields[x].Comparator.Compare(a[x], b[y]), fields[y].Comparator.Compare(a[y], b[x]))
}

// crossBetter decides between direct levels (dx, dy) and crossed levels (cx, cy): crossed wins only when
// both crossed levels agree to some degree and their sum is larger. Missing counts as 0.
func crossBetter(dx, dy, cx, cy int) bool {
	if cx <= 0 || cy <= 0 {
		return false
	}
	return cx+cy > max(dx, 0)+max(dy, 0)
}

// randomPairs is how many random pairs estimate u.
const randomPairs = 40000

// RandomPairShares returns the level shares of every field among up to n pairs drawn at random (all pairs
// when there are fewer). Two records drawn at random are almost never the same person, so these shares are
// nearly u; see EMOptions.RandomShares. The draw is seeded, so deterministic.
func RandomPairShares(ctx context.Context, d *Dataset, n, workers int) ([][]float64, error) {
	var pairs [][2]int32
	var left, right []int32
	for i, r := range d.Records {
		if d.Link && r.Source == 1 {
			right = append(right, int32(i))
		} else {
			left = append(left, int32(i))
		}
	}
	if !d.Link {
		right = left
	}
	total := len(left) * len(right)
	if !d.Link {
		total = len(left) * (len(left) - 1) / 2
	}
	if total <= n {
		for x, a := range left {
			for y, b := range right {
				if d.Link || y > x {
					pairs = append(pairs, [2]int32{min(a, b), max(a, b)})
				}
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(0x5eed, uint64(len(d.Records))))
		for len(pairs) < n {
			a, b := left[rng.IntN(len(left))], right[rng.IntN(len(right))]
			if a != b {
				pairs = append(pairs, [2]int32{min(a, b), max(a, b)})
			}
		}
	}
	if len(pairs) == 0 {
		return nil, errors.New("estimating u: fewer than two records")
	}
	levels, err := CompareAll(ctx, d, pairs, workers)
	if err != nil {
		return nil, err
	}
	nf := len(d.Fields)
	u := make([][]float64, nf)
	for f := range u {
		u[f] = make([]float64, len(d.Fields[f].Comparator.Levels()))
	}
	for i := 0; i < len(levels); i += nf {
		for f, l := range levels[i : i+nf] {
			if l != Missing {
				u[f][l]++
			}
		}
	}
	for f := range u {
		normalize(u[f], 1)
	}
	return u, nil
}
