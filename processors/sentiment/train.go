package sentiment

import (
	"fmt"
	"io"
	"math"
	"sort"
)

// TrainConfig sets how the learned layer is trained. The zero value means the defaults.
type TrainConfig struct {
	MinCount int     // words seen fewer times than this in the training texts stay out of the vocabulary; default 5
	L2       float64 // L2 penalty on every weight but the biases; default 1e-3
	Epochs   int     // full-batch Adam steps; default 300
	Rate     float64 // Adam learning rate; default 0.05
	MinKeep  float64 // words whose three weights are all smaller than this are dropped; default 0.02
	// BalanceDomains weights the classes to count equally within each Example.Domain rather than over all
	// examples together.
	BalanceDomains bool
}

func (c *TrainConfig) defaults() {
	if c.MinCount == 0 {
		c.MinCount = 5
	}
	if c.L2 == 0 {
		c.L2 = 1e-3
	}
	if c.Epochs == 0 {
		c.Epochs = 300
	}
	if c.Rate == 0 {
		c.Rate = 0.05
	}
	if c.MinKeep == 0 {
		c.MinKeep = 0.02
	}
}

// Model is a trained learned layer.
type Model struct{ l *layer }

// Words is the size of the model's vocabulary.
func (m *Model) Words() int { return len(m.l.names) }

// WriteTo writes the model as the layer file New embeds, headed by header as comment lines.
func (m *Model) WriteTo(w io.Writer, header string) error { return m.l.writeTo(w, header) }

// NewWithModel builds an Analyzer whose learned layer is m (for evaluating a model before shipping it).
func NewWithModel(m *Model) (*Analyzer, error) { return newAnalyzer(m.l) }

// trainExample is one example's layer input.
type trainExample struct {
	dense  [nDense]float64
	vocab  []int32
	class  int
	weight float64
}

// TrainLayer trains the learned layer on labelled examples: Example.Label when set, else
// HumanLabel(Example.Score). Classes are weighted to count equally, as macro-recall does. Training is
// deterministic: the same examples and config give the same model.
func TrainLayer(examples []Example, cfg TrainConfig) (*Model, error) {
	cfg.defaults()
	if len(examples) == 0 {
		return nil, fmt.Errorf("training the sentiment layer: no examples")
	}
	base, err := newAnalyzer(nil)
	if err != nil {
		return nil, err
	}
	// Vocabulary: lower-case word forms seen at least MinCount times, in sorted order.
	counts := map[string]int{}
	s := &scratch{}
	var buf [maxWord]byte
	for _, ex := range examples {
		s.reset()
		base.tokenize(ex.Text, s)
		for _, it := range s.items {
			if it.kind != kindWord {
				continue
			}
			if w, _ := lower(ex.Text[it.start:it.end], &buf); w != nil {
				counts[string(w)]++
			}
		}
	}
	var names []string
	for w, n := range counts {
		if n >= cfg.MinCount {
			names = append(names, w)
		}
	}
	sort.Strings(names)
	l := &layer{names: names, words: make([][3]float64, len(names))}
	a, err := newAnalyzer(l)
	if err != nil {
		return nil, err
	}
	data := make([]trainExample, len(examples))
	for i, ex := range examples {
		lab := ex.Label
		if lab == "" {
			lab = HumanLabel(ex.Score)
		}
		ev := a.evidence(ex.Text)
		data[i] = trainExample{dense: ev.dense, vocab: append([]int32(nil), ev.vocab...), class: classIndex(lab)}
	}
	classWeights(examples, data, cfg.BalanceDomains)
	fit(l, data, cfg)
	return &Model{l: prune(l, cfg.MinKeep)}, nil
}

// classWeights sets data[i].weight from examples[i].Weight (0 means 1) so that the classes count equally:
// within each Example.Domain when perDomain (each domain keeping its share of the total weight), else over
// all examples. The weights sum to 1.
func classWeights(examples []Example, data []trainExample, perDomain bool) {
	group := func(ex Example) int {
		if perDomain {
			return ex.Domain
		}
		return 0
	}
	classN := map[int]*[3]float64{}
	var total float64
	for i, ex := range examples {
		w := ex.Weight
		if w == 0 {
			w = 1
		}
		data[i].weight = w
		g := group(ex)
		if classN[g] == nil {
			classN[g] = new([3]float64)
		}
		classN[g][data[i].class] += w
		total += w
	}
	for i, ex := range examples {
		n := classN[group(ex)]
		present, groupW := 0.0, 0.0
		for _, c := range n {
			if c > 0 {
				present++
				groupW += c
			}
		}
		data[i].weight *= groupW / (present * n[data[i].class]) / total
	}
}

// evidence runs the rule engine on text and returns the layer's input.
func (a *Analyzer) evidence(text string) evidence {
	s := a.pool.Get().(*scratch)
	defer a.pool.Put(s)
	s.reset()
	a.tokenize(text, s)
	var r Result
	c := squash(score(text, s, &r))
	s.ev.finish(s, c)
	ev := s.ev
	ev.vocab = append([]int32(nil), s.ev.vocab...)
	return ev
}

// fit minimizes the class-weighted cross-entropy plus the L2 penalty with full-batch Adam.
func fit(l *layer, data []trainExample, cfg TrainConfig) {
	nParams := 3 + 3*nDense + 3*len(l.words)
	params := make([]float64, nParams)
	grad := make([]float64, nParams)
	m := make([]float64, nParams)
	v := make([]float64, nParams)
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	view := func(p []float64) (bias []float64, dense []float64, words []float64) {
		return p[:3], p[3 : 3+3*nDense], p[3+3*nDense:]
	}
	pb, pd, pw := view(params)
	gb, gd, gw := view(grad)
	for step := 1; step <= cfg.Epochs; step++ {
		clear(grad)
		for i := range data {
			ex := &data[i]
			var z [3]float64
			copy(z[:], pb)
			for f, x := range ex.dense {
				for k := range z {
					z[k] += pd[3*f+k] * x
				}
			}
			scale := 0.0
			if len(ex.vocab) > 0 {
				scale = 1 / math.Sqrt(float64(len(ex.vocab)))
			}
			for _, id := range ex.vocab {
				for k := range z {
					z[k] += pw[3*int(id)+k] * scale
				}
			}
			p := softmax(z)
			for k := range p {
				g := p[k]
				if k == ex.class {
					g--
				}
				g *= ex.weight
				gb[k] += g
				for f, x := range ex.dense {
					gd[3*f+k] += g * x
				}
				for _, id := range ex.vocab {
					gw[3*int(id)+k] += g * scale
				}
			}
		}
		for j := 3; j < nParams; j++ {
			grad[j] += cfg.L2 * params[j]
		}
		c1 := 1 - math.Pow(beta1, float64(step))
		c2 := 1 - math.Pow(beta2, float64(step))
		for j := range params {
			m[j] = beta1*m[j] + (1-beta1)*grad[j]
			v[j] = beta2*v[j] + (1-beta2)*grad[j]*grad[j]
			params[j] -= cfg.Rate * (m[j] / c1) / (math.Sqrt(v[j]/c2) + eps)
		}
	}
	copy(l.bias[:], pb)
	for f := range l.dense {
		copy(l.dense[f][:], pd[3*f:3*f+3])
	}
	for i := range l.words {
		copy(l.words[i][:], pw[3*i:3*i+3])
	}
}

// prune drops the words whose weights are all below minKeep in magnitude (rounded to the file's precision
// first, so that a model read back from its file is the same model).
func prune(l *layer, minKeep float64) *layer {
	round := func(v float64) float64 { return math.Round(v*1e4) / 1e4 }
	out := &layer{}
	for k := range l.bias {
		out.bias[k] = round(l.bias[k])
	}
	for f := range l.dense {
		for k := range l.dense[f] {
			out.dense[f][k] = round(l.dense[f][k])
		}
	}
	for i, w := range l.words {
		if math.Abs(w[0]) < minKeep && math.Abs(w[1]) < minKeep && math.Abs(w[2]) < minKeep {
			continue
		}
		out.names = append(out.names, l.names[i])
		out.words = append(out.words, [3]float64{round(w[0]), round(w[1]), round(w[2])})
	}
	return out
}
