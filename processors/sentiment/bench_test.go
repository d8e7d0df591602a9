package sentiment

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jonreiter/govader"

	"github.com/rapport-dev/rapport/post"
)

// datasetDir is where the evaluation corpora live: RAPPORT_SENTIMENT_DATA, or shared/ beside the work tree.
func datasetDir() string {
	if d := os.Getenv("RAPPORT_SENTIMENT_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "datasets", "sentiment")
}

// benchTexts returns the TweetEval validation texts (reading them is not training on them), or the small
// fixture when they are not there.
func benchTexts(tb testing.TB) []string {
	tb.Helper()
	if texts, err := readLines(filepath.Join(datasetDir(), "tweeteval-val", "val_text.txt")); err == nil && len(texts) > 0 {
		return texts
	}
	texts, err := readLines(filepath.Join("testdata", "tweets.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	return texts
}

// measure runs loop (a b.Loop loop) and reports texts per second of wall time and per CPU-second (the rate
// per core, whatever else the machine is running).
func measure(b *testing.B, loop func()) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	loop()
	cpu := cpuSeconds() - cpu0
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "texts/s")
	}
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "texts/cpu-s")
	}
}

// BenchmarkAnalyze measures Analyze, one text per iteration, each result fresh (the drivers slice is the
// only allocation).
func BenchmarkAnalyze(b *testing.B) {
	a, err := New()
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(b)
	measure(b, func() {
		for i := 0; b.Loop(); i++ {
			_ = a.Analyze(texts[i%len(texts)])
		}
	})
}

// BenchmarkAnalyzeInto measures AnalyzeInto with a reused Result, as a pipeline stage would call it.
func BenchmarkAnalyzeInto(b *testing.B) {
	a, err := New()
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(b)
	var r Result
	measure(b, func() {
		for i := 0; b.Loop(); i++ {
			a.AnalyzeInto(texts[i%len(texts)], &r)
		}
	})
}

// BenchmarkGovader measures github.com/jonreiter/govader, a Go port of VADER, on the same texts.
func BenchmarkGovader(b *testing.B) {
	v := govader.NewSentimentIntensityAnalyzer()
	texts := benchTexts(b)
	measure(b, func() {
		for i := 0; b.Loop(); i++ {
			_ = v.PolarityScores(texts[i%len(texts)])
		}
	})
}

// BenchmarkNew measures building an analyzer (lexicons, inflections, learned layer).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnalyzePost measures the pipeline stage's call on posts that name two entities: post
// sentiment, per-entity sentiment and signals, with a reused Detail.
func BenchmarkAnalyzePost(b *testing.B) {
	a, err := New()
	if err != nil {
		b.Fatal(err)
	}
	texts := benchTexts(b)
	ents := make([][]post.Entity, len(texts))
	for i, t := range texts {
		// Two entities per post: the first and last words of four letters or more, as a catalogue would find
		// brand names anywhere in the text.
		var es []post.Entity
		for _, f := range []func(string) int{firstLongWord, lastLongWord} {
			if s := f(t); s >= 0 {
				e := s
				for e < len(t) && isLetter(t[e]) {
					e++
				}
				es = append(es, post.Entity{ID: t[s:e], Matched: t[s:e], Start: s, End: e})
			}
		}
		ents[i] = es
	}
	var d Detail
	measure(b, func() {
		for i := 0; b.Loop(); i++ {
			k := i % len(texts)
			a.AnalyzePost(texts[k], 0, ents[k], 0, &d)
		}
	})
}

func firstLongWord(t string) int {
	for i := 0; i+4 <= len(t); i++ {
		if (i == 0 || !isLetter(t[i-1])) && isLetter(t[i]) && isLetter(t[i+1]) && isLetter(t[i+2]) && isLetter(t[i+3]) {
			return i
		}
	}
	return -1
}

func lastLongWord(t string) int {
	for i := len(t) - 4; i >= 0; i-- {
		if (i == 0 || !isLetter(t[i-1])) && isLetter(t[i]) && isLetter(t[i+1]) && isLetter(t[i+2]) && isLetter(t[i+3]) {
			return i
		}
	}
	return -1
}
