package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rapport-dev/rapport/processors/sentiment"
)

// Published reference numbers for the VADER lexicon method: Pearson r of its compound against the mean
// human score (Hutto & Gilbert 2014, table 3), and its TweetEval sentiment macro-recall.
var vaderReference = map[string]float64{"amazon": 0.565, "movie": 0.451, "nyt": 0.492}

const tweetEvalReference = 0.57

func evalCmd(ctx context.Context, args []string) error {
	return evalTo(ctx, os.Stdout, args)
}

func evalTo(ctx context.Context, w io.Writer, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "entities":
			return evalEntities(ctx, w, args[1:])
		case "entities-sentiment":
			return evalEntitySentiment(ctx, w, args[1:])
		case "influence":
			return evalInfluence(ctx, w, args[1:])
		case "links":
			return evalLinks(ctx, w, args[1:])
		case "dedup":
			return evalDedup(ctx, w, args[1:])
		}
	}
	if len(args) == 0 || args[0] != "sentiment" {
		return errors.New("usage: rapport eval sentiment -dataset DIR_OR_FILE [-format tweeteval|vader] [-fit-neutral]\n" +
			"       rapport eval entities [-sim N] [-seed N] [-thread-horizon D] [-thread-max N] [-thread-no-root] [-catalog FILE -posts FILE] [-v]\n" +
			"       rapport eval entities-sentiment [-v] FILE\n" +
			"       rapport eval influence [-seed N] [-history D] [-window D]\n" +
			"       rapport eval dedup [-seed N] [-records N]\n" +
			"       rapport eval links [-seed N] [-count N]")
	}
	fs := flag.NewFlagSet("eval sentiment", flag.ContinueOnError)
	dataset := fs.String("dataset", "", "TweetEval split (directory with *_text.txt and *_labels.txt, or the text file) or VADER ground-truth snippet file(s) (a file, or a directory of *_GroundTruth.txt)")
	format := fs.String("format", "", "tweeteval or vader; guessed from the file names when empty")
	fit := fs.Bool("fit-neutral", false, "vader only: fit the neutral threshold against human labels (|score| < 0.5 neutral), each file held out in turn")
	rulesOnly := fs.Bool("rules-only", false, "label with the rules alone (LabelOf(compound)), without the learned layer")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dataset == "" {
		return errors.New("eval sentiment: -dataset is required")
	}
	if *format == "" {
		*format = guessFormat(*dataset)
	}
	var opts []sentiment.Option
	if *rulesOnly {
		opts = append(opts, sentiment.RulesOnly())
	}
	a, err := sentiment.New(opts...)
	if err != nil {
		return err
	}
	switch *format {
	case "tweeteval":
		return evalTweetEval(ctx, w, a, *dataset)
	case "vader":
		return evalSnippets(ctx, w, a, *dataset, *fit)
	default:
		return fmt.Errorf("eval sentiment: -format must be tweeteval or vader, got %q", *format)
	}
}

func guessFormat(path string) string {
	if strings.Contains(path, "GroundTruth") {
		return "vader"
	}
	if m, _ := filepath.Glob(filepath.Join(path, "*GroundTruth*.txt")); len(m) > 0 {
		return "vader"
	}
	return "tweeteval"
}

// tweetEvalFiles returns the text and label files of a TweetEval split given as its directory or its text
// file.
func tweetEvalFiles(path string) (text, labels string, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	if !st.IsDir() {
		dir, base := filepath.Split(path)
		return path, filepath.Join(dir, strings.Replace(base, "_text", "_labels", 1)), nil
	}
	m, _ := filepath.Glob(filepath.Join(path, "*_text.txt"))
	if len(m) != 1 {
		return "", "", fmt.Errorf("eval sentiment: want exactly one *_text.txt in %s, found %d", path, len(m))
	}
	return m[0], strings.TrimSuffix(m[0], "_text.txt") + "_labels.txt", nil
}

func evalTweetEval(ctx context.Context, w io.Writer, a *sentiment.Analyzer, path string) error {
	textFile, labelFile, err := tweetEvalFiles(path)
	if err != nil {
		return err
	}
	examples, err := sentiment.ReadTweetEval(textFile, labelFile)
	if err != nil {
		return err
	}
	var c sentiment.Confusion
	var r sentiment.Result
	for i, ex := range examples {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		a.AnalyzeInto(ex.Text, &r)
		c.Add(ex.Label, r.Label)
	}
	labels := fmt.Sprintf("rules only, neutral threshold ±%.2f", sentiment.NeutralThreshold)
	if a.HasLayer() {
		labels = "learned layer (trained on the VADER human-rated corpora only)"
	}
	fmt.Fprintf(w, "TweetEval sentiment: %s (%d texts), model %s, labels: %s\n\n", textFile, c.Total(), sentiment.ModelVersion, labels)
	fmt.Fprintf(w, "%-10s %9s %9s %9s %7s\n", "class", "precision", "recall", "F1", "gold")
	for k, l := range sentiment.Classes {
		fmt.Fprintf(w, "%-10s %9.3f %9.3f %9.3f %7d\n", l, c.Precision(k), c.Recall(k), c.F1(k), c[k][0]+c[k][1]+c[k][2])
	}
	fmt.Fprintf(w, "\nmacro-recall %.3f   macro-F1 %.3f   accuracy %.3f\n", c.MacroRecall(), c.MacroF1(), c.Accuracy())
	fmt.Fprintf(w, "confusion (rows gold neg/neu/pos, columns predicted): %v\n", c)
	fmt.Fprintf(w, "reference: the VADER lexicon method scores about %.2f macro-recall on TweetEval sentiment\n", tweetEvalReference)
	return nil
}

func snippetFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	m, _ := filepath.Glob(filepath.Join(path, "*GroundTruth*.txt"))
	if len(m) == 0 {
		return nil, fmt.Errorf("eval sentiment: no *GroundTruth*.txt file in %s", path)
	}
	sort.Strings(m)
	return m, nil
}

// snippetScores holds one snippet file's compounds next to its human scores.
type snippetScores struct {
	name      string
	compounds []float64
	human     []float64
	gold      []sentiment.Label
}

func evalSnippets(ctx context.Context, w io.Writer, a *sentiment.Analyzer, path string, fit bool) error {
	files, err := snippetFiles(path)
	if err != nil {
		return err
	}
	var all []snippetScores
	for _, f := range files {
		examples, err := sentiment.ReadSnippets(f)
		if err != nil {
			return err
		}
		s := snippetScores{name: filepath.Base(f)}
		var r sentiment.Result
		for i, ex := range examples {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			a.AnalyzeInto(ex.Text, &r)
			s.compounds = append(s.compounds, r.Compound)
			s.human = append(s.human, ex.Score)
			s.gold = append(s.gold, sentiment.HumanLabel(ex.Score))
		}
		all = append(all, s)
	}
	fmt.Fprintf(w, "VADER ground-truth snippets, model %s\n\n", sentiment.ModelVersion)
	fmt.Fprintf(w, "%-44s %7s %10s %13s %16s\n", "file", "texts", "Pearson r", "VADER (publ.)", "3-class m-recall")
	for _, s := range all {
		ref := "-"
		for k, v := range vaderReference {
			if strings.HasPrefix(strings.ToLower(s.name), k) {
				ref = fmt.Sprintf("%.3f", v)
			}
		}
		fmt.Fprintf(w, "%-44s %7d %10.3f %13s %16.3f\n", s.name, len(s.human), sentiment.Pearson(s.compounds, s.human), ref,
			sentiment.MacroRecallAt(s.compounds, s.gold, sentiment.NeutralThreshold))
	}
	fmt.Fprintf(w, "\nreference: VADER's published Pearson r: Amazon %.3f, movies %.3f, NYT %.3f\n", vaderReference["amazon"], vaderReference["movie"], vaderReference["nyt"])
	fmt.Fprintf(w, "3-class: human mean |score| < %.1f is neutral; labels from the rules (neutral threshold ±%.2f), since the\n", sentiment.HumanNeutralBand, sentiment.NeutralThreshold)
	fmt.Fprintf(w, "learned layer was trained on these corpora: `go run ./processors/sentiment/train -loco` gives its held-out numbers\n")
	if !fit {
		return nil
	}
	fmt.Fprintf(w, "\nneutral threshold fit (macro-recall against human labels), each file held out in turn:\n")
	for i, held := range all {
		var comp []float64
		var gold []sentiment.Label
		for j, s := range all {
			if j != i {
				comp = append(comp, s.compounds...)
				gold = append(gold, s.gold...)
			}
		}
		if len(comp) == 0 {
			fmt.Fprintf(w, "  %-44s (no other file to fit on)\n", held.name)
			continue
		}
		t, _ := sentiment.FitNeutralThreshold(comp, gold)
		fmt.Fprintf(w, "  held out %-35s fitted on the others ±%.2f, held-out macro-recall %.3f\n", held.name, t, sentiment.MacroRecallAt(held.compounds, held.gold, t))
	}
	var comp []float64
	var gold []sentiment.Label
	for _, s := range all {
		comp = append(comp, s.compounds...)
		gold = append(gold, s.gold...)
	}
	t, mr := sentiment.FitNeutralThreshold(comp, gold)
	fmt.Fprintf(w, "  fitted on all files: ±%.2f (macro-recall %.3f)\n", t, mr)
	return nil
}
