package sentiment

import (
	"context"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
)

// Stage scores the sentiment of every post in a supported language and leaves the others unscored
// (post.Sentiment nil). Posts whose language is unknown are scored only when assumeUnknown is set. For a
// scored post it also fills the sentiment aimed at each of its entities (Entity.Scored, Sentiment, Label)
// and its loyalty signals (see AnalyzePost); an unscored post gets only its star rating's signal.
type Stage struct {
	a             *Analyzer
	assumeUnknown string // language assumed for posts without one; "" leaves them unscored
	det           Detail

	scored   *prometheus.CounterVec
	unscored prometheus.Counter
}

// NewStage returns the stage over a. assumeUnknown is the language assumed for posts whose network and the
// language stage gave none ("" leaves them unscored). reg may be nil.
func NewStage(a *Analyzer, assumeUnknown string, reg prometheus.Registerer) *Stage {
	s := &Stage{
		a: a, assumeUnknown: assumeUnknown,
		scored: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_sentiment_scored_posts_total", Help: "Posts scored, by label.",
		}, []string{"label"}),
		unscored: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_sentiment_unscored_posts_total", Help: "Posts left unscored: language unsupported or unknown.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.scored, s.unscored)
	}
	return s
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "sentiment" }

// Process implements processors.Stage. It never drops a post and never fails.
func (s *Stage) Process(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
	for _, p := range posts {
		if p.Action != post.ActionUpsert {
			continue
		}
		lang := p.Lang
		if lang == "" {
			lang = s.assumeUnknown
		}
		text, offset := PostText(p.Title, p.Text)
		if !Supports(lang) || strings.TrimSpace(text) == "" {
			p.Sentiment = nil
			// A star rating speaks in any language; the text's phrases are read only in supported ones.
			p.Signals = RatingSignals(p.Rating, p.Entities, nil)
			s.unscored.Inc()
			continue
		}
		s.a.AnalyzePost(text, offset, p.Entities, p.Rating, &s.det)
		r := &s.det.Result
		p.Sentiment = &post.Sentiment{Score: r.Compound, Label: labelValue(r.Label), Model: r.ModelVersion, Drivers: drivers(r.Drivers)}
		ApplyEntities(p.Entities, s.det.Entities)
		p.Signals = nil
		if len(s.det.Signals) > 0 {
			p.Signals = append([]post.Signal(nil), s.det.Signals...)
		}
		s.scored.WithLabelValues(string(r.Label)).Inc()
	}
	return posts, nil
}

// PostText is the text scored for a post with the given title and text: the title, when there is one,
// joined to the text as its first sentence. offset is where text starts in it (entity spans are offsets
// into text).
func PostText(title, text string) (joined string, offset int) {
	if title == "" || title == text {
		return text, 0
	}
	return title + ". " + text, len(title) + 2
}

func labelValue(l Label) int8 {
	switch l {
	case Positive:
		return 1
	case Negative:
		return -1
	}
	return 0
}

// drivers returns up to five driver tokens, the strongest first.
func drivers(ds []Driver) []string {
	if len(ds) == 0 {
		return nil
	}
	order := make([]int, len(ds))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return abs(ds[order[i]].Weight) > abs(ds[order[j]].Weight) })
	out := make([]string, 0, min(5, len(ds)))
	for _, i := range order[:min(5, len(ds))] {
		out = append(out, ds[i].Token)
	}
	return out
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
