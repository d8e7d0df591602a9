// Package langdetect is the stage that fills in the language of posts whose network does not report one
// (Reddit, YouTube, Facebook, many review sites), using the whatlanggo library (trigram language profiles).
// Latin-script text, nearly all of the stream, is scored by the stage's own index over whatlanggo's profiles
// (trigrams.go), which gives the library's answer at a fraction of its cost; other scripts go to the library.
//
// Detection on short social text is unreliable, so the stage only sets a language when the library is
// confident, and never overrides the network's own tag. A post it cannot place keeps an empty language, and
// later stages treat it as unknown, never as English.
package langdetect

import (
	"context"
	"strings"

	"github.com/abadojack/whatlanggo"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-dev/rapport/post"
)

// Stage detects missing languages.
type Stage struct {
	opts          whatlanggo.Options
	latin         *latinIndex
	scratch       scratch // Process's buffers; Process runs on one goroutine at a time
	minConfidence float64
	minLetters    int
	detected      *prometheus.CounterVec
	undetermined  prometheus.Counter
}

// DefaultLanguages are the languages the stage chooses among by default: restricting the choice makes the
// detection on short texts much more reliable.
var DefaultLanguages = []string{"en", "es", "pt", "fr", "de", "it", "nl"}

// New returns the stage choosing among languages (ISO 639-1 codes; nil means DefaultLanguages). It sets a
// language only when the detector's confidence is at least minConfidence (≤ 0 means 0.5) and the text has
// at least 12 letters. reg may be nil.
func New(languages []string, minConfidence float64, reg prometheus.Registerer) *Stage {
	if languages == nil {
		languages = DefaultLanguages
	}
	if minConfidence <= 0 {
		minConfidence = 0.5
	}
	allow := map[whatlanggo.Lang]bool{}
	for _, code := range languages {
		for l := range whatlanggo.Langs {
			if l.Iso6391() == strings.ToLower(code) {
				allow[l] = true
			}
		}
	}
	s := &Stage{
		opts:          whatlanggo.Options{Whitelist: allow},
		latin:         newLatinIndex(allow),
		minConfidence: minConfidence,
		minLetters:    12,
		detected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rapport_langdetect_detected_posts_total", Help: "Posts whose missing language was detected, by language.",
		}, []string{"lang"}),
		undetermined: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rapport_langdetect_undetermined_posts_total", Help: "Posts without a language that detection could not place.",
		}),
	}
	if reg != nil {
		reg.MustRegister(s.detected, s.undetermined)
	}
	return s
}

// Name implements processors.Stage.
func (s *Stage) Name() string { return "langdetect" }

// Process implements processors.Stage. It never drops a post and never fails.
func (s *Stage) Process(_ context.Context, posts []*post.Post) ([]*post.Post, error) {
	for _, p := range posts {
		if p.Lang != "" || p.Action != post.ActionUpsert {
			continue
		}
		if lang := s.detect(p.Title+" "+p.Text, &s.scratch); lang != "" {
			p.Lang = lang
			s.detected.WithLabelValues(lang).Inc()
		} else {
			s.undetermined.Inc()
		}
	}
	return posts, nil
}

// Detect returns the ISO 639-1 code of text's language, or "" when it cannot tell with confidence. It is safe
// for concurrent use.
func (s *Stage) Detect(text string) string {
	var sc scratch
	return s.detect(text, &sc)
}

// detect is Detect with the caller's buffers. Latin-script text goes to the stage's trigram index, other
// scripts to whatlanggo; both give whatlanggo's answer.
func (s *Stage) detect(text string, sc *scratch) string {
	letters := 0
	for _, r := range text {
		if r > ' ' && !strings.ContainsRune("0123456789@#/:._-!?,;()'\"", r) {
			letters++
		}
	}
	if letters < s.minLetters {
		return ""
	}
	var (
		lang       whatlanggo.Lang
		confidence float64
	)
	if isLatinText(text) {
		lang, confidence = s.latin.detect(text, sc)
	} else {
		info := whatlanggo.DetectWithOptions(text, s.opts)
		lang, confidence = info.Lang, info.Confidence
	}
	if confidence < s.minConfidence {
		return ""
	}
	return lang.Iso6391()
}
