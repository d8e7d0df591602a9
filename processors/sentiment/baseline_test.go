package sentiment

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jonreiter/govader"
)

// TestBaselineGovader puts the analyzer next to github.com/jonreiter/govader (a Go port of VADER, labels at
// VADER's customary ±0.05) on the evaluation corpora. It only reports; it takes a few seconds, so it runs
// when RAPPORT_SENTIMENT_BASELINE=1:
//
//	RAPPORT_SENTIMENT_BASELINE=1 go test ./processors/sentiment -run Baseline -v
func TestBaselineGovader(t *testing.T) {
	if os.Getenv("RAPPORT_SENTIMENT_BASELINE") != "1" {
		t.Skip("set RAPPORT_SENTIMENT_BASELINE=1 to compare with govader")
	}
	dir := datasetDir()
	v := govader.NewSentimentIntensityAnalyzer()
	a := testAnalyzer()
	rules, err := New(RulesOnly())
	if err != nil {
		t.Fatal(err)
	}
	vaderLabel := func(c float64) Label {
		switch {
		case c >= 0.05:
			return Positive
		case c <= -0.05:
			return Negative
		}
		return Neutral
	}
	examples, err := ReadTweetEval(filepath.Join(dir, "tweeteval-val", "val_text.txt"), filepath.Join(dir, "tweeteval-val", "val_labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var cv, cr, cl Confusion
	for _, ex := range examples {
		cv.Add(ex.Label, vaderLabel(v.PolarityScores(ex.Text).Compound))
		cr.Add(ex.Label, rules.Analyze(ex.Text).Label)
		cl.Add(ex.Label, a.Analyze(ex.Text).Label)
	}
	t.Logf("TweetEval val macro-recall: govader %.3f (accuracy %.3f) | rules only %.3f (%.3f) | with layer %.3f (%.3f)",
		cv.MacroRecall(), cv.Accuracy(), cr.MacroRecall(), cr.Accuracy(), cl.MacroRecall(), cl.Accuracy())
	files, _ := filepath.Glob(filepath.Join(dir, "vader-snippets", "*GroundTruth*.txt"))
	files = append(files, filepath.Join("testdata", "vader-tweets", "tweets_GroundTruth.txt"))
	for _, f := range files {
		examples, err := ReadSnippets(f)
		if err != nil {
			t.Fatal(err)
		}
		var human, ours, theirs []float64
		for _, ex := range examples {
			human = append(human, ex.Score)
			ours = append(ours, a.Analyze(ex.Text).Compound)
			theirs = append(theirs, v.PolarityScores(ex.Text).Compound)
		}
		t.Logf("%-40s Pearson r: rapport %.3f | govader %.3f", filepath.Base(f), Pearson(ours, human), Pearson(theirs, human))
	}
}
