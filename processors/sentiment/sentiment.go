// Package sentiment scores the sentiment of short social text (posts, replies, comments) with an
// explainable rule-based engine over a valence lexicon.
//
// Every word, emoji and emoticon the lexicons know carries a valence on a [-4, 4] scale. Rules then adjust
// each valence in context: negation within its clause, intensifiers and dampeners, contrast ("but",
// "however"), concession ("although"), ALL CAPS emphasis amid lower-case text, elongation ("soooo good"),
// camel-case hashtags (#NotHappy), and exclamation marks. The adjusted valences are summed and squashed
// into Compound, in [-1, 1]. Each contribution is returned as a Driver, so every score can be explained.
// Mentions and URLs are ignored.
//
// Only English is supported (see Supports). A caller holding text in another language must report it as
// unscored, never as neutral.
package sentiment

import (
	"bytes"
	"math"
	"strings"
	"sync"
)

// ModelVersion identifies the rules, constants and lexicons of this build. Any change that can change a
// score changes it.
const ModelVersion = "rapport-sentiment-3"

// NeutralThreshold is the Compound magnitude below which a text is labelled neutral: the compound of a text
// whose only evidence is one word of valence 1, the first step ("slightly") of the [-4, 4] human rating
// scale the lexicon was built on (1/sqrt(1+15) = 0.25). It is fixed from that scale, not fitted to any
// labelled corpus; `rapport eval sentiment -fit-neutral` shows what the VADER snippets alone would pick.
const NeutralThreshold = 0.25

// Label is the three-class reading of Compound.
type Label string

// Labels.
const (
	Negative Label = "negative"
	Neutral  Label = "neutral"
	Positive Label = "positive"
)

// LabelOf returns the label of a compound score under NeutralThreshold.
func LabelOf(compound float64) Label {
	switch {
	case compound >= NeutralThreshold:
		return Positive
	case compound <= -NeutralThreshold:
		return Negative
	default:
		return Neutral
	}
}

// Driver is one word, emoji or emoticon that moved the score.
type Driver struct {
	Token   string  `json:"token"`           // as written in the text
	Lexicon float64 `json:"lexicon"`         // its valence in the lexicon, on [-4, 4]
	Weight  float64 `json:"weight"`          // its contribution after the rules, in the same units
	Rules   string  `json:"rules,omitempty"` // the rules that applied, '+'-separated (e.g. "negated+caps")
}

// Result is the sentiment of one text.
type Result struct {
	Compound float64 // the rule engine's score, in [-1, 1]; 0 when nothing carried sentiment
	// Label is the learned layer's class when the analyzer has one (the default), else LabelOf(Compound).
	Label Label
	// Probabilities of negative, neutral and positive from the learned layer; zero without one.
	Probabilities [3]float64
	Drivers       []Driver // in text order; empty when nothing carried sentiment
	ModelVersion  string   // ModelVersion
}

// Analyzer scores text. It is immutable once built and safe for concurrent use.
type Analyzer struct {
	lx    *lexicon
	layer *layer    // nil: labels from the rules alone
	pool  sync.Pool // *scratch
}

// Option changes how New builds an Analyzer.
type Option func(*options)

type options struct{ rulesOnly bool }

// RulesOnly builds an analyzer without the learned layer: Label is LabelOf(Compound).
func RulesOnly() Option { return func(o *options) { o.rulesOnly = true } }

// New builds an Analyzer from the embedded lexicons and learned layer. Building takes a few milliseconds:
// build one and share it.
func New(opts ...Option) (*Analyzer, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	var l *layer
	if !o.rulesOnly {
		var err error
		if l, err = readLayer(bytes.NewReader(layerData)); err != nil {
			return nil, err
		}
	}
	return newAnalyzer(l)
}

func newAnalyzer(l *layer) (*Analyzer, error) {
	lx, err := loadLexicon()
	if err != nil {
		return nil, err
	}
	if l != nil {
		lx.installVocabulary(l.names)
	}
	lx.freeze()
	a := &Analyzer{lx: lx, layer: l}
	a.pool.New = func() any { return &scratch{items: make([]item, 0, 64)} }
	return a, nil
}

// HasLayer reports whether labels come from the learned layer.
func (a *Analyzer) HasLayer() bool { return a.layer != nil }

// Supports reports whether the analyzer scores text in lang, a BCP-47 tag such as "en" or "en-GB".
func Supports(lang string) bool {
	base, _, _ := strings.Cut(lang, "-")
	base, _, _ = strings.Cut(base, "_")
	return strings.EqualFold(base, "en")
}

// Supports is the package-level Supports, for callers holding an Analyzer.
func (a *Analyzer) Supports(lang string) bool { return Supports(lang) }

// Analyze scores text. Text is assumed to be English; check Supports first.
func (a *Analyzer) Analyze(text string) Result {
	var r Result
	a.AnalyzeInto(text, &r)
	return r
}

// AnalyzeInto is Analyze writing into r, reusing r.Drivers' storage: with a reused Result, scoring
// allocates nothing.
func (a *Analyzer) AnalyzeInto(text string, r *Result) {
	s := a.pool.Get().(*scratch)
	a.analyze(text, s, r)
	a.pool.Put(s)
}

// analyze is AnalyzeInto on a caller's scratch, which keeps the tokens and opinions for entity analysis.
func (a *Analyzer) analyze(text string, s *scratch, r *Result) {
	s.reset()
	a.tokenize(text, s)
	r.Drivers = r.Drivers[:0]
	sum := score(text, s, r)
	r.Compound = squash(sum)
	r.Label = LabelOf(r.Compound)
	r.Probabilities = [3]float64{}
	if a.layer != nil {
		s.ev.finish(s, r.Compound)
		r.Probabilities = softmax(a.layer.logits(&s.ev))
		best := 0
		for k, p := range r.Probabilities {
			if p > r.Probabilities[best] {
				best = k
			}
		}
		r.Label = Classes[best]
	}
	r.ModelVersion = ModelVersion
	if len(r.Drivers) == 0 {
		r.Drivers = nil
	}
}

// Scoring constants, in lexicon units unless said otherwise.
const (
	capsBoost     = 0.733 // an ALL CAPS word among lower-case ones
	elongBoost    = 0.3   // an elongated word ("gooood")
	negScale      = -0.74 // a negated valence flips and weakens: "not good" is milder than "bad"
	negWindow     = 3     // words before a sentiment word searched for negators and degree adverbs
	beforeWeight  = 0.5   // valence before the last "but"/"however", or inside an "although" clause
	afterWeight   = 1.5   // valence after the last "but"/"however"
	exclaimBoost  = 0.292 // per '!', up to exclaimMax of them
	exclaimMax    = 4
	questionBoost = 0.18 // per '?' beyond the first, up to questionMax of them
	questionMax   = 3
	squashAlpha   = 15 // Compound = s / sqrt(s² + alpha)
)

func squash(s float64) float64 {
	if s == 0 {
		return 0
	}
	c := s / math.Sqrt(s*s+squashAlpha)
	return math.Max(-1, math.Min(1, c))
}

// score applies the rules to the tokenized text, appends the drivers to r and returns the summed valence.
func score(text string, s *scratch, r *Result) float64 {
	items := s.items
	emphasis := s.capsWords > 0 && s.capsWords < s.caseWords
	lastContrast := -1
	for i := range items {
		if items[i].role == roleContrast {
			lastContrast = i
		}
	}
	inConcession := false
	var sum float64
	ev := &s.ev
	for i := range items {
		it := &items[i]
		if it.kind == kindWord {
			ev.nwords++
			if it.vocab > 0 {
				ev.vocab = append(ev.vocab, it.vocab-1)
			}
		}
		switch {
		case it.kind == kindBreak:
			inConcession = false
			continue
		case it.role == roleConcessive:
			inConcession = true
		}
		if it.val == 0 {
			continue
		}
		v := float64(it.val)
		sign := 1.0
		if v < 0 {
			sign = -1
		}
		var flags uint8
		if it.flags&flagCaps != 0 && emphasis {
			v += sign * capsBoost
			flags |= ruleCaps
		}
		if it.flags&flagElong != 0 {
			v += sign * elongBoost
			flags |= ruleElong
		}
		negated, cant := false, false
		for j, k := i-1, 0; j >= 0 && k < negWindow; j-- {
			p := &items[j]
			if p.kind == kindBreak || p.role == roleContrast {
				break
			}
			if p.kind != kindWord {
				continue
			}
			if p.boost != 0 {
				b := float64(p.boost) * (1 - 0.05*float64(k))
				if p.flags&flagCaps != 0 && emphasis {
					b += math.Copysign(capsBoost, b)
				}
				if p.flags&flagElong != 0 {
					b += math.Copysign(elongBoost, b)
					flags |= ruleElong
				}
				v += sign * b
				if b > 0 {
					flags |= ruleIntens
				} else {
					flags |= ruleDamp
				}
			}
			if p.role == roleNegator || p.role == roleCant {
				negated = true
				cant = cant || p.role == roleCant
			}
			k++
		}
		if it.kind != kindWord {
			negated = false // an emoji or emoticon is the author's own mood: "offered nothing 😡"
		}
		if negated && cant && enoughAfter(items, i) {
			// "can't recommend them enough", "couldn't be happier enough": emphasis, not negation.
			negated = false
			v += sign * boostUp
			flags |= ruleIntens
		}
		if negated {
			v *= negScale
			flags |= ruleNeg
		}
		s.opinions = append(s.opinions, opinion{item: int32(i), weight: v})
		switch {
		case lastContrast >= 0 && i < lastContrast, inConcession:
			v *= beforeWeight
			flags |= ruleDown
		case lastContrast >= 0 && i > lastContrast:
			v *= afterWeight
			flags |= ruleUp
		}
		if it.flags&flagHashtag != 0 {
			flags |= ruleHashtag
		}
		sum += v
		ev.drivers++
		if v > 0 {
			ev.posSum += v
		} else {
			ev.negSum -= v
		}
		r.Drivers = append(r.Drivers, Driver{
			Token:   text[it.start:it.end],
			Lexicon: round3(float64(it.val)),
			Weight:  round3(v),
			Rules:   ruleNames[flags],
		})
	}
	if sum != 0 {
		amp := float64(min(s.exclaims, exclaimMax)) * exclaimBoost
		if s.questions > 1 {
			amp += float64(min(s.questions-1, questionMax)) * questionBoost
		}
		sum += math.Copysign(amp, sum)
	}
	return sum
}

// enoughAfter reports whether "enough" follows item i within its clause, up to four words on.
func enoughAfter(items []item, i int) bool {
	for j, k := i+1, 0; j < len(items) && k < 4; j++ {
		p := &items[j]
		if p.kind == kindBreak || p.role == roleContrast {
			return false
		}
		if p.role == roleEnough {
			return true
		}
		if p.kind == kindWord {
			k++
		}
	}
	return false
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// Rules recorded on a driver.
const (
	ruleNeg uint8 = 1 << iota
	ruleIntens
	ruleDamp
	ruleCaps
	ruleElong
	ruleDown
	ruleUp
	ruleHashtag
)

// ruleNames[flags] is the '+'-joined name of a rule set, built once so drivers cost no allocation.
var ruleNames = func() (t [256]string) {
	names := []string{"negated", "intensified", "dampened", "caps", "elongated", "contrast-before", "contrast-after", "hashtag"}
	for f := range t {
		var parts []string
		for b, n := range names {
			if f&(1<<b) != 0 {
				parts = append(parts, n)
			}
		}
		t[f] = strings.Join(parts, "+")
	}
	return t
}()
