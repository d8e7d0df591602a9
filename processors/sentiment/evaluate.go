package sentiment

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// Example is one labelled text of an evaluation corpus.
type Example struct {
	Text  string
	Label Label   // three-class gold label (TweetEval); empty when the corpus has scores
	Score float64 // mean human valence on [-4, 4] (VADER snippets); 0 when the corpus has labels
	// Weight scales the example in training (TrainLayer); 0 means 1.
	Weight float64
	// Domain numbers the example's training corpus, for TrainConfig.BalanceDomains.
	Domain int
}

// ReadTweetEval reads a TweetEval split: one text a line in textFile, and the label of each line
// (0 negative, 1 neutral, 2 positive) in labelFile.
func ReadTweetEval(textFile, labelFile string) ([]Example, error) {
	texts, err := readLines(textFile)
	if err != nil {
		return nil, err
	}
	labels, err := readLines(labelFile)
	if err != nil {
		return nil, err
	}
	if len(texts) != len(labels) {
		return nil, fmt.Errorf("reading %s: %d texts but %d labels in %s", textFile, len(texts), len(labels), labelFile)
	}
	out := make([]Example, len(texts))
	for i, t := range texts {
		var l Label
		switch strings.TrimSpace(labels[i]) {
		case "0":
			l = Negative
		case "1":
			l = Neutral
		case "2":
			l = Positive
		default:
			return nil, fmt.Errorf("reading %s line %d: label %q is not 0, 1 or 2", labelFile, i+1, labels[i])
		}
		out[i] = Example{Text: t, Label: l}
	}
	return out, nil
}

// ReadSnippets reads a VADER ground-truth file: "id TAB mean-score TAB text" lines.
func ReadSnippets(file string) ([]Example, error) {
	lines, err := readLines(file)
	if err != nil {
		return nil, err
	}
	out := make([]Example, 0, len(lines))
	for i, line := range lines {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			return nil, fmt.Errorf("reading %s line %d: want id, score and text separated by tabs", file, i+1)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(f[1]), 64)
		if err != nil {
			return nil, fmt.Errorf("reading %s line %d: %w", file, i+1, err)
		}
		out = append(out, Example{Text: f[2], Score: v})
	}
	return out, nil
}

func readLines(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return ReadLines(f)
}

// ReadLines reads r line by line (lines up to 1 MiB), without line ends.
func ReadLines(r io.Reader) ([]string, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []string
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	return out, sc.Err()
}

// Classes in report order.
var Classes = [3]Label{Negative, Neutral, Positive}

func classIndex(l Label) int {
	switch l {
	case Negative:
		return 0
	case Neutral:
		return 1
	default:
		return 2
	}
}

// Confusion is a three-class confusion matrix: Confusion[gold][predicted], classes in Classes order.
type Confusion [3][3]int

// Add counts one prediction.
func (c *Confusion) Add(gold, pred Label) { c[classIndex(gold)][classIndex(pred)]++ }

// Total is the number of predictions counted.
func (c *Confusion) Total() int {
	n := 0
	for g := range c {
		for p := range c[g] {
			n += c[g][p]
		}
	}
	return n
}

// Precision of class k (0 when nothing was predicted as k).
func (c *Confusion) Precision(k int) float64 {
	pred := c[0][k] + c[1][k] + c[2][k]
	return ratio(c[k][k], pred)
}

// Recall of class k (0 when no gold example is k).
func (c *Confusion) Recall(k int) float64 { return ratio(c[k][k], c[k][0]+c[k][1]+c[k][2]) }

// F1 of class k.
func (c *Confusion) F1(k int) float64 {
	p, r := c.Precision(k), c.Recall(k)
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// MacroRecall is the mean recall over the three classes (TweetEval's sentiment metric).
func (c *Confusion) MacroRecall() float64 { return (c.Recall(0) + c.Recall(1) + c.Recall(2)) / 3 }

// MacroF1 is the mean F1 over the three classes.
func (c *Confusion) MacroF1() float64 { return (c.F1(0) + c.F1(1) + c.F1(2)) / 3 }

// Accuracy is the share of correct predictions.
func (c *Confusion) Accuracy() float64 { return ratio(c[0][0]+c[1][1]+c[2][2], c.Total()) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Pearson is the correlation coefficient of x and y (NaN when either is constant or they differ in
// length).
func Pearson(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// HumanNeutralBand is the mean human valence magnitude (on [-4, 4]) under which a VADER snippet counts as
// neutral when snippets are read as three classes: an eighth of the scale, fixed a priori.
const HumanNeutralBand = 0.5

// HumanLabel is the three-class reading of a mean human valence.
func HumanLabel(score float64) Label {
	switch {
	case score >= HumanNeutralBand:
		return Positive
	case score <= -HumanNeutralBand:
		return Negative
	default:
		return Neutral
	}
}

// FitNeutralThreshold returns the compound threshold, on a 0.01 grid in [0, 0.8], that maximizes
// three-class macro-recall of compounds against gold labels, and that macro-recall. Ties go to the smaller
// threshold.
func FitNeutralThreshold(compounds []float64, gold []Label) (threshold, macroRecall float64) {
	best, bestT := -1.0, 0.0
	for i := 0; i <= 80; i++ {
		t := float64(i) / 100
		if mr := MacroRecallAt(compounds, gold, t); mr > best+1e-12 {
			best, bestT = mr, t
		}
	}
	return bestT, best
}

// MacroRecallAt is the macro-recall of compounds against gold with neutral threshold t.
func MacroRecallAt(compounds []float64, gold []Label, t float64) float64 {
	var c Confusion
	for i, v := range compounds {
		p := Neutral
		if v >= t && v > 0 {
			p = Positive
		} else if v <= -t && v < 0 {
			p = Negative
		}
		c.Add(gold[i], p)
	}
	return c.MacroRecall()
}
