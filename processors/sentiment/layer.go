package sentiment

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The learned layer: a three-class logistic regression over the rule engine's evidence (dense features) and
// the words of the text (a sparse vocabulary). It decides Label; Compound and Drivers stay the rule
// engine's. It is trained by `go run ./processors/sentiment/train` on the VADER human-rated corpora only
// (tweets, Amazon, movie and NYT snippets) and shipped as data/layer.tsv.

//go:embed data/layer.tsv
var layerData []byte

// Dense features, in the order of evidence.dense.
var denseNames = [...]string{"pos", "neg", "compound", "abs_compound", "drivers", "exclaim", "question", "words", "url", "mention", "hashtag", "numbers", "propers", "first_person", "subjective"}

const nDense = len(denseNames)

// evidence is what the rule engine saw in one text, the learned layer's input.
type evidence struct {
	dense   [nDense]float64
	vocab   []int32 // vocabulary ids of the text's words, in order (repeats kept)
	nwords  int
	posSum  float64
	negSum  float64
	drivers int
}

func (e *evidence) reset() {
	*e = evidence{vocab: e.vocab[:0]}
}

// finish fills the dense features once the text is scored.
func (e *evidence) finish(s *scratch, compound float64) {
	e.dense = [nDense]float64{
		math.Log1p(e.posSum),
		math.Log1p(e.negSum),
		compound,
		math.Abs(compound),
		math.Log1p(float64(e.drivers)),
		b2f(s.exclaims > 0),
		b2f(s.questions > 0),
		math.Log1p(float64(e.nwords)),
		b2f(s.urls > 0),
		b2f(s.mentions > 0),
		b2f(s.hashtags > 0),
		math.Log1p(float64(s.numbers)),
		math.Log1p(float64(s.propers)),
		b2f(s.firstPers > 0),
		math.Log1p(float64(s.subj) / 100),
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// layer is a trained model.
type layer struct {
	bias  [3]float64
	dense [nDense][3]float64
	words [][3]float64 // by vocabulary id
	names []string     // vocabulary, by id
}

// logits returns the three class scores (negative, neutral, positive) of e.
func (l *layer) logits(e *evidence) [3]float64 {
	z := l.bias
	for f, v := range e.dense {
		for k := range z {
			z[k] += l.dense[f][k] * v
		}
	}
	if len(e.vocab) > 0 {
		scale := 1 / math.Sqrt(float64(len(e.vocab)))
		for _, id := range e.vocab {
			w := &l.words[id]
			for k := range z {
				z[k] += w[k] * scale
			}
		}
	}
	return z
}

func softmax(z [3]float64) [3]float64 {
	m := math.Max(z[0], math.Max(z[1], z[2]))
	var p [3]float64
	var sum float64
	for k := range z {
		p[k] = math.Exp(z[k] - m)
		sum += p[k]
	}
	for k := range p {
		p[k] /= sum
	}
	return p
}

// readLayer parses a layer file: "bias", "f:NAME" and "w:WORD" lines, each with three weights (negative,
// neutral, positive) separated by tabs; '#' starts a comment line. An empty file is no layer.
func readLayer(r io.Reader) (*layer, error) {
	l := &layer{}
	seen := false
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("reading layer line %d: want 4 tab-separated fields, got %d", n, len(f))
		}
		var w [3]float64
		for k := range w {
			v, err := strconv.ParseFloat(f[k+1], 64)
			if err != nil {
				return nil, fmt.Errorf("reading layer line %d: %w", n, err)
			}
			w[k] = v
		}
		seen = true
		switch name := f[0]; {
		case name == "bias":
			l.bias = w
		case strings.HasPrefix(name, "f:"):
			i := denseIndex(name[2:])
			if i < 0 {
				return nil, fmt.Errorf("reading layer line %d: unknown feature %q", n, name)
			}
			l.dense[i] = w
		case strings.HasPrefix(name, "w:") && len(name) > 2:
			l.names = append(l.names, name[2:])
			l.words = append(l.words, w)
		default:
			return nil, fmt.Errorf("reading layer line %d: unknown entry %q", n, name)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !seen {
		return nil, nil
	}
	return l, nil
}

func denseIndex(name string) int {
	for i, n := range denseNames {
		if n == name {
			return i
		}
	}
	return -1
}

// writeTo writes l in the format readLayer reads.
func (l *layer) writeTo(w io.Writer, header string) error {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		fmt.Fprintf(&b, "# %s\n", line)
	}
	row := func(name string, v [3]float64) {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", name, fmtWeight(v[0]), fmtWeight(v[1]), fmtWeight(v[2]))
	}
	row("bias", l.bias)
	for i, n := range denseNames {
		row("f:"+n, l.dense[i])
	}
	for i, n := range l.names {
		row("w:"+n, l.words[i])
	}
	_, err := w.Write(b.Bytes())
	return err
}

func fmtWeight(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }

// installVocabulary gives every layer word an entry (with its vocabulary id) in the lexicon, so that the one
// lookup per word finds both its valence and its learned weights.
func (lx *lexicon) installVocabulary(names []string) {
	for i, n := range names {
		e := lx.words[n]
		e.vocab = int32(i) + 1
		lx.words[n] = e
	}
}
