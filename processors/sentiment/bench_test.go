package sentiment

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jonreiter/govader"
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
